// Structural checks a TFLite model must pass before TFLM (2020) may touch it. TFLM trusts
// indices and sizes in the flatbuffer; these checks make a corrupted buffer an error
// message instead of an out-of-bounds read.
#ifndef TINYML_FIRMWARE_TFLM_SHIM_MODEL_CHECK_H_
#define TINYML_FIRMWARE_TFLM_SHIM_MODEL_CHECK_H_

#include <stddef.h>
#include <stdint.h>

#include "firmware/tflm_shim/message.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace tflm_shim {

// Verifies the flatbuffer, the schema version and the model's internal references.
// Returns the model, or nullptr with the reason in `message`.
const tflite::Model* CheckModel(const uint8_t* data, size_t size, Message& message);

// The builtin code of an operator code entry (CUSTOM for custom operators).
int32_t BuiltinCode(const tflite::OperatorCode& code);

}  // namespace tflm_shim

#endif  // TINYML_FIRMWARE_TFLM_SHIM_MODEL_CHECK_H_
