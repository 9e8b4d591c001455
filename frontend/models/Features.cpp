//===- Features.cpp - Feature columns: what a CTR model's input holds -----===//

#include "frontend/models/Features.h"

#include "frontend/Functions.h"
#include "frontend/data/TabularDataset.h"
#include "frontend/detail/Recorder.h"
#include "frontend/nn/Init.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <set>

namespace dlc::models {

const std::string &name_of(const FeatureColumn &column) {
  return std::visit(
      [](const auto &c) -> const std::string & { return c.name(); }, column);
}

namespace {

int64_t spanOf(const FeatureColumn &column) {
  if (const auto *dense = std::get_if<DenseFeat>(&column))
    return dense->dimension();
  if (const auto *list = std::get_if<VarLenSparseFeat>(&column))
    return list->maxlen();
  return 1;
}

} // namespace

const SparseFeat *embedded_feature(const FeatureColumn &column) {
  if (const auto *sparse = std::get_if<SparseFeat>(&column))
    return sparse;
  if (const auto *list = std::get_if<VarLenSparseFeat>(&column))
    return &list->sparse();
  return nullptr;
}

FeatureIndex::FeatureIndex(std::vector<FeatureColumn> columns)
    : all(std::move(columns)) {
  std::map<std::string, std::pair<int64_t, int64_t>> tableSizes;
  for (const FeatureColumn &column : all) {
    const std::string &name = name_of(column);
    if (name.empty())
      throw Error("FeatureIndex: a feature column has an empty name");
    int64_t span = spanOf(column);
    if (span <= 0)
      throw Error(fmt::format("FeatureIndex: column '{}' spans {} values; "
                              "dimension and maxlen must be positive",
                              name, span));
    if (const SparseFeat *sparse = embedded_feature(column)) {
      if (sparse->vocabulary_size() <= 0 || sparse->embedding_dim() <= 0)
        throw Error(fmt::format("FeatureIndex: column '{}' has vocabulary "
                                "size {} and embedding dim {}; both must be "
                                "positive",
                                name, sparse->vocabulary_size(),
                                sparse->embedding_dim()));
      std::pair<int64_t, int64_t> size{sparse->vocabulary_size(),
                                       sparse->embedding_dim()};
      auto [it, inserted] = tableSizes.emplace(sparse->table(), size);
      if (!inserted && it->second != size)
        throw Error(fmt::format(
            "FeatureIndex: column '{}' shares table '{}' as {}x{}, but the "
            "table is {}x{}",
            name, sparse->table(), size.first, size.second, it->second.first,
            it->second.second));
    }
    if (!ranges.emplace(name, std::make_pair(total, span)).second)
      throw Error(fmt::format(
          "FeatureIndex: two feature columns are named '{}'", name));
    total += span;
  }
}

bool FeatureIndex::contains(const std::string &name) const {
  return ranges.count(name) != 0;
}

const FeatureColumn &FeatureIndex::column(const std::string &name,
                                          Loc loc) const {
  for (const FeatureColumn &c : all)
    if (name_of(c) == name)
      return c;
  range(name, loc); // throws
  return all.front();
}

std::pair<int64_t, int64_t> FeatureIndex::range(const std::string &name,
                                                Loc loc) const {
  auto it = ranges.find(name);
  if (it == ranges.end()) {
    std::vector<std::string> names;
    for (const FeatureColumn &c : all)
      names.push_back(name_of(c));
    dlc::detail::throwError(
        "FeatureIndex",
        fmt::format("no feature column '{}'; the columns are: {}", name,
                    fmt::join(names, ", ")),
        loc);
  }
  return it->second;
}

void FeatureIndex::check(const Tensor &x, Loc loc) const {
  if (!x.defined() || x.dim() != 2 || x.size(1) != total)
    dlc::detail::throwError(
        "FeatureIndex",
        fmt::format("the input must be [batch, {}] (the feature columns side "
                    "by side), not {}",
                    total, dlc::detail::formatShape(x)),
        loc);
}

Tensor FeatureIndex::slice(const Tensor &x, const std::string &name,
                           Loc loc) const {
  auto [start, span] = range(name, loc);
  check(x, loc);
  return x.narrow(1, start, span, loc);
}

Tensor FeatureIndex::ids(const Tensor &x, const std::string &name,
                         Loc loc) const {
  return slice(x, name, loc).to(kLong, loc);
}

std::vector<SparseFeat> FeatureIndex::sparse() const {
  std::vector<SparseFeat> out;
  for (const FeatureColumn &c : all)
    if (const auto *s = std::get_if<SparseFeat>(&c))
      out.push_back(*s);
  return out;
}

std::vector<DenseFeat> FeatureIndex::dense() const {
  std::vector<DenseFeat> out;
  for (const FeatureColumn &c : all)
    if (const auto *d = std::get_if<DenseFeat>(&c))
      out.push_back(*d);
  return out;
}

std::vector<VarLenSparseFeat> FeatureIndex::varlen() const {
  std::vector<VarLenSparseFeat> out;
  for (const FeatureColumn &c : all)
    if (const auto *v = std::get_if<VarLenSparseFeat>(&c))
      out.push_back(*v);
  return out;
}

std::vector<FeatureColumn> feature_columns(const data::TabularDataset &dataset,
                                           int64_t embedding_dim) {
  std::vector<FeatureColumn> columns;
  for (const std::string &name : dataset.dense_names())
    columns.emplace_back(DenseFeat(name));
  // Columns that share a vocabulary object share a table, named after the
  // first column using it.
  std::map<const data::Vocabulary *, std::string> tableOf;
  auto sparseFor = [&](const std::string &name, int64_t size) {
    SparseFeat feature(name, size, embedding_dim);
    const data::Vocabulary *vocabulary = &dataset.vocabulary(name);
    auto [it, inserted] = tableOf.emplace(vocabulary, name);
    if (!inserted)
      feature.embedding_name(it->second);
    return feature;
  };
  std::vector<int64_t> sizes = dataset.vocab_sizes();
  for (size_t i = 0; i < sizes.size(); ++i)
    columns.emplace_back(sparseFor(dataset.categorical_names()[i], sizes[i]));
  std::vector<int64_t> listSizes = dataset.sequence_vocab_sizes();
  std::vector<int64_t> lengths = dataset.sequence_lengths();
  for (size_t i = 0; i < listSizes.size(); ++i)
    columns.emplace_back(VarLenSparseFeat(
        sparseFor(dataset.sequence_names()[i], listSizes[i]), lengths[i]));
  return columns;
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

EmbeddingDictImpl::EmbeddingDictImpl(const FeatureIndex &index, double init_std,
                                     int64_t force_dim)
    : nn::Module("EmbeddingDict"), features(index) {
  for (const FeatureColumn &column : features.columns()) {
    const SparseFeat *sparse = embedded_feature(column);
    if (!sparse || tables.count(sparse->table()))
      continue;
    int64_t dim = force_dim > 0 ? force_dim : sparse->embedding_dim();
    nn::Embedding table(sparse->vocabulary_size(), dim);
    nn::init::normal_(table->weight, 0.0, init_std);
    tables.emplace(sparse->table(), register_module(sparse->table(), table));
  }
}

int set_sparse_embeddings(nn::Module &module, bool sparse) {
  int changed = 0;
  module.apply([&](nn::Module &m) {
    if (auto *table = dynamic_cast<nn::EmbeddingImpl *>(&m)) {
      table->options.sparse(sparse);
      ++changed;
    } else if (auto *bag = dynamic_cast<nn::EmbeddingBagImpl *>(&m)) {
      bag->options.sparse(sparse);
      ++changed;
    }
  });
  return changed;
}

nn::Embedding &EmbeddingDictImpl::table(const std::string &table_name,
                                        Loc loc) {
  auto it = tables.find(table_name);
  if (it == tables.end())
    dlc::detail::throwError("EmbeddingDict",
                            fmt::format("no embedding table '{}'", table_name),
                            loc);
  return it->second;
}

Tensor EmbeddingDictImpl::embed(const Tensor &x, const std::string &name,
                                Loc loc) {
  const SparseFeat *sparse = embedded_feature(features.column(name, loc));
  if (!sparse)
    dlc::detail::throwError(
        "EmbeddingDict",
        fmt::format("'{}' is a dense column; it has no embedding", name), loc);
  return table(sparse->table(), loc)->forward(features.ids(x, name, loc));
}

Tensor sequence_mask(const Tensor &ids) { return ids.ne(0).to(kFloat); }

Tensor EmbeddingDictImpl::pooled(const Tensor &x, const std::string &name,
                                 Loc loc) {
  const auto *list = std::get_if<VarLenSparseFeat>(&features.column(name, loc));
  if (!list)
    dlc::detail::throwError("EmbeddingDict",
                            fmt::format("'{}' is not an id-list column", name),
                            loc);
  Tensor embedded = embed(x, name, loc); // [B, L, d]
  Tensor mask =
      sequence_mask(features.ids(x, name, loc)).unsqueeze(2); // [B, L, 1]
  Tensor lengths = mask.sum({1}, /*keepdim=*/true);           // [B, 1, 1]
  switch (list->combiner()) {
  case Combiner::Sum:
    return (embedded * mask).sum({1}, true);
  case Combiner::Mean:
    return (embedded * mask).sum({1}, true) / lengths.clamp_min(1.0);
  case Combiner::Max: {
    Tensor masked = embedded.masked_fill(mask.eq(0), -1e30);
    return dlc::where(lengths.gt(0), masked.amax({1}, true), 0.0);
  }
  }
  return {};
}

Inputs inputs_from_feature_columns(const Tensor &x, EmbeddingDict &embeddings,
                                   Loc loc) {
  const FeatureIndex &index = embeddings->index();
  index.check(x, loc);
  Inputs inputs;
  for (const FeatureColumn &column : index.columns()) {
    const std::string &name = name_of(column);
    if (std::holds_alternative<SparseFeat>(column))
      inputs.sparse.push_back(embeddings->embed(x, name, loc));
    else if (std::holds_alternative<VarLenSparseFeat>(column))
      inputs.sparse.push_back(embeddings->pooled(x, name, loc));
    else
      inputs.dense.push_back(index.slice(x, name, loc));
  }
  return inputs;
}

Tensor combined_dnn_input(const Inputs &inputs) {
  std::vector<Tensor> parts;
  for (const Tensor &t : inputs.sparse)
    parts.push_back(t.flatten(1));
  for (const Tensor &t : inputs.dense)
    parts.push_back(t);
  if (parts.empty())
    throw Error("combined_dnn_input: the model has no feature columns");
  return parts.size() == 1 ? parts.front() : dlc::cat(parts, 1);
}

} // namespace dlc::models
