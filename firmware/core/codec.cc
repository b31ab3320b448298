#include "codec.h"

#include <cstring>

#include "crc32.h"

namespace fw {
namespace {

size_t finish(uint8_t type, uint32_t seq, size_t n, uint8_t* out) {
  Writer h(out, kHeaderSize);
  h.bytes(kSync, 4);
  h.u8(kVersion), h.u8(type), h.u16(0), h.u32(seq), h.u32(static_cast<uint32_t>(n));
  const uint32_t hcrc = crc32(out, 16);
  h.u32(hcrc);
  // the frame CRC continues over the header CRC and the payload
  const uint32_t fcrc = crc32(out + 16, 4 + n, hcrc);
  Writer t(out + kHeaderSize + n, kCrcSize);
  t.u32(fcrc);
  return kOverhead + n;
}

}  // namespace

size_t encode_raw(uint8_t type, uint32_t seq, const uint8_t* payload, size_t n, uint8_t* out,
                  size_t cap) {
  if (n > kMaxPayload || cap < kOverhead || cap - kOverhead < n) return 0;
  if (n) std::memmove(out + kHeaderSize, payload, n);
  return finish(type, seq, n, out);
}

size_t encode(const Message& msg, uint32_t seq, uint8_t* out, size_t cap) {
  if (cap < kOverhead) return 0;
  const size_t room = cap - kOverhead < kMaxPayload ? cap - kOverhead : kMaxPayload;
  Writer w(out + kHeaderSize, room);
  write_payload(msg, w);
  if (!w.ok()) return 0;
  return finish(static_cast<uint8_t>(type_of(msg)), seq, w.size(), out);
}

}  // namespace fw
