//===- Lazy.cpp - Recording, realization and the generator ----------------===//

#include "frontend/detail/Lazy.h"
#include "frontend/Autograd.h"
#include "frontend/Context.h"

#include "codegen/Compiler.h"
#include "runtime/Allocator.h"
#include "runtime/Error.h"
#include "runtime/Executable.h"
#include "runtime/Parallel.h"

#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <ostream>
#include <unordered_map>
#include <unordered_set>

namespace dlc::detail {

//===----------------------------------------------------------------------===//
// Values and types
//===----------------------------------------------------------------------===//

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
  auto node = std::make_shared<Node>();
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

private:
  void runPending(std::vector<Value> outputs);
  void writeBackBorrowed();

  Context() {
    const char *env = std::getenv("DLC_EAGER");
    eager = env && std::strcmp(env, "0") != 0 && *env != '\0';
  }
};

void Context::realizeLocked() {
  // The pending values live tensors hold, in creation order of the tensors:
  // the graph's outputs.
  std::vector<Value> outputs;
  std::unordered_set<ValueKey, ValueKeyHash> seen;
  for (TensorImpl *impl = head; impl; impl = impl->next) {
    const Value &v = impl->value;
    if (!v.isRealized() && seen.insert({v.node.get(), v.index}).second)
      outputs.push_back(v);
  }
  if (!outputs.empty())
    runPending(std::move(outputs));
  writeBackBorrowed();
}

/// Whether a node lies on a path from one of `wrt` to `from` along which a
/// gradient flows, for every node reachable from `from` (memoized in
/// `onPath`). Iterative: histories can be long.
void markPaths(const Node *from, const std::unordered_set<const Node *> &wrt,
               std::unordered_map<const Node *, bool> &onPath) {
  std::vector<std::pair<const Node *, size_t>> stack{{from, 0}};
  onPath.emplace(from, wrt.count(from) > 0);
  while (!stack.empty()) {
    auto &[node, next] = stack.back();
    bool descend = !wrt.count(node) && node->def.op != OpKind::StopGradient;
    if (descend && next < node->inputs.size()) {
      const Node *in = node->inputs[next++].node.get();
      if (onPath.emplace(in, wrt.count(in) > 0).second)
        stack.emplace_back(in, 0);
      continue;
    }
    if (descend)
      for (const Value &in : node->inputs)
        if (onPath[in.node.get()])
          onPath[node] = true;
    stack.pop_back();
  }
}

bool anyRealized(const Node *node) {
  for (const rt::BufferPtr &buffer : node->buffers)
    if (buffer)
      return true;
  return false;
}

/// Realized nodes that a pending dlc.grad must see again: the ops between
/// its wrt values and the value it differentiates are recomputed inside the
/// graph (a gradient needs the ops, not only their results).
std::unordered_set<const Node *>
recomputedForGradients(const std::vector<Value> &outputs) {
  std::vector<const Node *> grads;
  std::unordered_set<const Node *> seen;
  std::vector<const Node *> stack;
  for (const Value &output : outputs)
    if (seen.insert(output.node.get()).second)
      stack.push_back(output.node.get());
  while (!stack.empty()) {
    const Node *node = stack.back();
    stack.pop_back();
    if (node->def.op == OpKind::Grad)
      grads.push_back(node);
    for (const Value &in : node->inputs)
      if (!in.isRealized() && seen.insert(in.node.get()).second)
        stack.push_back(in.node.get());
  }

  std::unordered_set<const Node *> forced;
  std::unordered_set<const Node *> done(grads.begin(), grads.end());
  while (!grads.empty()) {
    const Node *grad = grads.back();
    grads.pop_back();
    std::unordered_set<const Node *> wrt;
    for (size_t i = 1; i <= grad->def.results.size(); ++i)
      wrt.insert(grad->inputs[i].node.get());
    std::unordered_map<const Node *, bool> onPath;
    markPaths(grad->inputs[0].node.get(), wrt, onPath);
    for (auto [node, on] : onPath) {
      if (!on || wrt.count(node))
        continue;
      if (anyRealized(node))
        forced.insert(node);
      if (node->def.op == OpKind::Grad && done.insert(node).second)
        grads.push_back(node);
    }
  }
  return forced;
}

