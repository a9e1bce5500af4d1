// Int8 DEPTHWISE_CONV_2D with per-channel quantization, bit-exact with TFLM's
// reference_integer_ops::DepthwiseConvPerChannel (its arguments, the shifts as int8).
//
// Channels are taken four at a time: with depth multiplier 1 (MobileNets' depthwise
// layers) one word of input and one of filter per tap feed four multiply-accumulates; with
// a larger one (a first layer taking 1 channel to 8) one input byte feeds four outputs.
#ifndef TINYML_TFLM_KERNELS_DEPTHWISE_CONV_H_
#define TINYML_TFLM_KERNELS_DEPTHWISE_CONV_H_

#include <stdint.h>

#include "tensorflow/lite/kernels/internal/types.h"

namespace tinyml_kernels {

void DepthwiseConvPerChannel(const tflite::DepthwiseParams& params, const int32_t* output_multiplier,
                             const int8_t* output_shift, const tflite::RuntimeShape& input_shape,
                             const int8_t* input_data, const tflite::RuntimeShape& filter_shape,
                             const int8_t* filter_data, const tflite::RuntimeShape& bias_shape,
                             const int32_t* bias_data, const tflite::RuntimeShape& output_shape,
                             int8_t* output_data);

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_DEPTHWISE_CONV_H_
