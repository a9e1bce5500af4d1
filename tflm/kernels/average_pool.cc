#include "tflm/kernels/average_pool.h"

#include "tflm/kernels/dsp.h"

namespace tinyml_kernels {
namespace {

// The reference's rounding: half away from zero, by truncating division.
inline int8_t Average(int32_t sum, int32_t count, int32_t low, int32_t high) {
  int32_t value = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
  value = value < low ? low : value;
  value = value > high ? high : value;
  return static_cast<int8_t>(value);
}

}  // namespace

void AveragePool(const tflite::PoolParams& params, const tflite::RuntimeShape& input_shape, const int8_t* input,
                 const tflite::RuntimeShape& output_shape, int8_t* output) {
  const int batches = input_shape.Dims(0);
  const int input_height = input_shape.Dims(1), input_width = input_shape.Dims(2), depth = input_shape.Dims(3);
  const int output_height = output_shape.Dims(1), output_width = output_shape.Dims(2);
  const int32_t low = params.quantized_activation_min, high = params.quantized_activation_max;
  for (int batch = 0; batch < batches; ++batch) {
    const int8_t* image = input + batch * input_height * input_width * depth;
    for (int out_y = 0; out_y < output_height; ++out_y) {
      const int y0 = out_y * params.stride_height - params.padding_values.height;
      const int y_begin = y0 < 0 ? 0 : y0;
      const int y_end = y0 + params.filter_height < input_height ? y0 + params.filter_height : input_height;
      for (int out_x = 0; out_x < output_width; ++out_x, output += depth) {
        const int x0 = out_x * params.stride_width - params.padding_values.width;
        const int x_begin = x0 < 0 ? 0 : x0;
        const int x_end = x0 + params.filter_width < input_width ? x0 + params.filter_width : input_width;
        const int32_t count = (y_end - y_begin) * (x_end - x_begin);
        int channel = 0;
        // Four channels a word, summed in halfwords (SADD16): exact while a sum stays
        // within int16, that is for windows of up to 255 taps.
        if (count <= 255) {
          for (; channel + 4 <= depth; channel += 4) {
            uint32_t even = 0, odd = 0;
            for (int y = y_begin; y < y_end; ++y) {
              const int8_t* in = image + (y * input_width + x_begin) * depth + channel;
              for (int x = x_begin; x < x_end; ++x, in += depth) {
                const uint32_t word = dsp::Load4(in);
                even = dsp::AddHalves(even, dsp::ExtendEven(word));
                odd = dsp::AddHalves(odd, dsp::ExtendOdd(word));
              }
            }
            output[channel] = Average(static_cast<int16_t>(even & 0xFFFFu), count, low, high);
            output[channel + 1] = Average(static_cast<int16_t>(odd & 0xFFFFu), count, low, high);
            output[channel + 2] = Average(static_cast<int16_t>(even >> 16), count, low, high);
            output[channel + 3] = Average(static_cast<int16_t>(odd >> 16), count, low, high);
          }
        }
        for (; channel < depth; ++channel) {
          int32_t sum = 0;
          for (int y = y_begin; y < y_end; ++y) {
            for (int x = x_begin; x < x_end; ++x) sum += image[(y * input_width + x) * depth + channel];
          }
          output[channel] = Average(sum, count, low, high);
        }
      }
    }
  }
}

}  // namespace tinyml_kernels
