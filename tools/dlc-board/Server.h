//===- Server.h - dlc-board's HTTP server ---------------------------------===//
//
// One page and its JSON API (API.md) over cpp-httplib. The page's files
// are compiled into the program (Assets.h); no path from a request reaches
// the file system. Bound to 127.0.0.1 unless told otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BOARD_SERVER_H
#define DLC_TOOLS_DLC_BOARD_SERVER_H

#include <cstddef>
#include <memory>
#include <string>

namespace dlc::board {

struct ServerOptions {
  /// Where the runs are (empty: no runs).
  std::string logdir;
  /// The dlc::tune SQLite file of the studies (empty: no studies).
  std::string storage;
  /// The checkpoint to predict with (empty: no predictions) and its model
  /// card (empty: model.json beside the checkpoint).
  std::string checkpoint;
  std::string card;
  std::string host = "127.0.0.1";
  /// 0: any free port (bind() tells which).
  int port = 8080;
  /// Bodies larger than this are answered 413.
  size_t max_body = 1 << 20;
};

class Server {
public:
  /// Opens the storage and loads the checkpoint. Throws dlc::Error naming
  /// the flag and the file when one is missing or unreadable.
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  /// Binds the socket; returns the port. Throws dlc::Error when it cannot.
  int bind();
  /// Serves until stop() (from another thread or a signal handler's
  /// thread).
  void listen();
  void stop();

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace dlc::board

#endif // DLC_TOOLS_DLC_BOARD_SERVER_H
