// Int8 AVERAGE_POOL_2D, bit-exact with TFLM's reference_integer_ops::AveragePool (its
// PoolParams): each window's sum rounded half away from zero over its taps inside the
// image, clamped to the activation range.
#ifndef TINYML_TFLM_KERNELS_AVERAGE_POOL_H_
#define TINYML_TFLM_KERNELS_AVERAGE_POOL_H_

#include <stdint.h>

#include "tensorflow/lite/kernels/internal/types.h"

namespace tinyml_kernels {

void AveragePool(const tflite::PoolParams& params, const tflite::RuntimeShape& input_shape, const int8_t* input,
                 const tflite::RuntimeShape& output_shape, int8_t* output);

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_AVERAGE_POOL_H_
