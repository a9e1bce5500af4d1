// A fixed-capacity, always NUL-terminated text buffer for error messages (no heap).
#ifndef TINYML_FIRMWARE_TFLM_SHIM_MESSAGE_H_
#define TINYML_FIRMWARE_TFLM_SHIM_MESSAGE_H_

#include <stdarg.h>
#include <stddef.h>

namespace tflm_shim {

class Message {
 public:
  static constexpr size_t kCapacity = 256;

  // Appends a formatted message (TFLM's printf subset: %d %u %x %f %s %c), separated from
  // the previous one by "; ". Text beyond the capacity is cut.
  void Append(const char* format, ...);
  void AppendV(const char* format, va_list args);
  // Appends `text` literally, with no separator: for long text, which TFLM's formatter
  // cuts short when it arrives through %s.
  void AppendText(const char* text);
  void Clear();
  const char* text() const { return text_; }
  // Copies the text into a caller's buffer of `capacity` bytes (NUL-terminated).
  void CopyTo(char* destination, size_t capacity) const;

 private:
  char text_[kCapacity] = {};
  size_t length_ = 0;
};

}  // namespace tflm_shim

#endif  // TINYML_FIRMWARE_TFLM_SHIM_MESSAGE_H_
