#pragma once
// Byte encodings of the pieces operator state is made of (rows, values), for
// checkpoints (operator_state.h). Encodings carry no schema: the reader decodes with the
// schema the writer used (an operator's schemas do not change across a restore).
// Malformed input fails the ByteReader (sticky) and the Decode call returns Corruption.

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/engine/batch.h"
#include "src/engine/value.h"

namespace eddy::engine {

/// Appends row `row` of `batch` (every column's value or null, its event time and its
/// change kind) to `out`.
void EncodeRow(const Batch& batch, size_t row, ByteWriter& out);
/// Reads one row EncodeRow wrote and appends it to `out`, a batch of the same schema.
Status DecodeRow(ByteReader& in, Batch& out);

/// One typed, nullable value.
void EncodeValue(const Value& value, ByteWriter& out);
Result<Value> DecodeValue(ByteReader& in);

}  // namespace eddy::engine
