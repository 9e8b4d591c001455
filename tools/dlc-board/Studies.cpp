//===- Studies.cpp - The studies of a dlc::tune storage -------------------===//

#include "Board.h"

namespace dlc::board {

namespace {

Json numberOrNull(std::optional<double> value) {
  return value && std::isfinite(*value) ? Json(*value) : Json(nullptr);
}

Json paramsJson(const tune::FrozenTrial &trial) {
  Json params = Json::object();
  for (const auto &[name, value] : trial.params)
    params[name] = trial.param_text(name);
  return params;
}

} // namespace

Json list_studies(tune::Storage &storage) {
  Json studies = Json::array();
  for (const std::string &name : storage.study_names()) {
    std::optional<int64_t> id = storage.find_study(name);
    if (!id)
      continue; // deleted since it was listed
    tune::Direction direction = storage.study_direction(*id);
    bool maximize = direction == tune::Direction::Maximize;
    std::vector<tune::FrozenTrial> trials = storage.get_all_trials(*id);

    Json list = Json::array();
    const tune::FrozenTrial *best = nullptr;
    for (const tune::FrozenTrial &trial : trials) {
      Json intermediate = Json::array();
      for (const auto &[step, value] : trial.intermediate_values)
        intermediate.push_back({step, numberOrNull(value)});
      Json seconds = nullptr;
      if (trial.datetime_complete)
        seconds = *trial.datetime_complete - trial.datetime_start;
      list.push_back({{"number", trial.number},
                      {"state", tune::to_string(trial.state)},
                      {"value", numberOrNull(trial.value)},
                      {"params", paramsJson(trial)},
                      {"intermediate", intermediate},
                      {"seconds", seconds}});
      if (trial.state == tune::TrialState::Complete && trial.value &&
          std::isfinite(*trial.value) &&
          (!best || (maximize ? *trial.value > *best->value
                              : *trial.value < *best->value)))
        best = &trial;
    }
    Json importances = Json::array();
    for (const auto &[param, importance] : tune::param_importances(trials))
      importances.push_back({param, importance});
    Json bestJson = nullptr;
    if (best)
      bestJson = {{"number", best->number},
                  {"value", *best->value},
                  {"params", paramsJson(*best)}};
    studies.push_back({{"name", name},
                       {"direction", maximize ? "maximize" : "minimize"},
                       {"trials", list},
                       {"best", bestJson},
                       {"importances", importances}});
  }
  return studies;
}

} // namespace dlc::board
