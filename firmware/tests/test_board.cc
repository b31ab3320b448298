// The board's state machine over fake hardware: HELLO / INFO, START / STOP, commands the board
// must refuse, INJECT_PCM flow control (ACK on consume, BUSY, SEQ_GAP, duplicates), and the
// streams it produces: microphone and injected frames bit-exact with the bench's reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "board.h"
#include "fakes.h"
#include "frontend_paper.h"

namespace {

using fw::testing::FakeClock;
using fw::testing::FakeLink;
using fw::testing::FakeMic;
using fw::testing::read_bytes;
using fw::testing::read_le16;
using fw::testing::Sent;

const std::string kFixtures = FW_FIXTURES;
constexpr uint8_t kInjectType = static_cast<uint8_t>(fw::MsgType::kInjectPcm);

struct Bench {
  explicit Bench(bool fast = false, size_t mic_per_poll = 160) {
    cfg.tables = &fw::tables::paper::kTables;
    cfg.fast_inject = fast;
    mic.per_read = mic_per_poll;
    board = std::make_unique<fw::Board>(cfg, link, mic, clock);
  }
  void poll(size_t n = 1) {
    for (size_t i = 0; i < n; ++i) board->poll();
  }
  std::vector<Sent> sent(fw::MsgType t) const { return link.sent.of(t); }
  //! Send one INJECT_PCM chunk of `pcm[from, from + n)`.
  void inject(uint32_t seq, const std::vector<int16_t>& pcm, size_t from, size_t n,
              uint32_t tag, bool end) {
    link.host_send(fw::InjectPcm{tag, static_cast<uint16_t>(end ? fw::kEndOfClip : 0),
                                 fw::WireArray<int16_t>::of(pcm.data() + from, n)},
                   seq);
  }

  fw::BoardConfig cfg;
  FakeLink link;
  FakeMic mic;
  FakeClock clock;
  std::unique_ptr<fw::Board> board;
};

std::vector<uint16_t> features_of(const Sent& s) {
  const auto f = s.as<fw::Frame>();
  std::vector<uint16_t> out(f.features.count);
  for (size_t i = 0; i < out.size(); ++i) out[i] = f.features[i];
  return out;
}

TEST(Board, HelloIsAnsweredWithTheGoldenInfo) {
  Bench b;
  b.link.host_send(fw::Hello{}, 0);
  b.poll();
  const auto infos = b.sent(fw::MsgType::kInfo);
  ASSERT_EQ(infos.size(), 1u);
  const auto golden = read_bytes(kFixtures + "/protocol/INFO.bin");
  EXPECT_EQ(infos[0].payload, std::vector<uint8_t>(golden.begin() + 20, golden.end() - 4));
}

TEST(Board, ResultsWithoutAModelAreRefusedUnsupported) {
  Bench b;
  b.link.host_send(fw::Start{fw::kMaskFrames | fw::kMaskResults}, 3);
  b.poll();
  ASSERT_EQ(b.sent(fw::MsgType::kNak).size(), 1u);
  const auto nak = b.sent(fw::MsgType::kNak)[0].as<fw::Nak>();
  EXPECT_EQ(nak.acked_type, 3);
  EXPECT_EQ(nak.code, static_cast<uint16_t>(fw::ErrorCode::kUnsupported));
  EXPECT_EQ(nak.acked_seq, 3u);
  EXPECT_TRUE(b.sent(fw::MsgType::kAck).empty());
  EXPECT_EQ(b.board->streams(), 0u);
  EXPECT_TRUE(b.sent(fw::MsgType::kFrame).empty());
}

TEST(Board, BoardToHostMessagesFromTheHostAreLoggedAndIgnored) {
  Bench b;
  const uint16_t f[2] = {1, 2};
  b.link.host_send(fw::Frame{1, 2, 3, 4, fw::WireArray<uint16_t>::of(f, 2)}, 0);
  b.link.host_send(fw::Heartbeat{1, 0, 0}, 1);  // allowed: no answer
  b.poll();
  const auto logs = b.sent(fw::MsgType::kLog);
  ASSERT_EQ(logs.size(), 1u);
  const auto log = logs[0].as<fw::Log>();
  EXPECT_EQ(log.level, static_cast<uint8_t>(fw::LogLevel::kWarning));
  EXPECT_EQ(std::string(log.text.data, log.text.size), "ignored a FRAME from the host");
  EXPECT_EQ(b.board->counters().ignored, 1u);
}

TEST(Board, MicrophoneFramesAndPcmAreTheReference) {
  Bench b;
  b.mic.signal = read_le16<int16_t>(kFixtures + "/frontend/pcm/speech.i16");
  const auto expected = read_le16<uint16_t>(kFixtures + "/frontend/paper/speech.u16");
  ASSERT_FALSE(b.mic.signal.empty());
  b.link.host_send(fw::Start{fw::kMaskFrames | fw::kMaskPcm}, 0);
  b.poll(b.mic.signal.size() / 160 + 1);
  const auto acks = b.sent(fw::MsgType::kAck);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].as<fw::Ack>().acked_type, 3);
  const auto frames = b.sent(fw::MsgType::kFrame);
  const size_t n = expected.size() / 32;
  ASSERT_GE(frames.size(), n);
  for (size_t k = 0; k < n; ++k) {
    const auto f = frames[k].as<fw::Frame>();
    ASSERT_EQ(frames[k].seq, k);
    ASSERT_EQ(f.frame_index, k);
    ASSERT_EQ(f.sample_index, 160u * k);
    ASSERT_EQ(f.tag, 0u);
    ASSERT_EQ(features_of(frames[k]),
              std::vector<uint16_t>(expected.begin() + 32 * k, expected.begin() + 32 * (k + 1)))
        << "frame " << k;
  }
  std::vector<int16_t> pcm;
  uint64_t next_index = 0;
  for (const auto& s : b.sent(fw::MsgType::kPcm)) {
    const auto p = s.as<fw::Pcm>();
    EXPECT_EQ(p.sample_index, next_index);
    EXPECT_EQ(p.source, 0);
    next_index += p.samples.count;
    for (size_t i = 0; i < p.samples.count; ++i) pcm.push_back(p.samples[i]);
  }
  ASSERT_GE(pcm.size(), b.mic.signal.size());
  EXPECT_TRUE(std::equal(b.mic.signal.begin(), b.mic.signal.end(), pcm.begin()));
}

