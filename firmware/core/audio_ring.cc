#include "audio_ring.h"

namespace fw {

void AudioRing::push(const int16_t* samples, size_t n) {
  if (n > cap_) {  // only the last `cap_` samples can be kept
    overruns_ += n - cap_;
    samples += n - cap_;
    n = cap_;
  }
  const size_t free = cap_ - size_;
  if (n > free) discard(n - free), overruns_ += n - free;
  size_t tail = (head_ + size_) % cap_;
  for (size_t i = 0; i < n; ++i) {
    buf_[tail] = samples[i];
    tail = tail + 1 == cap_ ? 0 : tail + 1;
  }
  size_ += n;
}

size_t AudioRing::pop(int16_t* out, size_t n) {
  const size_t k = n < size_ ? n : size_;
  for (size_t i = 0; i < k; ++i) {
    out[i] = buf_[head_];
    head_ = head_ + 1 == cap_ ? 0 : head_ + 1;
  }
  size_ -= k;
  return k;
}

size_t AudioRing::discard(size_t n) {
  const size_t k = n < size_ ? n : size_;
  head_ = (head_ + k) % cap_;
  size_ -= k;
  return k;
}

}  // namespace fw
