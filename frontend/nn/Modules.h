//===- Modules.h - The layers of nn ---------------------------------------===//
//
// LibTorch's layers with their Options, defaults, public members and
// initialisation (Linear: kaiming_uniform_ with a = sqrt(5) and a uniform
// bias of bound 1/sqrt(in_features); Embedding: N(0, 1); GRU: uniform of
// bound 1/sqrt(hidden_size)). `nn::Linear` is a holder of `nn::LinearImpl`
// (DLC_MODULE).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_NN_MODULES_H
#define DLC_FRONTEND_NN_MODULES_H

#include "frontend/nn/Functional.h"
#include "frontend/nn/Module.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace dlc::nn {

//===----------------------------------------------------------------------===//
// Linear and Bilinear
//===----------------------------------------------------------------------===//

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  DLC_ARG(int64_t, in_features);
  DLC_ARG(int64_t, out_features);
  DLC_ARG(bool, bias) = true;
};

class LinearImpl : public Cloneable<LinearImpl> {
public:
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions &options);
  void reset();
  void reset_parameters();
  Tensor forward(const Tensor &input);
  void pretty_print(std::ostream &stream) const override;

  LinearOptions options;
  Tensor weight; ///< [out_features, in_features]
  Tensor bias;   ///< [out_features], undefined without bias
};
DLC_MODULE(Linear);

struct BilinearOptions {
  BilinearOptions(int64_t in1_features, int64_t in2_features,
                  int64_t out_features)
      : in1_features_(in1_features), in2_features_(in2_features),
        out_features_(out_features) {}
  DLC_ARG(int64_t, in1_features);
  DLC_ARG(int64_t, in2_features);
  DLC_ARG(int64_t, out_features);
  DLC_ARG(bool, bias) = true;
};

class BilinearImpl : public Cloneable<BilinearImpl> {
public:
  BilinearImpl(int64_t in1, int64_t in2, int64_t out)
      : BilinearImpl(BilinearOptions(in1, in2, out)) {}
  explicit BilinearImpl(const BilinearOptions &options);
  void reset();
  void reset_parameters();
  Tensor forward(const Tensor &input1, const Tensor &input2);

  BilinearOptions options;
  Tensor weight; ///< [out, in1, in2]
  Tensor bias;   ///< [out]
};
DLC_MODULE(Bilinear);

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  DLC_ARG(int64_t, num_embeddings);
  DLC_ARG(int64_t, embedding_dim);
  DLC_ARG(std::optional<int64_t>, padding_idx);
  /// The weight's gradient is sparse (Tensor::is_sparse): with SGD, Adagrad
  /// or SparseAdam a step updates the rows its batch read, and no
  /// table-sized gradient is made.
  DLC_ARG(bool, sparse) = false;
  DLC_ARG(Tensor, _weight);
};

class EmbeddingImpl : public Cloneable<EmbeddingImpl> {
public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions &options);
  void reset();
  void reset_parameters();
  Tensor forward(const Tensor &indices);
  void pretty_print(std::ostream &stream) const override;

  EmbeddingOptions options;
  Tensor weight; ///< [num_embeddings, embedding_dim]
};
DLC_MODULE(Embedding);

struct EmbeddingBagOptions {
  EmbeddingBagOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  DLC_ARG(int64_t, num_embeddings);
  DLC_ARG(int64_t, embedding_dim);
  DLC_ARG(EmbeddingBagMode, mode) = EmbeddingBagMode::Mean;
  DLC_ARG(bool, include_last_offset) = false;
  DLC_ARG(std::optional<int64_t>, padding_idx);
  /// The weight's gradient is sparse, as Embedding's.
  DLC_ARG(bool, sparse) = false;
  DLC_ARG(Tensor, _weight);
};

class EmbeddingBagImpl : public Cloneable<EmbeddingBagImpl> {
public:
  EmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingBagImpl(EmbeddingBagOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingBagImpl(const EmbeddingBagOptions &options);
  void reset();
  void reset_parameters();
  /// A 2-D `input` is one bag per row; a 1-D one needs `offsets`.
  Tensor forward(const Tensor &input, const Tensor &offsets = {},
                 const Tensor &per_sample_weights = {});

  EmbeddingBagOptions options;
  Tensor weight;
};
DLC_MODULE(EmbeddingBag);

//===----------------------------------------------------------------------===//
// Normalization and dropout
//===----------------------------------------------------------------------===//

class LayerNormImpl : public Cloneable<LayerNormImpl> {
public:
  LayerNormImpl(std::vector<int64_t> normalized_shape)
      : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  explicit LayerNormImpl(const LayerNormOptions &options);
  void reset();
  void reset_parameters();
  Tensor forward(const Tensor &input);

