//===- DataLoader.h - Batches of a dataset, prepared ahead by threads -----===//
//
// torch::data::make_data_loader: iterates a dataset in the order of a
// sampler, one batch (the dataset's get_batch result) per step. With
// `workers(n)`, n threads prepare up to `max_jobs` batches ahead while the
// consumer trains, and batches still arrive in sampler order unless
// `enforce_ordering(false)`. An exception a worker throws is rethrown, as
// is, in the consumer when its batch is due. Each `begin()` starts an epoch
// (the sampler is reset); a new begin() before the end abandons the rest of
// the previous epoch. The destructor joins the workers, mid-epoch or not.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_DATALOADER_H
#define DLC_FRONTEND_DATA_DATALOADER_H

#include "frontend/Tensor.h"
#include "frontend/data/Dataset.h"
#include "frontend/data/Samplers.h"
#include "runtime/Error.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace dlc::data {

/// Options of a data loader, as LibTorch's: chainable setters, and getters
/// of the same name.
struct DataLoaderOptions {
  DataLoaderOptions() = default;
  /* implicit */ DataLoaderOptions(size_t batch_size)
      : batch_size_(batch_size) {}

  /// Examples per batch (1).
  DataLoaderOptions &batch_size(size_t value) {
    batch_size_ = value;
    return *this;
  }
  /// Threads preparing batches ahead (0: the consumer prepares each batch
  /// when it asks for it).
  DataLoaderOptions &workers(size_t value) {
    workers_ = value;
    return *this;
  }
  /// Batches requested ahead at most (2 * workers).
  DataLoaderOptions &max_jobs(std::optional<size_t> value) {
    max_jobs_ = value;
    return *this;
  }
  /// The longest wait for the next batch before dlc::Error (none).
  DataLoaderOptions &timeout(std::optional<std::chrono::milliseconds> value) {
    timeout_ = value;
    return *this;
  }
  /// Deliver batches in sampler order (true), or as they are ready.
  DataLoaderOptions &enforce_ordering(bool value) {
    enforce_ordering_ = value;
    return *this;
  }
  /// Leave out a last batch smaller than batch_size (false).
  DataLoaderOptions &drop_last(bool value) {
    drop_last_ = value;
    return *this;
  }

  const size_t &batch_size() const noexcept { return batch_size_; }
  size_t &batch_size() noexcept { return batch_size_; }
  const size_t &workers() const noexcept { return workers_; }
  size_t &workers() noexcept { return workers_; }
  const std::optional<size_t> &max_jobs() const noexcept { return max_jobs_; }
  std::optional<size_t> &max_jobs() noexcept { return max_jobs_; }
  const std::optional<std::chrono::milliseconds> &timeout() const noexcept {
    return timeout_;
  }
  std::optional<std::chrono::milliseconds> &timeout() noexcept {
    return timeout_;
  }
  const bool &enforce_ordering() const noexcept { return enforce_ordering_; }
  bool &enforce_ordering() noexcept { return enforce_ordering_; }
  const bool &drop_last() const noexcept { return drop_last_; }
  bool &drop_last() noexcept { return drop_last_; }

  size_t batch_size_ = 1;
  size_t workers_ = 0;
  std::optional<size_t> max_jobs_;
  std::optional<std::chrono::milliseconds> timeout_;
  bool enforce_ordering_ = true;
  bool drop_last_ = false;
};

/// The options with the defaults that depend on others filled in.
struct FullDataLoaderOptions {
  explicit FullDataLoaderOptions(const DataLoaderOptions &options)
      : batch_size(options.batch_size_), workers(options.workers_),
        max_jobs(options.max_jobs_.value_or(2 * options.workers_)),
        timeout(options.timeout_), enforce_ordering(options.enforce_ordering_),
        drop_last(options.drop_last_) {}

  size_t batch_size;
  size_t workers;
  size_t max_jobs;
  std::optional<std::chrono::milliseconds> timeout;
  bool enforce_ordering;
  bool drop_last;
};

/// An input iterator over the batches of one epoch. The first batch is
/// fetched when the iterator is first compared or dereferenced.
template <typename Batch>
class Iterator {
public:
  using difference_type = std::ptrdiff_t;
  using value_type = Batch;
  using pointer = Batch *;
  using reference = Batch &;
  using iterator_category = std::input_iterator_tag;

  /// The end sentinel.
  Iterator() = default;
  explicit Iterator(std::function<std::optional<Batch>()> next)
      : state(std::make_shared<State>()) {
    state->next = std::move(next);
  }

