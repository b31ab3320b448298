#include "wav_microphone.h"

#include <cstdio>
#include <cstring>

namespace fw::host {
namespace {

uint32_t le32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t{p[3]} << 24); }
uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

}  // namespace

bool WavMicrophone::load(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error_ = "cannot read " + path;
    return false;
  }
  std::vector<uint8_t> b;
  uint8_t buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) b.insert(b.end(), buf, buf + n);
  std::fclose(f);
  const std::string want = "a 16-bit mono PCM WAV at " + std::to_string(rate_) + " Hz";
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVE", 4) != 0) {
    error_ = path + " is not " + want;
    return false;
  }
  bool fmt_ok = false;
  for (size_t pos = 12; pos + 8 <= b.size();) {
    const uint32_t size = le32(b.data() + pos + 4);
    const uint8_t* body = b.data() + pos + 8;
    const size_t avail = b.size() - pos - 8 < size ? b.size() - pos - 8 : size;
    if (std::memcmp(b.data() + pos, "fmt ", 4) == 0 && avail >= 16) {
      fmt_ok = le16(body) == 1 && le16(body + 2) == 1 && le32(body + 4) == rate_ &&
               le16(body + 14) == 16;
    } else if (std::memcmp(b.data() + pos, "data", 4) == 0) {
      if (!fmt_ok) break;
      samples_.resize(avail / 2);
      for (size_t i = 0; i < samples_.size(); ++i) samples_[i] = static_cast<int16_t>(le16(body + 2 * i));
      return true;
    }
    pos += 8 + size + (size & 1u);
  }
  error_ = path + " is not " + want;
  return false;
}

size_t WavMicrophone::read(int16_t* out, size_t max) {
  const uint64_t now = clock_.now_us();
  if (!started_) {
    started_ = true;
    start_us_ = now;
  }
  const uint64_t due = (now - start_us_) * rate_ / 1000000u;
  size_t n = due > delivered_ ? static_cast<size_t>(due - delivered_) : 0;
  if (n > max) n = max;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = delivered_ + i;
    out[i] = samples_.empty() ? 0 : samples_[k % samples_.size()];  // the recording loops
  }
  delivered_ += n;
  return n;
}

}  // namespace fw::host
