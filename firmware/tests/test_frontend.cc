// The firmware MicroFrontend against the bench reference's frames (fixtures/frontend):
// every config and stimulus, pushed whole and in odd-sized chunks, must match bit for bit.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "frontend.h"
#include "frontend_paper.h"
#include "frontend_vectors.h"

namespace {

const char* kDir = FW_FIXTURES "/frontend";

TEST(Frontend, BitExactWithTheBenchReference) {
  const auto r = fw::testing::check_frontend_vectors(kDir, 61, false, stderr);
  EXPECT_EQ(r.cases, 32u);  // 4 configs x 8 stimuli
  EXPECT_GT(r.frames, 1000u);
  EXPECT_EQ(r.mismatches, 0u);
  EXPECT_EQ(r.failures, 0u);
}

TEST(Frontend, OneLsbInTheReferenceIsCaught) {
  std::FILE* sink = std::tmpfile();
  const auto r = fw::testing::check_frontend_vectors(kDir, 0, true, sink);
  std::fclose(sink);
  EXPECT_EQ(r.mismatches, 1u);
  EXPECT_EQ(r.failures, 1u);
}

TEST(Frontend, ResetForgetsWindowAndNoiseEstimate) {
  fw::MicroFrontend fe(fw::tables::paper::kTables);
  ASSERT_TRUE(fe.ok());
  std::vector<int16_t> tone(800);
  for (size_t i = 0; i < tone.size(); ++i) tone[i] = static_cast<int16_t>((i % 16) * 1000 - 8000);
  auto first = [&] {
    std::vector<uint16_t> out;
    bool ready = false;
    for (size_t pos = 0; pos < tone.size() && out.empty();) {
      pos += fe.push(tone.data() + pos, tone.size() - pos, &ready);
      if (ready) out.assign(fe.frame(), fe.frame() + fe.channels());
    }
    return out;
  };
  const auto a = first();
  fe.reset();
  EXPECT_EQ(fe.pending(), 0u);
  EXPECT_EQ(first(), a);
}

TEST(Frontend, RefusesTablesBeyondItsBuffers) {
  fw::FrontendTables big = fw::tables::paper::kTables;
  big.n_channels = 65;
  EXPECT_FALSE(fw::MicroFrontend::fits(big));
  EXPECT_TRUE(fw::MicroFrontend::fits(fw::tables::paper::kTables));
}

}  // namespace
