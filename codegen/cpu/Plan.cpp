//===- Plan.cpp - Serializing CPU plans -----------------------------------===//

#include "codegen/cpu/Plan.h"
#include "runtime/Error.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

namespace mlir::dlc::cpu {

RunMemory bindStorages(const Plan &plan,
                       std::vector<::dlc::rt::BufferPtr> &inputs,
                       ::dlc::Device device,
                       const std::vector<char *> &constants, const char *who) {
  namespace rt = ::dlc::rt;
  if (static_cast<int32_t>(inputs.size()) != plan.numInputs)
    throw ::dlc::Error(std::string(who) + ": expected " +
                       std::to_string(plan.numInputs) + " inputs, got " +
                       std::to_string(inputs.size()));
  auto sameDevice = [](::dlc::Device a, ::dlc::Device b) {
    return a.type() == b.type() &&
           std::max<int>(a.index(), 0) == std::max<int>(b.index(), 0);
  };
  RunMemory memory;
  if (plan.workspaceBytes > 0)
    memory.workspace =
        rt::Buffer::allocate(static_cast<size_t>(plan.workspaceBytes), device);
  memory.outputs.resize(plan.outputs.size());
  memory.bases.assign(plan.storages.size(), nullptr);
  for (size_t s = 0; s < plan.storages.size(); ++s) {
    const Storage &storage = plan.storages[s];
    switch (storage.kind) {
    case StorageKind::Input: {
      const rt::BufferPtr &input = inputs[storage.index];
      if (!input || static_cast<int64_t>(input->size()) < storage.bytes)
        throw ::dlc::Error(std::string(who) + ": input " +
                           std::to_string(storage.index) +
                           " holds fewer bytes than its type needs (" +
                           std::to_string(storage.bytes) + ")");
      if (!sameDevice(input->device(), device))
        throw ::dlc::Error(std::string(who) + ": input " +
                           std::to_string(storage.index) + " is on " +
                           input->device().str() + ", the program runs on " +
                           device.str());
      memory.bases[s] = static_cast<char *>(input->data());
      break;
    }
    case StorageKind::Constant:
      memory.bases[s] = constants[s];
      break;
    case StorageKind::Temp:
      memory.bases[s] =
          memory.workspace
              ? static_cast<char *>(memory.workspace->data()) + storage.offset
              : nullptr;
      break;
    case StorageKind::Output:
      break; // below, once every input is known
    }
  }
  for (size_t s = 0; s < plan.storages.size(); ++s) {
    const Storage &storage = plan.storages[s];
    if (storage.kind != StorageKind::Output)
      continue;
    // An input the caller gave up, that the plan allows to overwrite.
    rt::BufferPtr &out = memory.outputs[storage.index];
    for (int32_t donor : storage.donors) {
      rt::BufferPtr &in = inputs[donor];
      if (in && in.use_count() == 1 && !in->isBorrowed() &&
          static_cast<int64_t>(in->size()) >= storage.bytes) {
        out = std::move(in);
        ++memory.donations;
        break;
      }
    }
    if (!out)
      out = rt::Buffer::allocate(static_cast<size_t>(storage.bytes), device);
    memory.bases[s] = static_cast<char *>(out->data());
  }
  return memory;
}

std::vector<::dlc::rt::BufferPtr> runResults(const Plan &plan,
                                             const RunMemory &memory) {
  std::vector<::dlc::rt::BufferPtr> results;
  results.reserve(plan.outputs.size());
  for (int32_t slot : plan.outputs)
    results.push_back(
        memory.outputs[plan.storages[plan.slots[slot].storage].index]);
  return results;
}

int64_t numel(const Slot &slot) {
  return product(slot.shape, 0, slot.shape.size());
}

int64_t product(const std::vector<int64_t> &shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d)
    n *= shape[d];
  return n;
}

int64_t slotBytes(const Slot &slot) {
  return numel(slot) * static_cast<int64_t>(::dlc::elementSize(slot.type));
}

