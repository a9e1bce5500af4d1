#include "tflm/kernels/conv.h"

#include <string.h>

#include "tflm/kernels/dsp.h"
#include "tflm/kernels/requantize.h"

namespace tinyml_kernels {
namespace {

// Columns are computed in pairs: each filter word loaded serves two output pixels.
constexpr int kColumnsPerBlock = 2;

bool ReadsInPlace(const tflite::ConvParams& params, const tflite::RuntimeShape& filter_shape) {
  return filter_shape.Dims(1) == 1 && filter_shape.Dims(2) == 1 && params.padding_values.height == 0 &&
         params.padding_values.width == 0;
}

// acc[c][r] += column c . row r (`depth` long, inputs offset by the input's -zero point),
// for two columns and two rows: each word loaded feeds two SMLADs. `columns[1]` and
// `rows[1]` may repeat `[0]` (an odd last column or channel); the caller ignores those sums.
struct Sums {
  int32_t c0r0, c0r1, c1r0, c1r1;
};

// The common case: the second column and row follow the first (`depth` bytes on), so
// one pointer walks each pair and fewer registers are live.
inline void Dot2x2Adjacent(const int8_t* column, const int8_t* row, int depth, int32_t input_offset, Sums& sums) {
  const uint32_t offsets = dsp::Duplicate(input_offset);
  int32_t c0r0 = sums.c0r0, c0r1 = sums.c0r1, c1r0 = sums.c1r0, c1r1 = sums.c1r1;
  const int8_t* const end = column + (depth & ~3);
  const int8_t* const start = column;
  while (column != end) {
    const uint32_t weights0 = dsp::Load4(row);
    const uint32_t in0 = dsp::Load4(column);
    const uint32_t even0 = dsp::ExtendEven(weights0);
    const uint32_t odd0 = dsp::ExtendOdd(weights0);
    const uint32_t weights1 = dsp::Load4(row + depth);
    const uint32_t even1 = dsp::ExtendEven(weights1);
    const uint32_t odd1 = dsp::ExtendOdd(weights1);
    uint32_t in_even = dsp::ExtendEvenAdd(offsets, in0);
    uint32_t in_odd = dsp::ExtendOddAdd(offsets, in0);
    c0r0 = dsp::DualMac(in_even, even0, c0r0);
    c0r0 = dsp::DualMac(in_odd, odd0, c0r0);
    c0r1 = dsp::DualMac(in_even, even1, c0r1);
    c0r1 = dsp::DualMac(in_odd, odd1, c0r1);
    const uint32_t in1 = dsp::Load4(column + depth);
    in_even = dsp::ExtendEvenAdd(offsets, in1);
    in_odd = dsp::ExtendOddAdd(offsets, in1);
    c1r0 = dsp::DualMac(in_even, even0, c1r0);
    c1r0 = dsp::DualMac(in_odd, odd0, c1r0);
    c1r1 = dsp::DualMac(in_even, even1, c1r1);
    c1r1 = dsp::DualMac(in_odd, odd1, c1r1);
    column += 4;
    row += 4;
  }
  for (int k = static_cast<int>(column - start); k < depth; ++k, ++column, ++row) {
    const int32_t in0 = column[0] + input_offset, in1 = column[depth] + input_offset;
    c0r0 += in0 * row[0];
    c0r1 += in0 * row[depth];
    c1r0 += in1 * row[0];
    c1r1 += in1 * row[depth];
  }
  sums = {c0r0, c0r1, c1r0, c1r1};
}

inline void Dot2x2(const int8_t* column0, const int8_t* column1, const int8_t* row0, const int8_t* row1, int depth,
                   int32_t input_offset, Sums& sums) {
  if (column1 == column0 + depth && row1 == row0 + depth) {
    Dot2x2Adjacent(column0, row0, depth, input_offset, sums);
    return;
  }
  const uint32_t offsets = dsp::Duplicate(input_offset);
  int32_t c0r0 = sums.c0r0, c0r1 = sums.c0r1, c1r0 = sums.c1r0, c1r1 = sums.c1r1;
  int k = 0;
  for (; k + 4 <= depth; k += 4) {
    const uint32_t in0 = dsp::Load4(column0 + k);
    const uint32_t in1 = dsp::Load4(column1 + k);
    const uint32_t in0_even = dsp::ExtendEvenAdd(offsets, in0);
    const uint32_t in0_odd = dsp::ExtendOddAdd(offsets, in0);
    const uint32_t in1_even = dsp::ExtendEvenAdd(offsets, in1);
    const uint32_t in1_odd = dsp::ExtendOddAdd(offsets, in1);
    uint32_t weights = dsp::Load4(row0 + k);
    uint32_t even = dsp::ExtendEven(weights);
    uint32_t odd = dsp::ExtendOdd(weights);
    c0r0 = dsp::DualMac(in0_even, even, c0r0);
    c0r0 = dsp::DualMac(in0_odd, odd, c0r0);
    c1r0 = dsp::DualMac(in1_even, even, c1r0);
    c1r0 = dsp::DualMac(in1_odd, odd, c1r0);
    weights = dsp::Load4(row1 + k);
    even = dsp::ExtendEven(weights);
    odd = dsp::ExtendOdd(weights);
    c0r1 = dsp::DualMac(in0_even, even, c0r1);
    c0r1 = dsp::DualMac(in0_odd, odd, c0r1);
    c1r1 = dsp::DualMac(in1_even, even, c1r1);
    c1r1 = dsp::DualMac(in1_odd, odd, c1r1);
  }
  for (; k < depth; ++k) {
    const int32_t in0 = column0[k] + input_offset, in1 = column1[k] + input_offset;
    c0r0 += in0 * row0[k];
    c0r1 += in0 * row1[k];
    c1r0 += in1 * row0[k];
    c1r1 += in1 * row1[k];
  }
  sums = {c0r0, c0r1, c1r0, c1r1};
}

// Depths up to which the columns are expanded on the stack (2 KiB: two columns of int16).
constexpr int kMaxExpandedDepth = 512;

// Two columns' first `depth4` bytes (a multiple of 4) sign-extended with the input offset
// added, as DualMac takes them: for each four depths k..k+3, column 0's halfword pairs
// (k, k+2) and (k+1, k+3), then column 1's. Done once a column pair, the expansion serves
// every output channel.
void ExpandColumns(const int8_t* column0, const int8_t* column1, int depth4, int32_t input_offset,
                   uint32_t* expanded) {
  const uint32_t offsets = dsp::Duplicate(input_offset);
  for (int k = 0; k < depth4; k += 4) {
    const uint32_t first = dsp::Load4(column0 + k), second = dsp::Load4(column1 + k);
    expanded[0] = dsp::ExtendEvenAdd(offsets, first);
    expanded[1] = dsp::ExtendOddAdd(offsets, first);
    expanded[2] = dsp::ExtendEvenAdd(offsets, second);
    expanded[3] = dsp::ExtendOddAdd(offsets, second);
    expanded += 4;
  }
}

// Sums += the expanded columns . rows `row0` and `row1`, over `depth4` (> 0, a multiple of 4).
inline void Dot2x2Expanded(const uint32_t* expanded, int depth4, const int8_t* row0, const int8_t* row1,
                           Sums& sums) {
#if TINYML_KERNELS_DSP
  // Every register is an operand (4 sums, 3 pointers, the end, 6 temporaries): GCC's own
  // allocation spills the sums.
  const uint32_t* const end = expanded + depth4;
  uint32_t w0, w1, e0, e1, x, y;
  __asm__(
      "1:\n\t"
      "ldr %[w0], [%[row0]], #4\n\t"
      "ldr %[w1], [%[row1]], #4\n\t"
      "sxtb16 %[e0], %[w0]\n\t"
      "sxtb16 %[w0], %[w0], ror #8\n\t"
      "sxtb16 %[e1], %[w1]\n\t"
      "sxtb16 %[w1], %[w1], ror #8\n\t"
      "ldrd %[x], %[y], [%[in]], #8\n\t"
      "smlad %[c0r0], %[x], %[e0], %[c0r0]\n\t"
      "smlad %[c0r0], %[y], %[w0], %[c0r0]\n\t"
      "smlad %[c0r1], %[x], %[e1], %[c0r1]\n\t"
      "smlad %[c0r1], %[y], %[w1], %[c0r1]\n\t"
      "ldrd %[x], %[y], [%[in]], #8\n\t"
      "smlad %[c1r0], %[x], %[e0], %[c1r0]\n\t"
      "smlad %[c1r0], %[y], %[w0], %[c1r0]\n\t"
      "smlad %[c1r1], %[x], %[e1], %[c1r1]\n\t"
      "smlad %[c1r1], %[y], %[w1], %[c1r1]\n\t"
      "cmp %[in], %[end]\n\t"
      "bne 1b\n\t"
      : [c0r0] "+r"(sums.c0r0), [c0r1] "+r"(sums.c0r1), [c1r0] "+r"(sums.c1r0), [c1r1] "+r"(sums.c1r1),
        [row0] "+r"(row0), [row1] "+r"(row1), [in] "+r"(expanded), [w0] "=&r"(w0), [w1] "=&r"(w1),
        [e0] "=&r"(e0), [e1] "=&r"(e1), [x] "=&r"(x), [y] "=&r"(y)
      : [end] "r"(end)
      : "cc", "memory");
#else
  for (int k = 0; k < depth4; k += 4, expanded += 4, row0 += 4, row1 += 4) {
    const uint32_t weights0 = dsp::Load4(row0), weights1 = dsp::Load4(row1);
    const uint32_t even0 = dsp::ExtendEven(weights0), odd0 = dsp::ExtendOdd(weights0);
    const uint32_t even1 = dsp::ExtendEven(weights1), odd1 = dsp::ExtendOdd(weights1);
    sums.c0r0 = dsp::DualMac(expanded[1], odd0, dsp::DualMac(expanded[0], even0, sums.c0r0));
    sums.c0r1 = dsp::DualMac(expanded[1], odd1, dsp::DualMac(expanded[0], even1, sums.c0r1));
    sums.c1r0 = dsp::DualMac(expanded[3], odd0, dsp::DualMac(expanded[2], even0, sums.c1r0));
    sums.c1r1 = dsp::DualMac(expanded[3], odd1, dsp::DualMac(expanded[2], even1, sums.c1r1));
  }
#endif
}

// The last depth % 4 products of a 2x2 block, from the int8 columns.
inline void DotTail(const int8_t* column0, const int8_t* column1, const int8_t* row0, const int8_t* row1, int begin,
                    int depth, int32_t input_offset, Sums& sums) {
  for (int k = begin; k < depth; ++k) {
    const int32_t in0 = column0[k] + input_offset, in1 = column1[k] + input_offset;
    sums.c0r0 += in0 * row0[k];
    sums.c0r1 += in0 * row1[k];
    sums.c1r0 += in1 * row0[k];
    sums.c1r1 += in1 * row1[k];
  }
}

// OutputStage's saturating form for a layer where it applies (saturate_only), chosen
// once a layer rather than tested at every output.
struct SaturatingStage {
  explicit SaturatingStage(const OutputStage& stage) : twice_offset_plus_one(2 * stage.offset() + 1) {}
  inline int8_t Apply(int32_t acc, int32_t multiplier, int32_t shift) const {
    return RequantizeSmallSaturated(acc, multiplier, -shift, twice_offset_plus_one);
  }
  int32_t twice_offset_plus_one;
};

// ColumnsTimesFilter with the columns expanded once (depth <= kMaxExpandedDepth), channel
// pairs walked by pointer; a lone last channel repeats its row, a lone last column its
// column (kTwoColumns false), and those sums are dropped.
template <bool kTwoColumns, typename Stage>
void ExpandedColumnsTimesFilter(const int8_t* column0, const int8_t* column1, int8_t* out0, int8_t* out1,
                                const int8_t* filter, const int32_t* bias, const int32_t* multiplier,
                                const int8_t* shift, int depth, int output_depth, int32_t input_offset,
                                const Stage stage) {
  uint32_t expanded[kMaxExpandedDepth];
  const int depth4 = depth & ~3;
  ExpandColumns(column0, column1, depth4, input_offset, expanded);
  const int8_t* row = filter;
  int8_t* const out_end = out0 + (output_depth & ~1);
  while (out0 != out_end) {
    const int32_t bias0 = bias ? bias[0] : 0, bias1 = bias ? bias[1] : 0;
    Sums sums = {bias0, bias1, bias0, bias1};
    if (depth4 > 0) Dot2x2Expanded(expanded, depth4, row, row + depth, sums);
    if (depth4 < depth) DotTail(column0, column1, row, row + depth, depth4, depth, input_offset, sums);
    const int32_t multiplier0 = multiplier[0], multiplier1 = multiplier[1];
    const int32_t shift0 = shift[0], shift1 = shift[1];
    out0[0] = stage.Apply(sums.c0r0, multiplier0, shift0);
    out0[1] = stage.Apply(sums.c0r1, multiplier1, shift1);
    if (kTwoColumns) {
      out1[0] = stage.Apply(sums.c1r0, multiplier0, shift0);
      out1[1] = stage.Apply(sums.c1r1, multiplier1, shift1);
    }
    row += 2 * depth;
    if (bias) bias += 2;
    multiplier += 2;
    shift += 2;
    out0 += 2;
    out1 += 2;
  }
  if (output_depth & 1) {
    const int32_t bias0 = bias ? bias[0] : 0;
    Sums sums = {bias0, bias0, bias0, bias0};
    if (depth4 > 0) Dot2x2Expanded(expanded, depth4, row, row, sums);
    if (depth4 < depth) DotTail(column0, column1, row, row, depth4, depth, input_offset, sums);
    out0[0] = stage.Apply(sums.c0r0, multiplier[0], shift[0]);
    if (kTwoColumns) out1[0] = stage.Apply(sums.c1r0, multiplier[0], shift[0]);
  }
}

// ExpandedColumnsTimesFilter for shallow layers (depth 4 * kWords + kTail: a MobileNet's
// first 1x1 convolutions, 8 and 16 channels in, and its first 3x3 convolution on one
// channel, 9), where a pair of output channels' bookkeeping cost more than its products:
// the expanded columns stay in locals, and each output channel is one pass over its
// filter row for both columns.
template <int kWords, int kTail, bool kTwoColumns>
void ShallowColumnsTimesFilter(const int8_t* column0, const int8_t* column1, int8_t* out0, int8_t* out1,
                               const int8_t* filter, const int32_t* bias, const int32_t* multiplier,
                               const int8_t* shift, int output_depth, int32_t input_offset,
                               const SaturatingStage stage) {
  const uint32_t offsets = dsp::Duplicate(input_offset);
  constexpr int kDepth = 4 * kWords + kTail;
  uint32_t x[2 * kWords], y[2 * kWords];
  int32_t x_tail[kTail > 0 ? kTail : 1], y_tail[kTail > 0 ? kTail : 1];
  for (int k = 0; k < kTail; ++k) {
    x_tail[k] = column0[4 * kWords + k] + input_offset;
    y_tail[k] = column1[4 * kWords + k] + input_offset;
  }
#pragma GCC unroll 4
  for (int k = 0; k < kWords; ++k) {
    const uint32_t first = dsp::Load4(column0 + 4 * k), second = dsp::Load4(column1 + 4 * k);
    x[2 * k] = dsp::ExtendEvenAdd(offsets, first);
    x[2 * k + 1] = dsp::ExtendOddAdd(offsets, first);
    y[2 * k] = dsp::ExtendEvenAdd(offsets, second);
    y[2 * k + 1] = dsp::ExtendOddAdd(offsets, second);
  }
  for (int c = 0; c < output_depth; ++c, filter += kDepth) {
    int32_t a = bias ? bias[c] : 0;
    int32_t b = a;
#pragma GCC unroll 3
    for (int k = 0; k < kTail; ++k) {
      a += x_tail[k] * filter[4 * kWords + k];
      if (kTwoColumns) b += y_tail[k] * filter[4 * kWords + k];
    }
#pragma GCC unroll 4
    for (int k = 0; k < kWords; ++k) {
      const uint32_t weights = dsp::Load4(filter + 4 * k);
      const uint32_t even = dsp::ExtendEven(weights), odd = dsp::ExtendOdd(weights);
      a = dsp::DualMac(x[2 * k + 1], odd, dsp::DualMac(x[2 * k], even, a));
      if (kTwoColumns) b = dsp::DualMac(y[2 * k + 1], odd, dsp::DualMac(y[2 * k], even, b));
    }
    const int32_t m = multiplier[c], sh = shift[c];
    out0[c] = stage.Apply(a, m, sh);
    if (kTwoColumns) out1[c] = stage.Apply(b, m, sh);
  }
}

// Whether ShallowColumns takes a layer of this depth.
bool ShallowApplies(int depth) { return depth == 8 || depth == 9 || depth == 16; }

template <int kWords, int kTail>
void ShallowColumnsOfDepth(const int8_t* const* column, int columns, int8_t* const* out, const int8_t* filter,
                           const int32_t* bias, const int32_t* multiplier, const int8_t* shift, int output_depth,
                           int32_t input_offset, const SaturatingStage stage) {
  if (columns == 2) {
    ShallowColumnsTimesFilter<kWords, kTail, true>(column[0], column[1], out[0], out[1], filter, bias, multiplier,
                                                   shift, output_depth, input_offset, stage);
  } else {
    ShallowColumnsTimesFilter<kWords, kTail, false>(column[0], column[0], out[0], out[0], filter, bias, multiplier,
                                                    shift, output_depth, input_offset, stage);
  }
}

void ShallowColumns(const int8_t* const* column, int columns, int8_t* const* out, const int8_t* filter,
                    const int32_t* bias, const int32_t* multiplier, const int8_t* shift, int depth,
                    int output_depth, int32_t input_offset, const SaturatingStage stage) {
  if (depth == 8) {
    ShallowColumnsOfDepth<2, 0>(column, columns, out, filter, bias, multiplier, shift, output_depth, input_offset,
                                stage);
  } else if (depth == 9) {
    ShallowColumnsOfDepth<2, 1>(column, columns, out, filter, bias, multiplier, shift, output_depth, input_offset,
                                stage);
  } else {
    ShallowColumnsOfDepth<4, 0>(column, columns, out, filter, bias, multiplier, shift, output_depth, input_offset,
                                stage);
  }
}

// The general output stage with the same signature as SaturatingStage.
struct GeneralStage {
  inline int8_t Apply(int32_t acc, int32_t multiplier, int32_t shift) const {
    return stage->Apply(acc, multiplier, shift);
  }
  const OutputStage* stage;
};

template <typename Stage>
void ExpandedColumns(const int8_t* const* column, int columns, int8_t* const* out, const int8_t* filter,
                     const int32_t* bias, const int32_t* multiplier, const int8_t* shift, int depth,
                     int output_depth, int32_t input_offset, const Stage stage) {
  if (columns == 2) {
    ExpandedColumnsTimesFilter<true>(column[0], column[1], out[0], out[1], filter, bias, multiplier, shift, depth,
                                     output_depth, input_offset, stage);
  } else {
    ExpandedColumnsTimesFilter<false>(column[0], column[0], out[0], out[0], filter, bias, multiplier, shift, depth,
                                      output_depth, input_offset, stage);
  }
}

// `columns` (1 or 2) output pixels, every output channel.
void ColumnsTimesFilter(const int8_t* const* column, int columns, int8_t* const* out, const int8_t* filter,
                        const int32_t* bias, int depth, int output_depth, int32_t input_offset,
                        const OutputStage& output) {
  const int8_t* column1 = columns == 2 ? column[1] : column[0];
  for (int channel = 0; channel < output_depth; channel += 2) {
    const bool pair = channel + 1 < output_depth;
    const int8_t* row0 = filter + channel * depth;
    const int8_t* row1 = pair ? row0 + depth : row0;
    const int32_t bias0 = bias ? bias[channel] : 0;
    const int32_t bias1 = bias && pair ? bias[channel + 1] : 0;
    Sums sums = {bias0, bias1, bias0, bias1};
    Dot2x2(column[0], column1, row0, row1, depth, input_offset, sums);
    const int32_t multiplier0 = output.multiplier(channel), shift0 = output.shift(channel);
    out[0][channel] = output.Apply(sums.c0r0, multiplier0, shift0);
    if (columns == 2) out[1][channel] = output.Apply(sums.c1r0, multiplier0, shift0);
    if (pair) {
      const int32_t multiplier1 = output.multiplier(channel + 1), shift1 = output.shift(channel + 1);
      out[0][channel + 1] = output.Apply(sums.c0r1, multiplier1, shift1);
      if (columns == 2) out[1][channel + 1] = output.Apply(sums.c1r1, multiplier1, shift1);
    }
  }
}

// What Gather needs of a layer, read once from its shapes and parameters.
struct Window {
  Window(const tflite::ConvParams& params, const tflite::RuntimeShape& input_shape,
         const tflite::RuntimeShape& filter_shape)
      : input_height(input_shape.Dims(1)),
        input_width(input_shape.Dims(2)),
        depth(input_shape.Dims(3)),
        filter_height(filter_shape.Dims(1)),
        filter_width(filter_shape.Dims(2)),
        stride_height(params.stride_height),
        stride_width(params.stride_width),
        dilation_height(params.dilation_height_factor),
        dilation_width(params.dilation_width_factor),
        pad_height(params.padding_values.height),
        pad_width(params.padding_values.width),
        outside(static_cast<int8_t>(-params.input_offset)) {}
  int input_height, input_width, depth, filter_height, filter_width;
  int stride_height, stride_width, dilation_height, dilation_width, pad_height, pad_width;
  int8_t outside;  // the input's zero point: what the reference's skipped taps amount to
};

// The receptive field of output pixel (out_y, out_x), row by row, into `column`.
void Gather(const Window& w, const int8_t* image, int out_y, int out_x, int8_t* column) {
  const int y0 = out_y * w.stride_height - w.pad_height;
  const int x0 = out_x * w.stride_width - w.pad_width;
  const int row_bytes = w.filter_width * w.depth;
  if (w.dilation_width == 1 && x0 >= 0 && x0 + w.filter_width <= w.input_width) {
    // The window's columns inside the image: each filter row is one run of bytes.
    for (int ky = 0; ky < w.filter_height; ++ky, column += row_bytes) {
      const int y = y0 + ky * w.dilation_height;
      if (y < 0 || y >= w.input_height) {
        memset(column, w.outside, row_bytes);
        continue;
      }
      const int8_t* run = image + (y * w.input_width + x0) * w.depth;
      if (row_bytes < 16) {
        // A first layer's few bytes: a call to memcpy would cost more than the copy.
        for (int i = 0; i < row_bytes; ++i) column[i] = run[i];
      } else {
        memcpy(column, run, row_bytes);
      }
    }
    return;
  }
  for (int ky = 0; ky < w.filter_height; ++ky) {
    const int y = y0 + ky * w.dilation_height;
    for (int kx = 0; kx < w.filter_width; ++kx, column += w.depth) {
      const int x = x0 + kx * w.dilation_width;
      if (y >= 0 && y < w.input_height && x >= 0 && x < w.input_width) {
        memcpy(column, image + (y * w.input_width + x) * w.depth, w.depth);
      } else {
        memset(column, w.outside, w.depth);
      }
    }
  }
}

}  // namespace

size_t ConvScratchBytes(const tflite::ConvParams& params, const tflite::RuntimeShape& filter_shape) {
  if (ReadsInPlace(params, filter_shape)) return 0;
  return static_cast<size_t>(kColumnsPerBlock) * filter_shape.Dims(1) * filter_shape.Dims(2) * filter_shape.Dims(3);
}

void ConvPerChannel(const tflite::ConvParams& params, const int32_t* output_multiplier, const int8_t* output_shift,
                    const tflite::RuntimeShape& input_shape, const int8_t* input_data,
                    const tflite::RuntimeShape& filter_shape, const int8_t* filter_data,
                    const tflite::RuntimeShape& bias_shape, const int32_t* bias_data,
                    const tflite::RuntimeShape& output_shape, int8_t* output_data, int8_t* scratch) {
  (void)bias_shape;
  const int batches = input_shape.Dims(0);
  const int input_height = input_shape.Dims(1);
  const int input_width = input_shape.Dims(2);
  const int input_depth = input_shape.Dims(3);
  const int output_height = output_shape.Dims(1);
  const int output_width = output_shape.Dims(2);
  const int output_depth = output_shape.Dims(3);
  const int depth = filter_shape.Dims(1) * filter_shape.Dims(2) * input_depth;
  const bool in_place = ReadsInPlace(params, filter_shape);
  const Window window(params, input_shape, filter_shape);
  const OutputStage output(output_multiplier, output_shift, output_depth, bias_data, depth, params.output_offset,
                           params.quantized_activation_min, params.quantized_activation_max);
  const int pixels = output_height * output_width;
  for (int batch = 0; batch < batches; ++batch) {
    const int8_t* image = input_data + batch * input_height * input_width * input_depth;
    int8_t* result = output_data + batch * pixels * output_depth;
    for (int pixel = 0; pixel < pixels; pixel += kColumnsPerBlock) {
      const int count = pixel + 1 < pixels ? 2 : 1;
      const int8_t* column[2];
      int8_t* out[2];
      for (int c = 0; c < count; ++c) {
        const int out_y = (pixel + c) / output_width;
        const int out_x = (pixel + c) % output_width;
        if (in_place) {
          const int in_y = out_y * params.stride_height, in_x = out_x * params.stride_width;
          column[c] = image + (in_y * input_width + in_x) * input_depth;
        } else {
          Gather(window, image, out_y, out_x, scratch + c * depth);
          column[c] = scratch + c * depth;
        }
        out[c] = result + (pixel + c) * output_depth;
      }
      if (ShallowApplies(depth) && output.saturate_only()) {
        ShallowColumns(column, count, out, filter_data, bias_data, output_multiplier, output_shift, depth,
                       output_depth, params.input_offset, SaturatingStage(output));
      } else if (depth <= kMaxExpandedDepth && output.saturate_only()) {
        ExpandedColumns(column, count, out, filter_data, bias_data, output_multiplier, output_shift, depth,
                        output_depth, params.input_offset, SaturatingStage(output));
      } else if (depth <= kMaxExpandedDepth) {
        ExpandedColumns(column, count, out, filter_data, bias_data, output_multiplier, output_shift, depth,
                        output_depth, params.input_offset, GeneralStage{&output});
      } else {
        ColumnsTimesFilter(column, count, out, filter_data, bias_data, depth, output_depth, params.input_offset,
                           output);
      }
    }
  }
}

}  // namespace tinyml_kernels
