//===- Data.h - dlc::data: datasets, samplers, loaders, CSV reading -------===//
//
// torch::data's API (Example, datasets::Dataset, TensorDataset, transforms,
// samplers, make_data_loader), dlc's tabular reader (read_csv,
// TabularDataset, Vocabulary) and the CTR data sets (criteo, movielens_ctr,
// movielens_sequences). Included by <dlc/dlc.h>.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_DATA_H
#define DLC_FRONTEND_DATA_DATA_H

#include "frontend/data/Csv.h"
#include "frontend/data/CtrDatasets.h"
#include "frontend/data/DataLoader.h"
#include "frontend/data/Dataset.h"
#include "frontend/data/Example.h"
#include "frontend/data/Samplers.h"
#include "frontend/data/TabularDataset.h"
#include "frontend/data/TensorDataset.h"
#include "frontend/data/Transforms.h"
#include "frontend/data/Vocabulary.h"

#endif // DLC_FRONTEND_DATA_DATA_H
