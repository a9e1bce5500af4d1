#include "tflm/kernels/registrations.h"

#include <stdint.h>

#include "tensorflow/lite/c/builtin_op_data.h"
#include "tensorflow/lite/kernels/internal/quantization_util.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/add.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/mul.h"
#include "tensorflow/lite/kernels/internal/tensor_ctypes.h"
#include "tensorflow/lite/kernels/kernel_util.h"
#include "tensorflow/lite/kernels/padding.h"
#include "tensorflow/lite/micro/kernels/micro_ops.h"
#include "tflm/kernels/add.h"
#include "tflm/kernels/average_pool.h"
#include "tflm/kernels/channel_constants.h"
#include "tflm/kernels/conv.h"
#include "tflm/kernels/depthwise_conv.h"
#include "tflm/kernels/scalar_operand.h"

namespace tinyml_kernels {
namespace {

constexpr int kInput = 0;
constexpr int kFilter = 1;
constexpr int kBias = 2;
constexpr int kOutput = 0;

// What Prepare computes once: the same values TFLM's reference kernels compute.
struct OpData {
  TfLitePaddingValues padding;
  // In the arena, or in flash when the model came with a channel constants table.
  const int32_t* multiplier;
  const int8_t* shift;  // TFLite's shifts lie in -31..30: a byte a channel instead of TFLM's four
  int32_t activation_min;
  int32_t activation_max;
  int8_t* scratch;
  // Set when the input is not int8: the reference kernel's own state.
  void* reference;
};

void* Init(TfLiteContext* context, const char* buffer, size_t length) {
  (void)buffer;
  (void)length;
  void* data = nullptr;
  if (context->AllocatePersistentBuffer(context, sizeof(OpData), &data) != kTfLiteOk) return nullptr;
  *static_cast<OpData*>(data) = OpData{};
  return data;
}

// Runs `stage` of the reference kernel with its own state in node->user_data.
TfLiteStatus Delegate(TfLiteContext* context, TfLiteNode* node, OpData* data,
                      TfLiteStatus (*stage)(TfLiteContext*, TfLiteNode*)) {
  node->user_data = data->reference;
  const TfLiteStatus status = stage ? stage(context, node) : kTfLiteOk;
  node->user_data = data;
  return status;
}

TfLiteStatus PrepareReference(TfLiteContext* context, TfLiteNode* node, OpData* data,
                              const TfLiteRegistration& reference) {
  data->reference = reference.init ? reference.init(context, nullptr, 0) : nullptr;
  if (reference.init && data->reference == nullptr) return kTfLiteError;
  return Delegate(context, node, data, reference.prepare);
}

// Per-channel multipliers and shifts, activation range and padding, as the reference's
// Prepare computes them. `dilation_*` is what the reference passes to the padding.
TfLiteStatus PrepareInt8(TfLiteContext* context, TfLiteNode* node, OpData* data, TfLitePadding padding,
                         int stride_height, int stride_width, int dilation_height, int dilation_width,
                         TfLiteFusedActivation activation, int channel_dimension) {
  const TfLiteTensor* input = tflite::GetInput(context, node, kInput);
  const TfLiteTensor* filter = tflite::GetInput(context, node, kFilter);
  TfLiteTensor* output = tflite::GetOutput(context, node, kOutput);
  TF_LITE_ENSURE(context, node->inputs->size == 2 || node->inputs->size == 3);
  TF_LITE_ENSURE_EQ(context, node->outputs->size, 1);
  TF_LITE_ENSURE_EQ(context, filter->quantization.type, kTfLiteAffineQuantization);
  const auto* quantization = static_cast<const TfLiteAffineQuantization*>(filter->quantization.params);
  TF_LITE_ENSURE(context, quantization && quantization->scale && quantization->zero_point);
  const int channels = filter->dims->data[channel_dimension];
  TF_LITE_ENSURE(context, quantization->scale->size == 1 || quantization->scale->size == channels);
  TF_LITE_ENSURE_EQ(context, quantization->scale->size, quantization->zero_point->size);
  // Built with the model, a table spares the arena these constants; what it holds is
  // still derived below and compared.
  const int output_tensor = node->outputs->data[0];
  const int32_t* table_multiplier = nullptr;
  const int8_t* table_shift = nullptr;
  const bool from_table = FindChannelConstants(output_tensor, channels, &table_multiplier, &table_shift);
  if (HaveChannelConstantsTable() && !from_table) {
    TF_LITE_KERNEL_LOG(context,
                       "the channel constants table has no record for the op writing tensor %d (%d channels): "
                       "it was built for another model; regenerate it from this model (//codegen)",
                       output_tensor, channels);
    return kTfLiteError;
  }
  // Without a table they are computed into the record being built, if any, else the arena.
  int32_t* multipliers = nullptr;
  int8_t* shifts = nullptr;
  if (!from_table && RecordingChannelConstants()) {
    if (!ReserveChannelConstants(output_tensor, channels, &multipliers, &shifts)) {
      TF_LITE_KERNEL_LOG(context, "the channel constants buffer is too small for the op writing tensor %d",
                         output_tensor);
      return kTfLiteError;
    }
  } else if (!from_table) {
    TF_LITE_ENSURE_STATUS(context->AllocatePersistentBuffer(context, channels * sizeof(int32_t),
                                                            reinterpret_cast<void**>(&multipliers)));
    TF_LITE_ENSURE_STATUS(context->AllocatePersistentBuffer(context, channels, reinterpret_cast<void**>(&shifts)));
  }
  int out_height = 0, out_width = 0;
  data->padding = tflite::ComputePaddingHeightWidth(
      stride_height, stride_width, dilation_height, dilation_width, tflite::SizeOfDimension(input, 1),
      tflite::SizeOfDimension(input, 2), tflite::SizeOfDimension(filter, 1), tflite::SizeOfDimension(filter, 2),
      padding, &out_height, &out_width);
  // TFLite's PopulateConvolutionQuantizationParams, channel by channel, with the same
  // double arithmetic: the same multipliers and shifts.
  TF_LITE_ENSURE_EQ(context, input->quantization.type, kTfLiteAffineQuantization);
  const bool per_channel = quantization->scale->size > 1;
  if (per_channel) {
    TF_LITE_ENSURE_EQ(context, filter->type, kTfLiteInt8);
    TF_LITE_ENSURE_EQ(context, channels, filter->dims->data[quantization->quantized_dimension]);
  }
  for (int c = 0; c < channels; ++c) {
    const double filter_scale = static_cast<double>(quantization->scale->data[per_channel ? c : 0]);
    const double effective_scale =
        static_cast<double>(input->params.scale) * filter_scale / static_cast<double>(output->params.scale);
    int32_t multiplier = 0;
    int shift = 0;
    tflite::QuantizeMultiplier(effective_scale, &multiplier, &shift);
    TF_LITE_ENSURE(context, shift >= INT8_MIN && shift <= INT8_MAX);
    if (!from_table) {
      multipliers[c] = multiplier;
      shifts[c] = static_cast<int8_t>(shift);
    } else if (table_multiplier[c] != multiplier || table_shift[c] != shift) {
      TF_LITE_KERNEL_LOG(context,
                         "the channel constants table differs from the model for the op writing tensor %d at "
                         "channel %d: it was built for another model; regenerate it from this model (//codegen)",
                         output_tensor, c);
      return kTfLiteError;
    }
  }
  data->multiplier = from_table ? table_multiplier : multipliers;
  data->shift = from_table ? table_shift : shifts;
  return tflite::CalculateActivationRangeQuantized(context, activation, output, &data->activation_min,
                                                   &data->activation_max);
}

// CONV_2D.

tflite::ConvParams ConvParameters(const TfLiteConvParams& params, const OpData& data, const TfLiteTensor* input,
                                  const TfLiteTensor* output) {
  tflite::ConvParams op = {};
  op.padding_type = tflite::PaddingType::kSame;
  op.padding_values.height = data.padding.height;
  op.padding_values.width = data.padding.width;
  op.stride_height = params.stride_height;
  op.stride_width = params.stride_width;
  op.dilation_height_factor = params.dilation_height_factor;
  op.dilation_width_factor = params.dilation_width_factor;
  op.input_offset = -input->params.zero_point;
  op.output_offset = output->params.zero_point;
  op.quantized_activation_min = data.activation_min;
  op.quantized_activation_max = data.activation_max;
  return op;
}

TfLiteStatus ConvPrepare(TfLiteContext* context, TfLiteNode* node) {
  auto* data = static_cast<OpData*>(node->user_data);
  const TfLiteTensor* input = tflite::GetInput(context, node, kInput);
  if (input->type != kTfLiteInt8) {
    return PrepareReference(context, node, data, *tflite::ops::micro::Register_CONV_2D());
  }
  const auto& params = *static_cast<const TfLiteConvParams*>(node->builtin_data);
  TF_LITE_ENSURE_STATUS(PrepareInt8(context, node, data, params.padding, params.stride_height, params.stride_width,
                                    params.dilation_height_factor, params.dilation_width_factor, params.activation,
                                    /*channel_dimension=*/0));
  const TfLiteTensor* filter = tflite::GetInput(context, node, kFilter);
  const TfLiteTensor* output = tflite::GetOutput(context, node, kOutput);
  const size_t scratch =
      ConvScratchBytes(ConvParameters(params, *data, input, output), tflite::GetTensorShape(filter));
  if (scratch > 0) {
    TF_LITE_ENSURE_STATUS(
        context->AllocatePersistentBuffer(context, scratch, reinterpret_cast<void**>(&data->scratch)));
  }
  return kTfLiteOk;
}

TfLiteStatus ConvEval(TfLiteContext* context, TfLiteNode* node) {
  auto* data = static_cast<OpData*>(node->user_data);
  if (data->reference) return Delegate(context, node, data, tflite::ops::micro::Register_CONV_2D()->invoke);
  const TfLiteTensor* input = tflite::GetInput(context, node, kInput);
  const TfLiteTensor* filter = tflite::GetInput(context, node, kFilter);
  const TfLiteTensor* bias = tflite::GetOptionalInputTensor(context, node, kBias);
  TfLiteTensor* output = tflite::GetOutput(context, node, kOutput);
  const auto& params = *static_cast<const TfLiteConvParams*>(node->builtin_data);
  ConvPerChannel(ConvParameters(params, *data, input, output), data->multiplier, data->shift,
                 tflite::GetTensorShape(input), tflite::GetTensorData<int8_t>(input), tflite::GetTensorShape(filter),
                 tflite::GetTensorData<int8_t>(filter), tflite::GetTensorShape(bias),
                 tflite::GetTensorData<int32_t>(bias), tflite::GetTensorShape(output),
                 tflite::GetTensorData<int8_t>(output), data->scratch);
  return kTfLiteOk;
}

// DEPTHWISE_CONV_2D.

TfLiteStatus DepthwisePrepare(TfLiteContext* context, TfLiteNode* node) {
  auto* data = static_cast<OpData*>(node->user_data);
  const TfLiteTensor* input = tflite::GetInput(context, node, kInput);
  if (input->type != kTfLiteInt8) {
    return PrepareReference(context, node, data, *tflite::ops::micro::Register_DEPTHWISE_CONV_2D());
  }
  const auto& params = *static_cast<const TfLiteDepthwiseConvParams*>(node->builtin_data);
  // TFLM 2020's depthwise kernel computes its padding without the dilation.
  return PrepareInt8(context, node, data, params.padding, params.stride_height, params.stride_width, 1, 1,
                     params.activation, /*channel_dimension=*/3);
}

TfLiteStatus DepthwiseEval(TfLiteContext* context, TfLiteNode* node) {
  auto* data = static_cast<OpData*>(node->user_data);
  if (data->reference) {
    return Delegate(context, node, data, tflite::ops::micro::Register_DEPTHWISE_CONV_2D()->invoke);
  }
  const TfLiteTensor* input = tflite::GetInput(context, node, kInput);
  const TfLiteTensor* filter = tflite::GetInput(context, node, kFilter);
  const TfLiteTensor* bias = tflite::GetOptionalInputTensor(context, node, kBias);
  TfLiteTensor* output = tflite::GetOutput(context, node, kOutput);
  const auto& params = *static_cast<const TfLiteDepthwiseConvParams*>(node->builtin_data);
  tflite::DepthwiseParams op = {};
  op.padding_type = tflite::PaddingType::kSame;
  op.padding_values.height = data->padding.height;
  op.padding_values.width = data->padding.width;
  op.stride_height = params.stride_height;
  op.stride_width = params.stride_width;
  op.dilation_height_factor = params.dilation_height_factor;
  op.dilation_width_factor = params.dilation_width_factor;
  op.depth_multiplier = params.depth_multiplier;
  op.input_offset = -input->params.zero_point;
  op.output_offset = output->params.zero_point;
  // TFLM 2020's int8 depthwise kernel clamps to the int8 range, not the fused activation's.
  op.quantized_activation_min = INT8_MIN;
  op.quantized_activation_max = INT8_MAX;
  DepthwiseConvPerChannel(op, data->multiplier, data->shift, tflite::GetTensorShape(input),
                          tflite::GetTensorData<int8_t>(input), tflite::GetTensorShape(filter),
                          tflite::GetTensorData<int8_t>(filter), tflite::GetTensorShape(bias),
                          tflite::GetTensorData<int32_t>(bias), tflite::GetTensorShape(output),
                          tflite::GetTensorData<int8_t>(output));
  return kTfLiteOk;
}

// One input a single value: a byte table of the reference's own elementwise arithmetic.
TfLiteStatus EvalWithByteTable(ElementwiseKernel kernel, const tflite::ArithmeticParams& params, ScalarSide side,
                               const TfLiteTensor* input1, const TfLiteTensor* input2, TfLiteTensor* output) {
  const TfLiteTensor* scalar = side == ScalarSide::kFirst ? input1 : input2;
  const TfLiteTensor* tensor = side == ScalarSide::kFirst ? input2 : input1;
  int8_t table[256];
  BuildByteTable(kernel, params, tflite::GetTensorData<int8_t>(scalar)[0], side, table);
  ApplyByteTable(table, tflite::NumElements(output), tflite::GetTensorData<int8_t>(tensor),
                 tflite::GetTensorData<int8_t>(output));
  return kTfLiteOk;
}

// ADD. TFLM 2020's computes its parameters at each invoke (no Prepare, no state); so does
// this one, the same way, and runs the reference for what it does not take (broadcasts
// other than of one value, other types).

TfLiteStatus AddEval(TfLiteContext* context, TfLiteNode* node) {
  const TfLiteTensor* input1 = tflite::GetInput(context, node, 0);
  const TfLiteTensor* input2 = tflite::GetInput(context, node, 1);
  TfLiteTensor* output = tflite::GetOutput(context, node, kOutput);
  const auto& reference = *tflite::ops::micro::Register_ADD();
  const bool int8 = output->type == kTfLiteInt8 && input1->type == kTfLiteInt8 && input2->type == kTfLiteInt8;
  const bool same_shapes = int8 && tflite::HaveSameShapes(input1, input2);
  const ScalarSide scalar = same_shapes ? ScalarSide::kNone : FindScalarOperand(input1, input2, output);
  if (!same_shapes && scalar == ScalarSide::kNone) return reference.invoke(context, node);
  const auto& builtin = *static_cast<const TfLiteAddParams*>(node->builtin_data);
  tflite::ArithmeticParams params =
      AddParameters(input1->params.scale, input1->params.zero_point, input2->params.scale,
                    input2->params.zero_point, output->params.scale, output->params.zero_point);
  TF_LITE_ENSURE_STATUS(tflite::CalculateActivationRangeQuantized(
      context, builtin.activation, output, &params.quantized_activation_min, &params.quantized_activation_max));
  if (scalar != ScalarSide::kNone) {
    return EvalWithByteTable(tflite::reference_integer_ops::AddElementwise, params, scalar, input1, input2, output);
  }
  if (!AddApplies(params)) return reference.invoke(context, node);
  AddElementwise(params, tflite::NumElements(output), tflite::GetTensorData<int8_t>(input1),
                 tflite::GetTensorData<int8_t>(input2), tflite::GetTensorData<int8_t>(output));
  return kTfLiteOk;
}

// MUL. As TFLM 2020's: parameters at each invoke (its CalculateOpData); an int8 tensor times
// one value goes through a byte table, anything else to the reference.

TfLiteStatus MulEval(TfLiteContext* context, TfLiteNode* node) {
  const TfLiteTensor* input1 = tflite::GetInput(context, node, 0);
  const TfLiteTensor* input2 = tflite::GetInput(context, node, 1);
  TfLiteTensor* output = tflite::GetOutput(context, node, kOutput);
  const ScalarSide scalar = FindScalarOperand(input1, input2, output);
  if (scalar == ScalarSide::kNone) return tflite::ops::micro::Register_MUL()->invoke(context, node);
  const auto& builtin = *static_cast<const TfLiteMulParams*>(node->builtin_data);
  tflite::ArithmeticParams params = MulParameters(input1->params.scale, input1->params.zero_point,
                                                  input2->params.scale, input2->params.zero_point,
                                                  output->params.scale, output->params.zero_point);
  TF_LITE_ENSURE_STATUS(tflite::CalculateActivationRangeQuantized(
      context, builtin.activation, output, &params.quantized_activation_min, &params.quantized_activation_max));
  return EvalWithByteTable(tflite::reference_integer_ops::MulElementwise<int8_t>, params, scalar, input1, input2,
                           output);
}

// AVERAGE_POOL_2D. TFLM 2020's computes its padding at each invoke (no Prepare); so does
// this one, and runs the reference for other types.

TfLiteStatus AveragePoolEval(TfLiteContext* context, TfLiteNode* node) {
  const TfLiteTensor* input = tflite::GetInput(context, node, kInput);
  TfLiteTensor* output = tflite::GetOutput(context, node, kOutput);
  if (input->type != kTfLiteInt8 || output->type != kTfLiteInt8) {
    return tflite::ops::micro::Register_AVERAGE_POOL_2D()->invoke(context, node);
  }
  const auto& builtin = *static_cast<const TfLitePoolParams*>(node->builtin_data);
  int out_height = 0, out_width = 0;
  const TfLitePaddingValues padding = tflite::ComputePaddingHeightWidth(
      builtin.stride_height, builtin.stride_width, 1, 1, tflite::SizeOfDimension(input, 1),
      tflite::SizeOfDimension(input, 2), builtin.filter_height, builtin.filter_width, builtin.padding, &out_height,
      &out_width);
  tflite::PoolParams params = {};
  params.stride_height = builtin.stride_height;
  params.stride_width = builtin.stride_width;
  params.filter_height = builtin.filter_height;
  params.filter_width = builtin.filter_width;
  params.padding_values.height = padding.height;
  params.padding_values.width = padding.width;
  TF_LITE_ENSURE_STATUS(tflite::CalculateActivationRangeQuantized(
      context, builtin.activation, output, &params.quantized_activation_min, &params.quantized_activation_max));
  AveragePool(params, tflite::GetTensorShape(input), tflite::GetTensorData<int8_t>(input),
              tflite::GetTensorShape(output), tflite::GetTensorData<int8_t>(output));
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration* Register_CONV_2D() {
  static TfLiteRegistration registration = {Init, nullptr, ConvPrepare, ConvEval, nullptr, 0, nullptr, 0};
  return &registration;
}

TfLiteRegistration* Register_DEPTHWISE_CONV_2D() {
  static TfLiteRegistration registration = {Init, nullptr, DepthwisePrepare, DepthwiseEval, nullptr, 0, nullptr, 0};
  return &registration;
}

TfLiteRegistration* Register_AVERAGE_POOL_2D() {
  static TfLiteRegistration registration = {nullptr, nullptr, nullptr, AveragePoolEval, nullptr, 0, nullptr, 0};
  return &registration;
}

TfLiteRegistration* Register_ADD() {
  static TfLiteRegistration registration = {nullptr, nullptr, nullptr, AddEval, nullptr, 0, nullptr, 0};
  return &registration;
}

TfLiteRegistration* Register_MUL() {
  static TfLiteRegistration registration = {nullptr, nullptr, nullptr, MulEval, nullptr, 0, nullptr, 0};
  return &registration;
}

}  // namespace tinyml_kernels
