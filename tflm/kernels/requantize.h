// TFLM's MultiplyByQuantizedMultiplier (gemmlowp's SaturatingRoundingDoublingHighMul, then
// RoundingDivideByPOT), bit for bit, in fewer instructions: the doubling high product's
// two rounding cases are one floor, ((x * m + 2^30) >> 31), whatever x's sign.
#ifndef TINYML_TFLM_KERNELS_REQUANTIZE_H_
#define TINYML_TFLM_KERNELS_REQUANTIZE_H_

#include <stdint.h>

namespace tinyml_kernels {

// `multiplier` >= 0 (TFLite's QuantizeMultiplier never makes a negative one), so the
// reference's one saturating case (both operands INT32_MIN) cannot occur.
inline int32_t Requantize(int32_t x, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t scaled = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  const int64_t product = static_cast<int64_t>(scaled) * multiplier;
  const int32_t high = static_cast<int32_t>((product + (int64_t{1} << 30)) >> 31);
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right) - 1);
  const int32_t remainder = high & mask;
  const int32_t threshold = (mask >> 1) + static_cast<int32_t>(static_cast<uint32_t>(high) >> 31);
  return (high >> right) + (remainder > threshold ? 1 : 0);
}

// The kernels' common tail: requantize, add the output zero point, clamp.
inline int8_t RequantizeToInt8(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                               int32_t activation_min, int32_t activation_max) {
  int32_t value = Requantize(acc, multiplier, shift) + output_offset;
  value = value < activation_min ? activation_min : value;
  value = value > activation_max ? activation_max : value;
  return static_cast<int8_t>(value);
}

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_REQUANTIZE_H_
