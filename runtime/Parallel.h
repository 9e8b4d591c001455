//===- Parallel.h - The one thread pool of dlc ----------------------------===//
//
// dlc's kernels, its BLAS calls and its runtime loops share one pool: the
// OpenMP runtime (libgomp), which oneDNN uses too, so no two pools spin
// against each other on a small machine.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_PARALLEL_H
#define DLC_RUNTIME_PARALLEL_H

#include <cstdint>
#include <type_traits>

namespace dlc::rt {

/// A non-owning reference to a callable `void(int64_t, int64_t)`: what the
/// loops below call, without std::function's allocation per call.
class RangeFn {
public:
  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::decay_t<F>, RangeFn>>>
  RangeFn(F &&f) // NOLINT: implicit, as function_ref
      : object(const_cast<void *>(static_cast<const void *>(&f))),
        call([](void *o, int64_t begin, int64_t end) {
          (*static_cast<std::remove_reference_t<F> *>(o))(begin, end);
        }) {}
  void operator()(int64_t begin, int64_t end) const {
    call(object, begin, end);
  }

private:
  void *object;
  void (*call)(void *, int64_t, int64_t);
};

/// Threads the pool runs (the cores, OMP_NUM_THREADS, or set_num_threads).
int getNumThreads();
void setNumThreads(int threads);
/// True inside a parallel region (nested work then runs serially).
bool inParallelRegion();

/// Calls `body(begin, end)` on disjoint ranges covering [0, n): one range per
/// thread, each at least `grain` long, or the whole range on the calling
/// thread when it is too small to split.
void parallelFor(int64_t n, int64_t grain, RangeFn body);

/// Calls `body(k * chunk, min((k + 1) * chunk, n))` for every k, in parallel.
/// The ranges do not depend on the number of threads, so per-chunk partial
/// results (and their combination in order) are the same on every machine.
void parallelChunks(int64_t n, int64_t chunk, RangeFn body);

} // namespace dlc::rt

#endif // DLC_RUNTIME_PARALLEL_H