  Iterator &operator++() {
    if (!state)
      throw Error("DataLoader: incrementing the past-the-end iterator");
    fetchFirst();
    if (!state->batch)
      throw Error("DataLoader: attempted to increment iterator past the end");
    state->batch.reset();
    state->batch = state->next();
    return *this;
  }

  Batch &operator*() { return current(); }
  Batch *operator->() { return &current(); }

  bool operator==(const Iterator &other) const {
    if (state && other.state)
      return state == other.state;
    if (!state && !other.state)
      return true;
    const Iterator &valid = state ? *this : other;
    valid.fetchFirst();
    return !valid.state->batch;
  }
  bool operator!=(const Iterator &other) const { return !(*this == other); }

private:
  struct State {
    std::function<std::optional<Batch>()> next;
    std::optional<Batch> batch;
    bool started = false;
  };

  void fetchFirst() const {
    if (!state->started) {
      state->started = true;
      state->batch = state->next();
    }
  }

  Batch &current() {
    if (!state)
      throw Error("DataLoader: dereferencing the past-the-end iterator");
    fetchFirst();
    if (!state->batch)
      throw Error("DataLoader: attempted to dereference iterator that was past "
                  "the end");
    return *state->batch;
  }

  std::shared_ptr<State> state;
};

/// A loader of a dataset whose batches depend only on the requested
/// indices (every dataset here). Built by make_data_loader.
template <typename Dataset, typename Sampler = samplers::RandomSampler>
class StatelessDataLoader {
public:
  using BatchType = typename Dataset::BatchType;
  using BatchRequestType = typename Sampler::BatchRequestType;

  /// Each worker thread gets its own copy of `dataset`, as in LibTorch: copy
  /// shared state by handle (tensors, shared_ptr), not by value.
  StatelessDataLoader(Dataset dataset, Sampler sampler,
                      DataLoaderOptions options, Loc loc = Loc::current())
      : fullOptions(options), sampler(std::move(sampler)) {
    if (fullOptions.batch_size == 0)
      dlc::detail::throwError("make_data_loader", "batch_size must be positive",
                              loc);
    if (fullOptions.workers > 0 && fullOptions.max_jobs == 0)
      dlc::detail::throwError("make_data_loader",
                              "max_jobs must be positive when workers are used",
                              loc);
    if (fullOptions.workers == 0) {
      mainDataset = std::make_unique<Dataset>(std::move(dataset));
      return;
    }
    workerThreads.reserve(fullOptions.workers);
    try {
      for (size_t w = 0; w < fullOptions.workers; ++w)
        workerThreads.emplace_back(
            [this, copy = dataset]() mutable { workerLoop(copy); });
    } catch (...) {
      join();
      throw;
    }
  }

  ~StatelessDataLoader() { join(); }

  StatelessDataLoader(const StatelessDataLoader &) = delete;
  StatelessDataLoader &operator=(const StatelessDataLoader &) = delete;

  /// Starts an epoch: resets the sampler and requests the first batches.
  Iterator<BatchType> begin() {
    if (joined)
      throw Error("DataLoader: begin() after join()");
    reset();
    return Iterator<BatchType>([this] { return next(); });
  }

  Iterator<BatchType> end() { return Iterator<BatchType>(); }

  /// Stops and joins the worker threads (the destructor does it too).
  void join() {
    if (joined)
      return;
    std::deque<Job> dropped;
    std::map<size_t, Result> droppedResults;
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
      dropped.swap(jobs);
      droppedResults.swap(results);
    }
    jobReady.notify_all();
    for (std::thread &worker : workerThreads)
      if (worker.joinable())
        worker.join();
    joined = true;
  }

  const FullDataLoaderOptions &options() const noexcept { return fullOptions; }

