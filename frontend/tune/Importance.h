//===- Importance.h - Which parameters mattered ---------------------------===//

#ifndef DLC_FRONTEND_TUNE_IMPORTANCE_H
#define DLC_FRONTEND_TUNE_IMPORTANCE_H

#include "frontend/tune/Types.h"

#include <string>
#include <utility>
#include <vector>

namespace dlc::tune {

/// How much of the variance of the objective each parameter's main effect
/// explains, over the Complete trials (a first-order variance
/// decomposition, fANOVA's main effects estimated by binning instead of a
/// random forest): each parameter's values are grouped (a categorical by
/// choice; a number into up to `bins` quantile bins, in log space for log
/// ranges), and its importance is the variance of the group means of the
/// objective weighted by group size, divided by the sum over parameters so
/// that the importances add up to 1. Sorted from the most important.
/// Parameters that not every Complete trial has, or fewer than two Complete
/// trials, give an empty result.
std::vector<std::pair<std::string, double>>
param_importances(const std::vector<FrozenTrial> &trials, int bins = 4);

} // namespace dlc::tune

#endif // DLC_FRONTEND_TUNE_IMPORTANCE_H
