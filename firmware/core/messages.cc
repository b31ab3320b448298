#include "messages.h"

namespace fw {
namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

void text(Writer& w, const Text& t) { w.bytes(t.data, t.size); }

}  // namespace

MsgType type_of(const Message& m) {
  return std::visit([](const auto& x) { return MessageTraits<std::decay_t<decltype(x)>>::kType; },
                    m);
}

Stream stream_of(const Message& m) {
  return std::visit(
      [](const auto& x) { return MessageTraits<std::decay_t<decltype(x)>>::kStream; }, m);
}

const char* type_name(uint8_t type) {
  switch (static_cast<MsgType>(type)) {
    case MsgType::kHello: return "HELLO";
    case MsgType::kInfo: return "INFO";
    case MsgType::kStart: return "START";
    case MsgType::kStop: return "STOP";
    case MsgType::kAck: return "ACK";
    case MsgType::kNak: return "NAK";
    case MsgType::kHeartbeat: return "HEARTBEAT";
    case MsgType::kLog: return "LOG";
    case MsgType::kError: return "ERROR";
    case MsgType::kFrame: return "FRAME";
    case MsgType::kPcm: return "PCM";
    case MsgType::kResult: return "RESULT";
    case MsgType::kInjectPcm: return "INJECT_PCM";
  }
  return nullptr;
}

void write_payload(const Message& m, Writer& w) {
  std::visit(
      Overload{
          [&](const Hello&) {},
          [&](const Info& x) { text(w, x.json); },
          [&](const Start& x) { w.u32(x.mask); },
          [&](const Stop& x) { w.u32(x.mask); },
          [&](const Ack& x) {
            w.u8(x.acked_type), w.u8(0), w.u16(0), w.u32(x.acked_seq), w.u32(x.credit);
            w.u64(x.value);
          },
          [&](const Nak& x) {
            w.u8(x.acked_type), w.u8(0), w.u16(x.code), w.u32(x.acked_seq), w.u32(x.value);
            text(w, x.reason);
          },
          [&](const Heartbeat& x) {
            w.u64(x.uptime_us), w.u32(x.audio_overruns), w.u32(x.tx_overflows);
          },
          [&](const Log& x) {
            w.u8(x.level), w.u8(0), w.u16(0), w.u64(x.timestamp_us);
            text(w, x.text);
          },
          [&](const ErrorReport& x) {
            w.u16(x.code), w.u16(0), w.u64(x.timestamp_us);
            text(w, x.text);
          },
          [&](const Frame& x) {
            w.u64(x.timestamp_us), w.u64(x.sample_index), w.u32(x.frame_index), w.u32(x.tag);
            w.u16(static_cast<uint16_t>(x.features.count)), w.u16(0);
            x.features.write(w);
          },
          [&](const Pcm& x) {
            w.u64(x.timestamp_us), w.u64(x.sample_index);
            w.u16(static_cast<uint16_t>(x.samples.count)), w.u8(x.source), w.u8(0);
            x.samples.write(w);
          },
          [&](const Result& x) {
            const bool f32 = x.score_type == kScoreFloat32;
            w.u64(x.timestamp_us), w.u64(x.window_start_sample), w.u64(x.window_end_sample);
            w.u32(x.window_index), w.u32(x.tag_first), w.u32(x.tag_last);
            w.u32(x.frontend_us), w.u32(x.invoke_us), w.u32(x.total_us);
            w.f32(x.scale), w.u32(static_cast<uint32_t>(x.zero_point));
            w.u16(static_cast<uint16_t>(f32 ? x.scores_f32.count : x.scores_i8.count));
            w.u8(x.score_type), w.u8(0);
            if (f32) {
              x.scores_f32.write(w);
            } else {
              x.scores_i8.write(w);
            }
          },
          [&](const InjectPcm& x) {
            w.u32(x.tag), w.u16(x.flags), w.u16(static_cast<uint16_t>(x.samples.count));
            x.samples.write(w);
          },
      },
      m);
}

