#include "firmware/tflm_shim/tflm_shim.h"

#include <string.h>

#include <new>

#include "firmware/tflm_shim/kernel_guard.h"
#include "firmware/tflm_shim/message.h"
#include "firmware/tflm_shim/model_check.h"
#include "tensorflow/lite/core/api/error_reporter.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/micro/simple_memory_allocator.h"
#include "tflm/kernels/channel_constants.h"

namespace {

using tflm_shim::Message;

// TFLM places its allocator at the end of the arena before it can check any size, so the
// shim refuses arenas that could not even hold that.
constexpr size_t kMinimumTflmArena = sizeof(tflite::SimpleMemoryAllocator) + 4 * TFLM_SHIM_ALIGNMENT;

// Collects TFLM's error reports as text, and answers the kernel guard's probe.
class MessageReporter : public tflite::ErrorReporter {
 public:
  int Report(const char* format, va_list args) override {
    if (format == tflm_shim::kAllocationProbe) {
      *va_arg(args, bool*) = allocation_failed;
      return 0;
    }
    if (strncmp(format, tflm_shim::kAllocationFailure, strlen(tflm_shim::kAllocationFailure)) == 0) {
      allocation_failed = true;
    }
    message.AppendV(format, args);
    return 0;
  }
  Message message;
  bool allocation_failed = false;
};

size_t AlignUp(size_t value) { return (value + TFLM_SHIM_ALIGNMENT - 1) / TFLM_SHIM_ALIGNMENT * TFLM_SHIM_ALIGNMENT; }

const char* OpName(int32_t code) {
  if (code < tflite::BuiltinOperator_MIN || code > tflite::BuiltinOperator_MAX) return "an unknown operator";
  return tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
}

const TflmShimOp* FindOp(const TflmShimOp* ops, size_t op_count, int32_t code) {
  for (size_t i = 0; i < op_count; ++i) {
    if (ops[i].builtin_code == code) return &ops[i];
  }
  return nullptr;
}

const TflmShimOp* FindOp(const TflmShimOp* const* ops, size_t op_count, int32_t code) {
  for (size_t i = 0; i < op_count; ++i) {
    if (ops[i]->builtin_code == code) return ops[i];
  }
  return nullptr;
}

// Finds, for every operator code of the model, the application's op of that code at a
// version its kernel supports. Fills `used` (TFLM_SHIM_MAX_OPS entries) and its count.
bool SelectOperators(const tflite::Model& model, const TflmShimOp* ops, size_t op_count, const TflmShimOp** used,
                     size_t* used_count, Message& message) {
  if (op_count > 0 && ops == nullptr) {
    message.Append("the operator list is missing");
    return false;
  }
  *used_count = 0;
  for (const tflite::OperatorCode* code : *model.operator_codes()) {
    const int32_t builtin = tflm_shim::BuiltinCode(*code);
    if (builtin == tflite::BuiltinOperator_CUSTOM) {
      message.Append("the model uses custom operator '%s'; this TFLM build has no custom operators",
                     code->custom_code() == nullptr ? "" : code->custom_code()->c_str());
      return false;
    }
    const TflmShimOp* op = FindOp(ops, op_count, builtin);
    if (op == nullptr || op->registration == nullptr) {
      message.Append("the model uses %s (version %d), which is not in the application's operator list", OpName(builtin),
                     static_cast<int>(code->version()));
      return false;
    }
    if (code->version() < op->min_version || code->version() > op->max_version) {
      message.Append("the model uses %s version %d; the TFLM kernel supports versions %d to %d", OpName(builtin),
                     static_cast<int>(code->version()), static_cast<int>(op->min_version),
                     static_cast<int>(op->max_version));
      return false;
    }
    if (FindOp(used, *used_count, builtin) != nullptr) continue;  // the same op at another version
    if (*used_count == TFLM_SHIM_MAX_OPS) {
      message.Append("the model uses more than %d distinct operators", TFLM_SHIM_MAX_OPS);
      return false;
    }
    used[(*used_count)++] = op;
  }
  return true;
}

bool DescribeTensor(const TfLiteTensor* source, TflmShimTensor* tensor) {
  if (source == nullptr || tensor == nullptr) return false;
  const int dims_count = source->dims == nullptr ? 0 : source->dims->size;
  if (dims_count > TFLM_SHIM_MAX_DIMS) return false;
  tensor->type = source->type;
  tensor->dims_count = dims_count;
  for (int i = 0; i < TFLM_SHIM_MAX_DIMS; ++i) tensor->dims[i] = i < dims_count ? source->dims->data[i] : 0;
  tensor->data = reinterpret_cast<uint8_t*>(source->data.raw);
  tensor->bytes = source->bytes;
  tensor->scale = source->params.scale;
  tensor->zero_point = source->params.zero_point;
  return true;
}

}  // namespace

