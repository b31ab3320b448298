// The streaming decoder: resync after garbage, bad CRCs, broken and unknown frames, sequence
// accounting, and independence from how the bytes are chunked (the rules of docs/protocol.md
// and the counters of the bench's decoder).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "codec.h"
#include "crc32.h"
#include "fakes.h"

namespace {

using fw::testing::Capture;
using Bytes = std::vector<uint8_t>;

Bytes frame(const fw::Message& m, uint32_t seq) {
  Bytes out(fw::kMaxFrame);
  out.resize(fw::encode(m, seq, out.data(), out.size()));
  return out;
}

Bytes pcm_frame(uint32_t seq, size_t n) {
  static std::vector<int16_t> samples;
  samples.assign(n, 0);
  for (size_t i = 0; i < n; ++i) samples[i] = static_cast<int16_t>(i * 37);
  return frame(fw::Pcm{5, 6, 0, fw::WireArray<int16_t>::of(samples.data(), n)}, seq);
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Capture decode(const Bytes& b) {
  Capture c;
  c.feed(b.data(), b.size());
  return c;
}

TEST(Crc32, CheckValue) {
  const char* s = "123456789";
  EXPECT_EQ(fw::crc32(reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
}

TEST(Decoder, SkipsGarbageAndResyncs) {
  const Bytes garbage1 = {1, 2, 3, 4, 5, 6, 7};
  const Bytes garbage2 = {0xA5, 0x5A, 9, 9, 0xA5};  // sync prefixes that lead nowhere
  const Capture c = decode(cat({garbage1, frame(fw::Hello{}, 0), garbage2,
                                frame(fw::Start{fw::kMaskFrames}, 1)}));
  ASSERT_EQ(c.packets.size(), 2u);
  EXPECT_EQ(c.stats().garbage_bytes, 12u);
  EXPECT_EQ(c.stats().resyncs, 2u);
  EXPECT_EQ(c.packets[1].as<fw::Start>().mask, fw::kMaskFrames);
}

TEST(Decoder, BadHeaderCrcIsRejectedAtOnce) {
  Bytes bad = pcm_frame(0, 100);
  bad[12] ^= 0x40;  // the length field: the header CRC catches it before any waiting
  const Capture c = decode(cat({bad, frame(fw::Hello{}, 1)}));
  ASSERT_EQ(c.packets.size(), 1u);
  EXPECT_EQ(c.packets[0].type, 0x01);
  EXPECT_EQ(c.stats().crc_errors, 1u);
  EXPECT_EQ(c.stats().garbage_bytes, bad.size());
}

TEST(Decoder, BadFrameCrcAndAFrameHiddenInside) {
  Bytes outer = pcm_frame(0, 200);
  const Bytes inner = frame(fw::Stop{fw::kMaskPcm}, 9);
  std::copy(inner.begin(), inner.end(), outer.begin() + 100);  // breaks the outer frame's CRC
  const Capture c = decode(cat({outer, frame(fw::Hello{}, 10)}));
  ASSERT_EQ(c.packets.size(), 2u);
  EXPECT_EQ(c.packets[0].as<fw::Stop>().mask, fw::kMaskPcm);
  EXPECT_EQ(c.packets[1].type, 0x01);
  EXPECT_EQ(c.stats().crc_errors, 1u);
  EXPECT_EQ(c.stats().garbage_bytes, outer.size() - inner.size());
}

TEST(Decoder, WrongVersionShortAndUnknownAreCounted) {
  Bytes v2 = frame(fw::Hello{}, 0);
  v2[4] = 2;  // another protocol version, CRCs fixed up
  const uint32_t h = fw::crc32(v2.data(), 16);
  for (int i = 0; i < 4; ++i) v2[16 + i] = static_cast<uint8_t>(h >> (8 * i));
  const uint32_t f = fw::crc32(v2.data(), 20);
  for (int i = 0; i < 4; ++i) v2[20 + i] = static_cast<uint8_t>(f >> (8 * i));
  Bytes unknown(64);
  unknown.resize(fw::encode_raw(0x7E, 3, nullptr, 0, unknown.data(), unknown.size()));
  const uint8_t two[2] = {1, 0};
  Bytes short_start(64);
  short_start.resize(fw::encode_raw(0x03, 4, two, 2, short_start.data(), short_start.size()));
  const Capture c = decode(cat({v2, unknown, short_start, frame(fw::Hello{}, 5)}));
  ASSERT_EQ(c.packets.size(), 1u);
  EXPECT_EQ(c.stats().broken_frames, 2u);  // the version, the short START
  EXPECT_EQ(c.stats().unknown_types, 1u);
  EXPECT_EQ(c.stats().crc_errors, 0u);
}

TEST(Decoder, ALengthOverTheCapIsBrokenAtOnce) {
  Bytes big = frame(fw::Hello{}, 0);
  const uint32_t len = fw::kMaxPayload + 1;
  for (int i = 0; i < 4; ++i) big[12 + i] = static_cast<uint8_t>(len >> (8 * i));
  const uint32_t h = fw::crc32(big.data(), 16);
  for (int i = 0; i < 4; ++i) big[16 + i] = static_cast<uint8_t>(h >> (8 * i));
  big.resize(20);  // nothing follows the header: the decoder must not wait for 64 KiB
  const Capture c = decode(cat({big, frame(fw::Hello{}, 1)}));
  ASSERT_EQ(c.packets.size(), 1u);
  EXPECT_EQ(c.stats().broken_frames, 1u);
  EXPECT_EQ(c.stats().crc_errors, 0u);
}

TEST(Decoder, LongerPayloadsAreAcceptedForMinorVersions) {
  uint8_t payload[8] = {0x06, 0, 0, 0, 0xEE, 0xEE, 0xEE, 0xEE};  // a START plus a future field
  Bytes b(64);
  b.resize(fw::encode_raw(0x03, 0, payload, sizeof payload, b.data(), b.size()));
  const Capture c = decode(b);
  ASSERT_EQ(c.packets.size(), 1u);
  EXPECT_EQ(c.packets[0].as<fw::Start>().mask, 6u);
}

TEST(Decoder, ChunkingDoesNotMatter) {
  std::mt19937 rng(3);
  Bytes stream;
  for (uint32_t i = 0; i < 40; ++i) {
    Bytes junk(rng() % 9);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    stream = cat({stream, junk, pcm_frame(i, 1 + rng() % 300)});
  }
  const Capture whole = decode(stream);
  Capture bytewise;
  for (uint8_t b : stream) bytewise.feed(&b, 1);
  EXPECT_EQ(whole.packets.size(), 40u);
  EXPECT_EQ(bytewise.packets.size(), 40u);
  EXPECT_EQ(whole.stats().garbage_bytes, bytewise.stats().garbage_bytes);
  EXPECT_EQ(whole.stats().resyncs, bytewise.stats().resyncs);
  EXPECT_EQ(whole.stats().crc_errors, bytewise.stats().crc_errors);
}

TEST(Decoder, SequenceDropsRestartsAndStale) {
  const Bytes s = cat({pcm_frame(5, 1), pcm_frame(6, 1), pcm_frame(9, 1), pcm_frame(0, 1),
                       pcm_frame(1, 1), pcm_frame(0xFFFFFFF0u, 1), pcm_frame(2, 1)});
  const Capture c = decode(s);
  const size_t pcm = static_cast<size_t>(fw::Stream::kPcm);
  EXPECT_EQ(c.packets.size(), 7u);
  EXPECT_EQ(c.stats().drops[pcm], 2u);     // 7 and 8
  EXPECT_EQ(c.stats().restarts[pcm], 1u);  // back to 0
  EXPECT_EQ(c.stats().stale, 1u);          // 0xFFFFFFF0 after 1 goes backwards
  EXPECT_EQ(c.stats().drops[static_cast<size_t>(fw::Stream::kControl)], 0u);
}

TEST(Decoder, WrapIsInOrder) {
  const Capture c = decode(cat({pcm_frame(0xFFFFFFFFu, 1), pcm_frame(0, 1)}));
  const size_t pcm = static_cast<size_t>(fw::Stream::kPcm);
  EXPECT_EQ(c.stats().drops[pcm] + c.stats().restarts[pcm] + c.stats().stale, 0u);
}

class Sink : public fw::PacketSink {
 public:
  void on_packet(const fw::Packet& p) override { types.push_back(static_cast<int>(fw::type_of(p.message))); }
  std::vector<int> types;
};

TEST(Decoder, ASmallBufferRefusesFramesItCannotHold) {
  uint8_t buf[256];
  fw::Decoder d(buf, sizeof buf);
  Sink sink;
  const Bytes s = cat({pcm_frame(0, 500), frame(fw::Hello{}, 1)});
  d.feed(s.data(), s.size(), sink);
  ASSERT_EQ(sink.types, std::vector<int>{1});
  EXPECT_EQ(d.stats().broken_frames, 1u);
  EXPECT_LE(d.buffered(), sizeof buf);
}

TEST(Decoder, FlushGivesUpOnAFrameCutShort) {
  Bytes cut = pcm_frame(0, 100);
  cut.resize(cut.size() - 10);
  uint8_t buf[1024];
  fw::Decoder d(buf, sizeof buf);
  Sink sink;
  d.feed(cut.data(), cut.size(), sink);
  EXPECT_EQ(d.buffered(), cut.size());
  d.flush(sink);
  EXPECT_TRUE(sink.types.empty());
  EXPECT_EQ(d.stats().broken_frames, 1u);
  EXPECT_EQ(d.buffered(), 0u);
}

}  // namespace
