//===- Passes.cpp - The CPU backend's passes ------------------------------===//

#include "codegen/cpu/Passes.h"
#include "codegen/cpu/KernelEmitter.h"
#include "ir/DlcDialect.h"
#include "ir/DlcOps.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>
#include <mutex>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::cpu;

void mlir::dlc::cpu::registerCpuDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, cf::ControlFlowDialect,
                  func::FuncDialect, LLVM::LLVMDialect, math::MathDialect,
                  scf::SCFDialect, vector::VectorDialect>();
}

namespace {

//===----------------------------------------------------------------------===//
// dlc-cpu-kernels
//===----------------------------------------------------------------------===//

/// `act(matmul + bias row)`, `act(matmul)` or `matmul + bias row` over f32,
/// which oneDNN's matmul applies as post-ops: the activation (1 relu, 2
/// tanh, 3 sigmoid, 0 none) and the input index of the bias (-1 for none).
std::optional<std::pair<int64_t, int64_t>>
matchLibraryEpilogue(FusionOp fusion) {
  if (fusion.getKind() != FusionKind::matmul)
    return std::nullopt;
  Block &body = fusion.getBody().front();
  auto matmuls = llvm::to_vector(body.getOps<MatmulOp>());
  if (matmuls.size() != 1)
    return std::nullopt;
  MatmulOp matmul = matmuls.front();
  auto type = cast<RankedTensorType>(matmul.getType());
  if (!type.getElementType().isF32())
    return std::nullopt;
  Value value = cast<YieldOp>(body.getTerminator()).getOperand(0);
  size_t expectedOps = 1;
  int64_t activation = 0, bias = -1;
  if (Operation *op = value.getDefiningOp();
      op && isa<ReluOp, TanhOp, SigmoidOp>(op)) {
    activation = isa<ReluOp>(op) ? 1 : isa<TanhOp>(op) ? 2 : 3;
    value = op->getOperand(0);
    ++expectedOps;
  }
  if (auto add = value.getDefiningOp<AddOp>()) {
    Value product = matmul.getResult();
    if (add.getLhs() != product && add.getRhs() != product)
      return std::nullopt;
    Value other = add.getLhs() == product ? add.getRhs() : add.getLhs();
    auto broadcast = other.getDefiningOp<BroadcastInDimOp>();
    if (!broadcast)
      return std::nullopt;
    auto row = dyn_cast<BlockArgument>(broadcast.getInput());
    int64_t rank = type.getRank();
    if (!row || broadcast.getDims() != ArrayRef<int64_t>{rank - 1} ||
        cast<RankedTensorType>(row.getType()).getShape() !=
            type.getShape().take_back())
      return std::nullopt;
    bias = row.getArgNumber();
    value = product;
    expectedOps += 2;
  }
  if (value != matmul.getResult() || (activation == 0 && bias < 0))
    return std::nullopt;
  if (static_cast<size_t>(std::distance(body.begin(), body.end())) !=
      expectedOps + 1)
    return std::nullopt; // more in the epilogue than the library does
  return std::make_pair(activation, bias);
}

struct CpuKernelsPass : PassWrapper<CpuKernelsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CpuKernelsPass)

  CpuKernelsPass() = default;
  CpuKernelsPass(const CpuKernelsPass &other) : PassWrapper(other) {}

  /// The CUDA backend asks for smaller chunks: a GPU wants thousands of
  /// partials where the CPU wants one per thread.
  Option<int64_t> partialElements{
      *this, "partial-elements",
      llvm::cl::desc("Elements per partial of a reduction over every "
                     "dimension"),
      llvm::cl::init(65536)};
  Option<bool> flattenElementwise{
      *this, "flatten-elementwise",
      llvm::cl::desc("Elementwise kernels iterate over every element (one "
                     "GPU thread each)"),
      llvm::cl::init(false)};

  StringRef getArgument() const override { return "dlc-cpu-kernels"; }
  StringRef getDescription() const override {
    return "Emit every dlc.fusion as a CPU kernel function (scf loops over "
           "llvm pointers) and "
           "record on the fusion how to call it";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registerCpuDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    Builder builder(context);
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      SmallVector<FusionOp> fusions;
      function.walk([&](FusionOp fusion) { fusions.push_back(fusion); });
      int counter = 0;
      // A fusion identical to an earlier one (a sequence model's time
      // steps, the same update of many tables) calls that one's kernel:
      // emitted, lowered and compiled once.
      std::map<std::string, std::pair<std::string, KernelShape>> emitted;
      for (FusionOp fusion : fusions) {
        if (fusion->hasAttr(kKernelAttr) ||
            fusion->hasAttr(kLibraryActivationAttr))
          continue;
        if (auto library = matchLibraryEpilogue(fusion)) {
          fusion->setAttr(kLibraryActivationAttr,
                          builder.getI64IntegerAttr(library->first));
          fusion->setAttr(kLibraryBiasAttr,
                          builder.getI64IntegerAttr(library->second));
          continue;
        }
        std::string key;
        {
          llvm::raw_string_ostream os(key);
          fusion->print(os,
                        OpPrintingFlags().useLocalScope().printGenericOpForm());
        }
        std::string symbol;
        FailureOr<KernelShape> shape = failure();
        if (auto it = emitted.find(key); it != emitted.end()) {
          symbol = it->second.first;
          shape = it->second.second;
        } else {
          do
            symbol = (function.getSymName() + "_k" + Twine(counter++)).str();
          while (symbols.lookup(symbol) || symbols.lookup(symbol + "_impl"));
          shape = emitFusionKernel(
              fusion, module, symbol,
              {std::max<int64_t>(1, partialElements), flattenElementwise});
          if (failed(shape))
            return signalPassFailure();
          emitted.emplace(std::move(key), std::make_pair(symbol, *shape));
        }
        fusion->setAttr(kKernelAttr, FlatSymbolRefAttr::get(context, symbol));
        fusion->setAttr(kIterationsAttr,
                        builder.getI64IntegerAttr(shape->iterations));
        fusion->setAttr(kGrainAttr, builder.getI64IntegerAttr(shape->grain));
        if (!shape->inPlaceInputs.empty())
          fusion->setAttr(kInPlaceAttr,
                          builder.getDenseI64ArrayAttr(shape->inPlaceInputs));
        if (shape->partial) {
          fusion->setAttr(kPartialAttr, TypeAttr::get(shape->partialType));
          fusion->setAttr(kCombineAttr,
                          builder.getI64IntegerAttr(shape->combine));
        }
      }
    }
    // The emitter writes index arithmetic naively; fold it (and share the
    // constants) in the kernels, leaving the dlc functions alone.
    RewritePatternSet patterns(context);
    for (Dialect *dialect : context->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : context->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, context);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (auto kernel : module.getOps<func::FuncOp>())
      if (kernel->hasAttr(kKernelFunctionAttr))
        (void)applyPatternsAndFoldGreedily(kernel, frozen);
  }
};