// The interpreter with everything it borrows; lives at the start of the caller's arena.
struct TflmShimInterpreter {
  TflmShimInterpreter(const tflite::Model* model, uint8_t* tflm_arena, size_t tflm_arena_size)
      : resolver(&reporter), interpreter(model, resolver, tflm_arena, tflm_arena_size, &reporter) {}

  MessageReporter reporter;
  tflite::MicroMutableOpResolver<TFLM_SHIM_MAX_OPS> resolver;
  tflite::MicroInterpreter interpreter;
  // Bytes of the caller's arena before TFLM's part: alignment padding and this object.
  size_t own_bytes = 0;
  // own_bytes and TFLM's own count, once tensors are allocated.
  size_t used_bytes = 0;
};

extern "C" {

TflmShimStatus tflm_shim_check_model(const uint8_t* data, size_t size, char* error, size_t error_capacity) {
  Message message;
  const bool ok = tflm_shim::CheckModel(data, size, message) != nullptr;
  message.CopyTo(error, error_capacity);
  return ok ? TFLM_SHIM_OK : TFLM_SHIM_ERROR;
}

size_t tflm_shim_model_operator_count(const uint8_t* model) {
  const tflite::Model* parsed = tflite::GetModel(model);
  return parsed->operator_codes() == nullptr ? 0 : parsed->operator_codes()->size();
}

TflmShimStatus tflm_shim_model_operator(const uint8_t* model, size_t index, int32_t* builtin_code, int32_t* version) {
  if (index >= tflm_shim_model_operator_count(model) || builtin_code == nullptr || version == nullptr) {
    return TFLM_SHIM_ERROR;
  }
  const tflite::OperatorCode* code = tflite::GetModel(model)->operator_codes()->Get(index);
  *builtin_code = tflm_shim::BuiltinCode(*code);
  *version = code->version();
  return TFLM_SHIM_OK;
}

}  // extern "C"

