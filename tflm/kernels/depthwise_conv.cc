#include "tflm/kernels/depthwise_conv.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tflm/kernels/dsp.h"
#include "tflm/kernels/requantize.h"

namespace tinyml_kernels {
namespace {

// Each loop nest in a function of its own: inlined into one, GCC's register allocation
// spills the hot loops' accumulators.
#define TINYML_SEPARATE __attribute__((noinline))
#define TINYML_INLINE inline __attribute__((always_inline))

struct Geometry {
  int input_height, input_width, depth;
  int filter_height, filter_width;
  int stride_height, stride_width, dilation_height, dilation_width, pad_height, pad_width;
};

struct Quantization {
  int32_t input_offset;
  OutputStage output;
};

// Four channels' accumulators; one tap adds input (offset) times filter to each.
struct Four {
  int32_t a0, a1, a2, a3;

  inline void Tap(uint32_t offsets, const int8_t* in, const int8_t* weights) {
    const uint32_t in_word = dsp::Load4(in);
    const uint32_t weight_word = dsp::Load4(weights);
    const uint32_t in_even = dsp::ExtendEvenAdd(offsets, in_word);
    const uint32_t in_odd = dsp::ExtendOddAdd(offsets, in_word);
    const uint32_t weight_even = dsp::ExtendEven(weight_word);
    const uint32_t weight_odd = dsp::ExtendOdd(weight_word);
    a0 = dsp::MacLow(in_even, weight_even, a0);
    a2 = dsp::MacHigh(in_even, weight_even, a2);
    a1 = dsp::MacLow(in_odd, weight_odd, a1);
    a3 = dsp::MacHigh(in_odd, weight_odd, a3);
  }
};

inline Four Start(const int32_t* bias, int channel) {
  if (bias == nullptr) return {0, 0, 0, 0};
  return {bias[channel], bias[channel + 1], bias[channel + 2], bias[channel + 3]};
}

inline void Store(const Quantization& q, const Four& acc, int channel, int8_t* out) {
  out[channel] = q.output(acc.a0, channel);
  out[channel + 1] = q.output(acc.a1, channel + 1);
  out[channel + 2] = q.output(acc.a2, channel + 2);
  out[channel + 3] = q.output(acc.a3, channel + 3);
}

// Channels `channel` onwards of one pixel whose 3x3 window lies inside the image, one by one.
TINYML_SEPARATE void Interior3x3Tail(const Geometry& g, const Quantization& q, const int8_t* window,
                                     const int8_t* filter, const int32_t* bias, int channel, int8_t* out) {
  const int row = g.input_width * g.depth, step = g.depth;
  for (; channel < g.depth; ++channel) {
    int32_t acc = bias ? bias[channel] : 0;
    for (int ky = 0; ky < 3; ++ky) {
      for (int kx = 0; kx < 3; ++kx) {
        acc += (window[ky * row + kx * step + channel] + q.input_offset) * filter[(ky * 3 + kx) * step + channel];
      }
    }
    out[channel] = q.output(acc, channel);
  }
}

// One 4-channel group's constants over a whole layer, for 3x3 windows inside the image:
// each weight sign-extended and doubled (the folded requantization takes doubled sums) and
// the input offset's products folded into the start, so that a tap costs a load, two
// extensions and four multiply-accumulates per pixel, and a pair of pixels shares them.
struct GroupFilter {
  // Tap t's channels (0, 2) in taps[t][0], (1, 3) in taps[t][1], one halfword each: one LDRD.
  uint32_t taps[9][2];
  // Byte distances in the input, read by the device code at fixed offsets after `taps`:
  // one pixel, two, three, and from a window row's first pixel to the next row's.
  int32_t step, step2, step3, row;
  Four start;  // 2 * (bias + input_offset * the channel's nine weights)
  Four border_start;  // 2 * bias: border pixels add (input + offset) * weight over their inside taps
  int32_t multiplier[4], folded[4], right_minus_one[4];
};
static_assert(offsetof(GroupFilter, step) == 72 && offsetof(GroupFilter, row) == 84, "the device code's offsets");

// Channel `channel`'s constants of the folded requantization (RequantizeDoubledFolded).
inline void FoldedOutput(const Quantization& q, int channel, int32_t* multiplier, int32_t* folded,
                         int32_t* right_minus_one) {
  const int32_t right = -q.output.shift(channel);
  *multiplier = q.output.multiplier(channel);
  *folded = FoldedOffset(q.output.offset(), right);
  *right_minus_one = right - 1;
}

// 2 * bias, modulo 2^32 as the reference's sum: the short form's bound holds for the total only.
inline int32_t DoubledBias(const int32_t* bias, int channel) {
  return static_cast<int32_t>(2u * static_cast<uint32_t>(bias ? bias[channel] : 0));
}

// `channels`: the filter's (and output's) channel count, depth times the depth multiplier.
TINYML_SEPARATE void LoadGroup(const Geometry& g, const Quantization& q, const int8_t* filter, const int32_t* bias,
                               int channel, int channels, GroupFilter& f) {
  int32_t weight_sums[4] = {0, 0, 0, 0};
  for (int tap = 0; tap < 9; ++tap) {
    const int8_t* w = filter + tap * channels + channel;
    f.taps[tap][0] = dsp::Pack(2 * w[0], 2 * w[2]);
    f.taps[tap][1] = dsp::Pack(2 * w[1], 2 * w[3]);
    for (int c = 0; c < 4; ++c) weight_sums[c] += w[c];
  }
  f.step = g.depth;
  f.step2 = 2 * g.depth;
  f.step3 = 3 * g.depth;
  f.row = g.input_width * g.depth;
  int32_t start[4], border[4];
  for (int c = 0; c < 4; ++c) {
    const int32_t b = bias ? bias[channel + c] : 0;
    // Modulo 2^32, as the reference's sum: the short form's bound holds for the total only.
    border[c] = DoubledBias(bias, channel + c);
    start[c] = static_cast<int32_t>(2u * (static_cast<uint32_t>(b) + static_cast<uint32_t>(q.input_offset) *
                                                                          static_cast<uint32_t>(weight_sums[c])));
    FoldedOutput(q, channel + c, &f.multiplier[c], &f.folded[c], &f.right_minus_one[c]);
  }
  f.start = {start[0], start[1], start[2], start[3]};
  f.border_start = {border[0], border[1], border[2], border[3]};
}

#if TINYML_KERNELS_DSP

// The device code below: tap T's weights into e/o, word W extended and multiplied into the
// four accumulators A0..A3 of one pixel.
#define TINYML_DW_WEIGHTS(T) "ldrd %[e], %[o], [%[f], #" #T "*8]\n\t"
#define TINYML_DW_MACS(A0, A1, A2, A3)              \
  "sxtb16 %[half], %[word]\n\t"                     \
  "smlabb %[" A0 "], %[half], %[e], %[" A0 "]\n\t"  \
  "smlatt %[" A2 "], %[half], %[e], %[" A2 "]\n\t"  \
  "sxtb16 %[half], %[word], ror #8\n\t"             \
  "smlabb %[" A1 "], %[half], %[o], %[" A1 "]\n\t"  \
  "smlatt %[" A3 "], %[half], %[o], %[" A3 "]\n\t"
#define TINYML_DW_FIRST TINYML_DW_MACS("a0", "a1", "a2", "a3")
#define TINYML_DW_SECOND TINYML_DW_MACS("b0", "b1", "b2", "b3")
// Window row R of two pixels one pixel apart: input columns 0..3, taps 3R..3R+2.
#define TINYML_DW_PAIR_ROW(T0, T1, T2)                                  \
  TINYML_DW_WEIGHTS(T0) "ldr %[word], [%[in]]\n\t" TINYML_DW_FIRST      \
  "ldr %[half], [%[f], #72]\n\t"                                        \
  "ldr %[word], [%[in], %[half]]\n\t" TINYML_DW_SECOND                  \
  TINYML_DW_WEIGHTS(T1) TINYML_DW_FIRST                                 \
  "ldr %[half], [%[f], #76]\n\t"                                        \
  "ldr %[word], [%[in], %[half]]\n\t" TINYML_DW_SECOND                  \
  TINYML_DW_WEIGHTS(T2) TINYML_DW_FIRST                                 \
  "ldr %[half], [%[f], #80]\n\t"                                        \
  "ldr %[word], [%[in], %[half]]\n\t" TINYML_DW_SECOND                  \
  "ldr %[half], [%[f], #84]\n\t"                                        \
  "add %[in], %[in], %[half]\n\t"

// Two pixels side by side, stride 1 (the second's window one pixel to the right): each
// input word loaded once serves both where their windows overlap. Every register is an
// operand (8 sums, 2 pointers, 4 temporaries): distances come from `f`.
TINYML_INLINE void AddTapsPairStride1(const GroupFilter& f, const int8_t* in, Four& first, Four& second) {
  uint32_t e, o, word, half;
  __asm__(TINYML_DW_PAIR_ROW(0, 1, 2) TINYML_DW_PAIR_ROW(3, 4, 5) TINYML_DW_PAIR_ROW(6, 7, 8)
          : [a0] "+r"(first.a0), [a1] "+r"(first.a1), [a2] "+r"(first.a2), [a3] "+r"(first.a3),
            [b0] "+r"(second.a0), [b1] "+r"(second.a1), [b2] "+r"(second.a2), [b3] "+r"(second.a3),
            [in] "+r"(in), [e] "=&r"(e), [o] "=&r"(o), [word] "=&r"(word), [half] "=&r"(half)
          : [f] "r"(&f)
          : "memory");
}

// Window row R of one pixel, its taps `step` apart.
#define TINYML_DW_ROW(T0, T1, T2)                                               \
  TINYML_DW_WEIGHTS(T0) "ldr %[word], [%[in]]\n\t" TINYML_DW_FIRST              \
  TINYML_DW_WEIGHTS(T1) "ldr %[word], [%[in], %[step]]\n\t" TINYML_DW_FIRST     \
  TINYML_DW_WEIGHTS(T2) "ldr %[word], [%[in], %[step2]]\n\t" TINYML_DW_FIRST    \
  "add %[in], %[in], %[row]\n\t"

// One pixel, any stride: taps `step` apart, window rows `row` apart.
TINYML_INLINE void AddTaps(const GroupFilter& f, const int8_t* in, int32_t step, int32_t step2, int32_t row,
                           Four& acc) {
  uint32_t e, o, word, half;
  __asm__(TINYML_DW_ROW(0, 1, 2) TINYML_DW_ROW(3, 4, 5) TINYML_DW_ROW(6, 7, 8)
          : [a0] "+r"(acc.a0), [a1] "+r"(acc.a1), [a2] "+r"(acc.a2), [a3] "+r"(acc.a3), [in] "+r"(in),
            [e] "=&r"(e), [o] "=&r"(o), [word] "=&r"(word), [half] "=&r"(half)
          : [f] "r"(&f), [step] "r"(step), [step2] "r"(step2), [row] "r"(row)
          : "memory");
}

#undef TINYML_DW_ROW
#undef TINYML_DW_PAIR_ROW
#undef TINYML_DW_SECOND
#undef TINYML_DW_FIRST
#undef TINYML_DW_MACS
#undef TINYML_DW_WEIGHTS

#else

// The same arithmetic in portable C (dsp.h's primitives), tap by tap.
TINYML_INLINE void AddTap(const uint32_t* weights, const int8_t* in, Four& acc) {
  const uint32_t word = dsp::Load4(in);
  uint32_t half = dsp::ExtendEven(word);
  acc.a0 = dsp::MacLow(half, weights[0], acc.a0);
  acc.a2 = dsp::MacHigh(half, weights[0], acc.a2);
  half = dsp::ExtendOdd(word);
  acc.a1 = dsp::MacLow(half, weights[1], acc.a1);
  acc.a3 = dsp::MacHigh(half, weights[1], acc.a3);
}

TINYML_INLINE void AddTaps(const GroupFilter& f, const int8_t* in, int32_t step, int32_t step2, int32_t row,
                           Four& acc) {
  (void)step2;
  for (int ky = 0; ky < 3; ++ky) {
    for (int kx = 0; kx < 3; ++kx) AddTap(f.taps[ky * 3 + kx], in + ky * row + kx * step, acc);
  }
}

TINYML_INLINE void AddTapsPairStride1(const GroupFilter& f, const int8_t* in, Four& first, Four& second) {
  AddTaps(f, in, f.step, f.step2, f.row, first);
  AddTaps(f, in + f.step, f.step, f.step2, f.row, second);
}

#endif

TINYML_INLINE void StoreGroup(const GroupFilter& f, const Four& acc, int8_t* out) {
  out[0] = RequantizeDoubledFolded(acc.a0, f.multiplier[0], f.folded[0], f.right_minus_one[0]);
  out[1] = RequantizeDoubledFolded(acc.a1, f.multiplier[1], f.folded[1], f.right_minus_one[1]);
  out[2] = RequantizeDoubledFolded(acc.a2, f.multiplier[2], f.folded[2], f.right_minus_one[2]);
  out[3] = RequantizeDoubledFolded(acc.a3, f.multiplier[3], f.folded[3], f.right_minus_one[3]);
}

// A border pixel's taps inside the image (the reference skips the others), the input
// offset added to each: its sum from `border_start`.
TINYML_INLINE void AddBorderTaps(const Geometry& g, const GroupFilter& f, uint32_t offsets, const int8_t* image,
                                 int channel, int y0, int x0, Four& acc) {
  const int ky_begin = y0 < 0 ? -y0 : 0, ky_end = y0 + 3 > g.input_height ? g.input_height - y0 : 3;
  const int kx_begin = x0 < 0 ? -x0 : 0, kx_end = x0 + 3 > g.input_width ? g.input_width - x0 : 3;
  for (int ky = ky_begin; ky < ky_end; ++ky) {
    const int8_t* in = image + ((y0 + ky) * g.input_width + x0) * g.depth + channel;
    for (int kx = kx_begin; kx < kx_end; ++kx) {
      const uint32_t* weights = f.taps[ky * 3 + kx];
      const uint32_t word = dsp::Load4(in + kx * g.depth);
      uint32_t half = dsp::ExtendEvenAdd(offsets, word);
      acc.a0 = dsp::MacLow(half, weights[0], acc.a0);
      acc.a2 = dsp::MacHigh(half, weights[0], acc.a2);
      half = dsp::ExtendOddAdd(offsets, word);
      acc.a1 = dsp::MacLow(half, weights[1], acc.a1);
      acc.a3 = dsp::MacHigh(half, weights[1], acc.a3);
    }
  }
}

// The output pixels whose 3x3 windows lie inside the image.
struct Box {
  int y_begin, y_end, x_begin, x_end;
};

// Every output pixel, for every whole group of four channels: group by group; the pixels
// of `interior` read in place, with stride 1 two at a time; the others tap by tap over
// their taps inside the image. Requires GroupsApply.
TINYML_SEPARATE void Groups(const Geometry& g, const Quantization& q, const int8_t* image, const int8_t* filter,
                            const int32_t* bias, int output_height, int output_width, const Box& interior,
                            int8_t* output) {
  const uint32_t offsets = dsp::Duplicate(q.input_offset);
  for (int channel = 0; channel + 4 <= g.depth; channel += 4) {
    GroupFilter f;
    LoadGroup(g, q, filter, bias, channel, g.depth, f);
    for (int out_y = 0; out_y < output_height; ++out_y) {
      const int y0 = out_y * g.stride_height - g.pad_height;
      const bool interior_row = out_y >= interior.y_begin && out_y < interior.y_end;
      int8_t* out = output + out_y * output_width * g.depth + channel;
      for (int out_x = 0; out_x < output_width;) {
        const int x0 = out_x * g.stride_width - g.pad_width;
        if (!interior_row || out_x < interior.x_begin || out_x >= interior.x_end) {
          Four acc = f.border_start;
          AddBorderTaps(g, f, offsets, image, channel, y0, x0, acc);
          StoreGroup(f, acc, out);
          out += g.depth;
          ++out_x;
          continue;
        }
        const int8_t* in = image + (y0 * g.input_width + x0) * g.depth + channel;
        if (g.stride_width == 1 && out_x + 1 < interior.x_end) {
          Four first = f.start, second = f.start;
          AddTapsPairStride1(f, in, first, second);
          StoreGroup(f, first, out);
          StoreGroup(f, second, out + g.depth);
          out += 2 * g.depth;
          out_x += 2;
          continue;
        }
        Four acc = f.start;
        AddTaps(f, in, f.step, f.step2, f.row, acc);
        StoreGroup(f, acc, out);
        out += g.depth;
        ++out_x;
      }
    }
  }
}

// The strip path (undilated 3x3, depth multiplier 1, stride 1 across): for each group
// of four channels, the three window rows are kept sign-extended with the input offset
// added, two channels a word, in a ring of padded rows (zeros outside the image stand for
// the taps the reference skips). Every output pixel is then an interior one, and four of
// them take a tap's weights from three registers: a tap is a load and two
// multiply-accumulates per pixel, each input word shared by the pixels whose windows
// overlap it. Channels (c, c+2) are one strip, (c+1, c+3) the other: what SXTAB16 gives.

// Padded columns a ring row holds at most: output rows up to 96 pixels, 2.3 KiB of stack
// for the two strips' rings (as much as the 1x1 path's expansion; the Nano 33 BLE class
// has a 16 KiB stack). Wider rows go through Groups.
constexpr int kStripMaxColumns = 98;
// Output rows narrower than this go through Groups: the strip path's set-up a row outweighs
// what its blocks save.
constexpr int kStripMinWidth = 8;

// One strip's block of four output pixels, at the offsets the device code reads.
struct StripBlock {
  const uint32_t* rows[3];  // the window's three rows, at the block's first input column
  uint32_t weights[9];      // tap t's doubled weights of the strip's two channels (low, high)
  int32_t start[2];         // 2 * bias of each channel: the offset is in the rows
};
static_assert(!TINYML_KERNELS_DSP || (offsetof(StripBlock, weights) == 12 && offsetof(StripBlock, start) == 48),
              "the device code's offsets");

// Per-channel requantization constants of one strip's two channels.
struct StripOutput {
  int32_t multiplier[2], folded[2], right_minus_one[2];
};

// One output pixel of one strip, in C: a row's last one to three on the device, every
// pixel on the host (the portable StripFour).
TINYML_INLINE void StripOne(const StripBlock& block, int column, int32_t* low, int32_t* high) {
  int32_t a = block.start[0], b = block.start[1];
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
    const uint32_t* row = block.rows[r] + column;
#pragma GCC unroll 3
    for (int k = 0; k < 3; ++k) {
      const uint32_t x = row[k];
      a = dsp::MacLow(x, block.weights[r * 3 + k], a);
      b = dsp::MacHigh(x, block.weights[r * 3 + k], b);
    }
  }
  *low = a;
  *high = b;
}

#if TINYML_KERNELS_DSP

#define TINYML_STRIP_MAC(A, B, W)                 \
  "smlabb %[" A "], %[x], %[" W "], %[" A "]\n\t" \
  "smlatt %[" B "], %[x], %[" W "], %[" B "]\n\t"
#define TINYML_STRIP_LOAD(COL) "ldr %[x], [%[p], #" #COL "*4]\n\t"
// The row's pointer advanced past the block's four pixels (BYTES), for the next block.
#define TINYML_STRIP_ROW_END(R, BYTES)    \
  "add %[p], %[p], #" #BYTES "\n\t"     \
  "str %[p], [%[blk], #" #R "*4]\n\t"
#define TINYML_STRIP_ROW_START(R)                  \
  "ldr %[p], [%[blk], #" #R "*4]\n\t"              \
  "ldr %[w0], [%[blk], #12+" #R "*12]\n\t"         \
  "ldr %[w1], [%[blk], #16+" #R "*12]\n\t"         \
  "ldr %[w2], [%[blk], #20+" #R "*12]\n\t"
// Stride 1: pixel j's taps are columns j..j+2.
#define TINYML_STRIP_ROW_1(R)                                                                              \
  TINYML_STRIP_ROW_START(R)                                                                                \
  TINYML_STRIP_LOAD(0) TINYML_STRIP_MAC("a0", "b0", "w0")                                                  \
  TINYML_STRIP_LOAD(1) TINYML_STRIP_MAC("a0", "b0", "w1") TINYML_STRIP_MAC("a1", "b1", "w0")               \
  TINYML_STRIP_LOAD(2) TINYML_STRIP_MAC("a0", "b0", "w2") TINYML_STRIP_MAC("a1", "b1", "w1")               \
      TINYML_STRIP_MAC("a2", "b2", "w0")                                                                   \
  TINYML_STRIP_LOAD(3) TINYML_STRIP_MAC("a1", "b1", "w2") TINYML_STRIP_MAC("a2", "b2", "w1")               \
      TINYML_STRIP_MAC("a3", "b3", "w0")                                                                   \
  TINYML_STRIP_LOAD(4) TINYML_STRIP_MAC("a2", "b2", "w2") TINYML_STRIP_MAC("a3", "b3", "w1")               \
  TINYML_STRIP_LOAD(5) TINYML_STRIP_MAC("a3", "b3", "w2") TINYML_STRIP_ROW_END(R, 16)
#define TINYML_STRIP_START                                                                          \
  "ldr %[a0], [%[blk], #48]\n\t"                                                                    \
  "ldr %[b0], [%[blk], #52]\n\t"                                                                    \
  "mov %[a1], %[a0]\n\tmov %[a2], %[a0]\n\tmov %[a3], %[a0]\n\t"                                   \
  "mov %[b1], %[b0]\n\tmov %[b2], %[b0]\n\tmov %[b3], %[b0]\n\t"
#define TINYML_STRIP_OPERANDS                                                                                  \
  : [a0] "=&r"(low[0]), [a1] "=&r"(low[1]), [a2] "=&r"(low[2]), [a3] "=&r"(low[3]), [b0] "=&r"(high[0]),      \
    [b1] "=&r"(high[1]), [b2] "=&r"(high[2]), [b3] "=&r"(high[3]), [w0] "=&r"(w0), [w1] "=&r"(w1),            \
    [w2] "=&r"(w2), [x] "=&r"(x), [p] "=&r"(p)                                                                 \
  : [blk] "r"(&block)                                                                                          \
  : "memory"

// Four output pixels of one strip, then the block's rows moved past them: every register
// an operand (8 sums, 3 weights, the input word, the row pointer, the block).
TINYML_INLINE void StripFour(StripBlock& block, int32_t low[4], int32_t high[4]) {
  uint32_t w0, w1, w2, x;
  const uint32_t* p;
  __asm__(TINYML_STRIP_START TINYML_STRIP_ROW_1(0) TINYML_STRIP_ROW_1(1) TINYML_STRIP_ROW_1(2)
              TINYML_STRIP_OPERANDS);
}

#undef TINYML_STRIP_OPERANDS
#undef TINYML_STRIP_START
#undef TINYML_STRIP_ROW_1
#undef TINYML_STRIP_ROW_START
#undef TINYML_STRIP_ROW_END
#undef TINYML_STRIP_LOAD
#undef TINYML_STRIP_MAC

#else

// The same arithmetic in portable C: four pixels one by one.
TINYML_INLINE void StripFour(StripBlock& block, int32_t low[4], int32_t high[4]) {
  for (int j = 0; j < 4; ++j) StripOne(block, j, &low[j], &high[j]);
  for (int r = 0; r < 3; ++r) block.rows[r] += 4;
}

#endif

TINYML_INLINE void StoreStrip(const StripOutput& o, int32_t low, int32_t high, int8_t* out) {
  out[0] = RequantizeDoubledFolded(low, o.multiplier[0], o.folded[0], o.right_minus_one[0]);
  out[2] = RequantizeDoubledFolded(high, o.multiplier[1], o.folded[1], o.right_minus_one[1]);
}

// Input row `y` of channels c..c+3 into the two strips' ring rows, `columns` padded
// columns from input column -pad_width: (c, c+2) into `even`, (c+1, c+3) into `odd`.
TINYML_SEPARATE void FillStripRows(const Geometry& g, uint32_t offsets, const int8_t* image, int channel, int y,
                                   int columns, uint32_t* even, uint32_t* odd) {
  if (y < 0 || y >= g.input_height) {
    memset(even, 0, columns * sizeof(uint32_t));
    memset(odd, 0, columns * sizeof(uint32_t));
    return;
  }
  int column = 0;
  for (; column < columns && column < g.pad_width; ++column) even[column] = odd[column] = 0;
  const int inside_end = g.pad_width + g.input_width < columns ? g.pad_width + g.input_width : columns;
  const int8_t* in = image + (y * g.input_width + (column - g.pad_width)) * g.depth + channel;
  const int step = g.depth;
  for (; column + 2 <= inside_end; column += 2, in += 2 * step) {
    const uint32_t first = dsp::Load4(in), second = dsp::Load4(in + step);
    even[column] = dsp::ExtendEvenAdd(offsets, first);
    odd[column] = dsp::ExtendOddAdd(offsets, first);
    even[column + 1] = dsp::ExtendEvenAdd(offsets, second);
    odd[column + 1] = dsp::ExtendOddAdd(offsets, second);
  }
  for (; column < inside_end; ++column, in += step) {
    const uint32_t word = dsp::Load4(in);
    even[column] = dsp::ExtendEvenAdd(offsets, word);
    odd[column] = dsp::ExtendOddAdd(offsets, word);
  }
  for (; column < columns; ++column) even[column] = odd[column] = 0;
}

// Padded columns the strip path reads for a row of `output_width` pixels (stride 1).
int StripColumns(int output_width) { return output_width + 2; }

// Whether Strips applies (Groups' conditions given) and is the faster path: stride 1, rows
// that fit the ring and are long enough to amortise a row's set-up. With stride 2 each
// output row needs two new ring rows, and Groups measures faster (BENCHMARKS.md).
bool StripsApply(const Geometry& g, int output_width) {
  return g.stride_width == 1 && output_width >= kStripMinWidth && StripColumns(output_width) <= kStripMaxColumns;
}

// Every output pixel, for every whole group of four channels. Requires GroupsApply and
// StripsApply.
TINYML_SEPARATE void Strips(const Geometry& g, const Quantization& q, const int8_t* image, const int8_t* filter,
                            const int32_t* bias, int output_height, int output_width, int8_t* output) {
  const uint32_t offsets = dsp::Duplicate(q.input_offset);
  const int columns = StripColumns(output_width);
  uint32_t ring[2][3][kStripMaxColumns];
  for (int channel = 0; channel + 4 <= g.depth; channel += 4) {
    StripBlock blocks[2];
    StripOutput outputs[2];
    for (int strip = 0; strip < 2; ++strip) {
      // Strip 0 holds channels (c, c+2), strip 1 (c+1, c+3).
      const int low = channel + strip, high = low + 2;
      for (int tap = 0; tap < 9; ++tap) {
        blocks[strip].weights[tap] = dsp::Pack(2 * filter[tap * g.depth + low], 2 * filter[tap * g.depth + high]);
      }
      for (int half = 0; half < 2; ++half) {
        const int c = half == 0 ? low : high;
        blocks[strip].start[half] = DoubledBias(bias, c);
        FoldedOutput(q, c, &outputs[strip].multiplier[half], &outputs[strip].folded[half],
                     &outputs[strip].right_minus_one[half]);
      }
    }
    // Input row y lives in slot (y + 3) % 3 (y >= -2: the padding is at most 2 rows).
    int ring_row[3] = {INT32_MIN, INT32_MIN, INT32_MIN};
    int first_slot = (3 - g.pad_height % 3) % 3;  // the slot of y0 = -pad_height
    for (int out_y = 0; out_y < output_height; ++out_y) {
      const int y0 = out_y * g.stride_height - g.pad_height;
      for (int r = 0; r < 3; ++r) {
        const int y = y0 + r;
        const int slot = first_slot + r >= 3 ? first_slot + r - 3 : first_slot + r;
        if (ring_row[slot] != y) {
          FillStripRows(g, offsets, image, channel, y, columns, ring[0][slot], ring[1][slot]);
          ring_row[slot] = y;
        }
        blocks[0].rows[r] = ring[0][slot];
        blocks[1].rows[r] = ring[1][slot];
      }
      first_slot += g.stride_height;
      while (first_slot >= 3) first_slot -= 3;
      int8_t* out_row = output + out_y * output_width * g.depth + channel;
      for (int strip = 0; strip < 2; ++strip) {
        StripBlock& block = blocks[strip];
        const StripOutput& o = outputs[strip];
        int8_t* out = out_row + strip;
        int out_x = 0;
        for (; out_x + 4 <= output_width; out_x += 4) {
          int32_t low[4], high[4];
          StripFour(block, low, high);
#pragma GCC unroll 4
          for (int j = 0; j < 4; ++j) StoreStrip(o, low[j], high[j], out + j * g.depth);
          out += 4 * g.depth;
        }
        for (int j = 0; out_x < output_width; ++out_x, ++j, out += g.depth) {
          int32_t low, high;
          StripOne(block, j, &low, &high);
          StoreStrip(o, low, high, out);
        }
      }
    }
  }
}

// Depth multiplier M, a multiple of 4 (a first layer taking one channel to eight): input
// channel c feeds output channels c*M .. c*M+M-1. For each group of four of them, the
// pixels of `interior` with the group's constants (LoadGroup), each tap's input byte in
// both halfwords of one word. Requires MultipliedGroupsApply.
TINYML_SEPARATE void MultipliedGroups(const Geometry& g, const Quantization& q, int multiplier,
                                      const int8_t* image, const int8_t* filter, const int32_t* bias,
                                      int output_width, const Box& interior, int8_t* output) {
  const int channels = g.depth * multiplier;
  const int step = g.depth, row = g.input_width * g.depth, next = g.stride_width * g.depth;
  for (int in_channel = 0; in_channel < g.depth; ++in_channel) {
    for (int m = 0; m < multiplier; m += 4) {
      const int channel = in_channel * multiplier + m;
      GroupFilter f;
      LoadGroup(g, q, filter, bias, channel, channels, f);
      for (int out_y = interior.y_begin; out_y < interior.y_end; ++out_y) {
        const int y0 = out_y * g.stride_height - g.pad_height;
        const int x0 = interior.x_begin * g.stride_width - g.pad_width;
        const int8_t* in = image + (y0 * g.input_width + x0) * g.depth + in_channel;
        int8_t* out = output + (out_y * output_width + interior.x_begin) * channels + channel;
        for (int out_x = interior.x_begin; out_x < interior.x_end; ++out_x, in += next, out += channels) {
          Four acc = f.start;
#pragma GCC unroll 3
          for (int ky = 0; ky < 3; ++ky) {
#pragma GCC unroll 3
            for (int kx = 0; kx < 3; ++kx) {
              const uint32_t value = dsp::Duplicate(in[ky * row + kx * step]);
              const uint32_t* weights = f.taps[ky * 3 + kx];
              acc.a0 = dsp::MacLow(value, weights[0], acc.a0);
              acc.a2 = dsp::MacHigh(value, weights[0], acc.a2);
              acc.a1 = dsp::MacLow(value, weights[1], acc.a1);
              acc.a3 = dsp::MacHigh(value, weights[1], acc.a3);
            }
          }
          StoreGroup(f, acc, out);
        }
      }
    }
  }
}

// The folded requantization's domain, for every channel: short sums, right shifts of 1 to
// 22, the clamp int8's range.
bool FoldedRequantizationApplies(const Quantization& q, int channels, const int8_t* shift) {
  if (!q.output.saturate_only()) return false;
  for (int c = 0; c < channels; ++c) {
    if (shift[c] < -22) return false;
  }
  return true;
}

// Whether MultipliedGroups applies: undilated 3x3, a depth multiplier that is a multiple of 4.
bool MultipliedGroupsApply(const Geometry& g, const Quantization& q, int multiplier, const int8_t* shift) {
  return multiplier > 1 && multiplier % 4 == 0 && g.filter_height == 3 && g.filter_width == 3 &&
         g.dilation_height == 1 && g.dilation_width == 1 &&
         FoldedRequantizationApplies(q, g.depth * multiplier, shift);
}

// Whether Groups applies: undilated 3x3, depth multiplier 1 (MobileNets' depthwise
// layers), whole groups, and the folded requantization's domain (short sums, right shifts
// of 1 to 22, the clamp int8's range).
bool GroupsApply(const Geometry& g, const Quantization& q, int multiplier, const int8_t* shift) {
  return multiplier == 1 && g.filter_height == 3 && g.filter_width == 3 && g.dilation_height == 1 &&
         g.dilation_width == 1 && g.depth >= 4 && FoldedRequantizationApplies(q, g.depth, shift);
}

// A 3x3 window wholly inside the image, undilated: the nine taps unrolled.
TINYML_SEPARATE void Interior3x3(const Geometry& g, const Quantization& q, const int8_t* window, const int8_t* filter,
                                 const int32_t* bias, int8_t* out) {
  const uint32_t offsets = dsp::Duplicate(q.input_offset);
  const int row = g.input_width * g.depth, step = g.depth;
  // The filter's taps are as far apart as the image's pixels: `step` bytes.
  int channel = 0;
  for (; channel + 4 <= g.depth; channel += 4) {
    Four acc = Start(bias, channel);
    const int8_t* in = window + channel;
    const int8_t* weights = filter + channel;
#pragma GCC unroll 3
    for (int ky = 0; ky < 3; ++ky) {
#pragma GCC unroll 3
      for (int kx = 0; kx < 3; ++kx) {
        acc.Tap(offsets, in, weights);
        in += step;
        weights += step;
      }
      in += row - 3 * step;
    }
    Store(q, acc, channel, out);
  }
  Interior3x3Tail(g, q, window, filter, bias, channel, out);
}

// One output pixel, all channels, depth multiplier 1.
TINYML_SEPARATE void Pixel(const Geometry& g, const Quantization& q, const int8_t* image, const int8_t* filter,
                           const int32_t* bias, int out_y, int out_x, int8_t* out, int first_channel = 0) {
  const int y0 = out_y * g.stride_height - g.pad_height;
  const int x0 = out_x * g.stride_width - g.pad_width;
  // The taps inside the image; the reference skips the others.
  int ky_begin = 0, ky_end = g.filter_height, kx_begin = 0, kx_end = g.filter_width;
  while (ky_begin < ky_end && y0 + ky_begin * g.dilation_height < 0) ++ky_begin;
  while (ky_end > ky_begin && y0 + (ky_end - 1) * g.dilation_height >= g.input_height) --ky_end;
  while (kx_begin < kx_end && x0 + kx_begin * g.dilation_width < 0) ++kx_begin;
  while (kx_end > kx_begin && x0 + (kx_end - 1) * g.dilation_width >= g.input_width) --kx_end;
  const int row_stride = g.input_width * g.depth;
  if (first_channel == 0 && g.filter_height == 3 && g.filter_width == 3 && g.dilation_height == 1 &&
      g.dilation_width == 1 && ky_begin == 0 && kx_begin == 0 && ky_end == 3 && kx_end == 3) {
    Interior3x3(g, q, image + y0 * row_stride + x0 * g.depth, filter, bias, out);
    return;
  }
  const uint32_t offsets = dsp::Duplicate(q.input_offset);
  int channel = first_channel;
  for (; channel + 4 <= g.depth; channel += 4) {
    Four acc = Start(bias, channel);
    for (int ky = ky_begin; ky < ky_end; ++ky) {
      const int8_t* in_row = image + (y0 + ky * g.dilation_height) * row_stride + channel;
      const int8_t* filter_row = filter + ky * g.filter_width * g.depth + channel;
      for (int kx = kx_begin; kx < kx_end; ++kx) {
        acc.Tap(offsets, in_row + (x0 + kx * g.dilation_width) * g.depth, filter_row + kx * g.depth);
      }
    }
    Store(q, acc, channel, out);
  }
  for (; channel < g.depth; ++channel) {
    int32_t acc = bias ? bias[channel] : 0;
    for (int ky = ky_begin; ky < ky_end; ++ky) {
      const int8_t* in_row = image + (y0 + ky * g.dilation_height) * row_stride + channel;
      const int8_t* filter_row = filter + ky * g.filter_width * g.depth + channel;
      for (int kx = kx_begin; kx < kx_end; ++kx) {
        acc += (in_row[(x0 + kx * g.dilation_width) * g.depth] + q.input_offset) * filter_row[kx * g.depth];
      }
    }
    out[channel] = q.output(acc, channel);
  }
}

// One output pixel with depth multiplier M > 1 (e.g. a first layer taking 1 channel to 8):
// input channel c feeds outputs c*M .. c*M+M-1, contiguous in filter and output, four at
// a time, each tap's input value in both halfwords.
TINYML_SEPARATE void PixelMultiplied(const Geometry& g, const Quantization& q, int multiplier, const int8_t* image,
                                     const int8_t* filter, const int32_t* bias, int out_y, int out_x, int8_t* out) {
  const int channels = g.depth * multiplier;
  const int y0 = out_y * g.stride_height - g.pad_height;
  const int x0 = out_x * g.stride_width - g.pad_width;
  for (int in_channel = 0; in_channel < g.depth; ++in_channel) {
    int m = 0;
    for (; m + 4 <= multiplier; m += 4) {
      const int channel = in_channel * multiplier + m;
      Four acc = Start(bias, channel);
      for (int ky = 0; ky < g.filter_height; ++ky) {
        const int y = y0 + ky * g.dilation_height;
        if (y < 0 || y >= g.input_height) continue;
        for (int kx = 0; kx < g.filter_width; ++kx) {
          const int x = x0 + kx * g.dilation_width;
          if (x < 0 || x >= g.input_width) continue;
          const uint32_t in = dsp::Duplicate(image[(y * g.input_width + x) * g.depth + in_channel] + q.input_offset);
          const uint32_t weight_word = dsp::Load4(filter + (ky * g.filter_width + kx) * channels + channel);
          const uint32_t weight_even = dsp::ExtendEven(weight_word);
          const uint32_t weight_odd = dsp::ExtendOdd(weight_word);
          acc.a0 = dsp::MacLow(in, weight_even, acc.a0);
          acc.a2 = dsp::MacHigh(in, weight_even, acc.a2);
          acc.a1 = dsp::MacLow(in, weight_odd, acc.a1);
          acc.a3 = dsp::MacHigh(in, weight_odd, acc.a3);
        }
      }
      Store(q, acc, channel, out);
    }
    for (; m < multiplier; ++m) {
      const int channel = in_channel * multiplier + m;
      int32_t acc = bias ? bias[channel] : 0;
      for (int ky = 0; ky < g.filter_height; ++ky) {
        const int y = y0 + ky * g.dilation_height;
        if (y < 0 || y >= g.input_height) continue;
        for (int kx = 0; kx < g.filter_width; ++kx) {
          const int x = x0 + kx * g.dilation_width;
          if (x < 0 || x >= g.input_width) continue;
          acc += (image[(y * g.input_width + x) * g.depth + in_channel] + q.input_offset) *
                 filter[(ky * g.filter_width + kx) * channels + channel];
        }
      }
      out[channel] = q.output(acc, channel);
    }
  }
}

}  // namespace