/// The inputs of a realization whose nodes nothing holds after it: no
/// tensor, no node outside the graph, no pending node that keeps its inputs
/// (one a gradient may still be taken through, or one such a node
/// reaches). Their buffers may be written over by the executable.
std::vector<bool> donatableInputs(const std::vector<Node *> &order,
                                  const std::vector<Value> &inputs,
                                  const std::vector<Value> &outputs,
                                  const std::unordered_set<const Node *> &forced) {
  std::vector<bool> donate(inputs.size(), false);
  if (!forced.empty())
    return donate; // histories recomputed for gradients: keep it simple
  std::unordered_set<const Node *> inputNodes;
  for (const Value &in : inputs)
    inputNodes.insert(in.node.get());
  std::unordered_set<const Node *> kept;
  std::vector<const Node *> work;
  for (const Value &output : outputs)
    if (output.node->requiresGrad && kept.insert(output.node.get()).second)
      work.push_back(output.node.get());
  while (!work.empty()) {
    const Node *node = work.back();
    work.pop_back();
    for (const Value &in : node->inputs)
      if (!inputNodes.count(in.node.get()) && kept.insert(in.node.get()).second)
        work.push_back(in.node.get());
  }
  // Every reference to an input node this realization accounts for.
  std::unordered_map<const Node *, long> references;
  std::unordered_set<const Node *> keptInputs;
  for (const Node *node : order)
    for (const Value &in : node->inputs)
      if (inputNodes.count(in.node.get())) {
        ++references[in.node.get()];
        if (kept.count(node))
          keptInputs.insert(in.node.get());
      }
  for (const Value &in : inputs)
    ++references[in.node.get()];
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Node *node = inputs[i].node.get();
    donate[i] = !keptInputs.count(node) && node->buffers.size() == 1 &&
                inputs[i].node.use_count() == references[node];

  }
  return donate;
}

void Context::runPending(std::vector<Value> outputs) {
  std::unordered_set<const Node *> forced = recomputedForGradients(outputs);
  auto isInput = [&](const Value &v) {
    return v.isRealized() && !forced.count(v.node.get());
  };

  // Pending nodes in topological order (iterative: a long loop without
  // realization makes deep chains), and the realized values they read, in
  // the order they are found.
  std::vector<Node *> order;
  std::unordered_map<const Node *, bool> visited;
  std::vector<Value> inputs;
  std::unordered_map<ValueKey, int32_t, ValueKeyHash> inputIndex;
  std::vector<std::pair<Node *, size_t>> stack;
  for (const Value &output : outputs) {
    if (visited.emplace(output.node.get(), true).second)
      stack.emplace_back(output.node.get(), 0);
    while (!stack.empty()) {
      auto &[node, next] = stack.back();
      if (next < node->inputs.size()) {
        const Value &in = node->inputs[next++];
        if (isInput(in)) {
          ValueKey key{in.node.get(), in.index};
          if (inputIndex.emplace(key, static_cast<int32_t>(inputs.size()))
                  .second)
            inputs.push_back(in);
        } else if (visited.emplace(in.node.get(), true).second) {
          stack.emplace_back(in.node.get(), 0);
        }
        continue;
      }
      order.push_back(node);
      stack.pop_back();
    }
  }

  // A realized value that nothing reads after this run gives its buffer
  // to the executable, which may write a result into it: an optimizer's
  // state is updated in place instead of into a fresh buffer.
  std::vector<bool> donate = donatableInputs(order, inputs, outputs, forced);

  mlir::dlc::Graph graph;
  for (const Value &in : inputs)
    graph.addInput(in.type());
  std::unordered_map<const Node *, int32_t> firstResult;
  auto idOf = [&](const Value &v) {
    if (isInput(v))
      return inputIndex.at({v.node.get(), v.index});
    return firstResult.at(v.node.get()) + static_cast<int32_t>(v.index);
  };
  for (Node *node : order) {
    GraphNode def = node->def;
    def.operands.clear();
    for (const Value &in : node->inputs)
      def.operands.push_back(idOf(in));
    firstResult[node] = graph.addNode(std::move(def));
  }
  for (const Value &output : outputs)
    graph.addOutput(idOf(output));

  // Donated buffers leave their nodes (which die with this realization).
  std::vector<rt::BufferPtr> inputBuffers;
  inputBuffers.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    inputBuffers.push_back(donate[i] ? std::move(inputs[i].node->buffers[inputs[i].index])
                                     : inputs[i].buffer());

  std::shared_ptr<rt::Executable> executable =
      mlir::dlc::Compiler::global().getOrCompile(graph);
  std::vector<rt::BufferPtr> results = executable->run(std::move(inputBuffers));
  ++executions;

  for (size_t i = 0; i < outputs.size(); ++i) {
    Node *node = outputs[i].node.get();
    node->buffers.resize(node->def.results.size());
    node->buffers[outputs[i].index] = std::move(results[i]);
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

void realizeAll() {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
  context.realizeLocked();
}

rt::BufferPtr realize(TensorImpl &impl) {
  Context &context = Context::get();
  std::lock_guard<std::mutex> lock(context.mutex);
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
  {
    Context &context = Context::get();
    std::lock_guard<std::mutex> lock(context.mutex);
    old = std::move(impl.value);
    impl.value = std::move(value);
    impl.markLeafValue();
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

} // namespace dlc
