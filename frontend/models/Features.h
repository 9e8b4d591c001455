//===- Features.h - Feature columns: what a CTR model's input holds -------===//
//
// A CTR model is built over a list of feature columns, as in DeepCTR: sparse
// (categorical: one id, embedded), dense (a few floats) and variable-length
// sparse (an id list: a behaviour history or a multi-valued field). Its
// input is one float tensor x [B, width] holding every column side by side
// in the order of the list — a dense column its values, a sparse column its
// id, an id list its padded ids (0 is padding) — which is DeepCTR-Torch's
// layout and what a data::TabularDataset batch's `data` holds (dense, then
// categorical, then id lists: feature_columns(dataset) lists them so).
//
//   auto columns = models::feature_columns(train, /*embedding_dim=*/8);
//   models::DeepFM model(columns);
//   Tensor logits = model->forward(batch.data);   // [B]
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_FEATURES_H
#define DLC_FRONTEND_MODELS_FEATURES_H

#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"
#include "frontend/nn/Modules.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dlc::data {
class TabularDataset;
} // namespace dlc::data

namespace dlc::models {

/// A categorical feature: one id per row (0..vocabulary_size-1), embedded.
struct SparseFeat {
  SparseFeat(std::string name, int64_t vocabulary_size,
             int64_t embedding_dim = 4)
      : name_(std::move(name)), vocabulary_size_(vocabulary_size),
        embedding_dim_(embedding_dim) {}
  DLC_ARG(std::string, name);
  DLC_ARG(int64_t, vocabulary_size);
  DLC_ARG(int64_t, embedding_dim);
  /// Features with the same embedding name share one table (DIN's item_id
  /// and hist_item_id); empty means the feature's own name.
  DLC_ARG(std::string, embedding_name);

public:
  /// embedding_name, or the name when that is empty.
  const std::string &table() const {
    return embedding_name_.empty() ? name_ : embedding_name_;
  }
};

/// A numeric feature of `dimension` floats.
struct DenseFeat {
  explicit DenseFeat(std::string name, int64_t dimension = 1)
      : name_(std::move(name)), dimension_(dimension) {}
  DLC_ARG(std::string, name);
  DLC_ARG(int64_t, dimension);
};

/// How an id list is pooled into one embedding.
enum class Combiner { Sum, Mean, Max };

/// An id list of at most `maxlen` ids (padded with 0 at the end), embedded
/// with its SparseFeat's table; rows are as long as their non-zero ids.
struct VarLenSparseFeat {
  VarLenSparseFeat(SparseFeat sparse, int64_t maxlen,
                   Combiner combiner = Combiner::Mean)
      : sparse_(std::move(sparse)), maxlen_(maxlen), combiner_(combiner) {}
  DLC_ARG(SparseFeat, sparse);
  DLC_ARG(int64_t, maxlen);
  DLC_ARG(Combiner, combiner);

public:
  const std::string &name() const { return sparse_.name(); }
};

using FeatureColumn = std::variant<SparseFeat, DenseFeat, VarLenSparseFeat>;

/// The name of any column.
const std::string &name_of(const FeatureColumn &column);

/// The SparseFeat of a sparse or id-list column (its table and dim); null
/// for a dense column.
const SparseFeat *embedded_feature(const FeatureColumn &column);

/// Where each column sits in x: DeepCTR-Torch's feature_index. Throws
/// dlc::Error for duplicate names, sizes that are not positive, and shared
/// tables whose sizes disagree.
class FeatureIndex {
public:
  explicit FeatureIndex(std::vector<FeatureColumn> columns);

  const std::vector<FeatureColumn> &columns() const { return all; }
  /// The number of floats per row of x.
  int64_t width() const { return total; }
  /// The first column of `name` in x and how many it spans.
  std::pair<int64_t, int64_t> range(const std::string &name,
                                    Loc loc = Loc::current()) const;
  /// x[:, range(name)]: [B, span]. Throws dlc::Error naming the columns
  /// when x is not [B, width()].
  Tensor slice(const Tensor &x, const std::string &name,
               Loc loc = Loc::current()) const;
  /// The same as int64 ids (sparse and id-list columns).
  Tensor ids(const Tensor &x, const std::string &name,
             Loc loc = Loc::current()) const;
  /// Checks that x is [B, width()].
  void check(const Tensor &x, Loc loc = Loc::current()) const;

  std::vector<SparseFeat> sparse() const;
  std::vector<DenseFeat> dense() const;
  std::vector<VarLenSparseFeat> varlen() const;
  /// Whether a column of that name exists, and its definition.
  bool contains(const std::string &name) const;
  const FeatureColumn &column(const std::string &name,
                              Loc loc = Loc::current()) const;

private:
  std::vector<FeatureColumn> all;
  std::map<std::string, std::pair<int64_t, int64_t>> ranges;
  int64_t total = 0;
};

/// The columns of a TabularDataset's packed `data`, in its order: a
/// DenseFeat per dense column, a SparseFeat per categorical column
/// (vocabulary size from the dataset) and a VarLenSparseFeat (mean) per
/// id-list column, each embedded in `embedding_dim` dimensions. Columns that
/// share a vocabulary share an embedding table.
std::vector<FeatureColumn> feature_columns(const data::TabularDataset &dataset,
                                           int64_t embedding_dim = 4);

/// The embedding tables of every sparse and id-list column, one per table
/// name, initialised N(0, init_std) as DeepCTR does.
class EmbeddingDictImpl : public nn::Module {
public:
  EmbeddingDictImpl(const FeatureIndex &index, double init_std = 1e-4,
                    int64_t force_dim = 0);

  /// The embedding of a sparse column: [B, 1, dim]; of an id-list column:
  /// [B, maxlen, dim] (padding rows embed id 0's vector: mask them).
  Tensor embed(const Tensor &x, const std::string &name,
               Loc loc = Loc::current());
  /// An id-list column pooled by its combiner over its non-zero ids:
  /// [B, 1, dim] (zeros for an empty list).
  Tensor pooled(const Tensor &x, const std::string &name,
                Loc loc = Loc::current());
  /// The table of `table_name`.
  nn::Embedding &table(const std::string &table_name, Loc loc = Loc::current());

  const FeatureIndex &index() const { return features; }

private:
  FeatureIndex features;
  std::map<std::string, nn::Embedding> tables;
};
DLC_MODULE(EmbeddingDict);

/// 1.0 where an id-list column holds an id, 0.0 at its padding: [B, maxlen].
/// Makes every nn::Embedding and nn::EmbeddingBag in `module` give sparse
/// gradients (their `sparse` option): with SGD, Adagrad or SparseAdam a
/// training step then updates the rows its batch read and makes no
/// table-sized gradient. Returns how many tables it changed.
int set_sparse_embeddings(nn::Module &module, bool sparse = true);

Tensor sequence_mask(const Tensor &ids);

/// The inputs of the models over all columns (DeepCTR's
/// input_from_feature_columns): every sparse column's embedding and every
/// id-list column's pooled embedding, [B, 1, dim] each, in column order; and
/// every dense column's values, [B, dimension] each.
struct Inputs {
  std::vector<Tensor> sparse;
  std::vector<Tensor> dense;
};
Inputs inputs_from_feature_columns(const Tensor &x, EmbeddingDict &embeddings,
                                   Loc loc = Loc::current());

/// cat(sparse, dim 2 after flattening) and dense: [B, Σ dim + Σ dimension]
/// (DeepCTR's combined_dnn_input).
Tensor combined_dnn_input(const Inputs &inputs);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_FEATURES_H
