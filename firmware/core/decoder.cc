#include "decoder.h"

#include <cstring>

#include "crc32.h"

namespace fw {
namespace {

//! True when the `n` bytes at `p` (n < 4) are the start of the sync word.
bool sync_prefix(const uint8_t* p, size_t n) { return std::memcmp(p, kSync, n) == 0; }

size_t find_sync(const uint8_t* p, size_t n, size_t from) {
  for (size_t i = from; i + 4 <= n; ++i) {
    if (p[i] == kSync[0] && std::memcmp(p + i, kSync, 4) == 0) return i;
  }
  return n;  // not found
}

}  // namespace

void Decoder::feed(const uint8_t* data, size_t n, PacketSink& sink) {
  stats_.bytes += n;
  do {
    const size_t room = cap_ - len_;
    const size_t take = n < room ? n : room;
    if (take) std::memcpy(buf_ + len_, data, take);
    len_ += take;
    data += take;
    n -= take;
    scan(sink);
  } while (n);
}

void Decoder::flush(PacketSink& sink) {
  scan(sink);
  while (len_ >= 4) {
    // the held bytes start with a sync word whose frame never completed
    ++stats_.broken_frames;
    std::memmove(buf_, buf_ + 1, len_ - 1);
    --len_;
    hunting_ = true;
    ++stats_.resyncs;
    scan(sink);
  }
  if (len_) skip(len_);
  len_ = 0;
}

void Decoder::scan(PacketSink& sink) {
  const size_t n = len_;
  size_t pos = 0;
  Message msg;
  while (true) {
    const size_t i = find_sync(buf_, n, pos);
    if (i == n) {
      size_t keep = pos > (n >= 3 ? n - 3 : 0) ? pos : (n >= 3 ? n - 3 : 0);
      while (keep < n && !sync_prefix(buf_ + keep, n - keep)) ++keep;
      skip(keep - pos);
      pos = keep;
      break;
    }
    if (i > pos) {
      skip(i - pos);
      pos = i;
    }
    if (n - pos < kHeaderSize) break;
    const uint8_t* h = buf_ + pos;
    const uint8_t version = h[4];
    const uint8_t type = h[5];
    const uint32_t seq = rd_u32(h + 8);
    const uint32_t length = rd_u32(h + 12);
    if (rd_u32(h + 16) != crc32(h, 16)) {
      ++stats_.crc_errors;
      skip(1);
      ++pos;
      continue;
    }
    if (version != kVersion || length > kMaxPayload || length > cap_ - kOverhead) {
      ++stats_.broken_frames;
      skip(1);
      ++pos;
      continue;
    }
    const size_t end = pos + kHeaderSize + length;
    if (end + kCrcSize > n) break;
    if (crc32(h, kHeaderSize + length) != rd_u32(buf_ + end)) {
      ++stats_.crc_errors;
      skip(1);
      ++pos;
      continue;
    }
    pos = end + kCrcSize;
    hunting_ = false;
    const ParseStatus status = parse_message(type, h + kHeaderSize, length, &msg);
    if (status == ParseStatus::kUnknownType) {
      ++stats_.unknown_types;
      continue;
    }
    if (status != ParseStatus::kOk) {
      ++stats_.broken_frames;
      continue;
    }
    const Stream stream = stream_of(msg);
    track(stream, seq);
    ++stats_.packets;
    sink.on_packet(Packet{msg, seq, stream, h + kHeaderSize, length});
  }
  if (pos) std::memmove(buf_, buf_ + pos, n - pos);
  len_ = n - pos;
}

void Decoder::skip(uint64_t count) {
  if (!count) return;
  stats_.garbage_bytes += count;
  if (!hunting_) {
    hunting_ = true;
    ++stats_.resyncs;
  }
}

void Decoder::track(Stream stream, uint32_t seq) {
  const size_t s = static_cast<size_t>(stream);
  const bool had = have_last_[s];
  const uint32_t last = last_[s];
  last_[s] = seq;
  have_last_[s] = true;
  if (!had) return;
  const uint32_t gap = seq - last - 1u;  // mod 2**32
  if (gap == 0) return;
  if (seq == 0) {
    ++stats_.restarts[s];
  } else if (gap < 0x80000000u) {
    stats_.drops[s] += gap;
  } else {
    ++stats_.stale;
    last_[s] = last;
  }
}

}  // namespace fw
