//===- Fuse.cpp - Group dlc ops into dlc.fusion kernels -------------------===//
//
// Greedy producer-into-consumer fusion, consumers first: an op joins the
// group of its users when all of them are in one group and the grown group
// still has a kernel shape (classifyFusion). Nothing is computed twice in
// two kernels, except splat constants, which each kernel makes itself. A
// matmul joins the elementwise group of its users as its head (an
// epilogue); it never starts a group of its own.
//
//===----------------------------------------------------------------------===//

#include "ir/DlcOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::dlc {
#define GEN_PASS_DEF_DLCFUSE
#include "passes/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

//===----------------------------------------------------------------------===//
// What a kernel can compute
//===----------------------------------------------------------------------===//

static bool isReduce(Operation *op) {
  return isa<ReduceSumOp, ReduceMaxOp, ReduceMinOp>(op);
}

static ArrayRef<int64_t> reduceDims(Operation *op) {
  if (auto r = dyn_cast<ReduceSumOp>(op))
    return r.getDims();
  if (auto r = dyn_cast<ReduceMaxOp>(op))
    return r.getDims();
  return cast<ReduceMinOp>(op).getDims();
}

static bool isSplatConstant(Operation *op) {
  auto constant = dyn_cast<ConstantOp>(op);
  if (!constant)
    return false;
  auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
  return dense && dense.isSplat();
}

bool mlir::dlc::isMatrixTranspose(Operation *op) {
  auto transpose = dyn_cast<TransposeOp>(op);
  if (!transpose)
    return false;
  ArrayRef<int64_t> perm = transpose.getPerm();
  int64_t rank = static_cast<int64_t>(perm.size());
  if (rank < 2)
    return false;
  for (int64_t d = 0; d < rank - 2; ++d)
    if (perm[d] != d)
      return false;
  return perm[rank - 2] == rank - 1 && perm[rank - 1] == rank - 2;
}

/// A transpose of the last two dimensions that only feeds matmuls: the BLAS
/// call takes it as a flag instead of a kernel copying it.
static bool isMatmulOperandTranspose(Operation *op) {
  if (!isMatrixTranspose(op) || op->use_empty())
    return false;
  return llvm::all_of(op->getUsers(),
                      [](Operation *user) { return isa<MatmulOp>(user); });
}

bool mlir::dlc::isFusible(Operation *op) {
  if (isMatmulOperandTranspose(op))
    return false;
  if (op->hasTrait<OpTrait::dlc::Elementwise>())
    return true;
  if (isSplatConstant(op))
    return true;
  return isa<BroadcastInDimOp, TransposeOp, SliceOp, IotaOp, RandomOp>(op) ||
         isReduce(op);
}

/// The values of a rows group that are per row (reduced over the trailing
/// dimensions) rather than per element, and whether the group is one.
static bool checkRows(ArrayRef<Operation *> ops, Operation *root,
                      const llvm::DenseSet<Operation *> &inGroup) {
  auto fullType =
      dyn_cast<RankedTensorType>(isReduce(root) ? root->getOperand(0).getType()
                                                : root->getResult(0).getType());
  if (!fullType || !fullType.hasStaticShape())
    return false;
  int64_t rank = fullType.getRank();
  std::optional<int64_t> first;
  llvm::DenseSet<Value> perRow;
  // Block order: producers before consumers.
  for (Operation *op : ops) {
    if (isReduce(op)) {
      ArrayRef<int64_t> dims = reduceDims(op);
      if (op->getOperand(0).getType() != fullType || dims.empty() ||
          dims.back() != rank - 1)
        return false;
      for (size_t i = 1; i < dims.size(); ++i)
        if (dims[i] != dims[i - 1] + 1)
          return false;
      if (first && *first != dims.front())
        return false;
      first = dims.front();
      if (perRow.contains(op->getOperand(0)))
        return false;
      perRow.insert(op->getResult(0));
      continue;
    }
    bool anyPerRow = llvm::any_of(op->getOperands(),
                                  [&](Value v) { return perRow.contains(v); });
    if (!anyPerRow)
      continue;
    if (auto broadcast = dyn_cast<BroadcastInDimOp>(op)) {
      // Back to one value per element: the row's dimensions must map onto
      // the leading ones.
      if (broadcast.getType() != fullType)
        return false;
      ArrayRef<int64_t> dims = broadcast.getDims();
      for (auto [i, d] : llvm::enumerate(dims))
        if (d != static_cast<int64_t>(i))
          return false;
      continue;
    }
    if (!op->hasTrait<OpTrait::dlc::Elementwise>())
      return false;
    perRow.insert(op->getResult(0));
  }
  // A per-row root is written once per row; a per-element root once per
  // element. Reductions must see per-element values only (checked above).
  (void)inGroup;
  return first.has_value();
}

/// A matmul with an elementwise epilogue: the matmul's operands come from
/// outside, its result feeds only elementwise ops of the group, and the
/// group's result has the product's type (the epilogue runs in place on it).
static bool checkMatmulEpilogue(ArrayRef<Operation *> ops, Operation *root,
                                const llvm::DenseSet<Operation *> &inGroup) {
  SmallVector<Operation *> matmuls;
  for (Operation *op : ops)
    if (isa<MatmulOp>(op))
      matmuls.push_back(op);
  if (matmuls.size() != 1 || llvm::any_of(ops, isReduce))
    return false;
  Operation *matmul = matmuls.front();
  if (matmul == root || root->getNumResults() != 1 ||
      root->getResult(0).getType() != matmul->getResult(0).getType())
    return false;
  for (Value operand : matmul->getOperands())
    if (Operation *def = operand.getDefiningOp(); def && inGroup.contains(def))
      return false;
  return llvm::all_of(matmul->getUsers(), [&](Operation *user) {
    return inGroup.contains(user) &&
           user->hasTrait<OpTrait::dlc::Elementwise>();
  });
}

