//===- CsvFuzzer.cpp - Fuzz the CSV/TSV reader ----------------------------===//
//
// Data files come from anywhere. The first byte picks the reader's options
// (delimiter, header, which columns are dense, categorical or id lists, the
// transform), the rest is the file: any of it must give a dataset or a
// dlc::Error, never a crash.
//
//===----------------------------------------------------------------------===//

#include "frontend/data/Csv.h"
#include "runtime/Error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 64 * 1024)
    return -1;
  uint8_t bits = data[0];
  std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
  using namespace dlc::data;
  CsvOptions options;
  options.delimiter((bits & 1) ? '\t' : ',')
      .header((bits & 2) != 0)
      .dense_transform((bits & 4) ? DenseTransform::Log1p
                                  : DenseTransform::None)
      .min_count((bits & 8) ? 2 : 1);
  if (bits & 16)
    options.label_column(0);
  else
    options.label_column(std::nullopt);
  // Columns by index: 1 dense, 2 categorical, 3 an id list (when asked).
  options.dense_columns({1}).categorical_columns({2});
  if (bits & 32)
    options.sequence_columns({3}).max_sequence_length((bits & 64) ? 4 : 0);
  if (bits & 128)
    options.share_vocabulary({2, 3});
  try {
    TabularDataset dataset = parse_csv(text, options);
    if (dataset.num_rows() > 0) {
      TabularBatch batch = dataset.get_batch({0});
      (void)batch;
    }
  } catch (const dlc::Error &) {
  }
  return 0;
}
