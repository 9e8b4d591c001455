//===- Interactions.h - Feature-interaction layers of the CTR models ------===//
//
// The layers FM, DeepFM, DCN and FiBiNET are built from, as DeepCTR-Torch
// writes them (deepctr_torch/layers/interaction.py), each a module of its
// own so that a model (or a user's) can combine them:
//
//   FMInteraction       Rendle 2010: 0.5 Σ_k ((Σ_i v_ik)^2 - Σ_i v_ik^2), the
//                       sum of <v_i, v_j> over every pair of fields.
//   CrossNet            DCN (Wang et al. 2017): x_{l+1} = x0 (x_l · w_l) + b_l
//                       + x_l; DCN-M (Wang et al. 2021) with
//                       parameterization "matrix": x0 ⊙ (W_l x_l + b_l) + x_l.
//   SENETLayer          FiBiNET (Huang et al. 2019): squeeze each field's
//                       embedding by its mean, excite with two bias-free
//                       linear layers (F -> max(1, F / reduction_ratio) -> F)
//                       and relu, reweight the fields.
//   BilinearInteraction FiBiNET: p_ij = (v_i W) ⊙ v_j for every pair i < j,
//                       with one W ("all"), one per field ("each") or one per
//                       pair ("interaction").
//
// Fields come as [B, F, E] (the embeddings side by side, as DeepCTR's
// concatenated sparse_embedding_list). The parameters have DeepCTR-Torch's
// names, shapes and initialisation.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_INTERACTIONS_H
#define DLC_FRONTEND_MODELS_INTERACTIONS_H

#include "frontend/Tensor.h"
#include "frontend/models/Features.h"
#include "frontend/nn/Module.h"
#include "frontend/nn/Modules.h"

#include <cstdint>
#include <string>

namespace dlc::models {

//===----------------------------------------------------------------------===//
// FMInteraction
//===----------------------------------------------------------------------===//

/// The factorization machine's second-order term over the fields of
/// x [B, F, E]: [B, 1]. No parameters (the embeddings are the factors).
class FMInteractionImpl : public nn::Module {
public:
  FMInteractionImpl() : nn::Module("FMInteraction") {}
  Tensor forward(const Tensor &x, Loc loc = Loc::current());
};
DLC_MODULE(FMInteraction);

//===----------------------------------------------------------------------===//
// CrossNet
//===----------------------------------------------------------------------===//

struct CrossNetOptions {
  /* implicit */ CrossNetOptions(int64_t in_features)
      : in_features_(in_features) {}
  /// The width D of the input x0 [B, D].
  DLC_ARG(int64_t, in_features);
  /// The number of cross layers.
  DLC_ARG(int64_t, layer_num) = 2;
  /// "vector" (DCN: a weight vector per layer) or "matrix" (DCN-M: a D x D
  /// matrix per layer).
  DLC_ARG(std::string, parameterization) = "vector";
};

/// DCN's cross network over x0 [B, D]: layer_num cross layers, [B, D].
/// Throws dlc::Error for an unknown parameterization or sizes that are not
/// positive.
class CrossNetImpl : public nn::Module {
public:
  explicit CrossNetImpl(const CrossNetOptions &options);
  Tensor forward(const Tensor &x, Loc loc = Loc::current());

  CrossNetOptions options;
  /// [layer_num, D, 1] ("vector") or [layer_num, D, D] ("matrix", W_l x as
  /// a matrix times a column); xavier_normal_ per layer.
  Tensor kernels;
  /// [layer_num, D, 1], zeros.
  Tensor bias;
};
DLC_MODULE(CrossNet);

//===----------------------------------------------------------------------===//
// SENETLayer
//===----------------------------------------------------------------------===//

struct SENETLayerOptions {
  /* implicit */ SENETLayerOptions(int64_t field_size)
      : field_size_(field_size) {}
  /// The number of fields F.
  DLC_ARG(int64_t, field_size);
  /// The excitation's bottleneck is max(1, F / reduction_ratio) wide.
  DLC_ARG(int64_t, reduction_ratio) = 3;
};

/// FiBiNET's squeeze-and-excitation over x [B, F, E]: x reweighted by
/// A = relu(W2 relu(W1 mean_E(x))) per field, [B, F, E].
class SENETLayerImpl : public nn::Module {
public:
  explicit SENETLayerImpl(const SENETLayerOptions &options);
  Tensor forward(const Tensor &x, Loc loc = Loc::current());

  SENETLayerOptions options;
  /// Linear(F, R, no bias), ReLU, Linear(R, F, no bias), ReLU (DeepCTR-Torch's
  /// `excitation`, so its state names are excitation.0.weight and
  /// excitation.2.weight).
  nn::Sequential excitation{nullptr};
};
DLC_MODULE(SENETLayer);

//===----------------------------------------------------------------------===//
// BilinearInteraction
//===----------------------------------------------------------------------===//

struct BilinearInteractionOptions {
  BilinearInteractionOptions(int64_t field_size, int64_t embedding_size)
      : field_size_(field_size), embedding_size_(embedding_size) {}
  /// The number of fields F (at least 2).
  DLC_ARG(int64_t, field_size);
  /// The embedding width E shared by every field.
  DLC_ARG(int64_t, embedding_size);
  /// "all" (one W), "each" (one W per field, used on the left of its pairs)
  /// or "interaction" (one W per pair).
  DLC_ARG(std::string, bilinear_type) = "interaction";
};

/// FiBiNET's bilinear interaction over x [B, F, E]: (v_i W^T) ⊙ v_j for the
/// F (F - 1) / 2 pairs i < j in row-major order (0-1, 0-2, ..., 1-2, ...),
/// [B, F (F - 1) / 2, E]. W is used as nn::Linear's weight is (v W^T), so
/// that it maps onto DeepCTR-Torch's nn.Linear(E, E, bias=False) layers.
class BilinearInteractionImpl : public nn::Module {
public:
  explicit BilinearInteractionImpl(const BilinearInteractionOptions &options);
  Tensor forward(const Tensor &x, Loc loc = Loc::current());

  BilinearInteractionOptions options;
  /// [E, E] ("all"), [F, E, E] ("each") or [F (F - 1) / 2, E, E]
  /// ("interaction"), each matrix as nn::Linear(E, E)'s weight and
  /// initialisation (uniform of bound 1 / sqrt(E)).
  Tensor weight;
};
DLC_MODULE(BilinearInteraction);

//===----------------------------------------------------------------------===//
// Helpers the models share
//===----------------------------------------------------------------------===//

/// The embedding dim that every sparse and id-list column of `index` shares
/// (0 when there is none). Throws dlc::Error naming `model` and each
/// column's dim when they differ: an interaction of embeddings needs one.
int64_t shared_embedding_dim(const FeatureIndex &index,
                             const std::string &model);

/// The number of embedded fields (sparse and id-list columns) of `index`.
int64_t embedded_field_count(const FeatureIndex &index);

/// The width of combined_dnn_input over `index`: every sparse and id-list
/// column's embedding dim plus every dense column's dimension (DeepCTR's
/// compute_input_dim).
int64_t combined_input_dim(const FeatureIndex &index);

/// The embeddings of `inputs` side by side: [B, F, E] (inputs.sparse is
/// [B, 1, E] each). Throws dlc::Error naming `model` when there is none.
Tensor stacked_embeddings(const Inputs &inputs, const std::string &model);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_INTERACTIONS_H
