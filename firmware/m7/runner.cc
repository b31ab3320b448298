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
  // newlib-nano's printf has no %zu or %llu: unsigned long, and the checksum in two halves
  std::printf("frontend-vectors cases=%lu frames=%lu mismatches=%lu failures=%lu "
              "checksum=%08lx%08lx\n",
              static_cast<unsigned long>(r.cases), static_cast<unsigned long>(r.frames),
              static_cast<unsigned long>(r.mismatches), static_cast<unsigned long>(r.failures),
              static_cast<unsigned long>(r.checksum >> 32),
              static_cast<unsigned long>(r.checksum & 0xFFFFFFFFu));
  return (r.failures == 0 && r.cases > 0) ? 0 : 1;
}
