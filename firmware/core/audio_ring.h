// The microphone's sample ring: capture pushes, the front end pops. When capture outruns the
// front end the oldest samples are dropped and counted (HEARTBEAT audio_overruns), as the
// SDK's AudioReader ring does, so the board keeps the freshest audio and says what it lost.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw {

class AudioRing {
 public:
  //! `storage` of `capacity` samples must outlive the ring.
  AudioRing(int16_t* storage, size_t capacity) : buf_(storage), cap_(capacity) {}

  void push(const int16_t* samples, size_t n);
  //! Pop up to `n` samples into `out`; returns how many.
  size_t pop(int16_t* out, size_t n);
  //! Drop up to `n` samples without reading them; returns how many.
  size_t discard(size_t n);

  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  uint64_t overruns() const { return overruns_; }

 private:
  int16_t* buf_;
  size_t cap_;
  size_t head_ = 0;  // index of the oldest sample
  size_t size_ = 0;
  uint64_t overruns_ = 0;
};

}  // namespace fw
