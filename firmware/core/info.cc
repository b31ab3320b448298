#include "info.h"

#include <cstdio>
#include <cstring>

namespace fw {
namespace {

class Out {
 public:
  Out(char* buf, size_t cap) : buf_(buf), cap_(cap) {}
  void raw(const char* s) {
    const size_t n = std::strlen(s);
    if (!ok_ || cap_ - n_ < n) {
      ok_ = false;
      return;
    }
    std::memcpy(buf_ + n_, s, n);
    n_ += n;
  }
  //! A JSON string as Python's json.dumps writes it (ASCII; escapes quotes, backslashes and
  //! control characters).
  void str(const char* s) {
    raw("\"");
    char esc[8];
    for (; *s; ++s) {
      const unsigned char c = static_cast<unsigned char>(*s);
      if (c == '"' || c == '\\') {
        esc[0] = '\\', esc[1] = static_cast<char>(c), esc[2] = 0;
        raw(esc);
      } else if (c < 0x20 || c >= 0x7F) {
        std::snprintf(esc, sizeof esc, "\\u%04x", c);
        raw(esc);
      } else {
        esc[0] = static_cast<char>(c), esc[1] = 0;
        raw(esc);
      }
    }
    raw("\"");
  }
  void num(uint64_t v) {
    char tmp[24];
    std::snprintf(tmp, sizeof tmp, "%llu", static_cast<unsigned long long>(v));
    raw(tmp);
  }
  size_t done() const { return ok_ ? n_ : 0; }

 private:
  char* buf_;
  size_t cap_;
  size_t n_ = 0;
  bool ok_ = true;
};

}  // namespace

size_t build_info_json(const InfoFields& f, char* out, size_t cap) {
  Out o(out, cap);
  // keys in sorted order, as json.dumps(..., sort_keys=True, separators=(",", ":"))
  o.raw("{\"board\":");
  o.str(f.board);
  o.raw(",\"capabilities\":[");
  for (size_t i = 0; i < f.n_capabilities; ++i) {
    if (i) o.raw(",");
    o.str(f.capabilities[i]);
  }
  o.raw("],\"cpu_clock_hz\":");
  o.num(f.cpu_clock_hz);
  o.raw(",\"firmware_version\":");
  o.str(f.firmware_version);
  o.raw(",\"frontend\":");
  o.raw(f.frontend_json);
  o.raw(",\"info_version\":1,\"inject\":{\"max_chunk_samples\":");
  o.num(f.inject_max_chunk_samples);
  o.raw(",\"window\":");
  o.num(f.inject_window);
  o.raw("}");
  if (f.model_window_frames || f.model_hop_frames) {
    o.raw(",\"model\":{\"hop_frames\":");
    o.num(f.model_hop_frames);
    o.raw(",\"window_frames\":");
    o.num(f.model_window_frames);
    o.raw("}");
  }
  o.raw(",\"model_sha256\":");
  if (f.model_sha256) {
    o.str(f.model_sha256);
  } else {
    o.raw("null");
  }
  o.raw(",\"protocol_version\":1,\"sample_rate_hz\":");
  o.num(f.sample_rate_hz);
  o.raw("}");
  return o.done();
}

}  // namespace fw
