//===- Jit.cpp - Object code for the host, and loading it -----------------===//

#include "codegen/cpu/Jit.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace mlir::dlc::cpu {
namespace {

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

struct Host {
  std::string triple;
  std::string cpu;
  std::string features;
  std::string key;
};

const Host &host() {
  static const Host result = [] {
    Host h;
    h.triple = llvm::sys::getProcessTriple();
    h.cpu = llvm::sys::getHostCPUName().str();
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    std::vector<std::string> enabled;
    for (const auto &feature : features)
      enabled.push_back((feature.getValue() ? "+" : "-") +
                        feature.getKey().str());
    std::sort(enabled.begin(), enabled.end());
    for (const std::string &f : enabled)
      h.features += (h.features.empty() ? "" : ",") + f;
    h.key = h.triple + ":" + h.cpu + ":" + h.features;
    return h;
  }();
  return result;
}

/// A target machine for the host (one per compilation: several compile at
/// once on threads of their own).
std::unique_ptr<llvm::TargetMachine> targetMachine(std::string &error) {
  initializeNativeTarget();
  const Host &h = host();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(h.triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      h.triple, h.cpu, h.features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    error = "no target machine for " + h.triple;
  return machine;
}

/// What packObjects puts before several objects (one object is stored as
/// it is: an ELF file starts otherwise).
constexpr llvm::StringLiteral kObjectsMagic = "dlc-objects\n";

/// The process's one JIT. Libraries are added and removed per executable.
/// Never destroyed: executables held by static objects release their
/// libraries during exit, in any order.
llvm::orc::LLJIT *jit(std::string &error) {
  static llvm::orc::LLJIT *instance = nullptr;
  static std::string *failure = new std::string();
  static std::once_flag once;
  std::call_once(once, [] {
    initializeNativeTarget();
    auto created = llvm::orc::LLJITBuilder().create();
    if (!created) {
      *failure = llvm::toString(created.takeError());
      return;
    }
    instance = created->release();
  });
  error = *failure;
  return instance;
}

std::mutex &jitMutex() {
  static std::mutex *mutex = new std::mutex();
  return *mutex;
}

class JitLibrary : public LoadedCode {
public:
  JitLibrary(llvm::orc::LLJIT *jit, llvm::orc::JITDylib *library)
      : jit(jit), library(library) {}
  ~JitLibrary() override {
    std::lock_guard<std::mutex> lock(jitMutex());
    llvm::consumeError(jit->getExecutionSession().removeJITDylib(*library));
  }

private:
  llvm::orc::LLJIT *jit;
  llvm::orc::JITDylib *library;
};

} // namespace

const std::string &hostTarget() { return host().key; }

std::string compileToObject(llvm::Module &module, std::string &error,
                            const std::string &dumpPrefix) {
  // A target machine per call: kernels compile on several threads.
  std::unique_ptr<llvm::TargetMachine> machine = targetMachine(error);
  if (!machine)
    return {};
  const Host &h = host();
  module.setDataLayout(machine->createDataLayout());
  module.setTargetTriple(h.triple);
  for (llvm::Function &function : module) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", h.cpu);
    function.addFnAttr("target-features", h.features);
    function.addFnAttr(llvm::Attribute::NoUnwind);
  }

  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  // The vectorizer's interleaving gives the loops their parallelism.
  // Unrolling a row loop on top of it (a 1024-element row is 16 vector
  // iterations: fully unrolled) lets GVN keep the whole row in registers
  // from one pass to the next, and spill it: softmax ran 1.6x slower.
  tuning.LoopUnrolling = false;
  llvm::PassBuilder passes(machine.get(), tuning);
  passes.registerModuleAnalyses(modules);
  passes.registerCGSCCAnalyses(cgscc);
  passes.registerFunctionAnalyses(functions);
  passes.registerLoopAnalyses(loops);
  passes.crossRegisterProxies(loops, functions, cgscc, modules);
  llvm::ModulePassManager pipeline =
      passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  pipeline.run(module, modules);

  if (!dumpPrefix.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream ir(dumpPrefix + ".ll", ec);
    if (!ec)
      module.print(ir, nullptr);
    llvm::raw_fd_ostream assembly(dumpPrefix + ".s", ec);
    llvm::legacy::PassManager printer;
    if (!ec &&
        !machine->addPassesToEmitFile(printer, assembly, nullptr,
                                      llvm::CodeGenFileType::AssemblyFile))
      printer.run(module);
  }

  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return {};
  }
  codegen.run(module);
  return std::string(buffer.begin(), buffer.end());
}

std::string packObjects(const std::vector<std::string> &objects) {
  if (objects.size() == 1)
    return objects.front();
  std::string packed = kObjectsMagic.str();
  auto put = [&](uint64_t n) {
    packed.append(reinterpret_cast<const char *>(&n), sizeof(n));
  };
  put(objects.size());
  for (const std::string &object : objects) {
    put(object.size());
    packed += object;
  }
  return packed;
}

bool unpackObjects(const std::string &packed,
                   std::vector<std::string> &objects) {
  objects.clear();
  if (packed.rfind(kObjectsMagic.str(), 0) != 0) {
    objects.push_back(packed);
    return true;
  }
  size_t at = kObjectsMagic.size();
  auto get = [&](uint64_t &n) {
    if (packed.size() - at < sizeof(n))
      return false;
    std::memcpy(&n, packed.data() + at, sizeof(n));
    at += sizeof(n);
    return true;
  };
  uint64_t count = 0;
  if (!get(count) || count > packed.size())
    return false;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t size = 0;
    if (!get(size) || packed.size() - at < size)
      return false;
    objects.push_back(packed.substr(at, size));
    at += size;
  }
  return at == packed.size();
}

std::shared_ptr<LoadedCode> loadObject(const std::string &object,
                                       const std::vector<std::string> &symbols,
                                       std::vector<void *> &addresses,
                                       std::string &error) {
  llvm::orc::LLJIT *instance = jit(error);
  if (!instance)
    return nullptr;
  std::lock_guard<std::mutex> lock(jitMutex());
  static std::atomic<uint64_t> counter{0};
  llvm::orc::ExecutionSession &session = instance->getExecutionSession();
  auto library = session.createJITDylib("dlc" + std::to_string(counter++));
  if (!library) {
    error = llvm::toString(library.takeError());
    return nullptr;
  }
  // libm and the C library, for the calls the kernels make.
  auto generator =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
          instance->getDataLayout().getGlobalPrefix());
  if (!generator) {
    error = llvm::toString(generator.takeError());
    llvm::consumeError(session.removeJITDylib(*library));
    return nullptr;
  }
  library->addGenerator(std::move(*generator));
  auto fail = [&](llvm::Error e) -> std::shared_ptr<LoadedCode> {
    error = llvm::toString(std::move(e));
    llvm::consumeError(session.removeJITDylib(*library));
    return nullptr;
  };
  std::vector<std::string> objects;
  if (!unpackObjects(object, objects)) {
    error = "the object code is truncated";
    llvm::consumeError(session.removeJITDylib(*library));
    return nullptr;
  }
  for (const std::string &one : objects)
    if (llvm::Error e = instance->addObjectFile(
            *library, llvm::MemoryBuffer::getMemBufferCopy(one, "dlc-kernels")))
      return fail(std::move(e));
  addresses.clear();
  for (const std::string &symbol : symbols) {
    auto address = instance->lookup(*library, symbol);
    if (!address)
      return fail(address.takeError());
    addresses.push_back(address->toPtr<void *>());
  }
  return std::make_shared<JitLibrary>(instance, &*library);
}

} // namespace mlir::dlc::cpu
