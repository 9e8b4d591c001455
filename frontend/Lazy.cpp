//===- Lazy.cpp - Recording, realization and the generator ----------------===//

#include "frontend/detail/Lazy.h"
#include "frontend/Autograd.h"
#include "frontend/Context.h"

#include "codegen/Compiler.h"
#include "runtime/Allocator.h"
#include "runtime/Cuda.h"
#include "runtime/Error.h"
#include "runtime/Executable.h"
#include "runtime/Parallel.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <ostream>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace dlc::detail {

//===----------------------------------------------------------------------===//
// Values and types
//===----------------------------------------------------------------------===//

int32_t graphDevice(Device device) {
  return device.is_cuda() ? std::max<int32_t>(device.index(), 0) + 1 : 0;
}

const TensorType &Value::type() const { return node->def.results[index]; }

bool Value::isRealized() const {
  return index < node->buffers.size() && node->buffers[index] != nullptr;
}

const rt::BufferPtr &Value::buffer() const { return node->buffers[index]; }

ScalarType toScalarType(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return kFloat;
  case ElementType::F64:
    return kDouble;
  case ElementType::I32:
    return kInt;
  case ElementType::I64:
    return kLong;
  case ElementType::I1:
    return kBool;
  }
  return kFloat;
}

ElementType toElementType(ScalarType type) {
  switch (type) {
  case ScalarType::Float:
    return ElementType::F32;
  case ScalarType::Double:
    return ElementType::F64;
  case ScalarType::Int:
    return ElementType::I32;
  case ScalarType::Long:
    return ElementType::I64;
  case ScalarType::Bool:
    return ElementType::I1;
  }
  return ElementType::F32;
}

Node::~Node() {
  std::vector<NodePtr> last;
  auto release = [&](std::vector<Value> &values) {
    for (Value &v : values)
      if (v.node && v.node.use_count() == 1)
        last.push_back(std::move(v.node));
    values.clear();
  };
  release(inputs);
  while (!last.empty()) {
    NodePtr node = std::move(last.back());
    last.pop_back();
    release(node->inputs);
    // `node` goes away here with no inputs left to recurse into.
  }
}

Value makeData(rt::BufferPtr buffer, TensorType type) {
  auto node = std::make_shared<Node>();
  node->def.results.push_back(std::move(type));
  node->buffers.push_back(std::move(buffer));
  return Value{std::move(node), 0};
}

Value makeNode(GraphNode def, std::vector<Value> inputs) {
  static std::atomic<uint64_t> serials{0};
  auto node = std::make_shared<Node>();
  node->serial = ++serials;
  node->def = std::move(def);
  node->inputs = std::move(inputs);
  return Value{std::move(node), 0};
}

//===----------------------------------------------------------------------===//
// The context: live tensors, eager mode, the generator, counters
//===----------------------------------------------------------------------===//

namespace {

struct ValueKey {
  const Node *node;
  uint32_t index;
  bool operator==(const ValueKey &other) const = default;
};

struct ValueKeyHash {
  size_t operator()(const ValueKey &key) const {
    return std::hash<const void *>()(key.node) ^ (size_t(key.index) << 1);
  }
};

/// PyTorch's default seed, so that an unseeded program is still
/// reproducible from run to run.
constexpr uint64_t kDefaultSeed = 67280421310721ull;

class Context {
public:
  static Context &get() {
    // Never destroyed: tensors in static objects outlive any static context.
    static Context *context = new Context();
    return *context;
  }

  std::mutex mutex;
  TensorImpl *head = nullptr;
  TensorImpl *tail = nullptr;
  uint64_t nextId = 0;
  /// Read on every op without the lock.
  std::atomic<bool> eager{false};
  uint64_t seed = kDefaultSeed;
  uint64_t offset = 0;
  int64_t executions = 0;

  void link(TensorImpl *impl) {
    impl->id = nextId++;
    impl->prev = tail;
    impl->next = nullptr;
    (tail ? tail->next : head) = impl;
    tail = impl;
  }

