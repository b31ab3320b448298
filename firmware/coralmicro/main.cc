// The bench firmware on the Coral Dev Board Micro: the portable core (firmware/core) wired to
// the SDK. Everything the board decides (protocol, INJECT flow control, front end, streams)
// is in the core and tested on the host; this file only connects hardware to its interfaces:
// TCP on 10.10.10.1:BENCH_PORT (USB-Ethernet), the PDM microphone, TimerMicros (the core's
// clock: it times the front-end / invoke / total split of each RESULT), and TFLM.
#include <cstdio>

#include "board.h"
#include "libs/base/timer.h"  // coralmicro::TimerMicros
#include "pdm_microphone.h"
#include "socket_transport.h"
#include "tables_registry.h"
#include "third_party/freertos_kernel/include/FreeRTOS.h"
#include "third_party/freertos_kernel/include/task.h"
#ifdef BENCH_MODEL_SYMBOL
#include "tflm_model.h"
#endif

namespace {

class TimerClock : public fw::Clock {
 public:
  uint64_t now_us() override { return coralmicro::TimerMicros(); }
};

[[noreturn]] void halt(const char* why) {
  std::printf("bench firmware: %s\r\n", why);
  vTaskSuspend(nullptr);
  for (;;) {
  }
}

}  // namespace

extern "C" [[noreturn]] void app_main(void* /*param*/) {
  static TimerClock clock;
  static bench::PdmMicrophone mic;
  if (!mic.start()) halt("the PDM microphone did not start");
  static bench::SocketTransport link(BENCH_PORT);
  const fw::FrontendTables* tables = fw::tables_by_name(BENCH_FRONTEND);
  if (!tables) halt("no front-end tables named BENCH_FRONTEND are built in");
  fw::BoardConfig cfg;
#ifdef BENCH_MODEL_SYMBOL
  static bench::TflmModel model;  // the core runs it on its windows and sends RESULT
  if (model.init()) {
    cfg.model = &model;
  } else {
    std::printf("bench firmware: model %s not loaded: %s\r\n", model.sha256(), model.error());
  }
#endif
  cfg.tables = tables;
  cfg.board = "coral-dev-board-micro";
  cfg.firmware_version = "0.1.0-coralmicro";
  static fw::Board board(cfg, link, mic, clock);
  std::printf("bench firmware: serving docs/protocol.md on 10.10.10.1:%d\r\n", BENCH_PORT);
  for (;;) {
    link.connected();  // accept a host when one connects
    board.poll();
    taskYIELD();
  }
}
