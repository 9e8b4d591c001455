//===- Safetensors.h - Reading and writing safetensors checkpoints --------===//
//
// dlc's checkpoints are safetensors files (https://github.com/huggingface/
// safetensors), so that other tools read what dlc writes and dlc reads what
// they write. A file is an 8-byte little-endian header size N, N bytes of
// JSON header naming each tensor's dtype, shape and byte range, then the
// tensors' bytes. The writer produces the bytes the reference implementation
// produces for the same tensors; the reader applies the reference's checks
// (and a few more) and throws dlc::Error on any malformed input.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_SAFETENSORS_H
#define DLC_RUNTIME_SAFETENSORS_H

#include "runtime/Buffer.h"
#include "runtime/ScalarType.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlc::rt {

/// One named tensor of a safetensors file.
struct SafetensorsTensor {
  std::string name;
  /// Bool, Int, Long, Float, Double are safetensors' BOOL, I32, I64, F32, F64.
  ScalarType type = ScalarType::Float;
  /// Non-negative sizes; empty for a scalar.
  std::vector<int64_t> shape;
  /// Host memory holding exactly numel * elementSize(type) bytes, row-major.
  /// Bool elements are bytes holding 0 or 1. May be null when that is 0 bytes.
  BufferPtr data;
};

/// The largest header the reader accepts, as the reference implementation.
constexpr uint64_t kSafetensorsMaxHeaderSize = 100'000'000;

/// Writes `tensors` (in any order; the file lists them as the reference
/// implementation does: by dtype, widest first, then by name) and, when not
/// empty, `metadata` as "__metadata__". The file is written next to `path`
/// under a temporary name, flushed to disk and renamed over `path`, so a
/// crash or a full disk never leaves half a file where a good one was (a
/// symbolic link at `path` is replaced by the file, not followed). Throws
/// dlc::Error naming the path and the tensor for a tensor that cannot be
/// written (duplicate name, wrong buffer size, device memory, a Bool other
/// than 0 or 1, ...) and for I/O errors.
void saveSafetensors(const std::string &path,
                     const std::vector<SafetensorsTensor> &tensors,
                     const std::map<std::string, std::string> &metadata = {});

/// The bytes saveSafetensors writes.
std::vector<uint8_t>
serializeSafetensors(const std::vector<SafetensorsTensor> &tensors,
                     const std::map<std::string, std::string> &metadata = {});

/// Reads and validates the file at `path`; tensors come back in the order of
/// their bytes in the file. `metadata`, when not null, receives the
/// "__metadata__" entries (cleared when there are none). Throws dlc::Error
/// naming the path, the rule broken and the tensor for an unreadable or
/// malformed file, or one holding a dtype dlc has no type for (F16, U8, ...).
std::vector<SafetensorsTensor>
loadSafetensors(const std::string &path,
                std::map<std::string, std::string> *metadata = nullptr);

/// As loadSafetensors, from the `size` bytes of a whole file at `bytes`;
/// `what` names them in messages (a file name).
std::vector<SafetensorsTensor>
parseSafetensors(const uint8_t *bytes, size_t size, const std::string &what,
                 std::map<std::string, std::string> *metadata = nullptr);

} // namespace dlc::rt

#endif // DLC_RUNTIME_SAFETENSORS_H
