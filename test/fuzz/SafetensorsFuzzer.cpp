//===- SafetensorsFuzzer.cpp - Fuzz the safetensors reader ----------------===//
//
// Checkpoints are files users download: any bytes must give tensors or a
// dlc::Error, never a crash, a read out of bounds or a huge allocation.
//
//===----------------------------------------------------------------------===//

#include "runtime/Error.h"
#include "runtime/Safetensors.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::map<std::string, std::string> metadata;
  try {
    std::vector<dlc::rt::SafetensorsTensor> tensors =
        dlc::rt::parseSafetensors(data, size, "fuzz.safetensors", &metadata);
    // Touch what was read, so that a bad view into the input is seen.
    size_t sum = 0;
    for (const auto &tensor : tensors)
      sum += tensor.name.size();
    (void)sum;
  } catch (const dlc::Error &) {
  }
  return 0;
}
