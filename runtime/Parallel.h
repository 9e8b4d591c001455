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
#include <functional>

namespace dlc::rt {

/// Threads the pool runs (the cores, OMP_NUM_THREADS, or set_num_threads).
int getNumThreads();
void setNumThreads(int threads);
/// True inside a parallel region (nested work then runs serially).
bool inParallelRegion();

/// Calls `body(begin, end)` on disjoint ranges covering [0, n): one range per
/// thread, each at least `grain` long, or the whole range on the calling
/// thread when it is too small to split.
void parallelFor(int64_t n, int64_t grain,
                 const std::function<void(int64_t, int64_t)> &body);

/// Calls `body(k * chunk, min((k + 1) * chunk, n))` for every k, in parallel.
/// The ranges do not depend on the number of threads, so per-chunk partial
/// results (and their combination in order) are the same on every machine.
void parallelChunks(int64_t n, int64_t chunk,
                    const std::function<void(int64_t, int64_t)> &body);

} // namespace dlc::rt

#endif // DLC_RUNTIME_PARALLEL_H
