// TFLM platform hook: DebugLog hands every message to the application, which decides
// where it goes (the Rust wrapper forwards it to semihosting on the device, to stderr
// on the host).
#include "tensorflow/lite/micro/debug_log.h"

extern "C" void tflm_platform_debug_log(const char* message);

extern "C" void DebugLog(const char* s) { tflm_platform_debug_log(s); }
