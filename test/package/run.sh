#!/usr/bin/env bash
# Builds test/package/app against the dlc package, either installed from the
# build tree into a fresh prefix (`install`) or straight from the build tree
# (`build-tree`), runs it and checks what it prints.
set -euo pipefail
build=$(cd "$1" && pwd)
mode=$2
here=$(cd "$(dirname "$0")" && pwd)
work="$build/package-test/$mode"
rm -rf "$work"
mkdir -p "$work"

if [[ $mode == install ]]; then
  cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
  package_dir="$work/prefix/lib/cmake/dlc"
else
  package_dir="$build"
fi

cmake -S "$here/app" -B "$work/app" -G Ninja -Ddlc_DIR="$package_dir" \
  -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/app" > "$work/build.log"
output=$("$work/app/app")
echo "$output"
grep -qx "sum = 9" <<< "$output"
grep -q "^error: matmul: cannot multiply \[2, 3\] by \[2, 3\] (main.cpp:12)$" <<< "$output"
echo "package ($mode): ok"
