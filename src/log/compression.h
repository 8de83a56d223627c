#pragma once
// The compression codecs of Kafka record batches, in the framing Kafka clients use:
// gzip (RFC 1952), snappy (the xerial block framing Java clients write; plain raw
// snappy is also accepted on read), lz4 (the LZ4 frame format) and zstd (frames).

#include <cstdint>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/log/record_batch_format.h"

namespace eddy::log {

/// Compresses "input" with "codec" (kNone copies).
Result<std::vector<uint8_t>> Compress(CompressionCodec codec, ByteSpan input);

/// Decompresses "input" into "*out" (replacing its content). Fails with Corruption
/// on malformed input, and with ResourceExhausted if the output would exceed
/// max_output_bytes (a guard against decompression bombs).
Status Decompress(CompressionCodec codec, ByteSpan input, std::vector<uint8_t>* out,
                  size_t max_output_bytes = 256u << 20);

std::string_view CodecName(CompressionCodec codec);

}  // namespace eddy::log
