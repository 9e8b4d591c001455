//===- dlc.h - The one header a dlc program includes ----------------------===//
//
// `#include <dlc/dlc.h>` gives dlc::Tensor and the tensor functions, the
// indexing helpers, dlc's own functions (sync, set_eager, stats), the
// gradient mode, dlc::nn (layers, losses, init, functional), dlc::optim,
// dlc::data (datasets, samplers, loaders, the CSV reader), checkpoints
// (dlc::save, dlc::load), dlc::train (fit, metrics, callbacks,
// TensorBoard), dlc::models (the CTR models) and dlc::tune (hyperparameter
// search).
// A LibTorch program ports by renaming torch:: to dlc::.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DLC_H
#define DLC_DLC_H

#include "frontend/Autograd.h"
#include "frontend/Context.h"
#include "frontend/Cuda.h"
#include "frontend/Distributed.h"
#include "frontend/Functions.h"
#include "frontend/Indexing.h"
#include "frontend/Serialize.h"
#include "frontend/Tensor.h"
#include "frontend/data/Data.h"
#include "frontend/models/Models.h"
#include "frontend/nn/Functional.h"
#include "frontend/nn/Init.h"
#include "frontend/nn/Module.h"
#include "frontend/nn/Modules.h"
#include "frontend/nn/Options.h"
#include "frontend/optim/Optimizer.h"
#include "frontend/train/Callbacks.h"
#include "frontend/train/Fit.h"
#include "frontend/train/History.h"
#include "frontend/train/Metrics.h"
#include "frontend/train/Progress.h"
#include "frontend/train/TensorBoard.h"
#include "frontend/tune/Study.h"
#include "runtime/Device.h"
#include "runtime/Error.h"
#include "runtime/ScalarType.h"

#endif // DLC_DLC_H
