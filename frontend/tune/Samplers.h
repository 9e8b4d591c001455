//===- Samplers.h - Random search and TPE ---------------------------------===//
//
// Both samplers are deterministic functions of (seed, the trials so far,
// the trial's number, the parameter's name): several worker processes on
// one storage need no shared generator, and a rerun of a seeded study
// proposes the same parameters.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TUNE_SAMPLERS_H
#define DLC_FRONTEND_TUNE_SAMPLERS_H

#include "frontend/tune/Types.h"

#include <cstdint>
#include <memory>

namespace dlc::tune {

/// Uniform in each distribution (in log space when it is log; uniform over
/// an int's steps and a categorical's choices).
std::shared_ptr<Sampler> make_random_sampler(uint64_t seed = 0);

struct TPESamplerOptions {
  uint64_t seed = 0;
  /// Trials sampled at random before TPE takes over (Optuna: 10).
  int64_t n_startup_trials = 10;
  /// Candidates drawn from l(x), the best ratio l(x) / g(x) wins (24).
  int64_t n_ei_candidates = 24;
  /// The good group is the best ceil(gamma * n) finished trials, at most
  /// max_good (Optuna's default gamma: min(ceil(0.1 n), 25)).
  double gamma = 0.1;
  int64_t max_good = 25;
  /// Weight of the prior (a wide component over the whole range) in each
  /// Parzen estimator (1.0).
  double prior_weight = 1.0;
};

/// The tree-structured Parzen estimator (Bergstra et al., "Algorithms for
/// Hyper-Parameter Optimization", NIPS 2011), per parameter (independent):
/// finished trials (Complete, and Pruned by their last value) are split by
/// objective into a good group (the best gamma fraction) and the rest; each
/// group's values of the parameter define a Parzen estimator — a mixture of
/// Gaussians truncated to the range, one per value with a bandwidth from
/// its neighbours' distances (in log space for log ranges; ints rounded to
/// their steps), plus the prior — or, for a categorical, smoothed category
/// frequencies; n_ei_candidates draws from the good estimator l, and the
/// one maximising l(x) / g(x) is proposed (which maximises expected
/// improvement under the paper's model).
std::shared_ptr<Sampler>
make_tpe_sampler(const TPESamplerOptions &options = {});

} // namespace dlc::tune

#endif // DLC_FRONTEND_TUNE_SAMPLERS_H
