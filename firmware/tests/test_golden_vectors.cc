// The C++ codec against the golden protocol vectors (fixtures/protocol, made by the bench's
// Python codec): every .bin decodes to the fields of its .json, every .json encodes to its .bin,
// and the board's own INFO is byte for byte the golden INFO payload.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "board.h"
#include "codec.h"
#include "decoder.h"
#include "fakes.h"
#include "frontend_paper.h"

namespace {

using fw::testing::Capture;
using fw::testing::read_bytes;
using nlohmann::json;

const std::string kDir = FW_FIXTURES "/protocol";

std::vector<std::string> vector_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

json load_json(const std::string& name) {
  std::ifstream in(kDir + "/" + name + ".json");
  return json::parse(in);
}

const char* stream_name(fw::Stream s) {
  static const char* kNames[] = {"CONTROL", "FRAMES", "PCM", "RESULTS", "INJECT"};
  return kNames[static_cast<size_t>(s)];
}

std::string text(const fw::Text& t) { return std::string(t.data, t.size); }

//! Arrays a message built from JSON points at; must outlive the encode.
struct Storage {
  std::vector<uint16_t> u16;
  std::vector<int16_t> i16;
  std::vector<int8_t> i8;
  std::vector<float> f32;
  std::string text;
};

fw::Message from_json(const json& doc, Storage& st) {
  const std::string type = doc["message_type"];
  const json& p = doc["payload"];
  if (type == "HELLO") return fw::Hello{};
  if (type == "INFO") {
    st.text = p["document"].dump();  // only its length is compared: key order differs
    return fw::Info{fw::Text{st.text.data(), st.text.size()}};
  }
  if (type == "START") return fw::Start{p["stream_mask"]};
  if (type == "STOP") return fw::Stop{p["stream_mask"]};
  if (type == "ACK") return fw::Ack{p["acked_type"], p["acked_seq"], p["credit"], p["value"]};
  if (type == "NAK") {
    st.text = p["reason"];
    return fw::Nak{p["acked_type"], p["code"], p["acked_seq"], p["value"],
                   fw::Text{st.text.data(), st.text.size()}};
  }
  if (type == "HEARTBEAT") return fw::Heartbeat{p["uptime_us"], p["audio_overruns"], p["tx_overflows"]};
  if (type == "LOG" || type == "ERROR") {
    st.text = p["text"];
    const fw::Text t{st.text.data(), st.text.size()};
    if (type == "LOG") return fw::Log{p["level"], p["timestamp_us"], t};
    return fw::ErrorReport{p["code"], p["timestamp_us"], t};
  }
  if (type == "FRAME") {
    st.u16 = p["features"].get<std::vector<uint16_t>>();
    return fw::Frame{p["timestamp_us"], p["sample_index"], p["frame_index"], p["tag"],
                     fw::WireArray<uint16_t>::of(st.u16.data(), st.u16.size())};
  }
  if (type == "PCM") {
    st.i16 = p["samples"].get<std::vector<int16_t>>();
    return fw::Pcm{p["timestamp_us"], p["sample_index"], p["source"],
                   fw::WireArray<int16_t>::of(st.i16.data(), st.i16.size())};
  }
  if (type == "RESULT") {
    fw::Result r;
    r.timestamp_us = p["timestamp_us"];
    r.window_start_sample = p["window_start_sample"];
    r.window_end_sample = p["window_end_sample"];
    r.window_index = p["window_index"];
    r.tag_first = p["tag_first"];
    r.tag_last = p["tag_last"];
    r.frontend_us = p["frontend_us"];
    r.invoke_us = p["invoke_us"];
    r.total_us = p["total_us"];
    r.scale = p["scale"].get<float>();
    r.zero_point = p["zero_point"];
    r.score_type = p["score_type"];
    if (r.score_type == fw::kScoreInt8) {
      st.i8 = p["scores"].get<std::vector<int8_t>>();
      r.scores_i8 = fw::WireArray<int8_t>::of(st.i8.data(), st.i8.size());
    } else {
      st.f32 = p["scores"].get<std::vector<float>>();
      r.scores_f32 = fw::WireArray<float>::of(st.f32.data(), st.f32.size());
    }
    return r;
  }
  EXPECT_EQ(type, "INJECT_PCM");
  st.i16 = p["samples"].get<std::vector<int16_t>>();
  return fw::InjectPcm{p["tag"], p["flags"], fw::WireArray<int16_t>::of(st.i16.data(), st.i16.size())};
}

template <class T>
std::vector<T> values(const fw::WireArray<T>& a) {
  std::vector<T> out(a.count);
  for (size_t i = 0; i < a.count; ++i) out[i] = a[i];
  return out;
}

//! The decoded message's fields as the bench's plain form (protocol/plain.py).
json to_json(const fw::Message& m) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, fw::Hello>) {
          return json::object();
        } else if constexpr (std::is_same_v<T, fw::Info>) {
          return {{"document", json::parse(text(x.json))}};
        } else if constexpr (std::is_same_v<T, fw::Start> || std::is_same_v<T, fw::Stop>) {
          return {{"stream_mask", x.mask}};
        } else if constexpr (std::is_same_v<T, fw::Ack>) {
          return {{"acked_type", x.acked_type}, {"acked_seq", x.acked_seq}, {"credit", x.credit},
                  {"value", x.value}};
        } else if constexpr (std::is_same_v<T, fw::Nak>) {
          return {{"acked_type", x.acked_type}, {"code", x.code}, {"acked_seq", x.acked_seq},
                  {"value", x.value}, {"reason", text(x.reason)}};
        } else if constexpr (std::is_same_v<T, fw::Heartbeat>) {
          return {{"uptime_us", x.uptime_us}, {"audio_overruns", x.audio_overruns},
                  {"tx_overflows", x.tx_overflows}};
        } else if constexpr (std::is_same_v<T, fw::Log>) {
          return {{"level", x.level}, {"timestamp_us", x.timestamp_us}, {"text", text(x.text)}};
        } else if constexpr (std::is_same_v<T, fw::ErrorReport>) {
          return {{"code", x.code}, {"timestamp_us", x.timestamp_us}, {"text", text(x.text)}};
        } else if constexpr (std::is_same_v<T, fw::Frame>) {
          return {{"timestamp_us", x.timestamp_us}, {"sample_index", x.sample_index},
                  {"frame_index", x.frame_index}, {"tag", x.tag},
                  {"n_channels", x.features.count}, {"features", values(x.features)}};
        } else if constexpr (std::is_same_v<T, fw::Pcm>) {
          return {{"timestamp_us", x.timestamp_us}, {"sample_index", x.sample_index},
                  {"n_samples", x.samples.count}, {"source", x.source},
                  {"samples", values(x.samples)}};
        } else if constexpr (std::is_same_v<T, fw::Result>) {
          const bool f = x.score_type == fw::kScoreFloat32;
          json scores = f ? json(values(x.scores_f32)) : json(values(x.scores_i8));
          if (f) {  // JSON holds the float32 values as doubles
            scores = json::array();
            for (float v : values(x.scores_f32)) scores.push_back(static_cast<double>(v));
          }
          return {{"timestamp_us", x.timestamp_us},
                  {"window_start_sample", x.window_start_sample},
                  {"window_end_sample", x.window_end_sample},
                  {"window_index", x.window_index}, {"tag_first", x.tag_first},
                  {"tag_last", x.tag_last}, {"frontend_us", x.frontend_us},
                  {"invoke_us", x.invoke_us}, {"total_us", x.total_us},
                  {"scale", static_cast<double>(x.scale)}, {"zero_point", x.zero_point},
                  {"n_classes", f ? x.scores_f32.count : x.scores_i8.count},
                  {"score_type", x.score_type}, {"scores", scores}};
        } else {
          return {{"tag", x.tag}, {"flags", x.flags}, {"n_samples", x.samples.count},
                  {"samples", values(x.samples)}};
        }
      },
      m);
}

