#include "firmware/tflm_shim/model_check.h"

#include <math.h>

#include "firmware/tflm_shim/shape_check.h"
#include "firmware/tflm_shim/tflm_shim.h"
#include "tensorflow/lite/version.h"

namespace tflm_shim {
namespace {

using tflite::Buffer;
using tflite::Model;
using tflite::SubGraph;
using tflite::Tensor;

// Largest tensor TFLM could address on a 32-bit MCU; larger shapes are corrupt.
constexpr uint64_t kMaxTensorBytes = 0x7fffffff;

// Bytes per element of the types TFLM (2020) can hold; 0 for any other type.
uint32_t ElementBytes(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType_FLOAT32:
    case tflite::TensorType_INT32:
      return 4;
    case tflite::TensorType_UINT8:
    case tflite::TensorType_INT8:
    case tflite::TensorType_BOOL:
      return 1;
    case tflite::TensorType_INT16:
    case tflite::TensorType_FLOAT16:
      return 2;
    case tflite::TensorType_INT64:
    case tflite::TensorType_FLOAT64:
    case tflite::TensorType_COMPLEX64:
      return 8;
    default:
      return 0;
  }
}

// The values a zero point of a quantized tensor of `type` can take, if it is one.
bool ZeroPointRange(tflite::TensorType type, int64_t* lowest, int64_t* highest) {
  switch (type) {
    case tflite::TensorType_INT8:
      *lowest = -128;
      *highest = 127;
      return true;
    case tflite::TensorType_UINT8:
      *lowest = 0;
      *highest = 255;
      return true;
    case tflite::TensorType_INT16:
      *lowest = -32768;
      *highest = 32767;
      return true;
    default:
      return false;
  }
}

bool CheckIndices(const flatbuffers::Vector<int32_t>* indices, uint32_t tensor_count, bool optional_allowed,
                  const char* what, uint32_t owner, Message& message) {
  if (indices == nullptr) {
    message.Append("%s of operator %u are missing", what, static_cast<unsigned>(owner));
    return false;
  }
  for (int32_t index : *indices) {
    const bool optional = optional_allowed && index == -1;
    if (!optional && (index < 0 || static_cast<uint32_t>(index) >= tensor_count)) {
      message.Append("%s of operator %u refer to tensor %d, but the model has %u tensors", what,
                     static_cast<unsigned>(owner), static_cast<int>(index), static_cast<unsigned>(tensor_count));
      return false;
    }
  }
  return true;
}

bool HasData(const Tensor& tensor, const Model& model) {
  const Buffer* buffer = model.buffers()->Get(tensor.buffer());
  return buffer != nullptr && buffer->data() != nullptr && buffer->data()->size() > 0;
}

bool CheckTensor(const Tensor& tensor, uint32_t index, const Model& model, Message& message) {
  const uint32_t buffer_count = model.buffers()->size();
  if (tensor.buffer() >= buffer_count) {
    message.Append("tensor %u refers to buffer %u, but the model has %u buffers", static_cast<unsigned>(index),
                   static_cast<unsigned>(tensor.buffer()), static_cast<unsigned>(buffer_count));
    return false;
  }
  const uint32_t element_bytes = ElementBytes(tensor.type());
  if (element_bytes == 0) {
    message.Append("tensor %u has type %s, which TFLM cannot hold", static_cast<unsigned>(index),
                   tflite::EnumNameTensorType(tensor.type()));
    return false;
  }
  uint64_t bytes = element_bytes;
  if (tensor.shape() != nullptr) {
    if (tensor.shape()->size() > TFLM_SHIM_MAX_DIMS) {
      message.Append("tensor %u has %u dimensions; at most %d are supported", static_cast<unsigned>(index),
                     static_cast<unsigned>(tensor.shape()->size()), TFLM_SHIM_MAX_DIMS);
      return false;
    }
    for (int32_t dim : *tensor.shape()) {
      if (dim < 0) {
        message.Append("tensor %u has a negative dimension (%d)", static_cast<unsigned>(index), static_cast<int>(dim));
        return false;
      }
      bytes *= static_cast<uint64_t>(dim);
      if (bytes > kMaxTensorBytes) {
        message.Append("tensor %u is larger than 2 GiB", static_cast<unsigned>(index));
        return false;
      }
    }
  }
  if (HasData(tensor, model) && model.buffers()->Get(tensor.buffer())->data()->size() != bytes) {
    message.Append("tensor %u holds %u bytes of data, but its shape and type need %u", static_cast<unsigned>(index),
                   static_cast<unsigned>(model.buffers()->Get(tensor.buffer())->data()->size()),
                   static_cast<unsigned>(bytes));
    return false;
  }
  const tflite::QuantizationParameters* quantization = tensor.quantization();
  if (quantization != nullptr && quantization->scale() != nullptr) {
    // TFLM turns scales into fixed-point multipliers and aborts on values it cannot.
    for (float scale : *quantization->scale()) {
      if (!(isfinite(scale) && scale > 0.0f)) {
        message.Append("tensor %u has a quantization scale that is not a positive finite number",
                       static_cast<unsigned>(index));
        return false;
      }
    }
    const bool zero_points_present = quantization->zero_point() != nullptr && quantization->zero_point()->size() > 0;
    if (quantization->scale()->size() > 0 && !zero_points_present) {
      message.Append("tensor %u has quantization scales without zero points", static_cast<unsigned>(index));
      return false;
    }
    int64_t lowest = 0;
    int64_t highest = 0;
    if (zero_points_present && ZeroPointRange(tensor.type(), &lowest, &highest)) {
      for (int64_t zero_point : *quantization->zero_point()) {
        if (zero_point < lowest || zero_point > highest) {
          message.Append("tensor %u has a zero point outside the range of its %s elements",
                         static_cast<unsigned>(index), tflite::EnumNameTensorType(tensor.type()));
          return false;
        }
      }
    }
  }
  // TFLM's allocator copies one zero point per scale, whatever the tensor's role. Which
  // dimension the scales run along matters only where a kernel reads it (convolution
  // filters: shape_check.cc); bias tensors, for one, often name a dimension they lack.
  if (quantization != nullptr && quantization->scale() != nullptr && quantization->zero_point() != nullptr &&
      quantization->zero_point()->size() < quantization->scale()->size()) {
    message.Append("tensor %u has %u quantization scales but %u zero points: TFLM copies one zero point per scale "
                   "and would read past the end of the list",
                   static_cast<unsigned>(index), static_cast<unsigned>(quantization->scale()->size()),
                   static_cast<unsigned>(quantization->zero_point()->size()));
    return false;
  }
  return true;
}

// Operators run in order: each must read only constants, variables, model inputs and
// tensors an earlier operator wrote (TFLM leaves any other tensor without memory).
bool CheckDataFlow(const SubGraph& subgraph, const Model& model, Message& message) {
  const uint32_t tensor_count = subgraph.tensors()->size();
  constexpr uint32_t kMaxTensors = 4096;
  if (tensor_count > kMaxTensors) {
    message.Append("the model has %u tensors; at most %u are supported", static_cast<unsigned>(tensor_count),
                   static_cast<unsigned>(kMaxTensors));
    return false;
  }
  uint8_t written[kMaxTensors / 8] = {};
  auto mark = [&written](int32_t t) { written[t / 8] |= static_cast<uint8_t>(1u << (t % 8)); };
  auto is_written = [&written](int32_t t) { return (written[t / 8] >> (t % 8)) & 1u; };
  for (uint32_t t = 0; t < tensor_count; ++t) {
    const Tensor& tensor = *subgraph.tensors()->Get(t);
    if (HasData(tensor, model) || tensor.is_variable()) mark(static_cast<int32_t>(t));
  }
  for (int32_t t : *subgraph.inputs()) mark(t);
  for (uint32_t o = 0; o < subgraph.operators()->size(); ++o) {
    const tflite::Operator* op = subgraph.operators()->Get(o);
    for (int32_t t : *op->inputs()) {
      if (t >= 0 && !is_written(t)) {
        message.Append("operator %u reads tensor %d, which has no data and no earlier operator writes",
                       static_cast<unsigned>(o), static_cast<int>(t));
        return false;
      }
    }
    for (int32_t t : *op->outputs()) mark(t);
  }
  for (int32_t t : *subgraph.outputs()) {
    if (!is_written(t)) {
      message.Append("model output tensor %d is never written", static_cast<int>(t));
      return false;
    }
  }
  return true;
}

bool CheckSubgraph(const SubGraph& subgraph, const Model& model, Message& message) {
  if (subgraph.tensors() == nullptr || subgraph.operators() == nullptr) {
    message.Append("the subgraph has no tensor or operator list");
    return false;
  }
  const uint32_t tensor_count = subgraph.tensors()->size();
  for (uint32_t t = 0; t < tensor_count; ++t) {
    if (!CheckTensor(*subgraph.tensors()->Get(t), t, model, message)) return false;
  }
  const uint32_t code_count = model.operator_codes() == nullptr ? 0 : model.operator_codes()->size();
  const uint32_t operator_count = subgraph.operators()->size();
  for (uint32_t o = 0; o < operator_count; ++o) {
    const tflite::Operator* op = subgraph.operators()->Get(o);
    if (op->opcode_index() >= code_count) {
      message.Append("operator %u uses operator code %u, but the model has %u", static_cast<unsigned>(o),
                     static_cast<unsigned>(op->opcode_index()), static_cast<unsigned>(code_count));
      return false;
    }
    if (!CheckIndices(op->inputs(), tensor_count, true, "inputs", o, message) ||
        !CheckIndices(op->outputs(), tensor_count, false, "outputs", o, message)) {
      return false;
    }
  }
  return CheckIndices(subgraph.inputs(), tensor_count, false, "model inputs", 0, message) &&
         CheckIndices(subgraph.outputs(), tensor_count, false, "model outputs", 0, message) &&
         CheckDataFlow(subgraph, model, message);
}

}  // namespace

