#include "tflm/kernels/scalar_operand.h"

#include "tensorflow/lite/kernels/kernel_util.h"

namespace tinyml_kernels {

ScalarSide FindScalarOperand(const TfLiteTensor* input1, const TfLiteTensor* input2, const TfLiteTensor* output) {
  if (input1->type != kTfLiteInt8 || input2->type != kTfLiteInt8 || output->type != kTfLiteInt8) {
    return ScalarSide::kNone;
  }
  const int64_t size1 = tflite::NumElements(input1), size2 = tflite::NumElements(input2);
  const int64_t size = tflite::NumElements(output);
  if (size1 == 1 && size2 == size) return ScalarSide::kFirst;
  if (size2 == 1 && size1 == size) return ScalarSide::kSecond;
  return ScalarSide::kNone;
}

void BuildByteTable(ElementwiseKernel kernel, const tflite::ArithmeticParams& params, int8_t scalar, ScalarSide side,
                    int8_t table[256]) {
  int8_t values[256];
  int8_t scalars[256];
  for (int i = 0; i < 256; ++i) {
    values[i] = static_cast<int8_t>(static_cast<uint8_t>(i));
    scalars[i] = scalar;
  }
  if (side == ScalarSide::kFirst) {
    kernel(256, params, scalars, values, table);
  } else {
    kernel(256, params, values, scalars, table);
  }
}

void ApplyByteTable(const int8_t table[256], int size, const int8_t* input, int8_t* output) {
  const uint8_t* in = reinterpret_cast<const uint8_t*>(input);
  int i = 0;
  // Four bytes an iteration: the loop's bookkeeping shared by four lookups.
  for (; i + 4 <= size; i += 4) {
    const uint8_t a = in[i], b = in[i + 1], c = in[i + 2], d = in[i + 3];
    output[i] = table[a];
    output[i + 1] = table[b];
    output[i + 2] = table[c];
    output[i + 3] = table[d];
  }
  for (; i < size; ++i) output[i] = table[in[i]];
}

}  // namespace tinyml_kernels
