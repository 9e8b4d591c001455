//===- ReferenceExecutor.cpp - Run a dlc function op by op ----------------===//
//
// Building walks the function once and records a step per op (kernel,
// operand and result slots, attributes); running allocates each result from
// the caching allocator, calls the kernel, and frees every slot after its
// last use. No MLIR is touched at run time.
//
//===----------------------------------------------------------------------===//

#include "codegen/reference/ReferenceExecutor.h"
#include "codegen/reference/Kernels.h"
#include "ir/DlcOps.h"
#include "runtime/Error.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstring>
#include <string>

using ::dlc::ScalarType;
namespace rt = ::dlc::rt;

namespace mlir::dlc {
namespace {

using reference::Kernel;
using reference::TensorRef;

class ReferenceExecutable : public rt::Executable {
public:
  struct Step {
    Kernel kernel;
    std::vector<int> inputs;
    std::vector<int> outputs;
    /// Slots whose last use is this step.
    std::vector<int> release;
    /// With checkFinite: "dlc.log" and " (model.cpp:42)", for messages.
    std::string op;
    std::string where;
  };

  /// Anomaly detection: throws at the first NaN or infinity of `ref`.
  void checkFinite(const TensorRef &ref, const std::string &what,
                   const std::string &where) const;

  std::vector<TensorRef> slots;
  int numArguments = 0;
  std::vector<Step> steps;
  std::vector<int> results;
  bool checking = false;
  /// With checkFinite: each argument's " (file:line)", for messages.
  std::vector<std::string> argumentWhere;

