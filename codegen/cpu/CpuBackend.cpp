//===- CpuBackend.cpp - dlc functions as CPU executables ------------------===//
//
// The planner walks a fused function once: each dlc.fusion becomes a kernel
// step, matmul a GEMM call (a transpose of its operand a flag), reshape a
// new view of the same bytes, gather / scatter_add / concat runtime loops,
// and whatever else a step of the reference kernels. Temporaries are then
// packed into one workspace by lifetime (first fit), so the peak is close
// to the largest live set; results get buffers of their own.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuBackend.h"
#include "codegen/cpu/CpuExecutable.h"
#include "codegen/cpu/Jit.h"
#include "codegen/cpu/Passes.h"
#include "codegen/reference/ReferenceExecutor.h"
#include "ir/DlcOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using ::dlc::ScalarType;

namespace mlir::dlc::cpu {
namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// "file:line" of the user's op, or "".
std::string where(Operation *op) {
  std::string result;
  op->getLoc()->walk([&](Location loc) {
    if (auto file = dyn_cast<FileLineColLoc>(loc)) {
      result =
          (file.getFilename().getValue() + ":" + Twine(file.getLine())).str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result;
}

/// Every source line a fused kernel covers, for DLC_PROFILE and messages:
/// "Optimizer.cpp:265,266,277 Functional.cpp:51" (files in first-seen order,
/// lines as seen; at most 8, then how many more).
std::string whereFused(Operation *fusion) {
  std::vector<std::pair<std::string, unsigned>> lines;
  fusion->walk([&](Operation *inner) {
    std::string at = where(inner);
    size_t colon = at.rfind(':');
    if (colon == std::string::npos)
      return;
    std::pair<std::string, unsigned> line{
        at.substr(0, colon),
        static_cast<unsigned>(std::stoul(at.substr(colon + 1)))};
    if (std::find(lines.begin(), lines.end(), line) == lines.end())
      lines.push_back(std::move(line));
  });
  if (lines.size() <= 1)
    return where(fusion);
  std::vector<std::string> files;
  for (const auto &[file, line] : lines)
    if (std::find(files.begin(), files.end(), file) == files.end())
      files.push_back(file);
  std::string result;
  size_t shown = 0;
  for (const std::string &file : files) {
    std::string part;
    for (const auto &[f, line] : lines) {
      if (f != file || shown == 8)
        continue;
      part += (part.empty() ? file + ":" : ",") + std::to_string(line);
      ++shown;
    }
    if (!part.empty())
      result += (result.empty() ? "" : " ") + part;
  }
  if (shown < lines.size())
    result += " (+" + std::to_string(lines.size() - shown) + ")";
  return result;
}

/// Ops the environment sends to the reference kernels
/// (DLC_CPU_REFERENCE_OPS=dlc.matmul,...): a debugging aid, and how the
/// fallback is tested.
bool forcedToReference(Operation *op) {
  const char *list = std::getenv("DLC_CPU_REFERENCE_OPS");
  if (!list || !*list)
    return false;
  std::stringstream stream(list);
  std::string name;
  while (std::getline(stream, name, ','))
    if (name == op->getName().getStringRef())
      return true;
  return false;
}

void warnFallback(Operation *op) {
  static std::mutex mutex;
  static llvm::StringSet<> warned;
  std::lock_guard<std::mutex> lock(mutex);
  std::string name = op->getName().getStringRef().str();
  if (!warned.insert(name).second)
    return;
  std::string at = where(op);
  llvm::errs() << "dlc: warning: no CPU code for " << name
               << (at.empty() ? "" : " (at " + at + ")")
               << "; it runs on the reference kernels (slow)\n";
}

bool isMatmulOperandTranspose(TransposeOp transpose) {
  if (!isMatrixTranspose(transpose) || transpose->use_empty())
    return false;
  // Users: matmuls, or matmul fusions whose matmul alone reads it.
  return llvm::all_of(transpose->getUses(), [](OpOperand &use) {
    Operation *user = use.getOwner();
    if (isa<MatmulOp>(user))
      return true;
    auto fusion = dyn_cast<FusionOp>(user);
    if (!fusion || fusion.getKind() != FusionKind::matmul)
      return false;
    BlockArgument argument =
        fusion.getBody().front().getArgument(use.getOperandNumber());
    return llvm::all_of(argument.getUsers(),
                        [](Operation *inner) { return isa<MatmulOp>(inner); });
  });
}

class Planner {
public:
  FailureOr<Plan> run(func::FuncOp function);

private:
  FailureOr<int32_t> addSlot(Value value, int32_t storage, Operation *where);
  FailureOr<int32_t> addTemp(Value value, Operation *where);
  int32_t addStorage(StorageKind kind, int64_t bytes, int64_t index = 0) {
    Storage storage;
    storage.kind = kind;
    storage.bytes = bytes;
    storage.index = index;
    plan.storages.push_back(std::move(storage));
    return static_cast<int32_t>(plan.storages.size() - 1);
  }
  LogicalResult planOp(Operation *op);
  /// Inserts each all-reduce's wait before the first step that touches one
  /// of its results (at the end when none does).
  void placeWaits();
  /// A scatter_add whose input dies there adds into the input's bytes.
  void scatterInPlace();
  /// Which inputs each result may take the buffer of (Storage::donors).
  void planDonors();
  /// A GEMM step for `matmul` whose operands are `lhs` and `rhs` of the
  /// function (transposes folded into flags) into slot `c`.
  LogicalResult planGemm(MatmulOp matmul, Value lhs, Value rhs, int32_t c,
                         int64_t activation = 0, int32_t bias = -1);
  /// A step of the reference kernels; `warn` says that `op` has no CPU code
  /// (ops that only ever run there do not warn).
  LogicalResult planReference(Operation *op, bool warn = true);
  /// Appends `step` for `op`: its operands' slots, then a temporary for its
  /// result.
  LogicalResult addStep(Step step, Operation *op);
  void planMemory();

  Plan plan;
  llvm::DenseMap<Value, int32_t> slotOf;
  /// Kernel steps -> the positions of the inputs they may overwrite.
  std::map<size_t, SmallVector<int64_t>> inPlacePositions;
  /// Transposes folded into GEMM flags: result -> input.
  llvm::DenseMap<Value, Value> transposeSource;
};

FailureOr<int32_t> Planner::addSlot(Value value, int32_t storage,
                                    Operation *where) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  std::optional<ScalarType> element =
      type ? getScalarType(type.getElementType()) : std::nullopt;
  if (!type || !element || !type.hasStaticShape())
    return where->emitError("the CPU backend runs static tensors of f32, f64, "
                            "i32, i64 and i1, "
                            "not ")
           << value.getType();
  Slot slot;
  slot.type = *element;
  slot.shape.assign(type.getShape().begin(), type.getShape().end());
  slot.storage = storage;
  plan.slots.push_back(std::move(slot));
  int32_t id = static_cast<int32_t>(plan.slots.size() - 1);
  slotOf[value] = id;
  return id;
}

FailureOr<int32_t> Planner::addTemp(Value value, Operation *where) {
  int32_t storage = addStorage(StorageKind::Temp, 0);
  FailureOr<int32_t> slot = addSlot(value, storage, where);
  if (succeeded(slot))
    plan.storages[storage].bytes = slotBytes(plan.slots[*slot]);
  return slot;
}

LogicalResult Planner::addStep(Step step, Operation *op) {
  step.where = where(op);
  for (Value operand : op->getOperands())
    step.slots.push_back(slotOf.at(operand));
  FailureOr<int32_t> out = addTemp(op->getResult(0), op);
  if (failed(out))
    return failure();
  step.slots.push_back(*out);
  plan.steps.push_back(std::move(step));
  return success();
}

LogicalResult Planner::planReference(Operation *op, bool warn) {
  if (warn)
    warnFallback(op);
  reference::Kernel kernel;
  if (failed(describeReferenceKernel(op, kernel)))
    return failure();
  if (op->getNumResults() != 1)
    return op->emitError("the CPU backend runs ops with one result");
  Step step;
  step.kind = StepKind::Reference;
  step.op = static_cast<int32_t>(kernel.kind);
  step.ints = kernel.ints;
  step.attr = kernel.attr;
  step.constant = kernel.constant;
  step.splat = kernel.splat;
  return addStep(std::move(step), op);
}

LogicalResult Planner::planGemm(MatmulOp matmul, Value lhs, Value rhs,
                                int32_t c, int64_t activation, int32_t bias) {
  auto operand = [&](Value v, bool &transposed) {
    auto it = transposeSource.find(v);
    transposed = it != transposeSource.end();
    return slotOf.at(transposed ? it->second : v);
  };
  bool transA = false, transB = false;
  int32_t a = operand(lhs, transA);
  int32_t b = operand(rhs, transB);
  ArrayRef<int64_t> lhsShape =
      cast<RankedTensorType>(matmul.getLhs().getType()).getShape();
  ArrayRef<int64_t> out = cast<RankedTensorType>(matmul.getType()).getShape();
  size_t rank = out.size();
  int64_t batch = 1;
  for (size_t d = 0; d + 2 < rank; ++d)
    batch *= out[d];
  Step step;
  step.kind = StepKind::Gemm;
  step.slots = {a, b, c};
  if (bias >= 0)
    step.slots.push_back(bias);
  step.ints = {batch,  out[rank - 2], out[rank - 1], lhsShape[rank - 1],
               transA, transB,        activation,    bias >= 0};
  step.where = where(matmul);
  plan.steps.push_back(std::move(step));
  return success();
}

LogicalResult Planner::planOp(Operation *op) {
  if (forcedToReference(op))
    return planReference(op);

  if (auto fusion = dyn_cast<FusionOp>(op)) {
    if (auto activation =
            fusion->getAttrOfType<IntegerAttr>(kLibraryActivationAttr)) {
      // The GEMM library applies the whole epilogue.
      auto bias = fusion->getAttrOfType<IntegerAttr>(kLibraryBiasAttr);
      auto matmul = *fusion.getBody().front().getOps<MatmulOp>().begin();
      auto input = [&](Value operand) {
        return fusion.getInputs()[cast<BlockArgument>(operand).getArgNumber()];
      };
      FailureOr<int32_t> out = addTemp(fusion.getResult(0), op);
      if (failed(out))
        return failure();
      int64_t biasInput = bias ? bias.getInt() : -1;
      return planGemm(matmul, input(matmul.getLhs()), input(matmul.getRhs()),
                      *out, activation.getInt(),
                      biasInput < 0 ? -1
                                    : slotOf.at(fusion.getInputs()[biasInput]));
    }
    auto symbol = fusion->getAttrOfType<FlatSymbolRefAttr>(kKernelAttr);
    auto iterations = fusion->getAttrOfType<IntegerAttr>(kIterationsAttr);
    auto grain = fusion->getAttrOfType<IntegerAttr>(kGrainAttr);
    if (!symbol || !iterations || !grain)
      return fusion.emitError(
          "a fusion without a kernel (run dlc-cpu-kernels first)");
    Step step;
    step.symbol = symbol.getValue().str();
    step.iterations = iterations.getInt();
    step.grain = grain.getInt();
    step.where = whereFused(op);
    for (Value input : fusion.getInputs())
      step.slots.push_back(transposeSource.count(input) ? -1
                                                        : slotOf.at(input));
    FailureOr<int32_t> out = addTemp(fusion.getResult(0), op);
    if (failed(out))
      return failure();
    step.slots.push_back(*out);
    if (fusion.getKind() == FusionKind::matmul) {
      // The product into the output, then the epilogue on it in place.
      auto matmul = *fusion.getBody().front().getOps<MatmulOp>().begin();
      auto input = [&](Value operand) {
        return fusion.getInputs()[cast<BlockArgument>(operand).getArgNumber()];
      };
      if (failed(planGemm(matmul, input(matmul.getLhs()),
                          input(matmul.getRhs()), *out)))
        return failure();
      // A transposed operand the epilogue does not read: no slot needed.
      for (int32_t &slot : step.slots)
        if (slot < 0)
          slot = *out;
      step.kind = StepKind::Kernel;
      plan.steps.push_back(std::move(step));
      return success();
    }
    if (llvm::is_contained(step.slots, -1))
      return fusion.emitError(
          "a fusion reads a transpose folded into a matmul");
    auto partial = fusion->getAttrOfType<TypeAttr>(kPartialAttr);
    if (!partial) {
      if (auto inPlace = fusion->getAttrOfType<DenseI64ArrayAttr>(kInPlaceAttr))
        inPlacePositions[plan.steps.size()] =
            llvm::to_vector(inPlace.asArrayRef());
      step.kind = StepKind::Kernel;
      plan.steps.push_back(std::move(step));
      return success();
    }
    // A full reduction: one partial per fixed chunk, folded in order.
    std::optional<ScalarType> partialType = getScalarType(partial.getValue());
    auto combine = fusion->getAttrOfType<IntegerAttr>(kCombineAttr);
    if (!partialType || !combine)
      return fusion.emitError(
          "a partial kernel without a partial type or combine op");
    int64_t chunks = step.iterations == 0
                         ? 0
                         : (step.iterations + step.grain - 1) / step.grain;
    Slot slot;
    slot.type = *partialType;
    slot.shape = {chunks};
    slot.storage = addStorage(StorageKind::Temp, slotBytes(slot));
    plan.slots.push_back(slot);
    int32_t partials = static_cast<int32_t>(plan.slots.size() - 1);
    step.kind = StepKind::PartialKernel;
    step.slots.push_back(partials);
    plan.steps.push_back(std::move(step));
    Step fold;
    fold.kind = StepKind::Combine;
    fold.slots = {partials, *out};
    fold.attr = combine.getInt();
    fold.where = where(op);
    plan.steps.push_back(std::move(fold));
    return success();
  }

  if (auto constant = dyn_cast<ConstantOp>(op)) {
    reference::Kernel kernel;
    if (failed(describeReferenceKernel(op, kernel)))
      return failure();
    if (kernel.splat) {
      // Filled where it is needed (zeroed gradients): no bytes in the
      // plan, no copy from them.
      Step step;
      step.kind = StepKind::Fill;
      step.constant = std::move(kernel.constant);
      step.where = where(op);
      FailureOr<int32_t> out = addTemp(constant.getResult(), op);
      if (failed(out))
        return failure();
      step.slots = {*out};
      plan.steps.push_back(std::move(step));
      return success();
    }
    int32_t storage = addStorage(StorageKind::Constant, 0);
    FailureOr<int32_t> slot = addSlot(constant.getResult(), storage, op);
    if (failed(slot))
      return failure();
    int64_t bytes = slotBytes(plan.slots[*slot]);
    std::vector<uint8_t> &data = plan.storages[storage].data;
    if (kernel.splat && !kernel.constant.empty()) {
      size_t es = kernel.constant.size();
      data.resize(bytes);
      for (int64_t offset = 0; offset < bytes; offset += es)
        std::copy(kernel.constant.begin(), kernel.constant.end(),
                  data.begin() + offset);
    } else {
      data = std::move(kernel.constant);
    }
    if (static_cast<int64_t>(data.size()) != bytes)
      return op->emitError("constant data of the wrong size");
    plan.storages[storage].bytes = bytes;
    return success();
  }

  if (auto transpose = dyn_cast<TransposeOp>(op);
      transpose && isMatmulOperandTranspose(transpose)) {
    transposeSource[transpose.getResult()] = transpose.getInput();
    return success();
  }

  if (auto matmul = dyn_cast<MatmulOp>(op)) {
    FailureOr<int32_t> c = addTemp(matmul.getResult(), op);
    if (failed(c))
      return failure();
    return planGemm(matmul, matmul.getLhs(), matmul.getRhs(), *c);
  }

  if (isa<ReshapeOp, StopGradientOp>(op)) {
    // A new view of the same bytes.
    return addSlot(op->getResult(0),
                   plan.slots[slotOf.at(op->getOperand(0))].storage, op);
  }

  if (auto allReduce = dyn_cast<AllReduceOp>(op)) {
    // Started here, where the compiler placed it; its wait goes before the
    // first step that reads a result (placeWaits).
    Step step;
    step.kind = StepKind::AllReduceStart;
    step.attr = static_cast<int64_t>(allReduce.getReduction());
    step.where = where(op);
    for (Value input : allReduce.getInputs())
      step.slots.push_back(slotOf.at(input));
    for (Value result : allReduce.getResults()) {
      FailureOr<int32_t> out = addTemp(result, op);
      if (failed(out))
        return failure();
      step.slots.push_back(*out);
    }
    plan.steps.push_back(std::move(step));
    return success();
  }

  // Coalescing a sparse gradient's indices: a hash table over a few
  // thousand ids, a loop of the reference kernels.
  if (isa<FirstOccurrenceOp>(op))
    return planReference(op, /*warn=*/false);

  if (isa<GatherOp, ScatterAddOp, ConcatOp>(op)) {
    Step step;
    step.kind = isa<GatherOp>(op)       ? StepKind::Gather
                : isa<ScatterAddOp>(op) ? StepKind::ScatterAdd
                                        : StepKind::Concat;
    if (auto gather = dyn_cast<GatherOp>(op))
      step.attr = gather.getAxis();
    else if (auto scatter = dyn_cast<ScatterAddOp>(op))
      step.attr = scatter.getAxis();
    else
      step.attr = cast<ConcatOp>(op).getDim();
    return addStep(std::move(step), op);
  }

  return planReference(op);
}

void Planner::placeWaits() {
  std::vector<Step> steps;
  std::map<size_t, SmallVector<int64_t>> positions;
  // Storages of results still in flight -> the index (in `steps`) of their
  // start step.
  llvm::DenseMap<int32_t, int64_t> inFlight;
  std::map<int64_t, std::vector<int32_t>> resultSlots;
  auto wait = [&](int64_t start) {
    Step step;
    step.kind = StepKind::AllReduceWait;
    step.attr = start;
    step.slots = resultSlots[start];
    step.where = steps[start].where;
    for (int32_t slot : step.slots)
      inFlight.erase(plan.slots[slot].storage);
    steps.push_back(std::move(step));
  };
  for (auto [i, step] : llvm::enumerate(plan.steps)) {
    // Waits this step needs, in the order they were started.
    std::set<int64_t> needed;
    for (int32_t slot : step.slots) {
      auto it = inFlight.find(plan.slots[slot].storage);
      if (it != inFlight.end())
        needed.insert(it->second);
    }
    for (int64_t start : needed)
      wait(start);
    if (auto it = inPlacePositions.find(i); it != inPlacePositions.end())
      positions[steps.size()] = it->second;
    if (step.kind == StepKind::AllReduceStart) {
      int64_t start = static_cast<int64_t>(steps.size());
      size_t n = step.slots.size() / 2;
      for (size_t r = 0; r < n; ++r) {
        int32_t slot = step.slots[n + r];
        resultSlots[start].push_back(slot);
        inFlight[plan.slots[slot].storage] = start;
      }
    }
    steps.push_back(std::move(step));
  }
  // Whatever is still in flight (results returned as they are).
  std::set<int64_t> remaining;
  for (auto [storage, start] : inFlight)
    remaining.insert(start);
  for (int64_t start : remaining)
    wait(start);
  plan.steps = std::move(steps);
  inPlacePositions = std::move(positions);
}

/// The slot a step writes (the first writer of an output fills it), or -1.
static int32_t writtenSlot(const Step &step) {
  switch (step.kind) {
  case StepKind::PartialKernel:
    return -1; // its partials; the Combine step writes the result
  case StepKind::Combine:
    return step.slots[1];
  case StepKind::Gemm:
    return step.slots[2];
  case StepKind::AllReduceWait:
    return -1; // the start step wrote them
  default:
    return step.slots.back();
  }
}

void Planner::scatterInPlace() {
  // A gradient summed over several lookups of one embedding table is a
  // chain of scatter_adds (dlc-autodiff): without this, each link copies
  // the whole table before adding a batch of rows into it.
  size_t count = plan.storages.size();
  std::vector<int64_t> lastUse(count, -1);
  for (auto [i, step] : llvm::enumerate(plan.steps))
    for (int32_t slot : step.slots)
      lastUse[plan.slots[slot].storage] = static_cast<int64_t>(i);
  for (auto [i, step] : llvm::enumerate(plan.steps)) {
    if (step.kind != StepKind::ScatterAdd)
      continue;
    int32_t in = plan.slots[step.slots[0]].storage;
    int32_t out = plan.slots[step.slots[3]].storage;
    if (in == out || plan.storages[in].kind != StorageKind::Temp ||
        lastUse[in] != static_cast<int64_t>(i) ||
        plan.storages[in].bytes != plan.storages[out].bytes ||
        plan.slots[step.slots[1]].storage == in ||
        plan.slots[step.slots[2]].storage == in)
      continue;
    // Every view of the input's bytes becomes a view of the output's: the
    // output (a temporary or a result buffer) holds them from their first
    // writer on, and the step's copy of its input is skipped.
    for (Slot &slot : plan.slots)
      if (slot.storage == in)
        slot.storage = out;
    lastUse[out] = std::max(lastUse[out], lastUse[in]);
  }
}

void Planner::planDonors() {
  size_t count = plan.storages.size();
  std::vector<int64_t> lastUse(count, -1), writer(count, -1);
  for (auto [i, step] : llvm::enumerate(plan.steps)) {
    for (int32_t slot : step.slots)
      lastUse[plan.slots[slot].storage] = static_cast<int64_t>(i);
    int32_t written = writtenSlot(step);
    if (written >= 0 && writer[plan.slots[written].storage] < 0)
      writer[plan.slots[written].storage] = static_cast<int64_t>(i);
  }
  for (size_t o = 0; o < count; ++o) {
    Storage &output = plan.storages[o];
    int64_t s = writer[o];
    if (output.kind != StorageKind::Output || s < 0)
      continue;
    const Step &step = plan.steps[s];
    for (size_t i = 0; i < count; ++i) {
      const Storage &input = plan.storages[i];
      if (input.kind != StorageKind::Input || input.bytes != output.bytes ||
          lastUse[i] > s)
        continue;
      if (lastUse[i] == s && step.kind == StepKind::ScatterAdd) {
        // A scatter_add into it (an optimizer updating the rows of a
        // sparse gradient): the step adds into its input's bytes, which
        // neither the indices nor the updates may share.
        if (plan.slots[step.slots[0]].storage != static_cast<int32_t>(i) ||
            plan.slots[step.slots[1]].storage == static_cast<int32_t>(i) ||
            plan.slots[step.slots[2]].storage == static_cast<int32_t>(i))
          continue;
      } else if (lastUse[i] == s) {
        // Read by the writing step itself: only a kernel that reads it at
        // the element it writes, and only there.
        auto positions = inPlacePositions.find(s);
        if (step.kind != StepKind::Kernel ||
            positions == inPlacePositions.end())
          continue;
        bool safe = true;
        for (size_t p = 0; p + 1 < step.slots.size(); ++p)
          if (plan.slots[step.slots[p]].storage == static_cast<int32_t>(i) &&
              !llvm::is_contained(positions->second, static_cast<int64_t>(p)))
            safe = false;
        if (!safe)
          continue;
      }
      output.donors.push_back(static_cast<int32_t>(input.index));
    }
  }
}

/// First fit by lifetime: a temporary takes the lowest offset that no
/// temporary alive at the same time occupies.
void Planner::planMemory() {
  size_t count = plan.storages.size();
  std::vector<int64_t> first(count, -1), last(count, -1);
  for (auto [i, step] : llvm::enumerate(plan.steps))
    for (int32_t slot : step.slots) {
      int32_t storage = plan.slots[slot].storage;
      if (first[storage] < 0)
        first[storage] = static_cast<int64_t>(i);
      last[storage] = static_cast<int64_t>(i);
    }
  std::vector<int32_t> temps;
  for (size_t s = 0; s < count; ++s)
    if (plan.storages[s].kind == StorageKind::Temp && first[s] >= 0)
      temps.push_back(static_cast<int32_t>(s));
  // Larger ones first among those born together keeps holes small.
  std::stable_sort(temps.begin(), temps.end(), [&](int32_t a, int32_t b) {
    if (first[a] != first[b])
      return first[a] < first[b];
    return plan.storages[a].bytes > plan.storages[b].bytes;
  });
  std::vector<int32_t> placed;
  int64_t peak = 0;
  for (int32_t s : temps) {
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (int32_t other : placed)
      if (first[other] <= last[s] && first[s] <= last[other])
        busy.push_back({plan.storages[other].offset,
                        plan.storages[other].offset +
                            alignUp(plan.storages[other].bytes)});
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0, size = alignUp(plan.storages[s].bytes);
    for (auto [begin, end] : busy) {
      if (begin - offset >= size)
        break;
      offset = std::max(offset, end);
    }
    plan.storages[s].offset = offset;
    peak = std::max(peak, offset + size);
    placed.push_back(s);
  }
  plan.workspaceBytes = peak;
}

FailureOr<Plan> Planner::run(func::FuncOp function) {
  if (!function.getBody().hasOneBlock())
    return function.emitError(
        "the CPU backend compiles single-block functions");
  Block &body = function.getBody().front();
  for (BlockArgument argument : body.getArguments()) {
    int32_t storage =
        addStorage(StorageKind::Input, 0, argument.getArgNumber());
    FailureOr<int32_t> slot = addSlot(argument, storage, function);
    if (failed(slot))
      return failure();
    plan.storages[storage].bytes = slotBytes(plan.slots[*slot]);
  }
  plan.numInputs = static_cast<int32_t>(body.getNumArguments());

  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<bool> taken(plan.storages.size(), false);
      for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
        int32_t slot = slotOf.at(value);
        int32_t storage = plan.slots[slot].storage;
        if (plan.storages[storage].kind == StorageKind::Temp &&
            !taken[storage]) {
          plan.storages[storage].kind = StorageKind::Output;
          plan.storages[storage].index = static_cast<int64_t>(i);
          taken[storage] = true;
          plan.outputs.push_back(slot);
          continue;
        }
        // An input, a constant or a value returned twice: a copy, so that
        // every result is a buffer of its own.
        Slot copy = plan.slots[slot];
        copy.storage = addStorage(StorageKind::Output, slotBytes(copy),
                                  static_cast<int64_t>(i));
        taken.push_back(true);
        plan.slots.push_back(copy);
        int32_t target = static_cast<int32_t>(plan.slots.size() - 1);
        Step step;
        step.kind = StepKind::Copy;
        step.slots = {slot, target};
        plan.steps.push_back(std::move(step));
        plan.outputs.push_back(target);
      }
      continue;
    }
    if (failed(planOp(&op)))
      return failure();
  }
  placeWaits();
  scatterInPlace();
  planDonors();
  planMemory();
  return std::move(plan);
}

} // namespace

