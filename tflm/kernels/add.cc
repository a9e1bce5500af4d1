#include "tflm/kernels/add.h"

#include <algorithm>

#include "tensorflow/lite/kernels/internal/quantization_util.h"

#include "tflm/kernels/requantize.h"

namespace tinyml_kernels {
namespace {

// One input's scaled value: MultiplyByQuantizedMultiplierSmallerThanOneExp((value + offset)
// << 20, multiplier, -right), with `kShifted` = right > 0 (the larger-scale input has 0).
template <bool kShifted>
inline int32_t ScaleInput(int32_t value, int32_t offset, int32_t multiplier, int32_t right) {
  const int32_t high = RoundedHighProduct((value + offset) * (1 << 21), multiplier);
  return kShifted ? RoundingShift(high, right) : high;
}

template <bool kShifted1, bool kShifted2>
void AddLoop(const tflite::ArithmeticParams& p, int size, const int8_t* input1, const int8_t* input2,
             int8_t* output) {
  const int32_t offset1 = p.input1_offset, offset2 = p.input2_offset;
  const int32_t multiplier1 = p.input1_multiplier, multiplier2 = p.input2_multiplier;
  const int32_t right1 = -p.input1_shift, right2 = -p.input2_shift;
  const int32_t output_multiplier = p.output_multiplier, output_right = -p.output_shift;
  const int32_t output_offset = p.output_offset;
  const int32_t low = p.quantized_activation_min, high = p.quantized_activation_max;
  for (int i = 0; i < size; ++i) {
    const int32_t sum = ScaleInput<kShifted1>(input1[i], offset1, multiplier1, right1) +
                        ScaleInput<kShifted2>(input2[i], offset2, multiplier2, right2);
    int32_t value = RequantizeSmall(sum, output_multiplier, output_right) + output_offset;
    value = value < low ? low : value;
    value = value > high ? high : value;
    output[i] = static_cast<int8_t>(value);
  }
}

}  // namespace

tflite::ArithmeticParams AddParameters(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                       int32_t input2_zero_point, float output_scale, int32_t output_zero_point) {
  tflite::ArithmeticParams params = {};
  params.input1_offset = -input1_zero_point;
  params.input2_offset = -input2_zero_point;
  params.output_offset = output_zero_point;
  params.left_shift = 20;
  const double twice_max_input_scale = 2 * static_cast<double>(std::max(input1_scale, input2_scale));
  const double real_input1_multiplier = static_cast<double>(input1_scale) / twice_max_input_scale;
  const double real_input2_multiplier = static_cast<double>(input2_scale) / twice_max_input_scale;
  const double real_output_multiplier =
      twice_max_input_scale / ((1 << params.left_shift) * static_cast<double>(output_scale));
  tflite::QuantizeMultiplierSmallerThanOneExp(real_input1_multiplier, &params.input1_multiplier,
                                              &params.input1_shift);
  tflite::QuantizeMultiplierSmallerThanOneExp(real_input2_multiplier, &params.input2_multiplier,
                                              &params.input2_shift);
  tflite::QuantizeMultiplierSmallerThanOneExp(real_output_multiplier, &params.output_multiplier,
                                              &params.output_shift);
  return params;
}

tflite::ArithmeticParams MulParameters(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                       int32_t input2_zero_point, float output_scale, int32_t output_zero_point) {
  tflite::ArithmeticParams params = {};
  params.input1_offset = -input1_zero_point;
  params.input2_offset = -input2_zero_point;
  params.output_offset = output_zero_point;
  const double real_multiplier =
      static_cast<double>(input1_scale) * static_cast<double>(input2_scale) / static_cast<double>(output_scale);
  int shift = 0;
  tflite::QuantizeMultiplier(real_multiplier, &params.output_multiplier, &shift);
  params.output_shift = shift;
  return params;
}

bool AddApplies(const tflite::ArithmeticParams& p) {
  // |value + offset| <= 255, so (value + offset) << 21 < 2^29 and each scaled input, and
  // their sum, stay below 2^29: RequantizeSmall's and RoundedHighProduct's domain.
  const bool offsets = p.input1_offset >= -128 && p.input1_offset <= 128 && p.input2_offset >= -128 &&
                       p.input2_offset <= 128;
  const bool input_shifts = p.input1_shift <= 0 && p.input1_shift >= -31 && p.input2_shift <= 0 &&
                            p.input2_shift >= -31;
  const bool multipliers = p.input1_multiplier >= 0 && p.input2_multiplier >= 0 && p.output_multiplier >= 0;
  return p.left_shift == 20 && offsets && input_shifts && multipliers && p.output_shift <= -1 &&
         p.output_shift >= -31;
}

void AddElementwise(const tflite::ArithmeticParams& params, int size, const int8_t* input1, const int8_t* input2,
                    int8_t* output) {
  const bool shifted1 = params.input1_shift < 0, shifted2 = params.input2_shift < 0;
  if (shifted1 && shifted2) {
    AddLoop<true, true>(params, size, input1, input2, output);
  } else if (shifted1) {
    AddLoop<true, false>(params, size, input1, input2, output);
  } else if (shifted2) {
    AddLoop<false, true>(params, size, input1, input2, output);
  } else {
    AddLoop<false, false>(params, size, input1, input2, output);
  }
}

}  // namespace tinyml_kernels
