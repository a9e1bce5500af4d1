// Per-channel output multipliers and shifts computed at build time, read from flash.
//
// A convolution's Prepare derives one multiplier and one shift for each output channel
// from the model's scales. TFLM keeps them in the arena; a table of them built with the
// model (by the host runner, through this same Prepare) lets the device keep them in flash
// instead. Prepare still derives every value and refuses a table that disagrees, so a
// table built for another model is an error, never a wrong result.
//
// Table layout (little-endian, 4-byte aligned): the header {uint32 magic, uint32 records},
// then per record {uint32 output tensor index, uint32 channels, int32 multiplier[channels],
// int8 shift[channels], zero padding to 4 bytes}.
#ifndef TINYML_TFLM_KERNELS_CHANNEL_CONSTANTS_H_
#define TINYML_TFLM_KERNELS_CHANNEL_CONSTANTS_H_

#include <stddef.h>
#include <stdint.h>

namespace tinyml_kernels {

// "TMCC", little-endian.
constexpr uint32_t kChannelConstantsMagic = 0x43434D54u;
constexpr size_t kChannelConstantsHeaderBytes = 8;

// The bytes one record of `channels` takes.
size_t ChannelConstantsRecordBytes(int channels);

// What Prepare consults while an interpreter allocates its tensors (the shim sets it
// around AllocateTensors; a session per thread). `table` (may be null) is read;
// `record` (may be null) receives a table of every op prepared. Returns false when
// `table` is not a table (wrong magic, size or alignment).
bool BeginChannelConstants(const uint8_t* table, size_t table_size, uint8_t* record, size_t record_capacity);
// Ends the session. Returns the bytes written to `record` (0 if none was given), or 0 with
// `*overflow` set when it was too small.
size_t EndChannelConstants(bool* overflow);

// Whether a table is in use for this session.
bool HaveChannelConstantsTable();
// The table's multipliers and shifts for the op writing `output_tensor`, when its record
// has `channels` channels; false when the table has no such record.
bool FindChannelConstants(int output_tensor, int channels, const int32_t** multiplier, const int8_t** shift);
// Whether the session records a table.
bool RecordingChannelConstants();
// Appends a record for the op writing `output_tensor` to the session's `record` table and
// points `multiplier` and `shift` at its arrays, for Prepare to fill (so recording takes no
// arena); false, with the session marked overflowed, when the buffer is full.
bool ReserveChannelConstants(int output_tensor, int channels, int32_t** multiplier, int8_t** shift);

}  // namespace tinyml_kernels

#endif  // TINYML_TFLM_KERNELS_CHANNEL_CONSTANTS_H_
