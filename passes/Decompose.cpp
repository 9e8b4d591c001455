//===- Decompose.cpp - Rewrite composite dlc ops into primitives ----------===//
//
// Composite ops live in the IR so that autodiff and fusion can see them
// whole; after those have used them, this pass leaves only primitives for
// code generation.
//
//===----------------------------------------------------------------------===//

#include "ir/DlcOps.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::dlc {
#define GEN_PASS_DEF_DLCDECOMPOSE
#include "passes/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

namespace {

/// The shifted logits `x - max(x)` along `dim` and the sum of their
/// exponentials along `dim`, broadcast back to the shape of `x`: the common
/// start of softmax and log_softmax.
struct ShiftedExp {
  Value shifted;
  Value exp;
  Value sum;
};

ShiftedExp buildShiftedExp(PatternRewriter &rewriter, Location loc, Value x,
                           int64_t dim) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> allDims(type.getRank());
  for (auto [i, d] : llvm::enumerate(allDims))
    d = static_cast<int64_t>(i);
  auto expand = [&](Value reduced) {
    return rewriter.create<BroadcastInDimOp>(loc, type, reduced, allDims);
  };
  Value max = rewriter.create<ReduceMaxOp>(loc, x, ArrayRef<int64_t>{dim},
                                           /*keepdim=*/true);
  Value shifted = rewriter.create<SubOp>(loc, x, expand(max));
  Value exp = rewriter.create<ExpOp>(loc, shifted);
  Value sum = rewriter.create<ReduceSumOp>(loc, exp, ArrayRef<int64_t>{dim},
                                           /*keepdim=*/true);
  return {shifted, exp, expand(sum)};
}

struct DecomposeSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    ShiftedExp parts =
        buildShiftedExp(rewriter, op.getLoc(), op.getInput(), op.getDim());
    rewriter.replaceOpWithNewOp<DivOp>(op, parts.exp, parts.sum);
    return success();
  }
};

struct DecomposeLogSoftmax : OpRewritePattern<LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    ShiftedExp parts =
        buildShiftedExp(rewriter, op.getLoc(), op.getInput(), op.getDim());
    Value logSum = rewriter.create<LogOp>(op.getLoc(), parts.sum);
    rewriter.replaceOpWithNewOp<SubOp>(op, parts.shifted, logSum);
    return success();
  }
};

struct DlcDecomposePass : mlir::dlc::impl::DlcDecomposeBase<DlcDecomposePass> {
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addLegalDialect<DlcDialect>();
    target.addIllegalOp<SoftmaxOp, LogSoftmaxOp>();
    // Everything else (func, arith, ops of dialects dlc does not know) stays.
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateDecomposePatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::dlc::populateDecomposePatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeSoftmax, DecomposeLogSoftmax>(patterns.getContext());
}
