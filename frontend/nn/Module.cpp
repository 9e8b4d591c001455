//===- Module.cpp - nn::Module --------------------------------------------===//

#include "frontend/nn/Module.h"
#include "frontend/Autograd.h"

#include <fmt/format.h>

namespace dlc::nn {

Module::Module(std::string name)
    : name_(name.empty() ? "Module" : std::move(name)) {}

Tensor &Module::register_parameter(std::string name, Tensor tensor,
                                   bool requires_grad) {
  if (name.empty() || name.find('.') != std::string::npos)
    throw Error(fmt::format(
        "register_parameter: the name '{}' must be non-empty and contain "
        "no dot",
        name));
  if (tensor.defined() && requires_grad && !tensor.requires_grad()) {
    // A parameter is a leaf of its own, whatever computed its initial value.
    NoGradGuard noGrad;
    tensor = tensor.detach();
    tensor.requires_grad_(true);
  }
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor &Module::register_buffer(std::string name, Tensor tensor) {
  if (name.empty() || name.find('.') != std::string::npos)
    throw Error(fmt::format(
        "register_buffer: the name '{}' must be non-empty and contain no "
        "dot",
        name));
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::addChild(std::string name, std::shared_ptr<Module> module) {
  if (name.empty() || name.find('.') != std::string::npos)
    throw Error(fmt::format(
        "register_module: the name '{}' must be non-empty and contain no "
        "dot",
        name));
  if (!module)
    throw Error(fmt::format("register_module: submodule '{}' is empty", name));
  children_.insert(std::move(name), std::move(module));
}

void Module::replace_module(const std::string &name,
                            std::shared_ptr<Module> module) {
  if (!module)
    throw Error(fmt::format("replace_module: submodule '{}' is empty", name));
  children_[name] = std::move(module);
}

void Module::collect(const std::string &prefix, bool recurse, bool parameters,
                     OrderedDict<std::string, Tensor> &into) const {
  for (const auto &item : parameters ? parameters_ : buffers_)
    if (item.value().defined())
      into.insert(prefix + item.key(), item.value());
  if (!recurse)
    return;
  for (const auto &child : children_)
    child.value()->collect(prefix + child.key() + ".", true, parameters, into);
}

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<std::string, Tensor> result{"parameter"};
  collect("", recurse, /*parameters=*/true, result);
  return result;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  return named_parameters(recurse).values();
}

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<std::string, Tensor> result{"buffer"};
  collect("", recurse, /*parameters=*/false, result);
  return result;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  return named_buffers(recurse).values();
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  return children_.values();
}

OrderedDict<std::string, std::shared_ptr<Module>>
Module::named_children() const {
  return children_;
}

OrderedDict<std::string, std::shared_ptr<Module>>
Module::named_modules(const std::string &prefix, bool include_self) {
  OrderedDict<std::string, std::shared_ptr<Module>> result{"module"};
  if (include_self)
    result.insert(prefix, shared_from_this());
  for (const auto &child : children_) {
    std::string name =
        prefix.empty() ? child.key() : prefix + "." + child.key();
    for (const auto &item : child.value()->named_modules(name, true))
      result.insert(item.key(), item.value());
  }
  return result;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) {
  return named_modules("", include_self).values();
}

void Module::train(bool on) {
  training = on;
  for (const auto &child : children_)
    child.value()->train(on);
}

void Module::to(Device device, bool non_blocking) {
  (void)non_blocking;
  NoGradGuard noGrad;
  for (auto *dict : {&parameters_, &buffers_})
    for (auto &item : *dict) {
      Tensor &t = item.value();
      // In place, as LibTorch: members holding the tensor see the change.
      if (t.defined() && t.device() != device) {
        Tensor grad = t.grad();
        t.set_data(t.to(device));
        if (grad.defined())
          t.mutable_grad() = grad.to(device);
      }
    }
  for (const auto &child : children_)
    child.value()->to(device, non_blocking);
}

void Module::to(ScalarType dtype, bool non_blocking) {
  (void)non_blocking;
  NoGradGuard noGrad;
  for (auto &item : parameters_) {
    Tensor &t = item.value();
    if (t.defined() && t.scalar_type() != dtype) {
      Tensor grad = t.grad();
      t.set_data(t.to(dtype));
      if (grad.defined())
        t.mutable_grad() = grad.to(dtype);
    }
  }
  for (auto &item : buffers_) {
    Tensor &t = item.value();
    // Integer buffers (counters) keep their type, as LibTorch.
    if (t.defined() && t.scalar_type() != dtype &&
        (t.scalar_type() == kFloat || t.scalar_type() == kDouble))
      t.set_data(t.to(dtype));
  }
  for (const auto &child : children_)
    child.value()->to(dtype, non_blocking);
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor &p : parameters()) {
    if (!p.grad().defined())
      continue;
    // A sparse gradient is dropped either way (LibTorch empties it):
    // zeros would be a table-sized tensor.
    if (set_to_none || p.grad().is_sparse())
      p.mutable_grad() = Tensor();
    else
      p.mutable_grad().zero_();
  }
}

void Module::apply(const std::function<void(Module &)> &function) {
  function(*this);
  for (const auto &child : children_)
    child.value()->apply(function);
}

void Module::pretty_print(std::ostream &stream) const { stream << name_; }

void Module::printTree(std::ostream &stream, int indent) const {
  pretty_print(stream);
  if (children_.is_empty())
    return;
  stream << "(\n";
  for (const auto &child : children_) {
    stream << std::string(indent + 2, ' ') << "(" << child.key() << "): ";
    child.value()->printTree(stream, indent + 2);
    stream << "\n";
  }
  stream << std::string(indent, ' ') << ")";
}

std::ostream &operator<<(std::ostream &stream, const Module &module) {
  module.printTree(stream, 0);
  return stream;
}

} // namespace dlc::nn
