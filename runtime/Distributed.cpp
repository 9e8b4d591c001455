//===- Distributed.cpp - Collectives between processes (MPI) --------------===//

#include "runtime/Distributed.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unistd.h>

#ifdef DLC_HAVE_MPI
// The C API only: the deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace dlc::rt::dist {

const char *toString(ReduceOp op) {
  switch (op) {
  case ReduceOp::Sum:
    return "sum";
  case ReduceOp::Mean:
    return "mean";
  case ReduceOp::Max:
    return "max";
  case ReduceOp::Min:
    return "min";
  }
  return "?";
}

Work::~Work() = default;

namespace {

double defaultTimeout() {
  if (const char *text = std::getenv("DLC_DISTRIBUTED_TIMEOUT");
      text && *text) {
    char *end = nullptr;
    double seconds = std::strtod(text, &end);
    if (end && *end == '\0' && seconds > 0)
      return seconds;
    std::fprintf(stderr,
                 "dlc: warning: DLC_DISTRIBUTED_TIMEOUT=%s is not a positive "
                 "number of seconds; using 300\n",
                 text);
  }
  return 300;
}

/// One MPI call (or several) for the communication thread; `error` is set
/// when it failed.
struct Task {
  std::function<std::string()> run;
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::string error;
};

/// The process group: MPI's world, every call on `thread`.
class Group {
public:
  ~Group() {
    // A program that forgot finalize() must still leave MPI cleanly, or
    // mpirun reports the process as failed.
    try {
      finalize();
    } catch (...) {
    }
  }

  void init();
  void finalize();
  bool isInitialized() {
    std::lock_guard<std::mutex> lock(mutex);
    return initialized;
  }
  int rank = 0, size = 1, localRank = 0;
  double timeout = defaultTimeout();

  /// Queues `fn` on the communication thread.
  std::shared_ptr<Task> submit(std::function<std::string()> fn) {
    auto task = std::make_shared<Task>();
    task->run = std::move(fn);
    {
      std::lock_guard<std::mutex> lock(mutex);
      queue.push_back(task);
    }
    cv.notify_one();
    return task;
  }

  /// Waits for `task` at most `timeout` seconds (forever when <= 0).
  void wait(Task &task, const std::string &what, double seconds) {
    std::unique_lock<std::mutex> lock(task.mutex);
    if (seconds > 0) {
      auto limit = std::chrono::duration<double>(seconds);
      if (!task.cv.wait_for(lock, limit, [&] { return task.done; }))
        throw Error(fmt::format(
            "{}: rank {} of {} waited {:g} s for the other processes; one of "
            "them has died, stopped, or is not running the same step "
            "(DLC_DISTRIBUTED_TIMEOUT sets the limit)",
            what, rank, size, seconds));
    } else {
      task.cv.wait(lock, [&] { return task.done; });
    }
    if (!task.error.empty())
      throw Error(what + ": " + task.error);
  }

private:
  void loop() {
    for (;;) {
      std::shared_ptr<Task> task;
      {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty())
          return;
        task = std::move(queue.front());
        queue.pop_front();
      }
      std::string error = task->run();
      {
        std::lock_guard<std::mutex> lock(task->mutex);
        task->error = std::move(error);
        task->done = true;
      }
      task->cv.notify_all();
    }
  }

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Task>> queue;
  std::thread thread;
  bool stopping = false;
  bool initialized = false;
};

Group &group() {
  static Group instance;
  return instance;
}

#ifdef DLC_HAVE_MPI
std::string mpiError(int code, const char *call) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
    return fmt::format("{} failed with MPI error {}", call, code);
  return fmt::format("{} failed: {}", call, std::string(text, length));
}

MPI_Datatype mpiType(ScalarType type) {
  switch (type) {
  case ScalarType::Bool:
    return MPI_C_BOOL;
  case ScalarType::Int:
    return MPI_INT32_T;
  case ScalarType::Long:
    return MPI_INT64_T;
  case ScalarType::Float:
    return MPI_FLOAT;
  case ScalarType::Double:
    return MPI_DOUBLE;
  }
  return MPI_BYTE;
}

MPI_Op mpiOp(ReduceOp op, ScalarType type) {
  if (type == ScalarType::Bool)
    return op == ReduceOp::Min ? MPI_LAND : MPI_LOR;
  switch (op) {
  case ReduceOp::Sum:
  case ReduceOp::Mean:
    return MPI_SUM;
  case ReduceOp::Max:
    return MPI_MAX;
  case ReduceOp::Min:
    return MPI_MIN;
  }
  return MPI_SUM;
}
#endif

template <typename T>
void divide(void *data, int64_t count, int by) {
  T *p = static_cast<T *>(data);
  for (int64_t i = 0; i < count; ++i)
    p[i] = static_cast<T>(p[i] / by);
}

