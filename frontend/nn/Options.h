//===- Options.h - Enum tags shared by layers, losses and init ------------===//
//
// LibTorch passes choices as tag constants (`torch::kMean`, `torch::kSum`,
// `torch::kFanIn`, ...), several of which serve more than one option (kSum
// is a loss reduction and an EmbeddingBag mode). Here each tag converts to
// the enum of every option that takes it.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_NN_OPTIONS_H
#define DLC_FRONTEND_NN_OPTIONS_H

namespace dlc {

/// How a loss reduces over the batch.
enum class Reduction { None, Mean, Sum };
/// How EmbeddingBag combines a bag.
enum class EmbeddingBagMode { Sum, Mean, Max };
/// Which fan nn::init's Kaiming functions scale by.
enum class FanMode { FanIn, FanOut };
/// The nonlinearity nn::init::calculate_gain is for.
enum class Nonlinearity { Linear, Sigmoid, Tanh, ReLU, LeakyReLU };

namespace enumtype {
struct kNone {
  constexpr operator Reduction() const { return Reduction::None; }
};
struct kMean {
  constexpr operator Reduction() const { return Reduction::Mean; }
  constexpr operator EmbeddingBagMode() const { return EmbeddingBagMode::Mean; }
};
struct kSum {
  constexpr operator Reduction() const { return Reduction::Sum; }
  constexpr operator EmbeddingBagMode() const { return EmbeddingBagMode::Sum; }
};
struct kMax {
  constexpr operator EmbeddingBagMode() const { return EmbeddingBagMode::Max; }
};
struct kFanIn {
  constexpr operator FanMode() const { return FanMode::FanIn; }
};
struct kFanOut {
  constexpr operator FanMode() const { return FanMode::FanOut; }
};
struct kLinear {
  constexpr operator Nonlinearity() const { return Nonlinearity::Linear; }
};
struct kSigmoid {
  constexpr operator Nonlinearity() const { return Nonlinearity::Sigmoid; }
};
struct kTanh {
  constexpr operator Nonlinearity() const { return Nonlinearity::Tanh; }
};
struct kReLU {
  constexpr operator Nonlinearity() const { return Nonlinearity::ReLU; }
};
struct kLeakyReLU {
  constexpr operator Nonlinearity() const { return Nonlinearity::LeakyReLU; }
};
} // namespace enumtype

inline constexpr enumtype::kNone kNone{};
inline constexpr enumtype::kMean kMean{};
inline constexpr enumtype::kSum kSum{};
inline constexpr enumtype::kMax kMax{};
inline constexpr enumtype::kFanIn kFanIn{};
inline constexpr enumtype::kFanOut kFanOut{};
inline constexpr enumtype::kLinear kLinear{};
inline constexpr enumtype::kSigmoid kSigmoid{};
inline constexpr enumtype::kTanh kTanh{};
inline constexpr enumtype::kReLU kReLU{};
inline constexpr enumtype::kLeakyReLU kLeakyReLU{};

} // namespace dlc

#endif // DLC_FRONTEND_NN_OPTIONS_H
