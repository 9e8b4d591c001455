//===- Callbacks.cpp - Hooks into fit(): early stopping, checkpoints, logs ===//

#include "frontend/train/Callbacks.h"
#include "frontend/Autograd.h"
#include "frontend/Distributed.h"
#include "runtime/Distributed.h"

#include "frontend/Autograd.h"
#include "frontend/Context.h"
#include "frontend/Serialize.h"
#include "frontend/optim/Optimizer.h"
#include "frontend/train/TensorBoard.h"
#include "runtime/Error.h"
#include "runtime/File.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace dlc::train {

Callback::~Callback() = default;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Whether a larger `monitor` is better under `mode`.
bool maximizes(MonitorMode mode, const std::string &monitor) {
  if (mode != MonitorMode::Auto)
    return mode == MonitorMode::Max;
  return monitor.find("auc") != std::string::npos ||
         monitor.find("acc") != std::string::npos;
}

std::string logNames(const Logs &logs) {
  std::vector<std::string> names;
  for (const auto &entry : logs)
    names.push_back(entry.first);
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

/// The log `monitor`, or a dlc::Error from `who` naming the logs there are.
double monitored(const Logs &logs, const std::string &monitor,
                 std::string_view who, const TrainState &state) {
  if (std::optional<double> value = find_log(logs, monitor))
    return *value;
  dlc::detail::throwError(
      who,
      fmt::format("the logs have no '{}' to monitor (they have: {}); "
                  "validation logs need a validation loader",
                  monitor, logNames(logs)),
      state.loc);
}

/// Copies of the module's parameters and buffers, realized now.
std::vector<std::pair<std::string, Tensor>> snapshot(nn::Module &module) {
  std::vector<std::pair<std::string, Tensor>> copies;
  for (const auto &item : module.named_parameters())
    copies.emplace_back(item.key(), item.value().detach().clone());
  for (const auto &item : module.named_buffers())
    copies.emplace_back(item.key(), item.value().detach().clone());
  dlc::sync();
  return copies;
}

void restore(nn::Module &module,
             const std::vector<std::pair<std::string, Tensor>> &copies) {
  NoGradGuard noGrad;
  auto parameters = module.named_parameters();
  auto buffers = module.named_buffers();
  for (const auto &[name, copy] : copies) {
    Tensor *target = parameters.find(name);
    if (!target)
      target = buffers.find(name);
    if (target)
      target->copy_(copy);
  }
  dlc::sync();
}

std::ostream &out(const TrainState &state) {
  return state.out ? *state.out : std::cout;
}

} // namespace

//===----------------------------------------------------------------------===//
// EarlyStopping
//===----------------------------------------------------------------------===//

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : opts(std::move(options)),
      maximize(maximizes(opts.mode(), opts.monitor())) {
  if (opts.patience() < 0)
    throw Error(
        fmt::format("EarlyStopping: patience {} is negative", opts.patience()));
}

void EarlyStopping::resume(double best, int64_t best_epoch,
                           int64_t wait_count) {
  resumed.emplace(best, best_epoch, wait_count);
}

void EarlyStopping::on_train_begin(TrainState &) {
  wait = 0;
  stoppedEpoch = 0;
  bestValue = maximize ? -kInf : kInf;
  bestEpoch = -1;
  bestWeights.clear();
  if (resumed)
    std::tie(bestValue, bestEpoch, wait) = *resumed;
}

bool EarlyStopping::isImprovement(double value, double reference) const {
  double delta = std::abs(opts.min_delta());
  return maximize ? value - delta > reference : value + delta < reference;
}

void EarlyStopping::on_epoch_end(TrainState &state, const Logs &logs) {
  double current = monitored(logs, opts.monitor(), "EarlyStopping", state);
  if (state.epoch < opts.start_from_epoch())
    return;
  if (opts.restore_best_weights() && bestWeights.empty())
    bestWeights = snapshot(*state.module);
  ++wait;
  if (isImprovement(current, bestValue)) {
    bestValue = current;
    bestEpoch = state.epoch;
    if (opts.restore_best_weights())
      bestWeights = snapshot(*state.module);
    // Keras: an improvement resets the wait only once past the baseline.
    if (!opts.baseline() || isImprovement(current, *opts.baseline()))
      wait = 0;
    return;
  }
  if (wait >= opts.patience() && state.epoch > 0) {
    stoppedEpoch = state.epoch;
    state.stop_training = true;
    if (opts.restore_best_weights() && !bestWeights.empty()) {
      if (opts.verbose())
        out(state) << "Restoring model weights from the end of the best "
                      "epoch: "
                   << bestEpoch + 1 << ".\n";
      restore(*state.module, bestWeights);
    }
  }
}

