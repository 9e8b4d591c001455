#!/usr/bin/env bash
# Installs what dlc needs to build and test on Debian 12, and nothing that is already there.
#
# Idempotent: a package already installed is skipped, and `apt-get update` runs at most once,
# only when something is missing. Needs root (or sudo) only when it has to install.
#
#   scripts/bootstrap.sh          what the build and the tests need
#   scripts/bootstrap.sh --bench  also LibTorch, the comparison target of dlc-bench
#   scripts/bootstrap.sh --fuzz   also clang-19 and libFuzzer, for `make fuzz`
set -euo pipefail

packages=(
  cmake                 # the build (>= 3.25; Debian 12 ships 3.25.1)
  ninja-build           # fast parallel builds on 2 cores
  ccache                # rebuilds of unchanged MLIR translation units cost nothing
  g++                   # the host compiler
  python3               # lit
  llvm-19-dev           # LLVM libraries and CMake package
  llvm-19-tools         # FileCheck, not, lit
  libmlir-19-dev        # MLIR libraries, headers and CMake package
  mlir-19-tools         # mlir-tblgen (ODS), mlir-opt for comparison
  libfmt-dev            # formatting of user-facing messages outside LLVM code
  libgtest-dev          # GoogleTest for unit tests
  clang-format-19       # `make format`, the version STYLE.md asks for
  libdnnl-dev           # oneDNN: the f32 GEMM behind dlc.matmul on CPU (detects AVX-512 itself)
  nlohmann-json3-dev    # JSON for safetensors headers and training histories
  libprotobuf-dev       # TensorBoard event files (Event/Summary messages)
  protobuf-compiler     # protoc, for the .proto of those messages
  libsqlite3-dev        # dlc::tune: studies in an SQLite file, shared by worker processes
  libcpp-httplib-dev    # dlc-board's HTTP server
  nodejs                # npm vendors chart.js for dlc-board; runs its browser test
  chromium              # the browser of dlc-board's end-to-end test (headless)
  openmpi-bin           # mpirun: dlc-train --distributed and the distributed tests
  libopenmpi-dev        # MPI, the collectives between CPU processes
)
if [[ ${1:-} == --bench ]]; then
  packages+=(libtorch-dev)  # LibTorch 1.13, what dlc-bench compares against
fi
if [[ ${1:-} == --fuzz ]]; then
  packages+=(clang-19 libclang-rt-19-dev libomp-19-dev)  # libFuzzer, clang's sanitizers and OpenMP, for `make fuzz`
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Debian's nodejs comes without npm (NodeSource's includes it).
if [[ " ${missing[*]} " != *" nodejs "* ]] && ! command -v npm >/dev/null; then
  missing+=(npm)
fi

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo=(sudo); else
    echo "bootstrap: missing packages (${missing[*]}) and not root; run as root" >&2
    exit 1
  fi
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's nodejs comes without npm (NodeSource's includes it).
if ! command -v npm >/dev/null; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm
fi
