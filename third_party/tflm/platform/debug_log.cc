// TFLM platform hook: DebugLog hands every message to the sink the application set (the
// Rust wrapper forwards it to semihosting on the device, to stderr on the host).
#include "tensorflow/lite/micro/debug_log.h"
#include "third_party/tflm/platform/platform.h"

namespace {
void (*debug_log_sink)(const char*) = nullptr;
}  // namespace

extern "C" void tflm_platform_set_debug_log(void (*sink)(const char* message)) { debug_log_sink = sink; }

extern "C" void DebugLog(const char* s) {
  if (debug_log_sink != nullptr) debug_log_sink(s);
}