void EarlyStopping::on_train_end(TrainState &state) {
  if (stoppedEpoch > 0 && opts.verbose())
    out(state) << "Epoch " << stoppedEpoch + 1 << ": early stopping\n";
  bestWeights.clear();
}

//===----------------------------------------------------------------------===//
// ModelCheckpoint
//===----------------------------------------------------------------------===//

std::string format_checkpoint_path(const std::string &pattern, int64_t epoch,
                                   const Logs &logs, std::source_location loc) {
  auto fail = [&](const std::string &message) {
    detail::throwError("ModelCheckpoint",
                       fmt::format("path '{}': {}", pattern, message), loc);
  };
  std::string result;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '}') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '}') {
        result += '}';
        ++i;
        continue;
      }
      fail("unmatched '}'");
    }
    if (c != '{') {
      result += c;
      continue;
    }
    if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
      result += '{';
      ++i;
      continue;
    }
    size_t close = pattern.find('}', i);
    if (close == std::string::npos)
      fail("unclosed '{'");
    std::string field = pattern.substr(i + 1, close - i - 1);
    i = close;
    size_t colon = field.find(':');
    std::string name = field.substr(0, colon);
    std::string spec =
        colon == std::string::npos ? "" : field.substr(colon + 1);
    bool isEpoch = name == "epoch";
    double value = 0;
    if (!isEpoch) {
      std::optional<double> found = find_log(logs, name);
      if (!found)
        fail(fmt::format("no log '{}' (the logs have: epoch, {})", name,
                         logNames(logs)));
      value = *found;
    }
    if (spec.empty()) {
      result += isEpoch ? std::to_string(epoch + 1) : format_number(value);
      continue;
    }
    // A printf conversion: flags, width, precision, then one of d i f e g.
    size_t body = spec.find_first_not_of("-+ #0123456789.");
    if (body == std::string::npos || body + 1 != spec.size() ||
        std::string_view("difeEgG").find(spec[body]) == std::string::npos)
      fail(fmt::format("'{}' is not a format like 02d or .4f", spec));
    char buffer[128];
    std::string format = "%" + spec;
    int written;
    if (spec[body] == 'd' || spec[body] == 'i') {
      format.insert(format.size() - 1, "ll");
      long long number = isEpoch ? static_cast<long long>(epoch + 1)
                                 : static_cast<long long>(std::llround(value));
      written = std::snprintf(buffer, sizeof buffer, format.c_str(), number);
    } else {
      written = std::snprintf(buffer, sizeof buffer, format.c_str(),
                              isEpoch ? static_cast<double>(epoch + 1) : value);
    }
    if (written < 0 || static_cast<size_t>(written) >= sizeof buffer)
      fail(fmt::format("'{}' formats too wide a field", spec));
    result += buffer;
  }
  return result;
}

std::string optimizer_checkpoint_path(const std::string &path) {
  std::filesystem::path file(path);
  std::string extension = file.extension().string();
  file.replace_extension();
  return file.string() + ".optimizer" + extension;
}

ModelCheckpoint::ModelCheckpoint(std::string path,
                                 ModelCheckpointOptions options)
    : pathTemplate(std::move(path)), opts(std::move(options)),
      maximize(maximizes(opts.mode(), opts.monitor())) {
  if (pathTemplate.empty())
    throw Error("ModelCheckpoint: the path is empty");
}

void ModelCheckpoint::resume(double best, int64_t best_epoch,
                             std::string best_path) {
  resumed.emplace(best, best_epoch, std::move(best_path));
}

void ModelCheckpoint::on_train_begin(TrainState &) {
  bestPath.clear();
  bestValue = maximize ? -kInf : kInf;
  bestEpoch = -1;
  savedPaths.clear();
  if (resumed)
    std::tie(bestValue, bestEpoch, bestPath) = *resumed;
}

