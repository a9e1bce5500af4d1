#include "firmware/tflm_shim/shape_check.h"

#include <stdarg.h>
#include <stdint.h>

#include "tensorflow/lite/micro/micro_string.h"

namespace tflm_shim {
namespace {

using tflite::BuiltinOperator;
using tflite::Operator;
using tflite::Tensor;

// The operator being checked, with accessors that tolerate anything the structural check
// let through (optional inputs, missing shapes).
class OperatorView {
 public:
  OperatorView(const tflite::Model& model, const tflite::SubGraph& subgraph, const Operator& op, uint32_t index,
               Message& message)
      : model_(model), subgraph_(subgraph), op_(op), index_(index), message_(message) {
    const auto* code = model.operator_codes()->Get(op.opcode_index());
    name_ = tflite::EnumNameBuiltinOperator(code->builtin_code());
  }

  const Operator& op() const { return op_; }
  uint32_t input_count() const { return op_.inputs()->size(); }

  // The tensor behind input or output `position`, or nullptr (missing or optional).
  const Tensor* input(uint32_t position) const { return TensorAt(op_.inputs(), position); }
  const Tensor* output(uint32_t position) const { return TensorAt(op_.outputs(), position); }

  // The data of a constant tensor, or nullptr.
  const flatbuffers::Vector<uint8_t>* ConstantData(const Tensor& tensor) const {
    const tflite::Buffer* buffer = model_.buffers()->Get(tensor.buffer());
    if (buffer == nullptr || buffer->data() == nullptr || buffer->data()->size() == 0) return nullptr;
    return buffer->data();
  }

  bool Fail(const char* what) const {
    message_.Append("operator %u (%s): ", static_cast<unsigned>(index_), name_);
    message_.AppendText(what);
    return false;
  }

  // Fail with a formatted reason (TFLM's printf subset), cut at the message's capacity.
  bool FailFormatted(const char* format, ...) const {
    char reason[Message::kCapacity];
    va_list args;
    va_start(args, format);
    MicroVsnprintf(reason, static_cast<int>(sizeof(reason)), format, args);
    va_end(args);
    return Fail(reason);
  }

  // Requires `inputs` inputs (the last `optional` of them may be absent) and one output.
  bool RequireArity(uint32_t inputs, uint32_t optional) const {
    if (op_.inputs()->size() < inputs - optional || op_.inputs()->size() > inputs || op_.outputs()->size() != 1) {
      return Fail("has the wrong number of inputs or outputs");
    }
    for (uint32_t i = 0; i < inputs - optional; ++i) {
      if (input(i) == nullptr) return Fail("lacks a required input");
    }
    return output(0) != nullptr || Fail("lacks its output");
  }

 private:
  const Tensor* TensorAt(const flatbuffers::Vector<int32_t>* indices, uint32_t position) const {
    if (position >= indices->size() || indices->Get(position) < 0) return nullptr;
    return subgraph_.tensors()->Get(indices->Get(position));
  }

