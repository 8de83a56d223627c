#pragma once
// UnionOperator: passes on the rows of every stream connected to its input (the streams
// have one schema). The runtime merges their watermarks as the minimum.

#include "src/engine/operator.h"

namespace eddy::engine {

class UnionOperator final : public Operator {
 public:
  explicit UnionOperator(SchemaRef schema) : schema_(std::move(schema)) {}
  SchemaRef output_schema() const override { return schema_; }
  Status OnBatch(int, Batch batch, Output& out) override {
    out.Emit(std::move(batch));
    return Status::OK();
  }

 private:
  SchemaRef schema_;
};

}  // namespace eddy::engine
