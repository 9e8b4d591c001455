//===- ScheduleCollectives.cpp - Bucket and place dlc.all_reduce ----------===//
//
// PyTorch's DDP reducer, done once at compile time instead of by hooks at
// run time: the all-reduces of a step are ordered by where their inputs
// become ready, merged into buckets, and each bucket is moved to just after
// its last input. The runtime starts a bucket where it stands and waits for
// it before its first reader, so communication overlaps the backward ops
// in between.
//
//===----------------------------------------------------------------------===//

#include "ir/DlcOps.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <limits>

namespace mlir::dlc {
#define GEN_PASS_DEF_DLCSCHEDULECOLLECTIVES
#include "passes/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

namespace {

struct Collective {
  AllReduceOp op;
  /// Position of the op computing its last input (-1: block arguments or
  /// values from outside the block only).
  int64_t ready = -1;
  Operation *readyOp = nullptr;
  /// Position of the first op of the block that reads a result.
  int64_t firstUse = std::numeric_limits<int64_t>::max();
  int64_t bytes = 0;
  int64_t position = 0;
};

int64_t bytesOf(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t bits = type.getElementType().getIntOrFloatBitWidth();
  return type.getNumElements() * std::max<int64_t>(bits / 8, 1);
}

void scheduleBlock(Block &block, double capMb) {
  llvm::DenseMap<Operation *, int64_t> position;
  int64_t index = 0;
  for (Operation &op : block)
    position[&op] = index++;

  SmallVector<Collective> items;
  for (Operation &op : block) {
    auto allReduce = dyn_cast<AllReduceOp>(&op);
    if (!allReduce)
      continue;
    Collective item;
    item.op = allReduce;
    item.position = position[&op];
    bool chained = false;
    for (Value input : allReduce.getInputs()) {
      item.bytes += bytesOf(input);
      Operation *def = input.getDefiningOp();
      if (!def || def->getBlock() != &block)
        continue;
      if (isa<AllReduceOp>(def))
        chained = true;
      int64_t at = position[def];
      if (at > item.ready) {
        item.ready = at;
        item.readyOp = def;
      }
    }
    // An all-reduce of another's result stays where it is.
    if (chained)
      continue;
    for (Value result : allReduce.getResults())
      for (Operation *user : result.getUsers())
        if (Operation *ancestor = block.findAncestorOpInBlock(*user))
          item.firstUse = std::min(item.firstUse, position[ancestor]);
    items.push_back(item);
  }
  if (items.empty())
    return;

  // The order the backward pass makes the inputs ready in.
  std::stable_sort(items.begin(), items.end(),
                   [](const Collective &a, const Collective &b) {
                     return a.ready < b.ready;
                   });

  // Caps past any realistic step (inf included) merge everything.
  int64_t cap = capMb >= 1e12 ? std::numeric_limits<int64_t>::max()
                              : static_cast<int64_t>(capMb * 1024 * 1024);
  SmallVector<SmallVector<Collective *>> buckets;
  int64_t bucketBytes = 0, bucketReady = -1,
          bucketFirstUse = std::numeric_limits<int64_t>::max();
  for (Collective &item : items) {
    bool fits = false;
    if (!buckets.empty() && cap > 0) {
      AllReduceOp head = buckets.back().front()->op;
      fits = head.getReduction() == item.op.getReduction() &&
             getElementTypeOrSelf(head.getInputs().front().getType()) ==
                 getElementTypeOrSelf(item.op.getInputs().front().getType()) &&
             item.bytes <= cap - bucketBytes &&
             std::max(bucketReady, item.ready) <
                 std::min(bucketFirstUse, item.firstUse);
    }
    if (!fits) {
      buckets.emplace_back();
      bucketBytes = 0;
      bucketReady = -1;
      bucketFirstUse = std::numeric_limits<int64_t>::max();
    }
    buckets.back().push_back(&item);
    bucketBytes += item.bytes;
    bucketReady = std::max(bucketReady, item.ready);
    bucketFirstUse = std::min(bucketFirstUse, item.firstUse);
  }

  // Each bucket right after its last input; buckets ready at the same op
  // keep their order.
  OpBuilder builder(block.getParent()->getContext());
  Operation *previous = nullptr;
  int64_t previousReady = -2;
  for (SmallVector<Collective *> &bucket : buckets) {
    Collective *last =
        *llvm::max_element(bucket, [](Collective *a, Collective *b) {
          return a->ready < b->ready;
        });
    if (last->ready == previousReady && previous)
      builder.setInsertionPointAfter(previous);
    else if (last->readyOp)
      builder.setInsertionPointAfter(last->readyOp);
    else
      builder.setInsertionPointToStart(&block);
    previousReady = last->ready;

    if (bucket.size() == 1) {
      Operation *op = bucket.front()->op;
      op->moveBefore(builder.getInsertionBlock(), builder.getInsertionPoint());
      previous = op;
      continue;
    }
    SmallVector<Value> inputs;
    SmallVector<Type> types;
    SmallVector<Location> locs;
    for (Collective *item : bucket) {
      llvm::append_range(inputs, item->op.getInputs());
      llvm::append_range(types, item->op.getResultTypes());
      locs.push_back(item->op.getLoc());
    }
    auto merged = builder.create<AllReduceOp>(
        builder.getFusedLoc(locs), types, bucket.front()->op.getReductionAttr(),
        inputs);
    size_t offset = 0;
    for (Collective *item : bucket) {
      size_t count = item->op->getNumResults();
      item->op->replaceAllUsesWith(merged->getResults().slice(offset, count));
      offset += count;
      item->op->erase();
    }
    previous = merged;
  }
}

struct DlcScheduleCollectivesPass
    : mlir::dlc::impl::DlcScheduleCollectivesBase<DlcScheduleCollectivesPass> {
  using DlcScheduleCollectivesBase::DlcScheduleCollectivesBase;
  void runOnOperation() override {
    if (!(bucketCapMb >= 0)) {
      getOperation()->emitError("dlc-schedule-collectives: bucket-cap-mb ")
          << bucketCapMb.getValue() << " is negative";
      return signalPassFailure();
    }
    SmallVector<Block *> blocks;
    getOperation()->walk([&](AllReduceOp op) {
      if (!llvm::is_contained(blocks, op->getBlock()))
        blocks.push_back(op->getBlock());
    });
    for (Block *block : blocks)
      scheduleBlock(*block, bucketCapMb);
  }
};

} // namespace
