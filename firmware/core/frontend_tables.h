// The integer tables and parameters of one MicroFrontend configuration.
//
// Every value here is computed on the host by the bench's reference front end
// (scripts/make_firmware_tables.py writes generated/frontend_<name>.h), so the firmware's
// runtime never evaluates a cosine, a logarithm or a power: its frames are bit-exact with the
// bench's on any compiler and any floating-point flags.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw {

//! One KISS FFT stage: radix (2 or 4), sub-transform length, twiddle stride.
struct FftStage {
  uint16_t radix;
  uint16_t m;
  uint16_t stride;
};

struct FrontendTables {
  uint32_t sample_rate_hz;
  uint16_t window_samples;
  uint16_t step_samples;
  uint16_t fft_size;
  uint16_t n_channels;
  uint16_t fb_start;  //!< first FFT bin the filterbank reads
  uint16_t fb_end;    //!< one past the last
  bool noise_reduction_enable;
  uint8_t smoothing_bits;
  uint16_t even_smoothing;        //!< Q14
  uint16_t odd_smoothing;         //!< Q14
  uint16_t min_signal_remaining;  //!< Q14
  bool pcan_enable;
  int8_t snr_shift;
  bool log_scale_enable;
  uint8_t log_scale_shift;
  int8_t correction_bits;
  const int16_t* window;         //!< [window_samples] Q12 Hann
  const uint16_t* fft_perm;      //!< [fft_size / 2] input index of each output slot
  const FftStage* fft_stages;    //!< [n_fft_stages], outermost first
  uint8_t n_fft_stages;
  const int16_t* twiddle_re;     //!< [fft_size / 2] Q15
  const int16_t* twiddle_im;
  const int16_t* super_re;       //!< [fft_size / 4] real-FFT split twiddles, Q15
  const int16_t* super_im;
  const int16_t* band;           //!< [fb_end] channel (0..n_channels) of each bin, -1 below
  const int16_t* weights;        //!< [fb_end] Q12
  const int16_t* unweights;      //!< [fb_end] Q12
  const int16_t* pcan_lut;       //!< [33 * 3] PCAN gain curve (y0, a1, a2) per octave
  const int32_t* log_lut;        //!< [130] log2 correction, Q16
  const char* frontend_json;     //!< the fe.* settings as a compact JSON object
};

}  // namespace fw
