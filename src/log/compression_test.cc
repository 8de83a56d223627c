#include "src/log/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zstd.h>

#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace eddy::log {
namespace {

constexpr CompressionCodec kAllCodecs[] = {CompressionCodec::kNone, CompressionCodec::kGzip,
                                           CompressionCodec::kSnappy, CompressionCodec::kLz4,
                                           CompressionCodec::kZstd};
constexpr CompressionCodec kRealCodecs[] = {CompressionCodec::kGzip, CompressionCodec::kSnappy,
                                            CompressionCodec::kLz4, CompressionCodec::kZstd};

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Text-like data: compresses well, but is not one repeated byte.
std::vector<uint8_t> Compressible(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  static constexpr std::string_view kWords[] = {"sensor",    "temperature", "42.5",       "click",
                                                "user-1234", "{\"id\":",    "page=/home", "\n"};
  std::vector<uint8_t> out;
  out.reserve(n);
  while (out.size() < n) {
    std::string_view w = kWords[rng() % std::size(kWords)];
    for (char c : w) {
      if (out.size() == n) break;
      out.push_back(static_cast<uint8_t>(c));
    }
  }
  return out;
}

std::vector<uint8_t> Random(size_t n, uint32_t seed = 2) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

std::vector<uint8_t> MustCompress(CompressionCodec codec, ByteSpan input) {
  Result<std::vector<uint8_t>> out = Compress(codec, input);
  EXPECT_TRUE(out.ok()) << CodecName(codec) << ": " << out.status().ToString();
  return out.ok() ? std::move(out).value() : std::vector<uint8_t>{};
}

std::vector<uint8_t> Concat(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<uint8_t> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Every codec, kNone included.
class CodecTest : public ::testing::TestWithParam<CompressionCodec> {};
// The codecs that actually compress.
class CompressingCodecTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(CodecTest, RoundTripsEmptySmallLargeAndIncompressibleInputs) {
  CompressionCodec codec = GetParam();
  const std::vector<std::vector<uint8_t>> inputs = {{},
                                                    Bytes("x"),
                                                    Bytes("hello, eddy"),
                                                    Compressible(1000),
                                                    Compressible(5 << 20),
                                                    Random(200 * 1024)};
  for (const auto& input : inputs) {
    std::vector<uint8_t> compressed = MustCompress(codec, input);
    std::vector<uint8_t> out = Bytes("previous content");
    Status s = Decompress(codec, compressed, &out);
    ASSERT_TRUE(s.ok()) << CodecName(codec) << " size " << input.size() << ": " << s.ToString();
    EXPECT_EQ(out, input) << CodecName(codec) << " size " << input.size();
  }
}

TEST_P(CompressingCodecTest, CompressesTextToLessThanItsSize) {
  CompressionCodec codec = GetParam();
  std::vector<uint8_t> input = Compressible(1 << 20);
  EXPECT_LT(MustCompress(codec, input).size(), input.size() / 2);
}

TEST_P(CodecTest, EveryTruncationFailsOrYieldsAPrefixWithoutCrashing) {
  CompressionCodec codec = GetParam();
  std::vector<uint8_t> input = Compressible(40 * 1024, 7);  // two xerial blocks
  std::vector<uint8_t> compressed = MustCompress(codec, input);
  int errors = 0;
  std::vector<uint8_t> out;
  // Every cut of the compressed forms; for kNone (any cut is valid) a sample.
  size_t step = codec == CompressionCodec::kNone ? 101 : 1;
  for (size_t cut = 0; cut < compressed.size(); cut += step) {
    Status s = Decompress(codec, ByteSpan(compressed).first(cut), &out);
    if (s.ok()) {
      // Only framings with independent blocks and no end marker can stop at a block
      // boundary (xerial snappy) or, for kNone, anywhere; what they yield is a prefix.
      ASSERT_TRUE(codec == CompressionCodec::kNone || codec == CompressionCodec::kSnappy)
          << CodecName(codec) << " accepted a cut at " << cut << " of " << compressed.size();
      ASSERT_LE(out.size(), input.size());
      ASSERT_TRUE(std::equal(out.begin(), out.end(), input.begin()));
    } else {
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
      ++errors;
    }
  }
  if (codec != CompressionCodec::kNone) {
    EXPECT_GT(errors, 0);
  }
}

TEST_P(CompressingCodecTest, CorruptedBytesNeverCrashAndAreMostlyDetected) {
  CompressionCodec codec = GetParam();
  std::vector<uint8_t> input = Compressible(20 * 1024, 9);
  std::vector<uint8_t> compressed = MustCompress(codec, input);
  std::mt19937 rng(42);
  int detected = 0;
  int changed = 0;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < compressed.size(); ++i) {
    std::vector<uint8_t> bad = compressed;
    bad[i] ^= static_cast<uint8_t>(1 + rng() % 255);
    Status s = Decompress(codec, bad, &out, 1 << 20);
    if (!s.ok()) {
      ++detected;
    } else if (out != input) {
      ++changed;  // codecs without a checksum (snappy, lz4 and zstd as Kafka uses them)
    }
  }
  // Headers, lengths and the gzip CRC catch a good share; the rest must at least not crash.
  EXPECT_GT(detected, 0) << CodecName(codec);
  if (codec == CompressionCodec::kGzip) {
    EXPECT_EQ(changed, 0) << "gzip's CRC-32 missed a flip";
  }
}

TEST_P(CompressingCodecTest, GarbageInputFails) {
  CompressionCodec codec = GetParam();
  std::vector<uint8_t> out;
  for (uint32_t seed = 0; seed < 50; ++seed) {
    std::vector<uint8_t> garbage = Random(1 + seed * 37, seed);
    Status s = Decompress(codec, garbage, &out, 1 << 20);
    if (codec != CompressionCodec::kSnappy) {
      // gzip, lz4 and zstd all start with a magic number.
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << "seed " << seed << ": " << s.ToString();
    }
  }
  EXPECT_EQ(Decompress(codec, {}, &out).code(), StatusCode::kCorruption);
}

TEST_P(CodecTest, OutputBeyondTheBoundIsResourceExhausted) {
  CompressionCodec codec = GetParam();
  std::vector<uint8_t> input(3 << 20, 0);  // 3 MiB of zeros: a small bomb
  std::vector<uint8_t> compressed = MustCompress(codec, input);
  std::vector<uint8_t> out;
  Status s = Decompress(codec, compressed, &out, 1 << 20);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << CodecName(codec) << ": " << s.ToString();
  EXPECT_TRUE(out.empty());
  EXPECT_LE(out.capacity(), (size_t{1} << 20) + 1) << "allocated past the bound";

  // Exactly at the bound is fine; one byte below is not.
  EXPECT_TRUE(Decompress(codec, compressed, &out, input.size()).ok()) << CodecName(codec);
  EXPECT_EQ(out.size(), input.size());
  EXPECT_EQ(Decompress(codec, compressed, &out, input.size() - 1).code(),
            StatusCode::kResourceExhausted);
}

TEST_P(CodecTest, DecompressIntoReusesItsBuffer) {
  CompressionCodec codec = GetParam();
  std::vector<uint8_t> a = Compressible(300 * 1024, 1);
  std::vector<uint8_t> b = Compressible(200 * 1024, 2);
  std::vector<uint8_t> ca = MustCompress(codec, a);
  std::vector<uint8_t> cb = MustCompress(codec, b);
  std::vector<uint8_t> buffer;
  Result<size_t> n = DecompressInto(codec, ca, &buffer);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, a.size());
  EXPECT_TRUE(std::equal(a.begin(), a.end(), buffer.begin()));
  const uint8_t* data = buffer.data();
  size_t size = buffer.size();
  for (int i = 0; i < 3; ++i) {
    n = DecompressInto(codec, cb, &buffer);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_EQ(*n, b.size());
    EXPECT_TRUE(std::equal(b.begin(), b.end(), buffer.begin()));
    EXPECT_EQ(buffer.data(), data) << "the buffer was reallocated";
    EXPECT_EQ(buffer.size(), size) << "the buffer was shrunk";
  }
}

