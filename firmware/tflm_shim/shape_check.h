// Shape rules of the operators TFLM (2020) runs, checked before the interpreter is built.
// Its kernels trust the shapes in the model (a mismatch trips a TFLITE_DCHECK abort, or
// with NDEBUG reads and writes outside the tensors), so a model whose shapes disagree
// with its operators is refused with a message naming the operator.
#ifndef TINYML_FIRMWARE_TFLM_SHIM_SHAPE_CHECK_H_
#define TINYML_FIRMWARE_TFLM_SHIM_SHAPE_CHECK_H_

#include "firmware/tflm_shim/message.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace tflm_shim {

// Checks every operator of the model's (only) subgraph whose builtin code has rules here;
// the model's structure (indices, buffer sizes) must already have been checked.
bool CheckOperatorShapes(const tflite::Model& model, Message& message);

}  // namespace tflm_shim

#endif  // TINYML_FIRMWARE_TFLM_SHIM_SHAPE_CHECK_H_