void ModelCheckpoint::on_epoch_end(TrainState &state, const Logs &logs) {
  bool tracksBest = opts.save_best_only() || opts.load_best_on_train_end();
  std::optional<double> current = find_log(logs, opts.monitor());
  if (tracksBest && !current)
    monitored(logs, opts.monitor(), "ModelCheckpoint", state);
  bool improved =
      current && (maximize ? *current > bestValue : *current < bestValue);
  if (opts.save_best_only() && !improved) {
    if (opts.verbose())
      out(state) << fmt::format("Epoch {}: {} did not improve from {}\n",
                                state.epoch + 1, opts.monitor(),
                                formatMetricValue(bestValue));
    return;
  }
  std::string path =
      format_checkpoint_path(pathTemplate, state.epoch, logs, state.loc);
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error)
      dlc::detail::throwError(
          "ModelCheckpoint",
          fmt::format("cannot create {}: {}", parent.string(), error.message()),
          state.loc);
  }
  if (rt::dist::rank() == 0) {
    dlc::save(*state.module, path);
    if (opts.save_optimizer() && state.optimizer)
      dlc::save(*state.optimizer, optimizer_checkpoint_path(path));
  }
  savedPaths.push_back(path);
  if (opts.verbose()) {
    if (improved && bestEpoch >= 0)
      out(state) << fmt::format("Epoch {}: {} improved from {} to {}, saving "
                                "model to {}\n",
                                state.epoch + 1, opts.monitor(),
                                formatMetricValue(bestValue),
                                formatMetricValue(*current), path);
    else
      out(state) << fmt::format("Epoch {}: saving model to {}\n",
                                state.epoch + 1, path);
  }
  if (improved) {
    bestValue = *current;
    bestEpoch = state.epoch;
    bestPath = path;
  }
}

void ModelCheckpoint::on_train_end(TrainState &state) {
  if (!opts.load_best_on_train_end() || bestPath.empty())
    return;
  if (rt::dist::world_size() > 1) {
    // Rank 0 wrote the file; the others need not see the same disk.
    if (rt::dist::rank() == 0)
      dlc::load(*state.module, bestPath);
    NoGradGuard noGrad;
    for (Tensor &tensor : state.module->parameters())
      distributed::broadcast(tensor, 0);
    for (Tensor &tensor : state.module->buffers())
      distributed::broadcast(tensor, 0);
    return;
  }
  dlc::load(*state.module, bestPath);
  if (opts.verbose())
    out(state) << fmt::format("Loaded the best checkpoint (epoch {}, {} = {}) "
                              "from {}\n",
                              bestEpoch + 1, opts.monitor(),
                              formatMetricValue(bestValue), bestPath);
}

//===----------------------------------------------------------------------===//
// Learning rates
//===----------------------------------------------------------------------===//

namespace {

void printLearningRate(TrainState &state, double lr) {
  out(state) << fmt::format("Epoch {}: learning rate is {}\n", state.epoch + 1,
                            format_number(lr));
}

} // namespace

LearningRateScheduler::LearningRateScheduler(
    std::shared_ptr<optim::LRScheduler> scheduler, bool verbose)
    : scheduler(std::move(scheduler)), verbose(verbose) {
  if (!this->scheduler)
    throw Error("LearningRateScheduler: the scheduler is null");
}

LearningRateScheduler::LearningRateScheduler(Schedule schedule, bool verbose)
    : schedule(std::move(schedule)), verbose(verbose) {
  if (!this->schedule)
    throw Error("LearningRateScheduler: the schedule is empty");
}

void LearningRateScheduler::on_epoch_begin(TrainState &state) {
  if (!schedule || !state.optimizer)
    return;
  auto &groups = state.optimizer->param_groups();
  if (groups.empty())
    return;
  double lr = schedule(state.epoch, groups.front().options().get_lr());
  if (!std::isfinite(lr) || lr < 0)
    dlc::detail::throwError("LearningRateScheduler",
                            fmt::format("the schedule gave learning rate {} "
                                        "for epoch {}",
                                        format_number(lr), state.epoch),
                            state.loc);
  for (auto &group : groups)
    group.options().set_lr(lr);
  if (verbose)
    printLearningRate(state, lr);
}

void LearningRateScheduler::on_epoch_end(TrainState &state, const Logs &) {
  if (!scheduler)
    return;
  scheduler->step();
  if (verbose && !scheduler->get_last_lr().empty())
    printLearningRate(state, scheduler->get_last_lr().front());
}

ReduceLROnPlateau::ReduceLROnPlateau(
    std::shared_ptr<optim::ReduceLROnPlateauScheduler> scheduler,
    std::string monitor, bool verbose)
    : scheduler(std::move(scheduler)), monitor(std::move(monitor)),
      verbose(verbose) {
  if (!this->scheduler)
    throw Error("ReduceLROnPlateau: the scheduler is null");
}

void ReduceLROnPlateau::on_epoch_end(TrainState &state, const Logs &logs) {
  double value = monitored(logs, monitor, "ReduceLROnPlateau", state);
  std::vector<double> before = scheduler->get_last_lr();
  scheduler->step(static_cast<float>(value));
  std::vector<double> after = scheduler->get_last_lr();
  if (verbose && !after.empty() && before != after)
    out(state) << fmt::format("Epoch {}: ReduceLROnPlateau reducing learning "
                              "rate to {}\n",
                              state.epoch + 1, format_number(after.front()));
}

//===----------------------------------------------------------------------===//
// TensorBoard
//===----------------------------------------------------------------------===//

