#!/usr/bin/env bash
# Checks that #includes follow the dependency direction of DESIGN.md section 2:
#   ir -> (MLIR)   passes -> ir   codegen -> ir, passes, runtime
#   runtime -> nothing of dlc's compiler and no MLIR/LLVM headers
#   frontend -> everything above (through one facade)
# Prints every violation and exits non-zero if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
# forbid FOLDER REGEX WHY: no file under FOLDER may include a header matching REGEX.
forbid() {
  local folder=$1 pattern=$2 why=$3
  [[ -d $folder ]] || return 0
  local hits
  hits=$(grep -rnE --include='*.h' --include='*.cpp' --include='*.cu' \
           "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$folder" || true)
  if [[ -n $hits ]]; then
    echo "layering: $folder/ $why:"
    echo "$hits" | sed 's/^/  /'
    status=1
  fi
}

forbid ir       'passes/|codegen/|runtime/|frontend/|tools/' 'may depend on MLIR only'
forbid passes   'codegen/|runtime/|frontend/|tools/'         'may depend on ir/ only'
forbid codegen  'frontend/|tools/'                          'may depend on ir/, passes/ and runtime/ only'
forbid runtime  'mlir/|llvm/|llvm-c/|ir/|passes/|codegen/|frontend/|tools/' \
                'must build without MLIR or LLVM and below the compiler'
# The public header dlc/dlc.h is included by users' programs: no MLIR there.
forbid dlc      'mlir/|llvm/|ir/|passes/|codegen/'          'is the public API and must not expose the compiler'

if ((status == 0)); then
  echo "layering: ok"
fi
exit $status
