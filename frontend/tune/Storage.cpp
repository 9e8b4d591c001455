//===- Storage.cpp - Where a study lives: in memory or in SQLite ----------===//
//
// The in-memory storage is a mutex around plain maps. The SQLite storage is
// what several worker processes share: WAL journal mode (readers never wait
// for the writer), a busy timeout, and every read-modify-write inside one
// `BEGIN IMMEDIATE` transaction, so that two processes never both count the
// trials and then both add one. Each storage object opens its connection
// when first used, in the process that uses it: a child made by fork()
// makes its own storage object (SQLite's locks are per process, so an open
// connection must not cross a fork).
//
//===----------------------------------------------------------------------===//

#include "frontend/tune/Types.h"

#include "runtime/Error.h"

#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <unordered_map>

namespace dlc::tune {

namespace {

/// Unix seconds.
double now() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char *directionText(Direction direction) {
  return direction == Direction::Minimize ? "MINIMIZE" : "MAXIMIZE";
}

/// A NaN objective value is stored as no value (SQLite stores NaN as NULL;
/// the in-memory storage does the same so that both behave alike).
std::optional<double> storedValue(std::optional<double> value) {
  if (value && std::isnan(*value))
    return std::nullopt;
  return value;
}

void checkEndState(const std::string &prefix, TrialState state) {
  if (state != TrialState::Complete && state != TrialState::Pruned &&
      state != TrialState::Fail)
    throw Error(prefix +
                "finish_trial: the end state must be COMPLETE, "
                "PRUNED or FAIL, got " +
                to_string(state));
}

void checkParam(const std::string &prefix, const std::string &name,
                double value, const Distribution &distribution) {
  if (!distribution.contains(value)) {
    std::ostringstream text;
    text.precision(17);
    text << value;
    throw Error(prefix + "set_param: value " + text.str() + " of '" + name +
                "' is not in " + distribution.str());
  }
}

/// Every parameter of an enqueued trial has its distribution and lies in it.
void checkEnqueued(const std::string &prefix,
                   const std::map<std::string, double> &params,
                   const std::map<std::string, Distribution> &distributions) {
  for (const auto &[name, value] : params) {
    auto d = distributions.find(name);
    if (d == distributions.end())
      throw Error(prefix + "enqueue_trial: parameter '" + name +
                  "' has no distribution");
    checkParam(prefix, name, value, d->second);
  }
  for (const auto &entry : distributions)
    if (!params.count(entry.first))
      throw Error(prefix + "enqueue_trial: distribution '" + entry.first +
                  "' has no value");
}

std::string staleReason(double age) {
  return "stale: no heartbeat for " +
         std::to_string(std::max<int64_t>(0, std::llround(age))) + " s";
}

//===----------------------------------------------------------------------===//
// In memory
//===----------------------------------------------------------------------===//

class InMemoryStorage final : public Storage {
public:
  int64_t create_study(const std::string &name, Direction direction) override {
    std::lock_guard lock(mutex);
    for (size_t id = 0; id < studies.size(); ++id) {
      if (studies[id].name != name)
        continue;
      checkDirection(studies[id], direction);
      return static_cast<int64_t>(id);
    }
    studies.push_back({name, direction, {}});
    return static_cast<int64_t>(studies.size() - 1);
  }

  std::optional<int64_t> find_study(const std::string &name) override {
    std::lock_guard lock(mutex);
    for (size_t id = 0; id < studies.size(); ++id)
      if (studies[id].name == name)
        return static_cast<int64_t>(id);
    return std::nullopt;
  }

  Direction study_direction(int64_t studyId) override {
    std::lock_guard lock(mutex);
    return study(studyId).direction;
  }

  std::vector<std::string> study_names() override {
    std::lock_guard lock(mutex);
    std::vector<std::string> names;
    for (const StudyRecord &s : studies)
      names.push_back(s.name);
    return names;
  }

