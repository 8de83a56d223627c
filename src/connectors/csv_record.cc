#include "src/connectors/csv_record.h"

#include <fmt/format.h>

namespace eddy::connectors {

bool FindCsvRecord(std::string_view data, bool at_end, const CsvFormat& format,
                   CsvRecordSpan* out) {
  // The quote is special only at the start of a field (as Python's csv reads it), so
  // the scan follows fields, not just quote parity.
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  State state = State::kFieldStart;
  int64_t breaks = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    switch (state) {
      case State::kQuoted:
        if (c == format.quote)
          state = State::kQuoteInQuoted;
        else if (c == '\n')
          ++breaks;
        continue;
      case State::kQuoteInQuoted:
        if (c == format.quote) {
          state = State::kQuoted;  // a doubled quote
          continue;
        }
        break;
      case State::kFieldStart:
        if (c == format.quote) {
          state = State::kQuoted;
          continue;
        }
        break;
      case State::kUnquoted:
        break;
    }
    if (c == '\n') {
      size_t length = i;
      if (length > 0 && data[length - 1] == '\r') --length;
      *out = CsvRecordSpan{length, i + 1, breaks};
      return true;
    }
    state = c == format.delimiter ? State::kFieldStart : State::kUnquoted;
  }
  if (!at_end || data.empty()) return false;
  size_t length = data.size();
  if (state != State::kQuoted && data[length - 1] == '\r') --length;
  *out = CsvRecordSpan{length, data.size(), breaks};
  return true;
}

Status SplitCsvRecord(char* text, size_t size, const CsvFormat& format,
                      std::vector<CsvField>& fields) {
  fields.clear();
  size_t i = 0;
  while (true) {
    if (i < size && text[i] == format.quote) {
      // Unquote in place: the write position trails the read position.
      size_t write = i;
      size_t read = i + 1;
      const size_t start = write;
      while (true) {
        if (read >= size) {
          return Status::InvalidArgument(
              fmt::format("field {}: quoted field is not closed", fields.size() + 1));
        }
        if (text[read] == format.quote) {
          if (read + 1 < size && text[read + 1] == format.quote) {
            text[write++] = format.quote;
            read += 2;
            continue;
          }
          ++read;
          break;
        }
        text[write++] = text[read++];
      }
      fields.push_back(CsvField{start, write - start, true});
      if (read == size) break;
      if (text[read] != format.delimiter) {
        return Status::InvalidArgument(fmt::format(
            "field {}: unexpected '{}' after the closing quote", fields.size(), text[read]));
      }
      i = read + 1;
      continue;
    }
    size_t end = i;
    while (end < size && text[end] != format.delimiter) ++end;
    fields.push_back(CsvField{i, end - i, false});
    if (end == size) break;
    i = end + 1;
  }
  return Status::OK();
}

}  // namespace eddy::connectors
