// The INFO document (docs/protocol.md 5, INFO) as compact JSON with sorted keys, byte for byte
// what the bench's `Info.payload()` makes for the same fields, so the golden INFO vector
// checks it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw {

struct InfoFields {
  const char* board = "coral-dev-board-micro";
  const char* firmware_version = "0.1.0";
  const char* model_sha256 = nullptr;  //!< nullptr: no model (JSON null)
  uint32_t sample_rate_hz = 16000;
  uint32_t cpu_clock_hz = 800000000;
  const char* const* capabilities = nullptr;
  size_t n_capabilities = 0;
  const char* frontend_json = "{}";  //!< the fe.* object, already JSON (from the tables)
  uint32_t inject_window = 8;
  uint32_t inject_max_chunk_samples = 4096;
  uint32_t model_window_frames = 0;  //!< with `model_hop_frames`: INFO "model" (0: left out)
  uint32_t model_hop_frames = 0;
};

//! Write the document into `out`; returns its length, 0 if it does not fit in `cap`.
size_t build_info_json(const InfoFields& f, char* out, size_t cap);

}  // namespace fw
