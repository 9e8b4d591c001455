//===- Module.h - nn::Module, its holders, ordered dictionaries -----------===//
//
// As LibTorch's torch::nn::Module: parameters, buffers and submodules
// registered by name, in registration order; train/eval; a holder type per
// layer (`DLC_MODULE(Linear)` makes `nn::Linear` a shared handle to
// `nn::LinearImpl`), so that modules are passed around like LibTorch's.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_NN_MODULE_H
#define DLC_FRONTEND_NN_MODULE_H

#include "frontend/Tensor.h"
#include "runtime/Device.h"
#include "runtime/Error.h"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dlc {

/// An insertion-ordered dictionary, as torch::OrderedDict: iteration gives
/// items with key() and value(); keys are unique.
template <typename Key, typename Value>
class OrderedDict {
public:
  class Item {
  public:
    Item(Key key, Value value) : pair(std::move(key), std::move(value)) {}
    const Key &key() const { return pair.first; }
    Value &value() { return pair.second; }
    const Value &value() const { return pair.second; }
    Value &operator*() { return pair.second; }
    Value *operator->() { return &pair.second; }

  private:
    std::pair<Key, Value> pair;
  };

  OrderedDict() = default;
  explicit OrderedDict(std::string keyDescription)
      : description(std::move(keyDescription)) {}

  /// Adds `value` under `key`; a key already there is an error.
  Value &insert(Key key, Value value) {
    if (contains(key))
      throw Error(description + " '" + key + "' already exists");
    items_.emplace_back(std::move(key), std::move(value));
    return items_.back().value();
  }
  /// Replaces or adds.
  Value &insert_or_assign(Key key, Value value) {
    if (Value *existing = find(key))
      return *existing = std::move(value);
    return insert(std::move(key), std::move(value));
  }
  Value *find(const Key &key) {
    for (Item &item : items_)
      if (item.key() == key)
        return &item.value();
    return nullptr;
  }
  const Value *find(const Key &key) const {
    for (const Item &item : items_)
      if (item.key() == key)
        return &item.value();
    return nullptr;
  }
  bool contains(const Key &key) const { return find(key) != nullptr; }
  Value &operator[](const Key &key) {
    if (Value *value = find(key))
      return *value;
    throw Error("no " + description + " named '" + key + "'");
  }
  const Value &operator[](const Key &key) const {
    if (const Value *value = find(key))
      return *value;
    throw Error("no " + description + " named '" + key + "'");
  }
  Item &operator[](size_t index) { return items_.at(index); }
  const Item &operator[](size_t index) const { return items_.at(index); }