int32_t BuiltinCode(const tflite::OperatorCode& code) { return static_cast<int32_t>(code.builtin_code()); }

const Model* CheckModel(const uint8_t* data, size_t size, Message& message) {
  if (data == nullptr || size == 0) {
    message.Append("the model buffer is empty");
    return nullptr;
  }
  if (reinterpret_cast<uintptr_t>(data) % TFLM_SHIM_ALIGNMENT != 0) {
    message.Append("the model buffer at %x is not %d-byte aligned; place it in an aligned buffer",
                   static_cast<unsigned>(reinterpret_cast<uintptr_t>(data)), TFLM_SHIM_ALIGNMENT);
    return nullptr;
  }
  flatbuffers::Verifier verifier(data, size);
  if (!tflite::VerifyModelBuffer(verifier)) {
    message.Append("the %u-byte buffer is not a valid TFLite model (truncated or corrupted flatbuffer)",
                   static_cast<unsigned>(size));
    return nullptr;
  }
  const Model* model = tflite::GetModel(data);
  if (model->version() != TFLITE_SCHEMA_VERSION) {
    message.Append("the model has schema version %u; this TFLM reads version %d", static_cast<unsigned>(model->version()),
                   TFLITE_SCHEMA_VERSION);
    return nullptr;
  }
  if (model->subgraphs() == nullptr || model->subgraphs()->size() != 1) {
    message.Append("the model has %u subgraphs; TFLM runs models with exactly one",
                   static_cast<unsigned>(model->subgraphs() == nullptr ? 0 : model->subgraphs()->size()));
    return nullptr;
  }
  if (model->buffers() == nullptr) {
    message.Append("the model has no buffer list");
    return nullptr;
  }
  const bool consistent =
      CheckSubgraph(*model->subgraphs()->Get(0), *model, message) && CheckOperatorShapes(*model, message);
  return consistent ? model : nullptr;
}

}  // namespace tflm_shim
