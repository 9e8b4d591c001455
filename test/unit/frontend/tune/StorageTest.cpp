//===- StorageTest.cpp - dlc::tune's in-memory and SQLite storages --------===//
//
// One battery for both storages (studies, trial numbering, the trial limit,
// enqueued trials, round-trips, errors, stale trials), then what only the
// SQLite file gives: two processes sharing one study, a worker killed in
// the middle of a trial and its trial re-run, a file that is not a
// database, and a study read back by a new storage object.
//
//===----------------------------------------------------------------------===//

#include "../TestUtil.h"
#include "frontend/tune/Types.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

using namespace dlc;
using namespace dlc::tune;
namespace fs = std::filesystem;

namespace {

using dlc::test::errorOf;
using dlc::test::TempDir;

void expectSameTrial(const FrozenTrial &a, const FrozenTrial &b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.params, b.params);
  EXPECT_TRUE(a.distributions == b.distributions);
  EXPECT_EQ(a.intermediate_values, b.intermediate_values);
  EXPECT_EQ(a.user_attrs, b.user_attrs);
  EXPECT_EQ(a.datetime_start, b.datetime_start);
  EXPECT_EQ(a.datetime_complete, b.datetime_complete);
}

int64_t countState(const std::vector<FrozenTrial> &trials, TrialState state) {
  int64_t n = 0;
  for (const FrozenTrial &t : trials)
    n += t.state == state;
  return n;
}

/// Waits for `pid`; true when it exited with status 0.
bool exitedCleanly(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid)
    return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

//===----------------------------------------------------------------------===//
// Both storages
//===----------------------------------------------------------------------===//

enum class Backend { InMemory, Sqlite };

class StorageTest : public ::testing::TestWithParam<Backend> {
protected:
  void SetUp() override {
    storage = GetParam() == Backend::InMemory
                  ? make_in_memory_storage()
                  : make_sqlite_storage(dir.file("study.db"));
  }

  TempDir dir;
  std::shared_ptr<Storage> storage;
};

TEST_P(StorageTest, CreatesAndReopensStudies) {
  int64_t a = storage->create_study("a", Direction::Minimize);
  int64_t b = storage->create_study("b", Direction::Maximize);
  EXPECT_NE(a, b);
  EXPECT_EQ(storage->create_study("a", Direction::Minimize), a);
  EXPECT_EQ(storage->study_direction(a), Direction::Minimize);
  EXPECT_EQ(storage->study_direction(b), Direction::Maximize);
  EXPECT_EQ(storage->study_names(), (std::vector<std::string>{"a", "b"}));
}

TEST_P(StorageTest, FindStudyCreatesNothing) {
  EXPECT_EQ(storage->find_study("a"), std::nullopt);
  EXPECT_TRUE(storage->study_names().empty());
  int64_t a = storage->create_study("a", Direction::Maximize);
  EXPECT_EQ(storage->find_study("a"), a);
  EXPECT_EQ(storage->find_study("b"), std::nullopt);
}

TEST_P(StorageTest, DirectionMismatchIsAnError) {
  storage->create_study("a", Direction::Minimize);
  EXPECT_ERROR(storage->create_study("a", Direction::Maximize),
               "study 'a' exists with direction MINIMIZE, not MAXIMIZE");
}

TEST_P(StorageTest, UnknownIdsAreErrors) {
  EXPECT_ERROR(storage->study_direction(12345), "no study with id 12345");
  EXPECT_ERROR(storage->start_trial(12345, 0), "no study with id 12345");
  EXPECT_ERROR(storage->get_all_trials(12345), "no study with id 12345");
  EXPECT_ERROR(storage->get_trial(777), "no trial with id 777");
  EXPECT_ERROR(storage->set_user_attr(777, "k", "v"), "no trial with id 777");
  EXPECT_ERROR(storage->finish_trial(777, TrialState::Complete, 1.0),
               "no trial with id 777");
}

