//===- TorchModels.h - The model suite of dlc-bench, LibTorch's side ------===//
//
// `dlc-bench-torch --suite models --model NAME`: the training step of one CTR
// model (deepfm, dcn, fibinet, din, dien) written with LibTorch, computing
// the same function as dlc's model of that name in Models.cpp, measured as
// Models.cpp measures dlc's.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BENCH_TORCHMODELS_H
#define DLC_TOOLS_DLC_BENCH_TORCHMODELS_H

#include "Bench.h"

#include <string>

namespace dlcbench {

/// Measures the training step of model `name` at modelShapes(options.quick)
/// and returns its record (samples_per_s, batch, first_step_ms,
/// peak_rss_mib, loss). With `packed`, DIN and DIEN run their attention over
/// the valid history steps only, gathered into rows, rather than over the
/// padded history with the padding masked (dlc's way); their record then has
/// "variant": "packed". Throws std::runtime_error for an unknown model.
Record measureTorchModel(const std::string &name, const std::string &mode,
                         int threads, const Options &options,
                         bool packed = false);

} // namespace dlcbench

#endif // DLC_TOOLS_DLC_BENCH_TORCHMODELS_H