/// Divides a Mean's sums by the number of processes.
void finishMean(const std::vector<Span> &buffers, ScalarType type, int size) {
  for (const Span &span : buffers)
    switch (type) {
    case ScalarType::Float:
      divide<float>(span.data, span.count, size);
      break;
    case ScalarType::Double:
      divide<double>(span.data, span.count, size);
      break;
    case ScalarType::Int:
      divide<int32_t>(span.data, span.count, size);
      break;
    case ScalarType::Long:
      divide<int64_t>(span.data, span.count, size);
      break;
    case ScalarType::Bool:
      break;
    }
}

void Group::init() {
#ifndef DLC_HAVE_MPI
  throw Error("distributed: this dlc was built without MPI (install "
              "libopenmpi-dev and rebuild)");
#else
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (initialized)
      return;
    if (!thread.joinable()) {
      stopping = false;
      thread = std::thread([this] { loop(); });
    }
  }
  auto task = submit([this]() -> std::string {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) {
      int provided = 0;
      int code =
          MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
      if (code != MPI_SUCCESS)
        return mpiError(code, "MPI_Init_thread");
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm local;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
                            MPI_INFO_NULL, &local) == MPI_SUCCESS) {
      MPI_Comm_rank(local, &localRank);
      MPI_Comm_free(&local);
    }
    return "";
  });
  // No timeout: MPI_Init waits for the other processes to start.
  wait(*task, "distributed", 0);
  std::lock_guard<std::mutex> lock(mutex);
  initialized = true;
#endif
}

void Group::finalize() {
  std::unique_lock<std::mutex> lock(mutex);
  if (!thread.joinable())
    return;
#ifdef DLC_HAVE_MPI
  if (initialized) {
    auto task = std::make_shared<Task>();
    task->run = []() -> std::string {
      int finalized = 0;
      MPI_Finalized(&finalized);
      if (!finalized)
        MPI_Finalize();
      return "";
    };
    queue.push_back(task);
  }
#endif
  stopping = true;
  cv.notify_one();
  lock.unlock();
  thread.join();
  lock.lock();
  initialized = false;
  rank = 0;
  size = 1;
  localRank = 0;
}

/// A collective that was complete when it was made (one process).
class DoneWork : public Work {
public:
  void wait() override {}
};

class TaskWork : public Work {
public:
  TaskWork(std::shared_ptr<Task> task, std::string what)
      : task(std::move(task)), what(std::move(what)) {}
  void wait() override {
    if (task)
      group().wait(*task, what, group().timeout);
    task.reset();
  }

private:
  std::shared_ptr<Task> task;
  std::string what;
};

} // namespace

bool available() {
#ifdef DLC_HAVE_MPI
  return true;
#else
  return false;
#endif
}

void init() { group().init(); }
bool initialized() { return group().isInitialized(); }
void finalize() { group().finalize(); }
int rank() { return group().rank; }
int world_size() { return group().size; }
int local_rank() { return group().localRank; }
double timeout_seconds() { return group().timeout; }
void set_timeout_seconds(double seconds) { group().timeout = seconds; }

std::unique_ptr<Work> all_reduce_async(std::vector<Span> buffers,
                                       ScalarType type, ReduceOp op,
                                       std::string what) {
  Group &g = group();
  if (!g.isInitialized() || g.size == 1)
    return std::make_unique<DoneWork>();
#ifndef DLC_HAVE_MPI
  return std::make_unique<DoneWork>();
#else
  int size = g.size;
  auto task =
      g.submit([buffers = std::move(buffers), type, op, size]() -> std::string {
        MPI_Datatype datatype = mpiType(type);
        MPI_Op reduce = mpiOp(op, type);
        size_t element = elementSize(type);
        int64_t total = 0;
        for (const Span &span : buffers)
          total += span.count;
        if (total > INT32_MAX)
          return fmt::format("{} elements are more than one MPI call takes "
                             "(2^31 - 1)",
                             total);
        if (buffers.size() == 1) {
          int code = MPI_Allreduce(MPI_IN_PLACE, buffers[0].data,
                                   static_cast<int>(total), datatype, reduce,
                                   MPI_COMM_WORLD);
          if (code != MPI_SUCCESS)
            return mpiError(code, "MPI_Allreduce");
        } else if (total > 0) {
          // The bucket, packed: one message instead of one per tensor.
          std::vector<uint8_t> packed(static_cast<size_t>(total) * element);
          size_t offset = 0;
          for (const Span &span : buffers) {
            size_t bytes = static_cast<size_t>(span.count) * element;
            if (bytes)
              std::memcpy(packed.data() + offset, span.data, bytes);
            offset += bytes;
          }
          int code = MPI_Allreduce(MPI_IN_PLACE, packed.data(),
                                   static_cast<int>(total), datatype, reduce,
                                   MPI_COMM_WORLD);
          if (code != MPI_SUCCESS)
            return mpiError(code, "MPI_Allreduce");
          offset = 0;
          for (const Span &span : buffers) {
            size_t bytes = static_cast<size_t>(span.count) * element;
            if (bytes)
              std::memcpy(span.data, packed.data() + offset, bytes);
            offset += bytes;
          }
        }
        if (op == ReduceOp::Mean)
          finishMean(buffers, type, size);
        return "";
      });
  return std::make_unique<TaskWork>(std::move(task), std::move(what));
#endif
}