ParseStatus parse_message(uint8_t type, const uint8_t* p, size_t n, Message* out) {
  auto txt = [&](size_t off) { return Text{reinterpret_cast<const char*>(p + off), n - off}; };
  switch (static_cast<MsgType>(type)) {
    case MsgType::kHello:
      *out = Hello{};
      return ParseStatus::kOk;
    case MsgType::kInfo:
      *out = Info{txt(0)};
      return ParseStatus::kOk;
    case MsgType::kStart:
    case MsgType::kStop:
      if (n < 4) return ParseStatus::kShort;
      if (static_cast<MsgType>(type) == MsgType::kStart) {
        *out = Start{rd_u32(p)};
      } else {
        *out = Stop{rd_u32(p)};
      }
      return ParseStatus::kOk;
    case MsgType::kAck:
      if (n < 20) return ParseStatus::kShort;
      *out = Ack{p[0], rd_u32(p + 4), rd_u32(p + 8), rd_u64(p + 12)};
      return ParseStatus::kOk;
    case MsgType::kNak:
      if (n < 12) return ParseStatus::kShort;
      *out = Nak{p[0], rd_u16(p + 2), rd_u32(p + 4), rd_u32(p + 8), txt(12)};
      return ParseStatus::kOk;
    case MsgType::kHeartbeat:
      if (n < 16) return ParseStatus::kShort;
      *out = Heartbeat{rd_u64(p), rd_u32(p + 8), rd_u32(p + 12)};
      return ParseStatus::kOk;
    case MsgType::kLog:
      if (n < 12) return ParseStatus::kShort;
      *out = Log{p[0], rd_u64(p + 4), txt(12)};
      return ParseStatus::kOk;
    case MsgType::kError:
      if (n < 12) return ParseStatus::kShort;
      *out = ErrorReport{rd_u16(p), rd_u64(p + 4), txt(12)};
      return ParseStatus::kOk;
    case MsgType::kFrame: {
      if (n < 28) return ParseStatus::kShort;
      const size_t count = rd_u16(p + 24);
      if (n < 28 + 2 * count) return ParseStatus::kShort;
      *out = Frame{rd_u64(p), rd_u64(p + 8), rd_u32(p + 16), rd_u32(p + 20),
                   WireArray<uint16_t>::on_wire(p + 28, count)};
      return ParseStatus::kOk;
    }
    case MsgType::kPcm: {
      if (n < 20) return ParseStatus::kShort;
      const size_t count = rd_u16(p + 16);
      if (n < 20 + 2 * count) return ParseStatus::kShort;
      *out = Pcm{rd_u64(p), rd_u64(p + 8), p[18], WireArray<int16_t>::on_wire(p + 20, count)};
      return ParseStatus::kOk;
    }
    case MsgType::kResult: {
      if (n < 60) return ParseStatus::kShort;
      Result r;
      r.timestamp_us = rd_u64(p);
      r.window_start_sample = rd_u64(p + 8);
      r.window_end_sample = rd_u64(p + 16);
      r.window_index = rd_u32(p + 24);
      r.tag_first = rd_u32(p + 28);
      r.tag_last = rd_u32(p + 32);
      r.frontend_us = rd_u32(p + 36);
      r.invoke_us = rd_u32(p + 40);
      r.total_us = rd_u32(p + 44);
      r.scale = rd_f32(p + 48);
      r.zero_point = static_cast<int32_t>(rd_u32(p + 52));
      const size_t count = rd_u16(p + 56);
      r.score_type = p[58];
      if (r.score_type == kScoreInt8) {
        if (n < 60 + count) return ParseStatus::kShort;
        r.scores_i8 = WireArray<int8_t>::on_wire(p + 60, count);
      } else if (r.score_type == kScoreFloat32) {
        if (n < 60 + 4 * count) return ParseStatus::kShort;
        r.scores_f32 = WireArray<float>::on_wire(p + 60, count);
      } else {
        return ParseStatus::kBad;
      }
      *out = r;
      return ParseStatus::kOk;
    }
    case MsgType::kInjectPcm: {
      if (n < 8) return ParseStatus::kShort;
      const size_t count = rd_u16(p + 6);
      if (n < 8 + 2 * count) return ParseStatus::kShort;
      *out = InjectPcm{rd_u32(p), rd_u16(p + 4), WireArray<int16_t>::on_wire(p + 8, count)};
      return ParseStatus::kOk;
    }
  }
  return ParseStatus::kUnknownType;
}

}  // namespace fw
