//===- dlc-board.cpp - Runs, studies and predictions in a browser ---------===//
//
// dlc-board --logdir runs/ --storage study.db --checkpoint best.safetensors
//
// See `dlc-board --help`, Server.h and API.md.
//
//===----------------------------------------------------------------------===//

#include "Args.h"
#include "Server.h"

#include <dlc/dlc.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include <pthread.h>

int main(int argc, char **argv) {
  using namespace dlc;
  try {
    board::BoardArgs args =
        board::parseArgs(std::vector<std::string>(argv + 1, argv + argc));
    if (args.help) {
      std::cout << board::usage();
      return 0;
    }
    // Ctrl-C and SIGTERM end the server cleanly: a thread waits for them
    // (blocked in every thread, so none of the server's gets them).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    board::Server server(args.server);
    int port = server.bind();
    std::thread waiter([&] {
      int signal = 0;
      sigwait(&signals, &signal);
      server.stop();
    });
    waiter.detach();
    const board::ServerOptions &o = args.server;
    std::printf("dlc-board: serving http://%s:%d/", o.host.c_str(), port);
    if (!o.logdir.empty())
      std::printf(" (runs: %s", o.logdir.c_str());
    if (!o.storage.empty())
      std::printf("%sstudies: %s", o.logdir.empty() ? " (" : "; ",
                  o.storage.c_str());
    if (!o.checkpoint.empty())
      std::printf("%smodel: %s",
                  o.logdir.empty() && o.storage.empty() ? " (" : "; ",
                  o.checkpoint.c_str());
    std::printf(")\n");
    std::fflush(stdout);
    server.listen();
    return 0;
  } catch (const Error &error) {
    std::cerr << error.what() << "\n";
    return 1;
  } catch (const std::exception &error) {
    std::cerr << "dlc-board: " << error.what() << "\n";
    return 1;
  }
}
