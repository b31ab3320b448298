// The native board: firmware/core as a host process serving the board protocol on a pty.
//
// Prints the port (the pty's slave path) on stdout line 1, as `bench-app emulate` does, then a
// JSON line with the port and pid, and serves until SIGTERM / SIGINT or until its parent
// exits. Its microphone is a WAV (--wav, 16-bit mono at the board's rate, looped) or silence; injected
// audio replaces it as on the board. It has no model runtime: INFO says so and no RESULT is
// ever sent. Usage: native_board [--wav FILE] [--frontend NAME] [--fast]
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "board.h"
#include "pty_link.h"
#include "tables_registry.h"
#include "wav_microphone.h"

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

class SteadyClock : public fw::Clock {
 public:
  uint64_t now_us() override {
    using namespace std::chrono;
    return static_cast<uint64_t>(
        duration_cast<microseconds>(steady_clock::now() - start_).count());
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

int fail(const std::string& why) {
  std::fprintf(stderr, "error: %s.\n", why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string wav, frontend = "paper";
  bool fast = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--wav" && i + 1 < argc) {
      wav = argv[++i];
    } else if (a == "--frontend" && i + 1 < argc) {
      frontend = argv[++i];
    } else if (a == "--fast") {
      fast = true;
    } else {
      return fail("unknown argument '" + a + "' (usage: native_board [--wav FILE] "
                  "[--frontend NAME] [--fast])");
    }
  }
  const fw::FrontendTables* tables = fw::tables_by_name(frontend.c_str());
  if (!tables) return fail("no front-end tables named '" + frontend + "' are built in");
  SteadyClock clock;
  auto mic = std::make_unique<fw::host::WavMicrophone>(clock, tables->sample_rate_hz);
  if (!wav.empty() && !mic->load(wav)) return fail(mic->error());
  fw::host::PtyLink link;
  if (!link.ok()) return fail(link.error());

  fw::BoardConfig cfg;
  cfg.tables = tables;
  cfg.board = "native-coral-dev-board-micro";
  cfg.firmware_version = "0.1.0-native";
  cfg.cpu_clock_hz = 0;
  cfg.has_microphone = !wav.empty();
  cfg.fast_inject = fast;
  auto board = std::make_unique<fw::Board>(cfg, link, *mic, clock);

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  const pid_t parent = getppid();
  std::printf("%s\n{\"port\": \"%s\", \"pid\": %d, \"board\": \"native\", \"frontend\": \"%s\"}\n",
              link.path().c_str(), link.path().c_str(), static_cast<int>(getpid()),
              frontend.c_str());
  std::fflush(stdout);
  while (!g_stop && getppid() == parent) {
    board->poll();
    const bool busy = fast && board->inject().queued() > 0;
    pollfd p{link.fd(), POLLIN, 0};
    ::poll(&p, 1, busy ? 0 : 2);
  }
  return 0;
}