std::optional<FusionKind> mlir::dlc::classifyFusion(ArrayRef<Operation *> ops,
                                                    Operation *root) {
  llvm::DenseSet<Operation *> inGroup(ops.begin(), ops.end());
  if (llvm::any_of(ops, [](Operation *op) { return isa<MatmulOp>(op); })) {
    if (checkMatmulEpilogue(ops, root, inGroup))
      return FusionKind::matmul;
    return std::nullopt;
  }
  int reduces = llvm::count_if(ops, isReduce);
  if (reduces == 0)
    return FusionKind::elementwise;
  if (reduces == 1 && isReduce(root)) {
    // A reduction over trailing dimensions with rows left runs as rows; any
    // other as a memory-order reduction.
    auto type = cast<RankedTensorType>(root->getOperand(0).getType());
    ArrayRef<int64_t> dims = reduceDims(root);
    bool trailing =
        !dims.empty() && dims.back() == type.getRank() - 1 &&
        dims.front() > 0 &&
        static_cast<int64_t>(dims.size()) == type.getRank() - dims.front();
    if (trailing && checkRows(ops, root, inGroup))
      return FusionKind::rows;
    return FusionKind::reduce;
  }
  if (checkRows(ops, root, inGroup))
    return FusionKind::rows;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

struct Group {
  SmallVector<Operation *> ops; // consumers first while growing
  Operation *root = nullptr;
};

void materialize(Group &group, FusionKind kind) {
  Operation *root = group.root;
  Block *block = root->getBlock();
  // Block order.
  llvm::sort(group.ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  llvm::DenseSet<Operation *> members(group.ops.begin(), group.ops.end());
  llvm::SetVector<Value> inputs;
  SmallVector<Operation *> splats;
  for (Operation *op : group.ops)
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (def && members.contains(def))
        continue;
      // A splat is made inside the kernel, except as a matmul operand: the
      // matmul reads its operands from buffers (the fusion's inputs).
      if (def && isSplatConstant(def) && !isa<MatmulOp>(op)) {
        if (!llvm::is_contained(splats, def))
          splats.push_back(def);
        continue;
      }
      inputs.insert(operand);
    }

  // A splat that is an input (a matmul operand) is read from there by every
  // user in the group.
  llvm::erase_if(splats, [&](Operation *splat) {
    return inputs.contains(splat->getResult(0));
  });
  OpBuilder builder(root);
  auto fusion = builder.create<FusionOp>(root->getLoc(), root->getResultTypes(),
                                         kind, inputs.getArrayRef());
  Block *body = new Block();
  fusion.getBody().push_back(body);
  for (Value input : inputs)
    body->addArgument(input.getType(), input.getLoc());
  builder.setInsertionPointToEnd(body);
  IRMapping mapping;
  for (Operation *splat : splats)
    mapping.map(splat->getResult(0), builder.clone(*splat)->getResult(0));
  for (auto [input, argument] : llvm::zip(inputs, body->getArguments()))
    mapping.map(input, argument);
  for (Operation *op : group.ops)
    builder.clone(*op, mapping);
  builder.create<YieldOp>(root->getLoc(), llvm::to_vector(llvm::map_range(
                                              root->getResults(), [&](Value v) {
                                                return mapping.lookup(v);
                                              })));
  root->replaceAllUsesWith(fusion->getResults());
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
  for (Operation *splat : splats)
    if (splat->use_empty())
      splat->erase();
  (void)block;
}

void fuseBlock(Block &block, bool singleOps) {
  llvm::DenseMap<Operation *, unsigned> groupOf;
  SmallVector<Group> groups;
  for (Operation &op : llvm::reverse(block.without_terminator())) {
    // A matmul joins the elementwise group of its users as its head; it
    // never starts a group (alone it is a library call).
    bool matmul = isa<MatmulOp>(op);
    if ((!matmul && !isFusible(&op)) || isSplatConstant(&op) || op.use_empty())
      continue;
    std::optional<unsigned> target;
    bool single = true;
    for (Operation *user : op.getUsers()) {
      auto it = groupOf.find(user);
      if (it == groupOf.end() || (target && *target != it->second)) {
        single = false;
        break;
      }
      target = it->second;
    }
    if (single && target && !singleOps) {
      Group &group = groups[*target];
      SmallVector<Operation *> trial(group.ops.begin(), group.ops.end());
      trial.push_back(&op);
      llvm::sort(trial, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
      if (classifyFusion(trial, group.root)) {
        group.ops.push_back(&op);
        groupOf[&op] = *target;
        continue;
      }
    }
    if (matmul)
      continue;
    groupOf[&op] = groups.size();
    groups.push_back({{&op}, &op});
  }
  for (Group &group : groups) {
    llvm::sort(group.ops, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    std::optional<FusionKind> kind = classifyFusion(group.ops, group.root);
    assert(kind && "a group that grew from a valid one stays valid");
    materialize(group, *kind);
  }
}

struct DlcFusePass : mlir::dlc::impl::DlcFuseBase<DlcFusePass> {
  using DlcFuseBase::DlcFuseBase;
  void runOnOperation() override {
    getOperation()->walk([&](func::FuncOp func) {
      for (Block &block : func.getBody())
        fuseBlock(block, singleOps);
    });
  }
};

} // namespace
