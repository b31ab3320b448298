// The microphone ring: FIFO order across the wrap, oldest samples dropped and counted.
#include <gtest/gtest.h>

#include <vector>

#include "audio_ring.h"

TEST(AudioRing, KeepsOrderAcrossTheWrap) {
  int16_t storage[8];
  fw::AudioRing ring(storage, 8);
  int16_t in[5] = {1, 2, 3, 4, 5}, out[8];
  ring.push(in, 5);
  EXPECT_EQ(ring.pop(out, 3), 3u);
  ring.push(in, 5);  // wraps
  ASSERT_EQ(ring.pop(out, 8), 7u);
  EXPECT_EQ(std::vector<int16_t>(out, out + 7), (std::vector<int16_t>{4, 5, 1, 2, 3, 4, 5}));
  EXPECT_EQ(ring.overruns(), 0u);
}

TEST(AudioRing, OverflowDropsTheOldestAndCountsThem) {
  int16_t storage[4];
  fw::AudioRing ring(storage, 4);
  int16_t in[6] = {1, 2, 3, 4, 5, 6}, out[4];
  ring.push(in, 3);
  ring.push(in + 3, 3);  // two samples too many: 1 and 2 go
  EXPECT_EQ(ring.overruns(), 2u);
  ASSERT_EQ(ring.pop(out, 4), 4u);
  EXPECT_EQ(std::vector<int16_t>(out, out + 4), (std::vector<int16_t>{3, 4, 5, 6}));
  ring.push(in, 6);  // more than the whole ring at once
  EXPECT_EQ(ring.overruns(), 4u);
  ASSERT_EQ(ring.pop(out, 4), 4u);
  EXPECT_EQ(out[0], 3);
}