  std::optional<int64_t> start_trial(int64_t studyId,
                                     int64_t maxTrials) override {
    std::lock_guard lock(mutex);
    StudyRecord &s = study(studyId);
    // Waiting trials are not counted: a re-enqueued trial must still run
    // when the study is one short of the limit.
    int64_t started = 0;
    std::optional<int64_t> waiting;
    for (int64_t id : s.trials) {
      TrialState state = trials[id].trial.state;
      if (state == TrialState::Waiting) {
        if (!waiting)
          waiting = id;
      } else if (state != TrialState::Fail) {
        ++started;
      }
    }
    if (maxTrials > 0 && started >= maxTrials)
      return std::nullopt;
    double time = now();
    int64_t id = waiting ? *waiting : addTrial(s);
    TrialRecord &t = trials[id];
    t.trial.state = TrialState::Running;
    t.trial.datetime_start = time;
    t.heartbeat = time;
    return id;
  }

  int64_t enqueue_trial(
      int64_t studyId, const std::map<std::string, double> &params,
      const std::map<std::string, Distribution> &distributions) override {
    std::lock_guard lock(mutex);
    StudyRecord &s = study(studyId);
    checkEnqueued(prefix, params, distributions);
    int64_t id = addTrial(s);
    trials[id].trial.params = params;
    trials[id].trial.distributions = distributions;
    return id;
  }

  void set_param(int64_t trialId, const std::string &name, double value,
                 const Distribution &distribution) override {
    checkParam(prefix, name, value, distribution);
    std::lock_guard lock(mutex);
    FrozenTrial &t = unfinished(trialId, "set_param");
    t.params[name] = value;
    t.distributions[name] = distribution;
  }

  void set_intermediate_value(int64_t trialId, int64_t step,
                              double value) override {
    std::lock_guard lock(mutex);
    unfinished(trialId, "set_intermediate_value").intermediate_values[step] =
        value;
  }

  void set_user_attr(int64_t trialId, const std::string &key,
                     const std::string &value) override {
    std::lock_guard lock(mutex);
    trial(trialId).trial.user_attrs[key] = value;
  }

  void finish_trial(int64_t trialId, TrialState state,
                    std::optional<double> value) override {
    checkEndState(prefix, state);
    std::lock_guard lock(mutex);
    FrozenTrial &t = trial(trialId).trial;
    if (t.state != TrialState::Running)
      throw Error(prefix + "finish_trial: trial " + std::to_string(t.number) +
                  " is " + to_string(t.state) + ", not RUNNING");
    t.state = state;
    t.value = storedValue(value);
    t.datetime_complete = now();
  }

  void heartbeat(int64_t trialId) override {
    std::lock_guard lock(mutex);
    TrialRecord &t = trial(trialId);
    if (t.trial.state == TrialState::Running)
      t.heartbeat = now();
  }

  int64_t fail_stale_trials(int64_t studyId, double graceSeconds) override {
    std::lock_guard lock(mutex);
    StudyRecord &s = study(studyId);
    double time = now();
    int64_t failed = 0;
    // addTrial grows s.trials; visit only the trials there were.
    size_t count = s.trials.size();
    for (size_t i = 0; i < count; ++i) {
      int64_t id = s.trials[i];
      if (trials[id].trial.state != TrialState::Running ||
          trials[id].heartbeat > time - graceSeconds)
        continue;
      FrozenTrial &t = trials[id].trial;
      t.state = TrialState::Fail;
      t.datetime_complete = time;
      t.user_attrs["fail_reason"] = staleReason(time - trials[id].heartbeat);
      std::map<std::string, double> params = t.params;
      std::map<std::string, Distribution> distributions = t.distributions;
      int64_t copy = addTrial(s);
      trials[copy].trial.params = std::move(params);
      trials[copy].trial.distributions = std::move(distributions);
      ++failed;
    }
    return failed;
  }

  FrozenTrial get_trial(int64_t trialId) override {
    std::lock_guard lock(mutex);
    return trial(trialId).trial;
  }

