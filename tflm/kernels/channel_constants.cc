#include "tflm/kernels/channel_constants.h"

#include <string.h>

namespace tinyml_kernels {
namespace {

struct Session {
  const uint8_t* table = nullptr;
  size_t table_size = 0;
  uint8_t* record = nullptr;
  size_t record_capacity = 0;
  size_t record_size = 0;
  bool overflow = false;
};

// Per thread on hosts, where tests build interpreters in parallel; bare-metal devices
// have one thread (and no thread-local storage).
#if defined(__ARM_ARCH) && !defined(__linux__)
Session session;
#else
thread_local Session session;
#endif

uint32_t ReadWord(const uint8_t* at) {
  uint32_t value;
  memcpy(&value, at, sizeof(value));
  return value;
}

void WriteWord(uint8_t* at, uint32_t value) { memcpy(at, &value, sizeof(value)); }

// Whether `table` is a well-formed table: every record inside it, nothing after the last.
bool WellFormed(const uint8_t* table, size_t size) {
  if (reinterpret_cast<uintptr_t>(table) % 4 != 0 || size < kChannelConstantsHeaderBytes) return false;
  if (ReadWord(table) != kChannelConstantsMagic) return false;
  size_t offset = kChannelConstantsHeaderBytes;
  for (uint32_t records = ReadWord(table + 4); records > 0; --records) {
    if (size - offset < 8) return false;
    const uint32_t channels = ReadWord(table + offset + 4);
    if (channels == 0 || channels > (size - offset) / 5) return false;
    offset += ChannelConstantsRecordBytes(static_cast<int>(channels));
    if (offset > size) return false;
  }
  return offset == size;
}

}  // namespace

size_t ChannelConstantsRecordBytes(int channels) {
  const size_t shifts = (static_cast<size_t>(channels) + 3) & ~static_cast<size_t>(3);
  return 8 + 4 * static_cast<size_t>(channels) + shifts;
}

bool BeginChannelConstants(const uint8_t* table, size_t table_size, uint8_t* record, size_t record_capacity) {
  session = Session{};
  if (table != nullptr && !WellFormed(table, table_size)) return false;
  if (record != nullptr && reinterpret_cast<uintptr_t>(record) % 4 != 0) return false;
  session.table = table;
  session.table_size = table_size;
  session.record = record;
  session.record_capacity = record_capacity;
  if (record != nullptr) {
    if (record_capacity < kChannelConstantsHeaderBytes) {
      session.overflow = true;
    } else {
      WriteWord(record, kChannelConstantsMagic);
      WriteWord(record + 4, 0);
      session.record_size = kChannelConstantsHeaderBytes;
    }
  }
  return true;
}

size_t EndChannelConstants(bool* overflow) {
  const size_t written = session.overflow ? 0 : session.record_size;
  if (overflow != nullptr) *overflow = session.overflow;
  session = Session{};
  return written;
}

bool HaveChannelConstantsTable() { return session.table != nullptr; }

bool FindChannelConstants(int output_tensor, int channels, const int32_t** multiplier, const int8_t** shift) {
  if (session.table == nullptr) return false;
  size_t offset = kChannelConstantsHeaderBytes;
  for (uint32_t records = ReadWord(session.table + 4); records > 0; --records) {
    const uint8_t* at = session.table + offset;
    const uint32_t record_channels = ReadWord(at + 4);
    if (ReadWord(at) == static_cast<uint32_t>(output_tensor) && record_channels == static_cast<uint32_t>(channels)) {
      // WellFormed checked the alignment: the table starts on 4 bytes and every record
      // is a multiple of 4 long.
      *multiplier = reinterpret_cast<const int32_t*>(at + 8);
      *shift = reinterpret_cast<const int8_t*>(at + 8 + 4 * record_channels);
      return true;
    }
    offset += ChannelConstantsRecordBytes(static_cast<int>(record_channels));
  }
  return false;
}

bool RecordingChannelConstants() { return session.record != nullptr; }

bool ReserveChannelConstants(int output_tensor, int channels, int32_t** multiplier, int8_t** shift) {
  if (session.record == nullptr || session.overflow) return false;
  const size_t bytes = ChannelConstantsRecordBytes(channels);
  if (session.record_capacity - session.record_size < bytes) {
    session.overflow = true;
    return false;
  }
  uint8_t* at = session.record + session.record_size;
  memset(at, 0, bytes);
  WriteWord(at, static_cast<uint32_t>(output_tensor));
  WriteWord(at + 4, static_cast<uint32_t>(channels));
  // The record buffer starts on 4 bytes and every record is a multiple of 4 long.
  *multiplier = reinterpret_cast<int32_t*>(at + 8);
  *shift = reinterpret_cast<int8_t*>(at + 8 + 4 * static_cast<size_t>(channels));
  session.record_size += bytes;
  WriteWord(session.record + 4, ReadWord(session.record + 4) + 1);
  return true;
}

}  // namespace tinyml_kernels
