// TFLM registrations of this package's int8 kernels, in place of TFLM's reference ones.
// Int8 models run the kernels here; any other input type is handed, whole, to TFLM's
// reference kernel for the op, so one registration serves every model.
#ifndef TINYML_TFLM_KERNELS_REGISTRATIONS_H_
#define TINYML_TFLM_KERNELS_REGISTRATIONS_H_

#include "tensorflow/lite/c/common.h"

namespace tinyml_kernels {

TfLiteRegistration* Register_CONV_2D();
TfLiteRegistration* Register_DEPTHWISE_CONV_2D();
TfLiteRegistration* Register_ADD();
TfLiteRegistration* Register_MUL();
TfLiteRegistration* Register_AVERAGE_POOL_2D();

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_REGISTRATIONS_H_