  std::vector<rt::BufferPtr> run(std::vector<rt::BufferPtr> inputs) override;
  size_t numKernels() const override { return steps.size(); }

private:
  size_t bytesOf(int slot) const {
    return slots[slot].numel() * ::dlc::elementSize(slots[slot].type);
  }
};

/// " (file:line)" of the first file location in `loc` (the line a
/// recorded op comes from), as dlc::Error ends its messages; "" without one.
std::string sourceOf(Location loc) {
  std::string found;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      StringRef name = file.getFilename().getValue();
      name = name.substr(name.find_last_of('/') + 1);
      found = " (" + name.str() + ":" + std::to_string(file.getLine()) + ")";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

template <typename T>
int64_t firstNonFinite(const TensorRef &ref) {
  const T *data = static_cast<const T *>(ref.data);
  for (int64_t i = 0, n = ref.numel(); i < n; ++i)
    if (!std::isfinite(data[i]))
      return i;
  return -1;
}

void ReferenceExecutable::checkFinite(const TensorRef &ref,
                                      const std::string &what,
                                      const std::string &where) const {
  int64_t at;
  double value;
  if (ref.type == ::dlc::kFloat) {
    at = firstNonFinite<float>(ref);
    value = at < 0 ? 0 : static_cast<const float *>(ref.data)[at];
  } else if (ref.type == ::dlc::kDouble) {
    at = firstNonFinite<double>(ref);
    value = at < 0 ? 0 : static_cast<const double *>(ref.data)[at];
  } else {
    return;
  }
  if (at < 0)
    return;
  std::string shape;
  for (int64_t size : ref.shape)
    shape += std::to_string(size) + "x";
  std::string kind = std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
  throw ::dlc::Error("detect_anomaly: " + what + " " + kind + " at element " +
                     std::to_string(at) + " of tensor<" + shape +
                     (ref.type == ::dlc::kFloat ? "f32" : "f64") + ">" + where);
}

std::vector<rt::BufferPtr>
ReferenceExecutable::run(std::vector<rt::BufferPtr> inputs) {
  if (static_cast<int>(inputs.size()) != numArguments)
    throw ::dlc::Error("reference executor: expected " +
                       std::to_string(numArguments) + " inputs, got " +
                       std::to_string(inputs.size()));
  std::vector<rt::BufferPtr> live(slots.size());
  for (int i = 0; i < numArguments; ++i) {
    if (!inputs[i] || inputs[i]->size() < bytesOf(i))
      throw ::dlc::Error("reference executor: input " + std::to_string(i) +
                         " holds fewer bytes than its type needs (" +
                         std::to_string(bytesOf(i)) + ")");
    live[i] = inputs[i];
    if (checking) {
      TensorRef ref = slots[i];
      ref.data = live[i]->data();
      checkFinite(ref, "input " + std::to_string(i) + " holds",
                  argumentWhere[i]);
    }
  }
  std::vector<TensorRef> ins, outs;
  for (const Step &step : steps) {
    ins.clear();
    outs.clear();
    for (int slot : step.inputs) {
      TensorRef ref = slots[slot];
      ref.data = live[slot]->data();
      ins.push_back(std::move(ref));
    }
    for (int slot : step.outputs) {
      live[slot] = rt::Buffer::allocate(bytesOf(slot));
      TensorRef ref = slots[slot];
      ref.data = live[slot]->data();
      outs.push_back(std::move(ref));
    }
    reference::runKernel(step.kernel, ins, outs);
    if (checking)
      for (const TensorRef &out : outs)
        checkFinite(out, step.op + " produced", step.where);
    for (int slot : step.release)
      live[slot].reset();
  }
  // Results are fresh buffers: an argument, or a slot returned twice, is
  // copied, so that writing into one result never changes another value.
  std::vector<rt::BufferPtr> out;
  std::vector<bool> taken(slots.size(), false);
  for (int slot : results) {
    if (slot < numArguments || taken[slot]) {
      rt::BufferPtr copy = rt::Buffer::allocate(bytesOf(slot));
      std::memcpy(copy->data(), live[slot]->data(), bytesOf(slot));
      out.push_back(std::move(copy));
    } else {
      out.push_back(live[slot]);
      taken[slot] = true;
    }
  }
  return out;
}

/// The elements of a constant, in its element type's storage (bool as one
/// byte); one element for a splat.
LogicalResult constantBytes(Operation *op, ElementsAttr value, Kernel &kernel) {
  Type element = value.getElementType();
  size_t es = ::dlc::elementSize(*getScalarType(element));
  auto append = [&](const void *bytes) {
    const auto *p = static_cast<const uint8_t *>(bytes);
    kernel.constant.insert(kernel.constant.end(), p, p + es);
  };
  auto appendElement = [&](Attribute attr) {
    if (auto f = dyn_cast<FloatAttr>(attr)) {
      if (element.isF32()) {
        float v = f.getValue().convertToFloat();
        append(&v);
      } else {
        double v = f.getValue().convertToDouble();
        append(&v);
      }
      return;
    }
    APInt v = cast<IntegerAttr>(attr).getValue();
    if (element.isInteger(1)) {
      uint8_t b = v.isZero() ? 0 : 1;
      append(&b);
    } else if (element.isInteger(32)) {
      int32_t i = static_cast<int32_t>(v.getSExtValue());
      append(&i);
    } else {
      int64_t i = v.getSExtValue();
      append(&i);
    }
  };
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    kernel.splat = dense.isSplat();
    if (kernel.splat) {
      appendElement(dense.getSplatValue<Attribute>());
    } else {
      for (Attribute attr : dense.getValues<Attribute>())
        appendElement(attr);
    }
    return success();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    int64_t bytes = value.getNumElements() * static_cast<int64_t>(es);
    if (!blob || element.isInteger(1) ||
        static_cast<int64_t>(blob->getData().size()) != bytes)
      return op->emitOpError("holds a resource the reference executor cannot "
                             "read (missing, i1, or of the wrong size)");
    ArrayRef<char> data = blob->getData();
    kernel.constant.assign(data.begin(), data.end());
    return success();
  }
  return op->emitOpError("holds constant data of an unsupported kind");
}

} // namespace

/// The kernel of `op`: its kind and attributes in GraphNode's encoding.
LogicalResult describeReferenceKernel(Operation *op, Kernel &kernel) {
  OpKind kind;
  if (!lookupOpKind(op->getName().getStringRef().str(), kind))
    return op->emitOpError("is not a dlc op; the reference executor runs dlc "
                           "functions only");
  kernel.kind = kind;
  auto copy = [&](ArrayRef<int64_t> values) {
    kernel.ints.insert(kernel.ints.end(), values.begin(), values.end());
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](CompareOp o) {
        kernel.attr = static_cast<int64_t>(o.getDirection());
        return success();
      })
      .Case(
          [&](ConstantOp o) { return constantBytes(op, o.getValue(), kernel); })
      .Case([&](BroadcastInDimOp o) {
        copy(o.getDims());
        return success();
      })
      .Case([&](ConcatOp o) {
        kernel.attr = o.getDim();
        return success();
      })
      .Case([&](SliceOp o) {
        copy(o.getStart());
        copy(o.getLimit());
        copy(o.getStride());
        return success();
      })
      .Case([&](TransposeOp o) {
        copy(o.getPerm());
        return success();
      })
      .Case<ReduceMaxOp, ReduceMinOp, ReduceSumOp>([&](auto o) {
        copy(o.getDims());
        return success();
      })
      .Case<GatherOp, ScatterAddOp>([&](auto o) {
        kernel.attr = o.getAxis();
        return success();
      })
      .Case([&](IotaOp o) {
        kernel.attr = o.getDim();
        return success();
      })
      .Case([&](RandomOp o) {
        kernel.attr = static_cast<int64_t>(o.getDistribution());
        return success();
      })
      .Case<SoftmaxOp, LogSoftmaxOp>([&](auto o) {
        kernel.attr = o.getDim();
        return success();
      })
      .Case([&](AllReduceOp o) {
        kernel.attr = static_cast<int64_t>(o.getReduction());
        return success();
      })
      .Case([&](GradOp) {
        return op->emitOpError("must be expanded by dlc-autodiff before the "
                               "function can run");
      })
      .Default([](Operation *) { return success(); });
}

