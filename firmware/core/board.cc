#include "board.h"

#include "info.h"

namespace fw {
namespace {

constexpr const char* kCapsMic[] = {"frames", "pcm", "inject_pcm", "microphone"};
constexpr const char* kCapsNoMic[] = {"frames", "pcm", "inject_pcm"};

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
}

size_t Board::info_json(char* out, size_t cap) const {
  InfoFields f;
  f.board = cfg_.board;
  f.firmware_version = cfg_.firmware_version;
  f.model_sha256 = nullptr;  // no model runtime in this core
  f.sample_rate_hz = cfg_.tables->sample_rate_hz;
  f.cpu_clock_hz = cfg_.cpu_clock_hz;
  f.capabilities = cfg_.has_microphone ? kCapsMic : kCapsNoMic;
  f.n_capabilities = cfg_.has_microphone ? 4 : 3;
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
    if (start->mask & kMaskResults) {
      send(Nak{static_cast<uint8_t>(MsgType::kStart), static_cast<uint16_t>(ErrorCode::kUnsupported),
               seq, 0, Text::of("this board has no model runtime")});
      return;
    }
    send(Ack{static_cast<uint8_t>(MsgType::kStart), seq, 0, 0});
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
    done += frontend_.push(samples + done, n - done, &ready);
    if (!ready) continue;
    const uint64_t index = run_start_ + run_frames_ * cfg_.tables->step_samples;
    if (streams_ & kMaskFrames) {
      send(Frame{clock_.now_us(), index, counters_.frames, tag,
                 WireArray<uint16_t>::of(frontend_.frame(), frontend_.channels())});
    }
    ++counters_.frames;
    ++run_frames_;
  }
  counters_.samples += n;
}

}  // namespace fw