  void unlink(TensorImpl *impl) {
    (impl->prev ? impl->prev->next : head) = impl->next;
    (impl->next ? impl->next->prev : tail) = impl->prev;
  }

  void realizeLocked();
  /// The same for the pending values of `impls` only.
  void realizeSomeLocked(const std::vector<TensorImpl *> &impls);

private:
  /// Compiles and runs the graph computing `outputs`, for `device` (as
  /// Graph::setDevice: 0 the CPU, n + 1 CUDA device n).
  void runPending(std::vector<Value> outputs, int32_t device);
  /// The pending nodes `outputs` need, in topological order, and the
  /// realized values they read (`forced` nodes count as pending). Returns
  /// whether a dlc.grad is among them.
  bool collect(const std::vector<Value> &outputs,
               const std::unordered_set<const Node *> &forced,
               std::vector<Node *> &order, std::vector<Value> &inputs);
  int32_t idOf(const Value &v,
               const std::unordered_set<const Node *> &forced) const;
  std::unordered_set<const Node *>
  recomputedForGradients(const std::vector<Node *> &order);
  std::vector<bool> donatableInputs(const std::vector<Node *> &order,
                                    const std::vector<Value> &inputs,
                                    const std::vector<Value> &outputs);

  /// Counts the walks over the graph (Node::seen, Node::kept).
  uint64_t walks = 0;
  /// Input indices of values of realized nodes with several results.
  std::unordered_map<ValueKey, int32_t, ValueKeyHash> multiInputIndex;
  /// The signature of the graph being realized (reused buffer).
  std::vector<uint64_t> signatureWords;
  void writeBackBorrowed();

