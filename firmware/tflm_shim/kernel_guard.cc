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

void Guard(const TfLiteRegistration& kernel, PrepareFunction guarded_prepare, TfLiteRegistration* out) {
  *out = kernel;
  out->prepare = guarded_prepare;
}

}  // namespace tflm_shim
