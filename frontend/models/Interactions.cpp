//===- Interactions.cpp - Feature-interaction layers of the CTR models ----===//

#include "frontend/models/Interactions.h"

#include "frontend/Autograd.h"
#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"
#include "frontend/nn/Init.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <cmath>
#include <variant>
#include <vector>

namespace dlc::models {
namespace {

using dlc::detail::formatShape;

/// Checks that x is [B, fields, width] (a size of 0 accepts any).
void checkFields(const char *layer, const Tensor &x, int64_t fields,
                 int64_t width, Loc loc) {
  if (x.defined() && x.dim() == 3 && (fields == 0 || x.size(1) == fields) &&
      (width == 0 || x.size(2) == width))
    return;
  dlc::detail::throwError(
      layer,
      fmt::format("expected fields [batch, {}, {}], got {}",
                  fields ? std::to_string(fields) : std::string("fields"),
                  width ? std::to_string(width) : std::string("dim"),
                  formatShape(x)),
      loc);
}

void checkPositive(const char *layer, const char *what, int64_t value) {
  if (value <= 0)
    throw Error(
        fmt::format("{}: {} must be positive, got {}", layer, what, value));
}

/// The first and second field of every pair i < j, row-major.
std::pair<Tensor, Tensor> pairIndices(int64_t fields) {
  std::vector<int64_t> left, right;
  for (int64_t i = 0; i < fields; ++i)
    for (int64_t j = i + 1; j < fields; ++j) {
      left.push_back(i);
      right.push_back(j);
    }
  return {dlc::tensor(left), dlc::tensor(right)};
}

} // namespace

//===----------------------------------------------------------------------===//
// FMInteraction
//===----------------------------------------------------------------------===//

Tensor FMInteractionImpl::forward(const Tensor &x, Loc loc) {
  checkFields("FMInteraction", x, 0, 0, loc);
  Tensor squareOfSum = x.sum({1}, /*keepdim=*/true).square(); // [B, 1, E]
  Tensor sumOfSquare = (x * x).sum({1}, /*keepdim=*/true);
  return (squareOfSum - sumOfSquare).sum({2}) * 0.5; // [B, 1]
}

//===----------------------------------------------------------------------===//
// CrossNet
//===----------------------------------------------------------------------===//

CrossNetImpl::CrossNetImpl(const CrossNetOptions &options)
    : nn::Module("CrossNet"), options(options) {
  checkPositive("CrossNet", "in_features", options.in_features());
  checkPositive("CrossNet", "layer_num", options.layer_num());
  const std::string &kind = options.parameterization();
  if (kind != "vector" && kind != "matrix")
    throw Error(fmt::format("CrossNet: unknown parameterization '{}' "
                            "(known: vector, matrix)",
                            kind));
  int64_t d = options.in_features(), layers = options.layer_num();
  int64_t columns = kind == "vector" ? 1 : d;
  kernels = register_parameter("kernels", dlc::empty({layers, d, columns}));
  bias = register_parameter("bias", dlc::zeros({layers, d, 1}));
  // xavier_normal_ of each layer's [D, columns] kernel (fan_in = columns,
  // fan_out = D), as DeepCTR-Torch initialises kernels[i].
  nn::init::normal_(kernels, 0.0,
                    std::sqrt(2.0 / static_cast<double>(d + columns)));
}

Tensor CrossNetImpl::forward(const Tensor &x, Loc loc) {
  int64_t d = options.in_features();
  if (!x.defined() || x.dim() != 2 || x.size(1) != d)
    dlc::detail::throwError(
        "CrossNet",
        fmt::format("expected an input [batch, {}], got {}", d, formatShape(x)),
        loc);
  bool vector = options.parameterization() == "vector";
  Tensor xl = x;
  for (int64_t i = 0; i < options.layer_num(); ++i) {
    Tensor kernel = kernels.select(0, i);      // [D, 1] or [D, D]
    Tensor b = bias.select(0, i).reshape({d}); // [D]
    if (vector)
      xl = x * xl.matmul(kernel) + b + xl; // x0 (x_l . w) + b + x_l
    else
      xl = x * (xl.matmul(kernel.t()) + b) + xl; // x0 ⊙ (W x_l + b) + x_l
  }
  return xl;
}

//===----------------------------------------------------------------------===//
// SENETLayer
//===----------------------------------------------------------------------===//

SENETLayerImpl::SENETLayerImpl(const SENETLayerOptions &options)
    : nn::Module("SENETLayer"), options(options) {
  checkPositive("SENETLayer", "field_size", options.field_size());
  checkPositive("SENETLayer", "reduction_ratio", options.reduction_ratio());
  int64_t fields = options.field_size();
  int64_t reduced = std::max<int64_t>(1, fields / options.reduction_ratio());
  excitation = register_module(
      "excitation",
      nn::Sequential(nn::Linear(nn::LinearOptions(fields, reduced).bias(false)),
                     nn::ReLU(),
                     nn::Linear(nn::LinearOptions(reduced, fields).bias(false)),
                     nn::ReLU()));
}

Tensor SENETLayerImpl::forward(const Tensor &x, Loc loc) {
  checkFields("SENETLayer", x, options.field_size(), 0, loc);
  Tensor z = x.mean({2});            // squeeze: [B, F]
  Tensor a = excitation->forward(z); // excitation: [B, F]
  return x * a.unsqueeze(2);         // reweight: [B, F, E]
}

//===----------------------------------------------------------------------===//
// BilinearInteraction
//===----------------------------------------------------------------------===//

BilinearInteractionImpl::BilinearInteractionImpl(
    const BilinearInteractionOptions &options)
    : nn::Module("BilinearInteraction"), options(options) {
  int64_t fields = options.field_size(), e = options.embedding_size();
  if (fields < 2)
    throw Error(fmt::format("BilinearInteraction: needs at least 2 fields to "
                            "pair, got {}",
                            fields));
  checkPositive("BilinearInteraction", "embedding_size", e);
  const std::string &kind = options.bilinear_type();
  if (kind == "all")
    weight = register_parameter("weight", dlc::empty({e, e}));
  else if (kind == "each")
    weight = register_parameter("weight", dlc::empty({fields, e, e}));
  else if (kind == "interaction")
    weight = register_parameter("weight",
                                dlc::empty({fields * (fields - 1) / 2, e, e}));
  else
    throw Error(fmt::format("BilinearInteraction: unknown bilinear_type '{}' "
                            "(known: all, each, interaction)",
                            kind));
  // nn.Linear(E, E)'s kaiming_uniform_(a = sqrt(5)): bound 1 / sqrt(E).
  double bound = 1.0 / std::sqrt(static_cast<double>(e));
  nn::init::uniform_(weight, -bound, bound);
}

Tensor BilinearInteractionImpl::forward(const Tensor &x, Loc loc) {
  checkFields("BilinearInteraction", x, options.field_size(),
              options.embedding_size(), loc);
  auto [left, right] = pairIndices(options.field_size());
  Tensor first = x.index_select(1, left);   // [B, P, E]
  Tensor second = x.index_select(1, right); // [B, P, E]
  const std::string &kind = options.bilinear_type();
  Tensor projected;
  if (kind == "all") {
    projected = first.matmul(weight.t());
  } else if (kind == "each") {
    // Project every field by its own W, then pick each pair's first: one
    // batched product over the fields, [F, B, E] x [F, E, E].
    Tensor all = x.transpose(0, 1).matmul(weight.transpose(1, 2));
    projected = all.transpose(0, 1).index_select(1, left);
  } else {
    // One W per pair: [P, B, E] x [P, E, E] -> [P, B, E], a batched product
    // over the pairs (not B x P products of one row each).
    projected =
        first.transpose(0, 1).matmul(weight.transpose(1, 2)).transpose(0, 1);
  }
  return projected * second;
}

//===----------------------------------------------------------------------===//
// Helpers the models share
//===----------------------------------------------------------------------===//

int64_t shared_embedding_dim(const FeatureIndex &index,
                             const std::string &model) {
  int64_t dim = 0;
  bool mismatch = false;
  std::vector<std::string> dims;
  for (const FeatureColumn &column : index.columns()) {
    const SparseFeat *sparse = embedded_feature(column);
    if (!sparse)
      continue;
    dims.push_back(
        fmt::format("'{}' ({})", name_of(column), sparse->embedding_dim()));
    if (dim == 0)
      dim = sparse->embedding_dim();
    else if (sparse->embedding_dim() != dim)
      mismatch = true;
  }
  if (mismatch)
    throw Error(fmt::format("{}: the sparse and id-list columns must share one "
                            "embedding dim for the feature interactions, got "
                            "{}",
                            model, fmt::join(dims, ", ")));
  return dim;
}

int64_t embedded_field_count(const FeatureIndex &index) {
  int64_t count = 0;
  for (const FeatureColumn &column : index.columns())
    if (embedded_feature(column))
      ++count;
  return count;
}

int64_t combined_input_dim(const FeatureIndex &index) {
  int64_t dim = 0;
  for (const FeatureColumn &column : index.columns()) {
    if (const SparseFeat *sparse = embedded_feature(column))
      dim += sparse->embedding_dim();
    else
      dim += std::get<DenseFeat>(column).dimension();
  }
  return dim;
}

Tensor stacked_embeddings(const Inputs &inputs, const std::string &model) {
  if (inputs.sparse.empty())
    throw Error(fmt::format("{}: the model has no sparse or id-list column to "
                            "interact",
                            model));
  return inputs.sparse.size() == 1 ? inputs.sparse.front()
                                   : dlc::cat(inputs.sparse, 1);
}

} // namespace dlc::models
