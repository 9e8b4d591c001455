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

/// The gradients of `outputs` with respect to `inputs`, as
/// torch::autograd::grad: `grad_outputs[i]` seeds `outputs[i]` (ones for a
/// one-element output when omitted). With `create_graph` the gradients
/// require grad themselves, so they can be differentiated again. An input
/// the outputs do not depend on is an error unless `allow_unused`, which
/// gives an undefined tensor for it. `retain_graph` is accepted: dlc keeps
/// histories while tensors live.
std::vector<Tensor> grad(const std::vector<Tensor> &outputs,
                         const std::vector<Tensor> &inputs,
                         const std::vector<Tensor> &grad_outputs = {},
                         std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false,
                         Loc loc = Loc::current());

} // namespace autograd
} // namespace dlc

#endif // DLC_FRONTEND_AUTOGRAD_H
