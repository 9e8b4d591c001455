//===- Distributed.h - Collectives between processes (MPI) ----------------===//
//
// The runtime side of data-parallel training: a process group over MPI's
// world (launched with `mpirun`), and the collectives the compiled step and
// the training loop call. No MPI header here: the frontend and codegen
// include this, and a dlc built without MPI still links (its init() says
// so).
//
// Every MPI call is made on one communication thread that the group owns,
// in the order the collectives were issued, so that a compiled step can
// start an all-reduce, run the rest of its backward pass, and wait for the
// result only where it is used. Issue order is the program's order: every
// process runs the same compiled step, so the collectives match.
//
// A process that dies or stops must not leave the others waiting forever:
// every wait is bounded by timeout_seconds() (DLC_DISTRIBUTED_TIMEOUT,
// 300 s by default) and throws dlc::Error when it passes; abort() then ends
// the whole job (MPI_Abort).
//
// Without init() the "group" is this process alone: an all-reduce returns
// its input, so a program written for several processes runs as one.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_DISTRIBUTED_H
#define DLC_RUNTIME_DISTRIBUTED_H

#include "runtime/ScalarType.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace dlc::rt::dist {

/// How an all-reduce combines the processes' values.
enum class ReduceOp : uint8_t { Sum, Mean, Max, Min };

/// "sum", "mean", "max", "min".
const char *toString(ReduceOp op);

/// Whether dlc was built with MPI.
bool available();

/// Joins the MPI job this process was started in (MPI_Init_thread on the
/// communication thread). Idempotent. Throws dlc::Error when dlc has no MPI
/// or MPI fails to start.
void init();
/// Whether init() has run (and finalize() has not).
bool initialized();
/// Leaves the job (MPI_Finalize); a no-op when not initialized.
void finalize();

/// This process's rank in the world, 0 without init().
int rank();
/// The number of processes, 1 without init().
int world_size();
/// The rank among the processes on this machine (OMPI_COMM_WORLD_LOCAL_RANK
/// and the like), 0 without init().
int local_rank();

/// Seconds a collective may wait for the other processes before it throws.
double timeout_seconds();
void set_timeout_seconds(double seconds);

/// One buffer of an all-reduce: `count` elements of `type` at `data`.
struct Span {
  void *data = nullptr;
  int64_t count = 0;
};

/// A collective in flight; wait() returns when it is done and throws
/// dlc::Error when it failed or timed out.
class Work {
public:
  virtual ~Work();
  virtual void wait() = 0;
};

/// Starts an all-reduce of every buffer in `buffers` (all of `type`), in
/// place, as one call (a bucket): the buffers are packed into one message.
/// `what` names the caller in errors ("dlc.all_reduce at train.cpp:40").
/// The buffers must stay alive and untouched until wait() returns.
std::unique_ptr<Work> all_reduce_async(std::vector<Span> buffers,
                                       ScalarType type, ReduceOp op,
                                       std::string what = "all_reduce");
/// The same, waited for.
void all_reduce(std::vector<Span> buffers, ScalarType type, ReduceOp op,
                std::string what = "all_reduce");
/// Rank `root`'s `bytes` bytes at `data` written into every process's.
void broadcast(void *data, size_t bytes, int root,
               std::string what = "broadcast");
/// Every process's bytes, concatenated in rank order (sizes may differ).
std::vector<uint8_t> all_gather(const void *data, size_t bytes,
                                std::string what = "all_gather");
/// The same for trivially copyable values: every process's `values`, in
/// rank order.
template <typename T>
std::vector<T> all_gather(const std::vector<T> &values,
                          std::string what = "all_gather") {
  static_assert(std::is_trivially_copyable_v<T>);
  std::vector<uint8_t> bytes =
      all_gather(values.data(), values.size() * sizeof(T), std::move(what));
  std::vector<T> result(bytes.size() / sizeof(T));
  if (!result.empty())
    std::memcpy(result.data(), bytes.data(), result.size() * sizeof(T));
  return result;
}
/// Returns when every process has called it.
void barrier(std::string what = "barrier");

/// What a compiled step's collectives look like, for check_same_schedule.
struct Schedule {
  uint64_t hash = 0;  ///< of every call's reduction, type and sizes
  uint64_t calls = 0; ///< all-reduce calls per run
  uint64_t elements = 0;
};

/// Throws dlc::Error when the processes' schedules differ: they compiled
/// different programs, and their collectives would pair mismatched
/// buffers. `what` names the caller. A collective itself (every process
/// must call it at the same point); nothing happens in a job of one.
void check_same_schedule(const Schedule &mine, const std::string &what);

/// Prints `message` to stderr, prefixed with the rank, and ends every
/// process of the job with exit code `code` (MPI_Abort); without init() it
/// exits this process.
[[noreturn]] void abort(int code, const std::string &message);

} // namespace dlc::rt::dist

#endif // DLC_RUNTIME_DISTRIBUTED_H
