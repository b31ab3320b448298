// The native board's microphone: a 16-bit mono PCM WAV at the board's rate (the bench converts
// any file to that first), played in a loop, or digital silence, delivered at the pace of the clock.
#pragma once

#include <string>
#include <vector>

#include "interfaces.h"

namespace fw::host {

class WavMicrophone : public AudioSource {
 public:
  WavMicrophone(Clock& clock, uint32_t sample_rate) : clock_(clock), rate_(sample_rate) {}

  //! Load `path`; false with `error()` set when it is not 16-bit mono PCM at the board's rate.
  bool load(const std::string& path);
  const std::string& error() const { return error_; }

  size_t read(int16_t* out, size_t max) override;

 private:
  Clock& clock_;
  uint32_t rate_;
  std::vector<int16_t> samples_;
  bool started_ = false;
  uint64_t start_us_ = 0;
  uint64_t delivered_ = 0;
  std::string error_;
};

}  // namespace fw::host