TEST_P(StorageTest, StartTrialNumbersEachStudyFromZero) {
  int64_t a = storage->create_study("a", Direction::Minimize);
  int64_t b = storage->create_study("b", Direction::Minimize);
  std::set<int64_t> ids;
  for (int64_t expected = 0; expected < 3; ++expected) {
    std::optional<int64_t> id = storage->start_trial(a, 0);
    ASSERT_TRUE(id);
    ids.insert(*id);
    FrozenTrial t = storage->get_trial(*id);
    EXPECT_EQ(t.id, *id);
    EXPECT_EQ(t.number, expected);
    EXPECT_EQ(t.state, TrialState::Running);
    EXPECT_GT(t.datetime_start, 0);
    EXPECT_FALSE(t.datetime_complete);
    EXPECT_FALSE(t.value);
  }
  std::optional<int64_t> other = storage->start_trial(b, 0);
  ASSERT_TRUE(other);
  ids.insert(*other);
  EXPECT_EQ(storage->get_trial(*other).number, 0);
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(storage->get_all_trials(a).size(), 3u);
}

TEST_P(StorageTest, MaxTrialsCountsTrialsThatAreNotFail) {
  int64_t study = storage->create_study("s", Direction::Minimize);
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(storage->start_trial(study, 3).value());
  EXPECT_FALSE(storage->start_trial(study, 3));
  storage->finish_trial(ids[0], TrialState::Complete, 1.0);
  storage->finish_trial(ids[1], TrialState::Pruned, 2.0);
  EXPECT_FALSE(storage->start_trial(study, 3));
  // A failed trial leaves room for another.
  storage->finish_trial(ids[2], TrialState::Fail, std::nullopt);
  std::optional<int64_t> next = storage->start_trial(study, 3);
  ASSERT_TRUE(next);
  EXPECT_EQ(storage->get_trial(*next).number, 3);
  EXPECT_FALSE(storage->start_trial(study, 3));
  // No limit.
  EXPECT_TRUE(storage->start_trial(study, 0));
}

TEST_P(StorageTest, StartTrialTakesTheOldestWaitingTrialFirst) {
  int64_t study = storage->create_study("s", Direction::Minimize);
  int64_t first = storage->start_trial(study, 0).value();
  Distribution lr = Distribution::Float(1e-4, 1e-1, true);
  int64_t queued1 = storage->enqueue_trial(study, {{"lr", 0.01}}, {{"lr", lr}});
  int64_t queued2 = storage->enqueue_trial(study, {{"lr", 0.02}}, {{"lr", lr}});
  FrozenTrial waiting = storage->get_trial(queued1);
  EXPECT_EQ(waiting.state, TrialState::Waiting);
  EXPECT_EQ(waiting.number, 1);
  EXPECT_EQ(waiting.params.at("lr"), 0.01);

  // The limit counts the running trial, not the waiting ones.
  EXPECT_EQ(storage->start_trial(study, 3), queued1);
  EXPECT_EQ(storage->start_trial(study, 3), queued2);
  EXPECT_FALSE(storage->start_trial(study, 3));
  FrozenTrial taken = storage->get_trial(queued1);
  EXPECT_EQ(taken.state, TrialState::Running);
  EXPECT_GT(taken.datetime_start, 0);
  EXPECT_EQ(taken.params.at("lr"), 0.01);
  EXPECT_TRUE(taken.distributions.at("lr") == lr);

  std::optional<int64_t> fresh = storage->start_trial(study, 0);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(storage->get_trial(*fresh).number, 3);
  EXPECT_NE(*fresh, first);
}

TEST_P(StorageTest, EnqueueChecksItsParameters) {
  int64_t study = storage->create_study("s", Direction::Minimize);
  Distribution x = Distribution::Float(0, 1);
  EXPECT_ERROR(storage->enqueue_trial(study, {{"x", 0.5}}, {}),
               "enqueue_trial: parameter 'x' has no distribution");
  EXPECT_ERROR(storage->enqueue_trial(study, {}, {{"x", x}}),
               "enqueue_trial: distribution 'x' has no value");
  EXPECT_ERROR(storage->enqueue_trial(study, {{"x", 2.0}}, {{"x", x}}),
               "set_param: value 2 of 'x' is not in float [0, 1]");
  EXPECT_TRUE(storage->get_all_trials(study).empty());
}