FailureOr<Plan> planFunction(ModuleOp module, StringRef name) {
  auto function = module.lookupSymbol<func::FuncOp>(name);
  if (!function)
    return module.emitError("no function named '") << name << "'";
  Planner planner;
  return planner.run(function);
}

/// The text of kernel `entry` and its `_impl`, both renamed, so that two
/// kernels that compute the same thing print alike.
static std::string kernelKey(func::FuncOp entry, func::FuncOp impl) {
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(entry.getLoc());
  OpBuilder builder(entry.getContext());
  builder.setInsertionPointToEnd(scratch->getBody());
  auto entryCopy = cast<func::FuncOp>(builder.clone(*entry));
  auto implCopy = cast<func::FuncOp>(builder.clone(*impl));
  if (failed(SymbolTable::replaceAllSymbolUses(
          implCopy, builder.getStringAttr("k_impl"), *scratch)))
    return {};
  entryCopy.setSymName("k");
  implCopy.setSymName("k_impl");
  std::string text;
  llvm::raw_string_ostream os(text);
  scratch->print(os);
  return text;
}

/// Kernel entry symbol -> the symbol of the first kernel with the same body.
static llvm::StringMap<std::string> dedupKernels(ModuleOp module) {
  llvm::StringMap<std::string> canonical;
  std::map<std::string, std::string> byKey;
  for (auto entry : module.getOps<func::FuncOp>()) {
    if (!entry->hasAttr(kKernelFunctionAttr) ||
        entry.getSymName().ends_with("_impl"))
      continue;
    auto impl =
        module.lookupSymbol<func::FuncOp>((entry.getSymName() + "_impl").str());
    if (!impl)
      continue;
    std::string key = kernelKey(entry, impl);
    if (key.empty())
      continue;
    auto [it, inserted] = byKey.try_emplace(key, entry.getSymName().str());
    canonical[entry.getSymName()] = it->second;
  }
  return canonical;
}

