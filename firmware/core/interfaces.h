// The hardware the board core needs, behind small interfaces: the byte link to the host, the
// microphone, a microsecond clock and (optionally) the model. The coralmicro app implements
// them with the SDK (TCP over USB-Ethernet, AudioService, TimerMicros, TFLM); the native board
// (firmware/host) with a pty, a WAV file and the host's clock; the tests with fakes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw {

class Transport {
 public:
  virtual ~Transport() = default;
  //! Bytes received since the last call (never blocks); 0 when there are none.
  virtual size_t read(uint8_t* buf, size_t cap) = 0;
  //! Queue one whole frame for sending; false (nothing queued) when there is no room.
  virtual bool write(const uint8_t* data, size_t n) = 0;
};

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  //! Samples captured since the last call, at most `max` (never blocks).
  virtual size_t read(int16_t* out, size_t max) = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint64_t now_us() = 0;
};

//! An INT8 classifier over a window of front-end frames (quantized as TFLM's micro_speech).
class Model {
 public:
  virtual ~Model() = default;
  virtual const char* sha256() const = 0;  //!< of the .tflite flatbuffer, lower-case hex
  virtual size_t window_frames() const = 0;
  virtual size_t n_classes() const = 0;
  //! Run on `window_frames() * channels` int8 features; write `n_classes()` raw int8 scores.
  virtual bool invoke(const int8_t* features, int8_t* scores, float* scale,
                      int32_t* zero_point) = 0;
};

}  // namespace fw