  std::vector<FrozenTrial> get_all_trials(int64_t studyId) override {
    std::lock_guard lock(mutex);
    std::vector<FrozenTrial> result;
    for (int64_t id : study(studyId).trials)
      result.push_back(trials[id].trial);
    return result;
  }

private:
  struct StudyRecord {
    std::string name;
    Direction direction;
    /// Trial ids, by number.
    std::vector<int64_t> trials;
  };
  struct TrialRecord {
    FrozenTrial trial;
    double heartbeat = 0;
  };

  const std::string prefix = "tune: in-memory storage: ";
  std::mutex mutex;
  std::vector<StudyRecord> studies;
  /// By id.
  std::vector<TrialRecord> trials;

  void checkDirection(const StudyRecord &s, Direction direction) const {
    if (s.direction != direction)
      throw Error(prefix + "study '" + s.name + "' exists with direction " +
                  directionText(s.direction) + ", not " +
                  directionText(direction));
  }

  StudyRecord &study(int64_t id) {
    if (id < 0 || id >= static_cast<int64_t>(studies.size()))
      throw Error(prefix + "no study with id " + std::to_string(id));
    return studies[id];
  }

  TrialRecord &trial(int64_t id) {
    if (id < 0 || id >= static_cast<int64_t>(trials.size()))
      throw Error(prefix + "no trial with id " + std::to_string(id));
    return trials[id];
  }

  FrozenTrial &unfinished(int64_t id, const char *what) {
    FrozenTrial &t = trial(id).trial;
    if (t.finished())
      throw Error(prefix + what + ": trial " + std::to_string(t.number) +
                  " is already " + to_string(t.state));
    return t;
  }

  /// A Waiting trial with the next number.
  int64_t addTrial(StudyRecord &s) {
    int64_t id = static_cast<int64_t>(trials.size());
    TrialRecord record;
    record.trial.id = id;
    record.trial.number = static_cast<int64_t>(s.trials.size());
    record.trial.state = TrialState::Waiting;
    trials.push_back(std::move(record));
    s.trials.push_back(id);
    return id;
  }
};

//===----------------------------------------------------------------------===//
// SQLite
//===----------------------------------------------------------------------===//

constexpr int kSchemaVersion = 1;

constexpr const char *kSchema = R"sql(
CREATE TABLE studies (
  study_id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  direction TEXT NOT NULL
);
CREATE TABLE trials (
  trial_id INTEGER PRIMARY KEY AUTOINCREMENT,
  study_id INTEGER NOT NULL REFERENCES studies(study_id),
  number INTEGER NOT NULL,
  state TEXT NOT NULL,
  value REAL,
  datetime_start REAL,
  datetime_complete REAL,
  heartbeat REAL,
  UNIQUE (study_id, number)
);
CREATE INDEX trials_by_state ON trials(study_id, state);
CREATE TABLE trial_params (
  trial_id INTEGER NOT NULL REFERENCES trials(trial_id),
  name TEXT NOT NULL,
  value REAL NOT NULL,
  distribution_json TEXT NOT NULL,
  PRIMARY KEY (trial_id, name)
);
CREATE TABLE trial_values (
  trial_id INTEGER NOT NULL REFERENCES trials(trial_id),
  step INTEGER NOT NULL,
  value REAL,
  PRIMARY KEY (trial_id, step)
);
CREATE TABLE trial_user_attrs (
  trial_id INTEGER NOT NULL REFERENCES trials(trial_id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (trial_id, key)
);
)sql";

class SqliteStorage;

/// A prepared statement, finalized when it goes.
class Statement {
public:
  Statement(SqliteStorage &storage, const char *sql);
  ~Statement() { sqlite3_finalize(stmt); }
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;

