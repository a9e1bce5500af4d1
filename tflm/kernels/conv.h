// Int8 CONV_2D with per-channel quantization, bit-exact with TFLM's
// reference_integer_ops::ConvPerChannel (its arguments, with the shifts as int8, which
// hold every shift TFLite makes, plus a scratch buffer).
//
// Every convolution is a matrix product of filter rows and input columns: a 1x1
// convolution without padding reads its columns in place; any other gathers each column
// (kernel_h * kernel_w * input_depth bytes) into `scratch`, with the input's zero point
// where the window leaves the image, which contributes nothing, as the reference's skip.
#ifndef TINYML_TFLM_KERNELS_CONV_H_
#define TINYML_TFLM_KERNELS_CONV_H_

#include <stddef.h>
#include <stdint.h>

#include "tensorflow/lite/kernels/internal/types.h"

namespace tinyml_kernels {

// Bytes of scratch ConvPerChannel needs for this filter, padding and stride (0 if none).
size_t ConvScratchBytes(const tflite::ConvParams& params, const tflite::RuntimeShape& filter_shape);

void ConvPerChannel(const tflite::ConvParams& params, const int32_t* output_multiplier, const int8_t* output_shift,
                    const tflite::RuntimeShape& input_shape, const int8_t* input_data,
                    const tflite::RuntimeShape& filter_shape, const int8_t* filter_data,
                    const tflite::RuntimeShape& bias_shape, const int32_t* bias_data,
                    const tflite::RuntimeShape& output_shape, int8_t* output_data, int8_t* scratch);

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_CONV_H_
