#include "src/engine/batch.h"

#include <cassert>

namespace eddy::engine {

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kInsert: return "+I";
    case ChangeKind::kUpdateBefore: return "-U";
    case ChangeKind::kUpdateAfter: return "+U";
    case ChangeKind::kDelete: return "-D";
  }
  return "?";
}

Batch::Batch(SchemaRef schema) : schema_(std::move(schema)) {
  columns_.reserve(schema_->num_fields());
  for (const Field& f : schema_->fields()) columns_.emplace_back(f.type);
}

void Batch::PushChange(ChangeKind kind) {
  if (kind != ChangeKind::kInsert && changes_.empty()) {
    // The first non-insert row: the rows before it were all inserts.
    changes_.assign(event_times_.size(), ChangeKind::kInsert);
    changes_.push_back(kind);
    return;
  }
  if (!changes_.empty()) changes_.push_back(kind);
}

void Batch::CommitRow(EventTimeMs event_time, ChangeKind kind) {
  PushChange(kind);
  event_times_.push_back(event_time);
}

void Batch::AppendRow(const Batch& src, size_t row) {
  AppendRow(src, row, src.event_times_[row], src.change(row));
}

void Batch::AppendRow(const Batch& src, size_t row, EventTimeMs event_time, ChangeKind kind) {
  assert(src.columns_.size() == columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) columns_[c].AppendFrom(src.columns_[c], row);
  CommitRow(event_time, kind);
}

void Batch::AppendRange(const Batch& src, size_t begin, size_t end) {
  assert(src.columns_.size() == columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) columns_[c].AppendRange(src.columns_[c], begin, end);
  if (!src.changes_.empty()) {
    if (changes_.empty()) changes_.assign(event_times_.size(), ChangeKind::kInsert);
    changes_.insert(changes_.end(), src.changes_.begin() + begin, src.changes_.begin() + end);
  } else if (!changes_.empty()) {
    changes_.resize(changes_.size() + (end - begin), ChangeKind::kInsert);
  }
  event_times_.insert(event_times_.end(), src.event_times_.begin() + begin,
                      src.event_times_.begin() + end);
}

void Batch::AppendValues(std::span<const Value> values, EventTimeMs event_time, ChangeKind kind) {
  assert(values.size() == columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) columns_[c].AppendValue(values[c]);
  CommitRow(event_time, kind);
}

Batch Batch::Select(std::span<const uint32_t> rows) const {
  Batch out(schema_);
  out.Reserve(rows.size());
  for (uint32_t row : rows) out.AppendRow(*this, row);
  return out;
}

Batch Batch::Filter(std::span<const uint8_t> keep) const {
  Batch out(schema_);
  // Copy runs of kept rows at once: filters usually keep or drop long stretches.
  size_t row = 0;
  const size_t n = num_rows();
  while (row < n) {
    while (row < n && !keep[row]) ++row;
    size_t end = row;
    while (end < n && keep[end]) ++end;
    if (end > row) out.AppendRange(*this, row, end);
    row = end;
  }
  return out;
}

std::vector<Value> Batch::RowValues(size_t row) const {
  std::vector<Value> values;
  values.reserve(columns_.size());
  for (const Column& c : columns_) values.push_back(c.ValueAt(row));
  return values;
}

void Batch::Reserve(size_t rows) {
  for (Column& c : columns_) c.Reserve(rows);
  event_times_.reserve(rows);
}

void Batch::Clear() {
  for (Column& c : columns_) c.Clear();
  event_times_.clear();
  changes_.clear();
}

std::string Batch::ToString() const {
  std::string out;
  for (size_t r = 0; r < num_rows(); ++r) {
    out += "[t=" + std::to_string(event_times_[r]) + " " + std::string(ChangeKindName(change(r))) +
           "] ";
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c) out += ", ";
      out += columns_[c].ValueAt(r).ToString();
    }
    out += '\n';
  }
  return out;
}

}  // namespace eddy::engine
