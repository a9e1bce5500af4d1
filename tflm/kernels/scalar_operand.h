// MUL and ADD of an int8 tensor and one int8 value (a broadcast constant, as in-graph
// preprocessing such as x = pixel / 127.5 - 1 is): the output byte is a function of the
// input byte alone, so the op is a 256-entry table, built at each invoke by running the
// reference kernel's own elementwise arithmetic on every byte value, then one lookup a
// byte. Bit-exact with the reference by construction.
#ifndef TINYML_TFLM_KERNELS_SCALAR_OPERAND_H_
#define TINYML_TFLM_KERNELS_SCALAR_OPERAND_H_

#include <stdint.h>

#include "tensorflow/lite/c/common.h"
#include "tensorflow/lite/kernels/internal/types.h"

namespace tinyml_kernels {

enum class ScalarSide { kNone, kFirst, kSecond };

// Which input is the single value, when the other has the output's element count and
// every tensor is int8; kNone otherwise (the caller runs the reference).
ScalarSide FindScalarOperand(const TfLiteTensor* input1, const TfLiteTensor* input2, const TfLiteTensor* output);

// A reference elementwise kernel: out[i] = op(in1[i], in2[i]).
using ElementwiseKernel = void (*)(int size, const tflite::ArithmeticParams& params, const int8_t* input1,
                                   const int8_t* input2, int8_t* output);

// table[(uint8_t)v] = op(v, scalar), or op(scalar, v) when the scalar is the first input.
void BuildByteTable(ElementwiseKernel kernel, const tflite::ArithmeticParams& params, int8_t scalar, ScalarSide side,
                    int8_t table[256]);

// output[i] = table[(uint8_t)input[i]].
void ApplyByteTable(const int8_t table[256], int size, const int8_t* input, int8_t* output);

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_SCALAR_OPERAND_H_
