//===- dlc-run.cpp - Run a function of a .mlir file -----------------------===//
//
// dlc-run file.mlir --entry f --input-random --print
//
// Parses the file and compiles the entry function for `--device` through
// the full pipeline (cpu: fusion, kernels through LLVM; --backend=reference
// runs it op by op instead), and runs it on generated inputs. With --print
// it prints every output as LibTorch prints tensors; with --check it also
// runs the reference executor and compares.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"
#include "codegen/cpu/CpuBackend.h"
#include "codegen/cuda/CudaBackend.h"
#include "codegen/reference/Philox.h"
#include "codegen/reference/ReferenceExecutor.h"
#include "ir/Nesting.h"
#include "runtime/Buffer.h"
#include "runtime/Cuda.h"
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

#include <cmath>
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
static cl::opt<bool>
    pipeline("pipeline",
             cl::desc("With --backend=reference: run dlc's default pipeline "
                      "first (autodiff, canonicalize, dlc-decompose, cse)"),
             cl::init(false));
static cl::opt<std::string>
    backend("backend", cl::desc("cpu (compiled, the default) or reference"),
            cl::init("cpu"));
static cl::opt<bool> fuse("fuse", cl::desc("Fuse ops into kernels (cpu)"),
                          cl::init(true));
static cl::opt<bool>
    check("check",
          cl::desc("Also run the reference executor and compare every output "
                   "(exact for integers, 1e-5 relative for floats)"),
          cl::init(false));
