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

// The rounded high word of doubled * multiplier, (doubled * multiplier + 2^31) >> 32: one
// SMMULR. From doubled = 2x (|x| < 2^30) it is SaturatingRoundingDoublingHighMul(x, multiplier).
inline int32_t RoundedHighProduct(int32_t doubled, int32_t multiplier) {
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
  int32_t high;
  __asm__("smmulr %0, %1, %2" : "=r"(high) : "r"(doubled), "r"(multiplier));
  return high;
#else
  return static_cast<int32_t>((static_cast<int64_t>(doubled) * multiplier + (int64_t{1} << 31)) >> 32);
#endif
}

// RoundingDivideByPOT(x, right) for right 1..31 and x far enough from the int32 limits
// that x + 2^(right-1) cannot overflow: x + 2^(right-1), less 1 for a negative x, shifted.
inline int32_t RoundingShift(int32_t x, int32_t right) {
  return (x + (1 << (right - 1)) - static_cast<int32_t>(static_cast<uint32_t>(x) >> 31)) >> right;
}

// Requantize for |x| < 2^30 and a right shift of 1..31: then 2x fits, the doubling high
// product is one rounding multiply-high of 2x, and the rounding division cannot overflow.
inline int32_t RequantizeSmall(int32_t x, int32_t multiplier, int32_t right) {
  return RoundingShift(RoundedHighProduct(x + x, multiplier), right);
}

// (x >> 1) saturated to int8: one SSAT with its shift on the device.
inline int8_t SaturateHalf(int32_t x) {
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
  int32_t result;
  __asm__("ssat %0, #8, %1, asr #1" : "=r"(result) : "r"(x));
  return static_cast<int8_t>(result);
#else
  const int32_t half = x >> 1;
  return static_cast<int8_t>(half < -128 ? -128 : (half > 127 ? 127 : half));
#endif
}

// RequantizeSmall(x) + offset, saturated to int8, from `doubled` = 2x, in one rounding
// shift fewer: with t = high - (high < 0), RequantizeSmall is (t + 2^(right-1)) >> right,
// which equals ((t >> (right-1)) + 1) >> 1, and adding the offset inside the last halving
// as 2*offset is exact (floor(a / 2) + offset = floor((a + 2*offset) / 2)).
inline int8_t RequantizeDoubledSaturated(int32_t doubled, int32_t multiplier, int32_t right,
                                         int32_t twice_offset_plus_one) {
  const int32_t high = RoundedHighProduct(doubled, multiplier);
  const int32_t halved = ((high - static_cast<int32_t>(static_cast<uint32_t>(high) >> 31)) >> (right - 1)) +
                         twice_offset_plus_one;
  return SaturateHalf(halved);
}

// The same from the sum itself (|x| < 2^30, so 2x fits).
inline int8_t RequantizeSmallSaturated(int32_t x, int32_t multiplier, int32_t right, int32_t twice_offset_plus_one) {
  return RequantizeDoubledSaturated(x + x, multiplier, right, twice_offset_plus_one);
}

// The same requantization, from the doubled sum, with every per-channel constant folded
// into one: `folded` = (2*offset + 1) << (right - 1), for right in 1..22 (so that the sum
// below stays inside int32). With s = (doubled < 0) in place of (high < 0) (they differ only
// where high is 0, which rounds to the offset either way), high - s + folded shifted right
// by right - 1 is RequantizeDoubledSaturated's halved; SMMLAR adds `folded - s` to the
// rounded high product in the same instruction.
inline int8_t RequantizeDoubledFolded(int32_t doubled, int32_t multiplier, int32_t folded, int32_t right_minus_one) {
  const int32_t addend = folded + (doubled >> 31);
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
  int32_t sum;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(sum) : "r"(doubled), "r"(multiplier), "r"(addend));
#else
  const int32_t sum = RoundedHighProduct(doubled, multiplier) + addend;
#endif
  return SaturateHalf(sum >> right_minus_one);
}

// RequantizeDoubledFolded's `folded` constant.
inline int32_t FoldedOffset(int32_t offset, int32_t right) {
  return static_cast<int32_t>(static_cast<uint32_t>(2 * offset + 1) << (right - 1));
}

// The kernels' common tail: requantize each channel's sum, add the output zero point, clamp.
class OutputStage {
 public:
  // `max_terms`: the most products one sum adds to its bias. The short form is taken when
  // every sum provably stays below 2^30 and every shift is a right shift.
  OutputStage(const int32_t* multiplier, const int8_t* shift, int channels, const int32_t* bias, int max_terms,
              int32_t offset, int32_t min, int32_t max)
      : multiplier_(multiplier), shift_(shift), offset_(offset), min_(min), max_(max) {
    // |input + input_offset| <= 255, |weight| <= 128.
    const int64_t bound = static_cast<int64_t>(max_terms) * 255 * 128;
    int64_t largest_bias = 0;
    bool right_shifts = true;
    for (int c = 0; c < channels; ++c) {
      const int64_t magnitude = bias ? (bias[c] < 0 ? -int64_t{bias[c]} : bias[c]) : 0;
      if (magnitude > largest_bias) largest_bias = magnitude;
      right_shifts = right_shifts && shift[c] <= -1 && shift[c] >= -31 && multiplier[c] >= 0;
    }
    small_ = right_shifts && bound + largest_bias < (int64_t{1} << 30);
    // Every int8 layer TFLite emits with ReLU, ReLU6 or no activation clamps to int8's range.
    saturate_only_ = small_ && min == -128 && max == 127;
  }

  inline int32_t multiplier(int channel) const { return multiplier_[channel]; }
  // Whether sums fit the short form and the clamp is int8's range (the saturating forms apply).
  inline bool saturate_only() const { return saturate_only_; }
  inline int32_t offset() const { return offset_; }
  inline int32_t shift(int channel) const { return shift_[channel]; }

  inline int8_t operator()(int32_t acc, int channel) const {
    return Apply(acc, multiplier_[channel], shift_[channel]);
  }

  // For a caller that keeps one channel's multiplier and shift for several sums.
  inline int8_t Apply(int32_t acc, int32_t multiplier, int32_t shift) const {
    if (saturate_only_) return RequantizeSmallSaturated(acc, multiplier, -shift, 2 * offset_ + 1);
    int32_t value = small_ ? RequantizeSmall(acc, multiplier, -shift) : Requantize(acc, multiplier, shift);
    value += offset_;
    value = value < min_ ? min_ : value;
    value = value > max_ ? max_ : value;
    return static_cast<int8_t>(value);
  }

 private:
  const int32_t* multiplier_;
  const int8_t* shift_;
  int32_t offset_, min_, max_;
  bool small_, saturate_only_;
};

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_REQUANTIZE_H_