namespace {

// tflm_shim_create, with a table to read (or none) and a buffer to record one into (or none).
TflmShimInterpreter* Create(const uint8_t* model_data, size_t model_size, const uint8_t* channel_constants,
                            size_t channel_constants_size, uint8_t* record, size_t record_capacity,
                            size_t* record_size, const TflmShimOp* ops, size_t op_count, uint8_t* arena,
                            size_t arena_size, char* error, size_t error_capacity) {
  Message message;
  const tflite::Model* model = tflm_shim::CheckModel(model_data, model_size, message);
  const TflmShimOp* used[TFLM_SHIM_MAX_OPS];
  size_t used_count = 0;
  if (model == nullptr || !SelectOperators(*model, ops, op_count, used, &used_count, message)) {
    message.CopyTo(error, error_capacity);
    return nullptr;
  }
  if (channel_constants == nullptr && channel_constants_size != 0) {
    message.Append("the channel constants table is missing but its size is %u",
                   static_cast<unsigned>(channel_constants_size));
    message.CopyTo(error, error_capacity);
    return nullptr;
  }
  const size_t padding = arena == nullptr ? 0 : AlignUp(reinterpret_cast<uintptr_t>(arena)) - reinterpret_cast<uintptr_t>(arena);
  const size_t own_bytes = padding + AlignUp(sizeof(TflmShimInterpreter));
  if (arena == nullptr || arena_size < own_bytes + kMinimumTflmArena) {
    message.Append("the %u-byte arena cannot hold the interpreter (%u bytes) and TFLM's allocator",
                   static_cast<unsigned>(arena_size), static_cast<unsigned>(own_bytes + kMinimumTflmArena));
    message.CopyTo(error, error_capacity);
    return nullptr;
  }
  if (!tinyml_kernels::BeginChannelConstants(channel_constants, channel_constants_size, record, record_capacity)) {
    message.Append("the %u-byte channel constants table is not one (wrong header, size or alignment): regenerate it "
                   "with the model (//codegen)",
                   static_cast<unsigned>(channel_constants_size));
    message.CopyTo(error, error_capacity);
    tinyml_kernels::EndChannelConstants(nullptr);
    return nullptr;
  }
  auto* shim = new (arena + padding) TflmShimInterpreter(model, arena + own_bytes, arena_size - own_bytes);
  shim->own_bytes = own_bytes;
  bool ok = shim->interpreter.initialization_status() == kTfLiteOk;
  // Versions were checked above; one registration serves every version of an op.
  for (size_t i = 0; ok && i < used_count; ++i) {
    TfLiteRegistration kernel;
    used[i]->registration(&kernel);
    ok = shim->resolver.AddBuiltin(static_cast<tflite::BuiltinOperator>(used[i]->builtin_code), &kernel,
                                   tflite::MicroOpResolverAnyVersion()) == kTfLiteOk;
  }
  // Prepare reads and records channel constants only inside this session.
  ok = ok && shim->interpreter.AllocateTensors() == kTfLiteOk;
  bool overflow = false;
  const size_t recorded = tinyml_kernels::EndChannelConstants(&overflow);
  if (record_size != nullptr) *record_size = recorded;
  if (ok && overflow) {
    shim->reporter.message.Append("the %u-byte buffer cannot hold the model's channel constants table",
                                  static_cast<unsigned>(record_capacity));
    ok = false;
  }
  for (size_t i = 0; ok && i < shim->interpreter.inputs_size(); ++i) {
    TflmShimTensor unused;
    ok = tflm_shim_input(shim, i, &unused) == TFLM_SHIM_OK;
  }
  for (size_t i = 0; ok && i < shim->interpreter.outputs_size(); ++i) {
    TflmShimTensor unused;
    ok = tflm_shim_output(shim, i, &unused) == TFLM_SHIM_OK;
  }
  if (!ok) {
    shim->reporter.message.CopyTo(error, error_capacity);
    shim->~TflmShimInterpreter();
    return nullptr;
  }
  // Asked once: TFLM logs its usage summary through the reporter on every call.
  shim->used_bytes = shim->own_bytes + shim->interpreter.arena_used_bytes();
  shim->reporter.message.Clear();
  return shim;
}

}  // namespace