  Statement &bind(int index, int64_t value) {
    return check(sqlite3_bind_int64(stmt, index, value));
  }
  Statement &bind(int index, double value) {
    return check(sqlite3_bind_double(stmt, index, value));
  }
  Statement &bind(int index, std::optional<double> value) {
    return check(value ? sqlite3_bind_double(stmt, index, *value)
                       : sqlite3_bind_null(stmt, index));
  }
  Statement &bind(int index, const std::string &value) {
    return check(sqlite3_bind_text(stmt, index, value.data(),
                                   static_cast<int>(value.size()),
                                   SQLITE_TRANSIENT));
  }
  Statement &bind(int index, const char *value) {
    return check(sqlite3_bind_text(stmt, index, value, -1, SQLITE_TRANSIENT));
  }

  /// Whether a row came (SQLITE_ROW); false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }

  int64_t integer(int column) { return sqlite3_column_int64(stmt, column); }
  double real(int column) { return sqlite3_column_double(stmt, column); }
  bool null(int column) {
    return sqlite3_column_type(stmt, column) == SQLITE_NULL;
  }
  std::optional<double> optionalReal(int column) {
    if (null(column))
      return std::nullopt;
    return real(column);
  }
  std::string text(int column) {
    const unsigned char *data = sqlite3_column_text(stmt, column);
    int size = sqlite3_column_bytes(stmt, column);
    return data ? std::string(reinterpret_cast<const char *>(data), size)
                : std::string();
  }

private:
  SqliteStorage &storage;
  sqlite3_stmt *stmt = nullptr;

  Statement &check(int rc);
};

/// A transaction, rolled back unless committed. Writers use `BEGIN
/// IMMEDIATE`: the write lock is taken (waiting up to the busy timeout)
/// before anything is read, so a count read inside stays true until commit.
class Transaction {
public:
  Transaction(SqliteStorage &storage, bool write);
  ~Transaction();
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  void commit();

private:
  SqliteStorage &storage;
  bool open = true;
};

class SqliteStorage final : public Storage {
public:
  explicit SqliteStorage(std::string path)
      : path(std::move(path)),
        prefix("tune: sqlite storage " + this->path + ": ") {}

  ~SqliteStorage() override {
    // A connection inherited through fork() is the parent's (see connect).
    if (db && openedBy == getpid())
      sqlite3_close_v2(db);
  }

  /// Throws the error of the last SQLite call, with `what` was being done.
  [[noreturn]] void fail(const std::string &what) const {
    throw Error(prefix + what + ": " + (db ? sqlite3_errmsg(db) : "no memory"));
  }

  sqlite3 *handle() const { return db; }

  void exec(const char *sql, const char *what) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      fail(what);
  }

  int64_t create_study(const std::string &name, Direction direction) override {
    Lock lock(*this);
    Transaction transaction(*this, true);
    Statement select(*this,
                     "SELECT study_id, direction FROM studies WHERE name = ?");
    select.bind(1, name);
    if (select.step()) {
      int64_t id = select.integer(0);
      std::string stored = select.text(1);
      if (stored != directionText(direction))
        throw Error(prefix + "study '" + name + "' exists with direction " +
                    stored + ", not " + directionText(direction));
      transaction.commit();
      return id;
    }
    Statement insert(*this,
                     "INSERT INTO studies (name, direction) VALUES (?, ?)");
    insert.bind(1, name).bind(2, directionText(direction)).run();
    int64_t id = sqlite3_last_insert_rowid(db);
    transaction.commit();
    return id;
  }

  std::optional<int64_t> find_study(const std::string &name) override {
    Lock lock(*this);
    Transaction transaction(*this, false);
    Statement select(*this, "SELECT study_id FROM studies WHERE name = ?");
    select.bind(1, name);
    std::optional<int64_t> id;
    if (select.step())
      id = select.integer(0);
    transaction.commit();
    return id;
  }

  Direction study_direction(int64_t studyId) override {
    Lock lock(*this);
    Transaction transaction(*this, false);
    Direction direction = studyDirection(studyId);
    transaction.commit();
    return direction;
  }