namespace {

class Writer {
public:
  template <typename T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void put(T value) {
    const auto *p = reinterpret_cast<const uint8_t *>(&value);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void put(const std::string &text) {
    put<uint64_t>(text.size());
    bytes.insert(bytes.end(), text.begin(), text.end());
  }
  template <typename T>
  void put(const std::vector<T> &values) {
    put<uint64_t>(values.size());
    if constexpr (std::is_arithmetic_v<T>) {
      const auto *p = reinterpret_cast<const uint8_t *>(values.data());
      bytes.insert(bytes.end(), p, p + values.size() * sizeof(T));
    } else {
      for (const T &v : values)
        put(v);
    }
  }
  std::vector<uint8_t> bytes;
};

class Reader {
public:
  Reader(const uint8_t *data, size_t size) : data(data), size(size) {}
  bool ok() const { return good; }
  bool atEnd() const { return position == size; }

  template <typename T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void get(T &value) {
    if (!good || size - position < sizeof(T)) {
      good = false;
      value = T();
      return;
    }
    std::memcpy(&value, data + position, sizeof(T));
    position += sizeof(T);
  }
  void get(std::string &text) {
    uint64_t n = count(1);
    if (!good)
      return;
    text.assign(reinterpret_cast<const char *>(data + position), n);
    position += n;
  }
  template <typename T>
  void get(std::vector<T> &values) {
    values.clear();
    if constexpr (std::is_arithmetic_v<T>) {
      uint64_t n = count(sizeof(T));
      values.resize(n);
      if (n)
        std::memcpy(values.data(), data + position, n * sizeof(T));
      position += n * sizeof(T);
    } else {
      uint64_t n = count(1);
      for (uint64_t i = 0; good && i < n; ++i) {
        values.emplace_back();
        get(values.back());
      }
    }
  }

private:
  /// A count of items of at least `minBytes` each that must fit in what is
  /// left.
  uint64_t count(size_t minBytes) {
    uint64_t n = 0;
    get(n);
    if (good && n > (size - position) / minBytes)
      good = false;
    return good ? n : 0;
  }

