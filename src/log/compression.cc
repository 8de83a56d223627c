#include "src/log/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <string>

namespace eddy::log {
namespace {

// zlib: level 6 as Kafka's GZIPOutputStream; 15 window bits, +16 for the gzip wrapper.
constexpr int kGzipLevel = Z_DEFAULT_COMPRESSION;
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kZstdLevel = 3;

// xerial's snappy-java stream header: a marker byte, "SNAPPY\0", then big-endian int32
// version and compatible version (both 1).
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;
constexpr int32_t kXerialVersion = 1;
// snappy-java's default block size, which Kafka's Java client uses.
constexpr size_t kXerialBlockSize = 32 * 1024;
// A snappy copy op of 3 bytes yields at most 64 bytes; a claimed length beyond this
// many bytes per input byte is corrupt (checked before allocating for it).
constexpr size_t kSnappyMaxExpansion = 32;

// zstd frames of the usual levels declare windows up to 8 MiB (2^23); larger windows are
// accepted only when the output bound is large enough to need them.
constexpr int kZstdMinWindowLogMax = 23;
constexpr int kZstdMaxWindowLogMax = 27;  // zstd's own default limit: 128 MiB

Status TooLarge(CompressionCodec codec, size_t max_output_bytes) {
  return Status::ResourceExhausted(std::string(CodecName(codec)) +
                                   ": decompressed data exceeds the bound of " +
                                   std::to_string(max_output_bytes) + " bytes");
}

Status Malformed(CompressionCodec codec, std::string_view what) {
  return Status::Corruption(std::string(CodecName(codec)) + ": " + std::string(what));
}

// resize() alone may over-allocate up to twice the size; reserving first keeps the
// capacity at the size asked for, so the output bound also bounds the allocation.
void ResizeExactly(std::vector<uint8_t>* buffer, size_t size) {
  buffer->reserve(size);
  buffer->resize(size);
}

// The output of a streaming decoder: a buffer that grows geometrically up to one byte
// past the caller's bound (so that reaching that byte proves the bound is exceeded).
// Never shrinks the buffer: a reused buffer keeps its size and is not zero-filled again.
class GrowingOutput {
 public:
  GrowingOutput(std::vector<uint8_t>* buffer, size_t max_output_bytes, size_t first_size)
      : buffer_(buffer),
        limit_(max_output_bytes == SIZE_MAX ? SIZE_MAX : max_output_bytes + 1),
        first_size_(std::max<size_t>(first_size, 1)) {}

  // Makes room for at least one more byte; false when the limit is reached.
  bool EnsureRoom() {
    if (produced_ < std::min(buffer_->size(), limit_)) return true;
    if (buffer_->size() >= limit_) return false;
    size_t grown =
        std::max(first_size_, buffer_->size() <= SIZE_MAX / 2 ? buffer_->size() * 2 : SIZE_MAX);
    ResizeExactly(buffer_, std::min(grown, limit_));
    return true;
  }
  uint8_t* cursor() { return buffer_->data() + produced_; }
  size_t room() const { return std::min(buffer_->size(), limit_) - produced_; }
  void Advance(size_t n) { produced_ += n; }
  size_t produced() const { return produced_; }
  bool exceeded() const { return produced_ == limit_ && limit_ != SIZE_MAX; }