  Context() {
    const char *env = std::getenv("DLC_EAGER");
    eager = env && std::strcmp(env, "0") != 0 && *env != '\0';
  }
};

void Context::realizeLocked() {
  std::vector<TensorImpl *> live;
  for (TensorImpl *impl = head; impl; impl = impl->next)
    if (!impl->value.isRealized() && !impl->deferred)
      live.push_back(impl);
  realizeSomeLocked(live);
}

void Context::realizeSomeLocked(const std::vector<TensorImpl *> &impls) {
  // The pending values of `impls`: the graph's outputs, in the order their
  // nodes were created (Node::serial). One graph per device: ops never mix
  // devices (Recorder::result checks), so the values of one device's
  // tensors depend on that device's alone.
  std::vector<std::pair<int32_t, std::vector<Value>>> byDevice;
  uint64_t pass = ++walks;
  std::unordered_set<ValueKey, ValueKeyHash>
      seenMulti; // nodes of several results
  for (TensorImpl *impl : impls) {
    const Value &v = impl->value;
    if (v.isRealized() || impl->deferred)
      continue;
    Node *node = v.node.get();
    if (node->def.results.size() == 1) {
      if (node->seen == pass)
        continue;
      node->seen = pass;
    } else if (!seenMulti.insert({node, v.index}).second) {
      continue;
    }
    int32_t device = graphDevice(impl->device);
    auto group = std::find_if(byDevice.begin(), byDevice.end(),
                              [&](const auto &g) { return g.first == device; });
    if (group == byDevice.end()) {
      byDevice.emplace_back(device, std::vector<Value>());
      group = std::prev(byDevice.end());
    }
    group->second.push_back(v);
  }
  for (auto &[device, outputs] : byDevice) {
    std::stable_sort(outputs.begin(), outputs.end(),
                     [](const Value &a, const Value &b) {
                       return std::tie(a.node->serial, a.index) <
                              std::tie(b.node->serial, b.index);
                     });
    runPending(std::move(outputs), device);
  }
  writeBackBorrowed();
}

/// Marks (Node::onPath, for the walk `pass`) whether a node lies on a path
/// from a `wrt` node (Node::wrt == pass) to `from` along which a gradient
/// flows, for every node reachable from `from`; appends those nodes to
/// `reached`. Iterative: histories can be long.
void markPaths(Node *from, uint64_t pass, std::vector<Node *> &reached) {
  std::vector<std::pair<Node *, size_t>> stack{{from, 0}};
  from->pathSeen = pass;
  from->onPath = from->wrt == pass;
  reached.push_back(from);
  while (!stack.empty()) {
    auto &[node, next] = stack.back();
    bool descend = node->wrt != pass && node->def.op != OpKind::StopGradient;
    if (descend && next < node->inputs.size()) {
      Node *in = node->inputs[next++].node.get();
      if (in->pathSeen != pass) {
        in->pathSeen = pass;
        in->onPath = in->wrt == pass;
        reached.push_back(in);
        stack.emplace_back(in, 0);
      }
      continue;
    }
    if (descend)
      for (const Value &in : node->inputs)
        if (in.node->onPath)
          node->onPath = true;
    stack.pop_back();
  }
}

bool anyRealized(const Node *node) {
  for (const rt::BufferPtr &buffer : node->buffers)
    if (buffer)
      return true;
  return false;
}

/// Realized nodes that the pending dlc.grad nodes (in `order`) must see
/// again: the ops between its wrt values and the value it differentiates
/// are recomputed inside the graph (a gradient needs the ops, not only
/// their results).
std::unordered_set<const Node *>
Context::recomputedForGradients(const std::vector<Node *> &order) {
  std::vector<Node *> grads;
  for (Node *node : order)
    if (node->def.op == OpKind::Grad)
      grads.push_back(node);
  std::unordered_set<const Node *> forced;
  std::unordered_set<const Node *> done(grads.begin(), grads.end());
  std::vector<Node *> reached;
  while (!grads.empty()) {
    Node *grad = grads.back();
    grads.pop_back();
    uint64_t pass = ++walks;
    for (size_t i = 1; i <= grad->def.results.size(); ++i)
      grad->inputs[i].node->wrt = pass;
    reached.clear();
    markPaths(grad->inputs[0].node.get(), pass, reached);
    for (Node *node : reached) {
      if (!node->onPath || node->wrt == pass)
        continue;
      if (anyRealized(node))
        forced.insert(node);
      if (node->def.op == OpKind::Grad && done.insert(node).second)
        grads.push_back(node);
    }
  }
  return forced;
}

bool Context::collect(const std::vector<Value> &outputs,
                      const std::unordered_set<const Node *> &forced,
                      std::vector<Node *> &order, std::vector<Value> &inputs) {
  order.clear();
  inputs.clear();
  multiInputIndex.clear();
  uint64_t pass = ++walks;
  bool hasGrad = false;
  auto isInput = [&](const Value &v) {
    return v.isRealized() && (forced.empty() || !forced.count(v.node.get()));
  };
  auto addInput = [&](const Value &in) {
    Node *node = in.node.get();
    if (node->def.results.size() != 1) {
      if (multiInputIndex
              .emplace(ValueKey{node, in.index},
                       static_cast<int32_t>(inputs.size()))
              .second)
        inputs.push_back(in);
      return;
    }
    if (node->seen == pass)
      return;
    node->seen = pass;
    node->id = static_cast<int32_t>(inputs.size());
    node->uses = 0;
    inputs.push_back(in);
  };
  // Iterative: a long loop without realization makes deep chains.
  std::vector<std::pair<Node *, size_t>> stack;
  for (const Value &output : outputs) {
    Node *root = output.node.get();
    if (root->seen == pass)
      continue;
    root->seen = pass;
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto &[node, next] = stack.back();
      if (next < node->inputs.size()) {
        const Value &in = node->inputs[next++];
        if (isInput(in)) {
          addInput(in);
        } else if (in.node->seen != pass) {
          in.node->seen = pass;
          stack.emplace_back(in.node.get(), 0);
        }
        continue;
      }
      hasGrad = hasGrad || node->def.op == OpKind::Grad;
      order.push_back(node);
      stack.pop_back();
    }
  }
  return hasGrad;
}

