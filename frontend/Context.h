//===- Context.h - dlc's own functions: realization, eager mode, stats ----===//

#ifndef DLC_FRONTEND_CONTEXT_H
#define DLC_FRONTEND_CONTEXT_H

#include <cstdint>
#include <iosfwd>

namespace dlc {

/// Realizes every pending value a live tensor holds, as one graph.
void sync();

/// In eager mode every op is realized at once (each op compiled once and
/// cached). For debugging, and the baseline the compiler is measured
/// against. Also set by the environment variable DLC_EAGER=1.
void set_eager(bool eager);
bool is_eager();

/// Threads dlc's kernels and BLAS calls run on (torch::set_num_threads):
/// the cores by default, or OMP_NUM_THREADS. One pool serves both.
void set_num_threads(int threads);
int get_num_threads();

/// Seeds dlc's random generator (rand, randn, randint, dropout) and restarts
/// its sequence, so that a seeded run is reproducible.
void manual_seed(uint64_t seed);

/// Where dlc's random generator is: its seed and how many numbers it has
/// handed out. Saved with a checkpoint and restored, a resumed run draws
/// what the uninterrupted one would have (torch::get_rng_state /
/// set_rng_state).
struct RngState {
  uint64_t seed = 0;
  uint64_t offset = 0;
};
RngState get_rng_state();
void set_rng_state(const RngState &state);

/// What dlc did so far in this process.
struct Stats {
  /// Realizations whose graph was found in the cache, and those compiled.
  int64_t cache_hits = 0;
  int64_t cache_misses = 0;
  /// Seconds spent compiling graphs (cache misses).
  double compile_seconds = 0;
  /// Kernels in the executables compiled so far.
  int64_t kernels = 0;
  /// Graphs executed.
  int64_t executions = 0;
  /// Host memory handed out now, its peak, and what the allocator holds.
  int64_t bytes_allocated = 0;
  int64_t peak_bytes_allocated = 0;
  int64_t bytes_reserved = 0;
};

/// The counters since the start (or `reset_stats()`).
Stats stats();
/// Zeroes the counters (the cache itself stays).
void reset_stats();

/// Prints the counters, one per line.
std::ostream &operator<<(std::ostream &os, const Stats &stats);

} // namespace dlc

#endif // DLC_FRONTEND_CONTEXT_H
