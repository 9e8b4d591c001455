//===- Autograd.h - Gradient mode and autograd::grad ----------------------===//
//
// Gradients in dlc are a compiler transformation: backward() and
// autograd::grad record a `dlc.grad` over the forward graph, which the
// dlc-autodiff pass expands when the step is compiled. Tensor::backward,
// grad(), detach() and requires_grad_() are in Tensor.h.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_AUTOGRAD_H
#define DLC_FRONTEND_AUTOGRAD_H

#include "frontend/Tensor.h"

#include <optional>
#include <vector>

namespace dlc {

/// The thread's gradient mode, as `c10::GradMode`.
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// Disables gradient recording in a scope, as `torch::NoGradGuard`: results
/// of ops do not require grad, and leaves that require grad may be updated
/// in place (the optimizer's case).
class NoGradGuard {
public:
  NoGradGuard() : previous(GradMode::is_enabled()) {
    GradMode::set_enabled(false);
  }
  ~NoGradGuard() { GradMode::set_enabled(previous); }
  NoGradGuard(const NoGradGuard &) = delete;
  NoGradGuard &operator=(const NoGradGuard &) = delete;

private:
  bool previous;
};

namespace autograd {

/// Anomaly detection, as torch::autograd::AnomalyMode, for finding where a
/// NaN comes from. While it is enabled every realized graph runs op by op on
/// the reference executor, which checks the floating-point inputs and each
/// op's floating-point results; the first NaN or infinity throws dlc::Error
/// naming the op and the line of the program that recorded it:
///
///   detect_anomaly: dlc.log produced -inf at element 2 of tensor<8xf32>
///   (model.cpp:42)
///
/// A gradient op carries the line of the forward op it differentiates. Much
/// slower than compiled code: for debugging. Process-wide.
struct AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// Enables anomaly detection in a scope, as
/// torch::autograd::DetectAnomalyGuard.
class DetectAnomalyGuard {
public:
  DetectAnomalyGuard() : previous(AnomalyMode::is_enabled()) {
    AnomalyMode::set_enabled(true);
  }
  ~DetectAnomalyGuard() { AnomalyMode::set_enabled(previous); }
  DetectAnomalyGuard(const DetectAnomalyGuard &) = delete;
  DetectAnomalyGuard &operator=(const DetectAnomalyGuard &) = delete;

private:
  bool previous;
};

/// As torch.autograd.set_detect_anomaly.
inline void set_detect_anomaly(bool enabled) {
  AnomalyMode::set_enabled(enabled);
}

/// The gradients of `outputs` with respect to `inputs`, as
/// torch::autograd::grad: `grad_outputs[i]` seeds `outputs[i]` (ones for a
/// one-element output when omitted). With `create_graph` the gradients
/// require grad themselves, so they can be differentiated again. An input
/// the outputs do not depend on is an error unless `allow_unused`, which
/// gives an undefined tensor for it. Without `retain_graph` (which defaults
/// to `create_graph`) the outputs' graph is freed, as by backward().
std::vector<Tensor> grad(const std::vector<Tensor> &outputs,
                         const std::vector<Tensor> &inputs,
                         const std::vector<Tensor> &grad_outputs = {},
                         std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false,
                         Loc loc = Loc::current());

} // namespace autograd
} // namespace dlc

#endif // DLC_FRONTEND_AUTOGRAD_H