void DepthwiseConvPerChannel(const tflite::DepthwiseParams& params, const int32_t* output_multiplier,
                             const int8_t* output_shift, const tflite::RuntimeShape& input_shape,
                             const int8_t* input_data, const tflite::RuntimeShape& filter_shape,
                             const int8_t* filter_data, const tflite::RuntimeShape& bias_shape,
                             const int32_t* bias_data, const tflite::RuntimeShape& output_shape,
                             int8_t* output_data) {
  (void)bias_shape;
  const Geometry g = {input_shape.Dims(1),
                      input_shape.Dims(2),
                      input_shape.Dims(3),
                      filter_shape.Dims(1),
                      filter_shape.Dims(2),
                      params.stride_height,
                      params.stride_width,
                      params.dilation_height_factor,
                      params.dilation_width_factor,
                      params.padding_values.height,
                      params.padding_values.width};
  const int multiplier = params.depth_multiplier;
  const Quantization q = {params.input_offset,
                          OutputStage(output_multiplier, output_shift, g.depth * multiplier, bias_data,
                                      g.filter_height * g.filter_width, params.output_offset,
                                      params.quantized_activation_min, params.quantized_activation_max)};
  const int output_height = output_shape.Dims(1);
  const int output_width = output_shape.Dims(2);
  const int image_size = g.input_height * g.input_width * g.depth;
  const int output_size = output_height * output_width * g.depth * multiplier;
  const int pixel_bytes = g.depth * multiplier;
  const bool groups = GroupsApply(g, q, multiplier, output_shift);
  const bool multiplied_groups = MultipliedGroupsApply(g, q, multiplier, output_shift);
  // Output rows and columns whose windows lie inside the image: y0 >= 0 and y0 + 3 <= height.
  Box interior = {0, 0, 0, 0};
  if (groups || multiplied_groups) {
    interior.y_begin = (g.pad_height + g.stride_height - 1) / g.stride_height;
    interior.y_end = g.input_height + g.pad_height < 3 ? 0 : (g.input_height - 3 + g.pad_height) / g.stride_height + 1;
    interior.x_begin = (g.pad_width + g.stride_width - 1) / g.stride_width;
    interior.x_end = g.input_width + g.pad_width < 3 ? 0 : (g.input_width - 3 + g.pad_width) / g.stride_width + 1;
    if (interior.y_end > output_height) interior.y_end = output_height;
    if (interior.x_end > output_width) interior.x_end = output_width;
  }
  // Where Groups applies it computes the whole groups of four channels; the last 1 to 3
  // channels, and every channel elsewhere, pixel by pixel.
  const int first_channel = groups ? g.depth & ~3 : 0;
  for (int batch = 0; batch < input_shape.Dims(0); ++batch) {
    const int8_t* image = input_data + batch * image_size;
    int8_t* output = output_data + batch * output_size;
    if (groups && StripsApply(g, output_width)) {
      Strips(g, q, image, filter_data, bias_data, output_height, output_width, output);
    } else if (groups) {
      Groups(g, q, image, filter_data, bias_data, output_height, output_width, interior, output);
    }
    if (first_channel == g.depth) continue;
    if (multiplied_groups) {
      MultipliedGroups(g, q, multiplier, image, filter_data, bias_data, output_width, interior, output);
    }
    for (int out_y = 0; out_y < output_height; ++out_y) {
      const bool interior_row = out_y >= interior.y_begin && out_y < interior.y_end;
      for (int out_x = 0; out_x < output_width; ++out_x) {
        int8_t* out = output + (out_y * output_width + out_x) * pixel_bytes;
        if (multiplier == 1) {
          Pixel(g, q, image, filter_data, bias_data, out_y, out_x, out, first_channel);
        } else if (multiplied_groups && interior_row && out_x >= interior.x_begin && out_x < interior.x_end) {
          continue;  // MultipliedGroups' pixel
        } else {
          PixelMultiplied(g, q, multiplier, image, filter_data, bias_data, out_y, out_x, out);
        }
      }
    }
  }
}

}  // namespace tinyml_kernels
