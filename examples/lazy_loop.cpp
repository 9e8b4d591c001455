// A LibTorch-style loop on dlc: every op records a node, each item() runs
// the pending graph, and the graph compiles once and hits the cache after.
#include <dlc/dlc.h>

#include <iostream>

int main() {
  dlc::manual_seed(0);
  dlc::Tensor w = dlc::randn({64, 16}) * 0.1;
  dlc::Tensor b = dlc::zeros({16});
  dlc::sync(); // the parameters, computed once
  dlc::reset_stats();

  float total = 0;
  for (int step = 0; step < 100; ++step) {
    dlc::Tensor x = dlc::rand({32, 64});
    dlc::Tensor probs = dlc::softmax(dlc::relu(dlc::matmul(x, w) + b), 1);
    // The largest probability of the first example: realizes the step.
    total += probs[0].max().item<float>();
  }
  std::cout << "mean of the first example's top probability over 100 steps: "
            << total / 100 << "\n\n"
            << dlc::stats();
  return 0;
}