int32_t Context::idOf(const Value &v,
                      const std::unordered_set<const Node *> &forced) const {
  const Node *node = v.node.get();
  if (v.isRealized() && (forced.empty() || !forced.count(node))) {
    if (node->def.results.size() != 1)
      return multiInputIndex.at({node, v.index});
    return node->id;
  }
  return node->id + static_cast<int32_t>(v.index);
}

/// The inputs of a realization whose nodes nothing holds after it: no
/// tensor, no node outside the graph, no pending node that keeps its inputs
/// (one a gradient may still be taken through, or one such a node
/// reaches). Their buffers may be written over by the executable.
std::vector<bool> Context::donatableInputs(const std::vector<Node *> &order,
                                           const std::vector<Value> &inputs,
                                           const std::vector<Value> &outputs) {
  std::vector<bool> donate(inputs.size(), false);
  uint64_t pass = ++walks;
  std::vector<Node *> work;
  for (const Value &output : outputs)
    if (output.node->requiresGrad && output.node->kept != pass) {
      output.node->kept = pass;
      work.push_back(output.node.get());
    }
  while (!work.empty()) {
    Node *node = work.back();
    work.pop_back();
    for (const Value &in : node->inputs)
      if (!in.isRealized() && in.node->kept != pass) {
        in.node->kept = pass;
        work.push_back(in.node.get());
      }
  }
  // Every reference to an input node this realization accounts for; an
  // input read by a kept node is kept too (marked with this pass).
  for (const Node *node : order)
    for (const Value &in : node->inputs)
      if (in.isRealized()) {
        ++in.node->uses;
        if (node->kept == pass)
          in.node->kept = pass;
      }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Node *node = inputs[i].node.get();
    // One reference more: the copy in `inputs`.
    donate[i] = node->def.results.size() == 1 && node->kept != pass &&
                inputs[i].node.use_count() == node->uses + 1;
  }
  return donate;
}

void Context::runPending(std::vector<Value> outputs, int32_t device) {
  std::unordered_set<const Node *> forced;
  std::vector<Node *> order;
  std::vector<Value> inputs;
  if (collect(outputs, forced, order, inputs)) {
    // Gradients over realized values recompute what they need.
    forced = recomputedForGradients(order);
    if (!forced.empty())
      collect(outputs, forced, order, inputs);
  }

  // The signature, straight from the nodes: a cache hit builds no Graph.
  std::vector<uint64_t> &words = signatureWords;
  words.clear();
  mlir::dlc::SignatureBuilder signature(words);
  signature.begin(device, inputs.size());
  for (const Value &in : inputs)
    signature.input(in.type());
  int32_t next = static_cast<int32_t>(inputs.size());
  std::vector<int32_t> operands;
  for (Node *node : order) {
    operands.clear();
    for (const Value &in : node->inputs)
      operands.push_back(idOf(in, forced));
    node->id = next;
    next += static_cast<int32_t>(node->def.results.size());
    signature.node(node->def, operands.data(), operands.size());
  }
  std::vector<int32_t> results;
  for (const Value &output : outputs)
    results.push_back(idOf(output, forced));
  signature.outputs(results.data(), results.size());

  auto build = [&] {
    mlir::dlc::Graph graph;
    graph.setDevice(device);
    for (const Value &in : inputs)
      graph.addInput(in.type());
    for (Node *node : order) {
      GraphNode def = node->def;
      def.operands.clear();
      for (const Value &in : node->inputs)
        def.operands.push_back(idOf(in, forced));
      graph.addNode(std::move(def));
    }
    for (int32_t id : results)
      graph.addOutput(id);
    return graph;
  };
  std::shared_ptr<rt::Executable> executable =
      (autograd::AnomalyMode::is_enabled()
           ? mlir::dlc::Compiler::anomalyChecking()
           : mlir::dlc::Compiler::global())
          .getOrCompile(words, build);

  // A realized value that nothing reads after this run gives its buffer
  // to the executable, which may write a result into it: an optimizer's
  // state is updated in place instead of into a fresh buffer. (Not when
  // histories are recomputed for gradients: kept simple.)
  std::vector<bool> donate = forced.empty()
                                 ? donatableInputs(order, inputs, outputs)
                                 : std::vector<bool>(inputs.size(), false);
  std::vector<rt::BufferPtr> inputBuffers;
  inputBuffers.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    inputBuffers.push_back(
        donate[i] ? std::move(inputs[i].node->buffers[inputs[i].index])
                  : inputs[i].buffer());
  // CPU scalars a GPU graph reads (Recorder::checkSameDevice lets them
  // mix) go over now.
  if (device > 0)
    for (rt::BufferPtr &buffer : inputBuffers)
      if (buffer && buffer->device().is_cpu())
        buffer =
            copyBuffer(buffer, Device(kCUDA, static_cast<int8_t>(device - 1)));
  std::vector<rt::BufferPtr> buffers = executable->run(std::move(inputBuffers));
  ++executions;

  for (size_t i = 0; i < outputs.size(); ++i) {
    Node *node = outputs[i].node.get();
    node->buffers.resize(node->def.results.size());
    node->buffers[outputs[i].index] = std::move(buffers[i]);
  }
  // Realized values stand for their history from now on, unless a gradient
  // may still be taken through it.
  for (const Value &output : outputs) {
    Node *node = output.node.get();
    bool complete = true;
    for (const rt::BufferPtr &buffer : node->buffers)
      complete = complete && buffer != nullptr;
    if (complete && !node->requiresGrad)
      node->inputs.clear();
  }
}

