//===- Args.h - dlc-board's command line ----------------------------------===//

#ifndef DLC_TOOLS_DLC_BOARD_ARGS_H
#define DLC_TOOLS_DLC_BOARD_ARGS_H

#include "Server.h"

#include <string>
#include <vector>

namespace dlc::board {

struct BoardArgs {
  ServerOptions server;
  bool help = false;
};

/// The --help text.
std::string usage();

/// Parses `args` (without the program name); throws dlc::Error naming the
/// flag for an unknown flag, a missing or malformed value, or when none of
/// --logdir, --storage and --checkpoint is given.
BoardArgs parseArgs(const std::vector<std::string> &args);

} // namespace dlc::board

#endif // DLC_TOOLS_DLC_BOARD_ARGS_H
