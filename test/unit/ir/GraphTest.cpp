//===- GraphTest.cpp - The MLIR-free Graph, its signature and its MLIR ----===//

#include "ir/Graph.h"
#include "ir/DlcOps.h"
#include "ir/GraphToMlir.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::dlc;

namespace {

mlir::dlc::TensorType f32(std::vector<int64_t> shape) {
  return {ElementType::F32, std::move(shape)};
}

GraphNode node(OpKind op, std::vector<int32_t> operands,
               mlir::dlc::TensorType result) {
  GraphNode n;
  n.op = op;
  n.operands = std::move(operands);
  n.results = {std::move(result)};
  return n;
}

/// y = sum(relu(x @ w + b)) over a [2, 3] input.
Graph smallGraph(int64_t batch = 2, const char *file = "model.cpp") {
  Graph g;
  int32_t x = g.addInput(f32({batch, 3}));
  int32_t w = g.addInput(f32({3, 4}));
  int32_t b = g.addInput(f32({4}));
  int32_t xw = g.addNode(node(OpKind::Matmul, {x, w}, f32({batch, 4})));
  GraphNode bcast = node(OpKind::BroadcastInDim, {b}, f32({batch, 4}));
  bcast.ints = {1};
  int32_t bb = g.addNode(bcast);
  GraphNode add = node(OpKind::Add, {xw, bb}, f32({batch, 4}));
  add.file = file;
  add.line = 7;
  int32_t h = g.addNode(add);
  int32_t r = g.addNode(node(OpKind::Relu, {h}, f32({batch, 4})));
  GraphNode sum = node(OpKind::ReduceSum, {r}, f32({}));
  sum.ints = {0, 1};
  g.addOutput(g.addNode(sum));
  return g;
}

TEST(Graph, OpNamesMatchTheDialect) {
  MLIRContext context;
  context.loadDialect<DlcDialect>();
  for (int i = 0; i < kNumOpKinds; ++i) {
    auto kind = static_cast<OpKind>(i);
    std::string name = getOpName(kind);
    EXPECT_TRUE(RegisteredOperationName::lookup(name, &context).has_value())
        << name << " is not a registered op";
    OpKind back;
    ASSERT_TRUE(lookupOpKind(name, back));
    EXPECT_EQ(back, kind);
  }
  OpKind ignored;
  EXPECT_FALSE(lookupOpKind("dlc.frobnicate", ignored));
}

TEST(Graph, SignatureIgnoresLocationsButNotStructure) {
  std::vector<uint64_t> base = smallGraph().signature();
  EXPECT_EQ(base, smallGraph(2, "other.cpp").signature());
  EXPECT_NE(base, smallGraph(3).signature());
  Graph elsewhere = smallGraph();
  elsewhere.setDevice(1);
  EXPECT_NE(base, elsewhere.signature());
  EXPECT_EQ(Graph::hash(base), Graph::hash(smallGraph().signature()));
  EXPECT_NE(Graph::hash(base), Graph::hash(smallGraph(5).signature()));
}

TEST(Graph, ConstantValuesArePartOfTheSignature) {
  auto withConstant = [](double v) {
    Graph g;
    GraphNode c = node(OpKind::Constant, {}, f32({2}));
    c.value.f = v;
    g.addOutput(g.addNode(c));
    return g.signature();
  };
  EXPECT_EQ(withConstant(1.5), withConstant(1.5));
  EXPECT_NE(withConstant(1.5), withConstant(2.5));
}

TEST(Graph, BuildsAVerifiedFunctionWithLocations) {
  MLIRContext context;
  context.loadDialect<DlcDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module = buildModule(&context, smallGraph(), "step");
  ASSERT_TRUE(module);
  auto fn = module->lookupSymbol<func::FuncOp>("step");
  ASSERT_TRUE(fn);
  EXPECT_EQ(fn.getNumArguments(), 3u);
  EXPECT_EQ(fn.getNumResults(), 1u);
  int ops = 0;
  bool sawLocation = false;
  fn.walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "dlc")
      ++ops;
    if (auto loc = dyn_cast<FileLineColLoc>(op->getLoc()))
      sawLocation = loc.getFilename() == "model.cpp" && loc.getLine() == 7;
  });
  EXPECT_EQ(ops, 5);
  EXPECT_TRUE(sawLocation);
}

TEST(Graph, InconsistentNodesAreReportedNotBuilt) {
  MLIRContext context;
  context.loadDialect<DlcDialect, func::FuncDialect>();
  Graph g;
  int32_t a = g.addInput(f32({2, 3}));
  g.addOutput(g.addNode(node(OpKind::Matmul, {a, a}, f32({2, 3}))));
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message += diag.str();
    return success();
  });
  EXPECT_FALSE(buildModule(&context, g, "bad"));
  EXPECT_NE(message.find("cannot multiply"), std::string::npos) << message;
}

} // namespace