  LayerNormOptions options;
  Tensor weight; ///< ones, [normalized_shape]
  Tensor bias;   ///< zeros
};
DLC_MODULE(LayerNorm);

struct BatchNormOptions {
  /* implicit */ BatchNormOptions(int64_t num_features)
      : num_features_(num_features) {}
  DLC_ARG(int64_t, num_features);
  DLC_ARG(double, eps) = 1e-5;
  /// The running statistics' update rate (none: a cumulative average).
  DLC_ARG(std::optional<double>, momentum) = 0.1;
  DLC_ARG(bool, affine) = true;
  DLC_ARG(bool, track_running_stats) = true;
};
using BatchNorm1dOptions = BatchNormOptions;

/// Normalizes [N, C] or [N, C, L] over N (and L) per channel C: batch
/// statistics in training (updating running_mean / running_var), the
/// running ones in eval.
class BatchNorm1dImpl : public Cloneable<BatchNorm1dImpl> {
public:
  explicit BatchNorm1dImpl(int64_t num_features)
      : BatchNorm1dImpl(BatchNormOptions(num_features)) {}
  explicit BatchNorm1dImpl(const BatchNormOptions &options);
  void reset();
  void reset_running_stats();
  void reset_parameters();
  Tensor forward(const Tensor &input);

  BatchNormOptions options;
  Tensor weight, bias;
  Tensor running_mean, running_var, num_batches_tracked;
};
DLC_MODULE(BatchNorm1d);

class DropoutImpl : public Cloneable<DropoutImpl> {
public:
  explicit DropoutImpl(double p) : DropoutImpl(DropoutOptions(p)) {}
  explicit DropoutImpl(const DropoutOptions &options = {});
  void reset() {}
  Tensor forward(const Tensor &input);
  void pretty_print(std::ostream &stream) const override;

  DropoutOptions options;
};
DLC_MODULE(Dropout);

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

class ReLUImpl : public Cloneable<ReLUImpl> {
public:
  ReLUImpl() : Cloneable("ReLU") {}
  Tensor forward(const Tensor &input) { return functional::relu(input); }
};
DLC_MODULE(ReLU);

class SigmoidImpl : public Cloneable<SigmoidImpl> {
public:
  SigmoidImpl() : Cloneable("Sigmoid") {}
  Tensor forward(const Tensor &input) { return functional::sigmoid(input); }
};
DLC_MODULE(Sigmoid);

class TanhImpl : public Cloneable<TanhImpl> {
public:
  TanhImpl() : Cloneable("Tanh") {}
  Tensor forward(const Tensor &input) { return functional::tanh(input); }
};
DLC_MODULE(Tanh);

class GELUImpl : public Cloneable<GELUImpl> {
public:
  explicit GELUImpl(GELUOptions options = {})
      : Cloneable("GELU"), options(std::move(options)) {}
  Tensor forward(const Tensor &input) {
    return functional::gelu(input, options);
  }
  GELUOptions options;
};
DLC_MODULE(GELU);

struct PReLUOptions {
  DLC_ARG(int64_t, num_parameters) = 1;
  DLC_ARG(double, init) = 0.25;
};

class PReLUImpl : public Cloneable<PReLUImpl> {
public:
  explicit PReLUImpl(const PReLUOptions &options = {});
  void reset();
  Tensor forward(const Tensor &input) {
    return functional::prelu(input, weight);
  }
  PReLUOptions options;
  Tensor weight;
};
DLC_MODULE(PReLU);

//===----------------------------------------------------------------------===//
// Recurrent: GRU
//===----------------------------------------------------------------------===//

struct GRUCellOptions {
  GRUCellOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  DLC_ARG(int64_t, input_size);
  DLC_ARG(int64_t, hidden_size);
  DLC_ARG(bool, bias) = true;
};

/// One GRU step, as torch::nn::GRUCell: r = σ(W_ir x + b_ir + W_hr h + b_hr),
/// z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r ∘ (W_hn h
/// + b_hn)), h' = (1 − z) ∘ n + z ∘ h; gates stacked (r, z, n) in the weights.
class GRUCellImpl : public Cloneable<GRUCellImpl> {
public:
  GRUCellImpl(int64_t input_size, int64_t hidden_size)
      : GRUCellImpl(GRUCellOptions(input_size, hidden_size)) {}
  explicit GRUCellImpl(const GRUCellOptions &options);
  void reset();
  void reset_parameters();
  /// `input` [B, input_size] (or [input_size]); `hx` [B, hidden] (zeros when
  /// undefined).
  Tensor forward(const Tensor &input, Tensor hx = {});

