//===- BuildersTest.cpp - Build dlc graphs in C++, check inferred types ---===//

#include "ir/DlcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::dlc;

namespace {

class BuildersTest : public ::testing::Test {
protected:
  BuildersTest() : builder(&context) {
    context.loadDialect<DlcDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  /// A function with arguments of `types`, the builder inside its body.
  func::FuncOp makeFunction(TypeRange types) {
    auto fn = builder.create<func::FuncOp>(loc(), "f",
                                           builder.getFunctionType(types, {}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    return fn;
  }

  Location loc() { return builder.getUnknownLoc(); }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(BuildersTest, InfersTypesOfAnMlpLayer) {
  // y = relu(x @ w + b) for x: [8, 16], w: [16, 4], b: [4]; loss = sum(y).
  auto fn = makeFunction({f32({8, 16}), f32({16, 4}), f32({4})});
  Value x = fn.getArgument(0), w = fn.getArgument(1), b = fn.getArgument(2);

  Value xw = builder.create<MatmulOp>(loc(), x, w);
  EXPECT_EQ(xw.getType(), f32({8, 4}));
  Value bias = builder.create<BroadcastInDimOp>(
      loc(), b, ArrayRef<int64_t>{8, 4}, ArrayRef<int64_t>{1});
  EXPECT_EQ(bias.getType(), f32({8, 4}));
  Value y =
      builder.create<ReluOp>(loc(), builder.create<AddOp>(loc(), xw, bias));
  EXPECT_EQ(y.getType(), f32({8, 4}));
  Value loss = builder.create<ReduceSumOp>(loc(), y, ArrayRef<int64_t>{0, 1});
  EXPECT_EQ(loss.getType(), f32({}));

  auto grad = builder.create<GradOp>(loc(), loss, ValueRange{w, b});
  ASSERT_EQ(grad.getNumResults(), 2u);
  EXPECT_EQ(grad.getResult(0).getType(), w.getType());
  EXPECT_EQ(grad.getResult(1).getType(), b.getType());
  builder.create<func::ReturnOp>(loc());
  fn.setFunctionType(builder.getFunctionType(fn.getArgumentTypes(), {}));

  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(BuildersTest, InfersShapeChangingOps) {
  auto i64 = builder.getI64Type();
  auto fn = makeFunction(
      {f32({2, 3, 4}), RankedTensorType::get({5, 6}, i64), f32({100, 16})});
  Value x = fn.getArgument(0), ids = fn.getArgument(1),
        table = fn.getArgument(2);

  auto t = builder.create<TransposeOp>(loc(), x, ArrayRef<int64_t>{2, 0, 1});
  EXPECT_EQ(t.getType(), f32({4, 2, 3}));
  auto r = builder.create<ReshapeOp>(loc(), x, ArrayRef<int64_t>{6, 4});
  EXPECT_EQ(r.getType(), f32({6, 4}));
  auto s = builder.create<SliceOp>(loc(), x, ArrayRef<int64_t>{0, 1, 0},
                                   ArrayRef<int64_t>{2, 3, 4},
                                   ArrayRef<int64_t>{1, 1, 3});
  EXPECT_EQ(s.getType(), f32({2, 2, 2}));
  auto c = builder.create<ConcatOp>(loc(), ValueRange{x, x}, 1);
  EXPECT_EQ(c.getType(), f32({2, 6, 4}));
  auto k = builder.create<ReduceMaxOp>(loc(), x, ArrayRef<int64_t>{1},
                                       /*keepdim=*/true);
  EXPECT_EQ(k.getType(), f32({2, 1, 4}));
  auto e = builder.create<GatherOp>(loc(), table, ids, 0);
  EXPECT_EQ(e.getType(), f32({5, 6, 16}));
  auto m = builder.create<CompareOp>(loc(), ComparisonDirection::lt, x, x);
  EXPECT_EQ(m.getType(), RankedTensorType::get({2, 3, 4}, builder.getI1Type()));
  auto i = builder.create<CastOp>(loc(), x, i64);
  EXPECT_EQ(i.getType(), RankedTensorType::get({2, 3, 4}, i64));
  auto xt = builder.create<TransposeOp>(loc(), x, ArrayRef<int64_t>{0, 2, 1});
  auto bmm = builder.create<MatmulOp>(loc(), x, xt);
  EXPECT_EQ(bmm.getType(), f32({2, 3, 3}));
}

TEST_F(BuildersTest, KeepsDynamicSizes) {
  int64_t dyn = ShapedType::kDynamic;
  auto fn = makeFunction({f32({dyn, 16}), f32({16, 4})});
  auto y =
      builder.create<MatmulOp>(loc(), fn.getArgument(0), fn.getArgument(1));
  EXPECT_EQ(y.getType(), f32({dyn, 4}));
  auto sum = builder.create<ReduceSumOp>(loc(), y, ArrayRef<int64_t>{1});
  EXPECT_EQ(sum.getType(), f32({dyn}));
}

TEST_F(BuildersTest, InferenceRejectsBadShapesWithADiagnostic) {
  auto fn = makeFunction({f32({3, 2}), f32({3, 2})});
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  SmallVector<Type> inferred;
  MatmulOp::Adaptor adaptor(fn.getArguments());
  EXPECT_TRUE(
      failed(MatmulOp::inferReturnTypes(&context, loc(), adaptor, inferred)));
  EXPECT_EQ(message, "'dlc.matmul' op cannot multiply 'tensor<3x2xf32>' by "
                     "'tensor<3x2xf32>': inner dimensions 2 and 3 differ");
}

TEST_F(BuildersTest, VerifierNamesTheTypes) {
  auto fn = makeFunction({f32({4}), f32({3, 5})});
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  auto bad = builder.create<BroadcastInDimOp>(
      loc(), fn.getArgument(0), ArrayRef<int64_t>{3, 5}, ArrayRef<int64_t>{1});
  EXPECT_TRUE(failed(verify(bad)));
  EXPECT_EQ(message, "'dlc.broadcast_in_dim' op cannot broadcast "
                     "'tensor<4xf32>' to 'tensor<3x5xf32>': operand dimension "
                     "0 has size 4 but result dimension 1 has size 5");
}

} // namespace
