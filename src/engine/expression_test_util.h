#pragma once
// What the expression and operator tests share: readable Values in gtest messages and an
// Output that records what an operator emits.

#include <ostream>
#include <vector>

#include "src/engine/operator.h"
#include "src/engine/value.h"

namespace eddy::engine {

// gtest prints a Value through this (found by argument-dependent lookup).
inline void PrintTo(const Value& v, std::ostream* os) {
  *os << v.ToString() << ":" << DataTypeName(v.type());
}

/// Keeps every batch an operator emits, main and late, in order.
class RecordingOutput final : public Output {
 public:
  void Emit(Batch batch) override { batches.push_back(std::move(batch)); }
  void EmitLate(Batch batch) override { late.push_back(std::move(batch)); }

  size_t rows() const {
    size_t n = 0;
    for (const Batch& b : batches) n += b.num_rows();
    return n;
  }

  std::vector<Batch> batches;
  std::vector<Batch> late;
};

}  // namespace eddy::engine
