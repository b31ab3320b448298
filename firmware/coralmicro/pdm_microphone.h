// fw::AudioSource over the PDM microphone: coralmicro's AudioService calls back from its own task
// with int32 samples at 16 kHz; they are shifted to int16 (>> 16, as the SDK's examples do)
// and passed to the main loop through a FreeRTOS stream buffer (single writer, single reader).
// Samples the buffer has no room for are counted (the core's own ring counts its overflows).
#pragma once

#include <cstddef>
#include <cstdint>

#include "interfaces.h"

namespace bench {

class PdmMicrophone : public fw::AudioSource {
 public:
  //! Start capturing; false when the audio driver or the stream buffer cannot be set up.
  bool start();
  size_t read(int16_t* out, size_t max) override;
  uint32_t dropped() const { return dropped_; }

 private:
  static bool on_samples(void* self, const int32_t* samples, size_t n);
  void* stream_ = nullptr;  // StreamBufferHandle_t
  volatile uint32_t dropped_ = 0;
};

}  // namespace bench