 private:
  std::vector<uint8_t>* buffer_;
  size_t limit_;
  size_t first_size_;
  size_t produced_ = 0;
};

// A first output size from a size the input declares (untrusted) or a guess from the
// input size. Capped relative to the input so that a few bytes claiming gigabytes do not
// make us allocate (and zero) gigabytes before the decoder finds they lie; output past
// the cap costs a few doublings.
size_t FirstOutputSize(size_t input_size, size_t declared) {
  size_t cap = input_size <= SIZE_MAX / 64 ? input_size * 64 + 65536 : SIZE_MAX;
  size_t guess = declared != 0 ? declared : (input_size <= SIZE_MAX / 4 ? input_size * 4 : 0);
  return std::clamp<size_t>(guess, 4096, std::max<size_t>(cap, 4096));
}

// Grows "*buffer" to at least "size" bytes (never shrinking it), doubling up to "limit" so
// that a run of small growths stays linear.
void GrowTo(std::vector<uint8_t>* buffer, size_t size, size_t limit) {
  if (buffer->size() >= size) return;
  size_t doubled = buffer->size() <= SIZE_MAX / 2 ? buffer->size() * 2 : SIZE_MAX;
  ResizeExactly(buffer, std::max(size, std::min(doubled, limit)));
}

// ---- gzip ----------------------------------------------------------------------------

// zlib streams kept per thread: deflateInit/inflateInit allocate (about 256 KiB for
// deflate), deflateReset/inflateReset do not.
class ZlibStream {
 public:
  explicit ZlibStream(bool deflating) : deflating_(deflating) {}
  ~ZlibStream() {
    if (!ready_) return;
    if (deflating_) {
      deflateEnd(&zs_);
    } else {
      inflateEnd(&zs_);
    }
  }
  ZlibStream(const ZlibStream&) = delete;
  ZlibStream& operator=(const ZlibStream&) = delete;

  // The stream, reset for a new use; null if zlib could not allocate its state.
  z_stream* Get() {
    if (!ready_) {
      std::memset(&zs_, 0, sizeof(zs_));
      int rc = deflating_ ? deflateInit2(&zs_, kGzipLevel, Z_DEFLATED, kGzipWindowBits, 8,
                                         Z_DEFAULT_STRATEGY)
                          : inflateInit2(&zs_, kGzipWindowBits);
      if (rc != Z_OK) return nullptr;
      ready_ = true;
    } else if ((deflating_ ? deflateReset(&zs_) : inflateReset(&zs_)) != Z_OK) {
      return nullptr;
    }
    return &zs_;
  }

 private:
  bool deflating_;
  bool ready_ = false;
  z_stream zs_;
};

// zlib counts in uInt (32 bits): feed larger spans in pieces.
uInt ZlibChunk(size_t n) { return static_cast<uInt>(std::min<size_t>(n, UINT_MAX)); }

Result<std::vector<uint8_t>> GzipCompress(ByteSpan input) {
  thread_local ZlibStream deflater(/*deflating=*/true);
  z_stream* zs = deflater.Get();
  if (zs == nullptr) return Status::Internal("gzip: cannot initialise zlib's deflate");
  std::vector<uint8_t> out(deflateBound(zs, input.size()));
  size_t in_pos = 0;
  size_t out_pos = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs->next_in = const_cast<Bytef*>(input.data() + in_pos);
    zs->avail_in = ZlibChunk(input.size() - in_pos);
    zs->next_out = out.data() + out_pos;
    zs->avail_out = ZlibChunk(out.size() - out_pos);
    uInt in_before = zs->avail_in;
    uInt out_before = zs->avail_out;
    bool last = zs->avail_in == input.size() - in_pos;
    rc = deflate(zs, last ? Z_FINISH : Z_NO_FLUSH);
    in_pos += in_before - zs->avail_in;
    out_pos += out_before - zs->avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return Status::Internal("gzip: deflate failed with code " + std::to_string(rc));
    }
    if (rc != Z_STREAM_END && out_pos == out.size()) out.resize(out.size() * 2);
  }
  out.resize(out_pos);
  return out;
}

