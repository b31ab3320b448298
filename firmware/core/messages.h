// The protocol's message types and payloads (docs/protocol.md, sections 2, 3 and 5).
//
// One struct per message type; `write_payload` packs it, `parse_message` reads a received
// payload in place (arrays and texts point into the receive buffer, valid during the packet
// callback only). A payload longer than its layout is accepted (later minor versions append
// fields); a shorter one is reported as `ParseStatus::kShort`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <variant>

#include "wire.h"

namespace fw {

enum class MsgType : uint8_t {
  kHello = 0x01,
  kInfo = 0x02,
  kStart = 0x03,
  kStop = 0x04,
  kAck = 0x05,
  kNak = 0x06,
  kHeartbeat = 0x07,
  kLog = 0x08,
  kError = 0x09,
  kFrame = 0x20,
  kPcm = 0x21,
  kResult = 0x22,
  kInjectPcm = 0x40,
};

enum class Stream : uint8_t { kControl = 0, kFrames = 1, kPcm = 2, kResults = 3, kInject = 4 };
constexpr size_t kNumStreams = 5;

//! START / STOP mask bits (1 << stream).
constexpr uint32_t kMaskFrames = 1u << 1;
constexpr uint32_t kMaskPcm = 1u << 2;
constexpr uint32_t kMaskResults = 1u << 3;
constexpr uint32_t kMaskStartable = kMaskFrames | kMaskPcm | kMaskResults;

enum class ErrorCode : uint16_t {
  kGeneric = 1,
  kUnsupported = 2,
  kBadRequest = 3,
  kBusy = 4,
  kSeqGap = 5,
  kNoModel = 6,
  kAudioOverrun = 7,
  kInternal = 8,
};

enum class LogLevel : uint8_t { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
enum class PcmSource : uint8_t { kMicrophone = 0, kInjected = 1, kSpeaker = 2 };
constexpr uint16_t kEndOfClip = 0x0001;
constexpr uint8_t kScoreInt8 = 1;
constexpr uint8_t kScoreFloat32 = 2;

struct Hello {};
struct Info {
  Text json;  //!< the UTF-8 JSON document
};
struct Start {
  uint32_t mask = 0;
};
struct Stop {
  uint32_t mask = 0;
};
struct Ack {
  uint8_t acked_type = 0;
  uint32_t acked_seq = 0;
  uint32_t credit = 0;
  uint64_t value = 0;
};
struct Nak {
  uint8_t acked_type = 0;
  uint16_t code = 0;
  uint32_t acked_seq = 0;
  uint32_t value = 0;
  Text reason;
};
struct Heartbeat {
  uint64_t uptime_us = 0;
  uint32_t audio_overruns = 0;
  uint32_t tx_overflows = 0;
};
struct Log {
  uint8_t level = 0;
  uint64_t timestamp_us = 0;
  Text text;
};
struct ErrorReport {
  uint16_t code = 0;
  uint64_t timestamp_us = 0;
  Text text;
};
struct Frame {
  uint64_t timestamp_us = 0;
  uint64_t sample_index = 0;
  uint32_t frame_index = 0;
  uint32_t tag = 0;
  WireArray<uint16_t> features;
};
struct Pcm {
  uint64_t timestamp_us = 0;
  uint64_t sample_index = 0;
  uint8_t source = 0;
  WireArray<int16_t> samples;
};
struct Result {
  uint64_t timestamp_us = 0;
  uint64_t window_start_sample = 0;
  uint64_t window_end_sample = 0;
  uint32_t window_index = 0;
  uint32_t tag_first = 0;
  uint32_t tag_last = 0;
  uint32_t frontend_us = 0;
  uint32_t invoke_us = 0;
  uint32_t total_us = 0;
  float scale = 1.0f;
  int32_t zero_point = 0;
  uint8_t score_type = kScoreInt8;  //!< selects which of the two arrays is sent
  WireArray<int8_t> scores_i8;
  WireArray<float> scores_f32;
};
struct InjectPcm {
  uint32_t tag = 0;
  uint16_t flags = 0;
  WireArray<int16_t> samples;
};

using Message = std::variant<Hello, Info, Start, Stop, Ack, Nak, Heartbeat, Log, ErrorReport,
                             Frame, Pcm, Result, InjectPcm>;

//! Type number and stream of each message struct.
template <class M>
struct MessageTraits;
#define FW_TRAITS(M, T, S)                                 \
  template <>                                              \
  struct MessageTraits<M> {                                \
    static constexpr MsgType kType = MsgType::T;           \
    static constexpr Stream kStream = Stream::S;           \
  };
FW_TRAITS(Hello, kHello, kControl)
FW_TRAITS(Info, kInfo, kControl)
FW_TRAITS(Start, kStart, kControl)
FW_TRAITS(Stop, kStop, kControl)
FW_TRAITS(Ack, kAck, kControl)
FW_TRAITS(Nak, kNak, kControl)
FW_TRAITS(Heartbeat, kHeartbeat, kControl)
FW_TRAITS(Log, kLog, kControl)
FW_TRAITS(ErrorReport, kError, kControl)
FW_TRAITS(Frame, kFrame, kFrames)
FW_TRAITS(Pcm, kPcm, kPcm)
FW_TRAITS(Result, kResult, kResults)
FW_TRAITS(InjectPcm, kInjectPcm, kInject)
#undef FW_TRAITS

MsgType type_of(const Message& m);
Stream stream_of(const Message& m);
//! Name of a type number ("FRAME"), or nullptr when the type is not one of version 1's.
const char* type_name(uint8_t type);

void write_payload(const Message& m, Writer& w);

enum class ParseStatus { kOk, kUnknownType, kShort, kBad };
ParseStatus parse_message(uint8_t type, const uint8_t* payload, size_t n, Message* out);

}  // namespace fw