  GRUCellOptions options;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;
};
DLC_MODULE(GRUCell);

struct GRUOptions {
  GRUOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  DLC_ARG(int64_t, input_size);
  DLC_ARG(int64_t, hidden_size);
  DLC_ARG(int64_t, num_layers) = 1;
  DLC_ARG(bool, bias) = true;
  DLC_ARG(bool, batch_first) = false;
  DLC_ARG(double, dropout) = 0.0;
  DLC_ARG(bool, bidirectional) = false;
};

/// A multi-layer GRU, as torch::nn::GRU: forward(input, h0) returns
/// (output, h_n) with output [T, B, H] ([B, T, H] with batch_first) and h_n
/// [num_layers, B, H]. dlc's addition for variable-length sequences
/// (LibTorch uses PackedSequence): forward(input, h0, lengths) with lengths
/// [B] — steps past a sequence's length keep its hidden state and output
/// zeros, so h_n is each sequence's state at its own last step. The time
/// loop is unrolled into the compiled step.
class GRUImpl : public Cloneable<GRUImpl> {
public:
  GRUImpl(int64_t input_size, int64_t hidden_size)
      : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions &options);
  void reset();
  void reset_parameters();
  std::tuple<Tensor, Tensor> forward(const Tensor &input, Tensor hx = {},
                                     const Tensor &lengths = {});
  /// Weights of layer l: weight_ih_l{l}, weight_hh_l{l}, bias_ih_l{l},
  /// bias_hh_l{l}, as LibTorch names them.
  std::vector<Tensor> all_weights() const;

  GRUOptions options;

private:
  std::vector<std::vector<Tensor *>> layers;
};
DLC_MODULE(GRU);

//===----------------------------------------------------------------------===//
// Containers
//===----------------------------------------------------------------------===//

/// A module whose forward is a function (Tensor -> Tensor).
class FunctionalImpl : public Cloneable<FunctionalImpl> {
public:
  using Function = std::function<Tensor(Tensor)>;
  explicit FunctionalImpl(Function function)
      : Cloneable("Functional"), function(std::move(function)) {}
  template <typename F, typename... Args>
    requires(sizeof...(Args) > 0)
  FunctionalImpl(F f, Args... args)
      : FunctionalImpl(
            Function([f, args...](Tensor t) { return f(t, args...); })) {}
  Tensor forward(Tensor input) { return function(std::move(input)); }

private:
  Function function;
};
DLC_MODULE(Functional);

/// A module of any type behind a Tensor -> Tensor forward (what Sequential
/// holds).
class AnyModule {
public:
  AnyModule() = default;
  template <typename Impl>
  /* implicit */ AnyModule(std::shared_ptr<Impl> module)
      : module_(module),
        forward_([module](const Tensor &x) { return module->forward(x); }) {}
  template <typename Impl>
  /* implicit */ AnyModule(ModuleHolder<Impl> holder)
      : AnyModule(holder.ptr()) {}
  Tensor forward(const Tensor &input) const { return forward_(input); }
  const std::shared_ptr<Module> &ptr() const { return module_; }

private:
  std::shared_ptr<Module> module_;
  std::function<Tensor(const Tensor &)> forward_;
};

/// Modules applied in order, as torch::nn::Sequential (each takes and
/// returns one tensor).
class SequentialImpl : public Cloneable<SequentialImpl> {
public:
  SequentialImpl() : Cloneable("Sequential") {}
  template <typename... Modules>
    requires(sizeof...(Modules) > 0)
  explicit SequentialImpl(Modules &&...modules) : Cloneable("Sequential") {
    (push_back(AnyModule(std::forward<Modules>(modules))), ...);
  }
  void push_back(AnyModule module);
  void push_back(const std::string &name, AnyModule module);
  /// Applies the modules in order; a dlc::Error of one of them is rethrown
  /// with its index and type first ("Sequential[2] (Linear): ...").
  Tensor forward(const Tensor &input);
  size_t size() const { return items.size(); }
  bool is_empty() const { return items.empty(); }
  std::shared_ptr<Module> ptr(size_t index) const {
    return items.at(index).ptr();
  }
  template <typename T>
  T *at(size_t index) const {
    return dynamic_cast<T *>(items.at(index).ptr().get());
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }

private:
  std::vector<AnyModule> items;
};
DLC_MODULE(Sequential);

