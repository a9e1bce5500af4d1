#include "tflm/kernels/kernel_check.h"

#include <string.h>

#include "tensorflow/lite/kernels/internal/common.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/add.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/conv.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/mul.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h"
#include "tensorflow/lite/kernels/padding.h"
#include "tflm/kernels/add.h"
#include "tflm/kernels/average_pool.h"
#include "tflm/kernels/conv.h"
#include "tflm/kernels/depthwise_conv.h"
#include "tflm/kernels/requantize.h"
#include "tflm/kernels/scalar_operand.h"

namespace {

constexpr int kMaxBatches = 2;
constexpr int kMaxSide = 9;
constexpr int kMaxDepth = 19;
constexpr int kMaxOutputDepth = 13;
constexpr int kMaxFilterSide = 5;
constexpr int kMaxMultiplier = 8;  // 4 and 8 take the grouped path (a first layer of 1 to 8)
constexpr int kMaxChannels = kMaxDepth * kMaxMultiplier;
constexpr int kMaxWideDepth = 700;

int8_t input[kMaxBatches * kMaxSide * kMaxSide * kMaxDepth];
static_assert(4 * kMaxWideDepth <= kMaxBatches * kMaxSide * kMaxSide * kMaxDepth, "a wide case's input fits");
int8_t filter[kMaxChannels * kMaxFilterSide * kMaxFilterSide * kMaxDepth];
static_assert(3 * kMaxWideDepth <= kMaxChannels * kMaxFilterSide * kMaxFilterSide * kMaxDepth, "and its filter");
int32_t bias[kMaxChannels];
int32_t multiplier[kMaxChannels];
int32_t shift[kMaxChannels];
int8_t shift8[kMaxChannels];  // the same shifts, as this package's kernels take them
int8_t expected[kMaxBatches * kMaxSide * kMaxSide * kMaxChannels];
int8_t actual[kMaxBatches * kMaxSide * kMaxSide * kMaxChannels];
int8_t scratch[2 * kMaxFilterSide * kMaxFilterSide * kMaxDepth];

// xorshift32: the same cases on every machine for a seed.
class Random {
 public:
  explicit Random(uint32_t seed) : state_(seed ? seed : 0x9E3779B9u) {}
  uint32_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  // Uniform in [low, high].
  int32_t Range(int32_t low, int32_t high) {
    return low + static_cast<int32_t>(Next() % static_cast<uint32_t>(high - low + 1));
  }
  bool OneIn(int n) { return Next() % n == 0; }
  int32_t Pick(const int32_t* values, int count) { return values[Next() % count]; }

 private:
  uint32_t state_;
};

// A NUL-terminated description built piece by piece: newlib's printf family needs a heap.
class Text {
 public:
  Text(char* buffer, size_t size) : buffer_(buffer), size_(size) {
    if (size_ > 0) buffer_[0] = '\0';
  }
  Text& operator<<(const char* text) {
    while (*text && length_ + 1 < size_) buffer_[length_++] = *text++;
    if (size_ > 0) buffer_[length_] = '\0';
    return *this;
  }
  Text& operator<<(long value) {
    char digits[24];
    int count = 0;
    unsigned long magnitude = value < 0 ? 0ul - static_cast<unsigned long>(value) : static_cast<unsigned long>(value);
    do {
      digits[count++] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0) digits[count++] = '-';
    char text[24];
    for (int i = 0; i < count; ++i) text[i] = digits[count - 1 - i];
    text[count] = '\0';
    return *this << text;
  }
  Text& operator<<(int value) { return *this << static_cast<long>(value); }

 private:
  char* buffer_;
  size_t size_;
  size_t length_ = 0;
};

struct Reporter {
  TinymlKernelCheckResult* result;
  char* text;
  size_t size;

