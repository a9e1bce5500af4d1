// TFLM platform hook: time comes from the clock the application set (a hardware timer on
// the device, a monotonic clock on the host).
#include "tensorflow/lite/micro/micro_time.h"

#include <stdint.h>

#include "third_party/tflm/platform/platform.h"

namespace {
uint32_t (*clock_ticks)(void) = nullptr;
uint32_t clock_rate = 0;
}  // namespace

extern "C" void tflm_platform_set_clock(uint32_t (*ticks)(void), uint32_t ticks_per_second) {
  clock_ticks = ticks;
  clock_rate = ticks_per_second;
}

namespace tflite {

int32_t ticks_per_second() { return static_cast<int32_t>(clock_rate); }

int32_t GetCurrentTimeTicks() { return clock_ticks == nullptr ? 0 : static_cast<int32_t>(clock_ticks()); }

}  // namespace tflite
