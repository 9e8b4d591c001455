//===- Distributed.cpp - Data-parallel training over MPI ------------------===//

#include "frontend/Distributed.h"
#include "frontend/Autograd.h"
#include "frontend/detail/Recorder.h"
#include "frontend/nn/Module.h"
#include "runtime/Distributed.h"

namespace dlc {
namespace distributed {

namespace dist = rt::dist;
using detail::Recorder;

namespace {

/// "all_reduce (train.cpp:41)" for the runtime's messages.
std::string named(const char *op, const Loc &loc) {
  return std::string(op) + " (" + detail::formatLocation(loc) + ")";
}

} // namespace

bool is_available() { return dist::available(); }

void init_process_group(const std::string &backend, Loc loc) {
  if (backend == "nccl")
    detail::throwError("init_process_group",
                       "the nccl backend needs dlc's CUDA backend, which is "
                       "not built yet; use \"mpi\"",
                       loc);
  if (backend != "mpi")
    detail::throwError("init_process_group",
                       "unknown backend '" + backend + "' (dlc has \"mpi\")",
                       loc);
  try {
    dist::init();
  } catch (const Error &error) {
    detail::throwError("init_process_group", error.what(), loc);
  }
}

bool is_initialized() { return dist::initialized(); }
void destroy_process_group() { dist::finalize(); }
int get_rank() { return dist::rank(); }
int get_world_size() { return dist::world_size(); }
int get_local_rank() { return dist::local_rank(); }
double timeout() { return dist::timeout_seconds(); }

void set_timeout(double seconds) {
  if (!(seconds > 0))
    throw Error("set_timeout: the timeout must be a positive number of "
                "seconds, got " +
                std::to_string(seconds));
  dist::set_timeout_seconds(seconds);
}

Tensor all_reduced(const Tensor &tensor, ReduceOp op, Loc loc) {
  Recorder r("all_reduce", loc);
  ScalarType type = r.dtype(tensor);
  if (op == ReduceOp::AVG && !isFloatingType(type))
    r.fail("AVG needs a floating-point tensor, got {}", toString(type));
  // ReduceOp's order is dlc.all_reduce's: sum, mean, max, min.
  detail::Value reduced = r.allReduce(r.value(tensor), static_cast<int>(op));
  return r.result(reduced, {&tensor});
}

void all_reduce(Tensor &tensor, ReduceOp op, Loc loc) {
  Tensor reduced = all_reduced(tensor, op, loc);
  Recorder r("all_reduce", loc);
  r.assign(tensor, r.value(reduced), {&reduced});
}

void broadcast(Tensor &tensor, int src, Loc loc) {
  Recorder r("broadcast", loc);
  ScalarType type = r.dtype(tensor);
  if (src < 0 || src >= get_world_size())
    r.fail("src {} is not a rank of the {} processes", src, get_world_size());
  size_t bytes = static_cast<size_t>(tensor.numel()) * elementSize(type);
  // data_ptr() realizes the tensor and gives it memory of its own.
  void *data = tensor.data_ptr(loc);
  dist::broadcast(data, bytes, src, named("broadcast", loc));
}

void barrier(Loc loc) { dist::barrier(named("barrier", loc)); }

std::vector<double> all_gather(const std::vector<double> &values, Loc loc) {
  return dist::all_gather(values, named("all_gather", loc));
}
std::vector<float> all_gather(const std::vector<float> &values, Loc loc) {
  return dist::all_gather(values, named("all_gather", loc));
}

void abort(const std::string &message, int code) { dist::abort(code, message); }

} // namespace distributed

namespace nn {

DistributedDataParallel::DistributedDataParallel(
    std::shared_ptr<Module> module, DistributedDataParallelOptions options,
    Loc loc)
    : module_(std::move(module)) {
  if (!module_)
    detail::throwError("DistributedDataParallel", "the module is null", loc);
  if (distributed::get_world_size() > 1 && options.broadcast_parameters()) {
    NoGradGuard noGrad;
    for (Tensor &parameter : module_->parameters())
      distributed::broadcast(parameter, 0, loc);
    for (Tensor &buffer : module_->buffers())
      distributed::broadcast(buffer, 0, loc);
  }
  parameters_ = module_->parameters();
  for (Tensor &parameter : parameters_)
    ++parameter.unsafeGetImpl()->allReduceGrad;
}

DistributedDataParallel::~DistributedDataParallel() {
  for (Tensor &parameter : parameters_)
    --parameter.unsafeGetImpl()->allReduceGrad;
}

} // namespace nn
} // namespace dlc
