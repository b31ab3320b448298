// Little-endian byte access for the protocol: a bounded writer, readers, and WireArray (an
// array that is either native values to send or received bytes read in place, so a decoded
// message never copies its samples and never reads an unaligned int16 through a pointer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fw {

inline uint16_t rd_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t rd_u32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t rd_u64(const uint8_t* p) { return rd_u32(p) | (uint64_t{rd_u32(p + 4)} << 32); }
inline float rd_f32(const uint8_t* p) {
  const uint32_t bits = rd_u32(p);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

//! Appends little-endian values to a fixed buffer; `ok()` turns false if one did not fit.
class Writer {
 public:
  Writer(uint8_t* buf, size_t cap) : buf_(buf), cap_(cap) {}
  size_t size() const { return n_; }
  bool ok() const { return ok_; }
  void u8(uint8_t v) { put(v, 1); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void f32(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof f);
    u32(bits);
  }
  void bytes(const void* data, size_t n) {
    if (!room(n)) return;
    if (n) std::memcpy(buf_ + n_, data, n);
    n_ += n;
  }

 private:
  bool room(size_t n) {
    if (!ok_ || cap_ - n_ < n) ok_ = false;
    return ok_;
  }
  void put(uint64_t v, size_t width) {
    if (!room(width)) return;
    for (size_t i = 0; i < width; ++i) buf_[n_++] = static_cast<uint8_t>(v >> (8 * i));
  }
  uint8_t* buf_;
  size_t cap_;
  size_t n_ = 0;
  bool ok_ = true;
};

//! `count` values of T: native (`values`) when sending, wire bytes (`wire`) when received.
template <class T>
struct WireArray {
  const T* values = nullptr;
  const uint8_t* wire = nullptr;
  size_t count = 0;

  static WireArray of(const T* v, size_t n) { return WireArray{v, nullptr, n}; }
  static WireArray on_wire(const uint8_t* p, size_t n) { return WireArray{nullptr, p, n}; }

  T operator[](size_t i) const {
    if (values) return values[i];
    if constexpr (sizeof(T) == 1) {
      return static_cast<T>(wire[i]);
    } else if constexpr (sizeof(T) == 2) {
      return static_cast<T>(rd_u16(wire + 2 * i));
    } else {
      const uint32_t bits = rd_u32(wire + 4 * i);
      T v;
      std::memcpy(&v, &bits, sizeof v);
      return v;
    }
  }

  void write(Writer& w) const {
    for (size_t i = 0; i < count; ++i) {
      const T v = (*this)[i];
      if constexpr (sizeof(T) == 1) {
        w.u8(static_cast<uint8_t>(v));
      } else if constexpr (sizeof(T) == 2) {
        w.u16(static_cast<uint16_t>(v));
      } else {
        uint32_t bits;
        std::memcpy(&bits, &v, sizeof v);
        w.u32(bits);
      }
    }
  }
};

//! A text field: bytes and length (UTF-8, no NUL needed).
struct Text {
  const char* data = nullptr;
  size_t size = 0;
  static Text of(const char* s) { return Text{s, s ? std::strlen(s) : 0}; }
};

}  // namespace fw