TEST_P(CodecTest, ConcatenatedStreamsDecodeAsOne) {
  CompressionCodec codec = GetParam();
  std::vector<uint8_t> a = Compressible(70 * 1024, 3);
  std::vector<uint8_t> b = Compressible(10 * 1024, 4);
  std::vector<uint8_t> out;
  ASSERT_TRUE(Decompress(codec, Concat(MustCompress(codec, a), MustCompress(codec, b)), &out).ok());
  EXPECT_EQ(out, Concat(a, b));
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest, ::testing::ValuesIn(kAllCodecs),
                         [](const auto& info) { return std::string(CodecName(info.param)); });
INSTANTIATE_TEST_SUITE_P(RealCodecs, CompressingCodecTest, ::testing::ValuesIn(kRealCodecs),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(CompressionTest, CodecNamesAreKafkasCompressionTypes) {
  EXPECT_EQ(CodecName(CompressionCodec::kNone), "none");
  EXPECT_EQ(CodecName(CompressionCodec::kGzip), "gzip");
  EXPECT_EQ(CodecName(CompressionCodec::kSnappy), "snappy");
  EXPECT_EQ(CodecName(CompressionCodec::kLz4), "lz4");
  EXPECT_EQ(CodecName(CompressionCodec::kZstd), "zstd");
  EXPECT_EQ(CodecName(static_cast<CompressionCodec>(6)), "unknown");
}

TEST(CompressionTest, UnknownCodecIsRejected) {
  auto codec = static_cast<CompressionCodec>(5);
  EXPECT_EQ(Compress(codec, Bytes("abc")).status().code(), StatusCode::kInvalidArgument);
  std::vector<uint8_t> out;
  EXPECT_EQ(Decompress(codec, Bytes("abc"), &out).code(), StatusCode::kCorruption);
}

TEST(CompressionTest, GzipWritesTheGzipWrapper) {
  std::vector<uint8_t> c = MustCompress(CompressionCodec::kGzip, Compressible(1000));
  ASSERT_GE(c.size(), 18u);
  EXPECT_EQ(c[0], 0x1f);
  EXPECT_EQ(c[1], 0x8b);
  EXPECT_EQ(c[2], 8);  // deflate
  // The trailer ends with the input size mod 2^32, little-endian.
  EXPECT_EQ(LoadI32(c.data() + c.size() - 4), static_cast<int32_t>(0xe8030000));
}

TEST(CompressionTest, GzipRejectsTrailingGarbageAfterAMember) {
  std::vector<uint8_t> c = MustCompress(CompressionCodec::kGzip, Compressible(1000));
  c.push_back(0x42);
  std::vector<uint8_t> out;
  EXPECT_EQ(Decompress(CompressionCodec::kGzip, c, &out).code(), StatusCode::kCorruption);
}

TEST(CompressionTest, SnappyWritesXerialFramingWith32KiBBlocks) {
  std::vector<uint8_t> input = Compressible(100 * 1024);
  std::vector<uint8_t> c = MustCompress(CompressionCodec::kSnappy, input);
  const uint8_t magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
  ASSERT_GE(c.size(), 16u);
  EXPECT_EQ(std::memcmp(c.data(), magic, 8), 0);
  EXPECT_EQ(LoadI32(c.data() + 8), 1);   // version
  EXPECT_EQ(LoadI32(c.data() + 12), 1);  // compatible version
  size_t pos = 16;
  size_t total = 0;
  int blocks = 0;
  while (pos < c.size()) {
    ASSERT_LE(pos + 4, c.size());
    auto length = static_cast<size_t>(LoadI32(c.data() + pos));
    pos += 4;
    ASSERT_LE(pos + length, c.size());
    size_t block_size = 0;
    ASSERT_TRUE(snappy::GetUncompressedLength(reinterpret_cast<const char*>(c.data() + pos), length,
                                              &block_size));
    EXPECT_LE(block_size, 32u * 1024);
    total += block_size;
    pos += length;
    ++blocks;
  }
  EXPECT_EQ(total, input.size());
  EXPECT_EQ(blocks, 4);  // 100 KiB in 32 KiB blocks
}

TEST(CompressionTest, SnappyReadsRawSnappyWithoutTheXerialMagic) {
  std::string input(reinterpret_cast<const char*>(Compressible(50000).data()), 50000);
  std::string raw;
  snappy::Compress(input.data(), input.size(), &raw);
  std::vector<uint8_t> out;
  ASSERT_TRUE(Decompress(CompressionCodec::kSnappy, AsBytes(raw), &out).ok());
  EXPECT_EQ(AsStringView(out), input);
}

TEST(CompressionTest, SnappyRejectsABlockLengthPastTheEnd) {
  std::vector<uint8_t> c = MustCompress(CompressionCodec::kSnappy, Compressible(1000));
  StoreI32(c.data() + 16, 0x7fffffff);
  std::vector<uint8_t> out;
  Status s = Decompress(CompressionCodec::kSnappy, c, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("block 1"), std::string::npos) << s.ToString();
}

TEST(CompressionTest, SnappyRejectsAnImplausibleUncompressedLengthBeforeAllocating) {
  // A raw snappy block of 6 bytes claiming 200 MB: fails before any buffer of that size.
  std::vector<uint8_t> raw = {0x80, 0xa8, 0xd6, 0x5f, 0x00, 0x00};
  std::vector<uint8_t> out;
  Status s = Decompress(CompressionCodec::kSnappy, raw, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_LT(out.capacity(), size_t{1} << 20);
}

TEST(CompressionTest, Lz4WritesIndependent64KiBBlocks) {
  // Over one block: lz4 marks a single-block frame independent whatever was asked.
  std::vector<uint8_t> c = MustCompress(CompressionCodec::kLz4, Compressible(300 * 1024));
  ASSERT_GE(c.size(), 7u);
  EXPECT_EQ(static_cast<uint32_t>(LoadI32(c.data())), 0x04224d18u);  // magic 0x184D2204, LE
  uint8_t flg = c[4];
  EXPECT_EQ(flg >> 6, 1) << "frame version";
  EXPECT_TRUE(flg & 0x20) << "blocks must be independent";
  EXPECT_EQ((c[5] >> 4) & 0x7, 4) << "64 KiB maximum block size";
}

TEST(CompressionTest, Lz4ReadsFramesWithContentChecksumAndSize) {
  std::vector<uint8_t> input = Compressible(300 * 1024);
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
  prefs.frameInfo.blockMode = LZ4F_blockLinked;
  prefs.frameInfo.blockSizeID = LZ4F_max256KB;
  prefs.frameInfo.contentSize = input.size();
  std::vector<uint8_t> c(LZ4F_compressFrameBound(input.size(), &prefs));
  size_t n = LZ4F_compressFrame(c.data(), c.size(), input.data(), input.size(), &prefs);
  ASSERT_FALSE(LZ4F_isError(n));
  c.resize(n);
  std::vector<uint8_t> out;
  ASSERT_TRUE(Decompress(CompressionCodec::kLz4, c, &out).ok());
  EXPECT_EQ(out, input);

  // The content checksum is checked when present.
  c[c.size() - 1] ^= 0xff;
  EXPECT_EQ(Decompress(CompressionCodec::kLz4, c, &out).code(), StatusCode::kCorruption);
}

TEST(CompressionTest, ZstdReadsFramesWithoutAContentSize) {
  std::vector<uint8_t> input = Compressible(500 * 1024);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::vector<uint8_t> c(ZSTD_compressBound(input.size()));
  ZSTD_outBuffer out_buf = {c.data(), c.size(), 0};
  ZSTD_inBuffer in_buf = {input.data(), input.size(), 0};
  // Streaming in two steps, as a writer that does not know its size up front: the frame
  // header gets no content size (ending on the first call would record one).
  size_t rc = ZSTD_compressStream2(cctx, &out_buf, &in_buf, ZSTD_e_continue);
  ASSERT_FALSE(ZSTD_isError(rc));
  ASSERT_EQ(in_buf.pos, in_buf.size);
  rc = ZSTD_compressStream2(cctx, &out_buf, &in_buf, ZSTD_e_end);
  ZSTD_freeCCtx(cctx);
  ASSERT_EQ(rc, 0u);
  c.resize(out_buf.pos);
  ASSERT_EQ(ZSTD_getFrameContentSize(c.data(), c.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  std::vector<uint8_t> out;
  ASSERT_TRUE(Decompress(CompressionCodec::kZstd, c, &out).ok());
  EXPECT_EQ(out, input);
  // Without a declared size the bound is found while decoding, to the byte.
  EXPECT_TRUE(Decompress(CompressionCodec::kZstd, c, &out, input.size()).ok());
  EXPECT_EQ(Decompress(CompressionCodec::kZstd, c, &out, input.size() - 1).code(),
            StatusCode::kResourceExhausted);
}

TEST(CompressionTest, ZstdRejectsAContentSizeAboveTheBoundUpFront) {
  std::vector<uint8_t> c = MustCompress(CompressionCodec::kZstd, std::vector<uint8_t>(4096, 1));
  std::vector<uint8_t> out;
  EXPECT_EQ(Decompress(CompressionCodec::kZstd, c, &out, 4095).code(),
            StatusCode::kResourceExhausted);
  EXPECT_LT(out.capacity(), 4096u);
}

TEST(CompressionTest, CodecsWorkFromManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 20; ++i) {
        CompressionCodec codec = kRealCodecs[(t + i) % 4];
        std::vector<uint8_t> input = Compressible(10000 + 1000 * i, t * 100 + i);
        Result<std::vector<uint8_t>> c = Compress(codec, input);
        std::vector<uint8_t> out;
        if (!c.ok() || !Decompress(codec, *c, &out).ok() || out != input) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace eddy::log
