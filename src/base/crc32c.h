#pragma once
// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic v2) and of
// eddy's own files. Computed with ISA-L's hardware-accelerated routine.

#include <cstddef>
#include <cstdint>

#include "src/base/bytes.h"

namespace eddy {

/// CRC-32C of data, continuing from "crc" (0 for a fresh checksum).
uint32_t Crc32c(ByteSpan data, uint32_t crc = 0);

}  // namespace eddy