Result<size_t> GzipDecompress(ByteSpan input, std::vector<uint8_t>* buffer,
                              size_t max_output_bytes) {
  thread_local ZlibStream inflater(/*deflating=*/false);
  z_stream* zs = inflater.Get();
  if (zs == nullptr) return Status::Internal("gzip: cannot initialise zlib's inflate");
  // The gzip trailer holds the last member's size mod 2^32: a good first guess.
  size_t declared = input.size() >= 18
                        ? static_cast<uint32_t>(input[input.size() - 4]) |
                              (static_cast<uint32_t>(input[input.size() - 3]) << 8) |
                              (static_cast<uint32_t>(input[input.size() - 2]) << 16) |
                              (static_cast<uint32_t>(input[input.size() - 1]) << 24)
                        : 0;
  GrowingOutput out(buffer, max_output_bytes, FirstOutputSize(input.size(), declared));
  size_t in_pos = 0;
  int members = 0;
  for (;;) {
    if (!out.EnsureRoom()) return TooLarge(CompressionCodec::kGzip, max_output_bytes);
    zs->next_in = const_cast<Bytef*>(input.data() + in_pos);
    zs->avail_in = ZlibChunk(input.size() - in_pos);
    zs->next_out = out.cursor();
    zs->avail_out = ZlibChunk(out.room());
    uInt in_before = zs->avail_in;
    uInt out_before = zs->avail_out;
    int rc = inflate(zs, Z_NO_FLUSH);
    in_pos += in_before - zs->avail_in;
    out.Advance(out_before - zs->avail_out);
    if (out.exceeded()) return TooLarge(CompressionCodec::kGzip, max_output_bytes);
    switch (rc) {
      case Z_STREAM_END:
        ++members;
        if (in_pos == input.size()) return out.produced();
        // Another member follows (gzip files may be concatenated).
        if (inflateReset(zs) != Z_OK) return Status::Internal("gzip: inflateReset failed");
        break;
      case Z_OK:
        break;
      case Z_BUF_ERROR:
        // No progress possible: either the output is full (grow it) or the input ended.
        if (zs->avail_out != 0 && in_pos == input.size()) {
          return Malformed(CompressionCodec::kGzip,
                           "stream truncated in member " + std::to_string(members + 1) + " after " +
                               std::to_string(input.size()) + " input bytes");
        }
        break;
      default:
        return Malformed(CompressionCodec::kGzip,
                         std::string(zs->msg != nullptr ? zs->msg : "inflate failed") +
                             " in member " + std::to_string(members + 1) + " at input byte " +
                             std::to_string(in_pos));
    }
  }
}

// ---- snappy (xerial framing) -----------------------------------------------------------

Result<std::vector<uint8_t>> SnappyCompress(ByteSpan input) {
  size_t blocks = std::max<size_t>(1, (input.size() + kXerialBlockSize - 1) / kXerialBlockSize);
  std::vector<uint8_t> out(kXerialHeaderSize +
                           blocks * (4 + snappy::MaxCompressedLength(kXerialBlockSize)));
  std::memcpy(out.data(), kXerialMagic, sizeof(kXerialMagic));
  StoreI32(out.data() + 8, kXerialVersion);
  StoreI32(out.data() + 12, kXerialVersion);
  size_t out_pos = kXerialHeaderSize;
  size_t in_pos = 0;
  // Always at least one block, so that an empty input is more than a bare header
  // (kafka-python only recognises the framing when there are bytes after it).
  do {
    size_t n = std::min(kXerialBlockSize, input.size() - in_pos);
    size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data() + in_pos), n,
                        reinterpret_cast<char*>(out.data() + out_pos + 4), &written);
    StoreI32(out.data() + out_pos, static_cast<int32_t>(written));
    out_pos += 4 + written;
    in_pos += n;
  } while (in_pos < input.size());
  out.resize(out_pos);
  return out;
}

// Where a snappy block sits, for error messages (built only when there is an error).
struct SnappyBlockPlace {
  int index = 0;  // 0: the whole input is one raw block
  size_t pos = 0;

  std::string Describe() const {
    if (index == 0) return "raw block";
    return "block " + std::to_string(index) + " at byte " + std::to_string(pos);
  }
};

