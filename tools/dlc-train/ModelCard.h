//===- ModelCard.h - What it takes to score with a trained checkpoint -----===//
//
// A checkpoint holds a model's parameters, not the model: to score a new
// example one needs the model's name and settings, its feature columns and
// the vocabularies that turned the example's values into ids. dlc-train
// writes them beside the checkpoint (`model.json` and `vocabularies.txt` in
// --out); dlc-board reads them back to serve predictions.
//
//   {"format": "dlc-model-card", "version": 1, "model": "deepfm",
//    "data": "criteo", "dense_transform": "log1p",
//    "config": {"dnn_hidden_units": [256, 128], "dnn_dropout": 0, ...},
//    "columns": [{"kind": "dense", "name": "I1", "dimension": 1},
//                {"kind": "sparse", "name": "C1", "vocabulary_size": 120,
//                 "embedding_dim": 8, "embedding_name": ""},
//                {"kind": "id_list", "name": "hist_item_id", "maxlen": 50,
//                 "combiner": "mean", "vocabulary_size": 9725,
//                 "embedding_dim": 8, "embedding_name": "item_id"}],
//    "vocabularies": "vocabularies.txt"}
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_TRAIN_MODELCARD_H
#define DLC_TOOLS_DLC_TRAIN_MODELCARD_H

#include <dlc/dlc.h>

#include <string>
#include <vector>

namespace dlc::tools {

struct ModelCard {
  /// A name make_model knows.
  std::string model;
  models::ModelConfig config;
  /// The columns of the model's input, in the order of x's columns.
  std::vector<models::FeatureColumn> columns;
  /// Where the training data came from ("criteo", "movielens").
  std::string data;
  /// What the loader did to dense values: "none", or "log1p" (log(1 +
  /// max(x, 0))).
  std::string dense_transform = "none";
  /// The vocabulary of every categorical and id-list column, by name.
  data::Vocabularies vocabularies;
};

/// Writes `card` to `dir`/model.json and its vocabularies to
/// `dir`/vocabularies.txt. Throws dlc::Error naming a file that cannot be
/// written.
void save_model_card(const ModelCard &card, const std::string &dir);

/// Reads the model.json at `path` and the vocabularies file it names
/// (relative to its directory). Throws dlc::Error naming the file and what
/// is wrong: not JSON, another format, a missing or mistyped key, an
/// unknown column kind, a categorical column without a vocabulary.
ModelCard load_model_card(const std::string &path);

/// The model the card describes, with freshly initialised parameters (load
/// the checkpoint into it).
std::shared_ptr<models::CtrModelImpl> make_model(const ModelCard &card);

} // namespace dlc::tools

#endif // DLC_TOOLS_DLC_TRAIN_MODELCARD_H
