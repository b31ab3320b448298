// The native board's link: a pseudo-terminal whose slave end the bench opens like a serial
// port. Frames are written whole (waiting up to a second for room); reads never block.
#pragma once

#include <string>

#include "interfaces.h"

namespace fw::host {

class PtyLink : public Transport {
 public:
  //! Opens a pty pair; `ok()` is false (and `error()` says why) when that failed.
  PtyLink();
  ~PtyLink() override;
  PtyLink(const PtyLink&) = delete;
  PtyLink& operator=(const PtyLink&) = delete;

  bool ok() const { return master_ >= 0; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  int fd() const { return master_; }

  size_t read(uint8_t* buf, size_t cap) override;
  bool write(const uint8_t* data, size_t n) override;

 private:
  int master_ = -1;
  int slave_ = -1;  // kept open so the master never sees a hang-up between host sessions
  std::string path_;
  std::string error_;
};

}  // namespace fw::host