// Decodes one raw snappy block into (*buffer)[*produced, ...), growing the buffer.
Status SnappyBlock(ByteSpan block, std::vector<uint8_t>* buffer, size_t* produced,
                   size_t max_output_bytes, const SnappyBlockPlace& place) {
  const char* src = reinterpret_cast<const char*>(block.data());
  size_t length = 0;
  if (!snappy::GetUncompressedLength(src, block.size(), &length)) {
    return Malformed(CompressionCodec::kSnappy,
                     place.Describe() + " has no valid uncompressed length");
  }
  if (length > max_output_bytes || *produced > max_output_bytes - length) {
    return TooLarge(CompressionCodec::kSnappy, max_output_bytes);
  }
  if (length / kSnappyMaxExpansion > block.size()) {
    return Malformed(CompressionCodec::kSnappy,
                     place.Describe() + " claims " + std::to_string(length) + " bytes, more than " +
                         std::to_string(block.size()) + " compressed bytes can hold");
  }
  GrowTo(buffer, *produced + length, max_output_bytes);
  if (!snappy::RawUncompress(src, block.size(),
                             reinterpret_cast<char*>(buffer->data() + *produced))) {
    return Malformed(CompressionCodec::kSnappy, place.Describe() + " is malformed");
  }
  *produced += length;
  return Status::OK();
}

bool HasXerialMagic(ByteSpan input, size_t pos) {
  return input.size() - pos >= sizeof(kXerialMagic) &&
         std::memcmp(input.data() + pos, kXerialMagic, sizeof(kXerialMagic)) == 0;
}

Result<size_t> SnappyDecompress(ByteSpan input, std::vector<uint8_t>* buffer,
                                size_t max_output_bytes) {
  size_t produced = 0;
  if (!HasXerialMagic(input, 0)) {
    // Plain raw snappy, as some non-Java clients write.
    RETURN_IF_ERROR(SnappyBlock(input, buffer, &produced, max_output_bytes, {}));
    return produced;
  }
  size_t pos = 0;
  SnappyBlockPlace place;
  while (pos < input.size()) {
    // snappy-java reads concatenated streams: a header may appear where a block length
    // would (the two cannot be confused: the header's first byte makes a negative length).
    if (HasXerialMagic(input, pos)) {
      if (input.size() - pos < kXerialHeaderSize) {
        return Malformed(CompressionCodec::kSnappy,
                         "xerial header truncated at byte " + std::to_string(pos) + ": " +
                             std::to_string(input.size() - pos) + " of 16 bytes");
      }
      pos += kXerialHeaderSize;
      continue;
    }
    ++place.index;
    place.pos = pos;
    if (input.size() - pos < 4) {
      return Malformed(CompressionCodec::kSnappy, place.Describe() +
                                                      " truncated: length needs 4 bytes, " +
                                                      std::to_string(input.size() - pos) + " left");
    }
    int32_t length = LoadI32(input.data() + pos);
    pos += 4;
    if (length < 0 || static_cast<size_t>(length) > input.size() - pos) {
      return Malformed(CompressionCodec::kSnappy,
                       place.Describe() + " has length " + std::to_string(length) + " but " +
                           std::to_string(input.size() - pos) + " bytes are left");
    }
    RETURN_IF_ERROR(SnappyBlock(input.subspan(pos, static_cast<size_t>(length)), buffer, &produced,
                                max_output_bytes, place));
    pos += static_cast<size_t>(length);
  }
  return produced;
}

// ---- lz4 (frame format) ---------------------------------------------------------------

Result<std::vector<uint8_t>> Lz4Compress(ByteSpan input) {
  // What Kafka's Java client writes: independent 64 KiB blocks, no content size, no
  // content checksum. LZ4F_compressFrame keeps its state on the stack at this level.
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  std::vector<uint8_t> out(LZ4F_compressFrameBound(input.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) {
    return Status::Internal(std::string("lz4: compression failed: ") + LZ4F_getErrorName(n));
  }
  out.resize(n);
  return out;
}

class Lz4Decoder {
 public:
  Lz4Decoder() = default;
  ~Lz4Decoder() {
    if (ctx_ != nullptr) LZ4F_freeDecompressionContext(ctx_);
  }
  Lz4Decoder(const Lz4Decoder&) = delete;
  Lz4Decoder& operator=(const Lz4Decoder&) = delete;

  LZ4F_dctx* Get() {
    if (ctx_ == nullptr) {
      if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION))) {
        ctx_ = nullptr;
        return nullptr;
      }
    } else {
      // A previous call may have stopped mid-frame (an error, the size bound).
      LZ4F_resetDecompressionContext(ctx_);
    }
    return ctx_;
  }

 private:
  LZ4F_dctx* ctx_ = nullptr;
};