extern "C" {

TflmShimInterpreter* tflm_shim_create(const uint8_t* model, size_t model_size, const uint8_t* channel_constants,
                                      size_t channel_constants_size, const TflmShimOp* ops, size_t op_count,
                                      uint8_t* arena, size_t arena_size, char* error, size_t error_capacity) {
  return Create(model, model_size, channel_constants, channel_constants_size, nullptr, 0, nullptr, ops, op_count,
                arena, arena_size, error, error_capacity);
}

size_t tflm_shim_arena_used_bytes(const TflmShimInterpreter* interpreter) { return interpreter->used_bytes; }

size_t tflm_shim_arena_activation_bytes(const TflmShimInterpreter* interpreter) {
  return interpreter->interpreter.arena_activation_bytes();
}

size_t tflm_shim_arena_interpreter_bytes(const TflmShimInterpreter* interpreter) { return interpreter->own_bytes; }

size_t tflm_shim_minimum_arena_bytes(const uint8_t* model, size_t model_size, const uint8_t* channel_constants,
                                     size_t channel_constants_size, const TflmShimOp* ops, size_t op_count,
                                     uint8_t* arena, size_t arena_size, char* error, size_t error_capacity) {
  TflmShimInterpreter* whole = tflm_shim_create(model, model_size, channel_constants, channel_constants_size, ops,
                                                op_count, arena, arena_size, error, error_capacity);
  if (whole == nullptr) return 0;
  // What stays allocated is a lower bound; the whole arena (rounded down) is enough.
  size_t infeasible = whole->used_bytes / TFLM_SHIM_ALIGNMENT;
  size_t feasible = arena_size / TFLM_SHIM_ALIGNMENT;
  tflm_shim_destroy(whole);
  if (infeasible > 0) --infeasible;
  // Allocation succeeds for every size from the minimum up: bisect on aligned blocks.
  while (feasible - infeasible > 1) {
    const size_t middle = infeasible + (feasible - infeasible) / 2;
    TflmShimInterpreter* trial = tflm_shim_create(model, model_size, channel_constants, channel_constants_size, ops,
                                                  op_count, arena, middle * TFLM_SHIM_ALIGNMENT, nullptr, 0);
    if (trial != nullptr) {
      tflm_shim_destroy(trial);
      feasible = middle;
    } else {
      infeasible = middle;
    }
  }
  return feasible * TFLM_SHIM_ALIGNMENT;
}

size_t tflm_shim_channel_constants(const uint8_t* model, size_t model_size, const TflmShimOp* ops, size_t op_count,
                                   uint8_t* arena, size_t arena_size, uint8_t* table, size_t table_capacity,
                                   char* error, size_t error_capacity) {
  if (table == nullptr || reinterpret_cast<uintptr_t>(table) % 4 != 0) {
    Message message;
    message.Append("the channel constants buffer must be present and 4-byte aligned");
    message.CopyTo(error, error_capacity);
    return 0;
  }
  size_t written = 0;
  TflmShimInterpreter* shim = Create(model, model_size, nullptr, 0, table, table_capacity, &written, ops, op_count,
                                     arena, arena_size, error, error_capacity);
  if (shim == nullptr) return 0;
  tflm_shim_destroy(shim);
  return written;
}

size_t tflm_shim_input_count(const TflmShimInterpreter* interpreter) { return interpreter->interpreter.inputs_size(); }

size_t tflm_shim_output_count(const TflmShimInterpreter* interpreter) { return interpreter->interpreter.outputs_size(); }

TflmShimStatus tflm_shim_input(TflmShimInterpreter* interpreter, size_t index, TflmShimTensor* tensor) {
  if (index >= interpreter->interpreter.inputs_size()) return TFLM_SHIM_ERROR;
  return DescribeTensor(interpreter->interpreter.input(index), tensor) ? TFLM_SHIM_OK : TFLM_SHIM_ERROR;
}

TflmShimStatus tflm_shim_output(TflmShimInterpreter* interpreter, size_t index, TflmShimTensor* tensor) {
  if (index >= interpreter->interpreter.outputs_size()) return TFLM_SHIM_ERROR;
  return DescribeTensor(interpreter->interpreter.output(index), tensor) ? TFLM_SHIM_OK : TFLM_SHIM_ERROR;
}

TflmShimStatus tflm_shim_invoke(TflmShimInterpreter* interpreter) {
  interpreter->reporter.message.Clear();
  return interpreter->interpreter.Invoke() == kTfLiteOk ? TFLM_SHIM_OK : TFLM_SHIM_ERROR;
}

const char* tflm_shim_last_error(const TflmShimInterpreter* interpreter) { return interpreter->reporter.message.text(); }

void tflm_shim_destroy(TflmShimInterpreter* interpreter) {
  if (interpreter != nullptr) interpreter->~TflmShimInterpreter();
}

}  // extern "C"
