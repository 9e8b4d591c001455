//===- Distributed.h - Data-parallel training over MPI --------------------===//
//
// torch.distributed and DistributedDataParallel for dlc programs started
// with `mpirun -np N program ...`:
//
//   dlc::distributed::init_process_group();            // "mpi"
//   auto model = std::make_shared<MyModel>();
//   dlc::nn::DistributedDataParallel ddp(model);        // broadcasts rank 0's
//   optim::Adam optimizer(model->parameters(), 1e-3);   // parameters
//   for (auto &batch : *loader) {                        // a
//   DistributedSampler
//     optimizer.zero_grad();                             // gives each rank
//     auto loss = loss_fn(model->forward(batch.data), batch.target);  // its
//     loss.backward();     // gradients averaged over the ranks   // shard
//     optimizer.step();    // one compiled program, all-reduce included
//   }
//
// The gradient average is part of the compiled step: backward() records a
// `dlc.all_reduce mean` for every gradient of a wrapped module's parameters,
// and the compiler buckets them and starts each bucket as soon as the
// backward pass has computed it (see dlc-schedule-collectives).
//
// Every rank must make the same collective calls in the same order, as with
// torch.distributed: realize a value that depends on an all-reduce (item(),
// printing a gradient) on every rank or on none.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DISTRIBUTED_H
#define DLC_FRONTEND_DISTRIBUTED_H

#include "frontend/Tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace dlc {

namespace nn {
class Module;
} // namespace nn

namespace distributed {

/// As torch.distributed.ReduceOp (AVG is the mean).
enum class ReduceOp { SUM, AVG, MAX, MIN };

/// Whether this dlc was built with MPI.
bool is_available();
/// Joins the job this process was started in by mpirun (MPI); `backend`
/// must be "mpi" ("nccl" needs the CUDA backend, which dlc does not have
/// yet). Idempotent. A process not started by mpirun forms a job of one.
void init_process_group(const std::string &backend = "mpi",
                        Loc loc = Loc::current());
bool is_initialized();
/// Leaves the job (MPI_Finalize). Also done at exit.
void destroy_process_group();

/// This process's rank, 0 without init_process_group().
int get_rank();
/// The number of processes, 1 without init_process_group().
int get_world_size();
/// The rank among the processes on this machine.
int get_local_rank();

/// Seconds a collective waits for the other processes before it throws
/// dlc::Error (DLC_DISTRIBUTED_TIMEOUT, default 300): a rank that died or
/// stopped ends the others instead of hanging them.
double timeout();
void set_timeout(double seconds);

/// Replaces `tensor` with its reduction over all processes, as
/// torch.distributed.all_reduce. Recorded like any op (a dlc.all_reduce,
/// differentiable for SUM and AVG): it runs when the value is realized.
void all_reduce(Tensor &tensor, ReduceOp op = ReduceOp::SUM,
                Loc loc = Loc::current());
/// The functional form: the reduction of `tensor` over all processes.
Tensor all_reduced(const Tensor &tensor, ReduceOp op = ReduceOp::SUM,
                   Loc loc = Loc::current());
/// Overwrites `tensor` with rank `src`'s value, now.
void broadcast(Tensor &tensor, int src = 0, Loc loc = Loc::current());
/// Returns when every process has called it.
void barrier(Loc loc = Loc::current());
/// Every process's `values`, concatenated in rank order (sizes may differ).
std::vector<double> all_gather(const std::vector<double> &values,
                               Loc loc = Loc::current());
std::vector<float> all_gather(const std::vector<float> &values,
                              Loc loc = Loc::current());

/// Prints `message` and ends every process of the job with `code`
/// (MPI_Abort); what a program does with an error it cannot recover from,
/// so that the other ranks do not wait for it.
[[noreturn]] void abort(const std::string &message, int code = 1);

} // namespace distributed

namespace nn {

struct DistributedDataParallelOptions {
  /// Broadcast rank 0's parameters and buffers at construction, so that
  /// every rank starts from the same model (PyTorch does; turn off when
  /// every rank loaded the same checkpoint).
  DistributedDataParallelOptions &broadcast_parameters(bool value) {
    broadcast = value;
    return *this;
  }
  bool broadcast_parameters() const { return broadcast; }

private:
  bool broadcast = true;
};

/// torch.nn.parallel.DistributedDataParallel: while it lives, the gradients
/// backward() records for `module`'s parameters are averaged over the
/// processes before they are accumulated into `.grad()`, so that every
/// rank's optimizer takes the same step. The module is used as before
/// (`ddp->forward(...)` or `model->forward(...)`); with one process the
/// wrapper changes nothing. Needs init_process_group() first when the job
/// has several processes.
class DistributedDataParallel {
public:
  explicit DistributedDataParallel(std::shared_ptr<Module> module,
                                   DistributedDataParallelOptions options = {},
                                   Loc loc = Loc::current());
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel &) = delete;
  DistributedDataParallel &operator=(const DistributedDataParallel &) = delete;

  /// The wrapped module (PyTorch's `ddp.module`).
  Module &module() const { return *module_; }
  Module *operator->() const { return module_.get(); }

private:
  std::shared_ptr<Module> module_;
  std::vector<Tensor> parameters_;
};

} // namespace nn
} // namespace dlc

#endif // DLC_FRONTEND_DISTRIBUTED_H
