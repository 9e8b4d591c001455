//===- SequenceLayers.h - Attention and recurrent layers of DIN and DIEN --===//
//
// The behaviour-sequence layers of DeepCTR's DIN and DIEN: the local
// activation unit and the attention pooling it drives (DIN), the AUGRU and
// AGRU cells, the interest extractor with its auxiliary loss and the
// interest evolving layer (DIEN), and the column bookkeeping both models
// share (which columns are targets, histories, negatives, DNN inputs).
//
// Sequences are [B, T, E] with a mask [B, T] (1.0 for the first `length`
// steps, 0.0 after them): every layer here gives padding steps no weight, so
// that neither the padded length nor what the padding holds changes a
// result — Dice included, whose batch statistics count valid steps only.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_SEQUENCELAYERS_H
#define DLC_FRONTEND_MODELS_SEQUENCELAYERS_H

#include "frontend/Tensor.h"
#include "frontend/models/Features.h"
#include "frontend/models/Layers.h"
#include "frontend/nn/Module.h"
#include "frontend/nn/Modules.h"

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace dlc::models {

/// Dice over the valid steps of x [B, T, E]: as DiceImpl::forward, but the
/// batch statistics (and the running ones it updates in training) are taken
/// over the steps where mask [B, T] is 1 only. Without a mask, DiceImpl's
/// forward.
Tensor masked_dice(DiceImpl &dice, const Tensor &x, const Tensor &mask = {});

//===----------------------------------------------------------------------===//
// DIN's attention
//===----------------------------------------------------------------------===//

struct LocalActivationUnitOptions {
  /* implicit */ LocalActivationUnitOptions(int64_t embedding_dim)
      : embedding_dim_(embedding_dim) {}
  /// E: the width of the query and of each key.
  DLC_ARG(int64_t, embedding_dim);
  DLC_ARG(std::vector<int64_t>, hidden_units) = { 64, 32 };
  /// Any make_activation name; "dice" (DIN's) and "prelu" as in the paper.
  DLC_ARG(std::string, activation) = "dice";
  /// Weights of the hidden layers start N(0, init_std), as DeepCTR's DNN.
  DLC_ARG(double, init_std) = 1e-4;
};

/// DIN's local activation unit: an MLP over [q, k, q − k, q ⊙ k] per step,
/// then a linear layer to one score: query [B, E] (or [B, 1, E]) and keys
/// [B, T, E] give scores [B, T]. The mask [B, T] (optional) only keeps
/// padding steps out of Dice's batch statistics; the scores are not masked.
class LocalActivationUnitImpl : public nn::Module {
public:
  explicit LocalActivationUnitImpl(const LocalActivationUnitOptions &options);
  Tensor forward(const Tensor &query, const Tensor &keys,
                 const Tensor &mask = {});

  LocalActivationUnitOptions options;
  nn::ModuleList linears, activations;
  nn::Linear dense{nullptr}; ///< [1, hidden_units.back()]

private:
  std::vector<nn::AnyModule> activationFunctions;
};
DLC_MODULE(LocalActivationUnit);

struct AttentionSequencePoolingOptions {
  /* implicit */ AttentionSequencePoolingOptions(int64_t embedding_dim)
      : embedding_dim_(embedding_dim) {}
  DLC_ARG(int64_t, embedding_dim);
  DLC_ARG(std::vector<int64_t>, hidden_units) = { 64, 32 };
  DLC_ARG(std::string, activation) = "dice";
  /// Softmax over the valid steps (DIEN's default); without it the raw
  /// scores weigh the keys (DIN's default, as the paper: no normalization,
  /// so the pooled vector keeps the intensity of the user's interest).
  DLC_ARG(bool, weight_normalization) = false;
  DLC_ARG(double, init_std) = 1e-4;
};

/// Attention pooling of keys [B, T, E] by the local activation unit's scores
/// for query [B, E]: forward gives Σ_t w_t k_t, [B, E]; weights() gives w
/// [B, T], 0 at padding steps (mask [B, T] 0), the masked scores or their
/// masked softmax. A row without valid steps pools to zeros.
class AttentionSequencePoolingImpl : public nn::Module {
public:
  explicit AttentionSequencePoolingImpl(
      const AttentionSequencePoolingOptions &options);
  Tensor forward(const Tensor &query, const Tensor &keys, const Tensor &mask);
  Tensor weights(const Tensor &query, const Tensor &keys, const Tensor &mask);

  AttentionSequencePoolingOptions options;
  LocalActivationUnit local_att{nullptr};
};
DLC_MODULE(AttentionSequencePooling);

//===----------------------------------------------------------------------===//
// DIEN's recurrent cells
//===----------------------------------------------------------------------===//

/// GRU with attentional update gate (DIEN): with the weights stacked (r, u,
/// n) as GRUCell's, r = σ(W_ir x + b_ir + W_hr h + b_hr), u = σ(W_iu x + b_iu
/// + W_hu h + b_hu), n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)),
/// u' = a u, h' = (1 − u') ∘ h + u' ∘ n. Initialised as GRUCell (uniform of
/// bound 1/sqrt(hidden_size)).
class AUGRUCellImpl : public nn::Module {
public:
  AUGRUCellImpl(int64_t input_size, int64_t hidden_size);
  /// input [B, input_size], hx [B, hidden_size], att [B] or [B, 1]: h' [B,
  /// hidden_size].
  Tensor forward(const Tensor &input, const Tensor &hx, const Tensor &att);
  /// The same from the input projection gi = input W_ih^T + b_ih, [B, 3H]
  /// (the evolving layer projects every step at once).
  Tensor step(const Tensor &gi, const Tensor &hx, const Tensor &att);

  int64_t input_size, hidden_size;
  Tensor weight_ih; ///< [3 * hidden_size, input_size]
  Tensor weight_hh; ///< [3 * hidden_size, hidden_size]
  Tensor bias_ih, bias_hh;
};
DLC_MODULE(AUGRUCell);

/// GRU with attention in place of the update gate (DIEN's AGRU): the weights
/// stacked (r, n), r and n as AUGRU's, h' = (1 − a) h + a n.
class AGRUCellImpl : public nn::Module {
public:
  AGRUCellImpl(int64_t input_size, int64_t hidden_size);
  Tensor forward(const Tensor &input, const Tensor &hx, const Tensor &att);
  /// From gi = input W_ih^T + b_ih, [B, 2H].
  Tensor step(const Tensor &gi, const Tensor &hx, const Tensor &att);

  int64_t input_size, hidden_size;
  Tensor weight_ih; ///< [2 * hidden_size, input_size]
  Tensor weight_hh; ///< [2 * hidden_size, hidden_size]
  Tensor bias_ih, bias_hh;
};
DLC_MODULE(AGRUCell);

//===----------------------------------------------------------------------===//
// DIEN's layers
//===----------------------------------------------------------------------===//

struct InterestExtractorOptions {
  /* implicit */ InterestExtractorOptions(int64_t input_size)
      : input_size_(input_size) {}
  /// E: the width of a history step; the GRU's hidden size too.
  DLC_ARG(int64_t, input_size);
  /// Build the auxiliary network (DIEN's use_negsampling).
  DLC_ARG(bool, use_negsampling) = false;
  /// The auxiliary network's hidden layers and their activation; it ends in
  /// one logit (DeepCTR: 100, 50, sigmoid, then a sigmoid output).
  DLC_ARG(std::vector<int64_t>, aux_hidden_units) = { 100, 50 };
  DLC_ARG(std::string, aux_activation) = "sigmoid";
  DLC_ARG(double, init_std) = 1e-4;
};

/// DIEN's interest extractor: a GRU over the history keys [B, T, E]
/// (nn::GRU, batch_first, each row's length), giving the interests h_t [B,
/// T, E] (zeros past the length). With negatives [B, T, E], the auxiliary
/// loss: the network scores [h_t, e_{t+1}] (the next clicked step) against
/// [h_t, ê_{t+1}] (the sampled one) as 1 and 0, binary cross-entropy
/// averaged over the steps with t + 1 < length (0 when there are none).
class InterestExtractorImpl : public nn::Module {
public:
  explicit InterestExtractorImpl(const InterestExtractorOptions &options);
  /// (interests [B, T, E], auxiliary loss [] or undefined without
  /// negatives). lengths [B] (int64), mask [B, T] as the models make them.
  std::tuple<Tensor, Tensor> forward(const Tensor &keys, const Tensor &lengths,
                                     const Tensor &mask,
                                     const Tensor &negatives = {});
  /// The auxiliary loss of interests, keys, negatives [B, T, E], mask [B, T].
  Tensor auxiliary_loss(const Tensor &interests, const Tensor &keys,
                        const Tensor &negatives, const Tensor &mask);

  InterestExtractorOptions options;
  nn::GRU gru{nullptr};
  DNN auxiliary_net{nullptr};        ///< undefined without use_negsampling
  nn::Linear auxiliary_out{nullptr}; ///< the auxiliary network's logit
};
DLC_MODULE(InterestExtractor);

struct InterestEvolvingOptions {
  /* implicit */ InterestEvolvingOptions(int64_t input_size)
      : input_size_(input_size) {}
  DLC_ARG(int64_t, input_size);
  /// "AUGRU" (the paper's best), "AGRU", "AIGRU" or "GRU".
  DLC_ARG(std::string, gru_type) = "AUGRU";
  DLC_ARG(std::vector<int64_t>, att_hidden_units) = { 64, 16 };
  DLC_ARG(std::string, att_activation) = "relu";
  DLC_ARG(bool, att_weight_normalization) = true;
  DLC_ARG(double, init_std) = 1e-4;
};

/// DIEN's interest evolving layer: the final interest [B, E] for query
/// [B, E] and interests [B, T, E] (mask [B, T], lengths [B]). "AUGRU" and
/// "AGRU" run their cell over the steps with the attention weights, padding
/// steps leaving the state as it is, and end in the state after each row's
/// last step; "AIGRU" scales each interest by its weight and runs a GRU;
/// "GRU" runs a GRU and pools its outputs by attention (DeepCTR's
/// variants). A row without valid steps gives zeros.
class InterestEvolvingImpl : public nn::Module {
public:
  explicit InterestEvolvingImpl(const InterestEvolvingOptions &options);
  Tensor forward(const Tensor &query, const Tensor &interests,
                 const Tensor &lengths, const Tensor &mask);

  InterestEvolvingOptions options;
  AttentionSequencePooling attention{nullptr};
  nn::GRU gru{nullptr};     ///< "GRU" and "AIGRU"
  AUGRUCell augru{nullptr}; ///< "AUGRU"
  AGRUCell agru{nullptr};   ///< "AGRU"
};
DLC_MODULE(InterestEvolving);

//===----------------------------------------------------------------------===//
// The columns of DIN and DIEN
//===----------------------------------------------------------------------===//

/// How DIN and DIEN read their columns (DeepCTR's conventions): each name f
/// of history_feature_list is a sparse target column with an id-list column
/// "hist_f" (and "neg_hist_f" for DIEN's negatives) embedded in as many
/// dimensions. The other columns (sparse, dense, and pooled id lists) go to
/// the DNN with the targets.
class BehaviorColumns {
public:
  /// Throws dlc::Error naming `model` for an empty list, a missing or
  /// mistyped target, history or negative column, embedding dims that
  /// differ, and histories of different maxlen.
  BehaviorColumns(const FeatureIndex &index,
                  const std::vector<std::string> &history_feature_list,
                  bool negatives, const std::string &model);

  /// The targets' embeddings side by side: [B, E].
  Tensor query(const Tensor &x, EmbeddingDict &embeddings) const;
  /// The histories' embeddings side by side: [B, T, E].
  Tensor keys(const Tensor &x, EmbeddingDict &embeddings) const;
  /// The negatives' embeddings: [B, T, E] (undefined without negatives).
  Tensor negatives(const Tensor &x, EmbeddingDict &embeddings) const;
  /// The valid length of each row (the non-zero ids of the first history):
  /// [B], int64.
  Tensor lengths(const Tensor &x) const;
  /// 1.0 for the first lengths steps: [B, T].
  Tensor mask(const Tensor &lengths) const;
  /// The DNN input without the interest: every sparse column's embedding
  /// (targets included), every other id list pooled, every dense column,
  /// [B, dnn_dim()], or undefined when there are none.
  Tensor dnn_input(const Tensor &x, EmbeddingDict &embeddings) const;

  int64_t embedding_dim() const { return queryDim; }
  int64_t maxlen() const { return length; }
  int64_t dnn_dim() const { return dnnDim; }
  const std::vector<std::string> &histories() const { return historyNames; }

private:
  FeatureIndex index;
  std::vector<std::string> targetNames, historyNames, negativeNames;
  std::vector<std::string> dnnNames; ///< in column order
  int64_t queryDim = 0, length = 0, dnnDim = 0;
};

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_SEQUENCELAYERS_H
