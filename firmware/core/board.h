// The board's main loop, independent of any SDK: answer the host, take the next block of audio
// (an injected clip, else the microphone), run the front end, stream FRAME / PCM, ACK injected
// chunks once consumed, and send HEARTBEAT every 500 ms (docs/protocol.md, section 6).
//
// Scheduling: each `poll` first reads and answers every host message that arrived, then
// processes at most `max_steps_per_poll` front-end steps of audio, sending each step's PCM
// and FRAME in production order, so control answers never wait behind a backlog of audio.
// Audio is paced by the microphone: each step of captured audio is replaced by a step of
// injected audio while a clip is queued (the captured step is discarded), so injection runs
// at the board's real rate; `fast_inject` processes injected audio without waiting (and
// waits for the rest of a clip whose buffer ran dry, discarding microphone audio meanwhile).
//
// Model: with `BoardConfig::model` (a `Model`: the coralmicro app's TFLM wrapper, a fake in the
// tests) INFO states its hash, window and hop and lists "results"; while RESULTS is started,
// each frame is quantized as TFLM's micro_features (int8) into a sliding window whose starts
// are frame indices that are multiples of the hop, and every full window is invoked and sent
// as a RESULT with the front-end / invoke / total split of the clock. Without a model INFO
// says so (model_sha256 null, no "results") and START of RESULTS is refused UNSUPPORTED.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "audio_ring.h"
#include "codec.h"
#include "decoder.h"
#include "frontend.h"
#include "inject_buffer.h"
#include "interfaces.h"
#include "messages.h"

namespace fw {

struct BoardConfig {
  const FrontendTables* tables = nullptr;
  const char* board = "coral-dev-board-micro";
  const char* firmware_version = "0.1.0";
  uint32_t cpu_clock_hz = 800000000;
  bool has_microphone = true;
  bool fast_inject = false;
  size_t max_steps_per_poll = 10;
  uint64_t heartbeat_us = 500000;
  //! With `fast_inject`, how long a clip whose buffer ran dry is waited for before it is cut
  //! (an underrun); in real time a dry clip is cut at once, as its samples are due.
  uint64_t fast_dry_wait_us = 10000000;
  //! The model runtime, or nullptr for none (must outlive the board).
  Model* model = nullptr;
  //! Frames between the starts of consecutive model windows (100 = 1 s at 10 ms).
  uint32_t model_hop_frames = 100;
};

struct BoardCounters {
  uint64_t samples = 0;     //!< samples that entered the front end since boot
  uint32_t frames = 0;      //!< front-end frames since boot
  uint64_t tx_overflows = 0;
  uint64_t mic_discarded = 0;  //!< captured samples replaced by injected ones
  uint64_t ignored = 0;        //!< host messages a board does not take
};

class Board : public PacketSink {
 public:
  static constexpr size_t kRxBuffer = kOverhead + 8 + 2 * InjectBuffer::kMaxChunk;
  static constexpr size_t kMicRing = 32000;  //!< 2 s at 16 kHz
  static constexpr size_t kMaxModelFrames = 512;  //!< longest model window (frames)
  static constexpr size_t kMaxModelCells = 512 * 40;  //!< frames x channels of that window

  Board(const BoardConfig& config, Transport& link, AudioSource& mic, Clock& clock);

  //! One pass of the main loop (see the file comment).
  void poll();
  //! Feed host bytes directly (tests; `poll` reads them from the transport).
  void receive(const uint8_t* data, size_t n);

  uint32_t streams() const { return streams_; }
  const BoardCounters& counters() const { return counters_; }
  const InjectBuffer& inject() const { return inject_; }
  const AudioRing& mic_ring() const { return ring_; }
  const DecoderStats& decoder_stats() const { return decoder_.stats(); }
  //! The model the board runs (nullptr: none, or its window does not fit `kMaxModelCells`).
  Model* model() const { return model_; }
  size_t info_json(char* out, size_t cap) const;

  void on_packet(const Packet& packet) override;

 private:
  bool send(const Message& msg);
  void handle_control(const Message& msg, uint32_t seq);
  void step_audio();
  void process_block(const int16_t* samples, size_t n, PcmSource source, uint32_t tag,
                     bool clip_start);
  void push_model_frame(const uint16_t* frame, uint64_t sample_index, uint32_t tag);

  BoardConfig cfg_;
  Transport& link_;
  AudioSource& mic_;
  Clock& clock_;
  MicroFrontend frontend_;
  InjectBuffer inject_;
  std::array<uint8_t, kRxBuffer> rx_{};
  Decoder decoder_;
  std::array<int16_t, kMicRing> ring_storage_{};
  AudioRing ring_;
  std::array<uint8_t, 4096> tx_{};
  std::array<uint32_t, kNumStreams> seq_{};
  std::array<int16_t, MicroFrontend::kMaxWindow> block_{};
  uint32_t streams_ = 0;
  uint64_t next_heartbeat_us_ = 0;
  uint64_t dry_since_us_ = 0;  // fast_inject: when the current clip's buffer ran dry (0: not)
  bool run_open_ = false;
  uint8_t run_source_ = 0;
  uint32_t run_tag_ = 0;
  uint64_t run_start_ = 0;
  uint64_t run_frames_ = 0;
  BoardCounters counters_;
  Model* model_ = nullptr;
  std::array<int8_t, kMaxModelCells> window_{};
  std::array<uint64_t, kMaxModelFrames> window_samples_{};
  std::array<uint32_t, kMaxModelFrames> window_tags_{};
  size_t window_n_ = 0;        // frames in the window so far
  uint32_t windows_sent_ = 0;  // RESULT window_index
  uint64_t frontend_us_ = 0;   // front-end time since the last inference
};

}  // namespace fw
