//===- Process.h - Running a child process and reading its output ---------===//
//
// dlc-bench runs parts of itself and dlc-bench-torch in other processes: a
// compile measured with an empty kernel cache, a second process that finds
// the cache warm, and LibTorch under environments that must be in place
// before its libraries load.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BENCH_PROCESS_H
#define DLC_TOOLS_DLC_BENCH_PROCESS_H

#include "Bench.h"

#include <string>
#include <utility>
#include <vector>

namespace dlcbench {

/// Changes to the environment of a child: variables to set, then variables
/// to remove.
struct EnvChanges {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> unset;
};

/// Runs `argv` (argv[0] is the path) and collects its standard output in
/// `output`; its standard error goes to ours. False (with `error`) when it
/// cannot start or does not exit with status 0; `output` then holds what it
/// wrote before.
bool runProcess(const std::vector<std::string> &argv, const EnvChanges &env,
                std::string &output, std::string &error);

/// Runs `argv` as runProcess does and returns the last record it printed
/// (a line of toJson). Throws std::runtime_error naming `what` when it
/// fails or prints none.
Record runRecordProcess(const std::vector<std::string> &argv,
                        const EnvChanges &env, const std::string &what);

/// The path of the running executable.
std::string selfPath();

} // namespace dlcbench

#endif // DLC_TOOLS_DLC_BENCH_PROCESS_H
