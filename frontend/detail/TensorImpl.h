//===- TensorImpl.h - What a dlc::Tensor handle points to -----------------===//
//
// Frontend-internal. A TensorImpl holds the tensor's current value: a result
// of a lazy node, realized or not. In-place ops rebind the value, so every
// handle sharing the impl sees the update while the graph stays functional.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DETAIL_TENSORIMPL_H
#define DLC_FRONTEND_DETAIL_TENSORIMPL_H

#include "frontend/Tensor.h"
#include "ir/Graph.h"
#include "runtime/Buffer.h"

#include <atomic>
#include <memory>
#include <vector>

namespace dlc::detail {

using mlir::dlc::ElementType;
using mlir::dlc::GraphNode;
using mlir::dlc::OpKind;
using mlir::dlc::TensorType;

struct Node;
using NodePtr = std::shared_ptr<Node>;

/// One result of a node.
struct Value {
  NodePtr node;
  uint32_t index = 0;

  const TensorType &type() const;
  bool isRealized() const;
  /// The buffer of a realized value.
  const rt::BufferPtr &buffer() const;
};

/// A recorded op (or, with no inputs and buffers from the start, data the
/// user handed over). Nodes are immutable once recorded, except that
/// realization fills `buffers` and, when no gradient needs the history,
/// drops `inputs`.
struct Node {
  Node() = default;
  /// Releases the history iteratively: a chain of a million unrealized
  /// nodes must not recurse a million frames deep.
  ~Node();
  Node(const Node &) = delete;
  Node &operator=(const Node &) = delete;

  GraphNode def;
  std::vector<Value> inputs;
  /// Creation order of pending nodes: a realization returns its outputs in
  /// this order, so that a step records the same program every time (the
  /// order its tensors were created in may change: an optimizer's state is
  /// made during the first step, after that step's gradients).
  uint64_t serial = 0;
  /// One per result once realized; empty before.
  std::vector<rt::BufferPtr> buffers;
  /// Some input requires grad: keep the inputs after realization so that
  /// gradients can be taken through this node.
  bool requiresGrad = false;
  /// A backward() without retain_graph went through this node: it no
  /// longer keeps its inputs for another gradient (PyTorch frees the graph),
  /// so that the step can write over them (a parameter updated in place).
  bool freed = false;
  /// For the values of leaf tensors that require grad: the leaf, whose
  /// `.grad` backward() accumulates into.
  std::weak_ptr<TensorImpl> leaf;
  /// A lookup (dlc.gather of rows) asked for a sparse gradient
  /// (embedding(..., sparse=true)): a leaf read only by such lookups gets a
  /// sparse gradient from backward().
  bool sparseLookup = false;

  /// Scratch of the realization walking the graph (under the context's
  /// lock), instead of hash sets: the walk that last saw the node, its
  /// value id or input index there, the references to it, and the walk
  /// that found it kept.
  uint64_t seen = 0;
  int32_t id = 0;
  int32_t uses = 0;
  uint64_t kept = 0;
  /// The same for the search of the paths a gradient flows along.
  uint64_t pathSeen = 0;
  uint64_t wrt = 0;
  bool onPath = false;
};

ScalarType toScalarType(ElementType type);
ElementType toElementType(ScalarType type);

struct TensorImpl : std::enable_shared_from_this<TensorImpl> {
  TensorImpl(Value value, Device device);
  ~TensorImpl();
  TensorImpl(const TensorImpl &) = delete;
  TensorImpl &operator=(const TensorImpl &) = delete;

  /// The current value; rebound by in-place ops (under the context's lock).
  Value value;
  ScalarType dtype;
  /// Never changes: in-place ops keep the shape.
  std::vector<int64_t> shape;
  Device device;
  bool requiresGrad = false;
  /// Created by the user (not computed from tensors that require grad).
  bool isLeaf = true;

  /// The tensor this one is a view of (reshape, transpose, slice, ...), and
  /// how many live views this one has: in-place updates are refused while
  /// either exists, because the functional graph would not propagate them.
  std::weak_ptr<TensorImpl> viewBase;
  std::atomic<int> liveViews{0};

  /// Memory lent by the user (from_blob): results of in-place ops are copied
  /// back into it when realized. A realization on any thread reads it: set
  /// it with lendMemory().
  rt::BufferPtr writeBack;
  /// Sets writeBack under the lock realizations take (a data loader's worker
  /// creates tensors while the training thread realizes).
  void lendMemory(rt::BufferPtr buffer);

  /// The accumulated gradient of a leaf (`Tensor::grad()`).
  Tensor grad;
  /// A sparse tensor (Tensor::is_sparse): the rows `sparseValues[i]` added
  /// at rows `sparseIndices[i]` (int64, [nnz]) of zeros of this shape.
  /// `value` is that sum, computed only when something reads it: `deferred`
  /// keeps sync() from realizing it (the indices and values are realized).
  Tensor sparseIndices, sparseValues;
  bool deferred = false;
  /// backward() averages this leaf's gradient over the processes of a
  /// distributed job before accumulating it (DistributedDataParallel sets
  /// it: the number of wrappers that hold the parameter).
  int allReduceGrad = 0;

  /// Marks the current value as this leaf's (when it requires grad), so that
  /// backward() finds it.
  void markLeafValue();

  /// Creation order, and the context's list of live tensors.
  uint64_t id = 0;
  TensorImpl *prev = nullptr;
  TensorImpl *next = nullptr;
};

} // namespace dlc::detail

#endif // DLC_FRONTEND_DETAIL_TENSORIMPL_H
