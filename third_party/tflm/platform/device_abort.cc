// TFLM platform hook (bare-metal only): TFLM's checks call abort() and assert(), which
// newlib would route to host syscalls the device lacks. Here they trap (an undefined
// instruction), so the runtime's fault handler reports the failure like any other fault.
#include <stdlib.h>

extern "C" {

void abort(void) { __builtin_trap(); }

void __assert_func(const char* file, int line, const char* function, const char* expression) {
  (void)file;
  (void)line;
  (void)function;
  (void)expression;
  __builtin_trap();
}

}  // extern "C"
