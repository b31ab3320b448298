#include "pty_link.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace fw::host {

PtyLink::PtyLink() {
  const int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
    error_ = std::string("cannot open a pseudo-terminal (") + std::strerror(errno) + ")";
    if (m >= 0) close(m);
    return;
  }
  path_ = ptsname(m);
  slave_ = open(path_.c_str(), O_RDWR | O_NOCTTY);
  termios t{};
  if (slave_ < 0 || tcgetattr(slave_, &t) != 0) {
    error_ = std::string("cannot open ") + path_ + " (" + std::strerror(errno) + ")";
    close(m);
    return;
  }
  cfmakeraw(&t);  // bytes pass unchanged, in both directions
  tcsetattr(slave_, TCSANOW, &t);
  fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
  master_ = m;
}

PtyLink::~PtyLink() {
  if (master_ >= 0) close(master_);
  if (slave_ >= 0) close(slave_);
}

size_t PtyLink::read(uint8_t* buf, size_t cap) {
  const ssize_t n = ::read(master_, buf, cap);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

bool PtyLink::write(const uint8_t* data, size_t n) {
  size_t done = 0;
  int waited_ms = 0;
  while (done < n) {
    const ssize_t k = ::write(master_, data + done, n - done);
    if (k > 0) {
      done += static_cast<size_t>(k);
      continue;
    }
    if (k < 0 && errno != EAGAIN && errno != EINTR) return false;
    // no room: the host is not reading; give up on a frame not yet started after a second
    if (done == 0 && waited_ms >= 1000) return false;
    pollfd p{master_, POLLOUT, 0};
    ::poll(&p, 1, 10);
    waited_ms += 10;
  }
  return true;
}

}  // namespace fw::host
