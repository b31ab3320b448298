#include "socket_transport.h"

#include "libs/base/network.h"  // coralmicro::SocketServer, SocketAccept, WriteArray, IOStatus
#include "third_party/nxp/rt1176-sdk/middleware/lwip/src/include/lwip/sockets.h"

namespace bench {

SocketTransport::SocketTransport(int port) : listen_fd_(coralmicro::SocketServer(port, 1)) {
  // Accept without blocking the board's main loop (it must keep capturing audio).
  if (listen_fd_ >= 0) lwip_fcntl(listen_fd_, F_SETFL, O_NONBLOCK);
}

bool SocketTransport::connected() {
  if (client_fd_ < 0 && listen_fd_ >= 0) {
    client_fd_ = lwip_accept(listen_fd_, nullptr, nullptr);
    if (client_fd_ >= 0) lwip_fcntl(client_fd_, F_SETFL, O_NONBLOCK);
  }
  return client_fd_ >= 0;
}

size_t SocketTransport::read(uint8_t* buf, size_t cap) {
  if (!connected()) return 0;
  const int n = lwip_recv(client_fd_, buf, cap, MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EWOULDBLOCK && errno != EAGAIN)) {  // host went away
    lwip_close(client_fd_);
    client_fd_ = -1;
    return 0;
  }
  return n > 0 ? static_cast<size_t>(n) : 0;
}

bool SocketTransport::write(const uint8_t* data, size_t n) {
  if (!connected()) return true;  // nobody listening: the frame is simply not sent
  // Whole frames only (the core counts a refused frame as a transmit overflow).
  if (coralmicro::WriteArray(client_fd_, data, n) != coralmicro::IOStatus::kOk) {
    lwip_close(client_fd_);
    client_fd_ = -1;
    return false;
  }
  return true;
}

}  // namespace bench
