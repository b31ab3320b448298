#include "pdm_microphone.h"

#include "libs/audio/audio_driver.h"   // AudioDriver, AudioDriverBuffers, AudioDriverConfig
#include "libs/audio/audio_service.h"  // AudioService (callbacks from its task)
#include "third_party/freertos_kernel/include/FreeRTOS.h"
#include "third_party/freertos_kernel/include/stream_buffer.h"

namespace bench {
namespace {

constexpr int kNumDmaBuffers = 10;
constexpr int kDmaBufferSizeMs = 50;
constexpr int kDropFirstSamplesMs = 150;  // the PDM filter settling after power-up
constexpr int kServicePriority = 4;
constexpr size_t kStreamBytes = 16000 * sizeof(int16_t);  // 0.5 s between main-loop passes

coralmicro::AudioDriverBuffers<kNumDmaBuffers, 16 * kDmaBufferSizeMs> g_buffers;
coralmicro::AudioDriver g_driver(g_buffers);

}  // namespace

bool PdmMicrophone::start() {
  stream_ = xStreamBufferCreate(kStreamBytes, 1);
  if (!stream_) return false;
  static coralmicro::AudioDriverConfig config{coralmicro::AudioSampleRate::k16000_Hz,
                                              kNumDmaBuffers, kDmaBufferSizeMs};
  static coralmicro::AudioService service(&g_driver, config, kServicePriority,
                                          kDropFirstSamplesMs);
  return service.AddCallback(this, &PdmMicrophone::on_samples) >= 0;
}

bool PdmMicrophone::on_samples(void* ctx, const int32_t* samples, size_t n) {
  auto* self = static_cast<PdmMicrophone*>(ctx);
  int16_t block[256];
  while (n > 0) {
    const size_t k = n < 256 ? n : 256;
    for (size_t i = 0; i < k; ++i) block[i] = static_cast<int16_t>(samples[i] >> 16);
    const size_t sent = xStreamBufferSend(static_cast<StreamBufferHandle_t>(self->stream_),
                                          block, k * sizeof(int16_t), 0);
    self->dropped_ += (k * sizeof(int16_t) - sent) / sizeof(int16_t);
    samples += k;
    n -= k;
  }
  return true;  // keep the callback registered
}

size_t PdmMicrophone::read(int16_t* out, size_t max) {
  return xStreamBufferReceive(static_cast<StreamBufferHandle_t>(stream_), out,
                              max * sizeof(int16_t), 0) / sizeof(int16_t);
}

}  // namespace bench
