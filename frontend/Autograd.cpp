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

/// PyTorch's message for a gradient through a history a backward() without
/// retain_graph already consumed.
constexpr const char *kFreedMessage =
    "Trying to backward through the graph a second time (or directly access "
    "saved tensors after they have already been freed). Saved intermediate "
    "values of the graph are freed when you call .backward() or "
    "autograd::grad(). Specify retain_graph=true if you need to backward "
    "through the graph a second time or if you need to access saved tensors "
    "after calling backward.";

/// Fails when the history of `root` was consumed and has lost the inputs a
/// gradient needs (its nodes were realized since).
void checkNotFreed(const Recorder &r, const Value &root) {
  bool freed = false;
  walkHistory(root, [&](const Value &v) {
    const Node &node = *v.node;
    if (node.freed && node.inputs.empty())
      freed = true;
    return !freed && !node.leaf.lock();
  });
  if (freed)
    r.fail(kFreedMessage);
}

/// Without retain_graph: the history of `root` (up to the leaves) no longer
/// keeps its inputs once realized, and nothing holds a parameter's old value
/// for another gradient, so the step may update it in its own memory.
void freeHistory(const Value &root) {
  walkHistory(root, [&](const Value &v) {
    Node &node = *v.node;
    if (node.leaf.lock() || node.inputs.empty())
      return false;
    // The nodes that keep their inputs for gradients (the results of ops
    // on tensors that require grad; data and labels stay as they are).
    if (node.requiresGrad) {
      node.requiresGrad = false;
      node.freed = true;
    }
    return true;
  });
}

/// How the history reads a leaf's value: only through lookups that asked
/// for a sparse gradient (their rows and indices), or some other way too.
struct Lookups {
  std::vector<Value> rows, indices;
  bool dense = false;
};

/// The lookups of each leaf value in `leaves` along the history of `root`,
/// keyed by the value's node.
std::unordered_map<const Node *, Lookups> findLookups(
    const Value &root,
    const std::vector<std::pair<std::shared_ptr<TensorImpl>, Value>> &leaves) {
  std::unordered_map<const Node *, Lookups> found;
  for (const auto &leaf : leaves)
    found[leaf.second.node.get()];
  walkHistory(root, [&](const Value &v) {
    if (found.count(v.node.get()))
      return false; // a leaf value: its readers were seen
    const Node &node = *v.node;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      auto it = found.find(node.inputs[i].node.get());
      if (it == found.end())
        continue;
      if (node.sparseLookup && i == 0) {
        it->second.rows.push_back(Value{v.node, 0});
        it->second.indices.push_back(node.inputs[1]);
      } else {
        it->second.dense = true;
      }
    }
    return true;
  });
  return found;
}

/// The sparse gradient of a [n, ...] leaf from the adjoints of its lookups:
/// indices [nnz] and values [nnz, ...] concatenated, and the dense tensor
/// they add up to, computed only when read.
Tensor sparseGradient(Recorder &r, const TensorImpl &leaf,
                      const Lookups &lookups, const std::vector<Value> &grads,
                      const Tensor &previous) {
  Shape rest(leaf.shape.begin() + 1, leaf.shape.end());
  std::vector<Value> indices, values;
  if (previous.defined()) {
    indices.push_back(r.value(previous.unsafeGetImpl()->sparseIndices));
    values.push_back(r.value(previous.unsafeGetImpl()->sparseValues));
  }
  for (size_t k = 0; k < lookups.rows.size(); ++k) {
    int64_t n = 1;
    for (int64_t size : lookups.indices[k].type().shape)
      n *= size;
    Value ids = lookups.indices[k];
    if (ids.type().element != detail::ElementType::I64)
      ids = r.cast(ids, kLong);
    indices.push_back(r.reshape(ids, {n}));
    Shape shape{n};
    shape.insert(shape.end(), rest.begin(), rest.end());
    values.push_back(r.reshape(grads[k], shape));
  }
  Value index = indices.size() == 1 ? indices[0] : r.concat(indices, 0);
  Value value = values.size() == 1 ? values[0] : r.concat(values, 0);
  Tensor indexTensor = r.wrap(index, false, leaf.device);
  Tensor valueTensor = r.wrap(value, false, leaf.device);
  Value dense =
      r.scatterAdd(r.splat(0, leaf.dtype, leaf.shape), index, value, 0);
  auto impl = std::make_shared<TensorImpl>(dense, leaf.device);
  impl->sparseIndices = std::move(indexTensor);
  impl->sparseValues = std::move(valueTensor);
  impl->deferred = true;
  return Tensor(std::move(impl));
}

} // namespace

