//===- Profile.h - Where compiled programs spend their time ---------------===//
//
// DLC_PROFILE=1 times every step of every CPU executable and prints, when
// the process exits, the steps that took longest in total: which kernel or
// library call, where in the user's program it came from, how often it ran
// (the 40 longest; DLC_PROFILE=N with N > 1 prints N).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_CPU_PROFILE_H
#define DLC_CODEGEN_CPU_PROFILE_H

#include <string>

namespace mlir::dlc::cpu {

/// True when DLC_PROFILE is set to something other than 0.
bool profilingEnabled();

/// Adds one run of the step `name` that took `seconds`.
void recordStep(const std::string &name, double seconds);

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_PROFILE_H