TEST_P(StorageTest, TrialRoundTrips) {
  int64_t study = storage->create_study("s", Direction::Maximize);
  int64_t id = storage->start_trial(study, 0).value();
  Distribution lr = Distribution::Float(1e-5, 1e-1, true);
  Distribution units = Distribution::Int(8, 64, 8);
  Distribution act = Distribution::Categorical({"relu", "tanh", "gelu"});
  Distribution dropout = Distribution::Float(0, 0.5);
  storage->set_param(id, "lr", 3e-4, lr);
  storage->set_param(id, "units", 24, units);
  storage->set_param(id, "act", 2, act);
  storage->set_param(id, "dropout", 0.1, dropout);
  storage->set_param(id, "dropout", 0.125, dropout); // overwrites
  storage->set_intermediate_value(id, 0, 0.5);
  storage->set_intermediate_value(id, 3, 0.75);
  storage->set_intermediate_value(id, 7, std::nan(""));
  storage->set_user_attr(id, "host", "node-1");
  storage->set_user_attr(id, "quote", "it's \"quoted\"\n");
  storage->heartbeat(id);
  storage->finish_trial(id, TrialState::Complete, 0.875);

  FrozenTrial t = storage->get_trial(id);
  EXPECT_EQ(t.state, TrialState::Complete);
  EXPECT_EQ(t.value, 0.875);
  EXPECT_EQ(t.params,
            (std::map<std::string, double>{
                {"act", 2}, {"dropout", 0.125}, {"lr", 3e-4}, {"units", 24}}));
  ASSERT_EQ(t.distributions.size(), 4u);
  EXPECT_TRUE(t.distributions.at("lr") == lr);
  EXPECT_TRUE(t.distributions.at("units") == units);
  EXPECT_TRUE(t.distributions.at("act") == act);
  EXPECT_TRUE(t.distributions.at("dropout") == dropout);
  EXPECT_EQ(t.param_text("act"), "gelu");
  EXPECT_EQ(t.param_text("units"), "24");
  ASSERT_EQ(t.intermediate_values.size(), 3u);
  EXPECT_EQ(t.intermediate_values.at(0), 0.5);
  EXPECT_EQ(t.intermediate_values.at(3), 0.75);
  EXPECT_TRUE(std::isnan(t.intermediate_values.at(7)));
  EXPECT_EQ(t.user_attrs,
            (std::map<std::string, std::string>{
                {"host", "node-1"}, {"quote", "it's \"quoted\"\n"}}));
  ASSERT_TRUE(t.datetime_complete);
  EXPECT_GE(*t.datetime_complete, t.datetime_start);

  std::vector<FrozenTrial> all = storage->get_all_trials(study);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].params, t.params);
  EXPECT_EQ(all[0].user_attrs, t.user_attrs);
  EXPECT_EQ(all[0].datetime_start, t.datetime_start);
}

TEST_P(StorageTest, NanObjectiveIsStoredAsNoValue) {
  int64_t study = storage->create_study("s", Direction::Minimize);
  int64_t id = storage->start_trial(study, 0).value();
  storage->finish_trial(id, TrialState::Fail, std::nan(""));
  EXPECT_FALSE(storage->get_trial(id).value);
}

TEST_P(StorageTest, FinishedTrialsCannotChange) {
  int64_t study = storage->create_study("s", Direction::Minimize);
  int64_t id = storage->start_trial(study, 0).value();
  EXPECT_ERROR(storage->finish_trial(id, TrialState::Running, 1.0),
               "the end state must be COMPLETE, PRUNED or FAIL, got RUNNING");
  EXPECT_ERROR(storage->set_param(id, "x", 5, Distribution::Int(0, 3)),
               "set_param: value 5 of 'x' is not in int [0, 3]");
  storage->finish_trial(id, TrialState::Complete, 1.0);
  EXPECT_ERROR(storage->finish_trial(id, TrialState::Complete, 2.0),
               "finish_trial: trial 0 is COMPLETE, not RUNNING");
  EXPECT_ERROR(storage->set_param(id, "x", 0.5, Distribution::Float(0, 1)),
               "set_param: trial 0 is already COMPLETE");
  EXPECT_ERROR(storage->set_intermediate_value(id, 1, 0.5),
               "set_intermediate_value: trial 0 is already COMPLETE");
  EXPECT_EQ(storage->get_trial(id).value, 1.0);

  int64_t waiting = storage->enqueue_trial(study, {}, {});
  EXPECT_ERROR(storage->finish_trial(waiting, TrialState::Complete, 1.0),
               "finish_trial: trial 1 is WAITING, not RUNNING");
}

