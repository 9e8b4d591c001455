//===- Jit.h - Object code for the host, and loading it -------------------===//
//
// LLVM only (no MLIR): a warm start from the disk cache loads object code
// without building any IR.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_CPU_JIT_H
#define DLC_CODEGEN_CPU_JIT_H

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::dlc::cpu {

/// The host CPU and its features as LLVM sees them ("znver4+avx512f+..."):
/// what object code is compiled for, and part of every disk-cache key.
const std::string &hostTarget();

/// Optimizes `module` at -O3 for the host CPU and returns its object code
/// (ELF), or an empty string and `error`. With a `dumpPrefix`, also writes
/// the optimized LLVM IR and the assembly to `<dumpPrefix>.ll` and `.s`.
std::string compileToObject(llvm::Module &module, std::string &error,
                            const std::string &dumpPrefix = "");

/// Several objects as one string (one object is left as it is), and back;
/// false when `packed` is truncated.
std::string packObjects(const std::vector<std::string> &objects);
bool unpackObjects(const std::string &packed,
                   std::vector<std::string> &objects);

/// Object code linked into the process: one JIT library per executable,
/// released with the last reference to it.
class LoadedCode {
public:
  virtual ~LoadedCode() = default;
};

/// Links `object` (one object or packObjects' several) and looks up
/// `symbols`; fills `addresses` in order.
/// Returns null and `error` when the object does not load or a symbol is
/// missing (a corrupt cache entry, for one).
std::shared_ptr<LoadedCode> loadObject(const std::string &object,
                                       const std::vector<std::string> &symbols,
                                       std::vector<void *> &addresses,
                                       std::string &error);

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_JIT_H
