// The one piece of the C++ runtime the shim needs on bare metal. Classes with virtual
// destructors (TFLM's ErrorReporter) make the compiler emit "deleting destructors" that
// call operator delete, although nothing here is ever allocated with new: it lives in
// the caller's arena. Defining it (as a trap) avoids linking libstdc++ and a heap.
#include <stddef.h>

void operator delete(void* pointer) noexcept {
  (void)pointer;
  __builtin_trap();
}

void operator delete(void* pointer, size_t size) noexcept {
  (void)pointer;
  (void)size;
  __builtin_trap();
}