TEST(GoldenVectors, CoverEveryMessageType) {
  std::set<std::string> types;
  for (const auto& name : vector_names()) types.insert(load_json(name)["message_type"]);
  EXPECT_EQ(types, (std::set<std::string>{"HELLO", "INFO", "START", "STOP", "ACK", "NAK",
                                          "HEARTBEAT", "LOG", "ERROR", "FRAME", "PCM",
                                          "RESULT", "INJECT_PCM"}));
}

TEST(GoldenVectors, DecodeToTheirJson) {
  for (const auto& name : vector_names()) {
    SCOPED_TRACE(name);
    const json doc = load_json(name);
    const std::vector<uint8_t> wire = read_bytes(kDir + "/" + name + ".bin");
    Capture cap;
    cap.feed(wire.data(), wire.size());
    ASSERT_EQ(cap.packets.size(), 1u);
    EXPECT_EQ(cap.stats().crc_errors + cap.stats().broken_frames + cap.stats().garbage_bytes, 0u);
    const auto& p = cap.packets[0];
    EXPECT_EQ(p.seq, doc["header"]["seq"].get<uint32_t>());
    EXPECT_EQ(p.type, doc["header"]["type"].get<int>());
    EXPECT_EQ(fw::type_name(p.type), doc["message_type"].get<std::string>());
    EXPECT_EQ(stream_name(p.stream), doc["stream"].get<std::string>());
    EXPECT_EQ(to_json(p.message()), doc["payload"]);
  }
}

