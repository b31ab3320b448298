// CRC-32 of zlib / Ethernet (IEEE 802.3, reflected 0xEDB88320, init and final XOR 0xFFFFFFFF),
// the CRC of both the frame header and the whole frame (docs/protocol.md, section 1).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw {

//! zlib's ``crc32(data, prev)``: continue the CRC `prev` (0 to start) over `n` bytes.
uint32_t crc32(const uint8_t* data, size_t n, uint32_t prev = 0);

}  // namespace fw