  const tflite::Model& model_;
  const tflite::SubGraph& subgraph_;
  const Operator& op_;
  uint32_t index_;
  Message& message_;
  const char* name_;
};

uint32_t Rank(const Tensor& tensor) { return tensor.shape() == nullptr ? 0 : tensor.shape()->size(); }

int32_t Dim(const Tensor& tensor, uint32_t axis) { return tensor.shape()->Get(axis); }

uint64_t FlatSize(const Tensor& tensor) {
  uint64_t size = 1;
  for (uint32_t axis = 0; axis < Rank(tensor); ++axis) size *= static_cast<uint64_t>(Dim(tensor, axis));
  return size;
}

bool SameShape(const Tensor& a, const Tensor& b) {
  if (Rank(a) != Rank(b)) return false;
  for (uint32_t axis = 0; axis < Rank(a); ++axis) {
    if (Dim(a, axis) != Dim(b, axis)) return false;
  }
  return true;
}

// TFLite's output size of a sliding window along one axis.
int64_t WindowOutput(tflite::Padding padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation) {
  const int64_t dilated = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  if (padding == tflite::Padding_SAME) return (static_cast<int64_t>(in) + stride - 1) / stride;
  const int64_t out = (static_cast<int64_t>(in) + stride - dilated) / stride;
  return out < 0 ? 0 : out;
}

struct Window {
  tflite::Padding padding;
  int32_t stride_h, stride_w, dilation_h, dilation_w, filter_h, filter_w;
};

// Input and output are NHWC with the same batch; the output's spatial size follows the window.
bool CheckWindow(const OperatorView& view, const Tensor& input, const Tensor& output, const Window& window) {
  if (window.stride_h < 1 || window.stride_w < 1 || window.dilation_h < 1 || window.dilation_w < 1 ||
      window.filter_h < 1 || window.filter_w < 1) {
    return view.Fail("has a stride, dilation or window size below 1");
  }
  if (Rank(input) != 4 || Rank(output) != 4) return view.Fail("needs 4-D input and output (NHWC)");
  if (Dim(input, 0) != Dim(output, 0)) return view.Fail("changes the batch size");
  const int64_t height = WindowOutput(window.padding, Dim(input, 1), window.filter_h, window.stride_h, window.dilation_h);
  const int64_t width = WindowOutput(window.padding, Dim(input, 2), window.filter_w, window.stride_w, window.dilation_w);
  if (height != Dim(output, 1) || width != Dim(output, 2)) {
    return view.Fail("has an output height or width that its window, stride and padding do not give");
  }
  return true;
}

// The window of a convolution (Conv2DOptions and DepthwiseConv2DOptions name their fields
// alike); the filter is [_, height, width, _].
template <typename Options>
Window ConvolutionWindow(const Options& options, const Tensor& filter) {
  return Window{options.padding(),           options.stride_h(), options.stride_w(), options.dilation_h_factor(),
                options.dilation_w_factor(), Dim(filter, 1),     Dim(filter, 2)};
}

bool CheckBias(const OperatorView& view, uint32_t position, int32_t channels) {
  const Tensor* bias = view.input(position);
  return bias == nullptr || FlatSize(*bias) == static_cast<uint64_t>(channels) ||
         view.Fail("has a bias whose size differs from its output channels");
}

// Per-channel filter scales: the convolution kernels read the filter's size along
// `quantized_dimension` (an index into its shape) and one scale per output channel.
bool CheckFilterChannels(const OperatorView& view, const Tensor& filter, int32_t channels) {
  const auto* quantization = filter.quantization();
  if (quantization == nullptr || quantization->scale() == nullptr || quantization->scale()->size() <= 1) return true;
  const int32_t dimension = quantization->quantized_dimension();
  const unsigned tensor = static_cast<unsigned>(view.op().inputs()->Get(1));
  if (dimension < 0 || static_cast<uint32_t>(dimension) >= Rank(filter)) {
    return view.FailFormatted(
        "filter tensor %u has quantized_dimension %d but %u dimensions: the kernel would read its size outside the "
        "shape",
        tensor, static_cast<int>(dimension), static_cast<unsigned>(Rank(filter)));
  }
  if (quantization->scale()->size() != static_cast<uint32_t>(channels) || Dim(filter, dimension) != channels) {
    return view.FailFormatted(
        "filter tensor %u has %u per-channel scales along dimension %d for %d output channels: the kernel reads one "
        "scale per output channel",
        tensor, static_cast<unsigned>(quantization->scale()->size()), static_cast<int>(dimension),
        static_cast<int>(channels));
  }
  return true;
}

bool CheckConv(const OperatorView& view) {
  if (!view.RequireArity(3, 1)) return false;
  const auto* options = view.op().builtin_options_as_Conv2DOptions();
  if (options == nullptr) return view.Fail("lacks its Conv2DOptions");
  const Tensor& input = *view.input(0);
  const Tensor& filter = *view.input(1);
  const Tensor& output = *view.output(0);
  if (Rank(filter) != 4) return view.Fail("needs a 4-D filter (OHWI)");
  if (!CheckWindow(view, input, output, ConvolutionWindow(*options, filter))) return false;
  if (Dim(filter, 3) != Dim(input, 3)) return view.Fail("has a filter depth that differs from its input channels");
  if (Dim(filter, 0) != Dim(output, 3)) return view.Fail("has a filter count that differs from its output channels");
  return CheckFilterChannels(view, filter, Dim(output, 3)) && CheckBias(view, 2, Dim(output, 3));
}

bool CheckDepthwiseConv(const OperatorView& view) {
  if (!view.RequireArity(3, 1)) return false;
  const auto* options = view.op().builtin_options_as_DepthwiseConv2DOptions();
  if (options == nullptr) return view.Fail("lacks its DepthwiseConv2DOptions");
  const Tensor& input = *view.input(0);
  const Tensor& filter = *view.input(1);
  const Tensor& output = *view.output(0);
  if (Rank(filter) != 4 || Dim(filter, 0) != 1) return view.Fail("needs a 4-D filter of shape [1, H, W, C]");
  if (!CheckWindow(view, input, output, ConvolutionWindow(*options, filter))) return false;
  if (Dim(filter, 3) != Dim(output, 3)) return view.Fail("has a filter depth that differs from its output channels");
  if (options->depth_multiplier() < 1 ||
      static_cast<int64_t>(Dim(input, 3)) * options->depth_multiplier() != Dim(output, 3)) {
    return view.Fail("has output channels that are not input channels times the depth multiplier");
  }
  return CheckFilterChannels(view, filter, Dim(output, 3)) && CheckBias(view, 2, Dim(output, 3));
}

bool CheckPool(const OperatorView& view) {
  if (!view.RequireArity(1, 0)) return false;
  const auto* options = view.op().builtin_options_as_Pool2DOptions();
  if (options == nullptr) return view.Fail("lacks its Pool2DOptions");
  const Tensor& input = *view.input(0);
  const Tensor& output = *view.output(0);
  const Window window{options->padding(), options->stride_h(),     options->stride_w(), 1, 1,
                      options->filter_height(), options->filter_width()};
  if (!CheckWindow(view, input, output, window)) return false;
  return Dim(input, 3) == Dim(output, 3) || view.Fail("changes the number of channels");
}

bool CheckFullyConnected(const OperatorView& view) {
  if (!view.RequireArity(3, 1)) return false;
  const Tensor& input = *view.input(0);
  const Tensor& filter = *view.input(1);
  const Tensor& output = *view.output(0);
  if (Rank(filter) != 2 || Dim(filter, 0) < 1 || Dim(filter, 1) < 1) {
    return view.Fail("needs a 2-D filter [units, depth]");
  }
  const uint64_t depth = static_cast<uint64_t>(Dim(filter, 1));
  if (Rank(input) < 1 || Rank(output) < 1 || FlatSize(input) % depth != 0) {
    return view.Fail("has an input that is not a whole number of rows of the filter depth");
  }
  // The 2020 kernel reads a single weight scale: per-channel weights would compute garbage.
  if (filter.quantization() != nullptr && filter.quantization()->scale() != nullptr &&
      filter.quantization()->scale()->size() > 1) {
    return view.Fail(
        "has per-channel quantized weights; this TFLM supports per-tensor only (convert with "
        "_experimental_disable_per_channel_quantization_for_dense_layers = True)");
  }
  if (Dim(output, Rank(output) - 1) != Dim(filter, 0) ||
      FlatSize(output) != FlatSize(input) / depth * static_cast<uint64_t>(Dim(filter, 0))) {
    return view.Fail("has an output shape that does not match its input rows and filter units");
  }
  return CheckBias(view, 2, Dim(filter, 0));
}

// Same-shape element-wise operators (activations, (de)quantization).
bool CheckUnary(const OperatorView& view) {
  if (!view.RequireArity(1, 0)) return false;
  return SameShape(*view.input(0), *view.output(0)) || view.Fail("has an output shape that differs from its input");
}

float Scale(const Tensor& tensor) {
  const auto* quantization = tensor.quantization();
  if (quantization == nullptr || quantization->scale() == nullptr || quantization->scale()->size() == 0) return 0.0f;
  return quantization->scale()->Get(0);
}

bool IsQuantized8Bit(const Tensor& tensor) {
  return (tensor.type() == tflite::TensorType_INT8 || tensor.type() == tflite::TensorType_UINT8) && Scale(tensor) > 0;
}

// The 2020 kernel turns beta * input scale * 2^26 into a multiplier greater than one and
// aborts (TFLITE_CHECK) when it is not, as happens with the tiny scales of an untrained
// network's logits.
bool CheckSoftmax(const OperatorView& view) {
  if (!CheckUnary(view)) return false;
  const Tensor& input = *view.input(0);
  if (!IsQuantized8Bit(input)) return true;
  const auto* options = view.op().builtin_options_as_SoftmaxOptions();
  const double beta = options == nullptr ? 1.0 : options->beta();
  if (!(beta * Scale(input) * static_cast<double>(1 << 26) > 1.0)) {
    return view.Fail("has an input scale (times beta) below 2^-26, which TFLM's int8 softmax cannot represent");
  }
  return true;
}

// ADD and SUB requantize both inputs against twice the larger input scale shifted left by
// 20 bits; the 2020 kernel aborts unless that is smaller than the output scale.
bool CheckAddScales(const OperatorView& view) {
  const Tensor& a = *view.input(0);
  const Tensor& b = *view.input(1);
  const Tensor& output = *view.output(0);
  if (!IsQuantized8Bit(a) || !IsQuantized8Bit(b) || !IsQuantized8Bit(output)) return true;
  const double twice_max = 2.0 * (Scale(a) > Scale(b) ? Scale(a) : Scale(b));
  if (!(twice_max / (static_cast<double>(1 << 20) * Scale(output)) < 1.0)) {
    return view.Fail("has input scales too large for its output scale (TFLM's int8 ADD/SUB cannot rescale them)");
  }
  return true;
}

// ADD, SUB, MUL: up to 4-D with broadcasting; the output has the broadcast shape.
bool CheckBinary(const OperatorView& view) {
  if (!view.RequireArity(2, 0)) return false;
  const Tensor& a = *view.input(0);
  const Tensor& b = *view.input(1);
  const Tensor& output = *view.output(0);
  const uint32_t rank = Rank(output);
  if (rank > 4 || Rank(a) > rank || Rank(b) > rank) return view.Fail("needs inputs of at most the output's rank (<= 4)");
  for (uint32_t axis = 0; axis < rank; ++axis) {
    const uint32_t from_end = rank - 1 - axis;
    const int32_t da = from_end < Rank(a) ? Dim(a, Rank(a) - 1 - from_end) : 1;
    const int32_t db = from_end < Rank(b) ? Dim(b, Rank(b) - 1 - from_end) : 1;
    const int32_t out = Dim(output, axis);
    if (!((da == out || da == 1) && (db == out || db == 1) && (da == out || db == out))) {
      return view.Fail("has input shapes that do not broadcast to its output shape");
    }
  }
  return true;
}

bool CheckReshape(const OperatorView& view) {
  if (!view.RequireArity(2, 1)) return false;
  return FlatSize(*view.input(0)) == FlatSize(*view.output(0)) ||
         view.Fail("has an output with a different number of elements than its input");
}

// PAD and PADV2: constant int32 paddings [rank, 2]; output = input + paddings.
bool CheckPad(const OperatorView& view) {
  if (!view.RequireArity(view.input_count() == 3 ? 3 : 2, 0)) return false;
  const Tensor& input = *view.input(0);
  const Tensor& paddings = *view.input(1);
  const Tensor& output = *view.output(0);
  const auto* data = view.ConstantData(paddings);
  const uint32_t rank = Rank(input);
  if (data == nullptr || paddings.type() != tflite::TensorType_INT32 || rank > 4 || Rank(output) != rank ||
      FlatSize(paddings) != 2u * rank) {
    return view.Fail("needs constant int32 paddings [rank, 2] for an input of at most 4 dimensions");
  }
  const auto* amounts = reinterpret_cast<const int32_t*>(data->data());
  for (uint32_t axis = 0; axis < rank; ++axis) {
    const int32_t before = amounts[2 * axis];
    const int32_t after = amounts[2 * axis + 1];
    if (before < 0 || after < 0 ||
        static_cast<int64_t>(Dim(input, axis)) + before + after != static_cast<int64_t>(Dim(output, axis))) {
      return view.Fail("has paddings that do not turn its input shape into its output shape");
    }
  }
  return true;
}

bool CheckOperator(const OperatorView& view, BuiltinOperator code) {
  switch (code) {
    case tflite::BuiltinOperator_CONV_2D:
      return CheckConv(view);
    case tflite::BuiltinOperator_DEPTHWISE_CONV_2D:
      return CheckDepthwiseConv(view);
    case tflite::BuiltinOperator_AVERAGE_POOL_2D:
    case tflite::BuiltinOperator_MAX_POOL_2D:
      return CheckPool(view);
    case tflite::BuiltinOperator_FULLY_CONNECTED:
      return CheckFullyConnected(view);
    case tflite::BuiltinOperator_SOFTMAX:
      return CheckSoftmax(view);
    case tflite::BuiltinOperator_LOGISTIC:
    case tflite::BuiltinOperator_TANH:
    case tflite::BuiltinOperator_RELU:
    case tflite::BuiltinOperator_RELU6:
    case tflite::BuiltinOperator_QUANTIZE:
    case tflite::BuiltinOperator_DEQUANTIZE:
      return CheckUnary(view);
    case tflite::BuiltinOperator_ADD:
    case tflite::BuiltinOperator_SUB:
      return CheckBinary(view) && CheckAddScales(view);
    case tflite::BuiltinOperator_MUL:
      return CheckBinary(view);
    case tflite::BuiltinOperator_RESHAPE:
      return CheckReshape(view);
    case tflite::BuiltinOperator_PAD:
    case tflite::BuiltinOperator_PADV2:
      return CheckPad(view);
    default:
      return true;  // No rules: the kernel's own Prepare checks are all there is.
  }
}

}  // namespace

bool CheckOperatorShapes(const tflite::Model& model, Message& message) {
  const tflite::SubGraph& subgraph = *model.subgraphs()->Get(0);
  for (uint32_t index = 0; index < subgraph.operators()->size(); ++index) {
    const Operator& op = *subgraph.operators()->Get(index);
    const OperatorView view(model, subgraph, op, index, message);
    const BuiltinOperator code = model.operator_codes()->Get(op.opcode_index())->builtin_code();
    if (!CheckOperator(view, code)) return false;
  }
  return true;
}

}  // namespace tflm_shim
