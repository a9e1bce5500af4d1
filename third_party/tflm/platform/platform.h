// The application's side of TFLM's platform hooks. The application registers callbacks at
// run time (rather than defining symbols the library references), so the library links
// the same way whichever language or link order the application uses.
#ifndef TINYML_THIRD_PARTY_TFLM_PLATFORM_PLATFORM_H_
#define TINYML_THIRD_PARTY_TFLM_PLATFORM_PLATFORM_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Receives every DebugLog message (NUL-terminated). Without one, messages are dropped.
void tflm_platform_set_debug_log(void (*sink)(const char* message));

// A free-running tick counter and its rate. Without one, TFLM sees a clock that never
// advances and a zero rate, which its profiler reads as "no clock".
void tflm_platform_set_clock(uint32_t (*ticks)(void), uint32_t ticks_per_second);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // TINYML_THIRD_PARTY_TFLM_PLATFORM_PLATFORM_H_
