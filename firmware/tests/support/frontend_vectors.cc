#include "frontend_vectors.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "frontend.h"
#include "tables_registry.h"

namespace fw::testing {
namespace {

bool read_file(const std::string& path, std::vector<uint8_t>* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out->clear();
  uint8_t buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out->insert(out->end(), buf, buf + n);
  std::fclose(f);
  return true;
}

//! Frames of `pcm` from a fresh front end, pushing `chunk` samples at a time (0: all at once).
std::vector<uint16_t> run(const FrontendTables& t, const std::vector<int16_t>& pcm,
                          size_t chunk) {
  MicroFrontend fe(t);
  std::vector<uint16_t> out;
  size_t pos = 0;
  while (pos < pcm.size()) {
    size_t end = chunk ? pos + chunk : pcm.size();
    if (end > pcm.size()) end = pcm.size();
    while (pos < end) {
      bool ready = false;
      pos += fe.push(pcm.data() + pos, end - pos, &ready);
      if (ready) out.insert(out.end(), fe.frame(), fe.frame() + fe.channels());
    }
  }
  return out;
}

}  // namespace

VectorReport check_frontend_vectors(const char* dir, size_t chunk, bool flip_lsb,
                                    std::FILE* log) {
  VectorReport rep;
  std::vector<uint8_t> manifest;
  const std::string root(dir);
  if (!read_file(root + "/MANIFEST.txt", &manifest)) {
    std::fprintf(log, "cannot read %s/MANIFEST.txt\n", dir);
    rep.failures = 1;
    return rep;
  }
  manifest.push_back(0);
  bool flipped = false;
  char* next = reinterpret_cast<char*>(manifest.data());
  while (*next) {
    char* line = next;
    char* nl = std::strchr(line, '\n');
    next = nl ? nl + 1 : line + std::strlen(line);
    if (nl) *nl = 0;
    char config[64], stimulus[64];
    unsigned long n_samples = 0, n_frames = 0, n_channels = 0;  // newlib-nano: no %zu
    if (std::sscanf(line, "%63s %63s %lu %lu %lu", config, stimulus, &n_samples, &n_frames,
                    &n_channels) != 5) {
      continue;
    }
    ++rep.cases;
    const FrontendTables* t = fw::tables_by_name(config);
    std::vector<uint8_t> pcm_bytes, expected_bytes;
    if (!t || !read_file(root + "/pcm/" + stimulus + ".i16", &pcm_bytes) ||
        !read_file(root + "/" + config + "/" + stimulus + ".u16", &expected_bytes)) {
      std::fprintf(log, "%s/%s: missing tables or files\n", config, stimulus);
      ++rep.failures;
      continue;
    }
    std::vector<int16_t> pcm(pcm_bytes.size() / 2);
    for (size_t i = 0; i < pcm.size(); ++i) {
      pcm[i] = static_cast<int16_t>(pcm_bytes[2 * i] | (pcm_bytes[2 * i + 1] << 8));
    }
    std::vector<uint16_t> expected(expected_bytes.size() / 2);
    for (size_t i = 0; i < expected.size(); ++i) {
      expected[i] = static_cast<uint16_t>(expected_bytes[2 * i] | (expected_bytes[2 * i + 1] << 8));
    }
    if (flip_lsb && !flipped && !expected.empty()) {
      expected[expected.size() / 2] ^= 1u;
      flipped = true;
    }
    bool failed = pcm.size() != n_samples || expected.size() != n_frames * n_channels ||
                  t->n_channels != n_channels;
    for (size_t pass = 0; pass < (chunk ? 2u : 1u) && !failed; ++pass) {
      const std::vector<uint16_t> got = run(*t, pcm, pass ? chunk : 0);
      if (got.size() != expected.size()) {
        std::fprintf(log, "%s/%s: %lu values, expected %lu\n", config, stimulus,
                     static_cast<unsigned long>(got.size()),
                     static_cast<unsigned long>(expected.size()));
        failed = true;
        break;
      }
      size_t bad = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        if (got[i] != expected[i]) {
          if (bad < 3) {
            std::fprintf(log, "%s/%s%s: frame %lu channel %lu: %u, expected %u\n", config,
                         stimulus, pass ? " (chunked)" : "", i / n_channels, i % n_channels,
                         unsigned{got[i]}, unsigned{expected[i]});
          }
          ++bad;
        }
        if (pass == 0) {
          rep.checksum = (rep.checksum ^ got[i]) * 1099511628211ull;
        }
      }
      rep.mismatches += bad;
      if (pass == 0) rep.frames += got.size() / n_channels;
      failed = bad != 0;
    }
    if (failed) ++rep.failures;
  }
  return rep;
}

}  // namespace fw::testing