/// A list of submodules, as torch::nn::ModuleList (no forward of its own).
class ModuleListImpl : public Cloneable<ModuleListImpl> {
public:
  ModuleListImpl() : Cloneable("ModuleList") {}
  template <typename... Modules>
    requires(sizeof...(Modules) > 0)
  explicit ModuleListImpl(Modules &&...modules) : Cloneable("ModuleList") {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  void push_back(std::shared_ptr<Module> module);
  template <typename Impl>
  void push_back(ModuleHolder<Impl> holder) {
    push_back(holder.ptr());
  }
  size_t size() const { return items.size(); }
  bool is_empty() const { return items.empty(); }
  std::shared_ptr<Module> ptr(size_t index) const { return items.at(index); }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  template <typename T>
  T *at(size_t index) const {
    return dynamic_cast<T *>(items.at(index).get());
  }
  auto begin() const { return items.begin(); }
  auto end() const { return items.end(); }

private:
  std::vector<std::shared_ptr<Module>> items;
};
DLC_MODULE(ModuleList);

/// Named submodules in insertion order, as torch::nn::ModuleDict.
class ModuleDictImpl : public Cloneable<ModuleDictImpl> {
public:
  ModuleDictImpl() : Cloneable("ModuleDict") {}
  explicit ModuleDictImpl(
      const std::vector<std::pair<std::string, std::shared_ptr<Module>>>
          &modules);
  void insert(const std::string &key, std::shared_ptr<Module> module);
  template <typename Impl>
  void insert(const std::string &key, ModuleHolder<Impl> holder) {
    insert(key, holder.ptr());
  }
  std::shared_ptr<Module> operator[](const std::string &key) const;
  bool contains(const std::string &key) const {
    return named_children().contains(key);
  }
  size_t size() const { return named_children().size(); }
  std::vector<std::string> keys() const { return named_children().keys(); }
  std::vector<std::shared_ptr<Module>> values() const {
    return named_children().values();
  }
};
DLC_MODULE(ModuleDict);

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

class MSELossImpl : public Cloneable<MSELossImpl> {
public:
  explicit MSELossImpl(MSELossOptions options = {})
      : Cloneable("MSELoss"), options(options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::mse_loss(input, target, options);
  }
  MSELossOptions options;
};
DLC_MODULE(MSELoss);

class BCELossImpl : public Cloneable<BCELossImpl> {
public:
  explicit BCELossImpl(BCELossOptions options = {})
      : Cloneable("BCELoss"), options(options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::binary_cross_entropy(input, target, options);
  }
  BCELossOptions options;
};
DLC_MODULE(BCELoss);

class BCEWithLogitsLossImpl : public Cloneable<BCEWithLogitsLossImpl> {
public:
  explicit BCEWithLogitsLossImpl(BCEWithLogitsLossOptions options = {})
      : Cloneable("BCEWithLogitsLoss"), options(options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::binary_cross_entropy_with_logits(input, target, options);
  }
  BCEWithLogitsLossOptions options;
};
DLC_MODULE(BCEWithLogitsLoss);

class NLLLossImpl : public Cloneable<NLLLossImpl> {
public:
  explicit NLLLossImpl(NLLLossOptions options = {})
      : Cloneable("NLLLoss"), options(options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::nll_loss(input, target, options);
  }
  NLLLossOptions options;
};
DLC_MODULE(NLLLoss);

class CrossEntropyLossImpl : public Cloneable<CrossEntropyLossImpl> {
public:
  explicit CrossEntropyLossImpl(CrossEntropyLossOptions options = {})
      : Cloneable("CrossEntropyLoss"), options(options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::cross_entropy(input, target, options);
  }
  CrossEntropyLossOptions options;
};
DLC_MODULE(CrossEntropyLoss);

} // namespace dlc::nn

#endif // DLC_FRONTEND_NN_MODULES_H
