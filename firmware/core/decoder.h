// Streaming frame decoder with resync, counting every fault instead of failing.
//
// Same rules and the same counters as the bench's decoder (docs/protocol.md, "Receiver
// rules"; bench_app/core/device/protocol/decoder.py): hunt for the sync word, check the header
// CRC (so a corrupted length is rejected at once), wait for the payload, check the frame CRC;
// on any failure resume the hunt one byte after the failed sync word. Bytes are buffered in a
// caller-given buffer; a frame longer than that buffer can hold is counted as broken (a board
// may give its receiver only as much room as its largest expected INJECT_PCM frame).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "codec.h"
#include "messages.h"

namespace fw {

struct Packet {
  const Message& message;
  uint32_t seq;
  Stream stream;
  const uint8_t* payload;  //!< the raw payload the message was read from
  size_t length;
};

//! Receives decoded packets; pointers inside a packet are valid during the call only.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void on_packet(const Packet& packet) = 0;
};

struct DecoderStats {
  uint64_t bytes = 0;
  uint64_t packets = 0;
  uint64_t crc_errors = 0;
  uint64_t broken_frames = 0;
  uint64_t unknown_types = 0;
  uint64_t resyncs = 0;
  uint64_t garbage_bytes = 0;
  std::array<uint64_t, kNumStreams> drops{};
  std::array<uint64_t, kNumStreams> restarts{};
  uint64_t stale = 0;
};

class Decoder {
 public:
  //! `buf` (at least `kOverhead` bytes; `kMaxFrame` to take any frame) must outlive this.
  Decoder(uint8_t* buf, size_t cap) : buf_(buf), cap_(cap) {}

  //! Decode every complete frame in the bytes seen so far, delivering packets to `sink`.
  void feed(const uint8_t* data, size_t n, PacketSink& sink);
  //! End of stream: drop a frame cut short, re-scan its bytes for intact frames.
  void flush(PacketSink& sink);
  //! Forget the last sequence numbers (the peer rebooted).
  void reset_sequences() { have_last_.fill(false); }

  const DecoderStats& stats() const { return stats_; }
  size_t buffered() const { return len_; }

 private:
  void scan(PacketSink& sink);
  void skip(uint64_t count);
  void track(Stream stream, uint32_t seq);

  uint8_t* buf_;
  size_t cap_;
  size_t len_ = 0;
  bool hunting_ = false;
  DecoderStats stats_;
  std::array<uint32_t, kNumStreams> last_{};
  std::array<bool, kNumStreams> have_last_{};
};

}  // namespace fw
