//===- Compiler.cpp - The facade the frontend compiles through ------------===//

#include "codegen/Compiler.h"
#include "codegen/Pipeline.h"
#include "codegen/cpu/CpuBackend.h"
#include "codegen/cpu/Jit.h"
#include "codegen/cuda/CudaBackend.h"
#include "ir/GraphToMlir.h"
#include "runtime/Cuda.h"
#include "runtime/Error.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <link.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <unordered_map>

#ifndef DLC_VERSION_STRING
#define DLC_VERSION_STRING "0.0.0"
#endif

namespace mlir::dlc {

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

CompilerOptions CompilerOptions::fromEnvironment() {
  CompilerOptions options;
  if (const char *backend = std::getenv("DLC_BACKEND")) {
    if (std::strcmp(backend, "reference") == 0)
      options.backend = Backend::Reference;
    else if (*backend && std::strcmp(backend, "cpu") != 0)
      llvm::errs() << "dlc: warning: DLC_BACKEND=" << backend
                   << " is not a backend (cpu, reference); using cpu\n";
  }
  if (const char *fusion = std::getenv("DLC_FUSION"))
    options.fuse = std::strcmp(fusion, "0") != 0;
  const char *disk = std::getenv("DLC_DISK_CACHE");
  if (disk && std::strcmp(disk, "0") == 0)
    return options;
  if (const char *dir = std::getenv("DLC_CACHE_DIR"); dir && *dir) {
    options.cacheDir = dir;
  } else if (const char *home = std::getenv("HOME"); home && *home) {
    llvm::SmallString<256> path(home);
    llvm::sys::path::append(path, ".cache", "dlc");
    options.cacheDir = std::string(path);
  }
  return options;
}

//===----------------------------------------------------------------------===//
// The disk cache
//===----------------------------------------------------------------------===//

namespace {

/// Bumped whenever the entry layout changes.
constexpr uint32_t kFormatVersion = 4;
constexpr char kMagic[4] = {'D', 'L', 'C', 'K'};

uint64_t fnv1a(const uint8_t *data, size_t size,
               uint64_t hash = 1469598103934665603ull) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

/// The GNU build id of the binary this code is linked into: entries from
/// another build of dlc (whose kernels or plans may differ) never match.
const std::string &buildId() {
  static const std::string id = [] {
    std::string result;
    auto self = reinterpret_cast<uintptr_t>(&buildId);
    struct Search {
      uintptr_t address;
      std::string *out;
    } search{self, &result};
    dl_iterate_phdr(
        [](dl_phdr_info *info, size_t, void *data) -> int {
          auto *s = static_cast<Search *>(data);
          bool contains = false;
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr) &ph = info->dlpi_phdr[i];
            uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
            if (ph.p_type == PT_LOAD && s->address >= begin &&
                s->address < begin + ph.p_memsz)
              contains = true;
          }
          if (!contains)
            return 0;
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr) &ph = info->dlpi_phdr[i];
            if (ph.p_type != PT_NOTE)
              continue;
            const char *p =
                reinterpret_cast<const char *>(info->dlpi_addr + ph.p_vaddr);
            const char *end = p + ph.p_memsz;
            while (p + sizeof(ElfW(Nhdr)) <= end) {
              auto *note = reinterpret_cast<const ElfW(Nhdr) *>(p);
              const char *name = p + sizeof(ElfW(Nhdr));
              const char *desc = name + ((note->n_namesz + 3) & ~3u);
              if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
                  std::memcmp(name, "GNU", 4) == 0) {
                static const char hex[] = "0123456789abcdef";
                for (uint32_t b = 0; b < note->n_descsz; ++b) {
                  auto byte = static_cast<uint8_t>(desc[b]);
                  s->out->push_back(hex[byte >> 4]);
                  s->out->push_back(hex[byte & 15]);
                }
                return 1;
              }
              p = desc + ((note->n_descsz + 3) & ~3u);
            }
          }
          return 1;
        },
        &search);
    // Without a build id, the build time of this file stands in.
    return result.empty() ? std::string(__DATE__ " " __TIME__) : result;
  }();
  return id;
}

