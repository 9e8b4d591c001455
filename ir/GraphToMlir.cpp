//===- GraphToMlir.cpp - A recorded Graph as a dlc func.func --------------===//
//
// Every node becomes its op through the generic OperationState: the node
// already carries its result types and attributes, and the verifier (with
// each op's type inference) checks that they agree.
//
//===----------------------------------------------------------------------===//

#include "ir/GraphToMlir.h"
#include "ir/DlcOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

namespace mlir::dlc {

static Type toMlirElementType(MLIRContext *context, ElementType type) {
  Builder builder(context);
  switch (type) {
  case ElementType::F32:
    return builder.getF32Type();
  case ElementType::F64:
    return builder.getF64Type();
  case ElementType::I32:
    return builder.getI32Type();
  case ElementType::I64:
    return builder.getI64Type();
  case ElementType::I1:
    return builder.getI1Type();
  }
  llvm_unreachable("unknown element type");
}

RankedTensorType toMlirType(MLIRContext *context, const TensorType &type) {
  SmallVector<int64_t> shape;
  for (int64_t size : type.shape)
    shape.push_back(size < 0 ? ShapedType::kDynamic : size);
  return RankedTensorType::get(shape, toMlirElementType(context, type.element));
}

/// The inherent attributes of `node`'s op, from the node's fields.
static void addAttributes(Builder &b, const GraphNode &node,
                          RankedTensorType resultType, NamedAttrList &attrs) {
  auto i64 = [&](int64_t v) { return b.getI64IntegerAttr(v); };
  auto array = [&](ArrayRef<int64_t> values) {
    return b.getDenseI64ArrayAttr(values);
  };
  switch (node.op) {
  case OpKind::Compare:
    attrs.append("direction", ComparisonDirectionAttr::get(
                                  b.getContext(),
                                  static_cast<ComparisonDirection>(node.attr)));
    break;
  case OpKind::Constant: {
    Type element = resultType.getElementType();
    Attribute value;
    if (isa<FloatType>(element))
      value = b.getFloatAttr(element, node.value.f);
    else
      value = b.getIntegerAttr(element, node.value.i);
    attrs.append("value", SplatElementsAttr::get(resultType, value));
    break;
  }
  case OpKind::BroadcastInDim:
    attrs.append("dims", array(node.ints));
    break;
  case OpKind::Transpose:
    attrs.append("perm", array(node.ints));
    break;
  case OpKind::Slice: {
    size_t rank = node.ints.size() / 3;
    ArrayRef<int64_t> ints(node.ints);
    attrs.append("start", array(ints.slice(0, rank)));
    attrs.append("limit", array(ints.slice(rank, rank)));
    attrs.append("stride", array(ints.slice(2 * rank, rank)));
    break;
  }
  case OpKind::ReduceMax:
  case OpKind::ReduceMin:
  case OpKind::ReduceSum:
    attrs.append("dims", array(node.ints));
    if (node.attr)
      attrs.append("keepdim", b.getUnitAttr());
    break;
  case OpKind::Concat:
  case OpKind::Iota:
  case OpKind::LogSoftmax:
  case OpKind::Softmax:
    attrs.append("dim", i64(node.attr));
    break;
  case OpKind::Gather:
  case OpKind::ScatterAdd:
    attrs.append("axis", i64(node.attr));
    break;
  case OpKind::Random:
    attrs.append(
        "distribution",
        RandomDistributionAttr::get(
            b.getContext(), static_cast<RandomDistribution>(node.attr)));
    break;
  case OpKind::AllReduce:
    attrs.append("reduction", CollectiveReductionAttr::get(
                                  b.getContext(),
                                  static_cast<CollectiveReduction>(node.attr)));
    break;
  case OpKind::Grad: {
    int32_t seeded = node.attr ? 1 : 0;
    int32_t wrt = static_cast<int32_t>(node.operands.size()) - 1 - seeded;
    attrs.append("operandSegmentSizes",
                 b.getDenseI32ArrayAttr({1, wrt, seeded}));
    break;
  }
  default:
    break;
  }
}

OwningOpRef<ModuleOp> buildModule(MLIRContext *context, const Graph &graph,
                                  StringRef name) {
  OpBuilder builder(context);
  Location unknown = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(unknown);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> inputTypes, outputTypes;
  for (const TensorType &type : graph.getInputs())
    inputTypes.push_back(toMlirType(context, type));
  for (int32_t output : graph.getOutputs())
    outputTypes.push_back(toMlirType(context, graph.getType(output)));
  auto func = builder.create<func::FuncOp>(
      unknown, name, builder.getFunctionType(inputTypes, outputTypes));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);

  SmallVector<Value> values(body->getArguments().begin(),
                            body->getArguments().end());
  values.reserve(graph.getNumValues());
  for (const GraphNode &node : graph.getNodes()) {
    Location loc = node.file ? Location(FileLineColLoc::get(
                                   context, node.file, node.line, node.column))
                             : unknown;
    OperationState state(loc, getOpName(node.op));
    for (int32_t operand : node.operands)
      state.operands.push_back(values[operand]);
    for (const TensorType &type : node.results)
      state.types.push_back(toMlirType(context, type));
    addAttributes(builder, node, cast<RankedTensorType>(state.types.front()),
                  state.attributes);
    Operation *op = builder.create(state);
    values.append(op->result_begin(), op->result_end());
  }
  SmallVector<Value> results;
  for (int32_t output : graph.getOutputs())
    results.push_back(values[output]);
  builder.create<func::ReturnOp>(unknown, results);

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace mlir::dlc