//===----------------------------------------------------------------------===//
// dlc-cpu-lower
//===----------------------------------------------------------------------===//

/// Replaces math ops that have no vectorizable polynomial here with calls to
/// libm (`erff`, `erf`, ...), which the JIT resolves in the process: the
/// same functions the reference executor calls.
LogicalResult callLibm(ModuleOp module) {
  OpBuilder builder(module.getContext());
  SmallVector<Operation *> ops;
  module.walk([&](Operation *op) {
    if (isa<math::ErfOp, math::TanhOp, math::Log1pOp, math::PowFOp, math::CosOp,
            math::ExpOp, math::LogOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    Type type = op->getResult(0).getType();
    bool isF32 = type.isF32();
    if (!isF32 && !type.isF64())
      return op->emitError("no libm function for this type");
    // f64 exp and log become LLVM intrinsics (which call libm themselves).
    if (!isF32 && isa<math::ExpOp, math::LogOp>(op))
      continue;
    StringRef base = TypeSwitch<Operation *, StringRef>(op)
                         .Case([](math::ErfOp) { return "erf"; })
                         .Case([](math::TanhOp) { return "tanh"; })
                         .Case([](math::Log1pOp) { return "log1p"; })
                         .Case([](math::PowFOp) { return "pow"; })
                         .Case([](math::CosOp) { return "cos"; })
                         .Case([](math::ExpOp) { return "exp"; })
                         .Case([](math::LogOp) { return "log"; });
    std::string name = (base + (isF32 ? "f" : "")).str();
    auto callee = module.lookupSymbol<func::FuncOp>(name);
    if (!callee) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(module.getBody());
      callee = builder.create<func::FuncOp>(
          module.getLoc(), name,
          builder.getFunctionType(op->getOperandTypes(), op->getResultTypes()));
      callee.setPrivate();
      callee->setAttr(kKernelFunctionAttr, builder.getUnitAttr());
      // Pure: lets LLVM hoist and combine the calls.
      callee->setAttr(LLVM::LLVMDialect::getReadnoneAttrName(),
                      builder.getUnitAttr());
    }
    builder.setInsertionPoint(op);
    auto call =
        builder.create<func::CallOp>(op->getLoc(), callee, op->getOperands());
    op->replaceAllUsesWith(call.getResults());
    op->erase();
  }
  return success();
}

struct CpuLowerPass : PassWrapper<CpuLowerPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CpuLowerPass)

  StringRef getArgument() const override { return "dlc-cpu-lower"; }
  StringRef getDescription() const override {
    return "Lower a module of CPU kernels to the LLVM dialect: f32 math as "
           "polynomials, the "
           "rest of math as libm calls, loops as branches";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registerCpuDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    for (Operation &op : *module.getBody()) {
      auto function = dyn_cast<func::FuncOp>(op);
      if (!function || !function->hasAttr(kKernelFunctionAttr)) {
        op.emitError("dlc-cpu-lower expects a module of kernels only (run "
                     "dlc-cpu-kernels and "
                     "keep its kernel functions)");
        return signalPassFailure();
      }
    }
    {
      RewritePatternSet patterns(context);
      populateMathPolynomialApproximationPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }
    if (failed(callLibm(module)))
      return signalPassFailure();
    {
      RewritePatternSet patterns(context);
      populateSCFToControlFlowConversionPatterns(patterns);
      ConversionTarget target(*context);
      target.addIllegalDialect<scf::SCFDialect>();
      target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
      if (failed(applyPartialConversion(module, target, std::move(patterns))))
        return signalPassFailure();
    }
    LLVMTypeConverter converter(context);
    RewritePatternSet patterns(context);
    arith::populateArithToLLVMConversionPatterns(converter, patterns);
    populateMathToLLVMConversionPatterns(converter, patterns,
                                         /*approximateLog1p=*/false);
    cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
    populateFuncToLLVMConversionPatterns(converter, patterns);
    LLVMConversionTarget target(*context);
    target.addLegalOp<ModuleOp>();
    if (failed(applyFullConversion(module, target, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::dlc::cpu::createCpuKernelsPass() {
  return std::make_unique<CpuKernelsPass>();
}

std::unique_ptr<Pass> mlir::dlc::cpu::createCpuLowerPass() {
  return std::make_unique<CpuLowerPass>();
}

LogicalResult mlir::dlc::cpu::lowerKernelsToLLVM(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addPass(createCpuLowerPass());
  return pm.run(module);
}

void mlir::dlc::cpu::registerCpuPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    PassRegistration<CpuKernelsPass>();
    PassRegistration<CpuLowerPass>();
  });
}