class ByteWriter {
public:
  void raw(const void *data, size_t size) {
    const auto *p = static_cast<const uint8_t *>(data);
    bytes.insert(bytes.end(), p, p + size);
  }
  template <typename T>
  void put(T value) {
    raw(&value, sizeof(T));
  }
  void put(const std::string &text) {
    put<uint64_t>(text.size());
    raw(text.data(), text.size());
  }
  std::vector<uint8_t> bytes;
};

class ByteReader {
public:
  ByteReader(const std::vector<uint8_t> &bytes, size_t end)
      : bytes(bytes), end(end) {}
  bool raw(void *data, size_t size) {
    if (end - position < size)
      return false;
    std::memcpy(data, bytes.data() + position, size);
    position += size;
    return true;
  }
  template <typename T>
  bool get(T &value) {
    return raw(&value, sizeof(T));
  }
  bool get(std::string &text) {
    uint64_t size = 0;
    if (!get(size) || end - position < size)
      return false;
    text.assign(reinterpret_cast<const char *>(bytes.data() + position), size);
    position += size;
    return true;
  }
  bool atEnd() const { return position == end; }

private:
  const std::vector<uint8_t> &bytes;
  size_t end;
  size_t position = 0;
};

std::string hexKey(uint64_t key) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format_hex_no_prefix(key, 16);
  return text;
}

/// What identifies a program in the disk cache besides the graph.
/// `device` as in the signature: 0 the CPU, n + 1 CUDA device n (whose
/// programs are PTX for its architecture).
std::string environmentKey(const CompilerOptions &options, uint64_t device) {
  std::string key = std::string(DLC_VERSION_STRING) + "|" + buildId() + "|" +
                    cpu::hostTarget() + (options.fuse ? "|fused" : "|unfused");
  if (device > 0)
    key +=
        "|cuda|compute_" + std::to_string(::dlc::rt::cuda::targetArchitecture(
                               static_cast<int>(device - 1)));
  return key;
}

/// The device word of a signature (SignatureBuilder::begin).
uint64_t deviceOf(const std::vector<uint64_t> &signature) {
  return signature.empty() ? 0 : signature[0];
}

std::vector<uint8_t> encodeEntry(const std::string &environment,
                                 const std::vector<uint64_t> &signature,
                                 const cpu::CpuArtifact &artifact) {
  ByteWriter writer;
  writer.raw(kMagic, sizeof(kMagic));
  writer.put<uint32_t>(kFormatVersion);
  writer.put(environment);
  writer.put<uint64_t>(signature.size());
  writer.raw(signature.data(), signature.size() * sizeof(uint64_t));
  std::vector<uint8_t> plan = cpu::serialize(artifact.plan);
  writer.put<uint64_t>(plan.size());
  writer.raw(plan.data(), plan.size());
  writer.put(artifact.object);
  uint64_t checksum = fnv1a(writer.bytes.data(), writer.bytes.size());
  writer.put(checksum);
  return std::move(writer.bytes);
}

