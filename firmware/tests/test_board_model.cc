// The board's model path over a fake `Model`: INFO states the model (hash, "results", window and
// hop), and while RESULTS is on every full window of int8 frames (TFLM micro_features
// quantization of the reference frames) on the hop grid is invoked and sent as a RESULT.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "board.h"
#include "fakes.h"
#include "frontend_paper.h"

namespace {

using fw::testing::FakeClock;
using fw::testing::FakeLink;
using fw::testing::FakeMic;
using fw::testing::read_le16;

const std::string kFixtures = FW_FIXTURES;
constexpr size_t kWidth = 20, kHop = 7, kChannels = 32, kClasses = 3;

//! Scores any change of any cell moves: weighted sums of the window, wrapped to int8.
int8_t fake_score(const int8_t* w, size_t k) {
  int64_t acc = 0;
  for (size_t i = 0; i < kWidth * kChannels; ++i) acc += w[i] * static_cast<int64_t>(i % 13 + k);
  return static_cast<int8_t>(acc & 0x7f);
}

class FakeModel : public fw::Model {
 public:
  const char* sha256() const override { return kSha; }
  size_t window_frames() const override { return kWidth; }
  size_t n_classes() const override { return kClasses; }
  bool invoke(const int8_t* f, int8_t* scores, float* scale, int32_t* zp) override {
    for (size_t k = 0; k < kClasses; ++k) scores[k] = fake_score(f, k);
    *scale = 0.5f;
    *zp = -3;
    ++calls;
    return true;
  }
  static constexpr const char* kSha =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  int calls = 0;
};

int8_t quantize(uint16_t v) {  // the bench's to_int8, written out again
  const int q = (static_cast<int>(v) * 256 + 333) / 666 - 128;
  return static_cast<int8_t>(std::min(127, std::max(-128, q)));
}

struct ModelBench {
  ModelBench() {
    cfg.tables = &fw::tables::paper::kTables;
    cfg.model = &model;
    cfg.model_hop_frames = kHop;
    mic.per_read = 160;
    board = std::make_unique<fw::Board>(cfg, link, mic, clock);
  }
  fw::BoardConfig cfg;
  FakeModel model;
  FakeLink link;
  FakeMic mic;
  FakeClock clock;
  std::unique_ptr<fw::Board> board;
};

TEST(BoardModel, InfoStatesTheModel) {
  ModelBench b;
  b.link.host_send(fw::Hello{}, 0);
  b.board->poll();
  const auto infos = b.link.sent.of(fw::MsgType::kInfo);
  ASSERT_EQ(infos.size(), 1u);
  const auto& p = infos[0].payload;
  const auto doc = nlohmann::json::parse(std::string(p.begin(), p.end()));
  EXPECT_EQ(doc["model_sha256"], FakeModel::kSha);
  EXPECT_EQ(doc["model"]["window_frames"], kWidth);
  EXPECT_EQ(doc["model"]["hop_frames"], kHop);
  const auto caps = doc["capabilities"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(caps.begin(), caps.end(), "results"), caps.end());
}

TEST(BoardModel, ResultsAreTheModelOnEveryWindowOfTheHopGrid) {
  ModelBench b;
  b.mic.signal = read_le16<int16_t>(kFixtures + "/frontend/pcm/speech.i16");
  const auto ref = read_le16<uint16_t>(kFixtures + "/frontend/paper/speech.u16");
  const size_t n_frames = ref.size() / kChannels;
  b.link.host_send(fw::Start{fw::kMaskFrames | fw::kMaskResults}, 0);
  for (size_t i = 0; i < b.mic.signal.size() / 160 + 1; ++i) b.board->poll();
  ASSERT_EQ(b.link.sent.of(fw::MsgType::kNak).size(), 0u);
  const auto results = b.link.sent.of(fw::MsgType::kResult);
  const size_t want = (n_frames - kWidth) / kHop + 1;
  ASSERT_GE(results.size(), want);
  for (size_t i = 0; i < want; ++i) {
    const auto r = results[i].as<fw::Result>();
    const size_t first = i * kHop;
    std::vector<int8_t> w(kWidth * kChannels);
    for (size_t c = 0; c < w.size(); ++c) w[c] = quantize(ref[first * kChannels + c]);
    EXPECT_EQ(r.window_index, i);
    EXPECT_EQ(r.window_start_sample, 160u * first);
    EXPECT_EQ(r.window_end_sample, 160u * (first + kWidth - 1) + 400u);
    EXPECT_EQ(r.scale, 0.5f);
    EXPECT_EQ(r.zero_point, -3);
    ASSERT_EQ(r.scores_i8.count, kClasses);
    for (size_t k = 0; k < kClasses; ++k)
      ASSERT_EQ(r.scores_i8[k], fake_score(w.data(), k)) << "window " << i << " class " << k;
    EXPECT_LE(r.invoke_us, r.total_us);
  }
}

TEST(BoardModel, NoResultsUntilTheStreamIsStarted) {
  ModelBench b;
  b.mic.signal = read_le16<int16_t>(kFixtures + "/frontend/pcm/speech.i16");
  b.link.host_send(fw::Start{fw::kMaskFrames}, 0);
  for (size_t i = 0; i < 100; ++i) b.board->poll();
  EXPECT_EQ(b.model.calls, 0);
  EXPECT_TRUE(b.link.sent.of(fw::MsgType::kResult).empty());
}

}  // namespace