  std::vector<std::string> study_names() override {
    Lock lock(*this);
    Transaction transaction(*this, false);
    Statement select(*this, "SELECT name FROM studies ORDER BY study_id");
    std::vector<std::string> names;
    while (select.step())
      names.push_back(select.text(0));
    transaction.commit();
    return names;
  }

  std::optional<int64_t> start_trial(int64_t studyId,
                                     int64_t maxTrials) override {
    Lock lock(*this);
    Transaction transaction(*this, true);
    studyDirection(studyId);
    if (maxTrials > 0) {
      // Waiting trials are not counted: a re-enqueued trial must still run
      // when the study is one short of the limit.
      Statement count(*this, "SELECT COUNT(*) FROM trials WHERE study_id = ? "
                             "AND state NOT IN ('FAIL', 'WAITING')");
      count.bind(1, studyId).step();
      if (count.integer(0) >= maxTrials) {
        transaction.commit();
        return std::nullopt;
      }
    }
    Statement waiting(*this,
                      "SELECT trial_id FROM trials WHERE study_id = ? AND "
                      "state = 'WAITING' ORDER BY number LIMIT 1");
    waiting.bind(1, studyId);
    int64_t id = waiting.step() ? waiting.integer(0) : addTrial(studyId);
    double time = now();
    Statement start(*this, "UPDATE trials SET state = 'RUNNING', "
                           "datetime_start = ?, heartbeat = ? "
                           "WHERE trial_id = ?");
    start.bind(1, time).bind(2, time).bind(3, id).run();
    transaction.commit();
    return id;
  }

  int64_t enqueue_trial(
      int64_t studyId, const std::map<std::string, double> &params,
      const std::map<std::string, Distribution> &distributions) override {
    checkEnqueued(prefix, params, distributions);
    Lock lock(*this);
    Transaction transaction(*this, true);
    studyDirection(studyId);
    int64_t id = addTrial(studyId);
    for (const auto &[name, value] : params)
      insertParam(id, name, value, distributions.at(name));
    transaction.commit();
    return id;
  }

  void set_param(int64_t trialId, const std::string &name, double value,
                 const Distribution &distribution) override {
    checkParam(prefix, name, value, distribution);
    Lock lock(*this);
    Transaction transaction(*this, true);
    checkUnfinished(trialId, "set_param");
    insertParam(trialId, name, value, distribution);
    transaction.commit();
  }

  void set_intermediate_value(int64_t trialId, int64_t step,
                              double value) override {
    Lock lock(*this);
    Transaction transaction(*this, true);
    checkUnfinished(trialId, "set_intermediate_value");
    Statement insert(*this, "INSERT OR REPLACE INTO trial_values "
                            "(trial_id, step, value) VALUES (?, ?, ?)");
    // NaN goes in as NULL, and comes back as NaN.
    insert.bind(1, trialId).bind(2, step).bind(3, value).run();
    transaction.commit();
  }

  void set_user_attr(int64_t trialId, const std::string &key,
                     const std::string &value) override {
    Lock lock(*this);
    Transaction transaction(*this, true);
    trialState(trialId);
    insertUserAttr(trialId, key, value);
    transaction.commit();
  }

  void finish_trial(int64_t trialId, TrialState state,
                    std::optional<double> value) override {
    checkEndState(prefix, state);
    Lock lock(*this);
    Transaction transaction(*this, true);
    auto [current, number] = trialState(trialId);
    if (current != TrialState::Running)
      throw Error(prefix + "finish_trial: trial " + std::to_string(number) +
                  " is " + to_string(current) + ", not RUNNING");
    Statement update(*this, "UPDATE trials SET state = ?, value = ?, "
                            "datetime_complete = ? WHERE trial_id = ?");
    update.bind(1, to_string(state))
        .bind(2, storedValue(value))
        .bind(3, now())
        .bind(4, trialId)
        .run();
    transaction.commit();
  }

  void heartbeat(int64_t trialId) override {
    Lock lock(*this);
    Transaction transaction(*this, true);
    trialState(trialId);
    Statement update(*this, "UPDATE trials SET heartbeat = ? "
                            "WHERE trial_id = ? AND state = 'RUNNING'");
    update.bind(1, now()).bind(2, trialId).run();
    transaction.commit();
  }

