#include "firmware/tflm_shim/message.h"

#include <string.h>

#include "tensorflow/lite/micro/micro_string.h"

namespace tflm_shim {

void Message::Append(const char* format, ...) {
  va_list args;
  va_start(args, format);
  AppendV(format, args);
  va_end(args);
}

void Message::AppendV(const char* format, va_list args) {
  // TFLM ends some messages with a newline; the separator replaces it.
  while (length_ > 0 && text_[length_ - 1] == '\n') text_[--length_] = '\0';
  if (length_ > 0 && length_ + 3 < kCapacity) {
    text_[length_++] = ';';
    text_[length_++] = ' ';
    text_[length_] = '\0';
  }
  if (length_ + 1 >= kCapacity) return;
  MicroVsnprintf(text_ + length_, static_cast<int>(kCapacity - length_), format, args);
  length_ = strlen(text_);
  while (length_ > 0 && text_[length_ - 1] == '\n') text_[--length_] = '\0';
}

void Message::AppendText(const char* text) {
  while (*text != '\0' && length_ + 1 < kCapacity) text_[length_++] = *text++;
  text_[length_] = '\0';
}

void Message::Clear() {
  text_[0] = '\0';
  length_ = 0;
}

void Message::CopyTo(char* destination, size_t capacity) const {
  if (destination == nullptr || capacity == 0) return;
  const size_t count = length_ < capacity - 1 ? length_ : capacity - 1;
  memcpy(destination, text_, count);
  destination[count] = '\0';
}

}  // namespace tflm_shim
