//===- StringTable.cpp - Interned strings in one arena --------------------===//

#include "frontend/data/StringTable.h"

#include "runtime/Error.h"

#include <cstring>

namespace dlc::data::detail {

uint64_t StringTable::hash(std::string_view text) {
  // Eight bytes at a time, each word mixed by a multiply (field values such
  // as Criteo's 8-hex-digit hashes are one word).
  const char *p = text.data();
  size_t n = text.size();
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xc2b2ae3d27d4eb4full);
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = (h ^ word) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, n);
    h = (h ^ word) * 0xff51afd7ed558ccdull;
  }
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

void StringTable::reserve(size_t count) {
  ends.reserve(count);
  hashes.reserve(count);
  size_t slotCount = 16;
  while (slotCount * 3 < count * 4)
    slotCount *= 2;
  if (slotCount > slots.size())
    rehash(slotCount);
}

void StringTable::rehash(size_t slotCount) {
  slots.assign(slotCount, 0);
  size_t mask = slotCount - 1;
  for (size_t i = 0; i < hashes.size(); ++i) {
    size_t slot = hashes[i] & mask;
    while (slots[slot] != 0)
      slot = (slot + 1) & mask;
    slots[slot] = static_cast<uint32_t>(i + 1);
  }
}

int64_t StringTable::find(std::string_view text) const {
  if (slots.empty())
    return -1;
  uint64_t h = hash(text);
  size_t mask = slots.size() - 1;
  for (size_t slot = h & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
    uint32_t index = slots[slot] - 1;
    if (hashes[index] == h && at(index) == text)
      return index;
  }
  return -1;
}

uint32_t StringTable::intern(std::string_view text, bool &added) {
  if ((ends.size() + 1) * 4 > slots.size() * 3)
    rehash(slots.empty() ? 16 : slots.size() * 2);
  uint64_t h = hash(text);
  size_t mask = slots.size() - 1;
  size_t slot = h & mask;
  for (; slots[slot] != 0; slot = (slot + 1) & mask) {
    uint32_t index = slots[slot] - 1;
    if (hashes[index] == h && at(index) == text) {
      added = false;
      return index;
    }
  }
  if (ends.size() >= UINT32_MAX - 1)
    throw Error("StringTable: more than 4 billion distinct values");
  chars.append(text);
  ends.push_back(chars.size());
  hashes.push_back(h);
  uint32_t index = static_cast<uint32_t>(ends.size() - 1);
  slots[slot] = index + 1;
  added = true;
  return index;
}

} // namespace dlc::data::detail
