//===- Autograd.cpp - backward(), autograd::grad, detach() ----------------===//
//
// Records `dlc.grad` nodes over the forward history; dlc-autodiff expands
// them when the step compiles. Which values to differentiate with respect to
// is found by walking the history back from the output: the values of leaf
// tensors that require grad (backward), or the given inputs (grad).
//
//===----------------------------------------------------------------------===//

#include "frontend/Autograd.h"
#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"
#include "runtime/Distributed.h"

#include <unordered_map>
#include <unordered_set>

namespace dlc {

using detail::Node;
using detail::Recorder;
using detail::Shape;
using detail::TensorImpl;
using detail::Value;

namespace {

/// Calls `visit(value)` for every value reachable from `from` through nodes
/// a gradient flows through (not past stop_gradient, not past a node for
/// which `visit` returns false). Iterative.
template <typename F>
void walkHistory(const Value &from, F &&visit) {
  std::unordered_set<const Node *> seen{from.node.get()};
  std::vector<Value> stack{from};
  while (!stack.empty()) {
    Value v = std::move(stack.back());
    stack.pop_back();
    if (!visit(v) || v.node->def.op == detail::OpKind::StopGradient)
      continue;
    for (const Value &in : v.node->inputs)
      if (seen.insert(in.node.get()).second)
        stack.push_back(in);
  }
}

/// The leaves that require grad in the history of `root`, with the value of
/// each that the history uses (a leaf updated in place since appears with
/// each value it had).
std::vector<std::pair<std::shared_ptr<TensorImpl>, Value>>
findLeaves(const Value &root) {
  std::vector<std::pair<std::shared_ptr<TensorImpl>, Value>> leaves;
  walkHistory(root, [&](const Value &v) {
    std::shared_ptr<TensorImpl> leaf = v.node->leaf.lock();
    if (!leaf || !leaf->requiresGrad)
      return true;
    leaves.emplace_back(std::move(leaf), v);
    return false; // the walk stops at a leaf
  });
  return leaves;
}

/// The seed of `output` for a gradient: `gradient` converted to its type, or
/// ones for a one-element output.
Value seedFor(Recorder &r, const Tensor &output, const Tensor &gradient,
              size_t index) {
  const Shape &shape = r.shape(output);
  ScalarType type = r.dtype(output);
  if (!gradient.defined()) {
    int64_t numel = 1;
    for (int64_t s : shape)
      numel *= s;
    if (numel != 1)
      r.fail("grad can be implicitly created only for scalar outputs; output "
             "{} has "
             "shape {}",
             index, detail::formatShape(shape));
    return r.splat(1, type, shape);
  }
  if (r.shape(gradient) != shape)
    r.fail("Mismatch in shape: grad_output[{}] has a shape of {} and "
           "output[{}] has a "
           "shape of {}",
           index, detail::formatShape(r.shape(gradient)), index,
           detail::formatShape(shape));
  return r.cast(r.value(gradient), type);
}

void checkRequiresGrad(const Recorder &r, const Tensor &output, size_t index) {
  if (!r.impl(output).requiresGrad)
    r.fail("element {} of tensors does not require grad and does not have a "
           "grad_fn",
           index);
}

/// The gradients of `outputs` (seeded) with respect to `wrt`, recorded as one
/// dlc.grad; several outputs are summed into one scalar first.
std::vector<Value> recordGradients(Recorder &r,
                                   const std::vector<Tensor> &outputs,
                                   const std::vector<Tensor> &gradOutputs,
                                   const std::vector<Value> &wrt) {
  if (outputs.size() == 1) {
    const Tensor &gradient = gradOutputs.empty() ? Tensor() : gradOutputs[0];
    Value seed = seedFor(r, outputs[0], gradient, 0);
    return r.grad(r.value(outputs[0]), wrt, seed);
  }
  // The gradient of sum_i <outputs[i], seed[i]> is the sum of the seeded
  // gradients of each output.
  std::optional<Value> total;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor &gradient = i < gradOutputs.size() ? gradOutputs[i] : Tensor();
    Value seed = seedFor(r, outputs[i], gradient, i);
    Value product = r.binary(detail::OpKind::Mul, r.value(outputs[i]), seed);
    Shape all;
    for (size_t d = 0; d < r.shape(outputs[i]).size(); ++d)
      all.push_back(static_cast<int64_t>(d));
    Value dot = r.cast(r.reduce(detail::OpKind::ReduceSum, product, all, false),
                       kDouble);
    total = total ? r.binary(detail::OpKind::Add, *total, dot) : dot;
  }
  return r.grad(*total, wrt, std::nullopt);
}

} // namespace