static cl::opt<std::string>
    device("device",
           cl::desc("Where to run: cpu, or cuda / cuda:N (the CUDA backend; "
                    "inputs are copied over, outputs back)"),
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
  int cudaDevice = -1; // -1: the CPU
  if (device != "cpu") {
    try {
      ::dlc::Device parsed(device);
      cudaDevice = std::max<int>(parsed.index(), 0);
    } catch (const ::dlc::Error &error) {
      return fail(error.what());
    }
    if (backend != "cpu")
      return fail("--device " + device +
                  " runs the compiled program: it takes --backend=cpu");
    if (!::dlc::rt::cuda::isAvailable())
      return fail("--device " + device + ": CUDA is not available: " +
                  ::dlc::rt::cuda::unavailableReason());
    if (cudaDevice >= ::dlc::rt::cuda::deviceCount())
      return fail("--device " + device + ": this machine has " +
                  std::to_string(::dlc::rt::cuda::deviceCount()) +
                  " CUDA device(s)");
  }
  if (!inputRandom)
    return fail("--input-random is the only way to give inputs today");
  if (backend != "cpu" && backend != "reference")
    return fail("backend '" + backend + "' is not one of cpu, reference");

  DialectRegistry registry;
  mlir::dlc::registerCompilerDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sources;
  // Brackets nested deeper than MLIR's parser can recurse: a diagnostic
  // instead of a stack overflow (ir/Nesting.h).
  if (auto file = llvm::MemoryBuffer::getFileOrSTDIN(inputFile)) {
    std::optional<size_t> at =
        mlir::dlc::findExcessiveNesting((*file)->getBuffer());
    const char *start = (*file)->getBufferStart();
    sources.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
    if (at) {
      sources.PrintMessage(
          llvm::SMLoc::getFromPointer(start + *at), llvm::SourceMgr::DK_Error,
          "brackets nested deeper than " +
              llvm::Twine(mlir::dlc::kMaxBracketNesting) + " levels");
      return 1;
    }
  }
  OwningOpRef<ModuleOp> module =
      sources.getNumBuffers() > 0
          ? parseSourceFile<ModuleOp>(sources, &context)
          : parseSourceFile<ModuleOp>(inputFile, sources, &context);
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

  OwningOpRef<ModuleOp> original = module->clone();
  std::unique_ptr<::dlc::rt::Executable> executable;
  if (cudaDevice >= 0) {
    PassManager pm(&context);
    mlir::dlc::buildPipeline(pm, mlir::dlc::getCudaPipeline(fuse));
    if (failed(pm.run(*module)))
      return 1;
    FailureOr<mlir::dlc::cuda::CudaArtifact> artifact =
        mlir::dlc::cuda::compileCudaArtifact(
            *module, name, ::dlc::rt::cuda::targetArchitecture(cudaDevice));
    if (failed(artifact))
      return 1;
    std::string error;
    auto onDevice = mlir::dlc::cuda::loadCudaExecutable(
        std::move(artifact->plan), artifact->ptx, cudaDevice, error);
    if (!onDevice)
      return fail("loading the kernels failed: " + error);
    // Host buffers in and out, as the other backends take them.
    executable = mlir::dlc::cuda::wrapDeviceExecutable(std::move(onDevice),
                                                       cudaDevice);
  } else if (backend == "cpu") {
    PassManager pm(&context);
    mlir::dlc::buildPipeline(pm, mlir::dlc::getCpuPipeline(fuse));
    if (failed(pm.run(*module)))
      return 1;
    FailureOr<mlir::dlc::cpu::CpuArtifact> artifact =
        mlir::dlc::cpu::compileCpuArtifact(*module, name);
    if (failed(artifact))
      return 1;
    std::string error;
    executable = mlir::dlc::cpu::loadCpuExecutable(std::move(*artifact), error);
    if (!executable)
      return fail("loading the kernels failed: " + error);
  } else {
    if (pipeline) {
      PassManager pm(&context);
      mlir::dlc::buildDefaultPipeline(pm);
      if (failed(pm.run(*module)))
        return 1;
    }
    executable = mlir::dlc::buildExecutable(*module, name);
    if (!executable)
      return 1;
  }

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
  int status = 0;
  if (check) {
    PassManager pm(&context);
    mlir::dlc::buildDefaultPipeline(pm);
    if (failed(pm.run(*original)))
      return 1;
    std::unique_ptr<::dlc::rt::Executable> reference =
        mlir::dlc::buildExecutable(*original, name);
    if (!reference)
      return 1;
    std::vector<::dlc::rt::BufferPtr> expected;
    try {
      expected = reference->run(inputs);
    } catch (const ::dlc::Error &error) {
      return fail(error.what());
    }
    for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
      auto tensor = cast<RankedTensorType>(type);
      ScalarType element = *mlir::dlc::getScalarType(tensor.getElementType());
      int64_t numel = tensor.getNumElements(), mismatches = 0;
      double worst = 0;
      for (int64_t i = 0; i < numel; ++i) {
        double got = 0, want = 0;
        switch (element) {
        case ScalarType::Float:
          got = static_cast<float *>(outputs[index]->data())[i];
          want = static_cast<float *>(expected[index]->data())[i];
          break;
        case ScalarType::Double:
          got = static_cast<double *>(outputs[index]->data())[i];
          want = static_cast<double *>(expected[index]->data())[i];
          break;
        case ScalarType::Int:
          got = static_cast<int32_t *>(outputs[index]->data())[i];
          want = static_cast<int32_t *>(expected[index]->data())[i];
          break;
        case ScalarType::Long:
          got = static_cast<double>(
              static_cast<int64_t *>(outputs[index]->data())[i]);
          want = static_cast<double>(
              static_cast<int64_t *>(expected[index]->data())[i]);
          break;
        case ScalarType::Bool:
          got = static_cast<uint8_t *>(outputs[index]->data())[i];
          want = static_cast<uint8_t *>(expected[index]->data())[i];
          break;
        }
        bool isFloat =
            element == ScalarType::Float || element == ScalarType::Double;
        bool same = (std::isnan(got) && std::isnan(want)) || got == want;
        double error = std::fabs(got - want);
        if (!same &&
            (!isFloat || error > 1e-5 * std::max(1.0, std::fabs(want)))) {
          ++mismatches;
          worst = std::max(worst, error);
        }
      }
      std::cout << "output #" << index << ": "
                << (mismatches ? "MISMATCH (" + std::to_string(mismatches) +
                                     " elements, largest error " +
                                     std::to_string(worst) + ")"
                               : std::string("matches the reference"))
                << "\n";
      if (mismatches)
        status = 1;
    }
  }
  if (!print)
    return status;
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
  return status;
}