void Context::writeBackBorrowed() {
  // Results of in-place updates of borrowed memory go back into it.
  for (TensorImpl *impl = head; impl; impl = impl->next) {
    if (!impl->writeBack || impl->value.buffer() == impl->writeBack)
      continue;
    std::memcpy(impl->writeBack->data(), impl->value.buffer()->data(),
                impl->writeBack->size());
    impl->value = makeData(impl->writeBack, impl->value.type());
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// TensorImpl
//===----------------------------------------------------------------------===//

TensorImpl::TensorImpl(Value v, Device device)
    : value(std::move(v)), dtype(toScalarType(value.type().element)),
      shape(value.type().shape), device(device) {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  context.link(this);
}

void TensorImpl::lendMemory(rt::BufferPtr buffer) {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  writeBack = std::move(buffer);
}

void TensorImpl::markLeafValue() {
  // Backward stops at leaves, so their values need no history of their own.
  if (requiresGrad && isLeaf)
    value.node->leaf = weak_from_this();
}

TensorImpl::~TensorImpl() {
  {
    Context &context = Context::get();
    std::lock_guard<std::mutex> lock(context.mutex);
    context.unlink(this);
  }
  // Outside the lock: releasing the base may destroy it, which locks.
  if (std::shared_ptr<TensorImpl> base = viewBase.lock())
    --base->liveViews;
}

//===----------------------------------------------------------------------===//
// Realization and in-place rebinding
//===----------------------------------------------------------------------===//

rt::BufferPtr copyBuffer(const rt::BufferPtr &buffer, Device device) {
  return rt::cuda::copyBuffer(buffer, device);
}

void realizeAll() {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  context.realizeLocked();
}

void realizeOnly(const std::vector<Tensor> &tensors) {
  std::vector<TensorImpl *> impls;
  for (const Tensor &t : tensors)
    if (t.defined())
      impls.push_back(t.unsafeGetImpl());
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  context.realizeSomeLocked(impls);
}

rt::BufferPtr realize(TensorImpl &impl) {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  // A deferred (sparse) tensor is computed once it is read.
  impl.deferred = false;
  if (!impl.value.isRealized())
    context.realizeLocked();
  return impl.value.buffer();
}

rt::BufferPtr bufferIfRealized(const Value &value) {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  return value.isRealized() ? value.buffer() : nullptr;
}

void rebind(TensorImpl &impl, Value value) {
  Value old;
  Tensor oldIndices, oldValues;
  {
    Context &context = Context::get();
    std::lock_guard<std::mutex> lock(context.mutex);
    old = std::move(impl.value);
    impl.value = std::move(value);
    impl.markLeafValue();
    // Updated in place, a sparse tensor is a dense one.
    oldIndices = std::move(impl.sparseIndices);
    oldValues = std::move(impl.sparseValues);
    impl.sparseIndices = Tensor();
    impl.sparseValues = Tensor();
    impl.deferred = false;
  }
  // `old` (and maybe its history) is released here, outside the lock.
}

bool eagerEnabled() {
  return Context::get().eager.load(std::memory_order_relaxed);
}

std::pair<uint64_t, uint64_t> nextRandomOffset(uint64_t count) {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  std::pair<uint64_t, uint64_t> result{context.seed, context.offset};
  context.offset += count;
  return result;
}

} // namespace dlc::detail

//===----------------------------------------------------------------------===//
// dlc's own functions
//===----------------------------------------------------------------------===//

namespace dlc {

void sync() { detail::realizeAll(); }

void set_eager(bool eager) {
  detail::Context::get().eager = eager;
  // Values recorded before the switch run now, so that eager mode really
  // runs op by op from here on.
  if (eager)
    detail::realizeAll();
}

bool is_eager() { return detail::eagerEnabled(); }

void set_num_threads(int threads) {
  if (threads < 1)
    throw Error(fmt::format(
        "set_num_threads: expected a positive number of threads, got {}",
        threads));
  rt::setNumThreads(threads);
}

int get_num_threads() { return rt::getNumThreads(); }

void manual_seed(uint64_t seed) {
  auto &context = detail::Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  context.seed = seed;
  context.offset = 0;
}

RngState get_rng_state() {
  auto &context = detail::Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  return {context.seed, context.offset};
}

void set_rng_state(const RngState &state) {
  auto &context = detail::Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  context.seed = state.seed;
  context.offset = state.offset;
}

Stats stats() {
  Stats result;
  mlir::dlc::CompilerStats compiler = mlir::dlc::Compiler::global().stats();
  result.cache_hits = compiler.cacheHits;
  result.cache_misses = compiler.cacheMisses;
  result.compile_seconds = compiler.compileSeconds;
  result.kernels = compiler.kernels;
  {
    auto &context = detail::Context::get();
    std::lock_guard<std::mutex> lock(context.mutex);
    result.executions = context.executions;
  }
  rt::AllocatorStats memory = rt::CachingAllocator::host().stats();
  result.bytes_allocated = memory.allocatedBytes;
  result.peak_bytes_allocated = memory.peakAllocatedBytes;
  result.bytes_reserved = memory.reservedBytes;
  return result;
}

void reset_stats() {
  mlir::dlc::Compiler::global().resetStats();
  {
    auto &context = detail::Context::get();
    std::lock_guard<std::mutex> lock(context.mutex);
    context.executions = 0;
  }
  rt::CachingAllocator::host().resetPeakStats();
}

std::ostream &operator<<(std::ostream &os, const Stats &stats) {
  return os << "cache hits:       " << stats.cache_hits << '\n'
            << "cache misses:     " << stats.cache_misses << '\n'
            << "compile seconds:  " << stats.compile_seconds << '\n'
            << "kernels compiled: " << stats.kernels << '\n'
            << "executions:       " << stats.executions << '\n'
            << "bytes allocated:  " << stats.bytes_allocated << '\n'
            << "peak allocated:   " << stats.peak_bytes_allocated << '\n'
            << "bytes reserved:   " << stats.bytes_reserved << '\n';
}

namespace {
thread_local bool gradEnabled = true;
} // namespace

bool GradMode::is_enabled() { return gradEnabled; }
void GradMode::set_enabled(bool enabled) { gradEnabled = enabled; }

namespace {
std::atomic<bool> anomalyEnabled{false};
} // namespace

bool autograd::AnomalyMode::is_enabled() { return anomalyEnabled; }
void autograd::AnomalyMode::set_enabled(bool enabled) {
  anomalyEnabled = enabled;
}

} // namespace dlc
