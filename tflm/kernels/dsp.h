// The Cortex-M DSP-extension instructions the int8 kernels are written with, and their
// exact portable equivalents for host builds: the kernels' blocking, remainders and
// offsets are the same code on both, only these primitives differ (the DSP path is
// tested under QEMU, the portable one on the host).
#ifndef TINYML_TFLM_KERNELS_DSP_H_
#define TINYML_TFLM_KERNELS_DSP_H_

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TINYML_KERNELS_DSP 1
#else
#define TINYML_KERNELS_DSP 0
#endif

namespace tinyml_kernels {
namespace dsp {

// Four bytes from any address (armv7e-m's LDR accepts unaligned addresses).
inline uint32_t Load4(const int8_t* bytes) {
  uint32_t word;
  memcpy(&word, bytes, sizeof(word));
  return word;
}

// Two halfwords into a word: `low` in bits 0-15, `high` in bits 16-31.
inline uint32_t Pack(int32_t low, int32_t high) {
  return (static_cast<uint32_t>(low) & 0xFFFFu) | (static_cast<uint32_t>(high) << 16);
}

#if TINYML_KERNELS_DSP

// Bytes 0 and 2, sign-extended into the low and high halfwords.
inline uint32_t ExtendEven(uint32_t x) { return __sxtb16(x); }
// Bytes 1 and 3, sign-extended into the low and high halfwords.
// GCC 12 has no __ror and does not fold a rotation into SXTB16's operand by itself.
inline uint32_t ExtendOdd(uint32_t x) {
  uint32_t result;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(result) : "r"(x));
  return result;
}
// ExtendEven(x) plus the two halfwords of `offsets`.
inline uint32_t ExtendEvenAdd(uint32_t offsets, uint32_t x) { return __sxtab16(offsets, x); }
inline uint32_t ExtendOddAdd(uint32_t offsets, uint32_t x) {
  uint32_t result;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(result) : "r"(offsets), "r"(x));
  return result;
}
// The two halfwords of a and b added, each modulo 2^16.
inline uint32_t AddHalves(uint32_t a, uint32_t b) { return __sadd16(a, b); }
// acc + low(a) * low(b) + high(a) * high(b), halfwords signed.
inline int32_t DualMac(uint32_t a, uint32_t b, int32_t acc) { return __smlad(a, b, acc); }
// acc + low(a) * low(b) and acc + high(a) * high(b).
inline int32_t MacLow(uint32_t a, uint32_t b, int32_t acc) { return __smlabb(a, b, acc); }
inline int32_t MacHigh(uint32_t a, uint32_t b, int32_t acc) { return __smlatt(a, b, acc); }

#else

inline int32_t Low(uint32_t x) { return static_cast<int16_t>(x & 0xFFFFu); }
inline int32_t High(uint32_t x) { return static_cast<int16_t>(x >> 16); }
inline int32_t Byte(uint32_t x, int index) { return static_cast<int8_t>((x >> (8 * index)) & 0xFFu); }
// Sums wrap modulo 2^16 per halfword and 2^32 per word, as the instructions do.
inline uint32_t ExtendEven(uint32_t x) { return Pack(Byte(x, 0), Byte(x, 2)); }
inline uint32_t ExtendOdd(uint32_t x) { return Pack(Byte(x, 1), Byte(x, 3)); }
inline uint32_t ExtendEvenAdd(uint32_t offsets, uint32_t x) {
  return Pack(Low(offsets) + Byte(x, 0), High(offsets) + Byte(x, 2));
}
inline uint32_t ExtendOddAdd(uint32_t offsets, uint32_t x) {
  return Pack(Low(offsets) + Byte(x, 1), High(offsets) + Byte(x, 3));
}
inline uint32_t AddHalves(uint32_t a, uint32_t b) { return Pack(Low(a) + Low(b), High(a) + High(b)); }
inline int32_t Wrap(int64_t x) { return static_cast<int32_t>(static_cast<uint32_t>(x)); }
inline int32_t DualMac(uint32_t a, uint32_t b, int32_t acc) {
  return Wrap(static_cast<int64_t>(acc) + Low(a) * Low(b) + High(a) * High(b));
}
inline int32_t MacLow(uint32_t a, uint32_t b, int32_t acc) { return Wrap(static_cast<int64_t>(acc) + Low(a) * Low(b)); }
inline int32_t MacHigh(uint32_t a, uint32_t b, int32_t acc) {
  return Wrap(static_cast<int64_t>(acc) + High(a) * High(b));
}

#endif

// Both halfwords set to `value` (an offset in -255..255).
inline uint32_t Duplicate(int32_t value) {
  return (static_cast<uint32_t>(value) & 0xFFFFu) | (static_cast<uint32_t>(value) << 16);
}

}  // namespace dsp
}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_DSP_H_
