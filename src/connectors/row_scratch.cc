#include "src/connectors/row_scratch.h"

#include <fmt/format.h>

namespace eddy::connectors {

using engine::DataType;

Status RowScratch::CheckNullability(const engine::Schema& schema) const {
  for (size_t c = 0; c < cells_.size(); ++c) {
    if (cells_[c].state == State::kSet) continue;
    const engine::Field& f = schema.field(c);
    if (f.nullable) continue;
    return Status::InvalidArgument(fmt::format("field \"{}\" is {} but not nullable ({})", f.name,
                                               cells_[c].state == State::kNull ? "null" : "missing",
                                               engine::DataTypeName(f.type)));
  }
  return Status::OK();
}

void RowScratch::CommitTo(engine::Batch& out, engine::EventTimeMs event_time) const {
  for (size_t c = 0; c < cells_.size(); ++c) {
    engine::Column& col = out.column(c);
    const Cell& cell = cells_[c];
    if (cell.state != State::kSet) {
      col.AppendNull();
      continue;
    }
    switch (col.type()) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        col.AppendInt(cell.i);
        break;
      case DataType::kDouble:
        col.AppendDouble(cell.d);
        break;
      case DataType::kBool:
        col.AppendBool(cell.b);
        break;
      case DataType::kString:
        col.AppendString(cell.s);
        break;
    }
  }
  out.CommitRow(event_time);
}

}  // namespace eddy::connectors