void Tensor::backward(const Tensor &gradient, std::optional<bool> retain_graph,
                      bool create_graph, Loc loc) const {
  (void)retain_graph;
  Recorder r("backward", loc);
  checkRequiresGrad(r, *this, 0);
  auto leaves = findLeaves(r.value(*this));
  if (leaves.empty())
    return;
  std::vector<Value> wrt;
  for (const auto &leaf : leaves)
    wrt.push_back(leaf.second);
  std::vector<Value> grads = recordGradients(r, {*this}, {gradient}, wrt);
  std::optional<NoGradGuard> noGrad;
  if (!create_graph)
    noGrad.emplace();
  bool distributed = rt::dist::world_size() > 1;
  for (size_t i = 0; i < leaves.size(); ++i) {
    TensorImpl &leaf = *leaves[i].first;
    // A DistributedDataParallel parameter: the mean over the processes
    // (the compiler buckets these and overlaps them with the backward pass).
    if (distributed && leaf.allReduceGrad > 0)
      grads[i] = r.allReduce(grads[i], /*mean=*/1);
    Tensor g = r.wrap(grads[i], create_graph, leaf.device);
    leaf.grad = leaf.grad.defined() ? dlc::add(leaf.grad, g, 1, loc) : g;
  }
}

const Tensor &Tensor::grad(Loc loc) const {
  return Recorder("grad", loc).impl(*this).grad;
}

Tensor &Tensor::mutable_grad(Loc loc) const {
  return Recorder("mutable_grad", loc).impl(*this).grad;
}

Tensor Tensor::detach(Loc loc) const {
  Recorder r("detach", loc);
  return r.result(r.stopGradient(r.value(*this)), {});
}

void Tensor::set_data(const Tensor &new_data, Loc loc) const {
  Recorder r("set_data", loc);
  TensorImpl &target = r.impl(*this);
  TensorImpl &source = r.impl(new_data);
  if (&target == &source)
    return;
  if (source.shape != target.shape)
    r.fail("expected new data of shape {}, got {}: dlc's tensors keep their "
           "shape",
           detail::formatShape(target.shape),
           detail::formatShape(source.shape));
  if (target.requiresGrad && !isFloatingType(source.dtype))
    r.fail("a tensor that requires grad cannot hold data of type {}",
           dlc::toString(source.dtype));
  {
    NoGradGuard noGrad; // views are refused; a leaf that requires grad is not
    r.checkInPlace(*this, target.dtype);
  }
  Value value = r.stopGradient(r.value(new_data));
  if (source.dtype != target.dtype || source.device != target.device)
    target.grad = Tensor();
  target.writeBack = nullptr;
  target.dtype = source.dtype;
  target.device = source.device;
  detail::rebind(target, std::move(value));
}

namespace autograd {

std::vector<Tensor> grad(const std::vector<Tensor> &outputs,
                         const std::vector<Tensor> &inputs,
                         const std::vector<Tensor> &grad_outputs,
                         std::optional<bool> retain_graph, bool create_graph,
                         bool allow_unused, Loc loc) {
  (void)retain_graph;
  Recorder r("grad", loc);
  if (outputs.empty())
    r.fail("grad requires at least one output");
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    r.fail("got {} grad_outputs for {} outputs", grad_outputs.size(),
           outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i)
    checkRequiresGrad(r, outputs[i], i);
  std::vector<Value> wrt;
  for (const Tensor &input : inputs) {
    if (!r.impl(input).requiresGrad)
      r.fail("One of the differentiated Tensors does not require grad");
    wrt.push_back(r.value(input));
  }
  // Which inputs the outputs depend on.
  std::unordered_set<const Node *> reached;
  for (const Tensor &output : outputs)
    walkHistory(r.value(output), [&](const Value &v) {
      reached.insert(v.node.get());
      return true;
    });
  std::vector<bool> used;
  for (size_t i = 0; i < inputs.size(); ++i) {
    used.push_back(reached.count(wrt[i].node.get()) > 0);
    if (!used.back() && !allow_unused)
      r.fail("One of the differentiated Tensors appears to not have been used "
             "in the "
             "graph. Set allow_unused=True if this is the desired behavior.");
  }
  std::vector<Value> grads = recordGradients(r, outputs, grad_outputs, wrt);
  std::optional<NoGradGuard> noGrad;
  if (!create_graph)
    noGrad.emplace();
  std::vector<Tensor> results;
  for (size_t i = 0; i < inputs.size(); ++i)
    results.push_back(
        used[i] ? r.wrap(grads[i], create_graph, r.impl(inputs[i]).device)
                : Tensor());
  return results;
}

} // namespace autograd
} // namespace dlc