  int64_t fail_stale_trials(int64_t studyId, double graceSeconds) override {
    Lock lock(*this);
    Transaction transaction(*this, true);
    studyDirection(studyId);
    double time = now();
    Statement select(
        *this, "SELECT trial_id, COALESCE(heartbeat, datetime_start, 0) "
               "FROM trials WHERE study_id = ? AND state = 'RUNNING' AND "
               "COALESCE(heartbeat, datetime_start, 0) <= ? ORDER BY number");
    select.bind(1, studyId).bind(2, time - graceSeconds);
    std::vector<std::pair<int64_t, double>> stale;
    while (select.step())
      stale.emplace_back(select.integer(0), select.real(1));
    for (auto [id, last] : stale) {
      Statement fail(*this, "UPDATE trials SET state = 'FAIL', "
                            "datetime_complete = ? WHERE trial_id = ?");
      fail.bind(1, time).bind(2, id).run();
      insertUserAttr(id, "fail_reason", staleReason(time - last));
      int64_t copy = addTrial(studyId);
      Statement params(*this, "INSERT INTO trial_params (trial_id, name, "
                              "value, distribution_json) "
                              "SELECT ?, name, value, distribution_json "
                              "FROM trial_params WHERE trial_id = ?");
      params.bind(1, copy).bind(2, id).run();
    }
    transaction.commit();
    return static_cast<int64_t>(stale.size());
  }

  FrozenTrial get_trial(int64_t trialId) override {
    Lock lock(*this);
    Transaction transaction(*this, false);
    std::vector<FrozenTrial> trials =
        readTrials("t.trial_id = ?", [&](Statement &s) { s.bind(1, trialId); });
    if (trials.empty())
      throw Error(prefix + "no trial with id " + std::to_string(trialId));
    transaction.commit();
    return std::move(trials.front());
  }

  std::vector<FrozenTrial> get_all_trials(int64_t studyId) override {
    Lock lock(*this);
    Transaction transaction(*this, false);
    studyDirection(studyId);
    std::vector<FrozenTrial> trials =
        readTrials("t.study_id = ?", [&](Statement &s) { s.bind(1, studyId); });
    transaction.commit();
    return trials;
  }

private:
  const std::string path;
  const std::string prefix;
  /// One operation at a time on the connection: a transaction is the
  /// connection's, so two threads must not interleave theirs.
  std::mutex mutex;
  sqlite3 *db = nullptr;
  pid_t openedBy = 0;

  /// Holds the mutex and makes sure the connection is open (in this
  /// process).
  class Lock {
  public:
    explicit Lock(SqliteStorage &storage) : lock(storage.mutex) {
      storage.connect();
    }

  private:
    std::lock_guard<std::mutex> lock;
  };

