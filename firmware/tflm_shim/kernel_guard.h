// Keeps TFLM (2020) from running a kernel whose Init ran out of arena.
//
// Kernels allocate their state in Init and TFLM never checks Init's result: when the arena
// is a little too small, Prepare then dereferences a null user_data (an abort with
// TFLITE_DCHECK, a wild write without). Every kernel the shim registers gets a Prepare that
// first asks the interpreter's error reporter whether an allocation has failed, and stops
// with an error if so. TFLM's sources stay unpatched.
#ifndef TINYML_FIRMWARE_TFLM_SHIM_KERNEL_GUARD_H_
#define TINYML_FIRMWARE_TFLM_SHIM_KERNEL_GUARD_H_

#include "tensorflow/lite/c/common.h"

namespace tflm_shim {

using PrepareFunction = TfLiteStatus (*)(TfLiteContext* context, TfLiteNode* node);
using InvokeFunction = TfLiteStatus (*)(TfLiteContext* context, TfLiteNode* node);

// Passed as the format of context->ReportError, followed by a `bool*`: the reporter
// recognises this pointer and writes whether an allocation failed, instead of logging.
extern const char kAllocationProbe[];

// The start of the message TFLM's allocator reports for every failed allocation.
extern const char kAllocationFailure[];

// Runs `prepare` (if any) unless an allocation has already failed in this interpreter.
TfLiteStatus GuardedPrepare(TfLiteContext* context, TfLiteNode* node, PrepareFunction prepare);

// Runs `invoke` between the two operator markers.
TfLiteStatus MarkedInvoke(TfLiteContext* context, TfLiteNode* node, InvokeFunction invoke);

// `kernel` with its Prepare and Invoke replaced, written to `out`.
void Guard(const TfLiteRegistration& kernel, PrepareFunction guarded_prepare, InvokeFunction marked_invoke,
           TfLiteRegistration* out);

}  // namespace tflm_shim

// Called just before and just after every operator runs: the instruction counter
// (toolchains/qemu/insn_count) finds them by name and counts each operator on its own.
extern "C" void tflm_shim_operator_begin(void);
extern "C" void tflm_shim_operator_end(void);

namespace tflm_shim {

}  // namespace tflm_shim

#endif  // TINYML_FIRMWARE_TFLM_SHIM_KERNEL_GUARD_H_