FailureOr<CpuArtifact> compileCpuArtifact(ModuleOp module, StringRef name) {
  FailureOr<Plan> plan = planFunction(module, name);
  if (failed(plan))
    return failure();
  CpuArtifact artifact;
  artifact.plan = std::move(*plan);

  bool anyKernel = llvm::any_of(artifact.plan.steps, [](const Step &step) {
    return step.kind == StepKind::Kernel ||
           step.kind == StepKind::PartialKernel;
  });
  if (!anyKernel)
    return artifact;

  // The kernels to LLVM and to object code; a kernel identical to an
  // earlier one is compiled once and its steps call the first. The kernels
  // go into several modules, compiled at once on threads of their own (LLVM
  // -O3 is most of a compile).
  llvm::StringMap<std::string> canonical = dedupKernels(module);
  for (Step &step : artifact.plan.steps)
    if (auto it = canonical.find(step.symbol); it != canonical.end())
      step.symbol = it->second;
  std::vector<func::FuncOp> entries;
  for (auto kernel : module.getOps<func::FuncOp>()) {
    StringRef name = kernel.getSymName();
    if (!kernel->hasAttr(kKernelFunctionAttr) || name.ends_with("_impl"))
      continue;
    auto it = canonical.find(name);
    if (it == canonical.end() || it->second == name)
      entries.push_back(kernel);
  }
  // At least 8 kernels a part: fewer do not pay for a thread.
  size_t parts = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  parts = std::max<size_t>(1, std::min(parts, entries.size() / 8));
  OpBuilder builder(module.getContext());
  std::vector<OwningOpRef<ModuleOp>> modules;
  for (size_t p = 0; p < parts; ++p)
    modules.push_back(ModuleOp::create(module.getLoc()));
  for (size_t i = 0; i < entries.size(); ++i) {
    ModuleOp part = *modules[i % parts];
    builder.setInsertionPointToEnd(part.getBody());
    builder.clone(*entries[i]);
    if (auto impl = module.lookupSymbol<func::FuncOp>(
            (entries[i].getSymName() + "_impl").str()))
      builder.clone(*impl);
  }
  std::vector<std::unique_ptr<llvm::LLVMContext>> contexts;
  std::vector<std::unique_ptr<llvm::Module>> llvmModules;
  for (OwningOpRef<ModuleOp> &part : modules) {
    if (failed(lowerKernelsToLLVM(*part)))
      return failure();
    contexts.push_back(std::make_unique<llvm::LLVMContext>());
    llvmModules.push_back(translateModuleToLLVMIR(*part, *contexts.back()));
    if (!llvmModules.back())
      return module.emitError("translating the kernels to LLVM IR failed");
  }
  std::string dump;
  if (const char *dir = std::getenv("DLC_DUMP_IR"); dir && *dir) {
    llvm::sys::fs::create_directories(dir);
    dump = (Twine(dir) + "/" + name + ".kernels").str();
  }
  std::vector<std::string> objects(parts), errors(parts);
  auto compile = [&](size_t p) {
    std::string prefix =
        dump.empty() || parts == 1 ? dump : dump + "." + std::to_string(p);
    objects[p] = compileToObject(*llvmModules[p], errors[p], prefix);
  };
  std::vector<std::thread> threads;
  for (size_t p = 1; p < parts; ++p)
    threads.emplace_back(compile, p);
  compile(0);
  for (std::thread &thread : threads)
    thread.join();
  for (size_t p = 0; p < parts; ++p)
    if (objects[p].empty())
      return module.emitError("compiling the kernels failed: ") << errors[p];
  artifact.object = packObjects(objects);
  return artifact;
}

std::unique_ptr<::dlc::rt::Executable> loadCpuExecutable(CpuArtifact artifact,
                                                         std::string &error) {
  std::vector<std::string> symbols;
  std::vector<size_t> kernelSteps;
  for (auto [i, step] : llvm::enumerate(artifact.plan.steps))
    if (step.kind == StepKind::Kernel || step.kind == StepKind::PartialKernel) {
      symbols.push_back(step.symbol);
      kernelSteps.push_back(i);
    }
  std::vector<KernelFn> kernels(artifact.plan.steps.size(), nullptr);
  std::shared_ptr<LoadedCode> code;
  if (!symbols.empty()) {
    std::vector<void *> addresses;
    code = loadObject(artifact.object, symbols, addresses, error);
    if (!code)
      return nullptr;
    for (size_t k = 0; k < kernelSteps.size(); ++k)
      kernels[kernelSteps[k]] = reinterpret_cast<KernelFn>(addresses[k]);
  }
  return std::make_unique<CpuExecutable>(std::move(artifact.plan),
                                         std::move(kernels), std::move(code));
}

} // namespace mlir::dlc::cpu
