// The host side of the kernel check: `kernel_check_host_test [cases] [seed]`.
#include <stdio.h>
#include <stdlib.h>

#include "tflm/kernels/kernel_check.h"

int main(int argc, char** argv) {
  const unsigned long cases = argc > 1 ? strtoul(argv[1], nullptr, 10) : 2000;
  const unsigned long seed = argc > 2 ? strtoul(argv[2], nullptr, 10) : 1;
  char report[512];
  const TinymlKernelCheckResult result =
      tinyml_kernel_check(static_cast<uint32_t>(seed), static_cast<uint32_t>(cases), report, sizeof(report));
  printf("requantize %lu conv %lu depthwise %lu add %lu pool %lu scalar %lu mismatches %lu\n",
         static_cast<unsigned long>(result.requantize_cases), static_cast<unsigned long>(result.conv_cases),
         static_cast<unsigned long>(result.depthwise_cases), static_cast<unsigned long>(result.add_cases),
         static_cast<unsigned long>(result.pool_cases), static_cast<unsigned long>(result.scalar_cases),
         static_cast<unsigned long>(result.mismatches));
  if (result.mismatches != 0 || result.conv_cases == 0 || result.depthwise_cases == 0 || result.add_cases == 0 ||
      result.pool_cases == 0 || result.scalar_cases == 0) {
    printf("first mismatch: %s\n", report);
    return 1;
  }
  return 0;
}
