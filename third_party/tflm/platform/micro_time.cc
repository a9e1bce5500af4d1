// TFLM platform hook: time comes from the application (a hardware timer on the device,
// a monotonic clock on the host). A zero rate tells TFLM's profilers that no clock exists.
#include "tensorflow/lite/micro/micro_time.h"

#include <stdint.h>

extern "C" uint32_t tflm_platform_ticks(void);
extern "C" uint32_t tflm_platform_ticks_per_second(void);

namespace tflite {

int32_t ticks_per_second() { return static_cast<int32_t>(tflm_platform_ticks_per_second()); }

int32_t GetCurrentTimeTicks() { return static_cast<int32_t>(tflm_platform_ticks()); }

}  // namespace tflite
