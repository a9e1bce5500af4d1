// Compares this package's int8 kernels with TFLM's reference kernels on generated cases:
// shapes, strides, paddings, dilations, per-channel multipliers and shifts, zero points,
// activation clamps and odd channel counts, drawn from a seeded generator. The same code
// runs on the host (portable primitives) and on the MCU under QEMU (DSP instructions).
#ifndef TINYML_TFLM_KERNELS_KERNEL_CHECK_H_
#define TINYML_TFLM_KERNELS_KERNEL_CHECK_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Counts of cases checked and of cases whose output differs from the reference's.
typedef struct {
  uint32_t requantize_cases;
  uint32_t conv_cases;
  uint32_t depthwise_cases;
  uint32_t add_cases;
  uint32_t pool_cases;
  uint32_t scalar_cases;  // ADD and MUL of a tensor and one value
  uint32_t mismatches;
} TinymlKernelCheckResult;

// Runs `cases` cases of each kernel from `seed`; describes the first mismatch (the case's
// parameters and the first differing output) in `report`, NUL-terminated.
TinymlKernelCheckResult tinyml_kernel_check(uint32_t seed, uint32_t cases, char* report, size_t report_size);

#ifdef __cplusplus
}
#endif

#endif  // TINYML_TFLM_KERNELS_KERNEL_CHECK_H_