TensorBoard::TensorBoard(std::string log_dir, TensorBoardOptions options)
    : logDir(std::move(log_dir)), opts(options) {
  if (logDir.empty())
    throw Error("TensorBoard: the log directory is empty");
  if (opts.update_freq() < 0)
    throw Error(fmt::format("TensorBoard: update_freq {} is negative",
                            opts.update_freq()));
}

void TensorBoard::on_train_begin(TrainState &) {
  namespace fs = std::filesystem;
  trainWriter =
      std::make_shared<SummaryWriter>((fs::path(logDir) / "train").string());
  validationWriter = std::make_shared<SummaryWriter>(
      (fs::path(logDir) / "validation").string());
}

void TensorBoard::on_epoch_end(TrainState &state, const Logs &logs) {
  if (!trainWriter)
    return;
  for (const auto &[name, value] : logs) {
    if (name.starts_with("val_"))
      validationWriter->add_scalar("epoch_" + name.substr(4), value,
                                   state.epoch);
    else if (name == "lr")
      trainWriter->add_scalar("epoch_learning_rate", value, state.epoch);
    else
      trainWriter->add_scalar("epoch_" + name, value, state.epoch);
  }
  trainWriter->flush();
  validationWriter->flush();
}

void TensorBoard::on_train_batch_end(TrainState &state, int64_t,
                                     const Logs &logs) {
  if (!trainWriter || opts.update_freq() == 0 ||
      state.global_step % opts.update_freq() != 0)
    return;
  if (std::optional<double> loss = find_log(logs, "loss"))
    trainWriter->add_scalar("batch_loss", *loss, state.global_step);
}

void TensorBoard::on_train_end(TrainState &) {
  if (trainWriter)
    trainWriter->close();
  if (validationWriter)
    validationWriter->close();
}

//===----------------------------------------------------------------------===//
// CSVLogger
//===----------------------------------------------------------------------===//

CSVLogger::CSVLogger(std::string path, char separator, bool append)
    : path(std::move(path)), separator(separator), append(append) {
  if (this->path.empty())
    throw Error("CSVLogger: the path is empty");
}

void CSVLogger::on_train_begin(TrainState &) {
  header.clear();
  text.clear();
  if (!append)
    return;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return; // Nothing to append to yet.
  std::ostringstream existing;
  existing << in.rdbuf();
  text = existing.str();
  if (!text.empty() && text.back() != '\n')
    text += '\n';
  header = text.substr(0, text.find('\n'));
}

void CSVLogger::on_epoch_end(TrainState &state, const Logs &logs) {
  History row;
  row.append(state.epoch, logs);
  std::string csv = row.to_csv(separator);
  size_t headerEnd = csv.find('\n');
  std::string rowHeader = csv.substr(0, headerEnd);
  if (header.empty()) {
    header = rowHeader;
    text += csv;
  } else {
    if (rowHeader != header)
      dlc::detail::throwError("CSVLogger",
                              fmt::format("{}: epoch {} has the columns '{}', "
                                          "not the file's '{}'",
                                          path, state.epoch, rowHeader, header),
                              state.loc);
    text += csv.substr(headerEnd + 1);
  }
  try {
    rt::writeFileAtomically(path, text, "");
  } catch (const Error &error) {
    dlc::detail::throwError("CSVLogger", path + ": " + error.what(), state.loc);
  }
}

//===----------------------------------------------------------------------===//
// TerminateOnNaN and LambdaCallback
//===----------------------------------------------------------------------===//

void TerminateOnNaN::on_train_batch_end(TrainState &state, int64_t batch,
                                        const Logs &logs) {
  std::optional<double> loss = find_log(logs, "loss");
  if (loss && !std::isfinite(*loss)) {
    out(state) << fmt::format("Batch {}: invalid loss, terminating training\n",
                              batch);
    state.stop_training = true;
  }
}

void LambdaCallback::on_train_begin(TrainState &state) {
  if (train_begin)
    train_begin(state);
}
void LambdaCallback::on_train_end(TrainState &state) {
  if (train_end)
    train_end(state);
}
void LambdaCallback::on_epoch_begin(TrainState &state) {
  if (epoch_begin)
    epoch_begin(state);
}
void LambdaCallback::on_epoch_end(TrainState &state, const Logs &logs) {
  if (epoch_end)
    epoch_end(state, logs);
}
void LambdaCallback::on_train_batch_begin(TrainState &state, int64_t batch) {
  if (batch_begin)
    batch_begin(state, batch);
}
void LambdaCallback::on_train_batch_end(TrainState &state, int64_t batch,
                                        const Logs &logs) {
  if (batch_end)
    batch_end(state, batch, logs);
}

} // namespace dlc::train
