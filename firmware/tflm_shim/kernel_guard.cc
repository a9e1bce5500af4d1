#include "firmware/tflm_shim/kernel_guard.h"

namespace tflm_shim {

const char kAllocationProbe[] = "(allocation probe)";
const char kAllocationFailure[] = "Failed to allocate memory";

TfLiteStatus GuardedPrepare(TfLiteContext* context, TfLiteNode* node, PrepareFunction prepare) {
  bool allocation_failed = false;
  context->ReportError(context, kAllocationProbe, &allocation_failed);
  if (allocation_failed) {
    context->ReportError(context, "a kernel's state did not fit in the arena");
    return kTfLiteError;
  }
  return prepare == nullptr ? kTfLiteOk : prepare(context, node);
}

TfLiteStatus MarkedInvoke(TfLiteContext* context, TfLiteNode* node, InvokeFunction invoke) {
  tflm_shim_operator_begin();
  const TfLiteStatus status = invoke(context, node);
  tflm_shim_operator_end();
  return status;
}

void Guard(const TfLiteRegistration& kernel, PrepareFunction guarded_prepare, InvokeFunction marked_invoke,
           TfLiteRegistration* out) {
  *out = kernel;
  out->prepare = guarded_prepare;
  out->invoke = kernel.invoke == nullptr ? nullptr : marked_invoke;
}

}  // namespace tflm_shim

// Out of line and not empty, so that each has an address of its own that every call reaches.
extern "C" __attribute__((noinline)) void tflm_shim_operator_begin(void) { __asm__ volatile("" ::: "memory"); }
extern "C" __attribute__((noinline)) void tflm_shim_operator_end(void) { __asm__ volatile("" ::: "memory"); }
