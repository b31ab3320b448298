#include "board.h"

#include "info.h"

#include <cstring>

namespace fw {
namespace {

constexpr const char* kCapsMic[] = {"frames", "pcm", "inject_pcm", "microphone"};
constexpr const char* kCapsNoMic[] = {"frames", "pcm", "inject_pcm"};
constexpr const char* kCapsMicModel[] = {"frames", "pcm", "results", "inject_pcm", "microphone"};
constexpr const char* kCapsNoMicModel[] = {"frames", "pcm", "results", "inject_pcm"};

//! TFLM micro_features' uint16 -> int8 quantization (the bench's `to_int8`).
int8_t to_int8(uint16_t v) {
  const int32_t q = (static_cast<int32_t>(v) * 256 + 333) / 666 - 128;
  return static_cast<int8_t>(q < -128 ? -128 : q > 127 ? 127 : q);
}

}  // namespace

Board::Board(const BoardConfig& config, Transport& link, AudioSource& mic, Clock& clock)
    : cfg_(config),
      link_(link),
      mic_(mic),
      clock_(clock),
      frontend_(*config.tables),
      decoder_(rx_.data(), rx_.size()),
      ring_(ring_storage_.data(), ring_storage_.size()) {
  next_heartbeat_us_ = clock_.now_us();
  Model* m = config.model;
  if (m && m->window_frames() >= 1 && m->window_frames() <= kMaxModelFrames &&
      m->window_frames() * config.tables->n_channels <= kMaxModelCells &&
      m->n_classes() >= 1 && m->n_classes() <= 256 && cfg_.model_hop_frames >= 1) {
    model_ = m;
  }
}

size_t Board::info_json(char* out, size_t cap) const {
  InfoFields f;
  f.board = cfg_.board;
  f.firmware_version = cfg_.firmware_version;
  f.model_sha256 = model_ ? model_->sha256() : nullptr;
  f.sample_rate_hz = cfg_.tables->sample_rate_hz;
  f.cpu_clock_hz = cfg_.cpu_clock_hz;
  if (model_) {
    f.capabilities = cfg_.has_microphone ? kCapsMicModel : kCapsNoMicModel;
    f.n_capabilities = cfg_.has_microphone ? 5 : 4;
    f.model_window_frames = static_cast<uint32_t>(model_->window_frames());
    f.model_hop_frames = cfg_.model_hop_frames;
  } else {
    f.capabilities = cfg_.has_microphone ? kCapsMic : kCapsNoMic;
    f.n_capabilities = cfg_.has_microphone ? 4 : 3;
  }
  f.frontend_json = cfg_.tables->frontend_json;
  f.inject_window = InjectBuffer::kWindow;
  f.inject_max_chunk_samples = InjectBuffer::kMaxChunk;
  return build_info_json(f, out, cap);
}

bool Board::send(const Message& msg) {
  const size_t s = static_cast<size_t>(stream_of(msg));
  const size_t n = encode(msg, seq_[s], tx_.data(), tx_.size());
  if (n == 0 || !link_.write(tx_.data(), n)) {
    // not a link loss: the host sees no gap in the sequence numbers, HEARTBEAT counts it
    ++counters_.tx_overflows;
    return false;
  }
  ++seq_[s];
  return true;
}

void Board::receive(const uint8_t* data, size_t n) { decoder_.feed(data, n, *this); }

void Board::on_packet(const Packet& p) { handle_control(p.message, p.seq); }

void Board::handle_control(const Message& msg, uint32_t seq) {
  const uint64_t now = clock_.now_us();
  if (std::holds_alternative<Hello>(msg)) {
    char json[1536];
    const size_t n = info_json(json, sizeof json);
    send(Info{Text{json, n}});
  } else if (const auto* in = std::get_if<InjectPcm>(&msg)) {
    const InjectBuffer::Reply r = inject_.on_chunk(seq, *in);
    if (r.kind == InjectBuffer::Reply::kAck) send(r.ack);
    if (r.kind == InjectBuffer::Reply::kNak) send(r.nak);
  } else if (const auto* start = std::get_if<Start>(&msg)) {
    if ((start->mask & kMaskResults) && !model_) {
      send(Nak{static_cast<uint8_t>(MsgType::kStart), static_cast<uint16_t>(ErrorCode::kUnsupported),
               seq, 0, Text::of("this board has no model runtime")});
      return;
    }
    send(Ack{static_cast<uint8_t>(MsgType::kStart), seq, 0, 0});
    if ((start->mask & kMaskResults) && !(streams_ & kMaskResults)) {
      window_n_ = 0;  // the window buffer restarts with the stream
      frontend_us_ = 0;
    }
    streams_ |= start->mask & kMaskStartable;
  } else if (const auto* stop = std::get_if<Stop>(&msg)) {
    send(Ack{static_cast<uint8_t>(MsgType::kStop), seq, 0, 0});
    streams_ &= ~stop->mask;
  } else if (std::holds_alternative<Info>(msg) || std::holds_alternative<Ack>(msg) ||
             std::holds_alternative<Nak>(msg) || std::holds_alternative<Heartbeat>(msg)) {
    // the host may send these; a board needs no answer
  } else {
    ++counters_.ignored;
    char text[64] = "ignored a ";
    const char* name = type_name(static_cast<uint8_t>(type_of(msg)));
    size_t k = 10;
    for (; *name && k < sizeof text - 16; ++name) text[k++] = *name;
    const char tail[] = " from the host";
    for (size_t i = 0; tail[i]; ++i) text[k++] = tail[i];
    send(Log{static_cast<uint8_t>(LogLevel::kWarning), now, Text{text, k}});
  }
}

void Board::poll() {
  uint8_t buf[512];
  for (size_t n; (n = link_.read(buf, sizeof buf)) > 0;) receive(buf, n);
  const uint64_t now = clock_.now_us();
  if (now >= next_heartbeat_us_) {
    next_heartbeat_us_ = now + cfg_.heartbeat_us;
    const uint64_t lost = ring_.overruns() + inject_.underruns();
    send(Heartbeat{now, static_cast<uint32_t>(lost), static_cast<uint32_t>(counters_.tx_overflows)});
  }
  int16_t cap[512];
  for (size_t n; (n = mic_.read(cap, sizeof cap / sizeof cap[0])) > 0;) ring_.push(cap, n);
  const size_t step = cfg_.tables->step_samples;
  for (size_t i = 0; i < cfg_.max_steps_per_poll; ++i) {
    const bool inject_now = inject_.queued() > 0;
    if (inject_now) dry_since_us_ = 0;
    if (inject_now && cfg_.fast_inject) {
      step_audio();
      continue;
    }
    if (!inject_now && inject_.in_clip() && cfg_.fast_inject) {
      if (dry_since_us_ == 0) dry_since_us_ = now;
      if (now - dry_since_us_ < cfg_.fast_dry_wait_us) {
        counters_.mic_discarded += ring_.discard(ring_.size());  // the clip goes on: wait
        break;
      }
      dry_since_us_ = 0;  // give up: step_audio cuts the clip (an underrun)
    }
    if (ring_.size() < step) break;
    if (inject_now) counters_.mic_discarded += ring_.discard(step);  // replaced by the clip
    step_audio();
  }
}

void Board::step_audio() {
  const size_t step = cfg_.tables->step_samples;
  InjectBuffer::Block block;
  if (inject_.take(step, counters_.samples, block_.data(), &block)) {
    process_block(block_.data(), block.n, PcmSource::kInjected, block.tag, block.clip_start);
    for (size_t i = 0; i < block.n_acks; ++i) send(block.acks[i]);
    return;
  }
  if (inject_.in_clip()) inject_.abandon_clip();  // the clip ran dry: an underrun
  const size_t n = ring_.pop(block_.data(), step);
  process_block(block_.data(), n, PcmSource::kMicrophone, 0, false);
}

void Board::process_block(const int16_t* samples, size_t n, PcmSource source, uint32_t tag,
                          bool clip_start) {
  const uint8_t src = static_cast<uint8_t>(source);
  if (clip_start || !run_open_ || src != run_source_ || tag != run_tag_) {
    frontend_.reset();  // a new run: as a fresh PrepareAudioFrontEnd
    run_open_ = true;
    run_source_ = src;
    run_tag_ = tag;
    run_start_ = counters_.samples;
    run_frames_ = 0;
  }
  const uint64_t start_index = counters_.samples;
  const uint64_t now = clock_.now_us();
  if (streams_ & kMaskPcm) {
    send(Pcm{now, start_index, src, WireArray<int16_t>::of(samples, n)});
  }
  size_t done = 0;
  while (done < n) {
    bool ready = false;
    const uint64_t t0 = clock_.now_us();
    done += frontend_.push(samples + done, n - done, &ready);
    frontend_us_ += clock_.now_us() - t0;
    if (!ready) continue;
    const uint64_t index = run_start_ + run_frames_ * cfg_.tables->step_samples;
    if (streams_ & kMaskFrames) {
      send(Frame{clock_.now_us(), index, counters_.frames, tag,
                 WireArray<uint16_t>::of(frontend_.frame(), frontend_.channels())});
    }
    if (model_ && (streams_ & kMaskResults)) push_model_frame(frontend_.frame(), index, tag);
    ++counters_.frames;
    ++run_frames_;
  }
  counters_.samples += n;
}

void Board::push_model_frame(const uint16_t* frame, uint64_t sample_index, uint32_t tag) {
  const size_t ch = frontend_.channels();
  const size_t width = model_->window_frames();
  const size_t hop = cfg_.model_hop_frames;
  if (window_n_ == 0 && counters_.frames % hop != 0) return;  // windows start on the hop grid
  for (size_t c = 0; c < ch; ++c) window_[window_n_ * ch + c] = to_int8(frame[c]);
  window_samples_[window_n_] = sample_index;
  window_tags_[window_n_] = tag;
  if (++window_n_ < width) return;
  int8_t scores[256];
  float scale = 1.0f;
  int32_t zero_point = 0;
  const uint64_t t0 = clock_.now_us();
  const bool ok = model_->invoke(window_.data(), scores, &scale, &zero_point);
  const uint64_t t1 = clock_.now_us();
  if (ok) {
    Result r;
    r.timestamp_us = t1;
    r.window_start_sample = window_samples_[0];
    r.window_end_sample = window_samples_[width - 1] + cfg_.tables->window_samples;
    r.window_index = windows_sent_++;
    r.tag_first = window_tags_[0];
    r.tag_last = window_tags_[width - 1];
    r.frontend_us = static_cast<uint32_t>(frontend_us_);
    r.invoke_us = static_cast<uint32_t>(t1 - t0);
    r.total_us = static_cast<uint32_t>(frontend_us_ + (t1 - t0));
    r.scale = scale;
    r.zero_point = zero_point;
    r.score_type = kScoreInt8;
    r.scores_i8 = WireArray<int8_t>::of(scores, model_->n_classes());
    send(r);
  } else {
    send(Log{static_cast<uint8_t>(LogLevel::kError), t1, Text::of("model invoke failed")});
  }
  frontend_us_ = 0;
  const size_t keep = hop < width ? width - hop : 0;  // slide by the hop
  if (keep) {
    std::memmove(window_.data(), window_.data() + (width - keep) * ch, keep * ch);
    std::memmove(window_samples_.data(), window_samples_.data() + width - keep,
                 keep * sizeof(uint64_t));
    std::memmove(window_tags_.data(), window_tags_.data() + width - keep, keep * sizeof(uint32_t));
  }
  window_n_ = keep;
}

}  // namespace fw