/// Reads an entry back; false for anything that is not exactly an entry for
/// this graph and environment.
bool decodeEntry(const std::vector<uint8_t> &bytes,
                 const std::string &environment,
                 const std::vector<uint64_t> &signature,
                 cpu::CpuArtifact &artifact) {
  if (bytes.size() < sizeof(kMagic) + sizeof(uint64_t))
    return false;
  size_t body = bytes.size() - sizeof(uint64_t);
  uint64_t checksum;
  std::memcpy(&checksum, bytes.data() + body, sizeof(checksum));
  if (fnv1a(bytes.data(), body) != checksum)
    return false;
  ByteReader reader(bytes, body);
  char magic[4];
  uint32_t version = 0;
  std::string storedEnvironment;
  uint64_t words = 0;
  if (!reader.raw(magic, sizeof(magic)) ||
      std::memcmp(magic, kMagic, sizeof(magic)) != 0 || !reader.get(version) ||
      version != kFormatVersion || !reader.get(storedEnvironment) ||
      storedEnvironment != environment || !reader.get(words) ||
      words != signature.size())
    return false;
  std::vector<uint64_t> storedSignature(words);
  if (!reader.raw(storedSignature.data(), words * sizeof(uint64_t)) ||
      storedSignature != signature)
    return false;
  uint64_t planBytes = 0;
  if (!reader.get(planBytes) || planBytes > body)
    return false;
  std::vector<uint8_t> plan(planBytes);
  if (!reader.raw(plan.data(), planBytes) ||
      !cpu::deserialize(plan.data(), plan.size(), artifact.plan))
    return false;
  return reader.get(artifact.object) && reader.atEnd();
}

bool readFile(const std::string &path, std::vector<uint8_t> &bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  bytes.assign(std::istreambuf_iterator<char>(in),
               std::istreambuf_iterator<char>());
  return !in.bad();
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that
/// a reader never sees half an entry. Failures are silent: the cache is an
/// optimization.
void writeFileAtomically(const std::string &path,
                         const std::vector<uint8_t> &bytes) {
  llvm::SmallString<256> directory(path);
  llvm::sys::path::remove_filename(directory);
  if (llvm::sys::fs::create_directories(directory))
    return;
  std::random_device random;
  std::string temporary = path + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(random());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      return;
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      out.close();
      std::remove(temporary.c_str());
      return;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    std::remove(temporary.c_str());
}

/// Writes `module` with locations to `path`; returns false on failure.
bool writeModule(ModuleOp module, const std::string &path) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return false;
  module->print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                      /*prettyForm=*/false));
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// The compiler
//===----------------------------------------------------------------------===//

struct Compiler::Impl {
  explicit Impl(CompilerOptions options)
      : options(std::move(options)),
        context(makeRegistry(), MLIRContext::Threading::DISABLED) {
    context.loadAllAvailableDialects();
    // Diagnostics name the user's line; the IR goes to the reproducer.
    context.printOpOnDiagnostic(false);
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    return registry;
  }

  struct Entry {
    std::vector<uint64_t> signature;
    std::shared_ptr<::dlc::rt::Executable> executable;
  };

  std::string pipeline(uint64_t device) const {
    if (options.backend != Backend::Cpu)
      return getDefaultPipeline();
    return device > 0 ? getCudaPipeline(options.fuse)
                      : getCpuPipeline(options.fuse);
  }
  std::string cachePath(uint64_t key) const {
    if (options.cacheDir.empty() || options.backend != Backend::Cpu)
      return {};
    llvm::SmallString<256> path(options.cacheDir);
    llvm::sys::path::append(path, hexKey(key) + ".dlck");
    return std::string(path);
  }
  uint64_t diskKey(const std::vector<uint64_t> &signature) const {
    std::string environment = environmentKey(options, deviceOf(signature));
    uint64_t hash = fnv1a(reinterpret_cast<const uint8_t *>(environment.data()),
                          environment.size());
    return fnv1a(reinterpret_cast<const uint8_t *>(signature.data()),
                 signature.size() * sizeof(uint64_t), hash);
  }

  std::shared_ptr<::dlc::rt::Executable>
  loadFromDisk(const std::vector<uint64_t> &signature);
  std::shared_ptr<::dlc::rt::Executable>
  compile(const Graph &graph, uint64_t key,
          const std::vector<uint64_t> &signature);

  CompilerOptions options;
  mutable std::mutex mutex;
  MLIRContext context;
  std::unordered_map<uint64_t, std::vector<Entry>> cache;
  CompilerStats counters;
};