  size_t size() const { return items_.size(); }
  bool is_empty() const { return items_.empty(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  const std::vector<Item> &items() const { return items_; }
  std::vector<Key> keys() const {
    std::vector<Key> result;
    for (const Item &item : items_)
      result.push_back(item.key());
    return result;
  }
  std::vector<Value> values() const {
    std::vector<Value> result;
    for (const Item &item : items_)
      result.push_back(item.value());
    return result;
  }

private:
  std::vector<Item> items_;
  std::string description = "key";
};

namespace nn {

/// The base of every layer, as torch::nn::Module.
class Module : public std::enable_shared_from_this<Module> {
public:
  explicit Module(std::string name = "");
  virtual ~Module() = default;
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  /// The layer's name ("Linear", ...): the Impl's class name without "Impl".
  const std::string &name() const { return name_; }

  /// Registers a parameter (a leaf that requires grad unless `requires_grad`
  /// is false) and returns the tensor the module holds.
  Tensor &register_parameter(std::string name, Tensor tensor,
                             bool requires_grad = true);
  /// Registers state that is saved but not trained (BatchNorm's running
  /// statistics).
  Tensor &register_buffer(std::string name, Tensor tensor);
  /// Registers a submodule; its parameters become ours as "name.param".
  template <typename ModuleType>
  std::shared_ptr<ModuleType>
  register_module(std::string name, std::shared_ptr<ModuleType> module) {
    addChild(std::move(name), module);
    return module;
  }
  template <typename Holder>
  auto register_module(std::string name, Holder holder)
      -> decltype(holder.ptr(), Holder(holder)) {
    addChild(std::move(name), holder.ptr());
    return holder;
  }
  /// Replaces a registered submodule (as LibTorch's replace_module).
  void replace_module(const std::string &name, std::shared_ptr<Module> module);

  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;
  /// This module (unless `include_self` is false) and all below it.
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true);
  OrderedDict<std::string, std::shared_ptr<Module>>
  named_modules(const std::string &prefix = "", bool include_self = true);

  /// Training mode (Dropout drops, BatchNorm uses batch statistics).
  virtual void train(bool on = true);
  void eval() { train(false); }
  virtual bool is_training() const { return training; }

  /// Moves parameters and buffers (and the gradients) to `device` or
  /// converts them to `dtype`.
  virtual void to(Device device, bool non_blocking = false);
  virtual void to(ScalarType dtype, bool non_blocking = false);

  /// Forgets every parameter's gradient (LibTorch's default,
  /// set_to_none), or zeroes it.
  virtual void zero_grad(bool set_to_none = true);

  /// Calls `function` on this module and every module below it.
  void apply(const std::function<void(Module &)> &function);

  /// Prints the module tree, as LibTorch.
  virtual void pretty_print(std::ostream &stream) const;

  // Direct access for subclasses and serialization.
  OrderedDict<std::string, Tensor> &parameter_dict() { return parameters_; }
  OrderedDict<std::string, Tensor> &buffer_dict() { return buffers_; }

protected:
  bool training = true;

private:
  friend std::ostream &operator<<(std::ostream &stream, const Module &module);
  void addChild(std::string name, std::shared_ptr<Module> module);
  void collect(const std::string &prefix, bool recurse, bool parameters,
               OrderedDict<std::string, Tensor> &into) const;
  void printTree(std::ostream &stream, int indent) const;

  std::string name_;
  OrderedDict<std::string, Tensor> parameters_{"parameter"};
  OrderedDict<std::string, Tensor> buffers_{"buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"submodule"};
};

std::ostream &operator<<(std::ostream &stream, const Module &module);

/// Derive layers from this to get the Impl's name from its type.
template <typename Derived>
class Cloneable : public Module {
public:
  using Module::Module;
};

/// A shared handle to a module, as torch::nn::ModuleHolder: `Linear(3, 4)`
/// makes a LinearImpl; `Linear{nullptr}` is empty; `linear->weight` and
/// `linear(x)` (forward) reach it.
template <typename Contained>
class ModuleHolder {
public:
  using ContainedType = Contained;

  /// Default-constructs the module when it has a default constructor.
  ModuleHolder()
    requires std::is_default_constructible_v<Contained>
      : impl(std::make_shared<Contained>()) {}
  ModuleHolder(std::nullptr_t) {}
  template <typename Head, typename... Tail>
    requires(!std::is_same_v<std::decay_t<Head>, ModuleHolder> &&
             !std::is_same_v<std::decay_t<Head>, std::nullptr_t> &&
             !std::is_convertible_v<Head, std::shared_ptr<Contained>> &&
             std::is_constructible_v<Contained, Head, Tail...>)
  explicit ModuleHolder(Head &&head, Tail &&...tail)
      : impl(std::make_shared<Contained>(std::forward<Head>(head),
                                         std::forward<Tail>(tail)...)) {}
  ModuleHolder(std::shared_ptr<Contained> module) : impl(std::move(module)) {}

  Contained *operator->() { return get(); }
  const Contained *operator->() const { return get(); }
  Contained &operator*() { return *get(); }
  const Contained &operator*() const { return *get(); }
  const std::shared_ptr<Contained> &ptr() const { return impl; }
  Contained *get() const {
    if (!impl)
      throw Error(
          "accessing an empty module holder (constructed with nullptr)");
    return impl.get();
  }
  bool is_empty() const { return impl == nullptr; }
  explicit operator bool() const { return impl != nullptr; }

  /// Calls forward.
  template <typename... Args>
  decltype(auto) operator()(Args &&...args) {
    return get()->forward(std::forward<Args>(args)...);
  }

protected:
  std::shared_ptr<Contained> impl;
};

template <typename Contained>
std::ostream &operator<<(std::ostream &stream,
                         const ModuleHolder<Contained> &module) {
  return stream << *module;
}

} // namespace nn
} // namespace dlc

/// `DLC_MODULE(Linear)` declares `class Linear : ModuleHolder<LinearImpl>`,
/// as TORCH_MODULE.
#define DLC_MODULE(Name)                                                       \
  class Name : public ::dlc::nn::ModuleHolder<Name##Impl> {                    \
  public:                                                                      \
    using ::dlc::nn::ModuleHolder<Name##Impl>::ModuleHolder;                   \
  }

/// `DLC_ARG(double, lr)` declares an option with a chainable setter
/// `lr(value)`, a getter `lr()` and a member `lr_`, as TORCH_ARG.
#define DLC_ARG(T, name)                                                       \
public:                                                                        \
  inline auto name(const T &value) -> decltype(*this) {                        \
    this->name##_ = value;                                                     \
    return *this;                                                              \
  }                                                                            \
  inline const T &name() const noexcept { return this->name##_; }              \
  inline T &name() noexcept { return this->name##_; }                          \
                                                                               \
private:                                                                       \
  T name##_

#endif // DLC_FRONTEND_NN_MODULE_H
