// Test doubles for the board's interfaces, and a capture that decodes what the board sent.
#pragma once

#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "codec.h"
#include "decoder.h"
#include "interfaces.h"
#include "messages.h"

namespace fw::testing {

//! A received frame, owned (its payload copied), re-parsed on demand.
struct Sent {
  uint8_t type;
  uint32_t seq;
  Stream stream;
  std::vector<uint8_t> payload;

  Message message() const {
    Message m;
    parse_message(type, payload.data(), payload.size(), &m);
    return m;
  }
  template <class M>
  M as() const {
    return std::get<M>(message());
  }
};

class Capture : public PacketSink {
 public:
  Capture() : decoder_(buf_.data(), buf_.size()) {}
  void feed(const uint8_t* data, size_t n) { decoder_.feed(data, n, *this); }
  void on_packet(const Packet& p) override {
    Sent s{static_cast<uint8_t>(type_of(p.message)), p.seq, p.stream,
           std::vector<uint8_t>(p.payload, p.payload + p.length)};
    packets.push_back(std::move(s));
  }
  //! Packets of one type, in order.
  std::vector<Sent> of(MsgType t) const {
    std::vector<Sent> out;
    for (const Sent& s : packets) {
      if (s.type == static_cast<uint8_t>(t)) out.push_back(s);
    }
    return out;
  }
  const DecoderStats& stats() const { return decoder_.stats(); }
  std::vector<Sent> packets;

 private:
  std::vector<uint8_t> buf_ = std::vector<uint8_t>(kMaxFrame);
  Decoder decoder_;
};

//! The host end of the link: bytes the test sends, and a capture of what the board sent.
class FakeLink : public Transport {
 public:
  size_t read(uint8_t* buf, size_t cap) override {
    size_t n = 0;
    while (n < cap && !to_board.empty()) {
      buf[n++] = to_board.front();
      to_board.pop_front();
    }
    return n;
  }
  bool write(const uint8_t* data, size_t n) override {
    if (refuse_writes) return false;
    sent.feed(data, n);
    return true;
  }
  //! Queue one host message for the board.
  void host_send(const Message& m, uint32_t seq) {
    std::vector<uint8_t> bytes(kMaxFrame);
    const size_t n = encode(m, seq, bytes.data(), bytes.size());
    to_board.insert(to_board.end(), bytes.begin(), bytes.begin() + n);
  }
  std::deque<uint8_t> to_board;
  Capture sent;
  bool refuse_writes = false;
};

//! A microphone that delivers `per_read` samples of `signal` (then silence) per poll.
class FakeMic : public AudioSource {
 public:
  size_t read(int16_t* out, size_t max) override {
    if (delivered_this_poll >= per_read) {
      delivered_this_poll = 0;
      return 0;  // ends the board's read loop for this poll
    }
    const size_t n = std::min(max, per_read - delivered_this_poll);
    for (size_t i = 0; i < n; ++i) {
      out[i] = pos < signal.size() ? signal[pos] : 0;
      ++pos;
    }
    delivered_this_poll += n;
    return n;
  }
  std::vector<int16_t> signal;
  size_t per_read = 0;
  size_t pos = 0;
  size_t delivered_this_poll = 0;
};

class FakeClock : public Clock {
 public:
  uint64_t now_us() override { return now; }
  uint64_t now = 1000;
};

//! Read a whole file (empty when missing).
inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::vector<uint8_t> out;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    uint8_t buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.insert(out.end(), buf, buf + n);
    std::fclose(f);
  }
  return out;
}

template <class T>
std::vector<T> read_le16(const std::string& path) {
  const std::vector<uint8_t> b = read_bytes(path);
  std::vector<T> out(b.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(b[2 * i] | (b[2 * i + 1] << 8));
  return out;
}

}  // namespace fw::testing
