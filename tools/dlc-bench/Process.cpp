//===- Process.cpp - Running a child process and reading its output -------===//

#include "Process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <stdexcept>

extern char **environ;

namespace dlcbench {

std::string selfPath() {
  char buffer[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0)
    return {};
  return std::string(buffer, static_cast<size_t>(n));
}

bool runProcess(const std::vector<std::string> &argv, const EnvChanges &env,
                std::string &output, std::string &error) {
  // Everything the child needs is built before fork(): between fork and exec
  // a multithreaded process may only make async-signal-safe calls.
  std::vector<std::string> envStrings;
  for (char **e = environ; *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool drop = false;
    for (const std::string &u : env.unset)
      drop = drop || u == name;
    for (const auto &[k, v] : env.set)
      drop = drop || k == name;
    if (!drop)
      envStrings.push_back(std::move(entry));
  }
  for (const auto &[k, v] : env.set)
    envStrings.push_back(k + "=" + v);
  std::vector<char *> envp;
  for (std::string &s : envStrings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char *> argp;
  for (std::string &s : args)
    argp.push_back(s.data());
  argp.push_back(nullptr);

  int fds[2];
  if (pipe(fds) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execve(argp[0], argp.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  output.clear();
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n > 0)
      output.append(buffer, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return true;
  if (WIFEXITED(status))
    error =
        argv[0] + " exited with status " + std::to_string(WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    error =
        argv[0] + " was killed by signal " + std::to_string(WTERMSIG(status));
  else
    error = argv[0] + " failed";
  return false;
}

Record runRecordProcess(const std::vector<std::string> &argv,
                        const EnvChanges &env, const std::string &what) {
  std::string output, error;
  bool ok = runProcess(argv, env, output, error);
  std::optional<Record> record;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    std::string line = output.substr(start, end - start);
    if (!line.empty() && line[0] == '{')
      record = parseRecord(line);
    start = end == std::string::npos ? output.size() : end + 1;
  }
  if (!ok)
    throw std::runtime_error(what + ": " + error);
  if (!record)
    throw std::runtime_error(what + " printed no record");
  return *record;
}

} // namespace dlcbench
