//===- Graph.h - The recorded graph, before it becomes MLIR ---------------===//
//
// What the frontend records and the compiler facade takes: a dlc function as
// plain C++ data, with no MLIR headers, so that recording a step and looking
// it up in the cache never touches MLIR. Each node is one dlc op; GraphToMlir
// turns a Graph into a `func.func` when the cache misses.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_IR_GRAPH_H
#define DLC_IR_GRAPH_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::dlc {

/// The element types of dlc tensors.
enum class ElementType : uint8_t { F32, F64, I32, I64, I1 };

/// A ranked tensor type; a size of -1 is dynamic.
struct TensorType {
  ElementType element = ElementType::F32;
  std::vector<int64_t> shape;

  int64_t numElements() const;
  bool operator==(const TensorType &other) const = default;
};

/// One kind per dlc op. The op's attributes live in `GraphNode::ints`,
/// `GraphNode::attr` and, for constants, `GraphNode::value`, as listed here.
enum class OpKind : uint8_t {
  // Elementwise unary.
  Abs,
  Erf,
  Exp,
  Log,
  Log1p,
  Neg,
  Not,
  Relu,
  Rsqrt,
  Sigmoid,
  Sign,
  Sqrt,
  Tanh,
  // Elementwise binary.
  Add,
  And,
  Div,
  Max,
  Min,
  Mul,
  Or,
  Pow,
  Sub,
  Xor,
  Compare, ///< attr = ComparisonDirection (eq, ne, lt, le, gt, ge)
  Select,
  Cast,           ///< the result type gives the target
  Constant,       ///< a splat: `value`
  BroadcastInDim, ///< ints = dims
  Concat,         ///< attr = dim
  Reshape,
  Slice,     ///< ints = start..., limit..., stride...
  Transpose, ///< ints = perm
  ReduceMax, ///< ints = dims, attr = keepdim
  ReduceMin, ///< ints = dims, attr = keepdim
  ReduceSum, ///< ints = dims, attr = keepdim
  Matmul,
  Gather,     ///< attr = axis
  ScatterAdd, ///< attr = axis
  Iota,       ///< attr = dim
  Random,     ///< attr = RandomDistribution (uniform, normal)
  Grad,       ///< operands y, wrt..., [seed]; attr = 1 when seeded
  StopGradient,
  LogSoftmax, ///< attr = dim
  Softmax,    ///< attr = dim
  AllReduce,  ///< operands = results' inputs; attr = CollectiveReduction
  FirstOccurrence,
};

/// The number of op kinds.
constexpr int kNumOpKinds = static_cast<int>(OpKind::FirstOccurrence) + 1;

/// The op's full name: "dlc.add".
const char *getOpName(OpKind kind);
/// The kind of a full op name, or false when `name` is not a dlc op.
bool lookupOpKind(const std::string &name, OpKind &kind);

/// The splat value of a constant: `f` for float types, `i` for integers and
/// i1 (0 or 1).
struct ScalarValue {
  double f = 0;
  int64_t i = 0;
};

/// One op. Operands are value ids: graph inputs first, then each node's
/// results in node order.
struct GraphNode {
  OpKind op = OpKind::Constant;
  std::vector<int32_t> operands;
  std::vector<TensorType> results;
  std::vector<int64_t> ints;
  int64_t attr = 0;
  ScalarValue value;
  /// Where the user's program recorded the op; not part of the graph's
  /// identity (the same computation from another line hits the cache).
  const char *file = nullptr;
  uint32_t line = 0;
  uint32_t column = 0;
};

/// The words of a graph's signature, appended part by part: what
/// Graph::signature() returns, and what the frontend builds straight from
/// its recorded nodes to look a step up without making a Graph.
class SignatureBuilder {
public:
  explicit SignatureBuilder(std::vector<uint64_t> &words) : words(words) {}
  void begin(int32_t device, size_t numInputs);
  void input(const TensorType &type);
  /// A node whose operands are the value ids `operands` (inputs first,
  /// then each node's results in order).
  void node(const GraphNode &node, const int32_t *operands, size_t numOperands);
  void outputs(const int32_t *values, size_t count);

private:
  void type(const TensorType &type);
  std::vector<uint64_t> &words;
};

/// A function: inputs, ops in a valid order, outputs.
class Graph {
public:
  /// Adds an input and returns its value id.
  int32_t addInput(TensorType type);
  /// Adds a node and returns the value id of its first result.
  int32_t addNode(GraphNode node);
  void addOutput(int32_t value) { outputs.push_back(value); }
  /// Where the graph runs: 0 for the CPU, n + 1 for CUDA device n. Part of
  /// the signature: the same ops on another device are another program.
  void setDevice(int32_t where) { device = where; }
  int32_t getDevice() const { return device; }

  const std::vector<TensorType> &getInputs() const { return inputs; }
  const std::vector<GraphNode> &getNodes() const { return nodes; }
  const std::vector<int32_t> &getOutputs() const { return outputs; }
  int32_t getNumValues() const {
    return static_cast<int32_t>(definitions.size());
  }
  const TensorType &getType(int32_t value) const;
  /// The node defining `value`, or -1 for an input; and the result index.
  int32_t getDefiningNode(int32_t value) const {
    return definitions[value].node;
  }
  int32_t getResultIndex(int32_t value) const {
    return definitions[value].result;
  }

  /// Everything that makes two graphs compute the same thing: ops, operands,
  /// attributes, types, inputs, outputs (not source locations). Two graphs
  /// with equal signatures compile to interchangeable executables.
  std::vector<uint64_t> signature() const;
  /// A 64-bit hash of a signature.
  static uint64_t hash(const std::vector<uint64_t> &signature);

private:
  struct Definition {
    int32_t node;
    int32_t result;
  };
  std::vector<TensorType> inputs;
  std::vector<GraphNode> nodes;
  std::vector<int32_t> outputs;
  std::vector<Definition> definitions;
  int32_t device = 0;
};

} // namespace mlir::dlc

#endif // DLC_IR_GRAPH_H
