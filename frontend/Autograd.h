//===- Autograd.h - Gradient mode -----------------------------------------===//
//
// Whether new ops record gradient history. The autodiff pass and
// backward()/autograd::grad build on this.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_AUTOGRAD_H
#define DLC_FRONTEND_AUTOGRAD_H

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

} // namespace dlc

#endif // DLC_FRONTEND_AUTOGRAD_H
