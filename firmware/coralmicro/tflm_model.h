// fw::Model over TFLM on the M7, with the Edge TPU custom op registered when the model was
// compiled for it (edgetpu_compiler). The model array and its sha256 come from models/NAME/
// (model_data.h written by `bench-app train`; see CMakeLists.txt).
#pragma once

#include <cstddef>
#include <cstdint>

#include "interfaces.h"

namespace bench {

class TflmModel : public fw::Model {
 public:
  //! Load, register ops, allocate; false (with `error()`) when any step fails.
  bool init();
  const char* error() const { return error_; }
  const char* sha256() const override;
  size_t window_frames() const override { return window_frames_; }
  size_t n_classes() const override { return n_classes_; }
  bool invoke(const int8_t* features, int8_t* scores, float* scale,
              int32_t* zero_point) override;

 private:
  const char* error_ = "";
  size_t window_frames_ = 0;
  size_t channels_ = 0;
  size_t n_classes_ = 0;
};

}  // namespace bench
