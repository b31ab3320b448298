// Front-end golden vectors as a plain program: built for the Cortex-M7 (run under
// qemu-arm-static) and natively, it prints one line "frontend-vectors cases=... frames=...
// mismatches=... checksum=..." and exits 0 only if every frame is bit-exact with the bench's
// reference. Usage: runner FIXTURES/frontend CHUNK [--flip-lsb]
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "frontend_vectors.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FIXTURES/frontend CHUNK [--flip-lsb]\n", argv[0]);
    return 2;
  }
  const size_t chunk = static_cast<size_t>(std::strtoul(argv[2], nullptr, 10));
  const bool flip = argc > 3 && std::strcmp(argv[3], "--flip-lsb") == 0;
  const fw::testing::VectorReport r =
      fw::testing::check_frontend_vectors(argv[1], chunk, flip, stdout);
  std::printf("frontend-vectors cases=%zu frames=%zu mismatches=%zu failures=%zu "
              "checksum=%016llx\n",
              r.cases, r.frames, r.mismatches, r.failures,
              static_cast<unsigned long long>(r.checksum));
  return (r.failures == 0 && r.cases > 0) ? 0 : 1;
}
