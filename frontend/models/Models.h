//===- Models.h - dlc::models: the CTR models -----------------------------===//
//
// FM, DeepFM, FiBiNET, DCN, DIN and DIEN over feature columns (Features.h),
// with DeepCTR's structure and defaults, the layers they share, and
// make_model to pick one by name.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_MODELS_H
#define DLC_FRONTEND_MODELS_MODELS_H

#include "frontend/models/DCN.h"
#include "frontend/models/DIEN.h"
#include "frontend/models/DIN.h"
#include "frontend/models/DeepFM.h"
#include "frontend/models/FM.h"
#include "frontend/models/Factory.h"
#include "frontend/models/Features.h"
#include "frontend/models/FiBiNET.h"
#include "frontend/models/Interactions.h"
#include "frontend/models/Layers.h"
#include "frontend/models/SequenceLayers.h"

#endif // DLC_FRONTEND_MODELS_MODELS_H
