//===- dlc-train.cpp - Train a CTR model on a dataset ---------------------===//
//
// dlc-train --model deepfm --data criteo:data/criteo-kaggle-sample
//
// See `dlc-train --help` and Train.h.
//
//===----------------------------------------------------------------------===//

#include "Train.h"

#include <iostream>

int main(int argc, char **argv) {
  using namespace dlc;
  try {
    tools::TrainArgs args =
        tools::parseArgs(std::vector<std::string>(argv + 1, argv + argc));
    if (args.help) {
      std::cout << tools::usage();
      return 0;
    }
    tools::train_model(args);
    return 0;
  } catch (const std::exception &error) {
    std::string message = error.what();
    if (!dynamic_cast<const Error *>(&error))
      message = "dlc-train: " + message;
    // One process of several: end them all rather than leave them waiting
    // in the next collective.
    if (distributed::get_world_size() > 1)
      distributed::abort(message, 1);
    std::cerr << message << "\n";
    return 1;
  }
}
