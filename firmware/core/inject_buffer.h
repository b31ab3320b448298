// The board side of INJECT_PCM (docs/protocol.md 6.3): go-back-N sequencing, clips, and
// flow control by ACK-on-consume.
//
// In-order chunks are queued (at most `kWindow` of them); a chunk is ACKed (cumulatively, with
// the free room as `credit` and the board sample index of its first sample as `value`) only
// when the front end has consumed all of it. A gap NAKs SEQ_GAP once and discards chunks until
// the expected one arrives; a duplicate re-sends the last ACK; a chunk arriving with the
// buffer full is NAKed BUSY. A clip starts at seq 0, after END_OF_CLIP, or when the tag
// changes; `take` never mixes two clips in one block, so the board resets its front end exactly
// at a clip's first sample. Same behaviour as the virtual board (emulator/inject.py).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "messages.h"

namespace fw {

class InjectBuffer {
 public:
  static constexpr size_t kWindow = 8;
  static constexpr size_t kMaxChunk = 4096;
  static constexpr size_t kCapacity = kWindow * kMaxChunk;

  //! What to answer a chunk with (at most one reply).
  struct Reply {
    enum Kind { kNone, kAck, kNak } kind = kNone;
    Ack ack;
    Nak nak;
  };

  //! Samples of one clip for one front-end block, and the chunks it finished.
  struct Block {
    size_t n = 0;
    uint32_t tag = 0;
    bool clip_start = false;
    bool clip_end = false;
    size_t n_acks = 0;
    std::array<Ack, kWindow> acks{};
  };

  Reply on_chunk(uint32_t seq, const InjectPcm& msg);
  //! Up to `step` samples of the head clip into `out`; `board_index` is the board sample index
  //! the first of them will have. Returns false when nothing is queued.
  bool take(size_t step, uint64_t board_index, int16_t* out, Block* block);
  //! The clip ran dry mid-way: its next chunk starts a new clip.
  void abandon_clip();

  size_t queued() const { return queued_; }
  bool in_clip() const { return in_clip_; }
  uint32_t expected() const { return expected_; }
  uint64_t samples_received() const { return received_; }
  uint64_t underruns() const { return underruns_; }

 private:
  struct Chunk {
    uint32_t seq;
    uint32_t tag;
    bool end_of_clip;
    bool clip_start;
    size_t offset;  // first sample in `samples_`
    size_t n;
    size_t taken;
    int64_t first_index;
  };

  std::array<int16_t, kCapacity> samples_{};
  std::array<Chunk, kWindow> chunks_{};
  size_t head_ = 0;      // index of the oldest chunk in `chunks_`
  size_t n_chunks_ = 0;
  size_t write_ = 0;     // next free sample slot (ring)
  size_t queued_ = 0;
  uint32_t expected_ = 0;
  bool nak_sent_ = false;
  uint32_t nak_sent_for_ = 0;
  bool have_last_ack_ = false;
  Ack last_ack_{};
  bool have_prev_ = false;
  uint32_t prev_tag_ = 0;
  bool prev_end_ = false;
  bool in_clip_ = false;
  uint64_t received_ = 0;
  uint64_t underruns_ = 0;
};

}  // namespace fw
