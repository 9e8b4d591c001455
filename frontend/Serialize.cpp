//===- Serialize.cpp - Checkpoints: dlc::save and dlc::load ---------------===//

#include "frontend/Serialize.h"
#include "frontend/Autograd.h"
#include "frontend/Functions.h"
#include "runtime/Error.h"
#include "runtime/Safetensors.h"

#include <fmt/format.h>

#include <charconv>

namespace dlc {
namespace {

using Named = std::vector<std::pair<std::string, Tensor>>;

/// A tensor's elements as a buffer of exactly their bytes.
rt::SafetensorsTensor entryOf(const std::string &name, const Tensor &tensor) {
  rt::SafetensorsTensor entry;
  entry.name = name;
  entry.type = tensor.scalar_type();
  entry.shape = tensor.sizes().vec();
  size_t bytes = static_cast<size_t>(tensor.numel()) * elementSize(entry.type);
  entry.data = rt::Buffer::allocate(bytes);
  // copyTo reads the realized value as it is: no graph to compile per shape.
  if (bytes)
    tensor.copyTo(entry.data->data(), entry.type);
  return entry;
}

void saveNamed(const Named &tensors, const std::string &path,
               const std::map<std::string, std::string> &metadata) {
  std::vector<rt::SafetensorsTensor> entries;
  for (const auto &[name, tensor] : tensors) {
    if (!tensor.defined())
      throw Error(
          fmt::format("save: {}: tensor \"{}\" is undefined", path, name));
    entries.push_back(entryOf(name, tensor));
  }
  rt::saveSafetensors(path, entries, metadata);
}

/// The entry's bytes as a realized tensor that keeps them alive (no copy,
/// and no graph to compile per shape).
Tensor tensorOf(const rt::SafetensorsTensor &entry) {
  rt::BufferPtr buffer = entry.data;
  if (!buffer)
    buffer = rt::Buffer::allocate(0);
  return from_blob(
      buffer->data(), entry.shape, [buffer](void *) mutable { buffer.reset(); },
      TensorOptions().dtype(entry.type));
}

std::string shapeText(const std::vector<int64_t> &shape) {
  return "[" + fmt::format("{}", fmt::join(shape, ", ")) + "]";
}

/// Copies the file's tensors into `targets` (name → tensor), after checking
/// that the names, shapes and dtypes match exactly.
void loadInto(const std::string &path,
              std::vector<std::pair<std::string, Tensor *>> targets,
              const std::string &what) {
  std::vector<rt::SafetensorsTensor> entries = rt::loadSafetensors(path);
  std::map<std::string, const rt::SafetensorsTensor *> byName;
  for (const rt::SafetensorsTensor &entry : entries)
    byName[entry.name] = &entry;
  for (const auto &[name, target] : targets) {
    auto it = byName.find(name);
    if (it == byName.end())
      throw Error(
          fmt::format("load: {}: {} has \"{}\", which the file does not", path,
                      what, name));
    const rt::SafetensorsTensor &entry = *it->second;
    if (entry.shape != target->sizes().vec() ||
        entry.type != target->scalar_type())
      throw Error(fmt::format(
          "load: {}: tensor \"{}\" is {} {} in the file but {} {} in the {}",
          path, name, toString(entry.type), shapeText(entry.shape),
          toString(target->scalar_type()), shapeText(target->sizes().vec()),
          what));
    byName.erase(it);
  }
  if (!byName.empty())
    throw Error(
        fmt::format("load: {}: the file has \"{}\", which the {} does not",
                    path, byName.begin()->first, what));
  // Everything matches: now change the targets.
  NoGradGuard noGrad;
  for (const auto &[name, target] : targets)
    for (const rt::SafetensorsTensor &entry : entries)
      if (entry.name == name)
        target->copy_(tensorOf(entry));
}

} // namespace

void save(const nn::Module &module, const std::string &path) {
  Named named;
  for (const auto &item : module.named_parameters())
    named.emplace_back(item.key(), item.value());
  for (const auto &item : module.named_buffers())
    named.emplace_back(item.key(), item.value());
  saveNamed(named, path, {{"format", "dlc.module"}});
}

void save(const std::vector<Tensor> &tensors, const std::string &path) {
  Named named;
  for (size_t i = 0; i < tensors.size(); ++i)
    named.emplace_back(std::to_string(i), tensors[i]);
  saveNamed(named, path, {});
}

void save(const std::map<std::string, Tensor> &tensors,
          const std::string &path) {
  saveNamed(Named(tensors.begin(), tensors.end()), path, {});
}

void save(const optim::Optimizer &optimizer, const std::string &path) {
  std::map<std::string, std::string> metadata = {{"format", "dlc.optimizer"}};
  for (size_t g = 0; g < optimizer.param_groups().size(); ++g)
    metadata["lr." + std::to_string(g)] =
        fmt::format("{}", optimizer.param_groups()[g].options().get_lr());
  saveNamed(optimizer.state_tensors(), path, metadata);
}

void load(nn::Module &module, const std::string &path) {
  std::vector<std::pair<std::string, Tensor *>> targets;
  for (auto &item : module.named_modules()) {
    std::string prefix = item.key().empty() ? "" : item.key() + ".";
    for (auto &p : item.value()->parameter_dict())
      if (p.value().defined())
        targets.emplace_back(prefix + p.key(), &p.value());
    for (auto &b : item.value()->buffer_dict())
      if (b.value().defined())
        targets.emplace_back(prefix + b.key(), &b.value());
  }
  loadInto(path, std::move(targets), "module");
}

void load(std::vector<Tensor> &tensors, const std::string &path) {
  std::vector<rt::SafetensorsTensor> entries = rt::loadSafetensors(path);
  std::vector<Tensor> loaded(entries.size());
  for (const rt::SafetensorsTensor &entry : entries) {
    size_t index = 0;
    auto [end, error] = std::from_chars(
        entry.name.data(), entry.name.data() + entry.name.size(), index);
    if (error != std::errc() || end != entry.name.data() + entry.name.size() ||
        index >= entries.size())
      throw Error(fmt::format(
          "load: {}: tensor \"{}\" is not named by its position (0, 1, "
          "...)",
          path, entry.name));
    loaded[index] = tensorOf(entry);
  }
  tensors = std::move(loaded);
}

void load(std::map<std::string, Tensor> &tensors, const std::string &path) {
  tensors.clear();
  for (const rt::SafetensorsTensor &entry : rt::loadSafetensors(path))
    tensors[entry.name] = tensorOf(entry);
}

void load(optim::Optimizer &optimizer, const std::string &path) {
  std::map<std::string, std::string> metadata;
  std::vector<rt::SafetensorsTensor> entries =
      rt::loadSafetensors(path, &metadata);
  std::vector<std::pair<std::string, Tensor>> state;
  for (const rt::SafetensorsTensor &entry : entries)
    state.emplace_back(entry.name, tensorOf(entry));
  optimizer.load_state_tensors(state);
  for (size_t g = 0; g < optimizer.param_groups().size(); ++g) {
    auto it = metadata.find("lr." + std::to_string(g));
    if (it != metadata.end())
      optimizer.param_groups()[g].options().set_lr(std::stod(it->second));
  }
}

} // namespace dlc