std::shared_ptr<::dlc::rt::Executable>
Compiler::Impl::loadFromDisk(const std::vector<uint64_t> &signature) {
  std::string path = cachePath(diskKey(signature));
  // DLC_DUMP_IR asks to see every graph compiled: compile, do not load.
  const char *dump = std::getenv("DLC_DUMP_IR");
  if (path.empty() || (dump && *dump))
    return nullptr;
  std::vector<uint8_t> bytes;
  if (!readFile(path, bytes))
    return nullptr;
  cpu::CpuArtifact artifact;
  uint64_t device = deviceOf(signature);
  if (!decodeEntry(bytes, environmentKey(options, device), signature, artifact))
    return nullptr; // foreign or corrupt: compiled again and replaced
  std::string error;
  if (device > 0)
    return cuda::loadCudaExecutable(std::move(artifact.plan), artifact.object,
                                    static_cast<int>(device - 1), error);
  std::unique_ptr<::dlc::rt::Executable> executable =
      cpu::loadCpuExecutable(std::move(artifact), error);
  return executable;
}

std::shared_ptr<::dlc::rt::Executable>
Compiler::Impl::compile(const Graph &graph, uint64_t key,
                        const std::vector<uint64_t> &signature) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << '\n';
    for (const Diagnostic &note : diag.getNotes())
      os << note.getLocation() << ": note: " << note << '\n';
    return success();
  });
  std::string name = "graph_" + hexKey(key);
  OwningOpRef<ModuleOp> module = buildModule(&context, graph, name);
  if (!module)
    throw ::dlc::Error("internal error: the recorded graph does not verify "
                       "(please report this):\n" +
                       diagnostics);

  if (const char *dir = std::getenv("DLC_DUMP_IR"); dir && *dir) {
    llvm::sys::fs::create_directories(dir);
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name + ".mlir");
    writeModule(*module, std::string(path));
  }
  // Kept to write a reproducer if a pass fails.
  OwningOpRef<ModuleOp> original = module->clone();

  uint64_t device = deviceOf(signature);
  std::string text = pipeline(device);
  PassManager pm(&context);
  buildPipeline(pm, text);
  std::unique_ptr<::dlc::rt::Executable> executable;
  if (succeeded(pm.run(*module))) {
    if (options.backend == Backend::Reference) {
      executable = buildExecutable(*module, name, options.checkFinite);
      if (executable && device > 0)
        executable = cuda::wrapHostExecutable(std::move(executable),
                                              static_cast<int>(device - 1));
    } else if (device > 0) {
      int index = static_cast<int>(device - 1);
      FailureOr<cuda::CudaArtifact> artifact = cuda::compileCudaArtifact(
          *module, name, ::dlc::rt::cuda::targetArchitecture(index));
      if (succeeded(artifact)) {
        std::vector<uint8_t> entry;
        std::string path = cachePath(diskKey(signature));
        if (!path.empty()) {
          cpu::CpuArtifact cached{artifact->plan, artifact->ptx};
          entry =
              encodeEntry(environmentKey(options, device), signature, cached);
        }
        std::string error;
        executable = cuda::loadCudaExecutable(std::move(artifact->plan),
                                              artifact->ptx, index, error);
        if (!executable)
          diagnostics += error + "\n";
        else if (!path.empty())
          writeFileAtomically(path, entry);
      }
    } else {
      FailureOr<cpu::CpuArtifact> artifact =
          cpu::compileCpuArtifact(*module, name);
      if (succeeded(artifact)) {
        std::vector<uint8_t> entry;
        std::string path = cachePath(diskKey(signature));
        if (!path.empty())
          entry = encodeEntry(environmentKey(options, 0), signature, *artifact);
        std::string error;
        executable = cpu::loadCpuExecutable(std::move(*artifact), error);
        if (!executable)
          diagnostics += "loading the compiled kernels failed: " + error + "\n";
        else if (!path.empty())
          writeFileAtomically(path, entry);
      }
    }
  }
  if (!executable) {
    llvm::SmallString<256> path;
    llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, path);
    llvm::sys::path::append(path, "dlc-reproducer-" + hexKey(key) + ".mlir");
    std::string where = writeModule(*original, std::string(path))
                            ? "\nreproducer: " + std::string(path) +
                                  "\nreplay with: dlc-opt --pass-pipeline='" +
                                  text + "' " + std::string(path)
                            : "";
    throw ::dlc::Error("compiling the graph failed:\n" + diagnostics + where);
  }
  return executable;
}