  const uint8_t *data;
  size_t size;
  size_t position = 0;
  bool good = true;
};

void write(Writer &w, const Storage &s) {
  w.put(s.kind);
  w.put(s.index);
  w.put(s.offset);
  w.put(s.bytes);
  w.put(s.data);
  w.put(s.donors);
}
void read(Reader &r, Storage &s) {
  r.get(s.kind);
  r.get(s.index);
  r.get(s.offset);
  r.get(s.bytes);
  r.get(s.data);
  r.get(s.donors);
}
void write(Writer &w, const Slot &s) {
  w.put(s.type);
  w.put(s.shape);
  w.put(s.storage);
}
void read(Reader &r, Slot &s) {
  r.get(s.type);
  r.get(s.shape);
  r.get(s.storage);
}
void write(Writer &w, const Step &s) {
  w.put(s.kind);
  w.put(s.symbol);
  w.put(s.slots);
  w.put(s.iterations);
  w.put(s.grain);
  w.put(s.attr);
  w.put(s.ints);
  w.put(s.op);
  w.put(s.constant);
  w.put(static_cast<uint8_t>(s.splat));
  w.put(s.where);
}
void read(Reader &r, Step &s) {
  uint8_t splat = 0;
  r.get(s.kind);
  r.get(s.symbol);
  r.get(s.slots);
  r.get(s.iterations);
  r.get(s.grain);
  r.get(s.attr);
  r.get(s.ints);
  r.get(s.op);
  r.get(s.constant);
  r.get(splat);
  r.get(s.where);
  s.splat = splat != 0;
}

/// Whether indices, kinds and sizes in `plan` are consistent, so that running
/// it cannot read or write outside its buffers.
bool validate(const Plan &plan) {
  int64_t numStorages = static_cast<int64_t>(plan.storages.size());
  int64_t numSlots = static_cast<int64_t>(plan.slots.size());
  for (const Storage &s : plan.storages) {
    if (static_cast<uint8_t>(s.kind) >
            static_cast<uint8_t>(StorageKind::Output) ||
        s.bytes < 0 || s.offset < 0)
      return false;
    if (s.kind == StorageKind::Temp && s.offset + s.bytes > plan.workspaceBytes)
      return false;
    if (s.kind == StorageKind::Constant &&
        static_cast<int64_t>(s.data.size()) != s.bytes)
      return false;
    if (s.kind == StorageKind::Input &&
        (s.index < 0 || s.index >= plan.numInputs))
      return false;
    if (!s.donors.empty() && s.kind != StorageKind::Output)
      return false;
    for (int32_t donor : s.donors)
      if (donor < 0 || donor >= plan.numInputs)
        return false;
  }
  for (const Slot &slot : plan.slots) {
    if (slot.storage < 0 || slot.storage >= numStorages ||
        static_cast<uint8_t>(slot.type) > static_cast<uint8_t>(::dlc::kDouble))
      return false;
    for (int64_t d : slot.shape)
      if (d < 0 || d > (int64_t(1) << 40))
        return false;
    if (slotBytes(slot) > plan.storages[slot.storage].bytes)
      return false;
  }
  for (size_t index = 0; index < plan.steps.size(); ++index) {
    const Step &step = plan.steps[index];
    if (static_cast<uint8_t>(step.kind) >
            static_cast<uint8_t>(StepKind::AllReduceWait) ||
        step.grain < 1 || step.iterations < 0)
      return false;
    for (int32_t slot : step.slots)
      if (slot < 0 || slot >= numSlots)
        return false;
    // What each kind of step reads from its slots and ints.
    size_t slots = step.slots.size();
    switch (step.kind) {
    case StepKind::Kernel:
    case StepKind::PartialKernel:
    case StepKind::Reference:
      if (slots < 1 ||
          (step.kind != StepKind::Reference && step.symbol.empty()))
        return false;
      break;
    case StepKind::Combine:
    case StepKind::Copy:
      if (slots != 2)
        return false;
      break;
    case StepKind::Gemm:
      if (step.ints.size() != 8 ||
          slots != static_cast<size_t>(3 + (step.ints[7] != 0)))
        return false;
      break;
    case StepKind::Gather:
      if (slots != 3)
        return false;
      break;
    case StepKind::ScatterAdd:
      if (slots != 4)
        return false;
      break;
    case StepKind::Concat:
      if (slots < 2)
        return false;
      break;
    case StepKind::Fill:
      if (slots != 1 || step.constant.empty() ||
          step.constant.size() !=
              ::dlc::elementSize(plan.slots[step.slots[0]].type))
        return false;
      break;
    case StepKind::AllReduceStart: {
      if (slots < 2 || slots % 2 != 0 || step.attr < 0 || step.attr > 3)
        return false;
      size_t n = slots / 2;
      for (size_t i = 0; i < n; ++i) {
        const Slot &in = plan.slots[step.slots[i]];
        const Slot &out = plan.slots[step.slots[n + i]];
        if (in.type != out.type || in.shape != out.shape ||
            in.type != plan.slots[step.slots[0]].type)
          return false;
      }
      break;
    }
    case StepKind::AllReduceWait:
      if (slots < 1 || step.attr < 0 ||
          step.attr >= static_cast<int64_t>(index) ||
          plan.steps[step.attr].kind != StepKind::AllReduceStart)
        return false;
      break;
    }
  }
  for (int32_t slot : plan.outputs)
    if (slot < 0 || slot >= numSlots)
      return false;
  return plan.numInputs >= 0 && plan.workspaceBytes >= 0;
}

} // namespace

std::vector<uint8_t> serialize(const Plan &plan) {
  Writer w;
  w.put<uint64_t>(plan.storages.size());
  for (const Storage &s : plan.storages)
    write(w, s);
  w.put<uint64_t>(plan.slots.size());
  for (const Slot &s : plan.slots)
    write(w, s);
  w.put<uint64_t>(plan.steps.size());
  for (const Step &s : plan.steps)
    write(w, s);
  w.put(plan.numInputs);
  w.put(plan.outputs);
  w.put(plan.workspaceBytes);
  return std::move(w.bytes);
}

bool deserialize(const uint8_t *data, size_t size, Plan &plan) {
  Reader r(data, size);
  auto readList = [&](auto &list) {
    uint64_t n = 0;
    r.get(n);
    if (n > size)
      return false;
    list.resize(n);
    for (auto &item : list)
      read(r, item);
    return r.ok();
  };
  plan = Plan();
  if (!readList(plan.storages) || !readList(plan.slots) ||
      !readList(plan.steps))
    return false;
  r.get(plan.numInputs);
  r.get(plan.outputs);
  r.get(plan.workspaceBytes);
  return r.ok() && r.atEnd() && validate(plan);
}

} // namespace mlir::dlc::cpu