Result<size_t> Lz4Decompress(ByteSpan input, std::vector<uint8_t>* buffer,
                             size_t max_output_bytes) {
  thread_local Lz4Decoder decoder;
  LZ4F_dctx* ctx = decoder.Get();
  if (ctx == nullptr) return Status::Internal("lz4: cannot create a decompression context");
  GrowingOutput out(buffer, max_output_bytes, FirstOutputSize(input.size(), 0));
  size_t in_pos = 0;
  int frames = 0;
  for (;;) {
    if (!out.EnsureRoom()) return TooLarge(CompressionCodec::kLz4, max_output_bytes);
    size_t room = out.room();
    size_t dst_size = room;
    size_t src_size = input.size() - in_pos;
    size_t hint =
        LZ4F_decompress(ctx, out.cursor(), &dst_size, input.data() + in_pos, &src_size, nullptr);
    in_pos += src_size;
    out.Advance(dst_size);
    if (LZ4F_isError(hint)) {
      return Malformed(CompressionCodec::kLz4, std::string(LZ4F_getErrorName(hint)) + " in frame " +
                                                   std::to_string(frames + 1) +
                                                   " near input byte " + std::to_string(in_pos));
    }
    if (out.exceeded()) return TooLarge(CompressionCodec::kLz4, max_output_bytes);
    if (hint == 0) {
      // A frame ended; the context is ready for another one.
      ++frames;
      if (in_pos == input.size()) return out.produced();
      continue;
    }
    if (in_pos == input.size() && dst_size < room) {
      return Malformed(CompressionCodec::kLz4, "frame " + std::to_string(frames + 1) +
                                                   " truncated after " +
                                                   std::to_string(input.size()) + " input bytes");
    }
    if (src_size == 0 && dst_size == 0) {
      return Malformed(CompressionCodec::kLz4,
                       "decoder made no progress at input byte " + std::to_string(in_pos));
    }
  }
}

// ---- zstd -------------------------------------------------------------------------------

class ZstdContexts {
 public:
  ZstdContexts() = default;
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx_);
    ZSTD_freeDCtx(dctx_);
  }
  ZstdContexts(const ZstdContexts&) = delete;
  ZstdContexts& operator=(const ZstdContexts&) = delete;

  ZSTD_CCtx* cctx() {
    if (cctx_ == nullptr) cctx_ = ZSTD_createCCtx();
    return cctx_;
  }
  ZSTD_DCtx* dctx() {
    if (dctx_ == nullptr) dctx_ = ZSTD_createDCtx();
    return dctx_;
  }

 private:
  ZSTD_CCtx* cctx_ = nullptr;
  ZSTD_DCtx* dctx_ = nullptr;
};

thread_local ZstdContexts zstd_contexts;

Result<std::vector<uint8_t>> ZstdCompress(ByteSpan input) {
  ZSTD_CCtx* cctx = zstd_contexts.cctx();
  if (cctx == nullptr) return Status::Internal("zstd: cannot create a compression context");
  std::vector<uint8_t> out(ZSTD_compressBound(input.size()));
  size_t n =
      ZSTD_compressCCtx(cctx, out.data(), out.size(), input.data(), input.size(), kZstdLevel);
  if (ZSTD_isError(n)) {
    return Status::Internal(std::string("zstd: compression failed: ") + ZSTD_getErrorName(n));
  }
  out.resize(n);
  return out;
}

