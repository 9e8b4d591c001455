//===- Plan.h - What a compiled CPU program does, as data -----------------===//
//
// A CPU executable is a plan (buffers and the steps over them) plus object
// code for its kernels. The plan is plain data, MLIR-free, so that it can be
// written to the disk cache and read back in a process that never builds
// MLIR for the graph.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_CPU_PLAN_H
#define DLC_CODEGEN_CPU_PLAN_H

#include "runtime/Buffer.h"
#include "runtime/ScalarType.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::dlc::cpu {

/// Where a slot's bytes live during a run.
enum class StorageKind : uint8_t {
  Input,    ///< the caller's buffer `index`
  Constant, ///< `data`, owned by the plan
  Temp,     ///< `offset` bytes into the run's workspace
  Output,   ///< a fresh buffer returned as output `index`
};

struct Storage {
  StorageKind kind = StorageKind::Temp;
  int64_t index = 0;
  int64_t offset = 0;
  int64_t bytes = 0;
  std::vector<uint8_t> data;
  /// Output storages: the inputs whose buffer it may take when the caller
  /// gives it up (no step reads the input after the output is written, or
  /// the writing kernel reads it only at the element it writes).
  std::vector<int32_t> donors;
};

/// A typed view of a storage: several slots share one storage when a
/// reshape is only a new view of the same bytes.
struct Slot {
  ::dlc::ScalarType type = ::dlc::kFloat;
  std::vector<int64_t> shape;
  int32_t storage = 0;
};

enum class StepKind : uint8_t {
  Kernel,        ///< fn(args, begin, end) over [0, iterations) split by grain
  PartialKernel, ///< the same over fixed chunks of `grain`; chunk k writes
                 ///< partial k
  Combine, ///< folds partials (slots[0]) in order into slots[1]; attr: 0 sum, 1
           ///< max, 2 min
  Gemm,    ///< slots A, B, C[, bias]; ints: batch, m, n, k, transA, transB,
           ///< activation (GemmActivation), hasBias
  Gather,  ///< slots input, indices, output; attr: axis
  ScatterAdd, ///< slots input, indices, updates, output; attr: axis
  Concat,     ///< slots inputs..., output; attr: dim
  Copy,       ///< slots source, destination
  Reference, ///< a dlc op run by the reference kernels; slots inputs..., output
  Fill,      ///< slot output; every element is `constant` (one element's bytes)
  AllReduceStart, ///< slots inputs..., outputs... (n each): copies each input
                  ///< to its output and starts reducing the outputs across
                  ///< processes; attr: rt::dist::ReduceOp
  AllReduceWait,  ///< slots outputs...: waits for the all-reduce that step
                  ///< `attr` started (placed before the first reader)
};

struct Step {
  StepKind kind = StepKind::Kernel;
  /// The kernel's symbol in the object code.
  std::string symbol;
  /// Kernel arguments (inputs, then outputs) or the operands listed above.
  std::vector<int32_t> slots;
  int64_t iterations = 0;
  int64_t grain = 1;
  int64_t attr = 0;
  std::vector<int64_t> ints;
  /// Reference steps: the op (OpKind) and, for constants, their bytes.
  int32_t op = 0;
  std::vector<uint8_t> constant;
  bool splat = false;
  /// Source line of the op, for messages ("file:line").
  std::string where;
};

struct Plan {
  std::vector<Storage> storages;
  std::vector<Slot> slots;
  std::vector<Step> steps;
  int32_t numInputs = 0;
  /// The slots returned, in order; each has an Output storage of its own.
  std::vector<int32_t> outputs;
  int64_t workspaceBytes = 0;
};

/// Bytes of a slot's tensor.
int64_t slotBytes(const Slot &slot);
/// Elements of a slot's tensor.
int64_t numel(const Slot &slot);
/// The product of `shape[begin, end)` (the rows or columns around an axis).
int64_t product(const std::vector<int64_t> &shape, size_t begin, size_t end);

/// Where the bytes of every storage of a plan are during one run.
struct RunMemory {
  std::vector<char *> bases;                 ///< by storage
  std::vector<::dlc::rt::BufferPtr> outputs; ///< by output index
  ::dlc::rt::BufferPtr workspace;
  /// Outputs written into inputs the caller gave up.
  int64_t donations = 0;
};

/// Binds the storages of `plan` for a run on `device`, for every backend
/// that runs plans: the inputs (their count, bytes and device checked; `who`
/// names the executable in messages), `constants` (a base per storage, for
/// the constant ones), one workspace for the temporaries, and the outputs:
/// an input the caller gave up where the plan allows it (Storage::donors),
/// else a fresh buffer on `device`. Throws dlc::Error.
RunMemory bindStorages(const Plan &plan,
                       std::vector<::dlc::rt::BufferPtr> &inputs,
                       ::dlc::Device device,
                       const std::vector<char *> &constants, const char *who);

/// The buffers a run returns, in the plan's order of outputs.
std::vector<::dlc::rt::BufferPtr> runResults(const Plan &plan,
                                             const RunMemory &memory);

/// The plan as bytes, and back. `deserialize` checks every count and index
/// against the data it reads and returns false for anything malformed.
std::vector<uint8_t> serialize(const Plan &plan);
bool deserialize(const uint8_t *data, size_t size, Plan &plan);

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_PLAN_H