TEST_P(StorageTest, FailStaleTrialsEnqueuesACopy) {
  int64_t study = storage->create_study("s", Direction::Minimize);
  Distribution x = Distribution::Float(-1, 1);
  Distribution n = Distribution::Int(1, 9, 2);
  int64_t stale = storage->start_trial(study, 0).value();
  storage->set_param(stale, "x", 0.25, x);
  storage->set_param(stale, "n", 5, n);
  storage->set_intermediate_value(stale, 0, 3.0);
  int64_t alive = storage->start_trial(study, 0).value();
  int64_t done = storage->start_trial(study, 0).value();
  storage->finish_trial(done, TrialState::Complete, 1.0);

  EXPECT_EQ(storage->fail_stale_trials(study, 3600), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  storage->heartbeat(alive);
  EXPECT_EQ(storage->fail_stale_trials(study, 0.2), 1);

  FrozenTrial failed = storage->get_trial(stale);
  EXPECT_EQ(failed.state, TrialState::Fail);
  EXPECT_TRUE(failed.datetime_complete);
  EXPECT_EQ(
      failed.user_attrs.at("fail_reason").rfind("stale: no heartbeat for ", 0),
      0u)
      << failed.user_attrs.at("fail_reason");
  EXPECT_EQ(storage->get_trial(alive).state, TrialState::Running);

  std::vector<FrozenTrial> all = storage->get_all_trials(study);
  ASSERT_EQ(all.size(), 4u);
  const FrozenTrial &copy = all[3];
  EXPECT_EQ(copy.number, 3);
  EXPECT_EQ(copy.state, TrialState::Waiting);
  EXPECT_EQ(copy.params, failed.params);
  EXPECT_TRUE(copy.distributions == failed.distributions);
  EXPECT_TRUE(copy.intermediate_values.empty());
  EXPECT_TRUE(copy.user_attrs.empty());

  // Two trials are not Fail (alive, done): the limit 3 leaves room for the
  // copy, which is taken first.
  EXPECT_EQ(storage->start_trial(study, 3), copy.id);
  EXPECT_FALSE(storage->start_trial(study, 3));
  EXPECT_EQ(storage->fail_stale_trials(study, 0), 2);
  EXPECT_EQ(countState(storage->get_all_trials(study), TrialState::Waiting), 2);
}

TEST_P(StorageTest, ThreadsShareTheLimit) {
  int64_t study = storage->create_study("s", Direction::Minimize);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        while (std::optional<int64_t> id = storage->start_trial(study, 30)) {
          storage->set_param(*id, "x", 0.5, Distribution::Float(0, 1));
          storage->finish_trial(*id, TrialState::Complete, 0.5);
        }
      } catch (const Error &) {
        ++errors;
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(errors, 0);
  std::vector<FrozenTrial> all = storage->get_all_trials(study);
  ASSERT_EQ(all.size(), 30u);
  for (int64_t i = 0; i < 30; ++i)
    EXPECT_EQ(all[i].number, i);
  EXPECT_EQ(countState(all, TrialState::Complete), 30);
}

INSTANTIATE_TEST_SUITE_P(Storages, StorageTest,
                         ::testing::Values(Backend::InMemory, Backend::Sqlite),
                         [](const ::testing::TestParamInfo<Backend> &info) {
                           return info.param == Backend::InMemory ? "InMemory"
                                                                  : "Sqlite";
                         });

//===----------------------------------------------------------------------===//
// SQLite only
//===----------------------------------------------------------------------===//

// The parent closes its storage before each fork(): a process must not
// carry an open SQLite file into a child (SQLite's locks are per process).

/// The worker loop of a child process: trials until the limit, each with
/// a parameter and a value. Never returns.
[[noreturn]] void runWorker(const std::string &path, int startFd,
                            int64_t maxTrials) {
  try {
    char ready;
    // Blocks until the parent closes its end: both workers start together.
    while (read(startFd, &ready, 1) > 0) {
    }
    std::shared_ptr<Storage> storage = make_sqlite_storage(path);
    int64_t study = storage->create_study("shared", Direction::Minimize);
    while (std::optional<int64_t> id = storage->start_trial(study, maxTrials)) {
      double x = static_cast<double>(getpid() % 1000) / 1000;
      storage->set_param(*id, "x", x, Distribution::Float(0, 1));
      storage->set_user_attr(*id, "pid", std::to_string(getpid()));
      storage->finish_trial(*id, TrialState::Complete, x);
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "worker %d: %s\n", getpid(), error.what());
    _exit(1);
  }
  _exit(0);
}

TEST(SqliteStorageTest, TwoProcessesShareTheLimit) {
  TempDir dir;
  std::string path = dir.file("shared.db");
  make_sqlite_storage(path)->create_study("shared", Direction::Minimize);

  int start[2];
  ASSERT_EQ(pipe(start), 0);
  std::vector<pid_t> workers;
  for (int i = 0; i < 2; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(start[1]);
      runWorker(path, start[0], 40);
    }
    workers.push_back(pid);
  }
  close(start[0]);
  close(start[1]);
  for (pid_t pid : workers)
    EXPECT_TRUE(exitedCleanly(pid)) << "worker " << pid;

  std::shared_ptr<Storage> storage = make_sqlite_storage(path);
  int64_t study = storage->create_study("shared", Direction::Minimize);
  std::vector<FrozenTrial> all = storage->get_all_trials(study);
  ASSERT_EQ(all.size(), 40u);
  std::set<std::string> pids;
  for (int64_t i = 0; i < 40; ++i) {
    EXPECT_EQ(all[i].number, i);
    EXPECT_EQ(all[i].state, TrialState::Complete);
    EXPECT_EQ(all[i].params.size(), 1u);
    pids.insert(all[i].user_attrs.at("pid"));
  }
  EXPECT_LE(pids.size(), 2u);
}

