//===- dlc-run.cpp - Run a function of a .mlir file -----------------------===//
//
// dlc-run file.mlir --entry f --input-random --print
//
// Parses the file, optionally runs dlc's default pipeline, builds an
// executable for the entry function on `--device` (today the reference
// executor on the CPU) and runs it on generated inputs. With --print it
// prints every output as LibTorch prints tensors.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"
#include "codegen/reference/Philox.h"
#include "codegen/reference/ReferenceExecutor.h"
#include "runtime/Buffer.h"
#include "runtime/Error.h"
#include "runtime/Format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>
#include <optional>

using namespace mlir;
namespace cl = llvm::cl;
using ::dlc::ScalarType;

static cl::opt<std::string>
    inputFile(cl::Positional, cl::desc("<input .mlir file>"), cl::init("-"));
static cl::opt<std::string>
    entry("entry", cl::desc("The function to run (default: the first)"),
          cl::value_desc("name"), cl::init(""));
static cl::opt<bool> inputRandom(
    "input-random",
    cl::desc(
        "Generate the inputs: floats uniform in [-1, 1), integers in [0, 10), "
        "bools at random, from --seed (the default)"),
    cl::init(true));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the generated inputs"),
                              cl::init(0));
static cl::opt<bool> print("print", cl::desc("Print every output"),
                           cl::init(false));
static cl::opt<bool> pipeline("pipeline",
                              cl::desc("Run dlc's default pipeline first "
                                       "(canonicalize, dlc-decompose, cse)"),
                              cl::init(false));
static cl::opt<std::string> device("device", cl::desc("Where to run (cpu)"),
                                   cl::init("cpu"));

/// Fills argument `index` from its own Philox stream.
static void fillRandom(void *data, ScalarType type, int64_t numel,
                       uint64_t index) {
  uint64_t key = seed * 0x9E3779B97F4A7C15ull + index;
  for (int64_t i = 0; i < numel; ++i) {
    auto x = mlir::dlc::reference::philox4x32(static_cast<uint64_t>(i), key);
    switch (type) {
    case ScalarType::Float:
      static_cast<float *>(data)[i] =
          2 * mlir::dlc::reference::uniformFloat(x) - 1;
      break;
    case ScalarType::Double:
      static_cast<double *>(data)[i] =
          2 * mlir::dlc::reference::uniformDouble(x) - 1;
      break;
    case ScalarType::Int:
      static_cast<int32_t *>(data)[i] = static_cast<int32_t>(x[0] % 10);
      break;
    case ScalarType::Long:
      static_cast<int64_t *>(data)[i] = static_cast<int64_t>(x[0] % 10);
      break;
    case ScalarType::Bool:
      static_cast<uint8_t *>(data)[i] = x[0] & 1;
      break;
    }
  }
}

static int fail(const std::string &message) {
  llvm::errs() << "dlc-run: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "dlc-run: run a function of a dlc .mlir file\n");
  if (device != "cpu")
    return fail("device '" + device +
                "' is not available in this build (only cpu)");
  if (!inputRandom)
    return fail("--input-random is the only way to give inputs today");

  DialectRegistry registry;
  mlir::dlc::registerCompilerDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sources;
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sources, &context);
  if (!module)
    return 1;

  func::FuncOp func;
  for (auto candidate : module->getOps<func::FuncOp>()) {
    if (entry.empty() || candidate.getSymName() == entry) {
      func = candidate;
      break;
    }
  }
  if (!func)
    return fail(entry.empty() ? std::string("the file has no function")
                              : "no function named '" + entry + "'");
  std::string name = func.getSymName().str();

  if (pipeline) {
    PassManager pm(&context);
    mlir::dlc::buildDefaultPipeline(pm);
    if (failed(pm.run(*module)))
      return 1;
  }
  std::unique_ptr<::dlc::rt::Executable> executable =
      mlir::dlc::buildExecutable(*module, name);
  if (!executable)
    return 1;

  std::vector<::dlc::rt::BufferPtr> inputs;
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensor = cast<RankedTensorType>(type);
    ScalarType element = *mlir::dlc::getScalarType(tensor.getElementType());
    int64_t numel = tensor.getNumElements();
    auto buffer =
        ::dlc::rt::Buffer::allocate(numel * ::dlc::elementSize(element));
    fillRandom(buffer->data(), element, numel, index);
    inputs.push_back(std::move(buffer));
  }

  std::vector<::dlc::rt::BufferPtr> outputs;
  try {
    outputs = executable->run(inputs);
  } catch (const ::dlc::Error &error) {
    return fail(error.what());
  }
  if (!print)
    return 0;
  for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
    auto tensor = cast<RankedTensorType>(type);
    std::string text;
    llvm::raw_string_ostream os(text);
    os << tensor;
    std::cout << "output #" << index << ": " << text << "\n";
    ::dlc::rt::formatTensor(std::cout, outputs[index]->data(),
                            *mlir::dlc::getScalarType(tensor.getElementType()),
                            tensor.getShape());
    std::cout << "\n";
  }
  return 0;
}