void all_reduce(std::vector<Span> buffers, ScalarType type, ReduceOp op,
                std::string what) {
  all_reduce_async(std::move(buffers), type, op, what)->wait();
}

void broadcast(void *data, size_t bytes, int root, std::string what) {
  Group &g = group();
  if (root < 0 || root >= g.size)
    throw Error(fmt::format("{}: root {} is not a rank of the {} processes",
                            what, root, g.size));
  if (!g.isInitialized() || g.size == 1 || bytes == 0)
    return;
#ifdef DLC_HAVE_MPI
  if (bytes > static_cast<size_t>(INT32_MAX))
    throw Error(fmt::format("{}: {} bytes are more than one MPI call takes",
                            what, bytes));
  auto task = g.submit([=]() -> std::string {
    int code = MPI_Bcast(data, static_cast<int>(bytes), MPI_BYTE, root,
                         MPI_COMM_WORLD);
    return code == MPI_SUCCESS ? "" : mpiError(code, "MPI_Bcast");
  });
  g.wait(*task, what, g.timeout);
#endif
}

std::vector<uint8_t> all_gather(const void *data, size_t bytes,
                                std::string what) {
  Group &g = group();
  const uint8_t *begin = static_cast<const uint8_t *>(data);
  if (!g.isInitialized() || g.size == 1)
    return std::vector<uint8_t>(begin, begin + bytes);
  auto result = std::make_shared<std::vector<uint8_t>>();
#ifdef DLC_HAVE_MPI
  if (bytes > static_cast<size_t>(INT32_MAX))
    throw Error(fmt::format("{}: {} bytes are more than one MPI call takes",
                            what, bytes));
  int size = g.size;
  // The task owns what it reads and writes: after a timeout it may still
  // run while this frame is gone.
  auto input = std::make_shared<std::vector<uint8_t>>(begin, begin + bytes);
  auto task = g.submit([input, result, size]() -> std::string {
    std::vector<int> counts(size), offsets(size);
    int mine = static_cast<int>(input->size());
    int code = MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT,
                             MPI_COMM_WORLD);
    if (code != MPI_SUCCESS)
      return mpiError(code, "MPI_Allgather");
    int64_t total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[r] = static_cast<int>(total);
      total += counts[r];
    }
    if (total > INT32_MAX)
      return fmt::format("{} bytes in all are more than one MPI call takes",
                         total);
    result->resize(static_cast<size_t>(total));
    code =
        MPI_Allgatherv(input->data(), mine, MPI_BYTE, result->data(),
                       counts.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD);
    return code == MPI_SUCCESS ? "" : mpiError(code, "MPI_Allgatherv");
  });
  g.wait(*task, what, g.timeout);
#endif
  return std::move(*result);
}

void barrier(std::string what) {
  Group &g = group();
  if (!g.isInitialized() || g.size == 1)
    return;
#ifdef DLC_HAVE_MPI
  auto task = g.submit([]() -> std::string {
    int code = MPI_Barrier(MPI_COMM_WORLD);
    return code == MPI_SUCCESS ? "" : mpiError(code, "MPI_Barrier");
  });
  g.wait(*task, what, g.timeout);
#endif
}

void check_same_schedule(const Schedule &mine, const std::string &what) {
  Group &g = group();
  if (!g.isInitialized() || g.size == 1)
    return;
  std::vector<uint64_t> words = all_gather(
      std::vector<uint64_t>{mine.hash, mine.calls, mine.elements}, what);
  if (words.size() != 3 * static_cast<size_t>(g.size))
    throw Error(what + ": the processes sent schedules of different sizes");
  std::vector<Schedule> all(g.size);
  bool same = true;
  for (int r = 0; r < g.size; ++r) {
    all[r] = {words[3 * r], words[3 * r + 1], words[3 * r + 2]};
    same = same && all[r].hash == mine.hash;
  }
  if (same)
    return;
  std::string ranks;
  for (int r = 0; r < g.size; ++r)
    ranks += fmt::format("{}rank {}: {} all-reduce{} of {} elements",
                         r ? "; " : "", r, all[r].calls,
                         all[r].calls == 1 ? "" : "s", all[r].elements);
  throw Error(fmt::format(
      "{}: the processes compiled different programs, whose collectives "
      "would exchange mismatched data ({}). Every process must record the "
      "same ops: a C++ number that differs between processes is a constant "
      "of the program; pass it as a tensor",
      what, ranks));
}

void abort(int code, const std::string &message) {
  Group &g = group();
  bool distributed = g.isInitialized();
  if (distributed)
    std::fprintf(stderr, "dlc: rank %d of %d: %s\n", g.rank, g.size,
                 message.c_str());
  else
    std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
#ifdef DLC_HAVE_MPI
  // MPI_THREAD_MULTIPLE was asked for: MPI_Abort may be called from here
  // while the communication thread is blocked in a collective.
  if (distributed)
    MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::_Exit(code);
}

} // namespace dlc::rt::dist
