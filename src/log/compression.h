#pragma once
// The compression codecs of Kafka record batches, in the framing Kafka clients use:
// gzip (RFC 1952), snappy (the xerial block framing Java clients write; plain raw
// snappy is also accepted on read), lz4 (the LZ4 frame format) and zstd (frames).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/log/record_batch_format.h"

namespace eddy::log {

/// The default bound on decompressed bytes: far above any batch Kafka clients send
/// (their max.request.size defaults to 1 MiB), far below what would hurt the process.
inline constexpr size_t kDefaultMaxDecompressedBytes = size_t{256} << 20;

/// Compresses "input" with "codec" (kNone copies), as Kafka's Java client does: gzip
/// at zlib's default level, xerial snappy with 32 KiB blocks, an lz4 frame of
/// independent 64 KiB blocks, zstd at level 3. Fails (InvalidArgument) for a codec
/// value outside the enum. Thread-safe; contexts are reused per thread.
Result<std::vector<uint8_t>> Compress(CompressionCodec codec, ByteSpan input);

/// Decompresses "input" into "*out" (replacing its content). Fails with Corruption
/// on malformed input, and with ResourceExhausted if the output would exceed
/// max_output_bytes (a guard against decompression bombs).
///
/// Thread-safe. Compressor and decompressor contexts are kept per thread and reused, so
/// calls after the first allocate nothing but their output. Concatenated gzip members,
/// lz4 frames and zstd frames decode as one stream. Never allocates more than
/// max_output_bytes + 1 bytes of output.
Status Decompress(CompressionCodec codec, ByteSpan input, std::vector<uint8_t>* out,
                  size_t max_output_bytes = kDefaultMaxDecompressedBytes);

/// Like Decompress, for readers that decompress batch after batch into one buffer:
/// the decompressed bytes are (*buffer)[0, returned size), and "*buffer" is only ever
/// grown, never shrunk, so a reused buffer is not zero-filled again. Bytes past the
/// returned size are left over from earlier calls.
Result<size_t> DecompressInto(CompressionCodec codec, ByteSpan input, std::vector<uint8_t>* buffer,
                              size_t max_output_bytes = kDefaultMaxDecompressedBytes);

/// "none", "gzip", "snappy", "lz4", "zstd" (Kafka's compression.type values), or
/// "unknown".
std::string_view CodecName(CompressionCodec codec);

}  // namespace eddy::log