TEST(SqliteStorageTest, KilledWorkerTrialIsRerun) {
  TempDir dir;
  std::string path = dir.file("resume.db");
  make_sqlite_storage(path)->create_study("resume", Direction::Minimize);
  Distribution x = Distribution::Float(0, 10);
  constexpr int64_t kTrials = 5;
  constexpr double kLost = 7.5;

  int started[2];
  ASSERT_EQ(pipe(started), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(started[0]);
    try {
      std::shared_ptr<Storage> storage = make_sqlite_storage(path);
      int64_t study = storage->create_study("resume", Direction::Minimize);
      int64_t id = storage->start_trial(study, kTrials).value();
      storage->set_param(id, "x", kLost, x);
      storage->set_intermediate_value(id, 0, 1.0);
      if (write(started[1], "s", 1) != 1)
        _exit(1);
    } catch (const std::exception &error) {
      std::fprintf(stderr, "worker: %s\n", error.what());
      _exit(1);
    }
    // Mid-trial until killed.
    for (;;)
      pause();
  }
  close(started[1]);
  char signal;
  ASSERT_EQ(read(started[0], &signal, 1), 1) << "the worker failed";
  close(started[0]);
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  std::shared_ptr<Storage> storage = make_sqlite_storage(path);
  int64_t study = storage->create_study("resume", Direction::Minimize);
  std::vector<FrozenTrial> before = storage->get_all_trials(study);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].state, TrialState::Running);
  EXPECT_EQ(storage->fail_stale_trials(study, 0), 1);
  FrozenTrial lost = storage->get_trial(before[0].id);
  EXPECT_EQ(lost.state, TrialState::Fail);
  EXPECT_TRUE(lost.user_attrs.count("fail_reason"));
  std::vector<FrozenTrial> after = storage->get_all_trials(study);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].state, TrialState::Waiting);
  EXPECT_EQ(after[1].params, lost.params);

  int64_t reruns = 0;
  while (std::optional<int64_t> id = storage->start_trial(study, kTrials)) {
    FrozenTrial t = storage->get_trial(*id);
    double value = 1.0;
    if (t.params.count("x")) {
      ++reruns;
      value = t.params.at("x");
    } else {
      storage->set_param(*id, "x", 1.0, x);
    }
    storage->finish_trial(*id, TrialState::Complete, value);
  }
  EXPECT_EQ(reruns, 1);
  std::vector<FrozenTrial> all = storage->get_all_trials(study);
  EXPECT_EQ(countState(all, TrialState::Complete), kTrials);
  EXPECT_EQ(countState(all, TrialState::Fail), 1);
  EXPECT_EQ(all.size(), static_cast<size_t>(kTrials + 1));
  EXPECT_EQ(all[1].state, TrialState::Complete);
  EXPECT_EQ(all[1].value, kLost);
}

