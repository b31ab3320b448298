// MicroFrontend runtime: integer arithmetic only, each step as the bench's reference does it
// (bench_app/core/frontend: _frame_kernel, _fft_kernel, _filterbank_kernel, _channel_kernel).
// Every value the reference wraps to int16 / int32 / uint32 is wrapped here the same way, with
// helpers whose behaviour C++17 defines (no signed overflow, no shift of a negative value).
#include "frontend.h"

#include <cstring>

namespace fw {
namespace {

constexpr uint64_t kM32 = 0xFFFFFFFFull;

inline int32_t w16(int64_t x) { return static_cast<int32_t>((x + 32768) & 0xFFFF) - 32768; }
inline int64_t w32(int64_t x) {
  return static_cast<int64_t>((static_cast<uint64_t>(x) + 0x80000000ull) & kM32) - 0x80000000ll;
}
// Arithmetic right shift (floor division by 2**s), defined for negative values too.
inline int64_t asr(int64_t x, int s) { return x >= 0 ? x >> s : -((-x - 1) >> s) - 1; }
inline int32_t sround(int64_t x) { return w16(asr(x + 16384, 15)); }
inline int32_t fixdiv(int32_t x, int32_t q) { return static_cast<int32_t>(asr(int64_t{x} * q + 16384, 15)); }

//! Position of the highest set bit, 1-based (0 for 0).
inline int msb(uint64_t x) {
  int n = 0;
  while (x) {
    ++n;
    x >>= 1;
  }
  return n;
}

//! Square root rounded to nearest, as TFLM's Sqrt64 / Sqrt32 (reference `_sqrt_rounded`).
uint32_t sqrt_rounded(uint64_t n) {
  if (static_cast<int64_t>(n) < 0) return 0xFFFFFFFFu;
  if (n == 0) return 0;
  uint64_t r = 0;
  uint64_t bit = uint64_t{1} << 62;
  uint64_t rem = n;
  while (bit > rem) bit >>= 2;
  while (bit) {  // digit-by-digit floor square root
    if (rem >= r + bit) {
      rem -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  const uint64_t limit = n < (uint64_t{1} << 32) ? 0xFFFFu : 0xFFFFFFFFu;
  if (n - r * r > r && r != limit) ++r;
  return static_cast<uint32_t>(r);
}

int32_t wide_dynamic_function(uint32_t x, const int16_t* lut) {
  if (x <= 2) return x < 2 ? lut[x] : lut[2 * 3];
  const int interval = msb(x);
  const int64_t frac =
      (interval < 11 ? (int64_t{x} << (11 - interval)) : (int64_t{x} >> (interval - 11))) & 0x3FF;
  const int16_t* row = lut + 3 * interval;
  int64_t result = w32(asr(int64_t{row[2]} * frac, 5));
  result = w32(result + w32(int64_t{row[1]} * 32));
  result = w32(result * frac);
  result = asr(w32(result + (1 << 14)), 15) + row[0];
  return w16(result);
}

inline uint32_t pcan_shrink(uint32_t x) {
  if (x < (2u << 12)) return static_cast<uint32_t>((uint64_t{x} * x) >> 20);
  return static_cast<uint32_t>(((x >> 6) - 64u) & kM32);
}

uint32_t log_scale(uint32_t x, int scale_shift, const int32_t* lut) {
  const int integer = msb(x) - 1;
  int64_t frac = int64_t{x} - (int64_t{1} << integer);
  frac = integer < 16 ? (frac << (16 - integer)) : (frac >> (integer - 16));
  const int64_t seg = frac >> 9;
  const int64_t c0 = lut[seg];
  const int64_t c1 = lut[seg + 1];
  const int64_t rel = asr((c1 - c0) * (frac - (seg << 9)), 16);
  const uint64_t log2 = static_cast<uint64_t>((int64_t{integer} << 16) + frac + c0 + rel) & kM32;
  const uint64_t loge = ((45426u * log2 + 32768u) >> 16) & kM32;
  return static_cast<uint32_t>(((((loge << scale_shift) & kM32) + 32768u) & kM32) >> 16);
}

}  // namespace

bool MicroFrontend::fits(const FrontendTables& t) {
  return t.window_samples >= 1 && t.window_samples <= kMaxWindow && t.fft_size <= kMaxFft &&
         t.fft_size >= t.window_samples && t.n_channels >= 1 && t.n_channels <= kMaxChannels &&
         t.step_samples >= 1 && t.step_samples <= t.window_samples && t.fb_end <= t.fft_size / 2;
}

MicroFrontend::MicroFrontend(const FrontendTables& tables) : t_(tables), ok_(fits(tables)) {
  reset();
}

void MicroFrontend::reset() {
  fill_ = 0;
  estimate_.fill(0);
}

size_t MicroFrontend::push(const int16_t* samples, size_t n, bool* frame_ready) {
  *frame_ready = false;
  if (!ok_) return n;
  const size_t take = n < t_.window_samples - fill_ ? n : t_.window_samples - fill_;
  std::memcpy(buf_.data() + fill_, samples, take * sizeof(int16_t));
  fill_ += take;
  if (fill_ == t_.window_samples) {
    compute(buf_.data(), out_.data());
    const size_t keep = t_.window_samples - t_.step_samples;
    std::memmove(buf_.data(), buf_.data() + t_.step_samples, keep * sizeof(int16_t));
    fill_ = keep;
    *frame_ready = true;
  }
  return take;
}

void MicroFrontend::compute(const int16_t* window, uint16_t* out) {
  const size_t size = t_.window_samples;
  int32_t peak = 0;
  for (size_t i = 0; i < size; ++i) {
    const int32_t v = static_cast<int32_t>(asr(int32_t{window[i]} * t_.window[i], 12));
    win_[i] = v;
    // |v| as an int16: |-32768| wraps to -32768 and never counts
    const int32_t a = v == -32768 ? 0 : (v < 0 ? -v : v);
    if (a > peak) peak = a;
  }
  for (size_t i = size; i < t_.fft_size + 2u; ++i) win_[i] = 0;
  shift_ = 15 - msb(static_cast<uint64_t>(peak));
  window_and_fft();
  std::array<uint32_t, kMaxChannels> channels{};
  filterbank(channels.data());
  for (size_t ch = 0; ch < t_.n_channels; ++ch) {
    const uint32_t x = channel_value(ch, channels[ch]);
    out[ch] = static_cast<uint16_t>(x < 0xFFFFu ? x : 0xFFFFu);
  }
}

void MicroFrontend::window_and_fft() {
  const size_t ncfft = t_.fft_size / 2u;
  int32_t* re = re_.data();
  int32_t* im = im_.data();
  for (size_t j = 0; j < ncfft; ++j) {
    const size_t a = 2u * t_.fft_perm[j];
    re[j] = w16(int64_t{win_[a]} * (int64_t{1} << shift_));
    im[j] = w16(int64_t{win_[a + 1]} * (int64_t{1} << shift_));
  }
  for (int st = t_.n_fft_stages - 1; st >= 0; --st) {
    const size_t p = t_.fft_stages[st].radix;
    const size_t m = t_.fft_stages[st].m;
    const size_t fs = t_.fft_stages[st].stride;
    const int16_t* twr = t_.twiddle_re;
    const int16_t* twi = t_.twiddle_im;
    for (size_t base = 0; base < ncfft; base += p * m) {
      for (size_t k = 0; k < m; ++k) {
        if (p == 2) {
          const size_t i0 = base + k, i1 = i0 + m;
          const int64_t wr = twr[k * fs], wi = twi[k * fs];
          const int32_t ar = fixdiv(re[i0], 16383), ai = fixdiv(im[i0], 16383);
          const int64_t br = fixdiv(re[i1], 16383), bi = fixdiv(im[i1], 16383);
          const int32_t tr = sround(br * wr - bi * wi), ti = sround(br * wi + bi * wr);
          re[i1] = w16(ar - tr);
          im[i1] = w16(ai - ti);
          re[i0] = w16(ar + tr);
          im[i0] = w16(ai + ti);
        } else {
          const size_t i0 = base + k, i1 = i0 + m, i2 = i1 + m, i3 = i2 + m;
          const int64_t w1r = twr[k * fs], w1i = twi[k * fs];
          const int64_t w2r = twr[2 * k * fs], w2i = twi[2 * k * fs];
          const int64_t w3r = twr[3 * k * fs], w3i = twi[3 * k * fs];
          int32_t f0r = fixdiv(re[i0], 8191), f0i = fixdiv(im[i0], 8191);
          const int64_t f1r = fixdiv(re[i1], 8191), f1i = fixdiv(im[i1], 8191);
          const int64_t f2r = fixdiv(re[i2], 8191), f2i = fixdiv(im[i2], 8191);
          const int64_t f3r = fixdiv(re[i3], 8191), f3i = fixdiv(im[i3], 8191);
          const int32_t s0r = sround(f1r * w1r - f1i * w1i), s0i = sround(f1r * w1i + f1i * w1r);
          const int32_t s1r = sround(f2r * w2r - f2i * w2i), s1i = sround(f2r * w2i + f2i * w2r);
          const int32_t s2r = sround(f3r * w3r - f3i * w3i), s2i = sround(f3r * w3i + f3i * w3r);
          const int32_t s5r = w16(f0r - s1r), s5i = w16(f0i - s1i);
          f0r = w16(f0r + s1r);
          f0i = w16(f0i + s1i);
          const int32_t s3r = w16(s0r + s2r), s3i = w16(s0i + s2i);
          const int32_t s4r = w16(s0r - s2r), s4i = w16(s0i - s2i);
          re[i2] = w16(f0r - s3r);
          im[i2] = w16(f0i - s3i);
          re[i0] = w16(f0r + s3r);
          im[i0] = w16(f0i + s3i);
          re[i1] = w16(s5r + s4i);
          im[i1] = w16(s5i - s4r);
          re[i3] = w16(s5r - s4i);
          im[i3] = w16(s5i + s4r);
        }
      }
    }
  }
  int32_t* out_r = spec_re_.data();
  int32_t* out_i = spec_im_.data();
  const int32_t dcr = fixdiv(re[0], 16383), dci = fixdiv(im[0], 16383);
  out_r[0] = w16(dcr + dci);
  out_i[0] = 0;
  out_r[ncfft] = w16(dcr - dci);
  out_i[ncfft] = 0;
  for (size_t k = 1; k <= ncfft / 2; ++k) {
    const int64_t wr = t_.super_re[k - 1], wi = t_.super_im[k - 1];
    const int32_t pr = fixdiv(re[k], 16383), pi = fixdiv(im[k], 16383);
    const int32_t nr = sround(int64_t{re[ncfft - k]} * 16383);
    const int32_t ni = sround(int64_t{w16(-int64_t{im[ncfft - k]})} * 16383);
    const int64_t f1r = w16(pr + nr), f1i = w16(pi + ni);
    const int64_t f2r = w16(pr - nr), f2i = w16(pi - ni);
    const int64_t tr = sround(f2r * wr - f2i * wi), ti = sround(f2r * wi + f2i * wr);
    out_r[k] = w16(asr(f1r + tr, 1));
    out_i[k] = w16(asr(f1i + ti, 1));
    out_r[ncfft - k] = w16(asr(f1r - tr, 1));
    out_i[ncfft - k] = w16(asr(ti - f1i, 1));
  }
}

void MicroFrontend::filterbank(uint32_t* channels) const {
  std::array<uint64_t, kMaxChannels + 1> acc_w{}, acc_u{};
  for (size_t k = t_.fb_start; k < t_.fb_end; ++k) {
    const size_t c = static_cast<size_t>(t_.band[k]);
    const int64_t r = spec_re_[k], i = spec_im_[k];
    const int64_t e = w32(r * r + i * i);  // TFLM stores the power in an int32
    acc_w[c] += static_cast<uint64_t>(e * t_.weights[k]);
    acc_u[c] += static_cast<uint64_t>(e * t_.unweights[k]);
  }
  for (size_t ch = 0; ch < t_.n_channels; ++ch) {
    channels[ch] = sqrt_rounded(acc_w[ch + 1] + acc_u[ch]) >> shift_;
  }
}

uint32_t MicroFrontend::channel_value(size_t ch, uint32_t x) {
  if (t_.noise_reduction_enable) {
    const uint64_t smoothing = (ch & 1u) == 0 ? t_.even_smoothing : t_.odd_smoothing;
    const uint64_t scaled = (uint64_t{x} << t_.smoothing_bits) & kM32;
    uint64_t est = ((scaled * smoothing + uint64_t{estimate_[ch]} * (16384u - smoothing)) >> 14) &
                   kM32;
    estimate_[ch] = static_cast<uint32_t>(est);
    if (est > scaled) est = scaled;
    const uint64_t floor = ((uint64_t{x} * t_.min_signal_remaining) >> 14) & kM32;
    const uint64_t subtracted = (scaled - est) >> t_.smoothing_bits;
    x = static_cast<uint32_t>(subtracted > floor ? subtracted : floor);
  }
  if (t_.pcan_enable) {
    const uint32_t gain =
        static_cast<uint32_t>(wide_dynamic_function(estimate_[ch], t_.pcan_lut)) & 0xFFFFFFFFu;
    x = pcan_shrink(static_cast<uint32_t>(((uint64_t{x} * gain) >> t_.snr_shift) & kM32));
  }
  if (t_.log_scale_enable) {
    const int corr = t_.correction_bits;
    x = corr < 0 ? (x >> -corr) : static_cast<uint32_t>((uint64_t{x} << corr) & kM32);
    x = x > 1 ? log_scale(x, t_.log_scale_shift, t_.log_lut) : 0;
  }
  return x;
}

}  // namespace fw