TEST(Board, StopEndsAStream) {
  Bench b;
  b.link.host_send(fw::Start{fw::kMaskFrames | fw::kMaskPcm}, 0);
  b.poll(10);
  b.link.host_send(fw::Stop{fw::kMaskFrames}, 1);
  b.poll();
  const size_t frames = b.sent(fw::MsgType::kFrame).size();
  const size_t pcm = b.sent(fw::MsgType::kPcm).size();
  b.poll(10);
  EXPECT_EQ(b.sent(fw::MsgType::kFrame).size(), frames);
  EXPECT_EQ(b.sent(fw::MsgType::kPcm).size(), pcm + 10);
  EXPECT_EQ(b.board->streams(), fw::kMaskPcm);
  EXPECT_EQ(b.sent(fw::MsgType::kAck).back().as<fw::Ack>().acked_type, 4);
}

TEST(Board, InjectedClipIsTheReferenceAndAcksComeOnlyOnConsume) {
  Bench b;
  const auto speech = read_le16<int16_t>(kFixtures + "/frontend/pcm/speech.i16");
  const auto expected = read_le16<uint16_t>(kFixtures + "/frontend/paper/speech.u16");
  b.link.host_send(fw::Start{fw::kMaskFrames}, 0);
  b.poll(5);  // some microphone audio first: the clip must not start at sample 0
  const size_t chunk = 4096;
  const uint32_t n_chunks = static_cast<uint32_t>((speech.size() + chunk - 1) / chunk);
  uint32_t next = 0, acked = 0;  // chunks sent, chunks acknowledged
  bool first_check = true;
  std::vector<fw::Ack> acks;
  for (int polls = 0; polls < 2000 && acked < n_chunks; ++polls) {
    while (next < n_chunks && next - acked < fw::InjectBuffer::kWindow) {
      const size_t from = next * chunk;
      b.inject(next, speech, from, std::min(chunk, speech.size() - from), 7, next + 1 == n_chunks);
      ++next;
    }
    b.poll();
    if (first_check) {  // one step consumed: nothing is acknowledged yet
      EXPECT_TRUE(b.sent(fw::MsgType::kAck).size() == 1u);  // only START's
      first_check = false;
    }
    acks.clear();
    for (const auto& s : b.sent(fw::MsgType::kAck)) {
      const auto a = s.as<fw::Ack>();
      if (a.acked_type == kInjectType) acks.push_back(a);
    }
    if (!acks.empty()) acked = acks.back().acked_seq + 1;
  }
  ASSERT_EQ(acked, n_chunks);
  ASSERT_EQ(acks.size(), n_chunks);
  EXPECT_TRUE(b.sent(fw::MsgType::kNak).empty());
  const uint64_t clip_start = acks[0].value;
  EXPECT_EQ(clip_start, 5u * 160u);
  for (uint32_t i = 0; i < n_chunks; ++i) {
    EXPECT_EQ(acks[i].acked_seq, i);
    EXPECT_EQ(acks[i].value, clip_start + i * chunk);  // where its first sample entered
  }
  EXPECT_EQ(acks.back().credit, fw::InjectBuffer::kCapacity);  // all consumed
  std::vector<uint16_t> got;
  for (const auto& s : b.sent(fw::MsgType::kFrame)) {
    const auto f = s.as<fw::Frame>();
    if (f.tag != 7) continue;
    if (f.sample_index + 400 > clip_start + speech.size()) continue;  // past the clip's end
    EXPECT_EQ(f.sample_index, clip_start + got.size() / 32 * 160);
    const auto v = features_of(s);
    got.insert(got.end(), v.begin(), v.end());
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(b.board->counters().mic_discarded, speech.size() - speech.size() % 160 + 160);
}

TEST(Board, AChunkBeyondTheWindowIsRefusedBusy) {
  Bench b(false, 0);  // no microphone audio: nothing is consumed
  const std::vector<int16_t> pcm(100, 1);
  for (uint32_t s = 0; s <= fw::InjectBuffer::kWindow; ++s) b.inject(s, pcm, 0, 100, 1, false);
  b.poll();
  const auto naks = b.sent(fw::MsgType::kNak);
  ASSERT_EQ(naks.size(), 1u);
  const auto nak = naks[0].as<fw::Nak>();
  EXPECT_EQ(nak.code, static_cast<uint16_t>(fw::ErrorCode::kBusy));
  EXPECT_EQ(nak.acked_seq, fw::InjectBuffer::kWindow);
  EXPECT_EQ(b.board->inject().expected(), fw::InjectBuffer::kWindow);
  EXPECT_EQ(b.board->inject().queued(), 800u);
}

TEST(Board, AGapIsNakedOnceAndADuplicateIsReAcked) {
  Bench b(false, 0);
  const std::vector<int16_t> pcm(160, 5);
  b.inject(0, pcm, 0, 160, 1, false);
  b.inject(2, pcm, 0, 160, 1, false);  // 1 was lost
  b.inject(3, pcm, 0, 160, 1, false);  // still missing: no second NAK
  b.poll();
  auto naks = b.sent(fw::MsgType::kNak);
  ASSERT_EQ(naks.size(), 1u);
  EXPECT_EQ(naks[0].as<fw::Nak>().code, static_cast<uint16_t>(fw::ErrorCode::kSeqGap));
  EXPECT_EQ(naks[0].as<fw::Nak>().value, 1u);
  EXPECT_EQ(naks[0].as<fw::Nak>().acked_seq, 2u);
  b.inject(1, pcm, 0, 160, 1, false);
  b.mic.per_read = 160;
  b.poll();  // consumes chunk 0
  ASSERT_EQ(b.sent(fw::MsgType::kAck).size(), 1u);
  b.inject(1, pcm, 0, 160, 1, false);  // a duplicate of an accepted chunk
  b.mic.per_read = 0;
  b.poll();
  const auto acks = b.sent(fw::MsgType::kAck);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1].payload, acks[0].payload);  // the last cumulative ACK, again
  EXPECT_EQ(b.sent(fw::MsgType::kNak).size(), 1u);
}