Compiler::Compiler(CompilerOptions options)
    : impl(std::make_unique<Impl>(std::move(options))) {}
Compiler::~Compiler() = default;

Compiler &Compiler::global() {
  // Never destroyed: executables may be used by static objects' destructors.
  static Compiler *compiler = new Compiler();
  return *compiler;
}

Compiler &Compiler::anomalyChecking() {
  static Compiler *compiler = [] {
    CompilerOptions options;
    options.backend = Backend::Reference;
    options.fuse = false;
    options.checkFinite = true;
    return new Compiler(options);
  }();
  return *compiler;
}

std::shared_ptr<::dlc::rt::Executable>
Compiler::getOrCompile(const Graph &graph) {
  return getOrCompile(graph.signature(), [&] { return graph; });
}

std::shared_ptr<::dlc::rt::Executable>
Compiler::getOrCompile(const std::vector<uint64_t> &signature,
                       const std::function<Graph()> &build) {
  uint64_t key = Graph::hash(signature);
  std::lock_guard<std::mutex> lock(impl->mutex);
  std::vector<Impl::Entry> &bucket = impl->cache[key];
  for (const Impl::Entry &entry : bucket) {
    if (entry.signature == signature) {
      ++impl->counters.cacheHits;
      return entry.executable;
    }
  }
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<::dlc::rt::Executable> executable;
  if (impl->options.backend == Backend::Cpu) {
    executable = impl->loadFromDisk(signature);
    if (executable)
      ++impl->counters.diskHits;
  }
  if (!executable)
    executable = impl->compile(build(), key, signature);
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  ++impl->counters.cacheMisses;
  impl->counters.compileSeconds += elapsed.count();
  impl->counters.kernels += static_cast<int64_t>(executable->numKernels());
  bucket.push_back({signature, executable});
  return executable;
}

Compiler::CudaCode Compiler::compileCudaCode(const Graph &graph, int arch) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  MLIRContext &context = impl->context;
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << '\n';
    return success();
  });
  std::string name = "graph_" + hexKey(Graph::hash(graph.signature()));
  OwningOpRef<ModuleOp> module = buildModule(&context, graph, name);
  if (!module)
    throw ::dlc::Error("the graph does not verify:\n" + diagnostics);
  PassManager pm(&context);
  buildPipeline(pm, getCudaPipeline(impl->options.fuse));
  if (failed(pm.run(*module)))
    throw ::dlc::Error("the CUDA pipeline failed:\n" + diagnostics);
  FailureOr<cuda::CudaArtifact> artifact =
      cuda::compileCudaArtifact(*module, name, arch);
  if (failed(artifact))
    throw ::dlc::Error("compiling for CUDA failed:\n" + diagnostics);
  CudaCode code;
  code.source = std::move(artifact->source);
  code.ptx = std::move(artifact->ptx);
  code.steps = artifact->plan.steps.size();
  for (const cpu::Step &step : artifact->plan.steps)
    code.kernels += step.kind == cpu::StepKind::Kernel ||
                    step.kind == cpu::StepKind::PartialKernel;
  return code;
}

CompilerStats Compiler::stats() const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  return impl->counters;
}

void Compiler::resetStats() {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->counters = CompilerStats();
}

void Compiler::clearCache() {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->cache.clear();
}

const CompilerOptions &Compiler::options() const { return impl->options; }

std::string Compiler::cachePath(const Graph &graph) const {
  return impl->cachePath(impl->diskKey(graph.signature()));
}

} // namespace mlir::dlc