  void connect() {
    if (db && openedBy == getpid())
      return;
    // SQLite's locks are per process: a connection must not be used in a
    // child made by fork() after it was opened (nor closed there, which
    // could disturb the parent's WAL; it is left alone).
    if (db)
      throw Error(prefix + "opened in process " + std::to_string(openedBy) +
                  " and used after fork() in process " +
                  std::to_string(getpid()) +
                  "; open a new storage in the child");
    sqlite3 *opened = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &opened,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      std::string message =
          opened ? sqlite3_errmsg(opened) : sqlite3_errstr(rc);
      sqlite3_close_v2(opened);
      throw Error(prefix + "cannot open: " + message + openHint());
    }
    db = opened;
    openedBy = getpid();
    try {
      sqlite3_busy_timeout(db, 60000);
      // The first statement to read the file: one that is not a database
      // fails here.
      std::string mode;
      auto keepMode = [](void *out, int, char **values, char **) {
        *static_cast<std::string *>(out) = values[0] ? values[0] : "";
        return 0;
      };
      if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", keepMode, &mode,
                       nullptr) != SQLITE_OK)
        fail("cannot open");
      if (mode != "wal")
        throw Error(prefix + "cannot open: journal mode WAL is not " +
                    "available (got '" + mode + "')");
      exec("PRAGMA synchronous = NORMAL", "cannot open");
      exec("PRAGMA foreign_keys = ON", "cannot open");
      createSchema();
    } catch (const Error &error) {
      sqlite3_close_v2(db);
      db = nullptr;
      throw Error(error.what() + openHint());
    }
  }

  /// Why the file may not open: " (the directory D is not writable)",
  /// "... does not exist)", " (it is a directory)"; SQLite's own message
  /// ("unable to open database file") does not say.
  std::string openHint() const {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty())
      dir = ".";
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored))
      return " (it is a directory)";
    if (!std::filesystem::is_directory(dir, ignored))
      return " (the directory " + dir.string() + " does not exist)";
    if (access(dir.c_str(), W_OK) != 0)
      return " (the directory " + dir.string() + " is not writable)";
    return "";
  }

  void createSchema() {
    Transaction transaction(*this, true);
    Statement version(*this, "PRAGMA user_version");
    version.step();
    int64_t found = version.integer(0);
    if (found == kSchemaVersion) {
      transaction.commit();
      return;
    }
    if (found != 0)
      throw Error(prefix + "cannot open: schema version " +
                  std::to_string(found) + " is not the supported " +
                  std::to_string(kSchemaVersion));
    Statement tables(*this, "SELECT COUNT(*) FROM sqlite_master");
    tables.step();
    if (tables.integer(0) != 0)
      throw Error(prefix + "cannot open: an SQLite database, but not one of "
                           "dlc::tune");
    exec(kSchema, "cannot create the tables");
    exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str(),
         "cannot create the tables");
    transaction.commit();
  }

  Direction studyDirection(int64_t studyId) {
    Statement select(*this, "SELECT direction FROM studies WHERE study_id = ?");
    select.bind(1, studyId);
    if (!select.step())
      throw Error(prefix + "no study with id " + std::to_string(studyId));
    return select.text(0) == "MAXIMIZE" ? Direction::Maximize
                                        : Direction::Minimize;
  }

  /// The trial's state and number.
  std::pair<TrialState, int64_t> trialState(int64_t trialId) {
    Statement select(*this,
                     "SELECT state, number FROM trials WHERE trial_id = ?");
    select.bind(1, trialId);
    if (!select.step())
      throw Error(prefix + "no trial with id " + std::to_string(trialId));
    return {trial_state_from_string(select.text(0)), select.integer(1)};
  }

  void checkUnfinished(int64_t trialId, const char *what) {
    auto [state, number] = trialState(trialId);
    if (state == TrialState::Complete || state == TrialState::Pruned ||
        state == TrialState::Fail)
      throw Error(prefix + what + ": trial " + std::to_string(number) +
                  " is already " + to_string(state));
  }

  /// A Waiting trial with the study's next number; inside a write
  /// transaction.
  int64_t addTrial(int64_t studyId) {
    Statement insert(*this,
                     "INSERT INTO trials (study_id, number, state) "
                     "SELECT ?1, COALESCE(MAX(number) + 1, 0), 'WAITING' "
                     "FROM trials WHERE study_id = ?1");
    insert.bind(1, studyId).run();
    return sqlite3_last_insert_rowid(db);
  }

  void insertParam(int64_t trialId, const std::string &name, double value,
                   const Distribution &distribution) {
    Statement insert(*this, "INSERT OR REPLACE INTO trial_params "
                            "(trial_id, name, value, distribution_json) "
                            "VALUES (?, ?, ?, ?)");
    insert.bind(1, trialId)
        .bind(2, name)
        .bind(3, value)
        .bind(4, distribution.to_json())
        .run();
  }

  void insertUserAttr(int64_t trialId, const std::string &key,
                      const std::string &value) {
    Statement insert(*this, "INSERT OR REPLACE INTO trial_user_attrs "
                            "(trial_id, key, value) VALUES (?, ?, ?)");
    insert.bind(1, trialId).bind(2, key).bind(3, value).run();
  }

  /// The trials `t` for which `where` holds (its parameters bound by
  /// `bind`), by number, with their params, values and attributes.
  template <typename Bind>
  std::vector<FrozenTrial> readTrials(const std::string &where, Bind bind) {
    std::vector<FrozenTrial> trials;
    std::unordered_map<int64_t, size_t> index;
    Statement select(*this, ("SELECT t.trial_id, t.number, t.state, t.value, "
                             "t.datetime_start, t.datetime_complete "
                             "FROM trials t WHERE " +
                             where + " ORDER BY t.number")
                                .c_str());
    bind(select);
    while (select.step()) {
      FrozenTrial t;
      t.id = select.integer(0);
      t.number = select.integer(1);
      t.state = trial_state_from_string(select.text(2));
      t.value = select.optionalReal(3);
      t.datetime_start = select.null(4) ? 0 : select.real(4);
      t.datetime_complete = select.optionalReal(5);
      index[t.id] = trials.size();
      trials.push_back(std::move(t));
    }
    if (trials.empty())
      return trials;

    Statement params(*this, ("SELECT p.trial_id, p.name, p.value, "
                             "p.distribution_json FROM trial_params p "
                             "JOIN trials t ON t.trial_id = p.trial_id WHERE " +
                             where)
                                .c_str());
    bind(params);
    while (params.step()) {
      FrozenTrial &t = trials[index.at(params.integer(0))];
      std::string name = params.text(1);
      t.params[name] = params.real(2);
      t.distributions[name] = Distribution::from_json(params.text(3));
    }

    Statement values(*this, ("SELECT v.trial_id, v.step, v.value "
                             "FROM trial_values v "
                             "JOIN trials t ON t.trial_id = v.trial_id WHERE " +
                             where)
                                .c_str());
    bind(values);
    while (values.step())
      trials[index.at(values.integer(0))]
          .intermediate_values[values.integer(1)] =
          values.null(2) ? std::nan("") : values.real(2);

    Statement attrs(*this, ("SELECT a.trial_id, a.key, a.value "
                            "FROM trial_user_attrs a "
                            "JOIN trials t ON t.trial_id = a.trial_id WHERE " +
                            where)
                               .c_str());
    bind(attrs);
    while (attrs.step())
      trials[index.at(attrs.integer(0))].user_attrs[attrs.text(1)] =
          attrs.text(2);
    return trials;
  }
};

