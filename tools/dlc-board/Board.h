//===- Board.h - dlc-board: runs, studies and predictions as JSON ---------===//
//
// What the page of dlc-board shows, as the JSON of its API (API.md beside
// this file): the runs under a log directory, the studies of a dlc::tune
// storage, and predictions of a checkpoint. Everything here is read again
// for each request, so the page follows a training or a search in progress.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BOARD_BOARD_H
#define DLC_TOOLS_DLC_BOARD_BOARD_H

#include "ModelCard.h"

#include <dlc/dlc.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace dlc::board {

using Json = nlohmann::ordered_json;

/// A request the server answers with 400 and this message.
class BadRequest : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The runs under `logdir`: every directory holding a fit() history
/// (history.json, or history.csv) or TensorBoard event files, with its
/// metrics per epoch, its scalars by tag and dlc-train's final metrics
/// (`metrics.json` in the run, or `<run>.json` beside it) when present. A
/// directory of event files inside a run (dlc-train's `tensorboard/`)
/// belongs to that run. Files that cannot be read give the run an "error"
/// rather than failing the list. Symbolic links are not followed.
Json list_runs(const std::filesystem::path &logdir);

/// Every study in `storage`, each with its trials, the best one and the
/// parameter importances.
Json list_studies(tune::Storage &storage);

/// Scores examples with a checkpoint and the model card beside it.
/// Thread-safe (one prediction at a time).
class Predictor {
public:
  /// Loads the card at `card_path` and the checkpoint into the model it
  /// describes. Throws dlc::Error naming the file for a missing or bad card
  /// or a checkpoint that does not fit the model.
  Predictor(const std::string &checkpoint, const std::string &card_path);

  /// The form of the page: the model's name and a field per column with
  /// its kind, its default or its most frequent values.
  Json schema() const;

  /// Scores one example (an object of field name -> value) or a batch
  /// ({"instances": [...]}); see API.md. Throws BadRequest naming the field
  /// for what a client got wrong.
  Json predict(const Json &body);

  /// The model, for tests that compare with it.
  models::CtrModelImpl &model() { return *net; }
  const tools::ModelCard &card() const { return info; }

private:
  /// One example as the row of x; fills `unknown` and `defaulted`.
  std::vector<float> row(const Json &example, Json &unknown,
                         Json &defaulted) const;

  std::string checkpointName;
  tools::ModelCard info;
  std::shared_ptr<models::CtrModelImpl> net;
  int64_t width = 0;
  std::mutex mutex;
};

} // namespace dlc::board

#endif // DLC_TOOLS_DLC_BOARD_BOARD_H