TEST(SqliteStorageTest, CorruptFileIsAnError) {
  TempDir dir;
  std::string path = dir.file("corrupt.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 256; ++i)
      out << "garbage, not a database " << i << "\n";
  }
  std::shared_ptr<Storage> storage = make_sqlite_storage(path);
  std::string message =
      errorOf([&] { storage->create_study("s", Direction::Minimize); });
  EXPECT_EQ(message, "tune: sqlite storage " + path +
                         ": cannot open: file is not a database");
  // Every later call says the same, and nothing aborts.
  EXPECT_ERROR(storage->study_names(), "file is not a database");
}

TEST(SqliteStorageTest, ForeignSqliteFileIsAnError) {
  TempDir dir;
  std::string path = dir.file("other.db");
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE studies (x INTEGER)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_ERROR(make_sqlite_storage(path)->study_names(),
               "cannot open: an SQLite database, but not one of dlc::tune");
}

TEST(SqliteStorageTest, UnwritableDirectoryIsAnError) {
  TempDir dir;
  EXPECT_ERROR(make_sqlite_storage(dir.file("missing/x.db"))->study_names(),
               "cannot open: unable to open database file (the directory " +
                   dir.file("missing") + " does not exist)");
  if (geteuid() == 0)
    GTEST_SKIP() << "root can write to a read-only directory";
  std::string readOnly = dir.file("read-only");
  ASSERT_EQ(mkdir(readOnly.c_str(), 0555), 0);
  EXPECT_ERROR(make_sqlite_storage(readOnly + "/x.db")->study_names(),
               "is not writable");
}

TEST(SqliteStorageTest, ConnectionIsNotUsedAcrossFork) {
  TempDir dir;
  std::shared_ptr<Storage> storage = make_sqlite_storage(dir.file("f.db"));
  storage->study_names();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string message = errorOf([&] { storage->study_names(); });
    _exit(message.find("used after fork()") != std::string::npos ? 0 : 1);
  }
  EXPECT_TRUE(exitedCleanly(pid));
  EXPECT_TRUE(storage->study_names().empty());
}

TEST(SqliteStorageTest, NewStorageObjectSeesEverything) {
  TempDir dir;
  std::string path = dir.file("reopen.db");
  std::shared_ptr<Storage> storage = make_sqlite_storage(path);
  int64_t a = storage->create_study("a", Direction::Minimize);
  int64_t b = storage->create_study("b", Direction::Maximize);
  Distribution units = Distribution::Int(1, 100, 1, true);
  Distribution act = Distribution::Categorical({"relu", "tanh"});
  int64_t complete = storage->start_trial(a, 0).value();
  storage->set_param(complete, "units", 32, units);
  storage->set_param(complete, "act", 1, act);
  storage->set_intermediate_value(complete, 2, 0.25);
  storage->set_user_attr(complete, "host", "h");
  storage->finish_trial(complete, TrialState::Complete, 0.125);
  int64_t pruned = storage->start_trial(a, 0).value();
  storage->finish_trial(pruned, TrialState::Pruned, 4.0);
  storage->start_trial(a, 0);
  storage->enqueue_trial(a, {{"units", 7}}, {{"units", units}});
  storage->start_trial(b, 0);
  std::vector<FrozenTrial> trialsA = storage->get_all_trials(a);
  std::vector<FrozenTrial> trialsB = storage->get_all_trials(b);
  storage.reset();

  std::shared_ptr<Storage> reopened = make_sqlite_storage(path);
  EXPECT_EQ(reopened->study_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reopened->create_study("a", Direction::Minimize), a);
  EXPECT_EQ(reopened->study_direction(b), Direction::Maximize);
  std::vector<FrozenTrial> readA = reopened->get_all_trials(a);
  std::vector<FrozenTrial> readB = reopened->get_all_trials(b);
  ASSERT_EQ(readA.size(), 4u);
  ASSERT_EQ(readB.size(), 1u);
  for (size_t i = 0; i < readA.size(); ++i)
    expectSameTrial(readA[i], trialsA[i]);
  expectSameTrial(readB[0], trialsB[0]);
  EXPECT_EQ(readA[3].state, TrialState::Waiting);
  EXPECT_EQ(reopened->start_trial(a, 0), readA[3].id);
}

} // namespace
