// C ABI over TensorFlow Lite Micro: exactly what the Rust `tflm` crate needs, nothing more.
//
// The interpreter and its bookkeeping live at the start of the caller's arena, so the
// application owns every byte TFLM touches and no heap is involved. All functions are
// safe to call with any buffer: bad models produce an error message, never a crash.
#ifndef TINYML_FIRMWARE_TFLM_SHIM_TFLM_SHIM_H_
#define TINYML_FIRMWARE_TFLM_SHIM_TFLM_SHIM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Model buffers and arenas must start on this boundary (TFLM's buffer alignment).
#define TFLM_SHIM_ALIGNMENT 16
// Tensors with more dimensions than this are refused when the interpreter is created.
#define TFLM_SHIM_MAX_DIMS 6
// Distinct operators one model may use.
#define TFLM_SHIM_MAX_OPS 32

typedef enum {
  TFLM_SHIM_OK = 0,
  TFLM_SHIM_ERROR = 1,
} TflmShimStatus;

// A kernel registration (TFLM's TfLiteRegistration), only passed through.
typedef struct TfLiteRegistration TflmShimRegistration;

// One operator the application links in: its builtin code, the model versions it
// accepts, and the function that writes its kernel (generated per operator).
typedef struct {
  int32_t builtin_code;
  int32_t min_version;
  int32_t max_version;
  void (*registration)(TflmShimRegistration* out);
} TflmShimOp;

typedef struct TflmShimInterpreter TflmShimInterpreter;

// A tensor as the application sees it. `type` is TFLM's TfLiteType value.
typedef struct {
  int32_t type;
  int32_t dims_count;
  int32_t dims[TFLM_SHIM_MAX_DIMS];
  uint8_t* data;
  size_t bytes;
  float scale;
  int32_t zero_point;
} TflmShimTensor;

// Checks that `data` holds a usable model: aligned, a valid TFLite flatbuffer, the schema
// version this TFLM reads, one subgraph. On failure writes a message to `error`.
TflmShimStatus tflm_shim_check_model(const uint8_t* data, size_t size, char* error, size_t error_capacity);

// The model's operator codes: how many there are, and the builtin code and version of one.
// The model must have passed tflm_shim_check_model.
size_t tflm_shim_model_operator_count(const uint8_t* model);
TflmShimStatus tflm_shim_model_operator(const uint8_t* model, size_t index, int32_t* builtin_code, int32_t* version);

// Checks the model (as tflm_shim_check_model), builds an interpreter for it inside `arena`
// and allocates its tensors. Every operator of the model must be in `ops` with a matching
// version; only those are registered, so `ops` may list more (all the linked kernels).
// `channel_constants` (may be NULL, size 0) is the model's table of per-channel
// multipliers and shifts (tflm_shim_channel_constants): with it the convolutions read them
// there instead of computing them into the arena, and a table that is not this model's is
// refused. Returns NULL and writes a message to `error` on failure. The model, table and
// arena must outlive the result.
TflmShimInterpreter* tflm_shim_create(const uint8_t* model, size_t model_size, const uint8_t* channel_constants,
                                      size_t channel_constants_size, const TflmShimOp* ops, size_t op_count,
                                      uint8_t* arena, size_t arena_size, char* error, size_t error_capacity);

// Bytes of the arena in use once tensors are allocated, from its start. Allocation also
// needs transient room (TFLM's memory planner), so the smallest workable arena can be
// larger: tflm_shim_minimum_arena_bytes finds it.
size_t tflm_shim_arena_used_bytes(const TflmShimInterpreter* interpreter);

// Of those, the bytes of the activations' memory plan, and of the shim's own interpreter
// object (with the arena's alignment padding); the rest is TFLM's and the kernels' state.
size_t tflm_shim_arena_activation_bytes(const TflmShimInterpreter* interpreter);
size_t tflm_shim_arena_interpreter_bytes(const TflmShimInterpreter* interpreter);

// The smallest arena size (a multiple of TFLM_SHIM_ALIGNMENT, counted from the start of
// `arena`) in which tflm_shim_create succeeds for this model, table and operators, found
// by creating interpreters in `arena` (which must be large enough for one). Returns 0 and
// writes a message to `error` when even the whole arena does not suffice.
size_t tflm_shim_minimum_arena_bytes(const uint8_t* model, size_t model_size, const uint8_t* channel_constants,
                                     size_t channel_constants_size, const TflmShimOp* ops, size_t op_count,
                                     uint8_t* arena, size_t arena_size, char* error, size_t error_capacity);

// Writes the model's table of per-channel multipliers and shifts to `table` (4-byte
// aligned), as the registered kernels' Prepare computes them while an interpreter is built
// in `arena`. Returns its size, or 0 with a message in `error` when the interpreter cannot
// be built or `table_capacity` is too small.
size_t tflm_shim_channel_constants(const uint8_t* model, size_t model_size, const TflmShimOp* ops, size_t op_count,
                                   uint8_t* arena, size_t arena_size, uint8_t* table, size_t table_capacity,
                                   char* error, size_t error_capacity);

size_t tflm_shim_input_count(const TflmShimInterpreter* interpreter);
size_t tflm_shim_output_count(const TflmShimInterpreter* interpreter);
TflmShimStatus tflm_shim_input(TflmShimInterpreter* interpreter, size_t index, TflmShimTensor* tensor);
TflmShimStatus tflm_shim_output(TflmShimInterpreter* interpreter, size_t index, TflmShimTensor* tensor);

// Runs the model once. On failure, tflm_shim_last_error says why.
TflmShimStatus tflm_shim_invoke(TflmShimInterpreter* interpreter);

// The messages TFLM reported since the last successful call, NUL-terminated ("" if none).
const char* tflm_shim_last_error(const TflmShimInterpreter* interpreter);

// Ends the interpreter's life; the arena may be reused afterwards.
void tflm_shim_destroy(TflmShimInterpreter* interpreter);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // TINYML_FIRMWARE_TFLM_SHIM_TFLM_SHIM_H_
