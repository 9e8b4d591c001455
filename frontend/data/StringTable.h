//===- StringTable.h - Interned strings in one arena ----------------------===//
//
// dlc-internal (used by Vocabulary and the CSV reader). An open-addressing
// hash table of strings kept back to back in one buffer: interning the
// fields of a large file costs no allocation per field.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_STRINGTABLE_H
#define DLC_FRONTEND_DATA_STRINGTABLE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::data::detail {

/// Strings numbered 0, 1, ... in the order they were first added.
class StringTable {
public:
  /// The number of `text`, adding it if it is new (`added` says so).
  uint32_t intern(std::string_view text, bool &added);
  /// The number of `text`, or -1 if it is not in the table.
  int64_t find(std::string_view text) const;

  std::string_view at(size_t index) const {
    size_t begin = index == 0 ? 0 : ends[index - 1];
    return std::string_view(chars).substr(begin, ends[index] - begin);
  }
  size_t size() const { return ends.size(); }
  void reserve(size_t count);

  static uint64_t hash(std::string_view text);

private:
  void rehash(size_t slotCount);

  std::string chars;
  std::vector<uint64_t> ends;
  std::vector<uint64_t> hashes;
  /// index + 1 of the string in each slot; 0 for an empty slot. The size is
  /// a power of two, at most 3/4 full.
  std::vector<uint32_t> slots;
};

} // namespace dlc::data::detail

#endif // DLC_FRONTEND_DATA_STRINGTABLE_H
