#include "inject_buffer.h"

namespace fw {
namespace {

Nak nak(uint32_t seq, ErrorCode code, uint32_t value, const char* reason) {
  return Nak{static_cast<uint8_t>(MsgType::kInjectPcm), static_cast<uint16_t>(code), seq, value,
             Text::of(reason)};
}

}  // namespace

InjectBuffer::Reply InjectBuffer::on_chunk(uint32_t seq, const InjectPcm& msg) {
  Reply reply;
  const bool restart = seq == 0;
  if (restart) {  // a new injection (a new host): forget everything queued
    head_ = n_chunks_ = write_ = queued_ = 0;
    expected_ = 0;
    nak_sent_ = false;
    have_prev_ = in_clip_ = false;
  }
  if (seq < expected_) {  // a duplicate: say again how far we are
    if (have_last_ack_) reply.kind = Reply::kAck, reply.ack = last_ack_;
    return reply;
  }
  if (seq > expected_) {  // one was lost: go back N, once per gap
    if (nak_sent_ && nak_sent_for_ == expected_) return reply;
    nak_sent_ = true;
    nak_sent_for_ = expected_;
    reply.kind = Reply::kNak;
    reply.nak = nak(seq, ErrorCode::kSeqGap, expected_, "");
    return reply;
  }
  const size_t n = msg.samples.count;
  if (n == 0 || n > kMaxChunk) {
    reply.kind = Reply::kNak;
    reply.nak = nak(seq, ErrorCode::kBadRequest, 0, "a chunk must hold 1 to 4096 samples");
    return reply;
  }
  if (n_chunks_ >= kWindow) {
    reply.kind = Reply::kNak;
    reply.nak = nak(seq, ErrorCode::kBusy, 0, "buffer full");
    return reply;
  }
  const bool start = restart || !have_prev_ || prev_end_ || prev_tag_ != msg.tag;
  Chunk& c = chunks_[(head_ + n_chunks_) % kWindow];
  c = Chunk{seq, msg.tag, (msg.flags & kEndOfClip) != 0, start, write_, n, 0, -1};
  for (size_t i = 0; i < n; ++i) samples_[(write_ + i) % kCapacity] = msg.samples[i];
  write_ = (write_ + n) % kCapacity;
  ++n_chunks_;
  have_prev_ = true;
  prev_tag_ = msg.tag;
  prev_end_ = c.end_of_clip;
  queued_ += n;
  received_ += n;
  expected_ = seq + 1;
  nak_sent_ = false;
  return reply;
}

bool InjectBuffer::take(size_t step, uint64_t board_index, int16_t* out, Block* block) {
  *block = Block{};
  if (!n_chunks_) return false;
  const Chunk& first = chunks_[head_];
  block->tag = first.tag;
  block->clip_start = first.clip_start && first.taken == 0;
  size_t n = 0;
  while (n < step && n_chunks_) {
    Chunk& c = chunks_[head_];
    if (n && c.clip_start && c.taken == 0) break;  // the next clip: not in this block
    if (c.first_index < 0) c.first_index = static_cast<int64_t>(board_index + n);
    const size_t k = step - n < c.n - c.taken ? step - n : c.n - c.taken;
    for (size_t i = 0; i < k; ++i) out[n + i] = samples_[(c.offset + c.taken + i) % kCapacity];
    c.taken += k;
    n += k;
    if (c.taken == c.n) {
      queued_ -= c.n;
      head_ = (head_ + 1) % kWindow;
      --n_chunks_;
      last_ack_ = Ack{static_cast<uint8_t>(MsgType::kInjectPcm), c.seq,
                      static_cast<uint32_t>(kCapacity - queued_),
                      static_cast<uint64_t>(c.first_index)};
      have_last_ack_ = true;
      block->acks[block->n_acks++] = last_ack_;
      if (c.end_of_clip) {
        block->clip_end = true;
        break;
      }
    }
  }
  block->n = n;
  in_clip_ = !block->clip_end;
  return true;
}

void InjectBuffer::abandon_clip() {
  ++underruns_;
  in_clip_ = false;
  if (have_prev_ && !n_chunks_) prev_end_ = true;
}

}  // namespace fw
