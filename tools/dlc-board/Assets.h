//===- Assets.h - The page's files, compiled into dlc-board ---------------===//
//
// index.html, app.js, style.css and chart.js's UMD build (vendored from npm
// at build time, see CMakeLists.txt), generated into Assets.cpp by
// cmake/EmbedFiles.cmake.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BOARD_ASSETS_H
#define DLC_TOOLS_DLC_BOARD_ASSETS_H

#include <string_view>
#include <vector>

namespace dlc::board {

struct Asset {
  /// The file's name ("app.js").
  std::string_view name;
  /// Its media type (text: served as UTF-8).
  std::string_view type;
  std::string_view bytes;
};

const std::vector<Asset> &assets();

} // namespace dlc::board

#endif // DLC_TOOLS_DLC_BOARD_ASSETS_H
