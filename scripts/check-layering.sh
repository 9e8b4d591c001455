#!/usr/bin/env bash
# Checks that #includes follow the dependency direction of DESIGN.md section 2:
#   ir -> (MLIR)   passes -> ir   codegen -> ir, passes, runtime
#   runtime -> nothing of dlc's compiler and no MLIR/LLVM headers
#   frontend -> everything above (through one facade); its public headers
#               and dlc/dlc.h -> nothing but other public headers
# Prints every violation and exits non-zero if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
# forbid PATHS REGEX WHY [LABEL]: no file in PATHS (folders are searched
# whole) may include a header matching REGEX.
forbid() {
  local paths=$1 pattern=$2 why=$3 label=${4:-$1/}
  local hits
  # shellcheck disable=SC2086
  hits=$(grep -rnE --include='*.h' --include='*.cpp' --include='*.cu' \
           "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" $paths 2>/dev/null || true)
  if [[ -n $hits ]]; then
    echo "layering: $label $why:"
    echo "$hits" | sed 's/^/  /'
    status=1
  fi
}

forbid ir       'passes/|codegen/|runtime/|frontend/|tools/' 'may depend on MLIR only'
forbid passes   'codegen/|runtime/|frontend/|tools/'         'may depend on ir/ only'
forbid codegen  'frontend/|tools/'                          'may depend on ir/, passes/ and runtime/ only'
forbid runtime  'mlir/|llvm/|llvm-c/|ir/|passes/|codegen/|frontend/|tools/' \
                'must build without MLIR or LLVM and below the compiler'
# The installed headers (dlc/dlc.h, frontend/*.h, the runtime's vocabulary
# types) are compiled into users' programs: no compiler, no private
# dependency, no frontend internals.
public="dlc/dlc.h $(ls frontend/*.h 2>/dev/null | tr '\n' ' ') runtime/Device.h runtime/Error.h runtime/ScalarType.h"
forbid "$public" 'mlir/|llvm/|ir/|passes/|codegen/|fmt/|frontend/detail/' \
       'are installed for users and must not expose the compiler or private headers' \
       'the public headers'

if ((status == 0)); then
  echo "layering: ok"
fi
exit $status
