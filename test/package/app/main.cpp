// A LibTorch-style program using only the installed <dlc/dlc.h>.
#include <dlc/dlc.h>

#include <iostream>

int main() {
  dlc::Tensor x = dlc::tensor({{1.0, 2.0}, {3.0, 4.0}});
  dlc::Tensor w = dlc::ones({2, 3}, dlc::kFloat32);
  dlc::Tensor y = dlc::relu(dlc::matmul(x, w) - 4).sum();
  std::cout << "sum = " << y.item<float>() << "\n";
  try {
    dlc::matmul(w, w);
  } catch (const dlc::Error &error) {
    std::cout << "error: " << error.what() << "\n";
  }
  return 0;
}
