#include "tflm_model.h"

#include <cstring>
#include <memory>

#include "libs/tensorflow/utils.h"      // STATIC_TENSOR_ARENA_IN_SDRAM
#include "libs/tpu/edgetpu_manager.h"   // EdgeTpuManager::GetSingleton()->OpenDevice()
#include "libs/tpu/edgetpu_op.h"        // kCustomOp, RegisterCustomOp()
#include "model_data.h"                 // BENCH_MODEL_SYMBOL (alignas(16) unsigned char[])
#include "tensorflow/lite/micro/micro_error_reporter.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"

namespace bench {
namespace {

constexpr size_t kArenaBytes = 2 * 1024 * 1024;  // SDRAM; the card states the smallest arena
STATIC_TENSOR_ARENA_IN_SDRAM(g_arena, kArenaBytes);
tflite::MicroErrorReporter g_reporter;
// Every op the bench's paper-shape model uses (training/export.py lists a model's ops in its card).
tflite::MicroMutableOpResolver<16> g_resolver;
std::shared_ptr<coralmicro::EdgeTpuContext> g_tpu;  // keeps the Edge TPU powered
tflite::MicroInterpreter* g_it = nullptr;

}  // namespace

bool TflmModel::init() {
  const tflite::Model* model = tflite::GetModel(BENCH_MODEL_SYMBOL);
  g_resolver.AddFullyConnected();
  g_resolver.AddBatchMatMul();
  g_resolver.AddSoftmax();
  g_resolver.AddAdd();
  g_resolver.AddMul();
  g_resolver.AddMean();
  g_resolver.AddReshape();
  g_resolver.AddTranspose();
  g_resolver.AddConv2D();
  g_resolver.AddSub();
  g_resolver.AddRsqrt();
  g_resolver.AddQuantize();
  g_resolver.AddDequantize();
  g_tpu = coralmicro::EdgeTpuManager::GetSingleton()->OpenDevice();  // null if no TPU op needed
  if (g_tpu) g_resolver.AddCustom(coralmicro::kCustomOp, coralmicro::RegisterCustomOp());
  static tflite::MicroInterpreter it(model, g_resolver, g_arena, kArenaBytes, &g_reporter);
  if (it.AllocateTensors() != kTfLiteOk) return (error_ = "AllocateTensors failed"), false;
  const TfLiteTensor* in = it.input(0);
  const TfLiteTensor* out = it.output(0);
  if (in->type != kTfLiteInt8 || in->dims->size < 3 || out->type != kTfLiteInt8)
    return (error_ = "the model must take and give int8"), false;
  window_frames_ = in->dims->data[1];
  channels_ = in->dims->data[2];
  n_classes_ = out->bytes;
  g_it = &it;
  return true;
}

const char* TflmModel::sha256() const { return BENCH_MODEL_SHA256; }

bool TflmModel::invoke(const int8_t* features, int8_t* scores, float* scale, int32_t* zp) {
  std::memcpy(g_it->input(0)->data.int8, features, window_frames_ * channels_);
  if (g_it->Invoke() != kTfLiteOk) return false;
  const TfLiteTensor* out = g_it->output(0);
  std::memcpy(scores, out->data.int8, n_classes_);
  *scale = out->params.scale;
  *zp = out->params.zero_point;
  return true;
}

}  // namespace bench