Result<size_t> ZstdDecompress(ByteSpan input, std::vector<uint8_t>* buffer,
                              size_t max_output_bytes) {
  ZSTD_DCtx* dctx = zstd_contexts.dctx();
  if (dctx == nullptr) return Status::Internal("zstd: cannot create a decompression context");
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
  // Bound the window the decoder allocates: a frame may declare 128 MiB of window in a
  // few bytes.
  int window_log = std::bit_width(max_output_bytes);
  window_log = std::clamp(window_log, kZstdMinWindowLogMax, kZstdMaxWindowLogMax);
  ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log);

  unsigned long long declared = ZSTD_getFrameContentSize(input.data(), input.size());
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR) declared = 0;
  if (declared > max_output_bytes) return TooLarge(CompressionCodec::kZstd, max_output_bytes);
  GrowingOutput out(buffer, max_output_bytes,
                    FirstOutputSize(input.size(), static_cast<size_t>(declared)));
  ZSTD_inBuffer in = {input.data(), input.size(), 0};
  for (;;) {
    if (!out.EnsureRoom()) return TooLarge(CompressionCodec::kZstd, max_output_bytes);
    size_t room = out.room();
    ZSTD_outBuffer zout = {out.cursor(), room, 0};
    size_t in_before = in.pos;
    size_t rc = ZSTD_decompressStream(dctx, &zout, &in);
    out.Advance(zout.pos);
    if (ZSTD_isError(rc)) {
      return Malformed(CompressionCodec::kZstd, std::string(ZSTD_getErrorName(rc)) +
                                                    " near input byte " + std::to_string(in.pos));
    }
    if (out.exceeded()) return TooLarge(CompressionCodec::kZstd, max_output_bytes);
    // rc == 0: a frame is complete and flushed; more input may hold further frames.
    if (in.pos == in.size) {
      if (rc == 0) return out.produced();
      if (zout.pos < room) {
        return Malformed(CompressionCodec::kZstd,
                         "frame truncated after " + std::to_string(input.size()) + " input bytes");
      }
    } else if (in.pos == in_before && zout.pos == 0) {
      return Malformed(CompressionCodec::kZstd,
                       "decoder made no progress at input byte " + std::to_string(in.pos));
    }
  }
}

}  // namespace

std::string_view CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kNone:
      return "none";
    case CompressionCodec::kGzip:
      return "gzip";
    case CompressionCodec::kSnappy:
      return "snappy";
    case CompressionCodec::kLz4:
      return "lz4";
    case CompressionCodec::kZstd:
      return "zstd";
  }
  return "unknown";
}

Result<std::vector<uint8_t>> Compress(CompressionCodec codec, ByteSpan input) {
  switch (codec) {
    case CompressionCodec::kNone:
      return std::vector<uint8_t>(input.begin(), input.end());
    case CompressionCodec::kGzip:
      return GzipCompress(input);
    case CompressionCodec::kSnappy:
      return SnappyCompress(input);
    case CompressionCodec::kLz4:
      return Lz4Compress(input);
    case CompressionCodec::kZstd:
      return ZstdCompress(input);
  }
  return Status::InvalidArgument("unknown compression codec " +
                                 std::to_string(static_cast<int>(codec)));
}

Result<size_t> DecompressInto(CompressionCodec codec, ByteSpan input, std::vector<uint8_t>* buffer,
                              size_t max_output_bytes) {
  switch (codec) {
    case CompressionCodec::kNone:
      if (input.size() > max_output_bytes) return TooLarge(codec, max_output_bytes);
      GrowTo(buffer, input.size(), max_output_bytes);
      if (!input.empty()) std::memcpy(buffer->data(), input.data(), input.size());
      return input.size();
    case CompressionCodec::kGzip:
      return GzipDecompress(input, buffer, max_output_bytes);
    case CompressionCodec::kSnappy:
      return SnappyDecompress(input, buffer, max_output_bytes);
    case CompressionCodec::kLz4:
      return Lz4Decompress(input, buffer, max_output_bytes);
    case CompressionCodec::kZstd:
      return ZstdDecompress(input, buffer, max_output_bytes);
  }
  return Status::Corruption("unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

Status Decompress(CompressionCodec codec, ByteSpan input, std::vector<uint8_t>* out,
                  size_t max_output_bytes) {
  Result<size_t> size = DecompressInto(codec, input, out, max_output_bytes);
  if (!size.ok()) {
    out->clear();
    return size.status();
  }
  out->resize(*size);
  return Status::OK();
}

}  // namespace eddy::log
