//===- Format.cpp - Printing tensors as LibTorch does ---------------------===//

#include "runtime/Format.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <vector>

namespace dlc::rt {
namespace {

double elementAt(const void *data, ScalarType type, int64_t i) {
  switch (type) {
  case ScalarType::Bool:
    return static_cast<const uint8_t *>(data)[i] ? 1.0 : 0.0;
  case ScalarType::Int:
    return static_cast<const int32_t *>(data)[i];
  case ScalarType::Long:
    return static_cast<double>(static_cast<const int64_t *>(data)[i]);
  case ScalarType::Float:
    return static_cast<const float *>(data)[i];
  case ScalarType::Double:
    return static_cast<const double *>(data)[i];
  }
  return 0;
}

/// The common format of all elements: sets the stream's float format and
/// returns the scale factor and the field width, as LibTorch's __printFormat.
struct NumberFormat {
  double scale = 1;
  int width = 11;
};

NumberFormat chooseFormat(std::ostream &os, const std::vector<double> &values,
                          ScalarType type) {
  bool intMode = true;
  bool anyFinite = false;
  double maxAbs = 0, minAbs = 0;
  for (double v : values) {
    if (!std::isfinite(v))
      continue;
    if (std::ceil(v) != v)
      intMode = false;
    double a = std::fabs(v);
    if (!anyFinite) {
      maxAbs = minAbs = a;
      anyFinite = true;
    } else {
      maxAbs = std::max(maxAbs, a);
      minAbs = std::min(minAbs, a);
    }
  }
  auto digits = [](double a) {
    return a == 0 ? 1 : static_cast<int>(std::floor(std::log10(a))) + 1;
  };
  int expMin = anyFinite ? digits(minAbs) : 1;
  int expMax = anyFinite ? digits(maxAbs) : 1;
  if (!isFloatingType(type))
    intMode = true;

  NumberFormat format;
  if (intMode) {
    if (expMax > 9) {
      format.width = 11;
      os << std::scientific << std::setprecision(4);
    } else {
      format.width = expMax + 1;
      os << std::defaultfloat << std::setprecision(10);
    }
    return format;
  }
  if (expMax - expMin > 4) {
    format.width = (std::abs(expMax) > 99 || std::abs(expMin) > 99) ? 12 : 11;
    os << std::scientific << std::setprecision(4);
  } else if (expMax > 5 || expMax < 0) {
    format.width = 7;
    format.scale = std::pow(10, expMax - 1);
    os << std::fixed << std::setprecision(4);
  } else {
    format.width = expMax == 0 ? 7 : expMax + 6;
    os << std::fixed << std::setprecision(4);
  }
  return format;
}

void printScale(std::ostream &os, const NumberFormat &format) {
  if (format.scale == 1)
    return;
  std::ios saved(nullptr);
  saved.copyfmt(os);
  os << std::defaultfloat << format.scale << " *\n";
  os.copyfmt(saved);
}

/// Prints a rows x cols matrix starting at `values[offset]`, split into column
/// blocks that fit `lineWidth` characters.
void printMatrix(std::ostream &os, const std::vector<double> &values,
                 int64_t offset, int64_t rows, int64_t cols,
                 const NumberFormat &format, const std::string &indent) {
  constexpr int64_t kLineWidth = 80;
  int64_t perLine =
      std::max<int64_t>(1, (kLineWidth - static_cast<int64_t>(indent.size())) /
                               (format.width + 1));
  for (int64_t first = 0; first < cols; first += perLine) {
    int64_t last = std::min(cols, first + perLine);
    if (cols > perLine) {
      if (first > 0)
        os << '\n';
      os << "Columns " << first + 1 << " to " << last << '\n';
    }
    for (int64_t r = 0; r < rows; ++r) {
      os << indent;
      for (int64_t c = first; c < last; ++c) {
        os << std::setw(format.width)
           << values[offset + r * cols + c] / format.scale;
        os << (c + 1 == last ? '\n' : ' ');
      }
    }
  }
}

const char *typeName(ScalarType type) {
  switch (type) {
  case ScalarType::Bool:
    return "BoolType";
  case ScalarType::Int:
    return "IntType";
  case ScalarType::Long:
    return "LongType";
  case ScalarType::Float:
    return "FloatType";
  case ScalarType::Double:
    return "DoubleType";
  }
  return "UnknownType";
}

} // namespace

void formatTensor(std::ostream &os, const void *data, ScalarType type,
                  std::span<const int64_t> shape, Device device) {
  std::ios saved(nullptr);
  saved.copyfmt(os);

  int64_t numel = 1;
  for (int64_t size : shape)
    numel *= size;
  std::vector<double> values(static_cast<size_t>(numel));
  for (int64_t i = 0; i < numel; ++i)
    values[i] = elementAt(data, type, i);

  if (shape.empty()) {
    os << std::defaultfloat << std::setprecision(isFloatingType(type) ? 6 : 20)
       << values[0] << '\n';
  } else if (numel > 0) {
    NumberFormat format = chooseFormat(os, values, type);
    if (shape.size() == 1) {
      printScale(os, format);
      printMatrix(os, values, 0, shape[0], 1, format, "");
    } else if (shape.size() == 2) {
      printScale(os, format);
      printMatrix(os, values, 0, shape[0], shape[1], format, "");
    } else {
      // One matrix per index of the leading dimensions: (i,j,.,.) =
      int64_t rows = shape[shape.size() - 2], cols = shape.back();
      int64_t matrices = numel / (rows * cols);
      std::vector<int64_t> index(shape.size() - 2, 0);
      for (int64_t m = 0; m < matrices; ++m) {
        if (m > 0)
          os << '\n';
        os << '(';
        for (int64_t i : index)
          os << i + 1 << ',';
        os << ".,.) = \n";
        printScale(os, format);
        printMatrix(os, values, m * rows * cols, rows, cols, format, "");
        for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
          if (++index[d] < shape[d])
            break;
          index[d] = 0;
        }
      }
    }
  }
  os.copyfmt(saved);
  os << "[ " << (device.is_cpu() ? "CPU" : "CUDA") << typeName(type) << '{';
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? "," : "") << shape[i];
  os << "} ]";
}

} // namespace dlc::rt
