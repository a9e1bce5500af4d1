// Runs the vendored TFLM library on the host against two models shipped in the tfmicro
// crate: the sine regression (float) and the 2020 person detector (uint8, 96x96).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tensorflow/lite/micro/kernels/all_ops_resolver.h"
#include "tensorflow/lite/micro/micro_error_reporter.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/schema/schema_generated.h"
#include "tensorflow/lite/version.h"
#include "third_party/tflm/platform/platform.h"


namespace {

int failures = 0;

void Expect(bool condition, const char* what) {
  std::printf("%s: %s\n", condition ? "ok" : "FAILED", what);
  if (!condition) ++failures;
}

std::vector<uint8_t> ReadFile(const char* path) {
  std::vector<uint8_t> bytes;
  FILE* file = std::fopen(path, "rb");
  if (file == nullptr) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::exit(2);
  }
  uint8_t chunk[4096];
  size_t count;
  while ((count = std::fread(chunk, 1, sizeof(chunk), file)) > 0) {
    bytes.insert(bytes.end(), chunk, chunk + count);
  }
  std::fclose(file);
  return bytes;
}

constexpr char kModels[] = "../tfmicro/examples/models/";
// TFLM's Visual Wake Words person detector: int8, every weight zero point 0.
constexpr char kInt8Model[] = "../microflow/models/person_detect.tflite";

std::vector<uint8_t> ReadModelFile(const char* name) {
  char path[256];
  std::snprintf(path, sizeof(path), "%s%s", kModels, name);
  return ReadFile(path);
}

alignas(16) uint8_t arena[160 * 1024];

void SineModel() {
  std::vector<uint8_t> model_bytes = ReadModelFile("hello_world.tflite");
  const tflite::Model* model = tflite::GetModel(model_bytes.data());
  Expect(model->version() == TFLITE_SCHEMA_VERSION, "sine model has the library's schema version");
  tflite::MicroErrorReporter reporter;
  tflite::ops::micro::AllOpsResolver resolver;
  tflite::MicroInterpreter interpreter(model, resolver, arena, sizeof(arena), &reporter);
  Expect(interpreter.AllocateTensors() == kTfLiteOk, "sine model allocates");
  const float x = 1.5707963f;
  interpreter.input(0)->data.f[0] = x;
  Expect(interpreter.Invoke() == kTfLiteOk, "sine model invokes");
  const float y = interpreter.output(0)->data.f[0];
  std::printf("sin(%.4f) ~ %.4f\n", x, y);
  Expect(std::fabs(y - 1.0f) < 0.1f, "sine model output is within 0.1 of sin(pi/2)");
  Expect(interpreter.arena_used_bytes() > 0 && interpreter.arena_used_bytes() < sizeof(arena),
         "arena use is reported");
}

void PersonModel(const char* image, bool expect_person) {
  std::vector<uint8_t> model_bytes = ReadModelFile("person_detection_grayscale.tflite");
  std::vector<uint8_t> pixels = ReadModelFile(image);
  const tflite::Model* model = tflite::GetModel(model_bytes.data());
  tflite::MicroErrorReporter reporter;
  tflite::ops::micro::AllOpsResolver resolver;
  tflite::MicroInterpreter interpreter(model, resolver, arena, sizeof(arena), &reporter);
  Expect(interpreter.AllocateTensors() == kTfLiteOk, "person model allocates");
  TfLiteTensor* input = interpreter.input(0);
  Expect(input->type == kTfLiteUInt8 && input->bytes == pixels.size(), "person model takes 96x96 uint8");
  std::memcpy(input->data.uint8, pixels.data(), pixels.size());
  Expect(interpreter.Invoke() == kTfLiteOk, "person model invokes");
  const uint8_t* scores = interpreter.output(0)->data.uint8;
  // Output classes of the 2020 example: 0 unused, 1 person, 2 no person.
  std::printf("%s: person %u, no person %u, arena %zu bytes\n", image, scores[1], scores[2],
              interpreter.arena_used_bytes());
  Expect((scores[1] > scores[2]) == expect_person,
         expect_person ? "person image scores person" : "no-person image scores no person");
}