private:
  struct Job {
    uint64_t epoch;
    size_t sequence;
    BatchRequestType request;
  };
  struct Result {
    std::optional<BatchType> batch;
    std::exception_ptr error;
  };

  std::optional<BatchRequestType> nextRequest() {
    std::optional<BatchRequestType> request =
        sampler.next(fullOptions.batch_size);
    if (!request || request->size() == 0 ||
        (fullOptions.drop_last && request->size() < fullOptions.batch_size))
      return std::nullopt;
    return request;
  }

  void reset() {
    std::deque<Job> staleJobs;
    std::map<size_t, Result> staleResults;
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++epoch;
      staleJobs.swap(jobs);
      staleResults.swap(results);
      arrivals = 0;
    }
    nextSequence = 0;
    nextResult = 0;
    inFlight = 0;
    exhausted = false;
    sampler.reset();
    if (fullOptions.workers > 0)
      prefetch(fullOptions.max_jobs);
  }

  /// Requests up to `count` more batches from the workers.
  void prefetch(size_t count) {
    for (; count > 0 && !exhausted; --count) {
      std::optional<BatchRequestType> request = nextRequest();
      if (!request) {
        exhausted = true;
        break;
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        jobs.push_back(Job{epoch, nextSequence++, std::move(*request)});
      }
      ++inFlight;
      jobReady.notify_one();
    }
  }

  std::optional<BatchType> next() {
    if (fullOptions.workers == 0) {
      std::optional<BatchRequestType> request = nextRequest();
      if (!request)
        return std::nullopt;
      return mainDataset->get_batch(std::move(*request));
    }
    if (inFlight == 0)
      return std::nullopt;
    Result result;
    {
      std::unique_lock<std::mutex> lock(mutex);
      auto ready = [&] { return results.count(nextResult) != 0; };
      if (fullOptions.timeout) {
        if (!resultReady.wait_for(lock, *fullOptions.timeout, ready))
          throw Error("DataLoader: no batch arrived within " +
                      std::to_string(fullOptions.timeout->count()) +
                      " ms (the timeout option)");
      } else {
        resultReady.wait(lock, ready);
      }
      auto found = results.find(nextResult);
      result = std::move(found->second);
      results.erase(found);
    }
    ++nextResult;
    --inFlight;
    prefetch(1);
    if (result.error)
      std::rethrow_exception(result.error);
    return std::move(result.batch);
  }

  void workerLoop(Dataset &dataset) {
    while (true) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        jobReady.wait(lock, [&] { return stopping || !jobs.empty(); });
        if (stopping)
          return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      Result result;
      try {
        result.batch.emplace(dataset.get_batch(std::move(job.request)));
      } catch (...) {
        result.error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (stopping || job.epoch != epoch)
          continue; // a batch of an abandoned epoch: dropped below
        size_t key = fullOptions.enforce_ordering ? job.sequence : arrivals++;
        results.emplace(key, std::move(result));
      }
      resultReady.notify_one();
    }
  }

  FullDataLoaderOptions fullOptions;
  Sampler sampler;
  std::unique_ptr<Dataset> mainDataset;
  std::vector<std::thread> workerThreads;

  // Shared with the workers, under `mutex`.
  std::mutex mutex;
  std::condition_variable jobReady;
  std::condition_variable resultReady;
  std::deque<Job> jobs;
  /// Finished batches by sequence number (or by arrival, unordered).
  std::map<size_t, Result> results;
  uint64_t epoch = 0;
  size_t arrivals = 0;
  bool stopping = false;

  // The consumer's own.
  size_t nextSequence = 0;
  size_t nextResult = 0;
  size_t inFlight = 0;
  bool exhausted = false;
  bool joined = false;
};

namespace detail {
/// A sampler: reset() and next(batch_size), as samplers::Sampler<>.
template <typename S>
concept SamplerLike = requires(S &sampler, size_t batchSize) {
  sampler.reset();
  sampler.next(batchSize);
};
} // namespace detail

/// A loader of `dataset` visiting it in `sampler`'s order.
template <typename Dataset, typename Sampler>
  requires(!Dataset::is_stateful && detail::SamplerLike<Sampler>)
std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>
make_data_loader(Dataset dataset, Sampler sampler,
                 DataLoaderOptions options = DataLoaderOptions(),
                 Loc loc = Loc::current()) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(
      std::move(dataset), std::move(sampler), std::move(options), loc);
}

/// A loader of `dataset` with a `Sampler(size)`: RandomSampler by default,
/// as in LibTorch (pass samplers::SequentialSampler for evaluation).
template <typename Sampler = samplers::RandomSampler, typename Dataset>
  requires(!Dataset::is_stateful && std::is_constructible_v<Sampler, size_t>)
std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>
make_data_loader(Dataset dataset,
                 DataLoaderOptions options = DataLoaderOptions(),
                 Loc loc = Loc::current()) {
  std::optional<size_t> size = dataset.size();
  if (!size)
    dlc::detail::throwError("make_data_loader",
                            "expected the dataset to be sized in order to "
                            "construct the Sampler",
                            loc);
  return make_data_loader(std::move(dataset), Sampler(*size),
                          std::move(options), loc);
}

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_DATALOADER_H
