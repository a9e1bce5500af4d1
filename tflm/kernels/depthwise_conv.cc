#include "tflm/kernels/depthwise_conv.h"

#include "tflm/kernels/dsp.h"
#include "tflm/kernels/requantize.h"

namespace tinyml_kernels {
namespace {

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

// A 3x3 window wholly inside the image, undilated: the nine taps unrolled.
void Interior3x3(const Geometry& g, const Quantization& q, const int8_t* window, const int8_t* filter,
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

// One output pixel, all channels, depth multiplier 1.
void Pixel(const Geometry& g, const Quantization& q, const int8_t* image, const int8_t* filter, const int32_t* bias,
           int out_y, int out_x, int8_t* out) {
  const int y0 = out_y * g.stride_height - g.pad_height;
  const int x0 = out_x * g.stride_width - g.pad_width;
  // The taps inside the image; the reference skips the others.
  int ky_begin = 0, ky_end = g.filter_height, kx_begin = 0, kx_end = g.filter_width;
  while (ky_begin < ky_end && y0 + ky_begin * g.dilation_height < 0) ++ky_begin;
  while (ky_end > ky_begin && y0 + (ky_end - 1) * g.dilation_height >= g.input_height) --ky_end;
  while (kx_begin < kx_end && x0 + kx_begin * g.dilation_width < 0) ++kx_begin;
  while (kx_end > kx_begin && x0 + (kx_end - 1) * g.dilation_width >= g.input_width) --kx_end;
  const int row_stride = g.input_width * g.depth;
  if (g.filter_height == 3 && g.filter_width == 3 && g.dilation_height == 1 && g.dilation_width == 1 &&
      ky_begin == 0 && kx_begin == 0 && ky_end == 3 && kx_end == 3) {
    Interior3x3(g, q, image + y0 * row_stride + x0 * g.depth, filter, bias, out);
    return;
  }
  const uint32_t offsets = dsp::Duplicate(q.input_offset);
  int channel = 0;
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
void PixelMultiplied(const Geometry& g, const Quantization& q, int multiplier, const int8_t* image,
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
  for (int batch = 0; batch < input_shape.Dims(0); ++batch) {
    for (int out_y = 0; out_y < output_height; ++out_y) {
      for (int out_x = 0; out_x < output_width; ++out_x) {
        const int8_t* image = input_data + batch * image_size;
        int8_t* out = output_data + batch * output_size + (out_y * output_width + out_x) * g.depth * multiplier;
        if (multiplier == 1) {
          Pixel(g, q, image, filter_data, bias_data, out_y, out_x, out);
        } else {
          PixelMultiplied(g, q, multiplier, image, filter_data, bias_data, out_y, out_x, out);
        }
      }
    }
  }
}

}  // namespace tinyml_kernels
