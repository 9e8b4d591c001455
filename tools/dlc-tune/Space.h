//===- Space.h - dlc-tune's search space ----------------------------------===//
//
//   --space lr=1e-4:1e-2:log,embed=8|16|32,dropout=0:0.5,dnn=256-128|400-400
//
// Comma-separated NAME=SPEC items. SPEC is LOW:HIGH (a range; :log for a
// log-uniform one; an int range for the int-valued names) or A|B|C (a
// categorical). Each name sets one dlc-train flag of a trial.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_TUNE_SPACE_H
#define DLC_TOOLS_DLC_TUNE_SPACE_H

#include "tools/dlc-train/Args.h"

#include <dlc/dlc.h>

#include <string>
#include <vector>

namespace dlc::tools {

struct SpaceParam {
  std::string name;
  tune::Distribution distribution;
};

/// The names a space may use, with the dlc-train flag each sets: lr
/// (--lr), embed (--embedding-dim), dropout (--dropout), weight_decay
/// (--weight-decay), batch (--batch-size), dnn (--dnn, widths joined by
/// '-'), optimizer (--optimizer).
const std::vector<std::string> &space_names();

/// Parses a --space string; throws dlc::Error ("dlc-tune: --space: ...")
/// naming the item and what is wrong.
std::vector<SpaceParam> parse_space(const std::string &text);

/// Suggests every parameter of `space` in `trial` and writes it into a
/// copy of `base`.
TrainArgs suggest_args(tune::Trial &trial, const std::vector<SpaceParam> &space,
                       const TrainArgs &base);

} // namespace dlc::tools

#endif // DLC_TOOLS_DLC_TUNE_SPACE_H