std::optional<ScalarType> getScalarType(Type type) {
  if (type.isF32())
    return ::dlc::kFloat;
  if (type.isF64())
    return ::dlc::kDouble;
  if (type.isInteger(32))
    return ::dlc::kInt;
  if (type.isInteger(64))
    return ::dlc::kLong;
  if (type.isInteger(1))
    return ::dlc::kBool;
  return std::nullopt;
}

std::unique_ptr<rt::Executable> buildReferenceExecutable(func::FuncOp func,
                                                         bool checkFinite) {
  auto executable = std::make_unique<ReferenceExecutable>();
  executable->checking = checkFinite;
  llvm::DenseMap<Value, int> slotOf;
  auto addSlot = [&](Value value, Operation *where) -> FailureOr<int> {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    std::optional<ScalarType> element =
        type ? getScalarType(type.getElementType()) : std::nullopt;
    if (!type || !element)
      return where->emitError("the reference executor runs ranked tensors of "
                              "f32, f64, i32, i64 and i1, not ")
             << value.getType();
    if (!type.hasStaticShape())
      return where->emitError(
                 "the reference executor needs static shapes, got ")
             << type;
    TensorRef slot;
    slot.type = *element;
    slot.shape.assign(type.getShape().begin(), type.getShape().end());
    executable->slots.push_back(std::move(slot));
    int id = static_cast<int>(executable->slots.size() - 1);
    slotOf[value] = id;
    return id;
  };

  if (!func.getBody().hasOneBlock())
    return func.emitError("the reference executor runs single-block functions"),
           nullptr;
  Block &body = func.getBody().front();
  for (BlockArgument argument : body.getArguments())
    if (failed(addSlot(argument, func)))
      return nullptr;
  executable->numArguments = static_cast<int>(body.getNumArguments());
  if (checkFinite)
    for (BlockArgument argument : body.getArguments())
      executable->argumentWhere.push_back(sourceOf(argument.getLoc()));

  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        executable->results.push_back(slotOf.at(v));
      continue;
    }
    ReferenceExecutable::Step step;
    if (failed(describeReferenceKernel(&op, step.kernel)))
      return nullptr;
    if (checkFinite) {
      step.op = op.getName().getStringRef().str();
      step.where = sourceOf(op.getLoc());
    }
    for (Value operand : op.getOperands())
      step.inputs.push_back(slotOf.at(operand));
    for (Value result : op.getResults()) {
      FailureOr<int> slot = addSlot(result, &op);
      if (failed(slot))
        return nullptr;
      step.outputs.push_back(*slot);
    }
    executable->steps.push_back(std::move(step));
  }

  // Free every slot after its last use, except arguments (the caller owns
  // them) and results.
  std::vector<int> lastUse(executable->slots.size(), -1);
  for (auto [i, step] : llvm::enumerate(executable->steps)) {
    for (int slot : step.inputs)
      lastUse[slot] = static_cast<int>(i);
    for (int slot : step.outputs)
      lastUse[slot] = std::max(lastUse[slot], static_cast<int>(i));
  }
  for (int slot : executable->results)
    lastUse[slot] = -1;
  for (int slot = executable->numArguments;
       slot < static_cast<int>(lastUse.size()); ++slot)
    if (lastUse[slot] >= 0)
      executable->steps[lastUse[slot]].release.push_back(slot);
  return executable;
}

} // namespace mlir::dlc