TEST(GoldenVectors, JsonEncodesToTheirBytes) {
  for (const auto& name : vector_names()) {
    if (name == "INFO") continue;  // a JSON document re-serialised by nlohmann differs: below
    SCOPED_TRACE(name);
    const json doc = load_json(name);
    Storage st;
    const fw::Message m = from_json(doc, st);
    std::vector<uint8_t> out(fw::kMaxFrame);
    const size_t n = fw::encode(m, doc["header"]["seq"], out.data(), out.size());
    out.resize(n);
    EXPECT_EQ(out, read_bytes(kDir + "/" + name + ".bin"));
  }
}

class NullLink : public fw::Transport {
  size_t read(uint8_t*, size_t) override { return 0; }
  bool write(const uint8_t*, size_t) override { return true; }
};

TEST(GoldenVectors, TheBoardsInfoIsTheGoldenInfo) {
  fw::BoardConfig cfg;
  cfg.tables = &fw::tables::paper::kTables;
  NullLink link;
  fw::testing::FakeMic mic;
  fw::testing::FakeClock clock;
  fw::Board board(cfg, link, mic, clock);
  char doc[2048];
  const size_t n = board.info_json(doc, sizeof doc);
  ASSERT_GT(n, 0u);
  std::vector<uint8_t> out(fw::kMaxFrame);
  const size_t size = fw::encode(fw::Info{fw::Text{doc, n}}, 1, out.data(), out.size());
  out.resize(size);
  EXPECT_EQ(out, read_bytes(kDir + "/INFO.bin"));
}

TEST(GoldenVectors, AllInOneStreamInRandomChunks) {
  std::vector<uint8_t> stream;
  std::vector<std::string> names = vector_names();
  for (const auto& name : names) {
    const auto b = read_bytes(kDir + "/" + name + ".bin");
    stream.insert(stream.end(), b.begin(), b.end());
  }
  std::mt19937 rng(7);
  Capture cap;
  for (size_t pos = 0; pos < stream.size();) {
    const size_t n = std::min<size_t>(stream.size() - pos, 1 + rng() % 97);
    cap.feed(stream.data() + pos, n);
    pos += n;
  }
  ASSERT_EQ(cap.packets.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(to_json(cap.packets[i].message()), load_json(names[i])["payload"]) << names[i];
  }
}

}  // namespace
