// Int8 ADD of two tensors of one shape, bit-exact with TFLM's reference_integer_ops::Add
// (its ArithmeticParams, as TFLM 2020's ADD computes them at each invoke), and the
// parameters of ADD and MUL for the byte-table path (scalar_operand.h).
#ifndef TINYML_TFLM_KERNELS_ADD_H_
#define TINYML_TFLM_KERNELS_ADD_H_

#include <stdint.h>

#include "tensorflow/lite/kernels/internal/types.h"

namespace tinyml_kernels {

// The parameters TFLM 2020's ADD derives from the tensors' quantization (add.cc's
// CalculateOpData), but the activation range, which the caller sets.
tflite::ArithmeticParams AddParameters(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                       int32_t input2_zero_point, float output_scale, int32_t output_zero_point);

// The parameters TFLM 2020's MUL derives (mul.cc's CalculateOpData), but the activation range.
tflite::ArithmeticParams MulParameters(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                       int32_t input2_zero_point, float output_scale, int32_t output_zero_point);

// Whether AddElementwise takes these parameters (every ADD TFLite's converter emits does:
// left shift 20, shifts that are right shifts); otherwise call the reference.
bool AddApplies(const tflite::ArithmeticParams& params);

void AddElementwise(const tflite::ArithmeticParams& params, int size, const int8_t* input1, const int8_t* input2,
                    int8_t* output);

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_ADD_H_
