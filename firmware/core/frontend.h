// The board's MicroFrontend: int16 PCM in, uint16 feature frames out, integers only.
//
// It computes exactly what the bench's reference (bench_app/core/frontend) computes: window,
// KISS FFT (16-bit fixed point), filterbank with rounded square root, noise reduction, PCAN
// and log scale, from the tables of one configuration (frontend_tables.h). Streaming: push any
// number of samples; a frame comes out each time a window fills, then the window advances by
// one step. State is the window buffer and the per-channel noise estimate; `reset` forgets
// both, as a fresh PrepareAudioFrontEnd would.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "frontend_tables.h"

namespace fw {

class MicroFrontend {
 public:
  static constexpr size_t kMaxWindow = 1024;
  static constexpr size_t kMaxFft = 1024;
  static constexpr size_t kMaxChannels = 64;

  //! True when `tables` fits this build's static buffers (checked by the constructor too).
  static bool fits(const FrontendTables& tables);

  //! `tables` must outlive the front end; a config that does not fit makes `ok()` false.
  explicit MicroFrontend(const FrontendTables& tables);

  bool ok() const { return ok_; }
  const FrontendTables& tables() const { return t_; }
  size_t channels() const { return t_.n_channels; }
  size_t pending() const { return fill_; }

  void reset();

  //! Push up to the samples that complete one frame; returns how many were taken. When a
  //! frame completed, `*frame_ready` is true and `frame()` holds it until the next call.
  size_t push(const int16_t* samples, size_t n, bool* frame_ready);

  const uint16_t* frame() const { return out_.data(); }

  //! Compute one frame from a full window (no state but the noise estimate is used).
  void compute(const int16_t* window, uint16_t* out);

 private:
  void window_and_fft();
  void filterbank(uint32_t* channels) const;
  uint32_t channel_value(size_t ch, uint32_t filterbank);

  const FrontendTables& t_;
  bool ok_;
  size_t fill_ = 0;
  std::array<int16_t, kMaxWindow> buf_{};
  std::array<uint32_t, kMaxChannels> estimate_{};
  std::array<uint16_t, kMaxChannels> out_{};
  // Scratch of one frame: windowed samples (zero-padded), complex FFT data, spectrum.
  std::array<int32_t, kMaxFft + 2> win_{};
  std::array<int32_t, kMaxFft / 2> re_{}, im_{};
  std::array<int32_t, kMaxFft / 2 + 1> spec_re_{}, spec_im_{};
  int shift_ = 0;
};

}  // namespace fw
