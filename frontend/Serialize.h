//===- Serialize.h - Checkpoints: dlc::save and dlc::load -----------------===//
//
// As torch::save / torch::load, in the safetensors format (readable by
// other safetensors tools): a module's parameters and buffers under their
// dotted names ("fc1.weight"), tensors under "0", "1", ... or their names,
// an optimizer's state under "<group>.<index>.<name>". Files are written
// atomically; a file that does not match what it is loaded into (a missing
// or unexpected name, another shape or dtype) is a dlc::Error naming the
// tensor, and nothing is changed.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_SERIALIZE_H
#define DLC_FRONTEND_SERIALIZE_H

#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"
#include "frontend/optim/Optimizer.h"

#include <map>
#include <string>
#include <vector>

namespace dlc {

void save(const nn::Module &module, const std::string &path);
template <typename Impl>
void save(const nn::ModuleHolder<Impl> &module, const std::string &path) {
  save(*module, path);
}
void save(const std::vector<Tensor> &tensors, const std::string &path);
void save(const std::map<std::string, Tensor> &tensors,
          const std::string &path);
void save(const optim::Optimizer &optimizer, const std::string &path);

/// Loads into the module's parameters and buffers (all of them, and
/// nothing else, must be in the file).
void load(nn::Module &module, const std::string &path);
template <typename Impl>
void load(nn::ModuleHolder<Impl> &module, const std::string &path) {
  load(*module, path);
}
void load(std::vector<Tensor> &tensors, const std::string &path);
void load(std::map<std::string, Tensor> &tensors, const std::string &path);
void load(optim::Optimizer &optimizer, const std::string &path);

} // namespace dlc

#endif // DLC_FRONTEND_SERIALIZE_H
