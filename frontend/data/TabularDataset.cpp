//===- TabularDataset.cpp - Batches of parsed rows ------------------------===//

#include "frontend/data/TabularDataset.h"

#include "frontend/data/TensorDataset.h"
#include "runtime/Error.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace dlc::data {

TabularDataset::TabularDataset(std::shared_ptr<const detail::TabularData> data)
    : storage(std::move(data)) {}

std::vector<int64_t> TabularDataset::vocab_sizes() const {
  std::vector<int64_t> sizes;
  for (const std::string &name : storage->categoricalNames)
    sizes.push_back(storage->vocabularies.at(name)->size());
  return sizes;
}

std::vector<int64_t> TabularDataset::sequence_vocab_sizes() const {
  std::vector<int64_t> sizes;
  for (const std::string &name : storage->sequenceNames)
    sizes.push_back(storage->vocabularies.at(name)->size());
  return sizes;
}

std::vector<int64_t> TabularDataset::sequence_lengths() const {
  std::vector<int64_t> lengths;
  for (const detail::TabularSequence &sequence : storage->sequences)
    lengths.push_back(sequence.length);
  return lengths;
}

int64_t TabularDataset::packed_width() const {
  int64_t width = static_cast<int64_t>(storage->denseNames.size() +
                                       storage->categoricalNames.size());
  for (const detail::TabularSequence &sequence : storage->sequences)
    width += sequence.length;
  return width;
}

const Vocabulary &TabularDataset::vocabulary(const std::string &column) const {
  auto found = storage->vocabularies.find(column);
  if (found == storage->vocabularies.end())
    throw Error("TabularDataset::vocabulary: \"" + column +
                "\" is not a categorical or id-list column of " +
                storage->source);
  return *found->second;
}

TabularBatch TabularDataset::get_batch(ArrayRef<size_t> indices) {
  const detail::TabularData &d = *storage;
  for (size_t index : indices)
    if (index >= d.rows)
      throw Error("TabularDataset::get_batch: index " + std::to_string(index) +
                  " is out of range for " + d.source + " (" +
                  std::to_string(d.rows) + " rows)");
  const size_t batch = indices.size();
  const int64_t b = static_cast<int64_t>(batch);
  const size_t denseWidth = d.denseNames.size();
  const size_t categoricalWidth = d.categoricalNames.size();
  TabularBatch out;

  if (d.labelName) {
    detail::HostBuffer labels(batch * sizeof(float));
    float *to = labels.as<float>();
    for (size_t i = 0; i < batch; ++i)
      to[i] = d.labels[indices[i]];
    out.target = labels.release({b}, kFloat);
  }
  if (denseWidth > 0) {
    detail::HostBuffer dense(batch * denseWidth * sizeof(float));
    float *to = dense.as<float>();
    for (size_t i = 0; i < batch; ++i)
      std::memcpy(to + i * denseWidth, d.dense.data() + indices[i] * denseWidth,
                  denseWidth * sizeof(float));
    out.dense = dense.release({b, static_cast<int64_t>(denseWidth)}, kFloat);
  }
  if (categoricalWidth > 0) {
    detail::HostBuffer categorical(batch * categoricalWidth * sizeof(int64_t));
    int64_t *to = categorical.as<int64_t>();
    for (size_t i = 0; i < batch; ++i)
      std::memcpy(to + i * categoricalWidth,
                  d.categorical.data() + indices[i] * categoricalWidth,
                  categoricalWidth * sizeof(int64_t));
    out.categorical =
        categorical.release({b, static_cast<int64_t>(categoricalWidth)}, kLong);
  }
  for (const detail::TabularSequence &sequence : d.sequences) {
    size_t length = static_cast<size_t>(sequence.length);
    detail::HostBuffer ids(batch * length * sizeof(int64_t));
    detail::HostBuffer lengths(batch * sizeof(int64_t));
    int64_t *to = ids.as<int64_t>();
    std::memset(to, 0, batch * length * sizeof(int64_t));
    for (size_t i = 0; i < batch; ++i) {
      size_t begin = sequence.offsets[indices[i]];
      size_t end = sequence.offsets[indices[i] + 1];
      // Longer lists keep their last ids.
      size_t n = std::min(end - begin, length);
      if (n > 0)
        std::memcpy(to + i * length, sequence.ids.data() + (end - n),
                    n * sizeof(int64_t));
      lengths.as<int64_t>()[i] = static_cast<int64_t>(n);
    }
    out.sequences.push_back(
        ids.release({b, static_cast<int64_t>(length)}, kLong));
    out.sequence_lengths.push_back(lengths.release({b}, kLong));
  }

  int64_t width = packed_width();
  if (d.packed && width > 0) {
    detail::HostBuffer packed(batch * static_cast<size_t>(width) *
                              sizeof(float));
    float *row = packed.as<float>();
    for (size_t i = 0; i < batch; ++i) {
      size_t r = indices[i];
      if (denseWidth > 0)
        std::memcpy(row, d.dense.data() + r * denseWidth,
                    denseWidth * sizeof(float));
      float *to = row + denseWidth;
      const int64_t *ids = d.categorical.data() + r * categoricalWidth;
      for (size_t k = 0; k < categoricalWidth; ++k)
        *to++ = static_cast<float>(ids[k]);
      for (const detail::TabularSequence &sequence : d.sequences) {
        size_t length = static_cast<size_t>(sequence.length);
        size_t begin = sequence.offsets[r];
        size_t end = sequence.offsets[r + 1];
        size_t n = std::min(end - begin, length);
        for (size_t k = 0; k < n; ++k)
          to[k] = static_cast<float>(sequence.ids.data()[end - n + k]);
        std::fill(to + n, to + length, 0.0f);
        to += length;
      }
      row += width;
    }
    out.data = packed.release({b, width}, kFloat);
  }
  return out;
}

} // namespace dlc::data
