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

static void appendType(std::vector<uint64_t> &words, const TensorType &type) {
  words.push_back((static_cast<uint64_t>(type.element) << 32) |
                  type.shape.size());
  for (int64_t size : type.shape)
    words.push_back(static_cast<uint64_t>(size));
}

std::vector<uint64_t> Graph::signature() const {
  std::vector<uint64_t> words;
  words.reserve(8 + inputs.size() * 4 + nodes.size() * 12);
  words.push_back(static_cast<uint32_t>(device));
  words.push_back(inputs.size());
  for (const TensorType &type : inputs)
    appendType(words, type);
  for (const GraphNode &node : nodes) {
    words.push_back((static_cast<uint64_t>(node.op) << 48) |
                    (static_cast<uint64_t>(node.operands.size()) << 24) |
                    (node.results.size() << 12) | node.ints.size());
    for (int32_t operand : node.operands)
      words.push_back(static_cast<uint32_t>(operand));
    for (const TensorType &type : node.results)
      appendType(words, type);
    for (int64_t v : node.ints)
      words.push_back(static_cast<uint64_t>(v));
    words.push_back(static_cast<uint64_t>(node.attr));
    if (node.op == OpKind::Constant) {
      words.push_back(std::bit_cast<uint64_t>(node.value.f));
      words.push_back(static_cast<uint64_t>(node.value.i));
    }
  }
  words.push_back(outputs.size());
  for (int32_t output : outputs)
    words.push_back(static_cast<uint32_t>(output));
  return words;
}

uint64_t Graph::hash(const std::vector<uint64_t> &signature) {
  // splitmix64's finalizer over a running combination: fast, and every input
  // bit affects every output bit.
  uint64_t h = 0x9E3779B97F4A7C15ull ^ signature.size();
  for (uint64_t word : signature) {
    h ^= word + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
  }
  return h;
}

} // namespace mlir::dlc