void Tensor::backward(const Tensor &gradient, std::optional<bool> retain_graph,
                      bool create_graph, Loc loc) const {
  Recorder r("backward", loc);
  checkRequiresGrad(r, *this, 0);
  checkNotFreed(r, r.value(*this));
  auto leaves = findLeaves(r.value(*this));
  if (leaves.empty())
    return;
  bool distributed = rt::dist::world_size() > 1;
  // Leaves read only by sparse lookups get a sparse gradient: the adjoints
  // of their lookups' rows, not of the whole table. (Not under create_graph,
  // nor for a DistributedDataParallel parameter, whose gradient is averaged
  // over the processes densely.)
  std::unordered_map<const Node *, Lookups> lookups =
      findLookups(r.value(*this), leaves);
  std::vector<const Lookups *> sparse(leaves.size(), nullptr);
  std::vector<Value> wrt;
  std::vector<size_t> first; // each leaf's first gradient in `grads`
  for (size_t i = 0; i < leaves.size(); ++i) {
    const TensorImpl &leaf = *leaves[i].first;
    const Lookups &found = lookups.at(leaves[i].second.node.get());
    first.push_back(wrt.size());
    if (!found.dense && !found.rows.empty() && !create_graph &&
        !(distributed && leaf.allReduceGrad > 0) && !leaf.shape.empty()) {
      sparse[i] = &found;
      wrt.insert(wrt.end(), found.rows.begin(), found.rows.end());
    } else {
      wrt.push_back(leaves[i].second);
    }
  }
  std::vector<Value> grads = recordGradients(r, {*this}, {gradient}, wrt);
  std::optional<NoGradGuard> noGrad;
  if (!create_graph)
    noGrad.emplace();
  for (size_t i = 0; i < leaves.size(); ++i) {
    TensorImpl &leaf = *leaves[i].first;
    if (sparse[i]) {
      std::vector<Value> rows(grads.begin() + first[i],
                              grads.begin() + first[i] +
                                  sparse[i]->rows.size());
      bool accumulate = leaf.grad.defined() && leaf.grad.is_sparse();
      Tensor g = sparseGradient(r, leaf, *sparse[i], rows,
                                accumulate ? leaf.grad : Tensor());
      leaf.grad = leaf.grad.defined() && !accumulate
                      ? dlc::add(leaf.grad, g, 1, loc)
                      : g;
      continue;
    }
    Value grad = grads[first[i]];
    // A DistributedDataParallel parameter: the mean over the processes
    // (the compiler buckets these and overlaps them with the backward pass).
    if (distributed && leaf.allReduceGrad > 0)
      grad = r.allReduce(grad, /*mean=*/1);
    Tensor g = r.wrap(grad, create_graph, leaf.device);
    leaf.grad = leaf.grad.defined() ? dlc::add(leaf.grad, g, 1, loc) : g;
  }
  if (!retain_graph.value_or(create_graph))
    freeHistory(r.value(*this));
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
  Recorder r("grad", loc);
  if (outputs.empty())
    r.fail("grad requires at least one output");
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    r.fail("got {} grad_outputs for {} outputs", grad_outputs.size(),
           outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    checkRequiresGrad(r, outputs[i], i);
    checkNotFreed(r, r.value(outputs[i]));
  }
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
  if (!retain_graph.value_or(create_graph))
    for (const Tensor &output : outputs)
      freeHistory(r.value(output));
  return results;
}

} // namespace autograd
} // namespace dlc
