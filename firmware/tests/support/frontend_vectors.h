// Check the firmware MicroFrontend against the bench reference's frames in fixtures/frontend
// (scripts/make_frontend_vectors.py). Plain C stdio only, so the same check runs in the host
// GoogleTest suite and in the Cortex-M7 build under qemu.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace fw::testing {

struct VectorReport {
  size_t cases = 0;          //!< (config, stimulus) pairs checked
  size_t frames = 0;         //!< frames compared
  size_t mismatches = 0;     //!< cells that differ (any amount)
  size_t failures = 0;       //!< cases that failed (mismatch, count, missing file)
  uint64_t checksum = 14695981039346656037ull;  //!< FNV-1a of every frame the firmware computed, in order
};

//! Run every case of `dir`/MANIFEST.txt, pushing each stimulus whole and in chunks of
//! `chunk` samples (0: whole only). `flip_lsb` flips the lowest bit of one expected cell
//! first (a self-check: the report must then fail). Details of failures go to `log`.
VectorReport check_frontend_vectors(const char* dir, size_t chunk, bool flip_lsb,
                                    std::FILE* log);

}  // namespace fw::testing