Statement::Statement(SqliteStorage &storage, const char *sql)
    : storage(storage) {
  if (sqlite3_prepare_v2(storage.handle(), sql, -1, &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
    storage.fail(std::string("cannot prepare '") + sql + "'");
  }
}

bool Statement::step() {
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  storage.fail("cannot run '" + std::string(sqlite3_sql(stmt)) + "'");
}

Statement &Statement::check(int rc) {
  if (rc != SQLITE_OK)
    storage.fail("cannot bind a value of '" + std::string(sqlite3_sql(stmt)) +
                 "'");
  return *this;
}

Transaction::Transaction(SqliteStorage &storage, bool write)
    : storage(storage) {
  storage.exec(write ? "BEGIN IMMEDIATE" : "BEGIN", "cannot begin");
}

Transaction::~Transaction() {
  if (open)
    sqlite3_exec(storage.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  storage.exec("COMMIT", "cannot commit");
  open = false;
}

} // namespace

std::shared_ptr<Storage> make_in_memory_storage() {
  return std::make_shared<InMemoryStorage>();
}

std::shared_ptr<Storage> make_sqlite_storage(const std::string &path) {
  if (path.empty())
    throw Error("tune: sqlite storage: expected a file path, got \"\"");
  return std::make_shared<SqliteStorage>(path);
}

} // namespace dlc::tune