  // Counts a mismatch; true if it is the first, which the caller then describes.
  bool Mismatch() { return result->mismatches++ == 0 && size > 0; }
  Text Describe() { return Text(text, size); }
};

// Half the layers have right shifts only, as trained models do (OutputStage's short form).
void FillQuantization(Random& random, int channels) {
  const bool right_shifts = random.OneIn(2);
  for (int c = 0; c < channels; ++c) {
    // QuantizeMultiplier's range, [2^30, 2^31), plus 0 (a zero scale).
    multiplier[c] = random.OneIn(50) ? 0 : random.Range(1 << 30, INT32_MAX);
    shift[c] = right_shifts ? random.Range(-20, -1) : random.OneIn(10) ? random.Range(-31, 4) : random.Range(-12, 0);
    shift8[c] = static_cast<int8_t>(shift[c]);
    bias[c] = random.OneIn(4) ? random.Range(-(1 << 20), 1 << 20) : random.Range(-4000, 4000);
  }
}

void FillBytes(Random& random, int8_t* bytes, int count, int32_t low) {
  for (int i = 0; i < count; ++i) bytes[i] = static_cast<int8_t>(random.Range(low, 127));
}

// A fused activation's range as TFLite derives it, or any sub-range.
void Activation(Random& random, int32_t output_offset, int32_t* low, int32_t* high) {
  switch (random.Next() % 3) {
    case 0:
      *low = -128, *high = 127;
      break;
    case 1:
      *low = output_offset < -128 ? -128 : output_offset, *high = 127;  // ReLU
      break;
    default:
      *low = random.Range(-128, 0), *high = random.Range(*low, 127);
  }
}

// The window and offsets ConvParams and DepthwiseParams share, and a drawn activation.
template <typename Params>
void SetWindowAndOffsets(Random& random, const TfLitePaddingValues& pad, int stride_h, int stride_w, int dilation,
                         Params& params) {
  params.padding_values.height = pad.height;
  params.padding_values.width = pad.width;
  params.stride_height = stride_h;
  params.stride_width = stride_w;
  params.dilation_height_factor = dilation;
  params.dilation_width_factor = dilation;
  params.input_offset = -random.Range(-128, 127);
  params.output_offset = random.Range(-128, 127);
  Activation(random, params.output_offset, &params.quantized_activation_min, &params.quantized_activation_max);
}

// The first output that differs from the reference's, or -1.
int FirstDifference(int count) {
  for (int i = 0; i < count; ++i) {
    if (actual[i] != expected[i]) return i;
  }
  return -1;
}

// The rest of a mismatch's description: window, offsets, clamp and the differing output.
template <typename Params>
void DescribeWindowAndOutput(Text& text, int stride_h, int stride_w, int dilation, TfLitePadding padding,
                             const Params& params, int index) {
  text << " stride " << stride_h << "," << stride_w << " dilation " << dilation << " padding "
       << (padding == kTfLitePaddingSame ? "SAME" : "VALID") << " offsets in " << static_cast<long>(params.input_offset)
       << " out " << static_cast<long>(params.output_offset) << " clamp "
       << static_cast<long>(params.quantized_activation_min) << ".."
       << static_cast<long>(params.quantized_activation_max) << ": output[" << index << "] = " << actual[index]
       << ", reference " << expected[index];
}

int OutputSize(TfLitePadding padding, int in, int filter, int stride, int dilation) {
  const int effective = (filter - 1) * dilation + 1;
  return padding == kTfLitePaddingSame ? (in + stride - 1) / stride : (in - effective + stride) / stride;
}

void CheckRequantize(Random& random, Reporter& reporter) {
  static const int32_t kEdges[] = {INT32_MIN, INT32_MIN + 1, -(1 << 30), -1, 0, 1, (1 << 30), INT32_MAX - 1,
                                   INT32_MAX};
  for (int i = 0; i < 64; ++i) {
    const int32_t x = random.OneIn(4) ? random.Pick(kEdges, 9) : static_cast<int32_t>(random.Next());
    const int32_t m = random.OneIn(8) ? random.Pick(kEdges + 4, 5) : random.Range(0, INT32_MAX);
    const int32_t s = random.Range(-31, 7);
    const int32_t want = tflite::MultiplyByQuantizedMultiplier(x, m, s);
    const int32_t got = tinyml_kernels::Requantize(x, m, s);
    // The short form's domain: |x| < 2^30, right shifts 1..31.
    const int32_t small = x % (1 << 30);
    const int32_t right = random.Range(1, 31);
    const int32_t small_want = tflite::MultiplyByQuantizedMultiplier(small, m, -right);
    const int32_t small_got = tinyml_kernels::RequantizeSmall(small, m, right);
    const int32_t offset = random.Range(-128, 127);
    const int32_t sum = small_want + offset;
    const int32_t saturated_want = sum < -128 ? -128 : (sum > 127 ? 127 : sum);
    const int32_t saturated_got = tinyml_kernels::RequantizeSmallSaturated(small, m, right, 2 * offset + 1);
    const int32_t folded_right = random.Range(1, 22);
    const int32_t folded_sum = tflite::MultiplyByQuantizedMultiplier(small, m, -folded_right) + offset;
    const int32_t folded_want = folded_sum < -128 ? -128 : (folded_sum > 127 ? 127 : folded_sum);
    const int32_t folded_got = tinyml_kernels::RequantizeDoubledFolded(
        small + small, m, tinyml_kernels::FoldedOffset(offset, folded_right), folded_right - 1);
    reporter.result->requantize_cases += 4;
    if (folded_want != folded_got && reporter.Mismatch()) {
      reporter.Describe() << "RequantizeDoubledFolded(2 * " << static_cast<long>(small) << ", "
                          << static_cast<long>(m) << ", right " << static_cast<long>(folded_right) << ", offset "
                          << static_cast<long>(offset) << "): " << static_cast<long>(folded_got) << ", reference "
                          << static_cast<long>(folded_want);
    }
    if (saturated_want != saturated_got && reporter.Mismatch()) {
      reporter.Describe() << "RequantizeSmallSaturated(" << static_cast<long>(small) << ", " << static_cast<long>(m)
                          << ", " << static_cast<long>(right) << ", offset " << static_cast<long>(offset)
                          << "): " << static_cast<long>(saturated_got) << ", reference "
                          << static_cast<long>(saturated_want);
    }
    if (small_want != small_got && reporter.Mismatch()) {
      reporter.Describe() << "RequantizeSmall(" << static_cast<long>(small) << ", " << static_cast<long>(m) << ", "
                          << static_cast<long>(right) << "): " << static_cast<long>(small_got) << ", reference "
                          << static_cast<long>(small_want);
    }
    if (want != got) {
      if (reporter.Mismatch()) {
        reporter.Describe() << "Requantize(" << static_cast<long>(x) << ", " << static_cast<long>(m) << ", "
                            << static_cast<long>(s) << "): " << static_cast<long>(got) << ", reference "
                            << static_cast<long>(want);
      }
    }
  }
}

void CheckConv(Random& random, Reporter& reporter) {
  // One case in 16: a 1x1 convolution deeper than the kernel expands on its stack
  // (kMaxWideDepth > conv.cc's 512), on a tiny image so that it fits these buffers.
  const bool wide = random.OneIn(16);
  const int batches = wide ? 1 : random.Range(1, kMaxBatches);
  const int side = wide ? 2 : kMaxSide;
  const int in_h = random.Range(1, side), in_w = random.Range(1, side);
  const int depth = wide ? random.Range(kMaxWideDepth - 200, kMaxWideDepth)
                         : random.OneIn(3) ? 1 : random.Range(1, kMaxDepth);
  const int out_depth = random.Range(1, wide ? 3 : kMaxOutputDepth);
  const int shape_kind = wide ? 0 : random.Next() % 4;  // 1x1 and 3x3 are what MobileNets use
  const int f_h = shape_kind < 2 ? 1 : shape_kind == 2 ? 3 : random.Range(1, kMaxFilterSide);
  const int f_w = shape_kind < 2 ? 1 : shape_kind == 2 ? 3 : random.Range(1, kMaxFilterSide);
  const int stride_h = random.Range(1, 3), stride_w = random.OneIn(4) ? random.Range(1, 3) : stride_h;
  const int dilation = random.OneIn(6) ? 2 : 1;
  const TfLitePadding padding = random.OneIn(2) ? kTfLitePaddingSame : kTfLitePaddingValid;
  const int out_h = OutputSize(padding, in_h, f_h, stride_h, dilation);
  const int out_w = OutputSize(padding, in_w, f_w, stride_w, dilation);
  if (out_h < 1 || out_w < 1) return;
  tflite::ConvParams params = {};
  int unused_h = 0, unused_w = 0;
  const TfLitePaddingValues pad = tflite::ComputePaddingHeightWidth(stride_h, stride_w, dilation, dilation, in_h, in_w,
                                                                    f_h, f_w, padding, &unused_h, &unused_w);
  SetWindowAndOffsets(random, pad, stride_h, stride_w, dilation, params);
  const tflite::RuntimeShape input_shape({batches, in_h, in_w, depth});
  const tflite::RuntimeShape filter_shape({out_depth, f_h, f_w, depth});
  const tflite::RuntimeShape bias_shape({out_depth});
  const tflite::RuntimeShape output_shape({batches, out_h, out_w, out_depth});
  FillBytes(random, input, input_shape.FlatSize(), -128);
  FillBytes(random, filter, filter_shape.FlatSize(), -127);
  FillQuantization(random, out_depth);
  const int32_t* bias_data = random.OneIn(8) ? nullptr : bias;
  tflite::reference_integer_ops::ConvPerChannel(params, multiplier, shift, input_shape, input, filter_shape, filter,
                                                bias_shape, bias_data, output_shape, expected);
  memset(actual, 0x5A, sizeof(actual));
  tinyml_kernels::ConvPerChannel(params, multiplier, shift8, input_shape, input, filter_shape, filter, bias_shape,
                                 bias_data, output_shape, actual, scratch);
  reporter.result->conv_cases++;
  const int i = FirstDifference(output_shape.FlatSize());
  if (i >= 0 && reporter.Mismatch()) {
    Text text = reporter.Describe();
    text << "CONV_2D input " << batches << "x" << in_h << "x" << in_w << "x" << depth << " filter " << out_depth << "x"
         << f_h << "x" << f_w;
    DescribeWindowAndOutput(text, stride_h, stride_w, dilation, padding, params, i);
  }
}

void CheckDepthwise(Random& random, Reporter& reporter) {
  // One case in 4 a wide, short image of 3x3 windows at stride 1 across: the strip path's
  // rows (8 output pixels and more), blocks of four and their last one to three pixels.
  const bool wide = random.OneIn(4);
  const int batches = wide ? 1 : random.Range(1, kMaxBatches);
  const int in_h = wide ? random.Range(1, 4) : random.Range(1, kMaxSide);
  const int in_w = wide ? random.Range(8, 3 * kMaxSide) : random.Range(1, kMaxSide);
  const int depth = wide ? random.Range(4, 12) : random.Range(1, kMaxDepth);
  const int multiplier_count = !wide && random.OneIn(5) ? random.Range(2, kMaxMultiplier) : 1;
  const int channels = depth * multiplier_count;
  const bool three = wide || random.Next() % 4 != 0;
  const int f_h = three ? 3 : random.Range(1, kMaxFilterSide), f_w = three ? 3 : random.Range(1, kMaxFilterSide);
  const int stride_h = random.Range(1, 2);
  const int stride_w = wide ? 1 : random.OneIn(4) ? random.Range(1, 3) : stride_h;
  const int dilation = !wide && random.OneIn(6) ? 2 : 1;
  const TfLitePadding padding = random.OneIn(2) ? kTfLitePaddingSame : kTfLitePaddingValid;
  // TFLM 2020 computes the depthwise padding as if undilated; the output size TFLite's.
  const int out_h = OutputSize(padding, in_h, f_h, stride_h, dilation);
  const int out_w = OutputSize(padding, in_w, f_w, stride_w, dilation);
  if (out_h < 1 || out_w < 1) return;
  int unused_h = 0, unused_w = 0;
  const TfLitePaddingValues pad =
      tflite::ComputePaddingHeightWidth(stride_h, stride_w, 1, 1, in_h, in_w, f_h, f_w, padding, &unused_h, &unused_w);
  tflite::DepthwiseParams params = {};
  params.depth_multiplier = multiplier_count;
  SetWindowAndOffsets(random, pad, stride_h, stride_w, dilation, params);
  const tflite::RuntimeShape input_shape({batches, in_h, in_w, depth});
  const tflite::RuntimeShape filter_shape({1, f_h, f_w, channels});
  const tflite::RuntimeShape bias_shape({channels});
  const tflite::RuntimeShape output_shape({batches, out_h, out_w, channels});
  FillBytes(random, input, input_shape.FlatSize(), -128);
  FillBytes(random, filter, filter_shape.FlatSize(), -127);
  FillQuantization(random, channels);
  const int32_t* bias_data = random.OneIn(8) ? nullptr : bias;
  tflite::reference_integer_ops::DepthwiseConvPerChannel(params, multiplier, shift, input_shape, input, filter_shape,
                                                         filter, bias_shape, bias_data, output_shape, expected);
  memset(actual, 0x5A, sizeof(actual));
  tinyml_kernels::DepthwiseConvPerChannel(params, multiplier, shift8, input_shape, input, filter_shape, filter,
                                          bias_shape, bias_data, output_shape, actual);
  reporter.result->depthwise_cases++;
  const int i = FirstDifference(output_shape.FlatSize());
  if (i >= 0 && reporter.Mismatch()) {
    Text text = reporter.Describe();
    text << "DEPTHWISE_CONV_2D input " << batches << "x" << in_h << "x" << in_w << "x" << depth << " multiplier "
         << multiplier_count << " filter " << f_h << "x" << f_w;
    DescribeWindowAndOutput(text, stride_h, stride_w, dilation, padding, params, i);
  }
}

// Scales as a converter's: positive, within a few decades of each other.
float RandomScale(Random& random) { return static_cast<float>(random.Range(1, 1 << 20)) * (1.0f / (1 << 24)); }

void CheckAdd(Random& random, Reporter& reporter) {
  const int size = random.Range(1, kMaxBatches * kMaxSide * kMaxSide * kMaxDepth);
  const float scale1 = RandomScale(random), scale2 = RandomScale(random), output_scale = RandomScale(random);
  // TFLite's int8 ADD takes zero points in -127..127 (its reference checks the offsets).
  tflite::ArithmeticParams params =
      tinyml_kernels::AddParameters(scale1, random.Range(-127, 127), scale2, random.Range(-127, 127), output_scale,
                                    random.Range(-128, 127));
  Activation(random, params.output_offset, &params.quantized_activation_min, &params.quantized_activation_max);
  if (!tinyml_kernels::AddApplies(params)) return;  // the registration runs the reference then
  FillBytes(random, input, size, -128);
  FillBytes(random, filter, size, -128);  // the second input
  const tflite::RuntimeShape shape({size});
  tflite::reference_integer_ops::Add(params, shape, input, shape, filter, shape, expected);
  memset(actual, 0x5A, sizeof(actual));
  tinyml_kernels::AddElementwise(params, size, input, filter, actual);
  reporter.result->add_cases++;
  const int i = FirstDifference(size);
  if (i >= 0 && reporter.Mismatch()) {
    reporter.Describe() << "ADD size " << size << " offsets " << static_cast<long>(params.input1_offset) << ", "
                        << static_cast<long>(params.input2_offset) << " out " << static_cast<long>(params.output_offset)
                        << " shifts " << params.input1_shift << ", " << params.input2_shift << ", "
                        << params.output_shift << ": output[" << i << "] = " << actual[i] << ", reference "
                        << expected[i];
  }
}

// ADD or MUL of a tensor and one value, on either side, against the reference's broadcast
// kernels (what TFLM 2020 runs for them), with the parameters each op derives.
void CheckScalarOperand(Random& random, Reporter& reporter) {
  const bool mul = random.OneIn(2);
  const bool scalar_first = random.OneIn(2);
  const int size = random.Range(1, kMaxBatches * kMaxSide * kMaxSide * kMaxDepth);
  const float scale1 = RandomScale(random), scale2 = RandomScale(random), output_scale = RandomScale(random);
  // ADD's reference takes zero points in -127..127; MUL's any int8 one.
  const int32_t low_zero = mul ? -128 : -127;
  const int32_t zero1 = random.Range(low_zero, 127), zero2 = random.Range(low_zero, 127);
  const int32_t output_zero = random.Range(-128, 127);
  tflite::ArithmeticParams params =
      mul ? tinyml_kernels::MulParameters(scale1, zero1, scale2, zero2, output_scale, output_zero)
          : tinyml_kernels::AddParameters(scale1, zero1, scale2, zero2, output_scale, output_zero);
  Activation(random, params.output_offset, &params.quantized_activation_min, &params.quantized_activation_max);
  FillBytes(random, input, size, -128);
  const int8_t scalar = static_cast<int8_t>(random.Range(-128, 127));
  const tflite::RuntimeShape one({1}), shape({size});
  const int8_t* input1 = scalar_first ? &scalar : input;
  const int8_t* input2 = scalar_first ? input : &scalar;
  const tflite::RuntimeShape& shape1 = scalar_first ? one : shape;
  const tflite::RuntimeShape& shape2 = scalar_first ? shape : one;
  if (mul) {
    tflite::reference_integer_ops::BroadcastMul4DSlow(params, shape1, input1, shape2, input2, shape, expected);
  } else {
    tflite::reference_integer_ops::BroadcastAdd4DSlow(params, shape1, input1, shape2, input2, shape, expected);
  }
  int8_t table[256];
  const tinyml_kernels::ScalarSide side =
      scalar_first ? tinyml_kernels::ScalarSide::kFirst : tinyml_kernels::ScalarSide::kSecond;
  if (mul) {
    tinyml_kernels::BuildByteTable(tflite::reference_integer_ops::MulElementwise<int8_t>, params, scalar, side, table);
  } else {
    tinyml_kernels::BuildByteTable(tflite::reference_integer_ops::AddElementwise, params, scalar, side, table);
  }
  memset(actual, 0x5A, sizeof(actual));
  tinyml_kernels::ApplyByteTable(table, size, input, actual);
  reporter.result->scalar_cases++;
  const int i = FirstDifference(size);
  if (i >= 0 && reporter.Mismatch()) {
    reporter.Describe() << (mul ? "MUL" : "ADD") << " of " << size << " values and " << scalar
                        << (scalar_first ? " (first)" : " (second)") << " offsets "
                        << static_cast<long>(params.input1_offset) << ", " << static_cast<long>(params.input2_offset)
                        << " out " << static_cast<long>(params.output_offset) << ": output[" << i
                        << "] = " << actual[i] << ", reference " << expected[i];
  }
}

void CheckAveragePool(Random& random, Reporter& reporter) {
  const int batches = random.Range(1, kMaxBatches);
  // One case in 8 a window of more than 255 taps (the halfword sums' limit).
  const bool wide = random.OneIn(8);
  const int in_h = wide ? 16 : random.Range(1, kMaxSide), in_w = wide ? 17 : random.Range(1, kMaxSide);
  const int depth = wide ? random.Range(1, 4) : random.Range(1, kMaxChannels);
  const int f_h = wide ? 16 : random.Range(1, kMaxFilterSide), f_w = wide ? 17 : random.Range(1, kMaxFilterSide);
  const int stride_h = random.Range(1, 3), stride_w = random.Range(1, 3);
  const TfLitePadding padding = random.OneIn(2) ? kTfLitePaddingSame : kTfLitePaddingValid;
  const int out_h = OutputSize(padding, in_h, f_h, stride_h, 1), out_w = OutputSize(padding, in_w, f_w, stride_w, 1);
  if (out_h < 1 || out_w < 1) return;
  if (batches * in_h * in_w * depth > static_cast<int>(sizeof(filter))) return;
  int unused_h = 0, unused_w = 0;
  const TfLitePaddingValues pad =
      tflite::ComputePaddingHeightWidth(stride_h, stride_w, 1, 1, in_h, in_w, f_h, f_w, padding, &unused_h, &unused_w);
  tflite::PoolParams params = {};
  params.stride_height = stride_h;
  params.stride_width = stride_w;
  params.filter_height = f_h;
  params.filter_width = f_w;
  params.padding_values.height = pad.height;
  params.padding_values.width = pad.width;
  Activation(random, random.Range(-128, 127), &params.quantized_activation_min, &params.quantized_activation_max);
  const tflite::RuntimeShape input_shape({batches, in_h, in_w, depth});
  const tflite::RuntimeShape output_shape({batches, out_h, out_w, depth});
  if (output_shape.FlatSize() > static_cast<int>(sizeof(actual))) return;
  int8_t* pool_input = filter;  // the largest buffer: a wide case's image
  FillBytes(random, pool_input, input_shape.FlatSize(), -128);
  tflite::reference_integer_ops::AveragePool(params, input_shape, pool_input, output_shape, expected);
  memset(actual, 0x5A, sizeof(actual));
  tinyml_kernels::AveragePool(params, input_shape, pool_input, output_shape, actual);
  reporter.result->pool_cases++;
  const int i = FirstDifference(output_shape.FlatSize());
  if (i >= 0 && reporter.Mismatch()) {
    reporter.Describe() << "AVERAGE_POOL_2D input " << batches << "x" << in_h << "x" << in_w << "x" << depth
                        << " filter " << f_h << "x" << f_w << " stride " << stride_h << "," << stride_w
                        << (padding == kTfLitePaddingSame ? " SAME" : " VALID") << " clamp "
                        << static_cast<long>(params.quantized_activation_min) << ".."
                        << static_cast<long>(params.quantized_activation_max) << ": output[" << i
                        << "] = " << actual[i] << ", reference " << expected[i];
  }
}

}  // namespace

extern "C" TinymlKernelCheckResult tinyml_kernel_check(uint32_t seed, uint32_t cases, char* report,
                                                       size_t report_size) {
  TinymlKernelCheckResult result = {};
  if (report_size > 0) report[0] = '\0';
  Reporter reporter = {&result, report, report_size};
  Random random(seed);
  for (uint32_t i = 0; i < cases; ++i) {
    CheckRequantize(random, reporter);
    CheckConv(random, reporter);
    CheckDepthwise(random, reporter);
    CheckAdd(random, reporter);
    CheckScalarOperand(random, reporter);
    CheckAveragePool(random, reporter);
  }
  return result;
}