TEST(Board, ChunksOfNoSamplesAreBadRequests) {
  Bench b(false, 0);
  const std::vector<int16_t> pcm(1, 0);
  b.inject(0, pcm, 0, 0, 1, false);
  b.poll();
  ASSERT_EQ(b.sent(fw::MsgType::kNak).size(), 1u);
  EXPECT_EQ(b.sent(fw::MsgType::kNak)[0].as<fw::Nak>().code,
            static_cast<uint16_t>(fw::ErrorCode::kBadRequest));
}

TEST(Board, HeartbeatsEvery500msCountAudioOverruns) {
  Bench b(false, 40000);  // capture outruns the front end: 2 s ring, 10 steps a poll
  b.poll();
  b.clock.now += 499999;
  b.poll();
  EXPECT_EQ(b.sent(fw::MsgType::kHeartbeat).size(), 1u);
  // pushed 80,000 samples; the ring holds 32,000; the front end took one poll's 1,600
  EXPECT_EQ(b.board->mic_ring().overruns(), 80000u - 32000u - 1600u);
  b.clock.now += 1;
  b.poll();  // the heartbeat goes out before this poll's capture
  const auto hb = b.sent(fw::MsgType::kHeartbeat);
  ASSERT_EQ(hb.size(), 2u);
  EXPECT_EQ(hb[1].as<fw::Heartbeat>().uptime_us, 501000u);
  EXPECT_EQ(hb[1].as<fw::Heartbeat>().audio_overruns, 80000u - 32000u - 1600u);
}

TEST(Board, AFullTransmitQueueIsCountedNotALinkGap) {
  Bench b;
  b.link.host_send(fw::Start{fw::kMaskFrames}, 0);
  b.poll(5);
  b.link.refuse_writes = true;
  b.poll(10);
  b.link.refuse_writes = false;
  b.clock.now += 600000;
  b.poll(5);
  const auto frames = b.sent(fw::MsgType::kFrame);
  ASSERT_GE(frames.size(), 3u);
  for (size_t i = 1; i < frames.size(); ++i) EXPECT_EQ(frames[i].seq, frames[i - 1].seq + 1);
  EXPECT_EQ(b.link.sent.stats().drops[static_cast<size_t>(fw::Stream::kFrames)], 0u);
  const auto frame_jump = frames[3].as<fw::Frame>().frame_index - frames[2].as<fw::Frame>().frame_index;
  EXPECT_EQ(frame_jump, 11u);  // ten frames were never queued
  EXPECT_EQ(b.sent(fw::MsgType::kHeartbeat).back().as<fw::Heartbeat>().tx_overflows,
            b.board->counters().tx_overflows);
  EXPECT_EQ(b.board->counters().tx_overflows, 10u);
}

}  // namespace
