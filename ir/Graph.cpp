//===- Graph.cpp - The recorded graph, before it becomes MLIR -------------===//

#include "ir/Graph.h"

#include <bit>
#include <cassert>
#include <cstring>

namespace mlir::dlc {

int64_t TensorType::numElements() const {
  int64_t n = 1;
  for (int64_t size : shape)
    n *= size;
  return n;
}

static const char *const kOpNames[kNumOpKinds] = {
    "dlc.abs",         "dlc.erf",
    "dlc.exp",         "dlc.log",
    "dlc.log1p",       "dlc.neg",
    "dlc.not",         "dlc.relu",
    "dlc.rsqrt",       "dlc.sigmoid",
    "dlc.sign",        "dlc.sqrt",
    "dlc.tanh",        "dlc.add",
    "dlc.and",         "dlc.div",
    "dlc.max",         "dlc.min",
    "dlc.mul",         "dlc.or",
    "dlc.pow",         "dlc.sub",
    "dlc.xor",         "dlc.compare",
    "dlc.select",      "dlc.cast",
    "dlc.constant",    "dlc.broadcast_in_dim",
    "dlc.concat",      "dlc.reshape",
    "dlc.slice",       "dlc.transpose",
    "dlc.reduce_max",  "dlc.reduce_min",
    "dlc.reduce_sum",  "dlc.matmul",
    "dlc.gather",      "dlc.scatter_add",
    "dlc.iota",        "dlc.random",
    "dlc.grad",        "dlc.stop_gradient",
    "dlc.log_softmax", "dlc.softmax",
    "dlc.all_reduce",  "dlc.first_occurrence",
};

const char *getOpName(OpKind kind) { return kOpNames[static_cast<int>(kind)]; }

bool lookupOpKind(const std::string &name, OpKind &kind) {
  for (int i = 0; i < kNumOpKinds; ++i) {
    if (name == kOpNames[i]) {
      kind = static_cast<OpKind>(i);
      return true;
    }
  }
  return false;
}

int32_t Graph::addInput(TensorType type) {
  // Inputs precede every node's results.
  assert(nodes.empty() && "inputs must be added before nodes");
  inputs.push_back(std::move(type));
  definitions.push_back({-1, static_cast<int32_t>(inputs.size() - 1)});
  return static_cast<int32_t>(definitions.size() - 1);
}

int32_t Graph::addNode(GraphNode node) {
  int32_t first = static_cast<int32_t>(definitions.size());
  int32_t index = static_cast<int32_t>(nodes.size());
  for (size_t r = 0; r < node.results.size(); ++r)
    definitions.push_back({index, static_cast<int32_t>(r)});
  nodes.push_back(std::move(node));
  return first;
}

const TensorType &Graph::getType(int32_t value) const {
  const Definition &def = definitions[value];
  if (def.node < 0)
    return inputs[def.result];
  return nodes[def.node].results[def.result];
}

void SignatureBuilder::type(const TensorType &type) {
  words.push_back((static_cast<uint64_t>(type.element) << 32) |
                  type.shape.size());
  for (int64_t size : type.shape)
    words.push_back(static_cast<uint64_t>(size));
}

void SignatureBuilder::begin(int32_t device, size_t numInputs) {
  words.push_back(static_cast<uint32_t>(device));
  words.push_back(numInputs);
}

void SignatureBuilder::input(const TensorType &t) { type(t); }

void SignatureBuilder::node(const GraphNode &node, const int32_t *operands,
                            size_t numOperands) {
  words.push_back((static_cast<uint64_t>(node.op) << 48) |
                  (static_cast<uint64_t>(numOperands) << 24) |
                  (node.results.size() << 12) | node.ints.size());
  for (size_t i = 0; i < numOperands; ++i)
    words.push_back(static_cast<uint32_t>(operands[i]));
  for (const TensorType &t : node.results)
    type(t);
  for (int64_t v : node.ints)
    words.push_back(static_cast<uint64_t>(v));
  words.push_back(static_cast<uint64_t>(node.attr));
  if (node.op == OpKind::Constant) {
    words.push_back(std::bit_cast<uint64_t>(node.value.f));
    words.push_back(static_cast<uint64_t>(node.value.i));
  }
}

void SignatureBuilder::outputs(const int32_t *values, size_t count) {
  words.push_back(count);
  for (size_t i = 0; i < count; ++i)
    words.push_back(static_cast<uint32_t>(values[i]));
}

std::vector<uint64_t> Graph::signature() const {
  std::vector<uint64_t> words;
  words.reserve(8 + inputs.size() * 4 + nodes.size() * 12);
  SignatureBuilder builder(words);
  builder.begin(device, inputs.size());
  for (const TensorType &type : inputs)
    builder.input(type);
  for (const GraphNode &node : nodes)
    builder.node(node, node.operands.data(), node.operands.size());
  builder.outputs(outputs.data(), outputs.size());
  return words;
}

uint64_t Graph::hash(const std::vector<uint64_t> &signature) {
  // Four independent multiply-rotate lanes (a repeated step hashes a few
  // hundred words: the lanes keep the multiplier busy), then splitmix64's
  // finalizer over their combination, so that every input bit affects every
  // output bit. Equal hashes are confirmed by comparing the words.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  auto lane = [](uint64_t h, uint64_t word) {
    h ^= word;
    h *= kMul;
    return (h << 31) | (h >> 33);
  };
  uint64_t a = signature.size(), b = ~a, c = a * 3, d = a * 5;
  size_t n = signature.size(), i = 0;
  for (; i + 4 <= n; i += 4) {
    a = lane(a, signature[i]);
    b = lane(b, signature[i + 1]);
    c = lane(c, signature[i + 2]);
    d = lane(d, signature[i + 3]);
  }
  for (; i < n; ++i)
    a = lane(a, signature[i]);
  uint64_t h = a ^ ((b << 17) | (b >> 47)) ^ ((c << 29) | (c >> 35)) ^
               ((d << 43) | (d >> 21));
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 31;
  return h;
}

} // namespace mlir::dlc