// The patch in third_party/tflm/patches: every quantized tensor's scales are the
// flatbuffer's own, not a copy in the arena, and equal the model's values.
void ScalesReadInPlace() {
  std::vector<uint8_t> model_bytes = ReadModelFile("person_detection_grayscale.tflite");
  const tflite::Model* model = tflite::GetModel(model_bytes.data());
  tflite::MicroErrorReporter reporter;
  tflite::ops::micro::AllOpsResolver resolver;
  tflite::MicroInterpreter interpreter(model, resolver, arena, sizeof(arena), &reporter);
  Expect(interpreter.AllocateTensors() == kTfLiteOk, "person model allocates");
  const auto* tensors = model->subgraphs()->Get(0)->tensors();
  const uint8_t* begin = model_bytes.data();
  const uint8_t* end = begin + model_bytes.size();
  size_t quantized = 0, in_place = 0, equal = 0;
  for (size_t i = 0; i < interpreter.tensors_size(); ++i) {
    const TfLiteTensor* tensor = interpreter.tensor(i);
    if (tensor->quantization.type != kTfLiteAffineQuantization) continue;
    const auto* params = static_cast<const TfLiteAffineQuantization*>(tensor->quantization.params);
    const auto* scales = tensors->Get(i)->quantization()->scale();
    ++quantized;
    const auto* where = reinterpret_cast<const uint8_t*>(params->scale);
    in_place += where >= begin && where < end;
    bool same = params->scale->size == static_cast<int>(scales->size());
    for (int c = 0; same && c < params->scale->size; ++c) same = params->scale->data[c] == scales->Get(c);
    equal += same;
  }
  std::printf("%zu quantized tensors, %zu with scales in the model, %zu equal\n", quantized, in_place, equal);
  Expect(quantized > 0 && in_place == quantized, "every scale array is read from the model, not copied");
  Expect(equal == quantized, "every scale array holds the model's values");
}

// The second patch: zero points that are all 0 (an int8 model's weights) are read from
// the model, any others copied; either way they equal the model's values.
void ZeroPointsReadInPlace(const char* path, size_t* in_place, size_t* copied) {
  std::vector<uint8_t> model_bytes = ReadFile(path);
  const tflite::Model* model = tflite::GetModel(model_bytes.data());
  tflite::MicroErrorReporter reporter;
  tflite::ops::micro::AllOpsResolver resolver;
  tflite::MicroInterpreter interpreter(model, resolver, arena, sizeof(arena), &reporter);
  Expect(interpreter.AllocateTensors() == kTfLiteOk, "model allocates");
  const auto* tensors = model->subgraphs()->Get(0)->tensors();
  const uint8_t* begin = model_bytes.data();
  const uint8_t* end = begin + model_bytes.size();
  size_t equal = 0, quantized = 0, misplaced = 0;
  for (size_t i = 0; i < interpreter.tensors_size(); ++i) {
    const TfLiteTensor* tensor = interpreter.tensor(i);
    if (tensor->quantization.type != kTfLiteAffineQuantization) continue;
    const auto* params = static_cast<const TfLiteAffineQuantization*>(tensor->quantization.params);
    const auto* zero_points = tensors->Get(i)->quantization()->zero_point();
    ++quantized;
    bool same = params->zero_point->size == static_cast<int>(zero_points->size());
    bool all_zero = true;
    for (int c = 0; same && c < params->zero_point->size; ++c) {
      same = params->zero_point->data[c] == zero_points->Get(c);
      all_zero = all_zero && zero_points->Get(c) == 0;
    }
    equal += same;
    const auto* where = reinterpret_cast<const uint8_t*>(params->zero_point);
    const bool from_model = where >= begin && where < end;
    misplaced += from_model != all_zero;
    (from_model ? *in_place : *copied) += 1;
  }
  std::printf("%s: %zu quantized tensors, zero points equal in %zu, misplaced %zu\n", path, quantized, equal,
              misplaced);
  Expect(equal == quantized, "every zero point array holds the model's values");
  Expect(misplaced == 0, "all-zero zero points are read from the model, the others copied");
}

}  // namespace

void LogToStderr(const char* message) { std::fputs(message, stderr); }

int main() {
  tflm_platform_set_debug_log(LogToStderr);
  SineModel();
  PersonModel("person_image_data_grayscale.data", true);
  PersonModel("no_person_image_data_grayscale.data", false);
  ScalesReadInPlace();
  size_t in_place = 0, copied = 0;
  for (const char* path : {kInt8Model, "../tfmicro/examples/models/person_detection_grayscale.tflite"}) {
    ZeroPointsReadInPlace(path, &in_place, &copied);
  }
  Expect(in_place > 0 && copied > 0, "the two models have both kinds of zero points");
  std::printf("%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}
