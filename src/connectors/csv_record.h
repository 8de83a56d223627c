#pragma once
// CSV records (RFC 4180): finding where one ends in a buffer and splitting it into
// fields. Used by CsvFileSource; no allocation per record.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "src/base/status.h"

namespace eddy::connectors {

struct CsvFormat {
  char delimiter = ',';
  char quote = '"';
};

/// Where the record at the start of a buffer ends.
struct CsvRecordSpan {
  size_t length = 0;        // bytes of the record, without its line break (LF or CRLF)
  size_t consumed = 0;      // bytes to skip to the next record
  int64_t line_breaks = 0;  // line breaks inside quoted fields
};

/// Finds the record at the start of `data`: it ends at the first line break outside
/// quotes. Returns false when `data` holds no whole record yet; with `at_end` (no more
/// data will come) what is left is the last record, even without a line break.
bool FindCsvRecord(std::string_view data, bool at_end, const CsvFormat& format, CsvRecordSpan* out);

struct CsvField {
  size_t offset = 0;  // into the record text
  size_t size = 0;
  bool quoted = false;
};

/// Splits the record `text[0, size)` into `fields` (cleared first). Quoted fields are
/// unquoted in place (doubled quotes become one), so `text` is modified and each field
/// is text[offset, offset + size). A quote inside an unquoted field is taken literally.
/// Fails (InvalidArgument) on a quoted field that is not closed or is followed by
/// something other than a delimiter, naming the field's number (from 1).
Status SplitCsvRecord(char* text, size_t size, const CsvFormat& format,
                      std::vector<CsvField>& fields);

}  // namespace eddy::connectors
