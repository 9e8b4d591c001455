//===- Runs.cpp - The runs under a log directory --------------------------===//

#include "Board.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace dlc::board {

namespace fs = std::filesystem;

namespace {

/// Directories deeper than this under the log directory are not searched,
/// and a search stops after this many entries: the page must answer fast
/// even when pointed at a large tree.
constexpr int kMaxDepth = 8;
constexpr size_t kMaxEntries = 200000;
/// A tag's scalars beyond this are thinned to every k-th (the last kept).
constexpr size_t kMaxPoints = 2000;

double unixSeconds(fs::file_time_type time) {
  auto system = std::chrono::file_clock::to_sys(time);
  return std::chrono::duration<double>(system.time_since_epoch()).count();
}

std::string readFile(const fs::path &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error("cannot open " + path.string());
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// history.json as fit() writes it: {"epoch": [...], "<metric>": [...]}.
Json historyFromJson(const fs::path &path) {
  Json json = Json::parse(readFile(path), nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw Error(path.filename().string() + " is not a JSON object");
  Json history = {{"epoch", Json::array()}, {"metrics", Json::object()}};
  for (auto &[key, values] : json.items()) {
    if (!values.is_array())
      continue;
    if (key == "epoch")
      history["epoch"] = values;
    else
      history["metrics"][key] = values;
  }
  return history;
}

/// history.csv: a header of names, a row of numbers per epoch.
Json historyFromCsv(const fs::path &path) {
  std::istringstream text(readFile(path));
  std::string line;
  std::vector<std::string> names;
  Json history = {{"epoch", Json::array()}, {"metrics", Json::object()}};
  auto split = [](const std::string &l) {
    std::vector<std::string> fields;
    std::stringstream s(l);
    std::string field;
    while (std::getline(s, field, ','))
      fields.push_back(field);
    return fields;
  };
  if (!std::getline(text, line))
    return history;
  names = split(line);
  while (std::getline(text, line)) {
    std::vector<std::string> fields = split(line);
    for (size_t i = 0; i < names.size(); ++i) {
      Json value = nullptr;
      if (i < fields.size()) {
        char *end = nullptr;
        double number = std::strtod(fields[i].c_str(), &end);
        if (end != fields[i].c_str() && *end == '\0' && std::isfinite(number))
          value = number;
      }
      if (names[i] == "epoch")
        history["epoch"].push_back(value);
      else
        history["metrics"][names[i]].push_back(value);
    }
  }
  return history;
}

bool isEventFile(const fs::path &path) {
  return path.filename().string().find("tfevents") != std::string::npos;
}

struct Run {
  fs::path dir;
  bool history = false;
  std::vector<fs::path> eventFiles;
  /// The newest of its files (file_clock's epoch is not Unix's: times
  /// before it are negative).
  fs::file_time_type modified = fs::file_time_type::min();
};

/// The scalars of a run's event files by tag. A tag from a file in a
/// folder below the run is prefixed with that folder (without dlc-train's
/// `tensorboard/`): Keras's and fit()'s train/ and validation/ logs write
/// the same tags.
Json scalarsJson(const fs::path &run, const std::vector<fs::path> &files,
                 Json &errors) {
  std::map<std::string, std::vector<std::pair<int64_t, double>>> tags;
  for (const fs::path &file : files) {
    std::string prefix;
    for (const fs::path &part : file.parent_path().lexically_relative(run))
      if (part != "." && !(prefix.empty() && part == "tensorboard"))
        prefix += part.string() + "/";
    try {
      for (train::ScalarEvent &event : train::read_scalars(file.string()))
        tags[prefix + event.tag].emplace_back(event.step, event.value);
    } catch (const std::exception &error) {
      errors.push_back(error.what());
    }
  }
  Json json = Json::object();
  for (auto &[tag, points] : tags) {
    size_t stride = (points.size() + kMaxPoints - 1) / kMaxPoints;
    Json series = Json::array();
    for (size_t i = 0; i < points.size(); ++i)
      if (i % stride == 0 || i + 1 == points.size())
        series.push_back({points[i].first, std::isfinite(points[i].second)
                                               ? Json(points[i].second)
                                               : Json(nullptr)});
    json[tag] = std::move(series);
  }
  return json;
}

/// dlc-train's --metrics-json of the run: `metrics.json` in it or
/// `<run>.json` beside it, when it looks like one.
Json summaryOf(const fs::path &dir) {
  for (const fs::path &path :
       {dir / "metrics.json", fs::path(dir.string() + ".json")}) {
    std::error_code error;
    if (!fs::is_regular_file(path, error))
      continue;
    try {
      Json json = Json::parse(readFile(path), nullptr, false);
      if (!json.is_object() || !json.contains("test"))
        continue;
      Json summary = Json::object();
      for (const char *key :
           {"model", "data", "best_epoch", "epochs_run", "test", "rows"})
        if (json.contains(key))
          summary[key] = json[key];
      return summary;
    } catch (const std::exception &) {
    }
  }
  return nullptr;
}

} // namespace

Json list_runs(const fs::path &logdir) {
  std::error_code error;
  if (!fs::is_directory(logdir, error))
    throw Error("dlc-board: --logdir " + logdir.string() +
                " is not a directory");
  std::map<fs::path, Run> runs;
  auto touch = [&](const fs::path &dir, const fs::directory_entry &entry) {
    Run &run = runs[dir];
    run.dir = dir;
    std::error_code ignored;
    run.modified = std::max(run.modified, entry.last_write_time(ignored));
    return &run;
  };
  size_t entries = 0;
  for (auto it = fs::recursive_directory_iterator(
           logdir, fs::directory_options::skip_permission_denied, error);
       !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (++entries > kMaxEntries)
      break;
    if (it.depth() >= kMaxDepth) {
      it.disable_recursion_pending();
      continue;
    }
    std::error_code ignored;
    if (!it->is_regular_file(ignored) || it->is_symlink(ignored))
      continue;
    const fs::path &path = it->path();
    std::string name = path.filename().string();
    if (name == "history.json" || name == "history.csv")
      touch(path.parent_path(), *it)->history = true;
    else if (isEventFile(path))
      touch(path.parent_path(), *it)->eventFiles.push_back(path);
  }

  // Event files inside a run with a history belong to it.
  for (auto it = runs.begin(); it != runs.end();) {
    const Run &run = it->second;
    fs::path owner;
    if (!run.history)
      for (fs::path up = run.dir.parent_path();
           up.string().size() >= logdir.string().size() && up != run.dir;
           up = up.parent_path()) {
        auto found = runs.find(up);
        if (found != runs.end() && found->second.history) {
          owner = up;
          break;
        }
        if (up == up.parent_path())
          break;
      }
    if (owner.empty()) {
      ++it;
      continue;
    }
    Run &target = runs[owner];
    target.eventFiles.insert(target.eventFiles.end(), run.eventFiles.begin(),
                             run.eventFiles.end());
    target.modified = std::max(target.modified, run.modified);
    it = runs.erase(it);
  }

  Json list = Json::array();
  for (auto &[dir, run] : runs) {
    Json json;
    fs::path relative = fs::relative(dir, logdir, error);
    json["name"] = error || relative.empty() ? dir.string() : relative.string();
    Json errors = Json::array();
    json["history"] = nullptr;
    if (run.history) {
      try {
        json["history"] = fs::exists(dir / "history.json", error)
                              ? historyFromJson(dir / "history.json")
                              : historyFromCsv(dir / "history.csv");
      } catch (const std::exception &e) {
        errors.push_back(e.what());
      }
    }
    std::sort(run.eventFiles.begin(), run.eventFiles.end());
    json["tensorboard"] = scalarsJson(dir, run.eventFiles, errors);
    json["summary"] = summaryOf(dir);
    json["modified"] = unixSeconds(run.modified);
    if (!errors.empty())
      json["errors"] = errors;
    list.push_back(std::move(json));
  }
  return {{"logdir", logdir.string()}, {"runs", list}};
}

} // namespace dlc::board
