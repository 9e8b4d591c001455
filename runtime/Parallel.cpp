//===- Parallel.cpp - The one thread pool of dlc --------------------------===//

#include "runtime/Parallel.h"

#include <omp.h>

#include <algorithm>

namespace dlc::rt {

int getNumThreads() { return omp_get_max_threads(); }

void setNumThreads(int threads) { omp_set_num_threads(std::max(1, threads)); }

bool inParallelRegion() { return omp_in_parallel() != 0; }

void parallelFor(int64_t n, int64_t grain, RangeFn body) {
  if (n <= 0)
    return;
  grain = std::max<int64_t>(grain, 1);
  int64_t parts = std::min<int64_t>(getNumThreads(), n / grain);
  if (parts <= 1 || inParallelRegion()) {
    body(0, n);
    return;
  }
#pragma omp parallel for num_threads(parts) schedule(static, 1)
  for (int64_t part = 0; part < parts; ++part) {
    int64_t begin = n * part / parts;
    int64_t end = n * (part + 1) / parts;
    body(begin, end);
  }
}

void parallelChunks(int64_t n, int64_t chunk, RangeFn body) {
  if (n <= 0)
    return;
  chunk = std::max<int64_t>(chunk, 1);
  int64_t chunks = (n + chunk - 1) / chunk;
  if (chunks == 1 || getNumThreads() == 1 || inParallelRegion()) {
    for (int64_t k = 0; k < chunks; ++k)
      body(k * chunk, std::min(n, (k + 1) * chunk));
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < chunks; ++k)
    body(k * chunk, std::min(n, (k + 1) * chunk));
}

} // namespace dlc::rt
