//===- Args.cpp - dlc-board's command line --------------------------------===//

#include "Args.h"

#include <dlc/dlc.h>

#include <charconv>
#include <functional>
#include <map>

namespace dlc::board {

std::string usage() {
  return R"(dlc-board: look at runs, tuning studies and a model's predictions in a browser

usage: dlc-board [--logdir DIR] [--storage FILE] [--checkpoint FILE] [flags]

  --logdir DIR         runs: every directory under DIR with a fit() history
                       (history.json / history.csv) or TensorBoard event
                       files, e.g. dlc-train's --out directories
  --storage FILE       the dlc::tune SQLite study file (dlc-tune's
                       OUT/study.db): trials, best parameters, importances
  --checkpoint FILE    a checkpoint to score examples with (dlc-train's
                       OUT/best.safetensors); its model card is the
                       model.json beside it
  --model-card FILE    another model card for --checkpoint
  --host ADDRESS       the address to listen on (127.0.0.1: this machine
                       only; 0.0.0.0 exposes the page to the network)
  --port N             the port (8080; 0 picks a free one)
  --max-body BYTES     larger request bodies are refused with 413 (1048576)
  --help               this text

The page is at http://HOST:PORT/; its JSON API at /api/runs, /api/studies,
/api/model and POST /api/predict (see tools/dlc-board/API.md).
)";
}

namespace {

[[noreturn]] void fail(const std::string &what) {
  throw Error("dlc-board: " + what);
}

int64_t integer(const std::string &flag, const std::string &value, int64_t low,
                int64_t high) {
  int64_t n = 0;
  auto [end, error] =
      std::from_chars(value.data(), value.data() + value.size(), n);
  if (error != std::errc() || end != value.data() + value.size() || n < low ||
      n > high)
    fail(flag + " expects an integer from " + std::to_string(low) + " to " +
         std::to_string(high) + ", not '" + value + "'");
  return n;
}

} // namespace

BoardArgs parseArgs(const std::vector<std::string> &args) {
  BoardArgs a;
  ServerOptions &s = a.server;
  using Setter = std::function<void(const std::string &, const std::string &)>;
  const std::map<std::string, Setter> flags = {
      {"--logdir", [&](auto &, auto &v) { s.logdir = v; }},
      {"--storage", [&](auto &, auto &v) { s.storage = v; }},
      {"--checkpoint", [&](auto &, auto &v) { s.checkpoint = v; }},
      {"--model-card", [&](auto &, auto &v) { s.card = v; }},
      {"--host", [&](auto &, auto &v) { s.host = v; }},
      {"--port",
       [&](auto &f, auto &v) {
         s.port = static_cast<int>(integer(f, v, 0, 65535));
       }},
      {"--max-body",
       [&](auto &f, auto &v) {
         s.max_body = static_cast<size_t>(integer(f, v, 1, int64_t{1} << 30));
       }},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--help" || arg == "-h") {
      a.help = true;
      return a;
    }
    std::string flag = arg, value;
    bool inlineValue = false;
    if (size_t eq = arg.find('=');
        arg.starts_with("--") && eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inlineValue = true;
    }
    auto it = flags.find(flag);
    if (it == flags.end())
      fail("unknown flag '" + flag + "' (see dlc-board --help)");
    if (!inlineValue) {
      if (i + 1 >= args.size())
        fail(flag + " needs a value");
      value = args[++i];
    }
    if (value.empty())
      fail(flag + " needs a non-empty value");
    it->second(flag, value);
  }
  if (s.logdir.empty() && s.storage.empty() && s.checkpoint.empty())
    fail("nothing to show: give --logdir, --storage or --checkpoint (see "
         "dlc-board --help)");
  if (!s.card.empty() && s.checkpoint.empty())
    fail("--model-card needs --checkpoint");
  return a;
}

} // namespace dlc::board
