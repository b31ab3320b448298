// fw::Transport over TCP on the board's USB-Ethernet (CDC-EEM, 10.10.10.1): one host at a time.
// The CDC-ACM console cannot receive from the host (coralmicro reads console input from the
// debug UART only), so the protocol runs over a socket, as examples/audio_streaming streams PCM.
#pragma once

#include <cstddef>
#include <cstdint>

#include "interfaces.h"

namespace bench {

class SocketTransport : public fw::Transport {
 public:
  explicit SocketTransport(int port);
  //! Accept a host if none is connected (non-blocking once listening); true while connected.
  bool connected();
  size_t read(uint8_t* buf, size_t cap) override;
  bool write(const uint8_t* data, size_t n) override;

 private:
  int listen_fd_ = -1;
  int client_fd_ = -1;
};

}  // namespace bench
