// Frame layout (docs/protocol.md, section 1): sync, version, type, flags, seq, length,
// header CRC, payload, frame CRC; 24 bytes of overhead, little-endian.
#pragma once

#include <cstddef>
#include <cstdint>

#include "messages.h"

namespace fw {

constexpr uint8_t kSync[4] = {0xA5, 0x5A, 0xC3, 0x3C};
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderSize = 20;
constexpr size_t kCrcSize = 4;
constexpr size_t kOverhead = kHeaderSize + kCrcSize;
constexpr size_t kMaxPayload = 65536;
constexpr size_t kMaxFrame = kOverhead + kMaxPayload;

//! Frame `payload` under `type` and `seq` into `out`; returns the frame size, 0 if it does not
//! fit in `cap` or the payload is over `kMaxPayload`.
size_t encode_raw(uint8_t type, uint32_t seq, const uint8_t* payload, size_t n, uint8_t* out,
                  size_t cap);

//! Encode `msg` as one frame with sequence number `seq` straight into `out` (no copy of the
//! payload); returns the frame size, 0 if it does not fit.
size_t encode(const Message& msg, uint32_t seq, uint8_t* out, size_t cap);

}  // namespace fw
