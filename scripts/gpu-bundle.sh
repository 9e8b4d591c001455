#!/usr/bin/env bash
# Packs dlc binaries for a remote GPU machine that has the NVIDIA driver, CUDA
# and PyTorch but none of LLVM/MLIR, oneDNN, fmt or Open MPI.
#
#   scripts/gpu-bundle.sh [BUILD_DIR] [OUT_DIR] [TARGET...]
#     BUILD_DIR  the CMake+Ninja build holding the targets (default: build)
#     OUT_DIR    the bundle folder to create (default: .gpu-bundle); the
#                archive is written next to it as OUT_DIR.tar.zst
#     TARGET     ninja targets of executables already built in BUILD_DIR/bin
#                (default: dlc-cuda-tests dlc-bench)
#   Relative defaults are taken from the repository root, relative arguments
#   from the current directory.
#
# What it does:
#  1. Re-links every TARGET with LLVM linked statically: the exact link command
#     comes from `ninja -t commands` (nothing is built, nothing in BUILD_DIR is
#     written); the shared libLLVM (libLLVM.so.1 / libLLVM.so.19.1 /
#     libLLVM-19.so / -lLLVM-19) is dropped and the static component archives
#     /usr/lib/llvm-19/lib/libLLVM*.a are appended in one --start-group/--end-
#     group, followed by the system libraries they need (-lz -lzstd -lrt -ldl
#     -lm -lpthread). The MLIR archives of the command stay as they are (they
#     are static already). Shared libraries of the build tree on the command
#     line (lib/libdlc.so, used by dlc-bench) are re-linked the same way into
#     OUT_DIR/lib first. The RUNPATH becomes $ORIGIN/lib (binaries) or $ORIGIN
#     (libraries) instead of host paths; --gc-sections drops the unreferenced
#     parts of LLVM (its archives are built with -ffunction-sections) and
#     --icf=safe folds identical functions (about 8% smaller).
#     Outputs are stripped with --strip-all.
#  2. Copies into OUT_DIR/lib the shared libraries the outputs still need
#     (per ldd), except glibc, libstdc++/libgcc_s and a few libraries that
#     every Ubuntu 24.04 has (see BASE_LIBS).
#  3. Writes OUT_DIR/README and OUT_DIR.tar.zst (zstd -22 --long), prints the
#     sizes and the usage on the remote side.
#
# It never writes git-tracked files; it adds the bundle paths to
# .git/info/exclude (not .gitignore).
set -euo pipefail

die() { echo "gpu-bundle: error: $*" >&2; exit 1; }
note() { echo "gpu-bundle: $*"; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
abspath() { # $1 path, $2 base for a relative path
  case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$2/$1" ;; esac
}

if [[ $# -ge 1 ]]; then BUILD_DIR=$(abspath "$1" "$PWD"); shift
else BUILD_DIR=$ROOT/build; fi
if [[ $# -ge 1 ]]; then OUT_DIR=$(abspath "$1" "$PWD"); shift
else OUT_DIR=$ROOT/.gpu-bundle; fi
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(dlc-cuda-tests dlc-bench)
OUT_DIR=${OUT_DIR%/}
ARCHIVE=$OUT_DIR.tar.zst

LLVM_LIB=${LLVM_LIB:-/usr/lib/llvm-19/lib}

for tool in ninja zstd tar ldd strip readelf flock md5sum; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -f $BUILD_DIR/build.ninja ]] || die "$BUILD_DIR is not a Ninja build folder (no build.ninja)"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)

# --- Safety: OUT_DIR is removed and recreated, so refuse anything that could
# be more than an old bundle.
mkdir -p "$(dirname "$OUT_DIR")"
OUT_DIR=$(cd "$(dirname "$OUT_DIR")" && pwd)/$(basename "$OUT_DIR")
ARCHIVE=$OUT_DIR.tar.zst
case $OUT_DIR in
  / | "$ROOT" | "$BUILD_DIR" | "$HOME") die "refusing to use $OUT_DIR as the bundle folder" ;;
esac
case $BUILD_DIR/ in "$OUT_DIR"/*) die "the bundle folder $OUT_DIR contains the build folder" ;; esac
if [[ -e $OUT_DIR && ! -f $OUT_DIR/.gpu-bundle-stamp ]] && [[ -n $(ls -A "$OUT_DIR" 2>/dev/null) ]]; then
  die "$OUT_DIR exists, is not empty and was not made by this script; remove it first"
fi
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  case $OUT_DIR/ in
    "$ROOT"/*)
      rel=${OUT_DIR#"$ROOT"/}
      [[ -z $(git -C "$ROOT" ls-files -- "$rel" "$rel.tar.zst") ]] ||
        die "$OUT_DIR (or its archive) holds git-tracked files"
      ;;
  esac
  # Keep the bundle out of `git status` through .git/info/exclude only.
  exclude=$(git -C "$ROOT" rev-parse --git-path info/exclude)
  case $exclude in /*) ;; *) exclude=$ROOT/$exclude ;; esac
  mkdir -p "$(dirname "$exclude")"
  touch "$exclude"
  patterns=(".gpu-bundle/" ".gpu-bundle.tar.zst")
  [[ -n ${rel:-} && $rel != .gpu-bundle ]] && patterns+=("/$rel/" "/$rel.tar.zst")
  for p in "${patterns[@]}"; do
    grep -qxF -- "$p" "$exclude" || echo "$p" >>"$exclude"
  done
fi

# --- The static LLVM. Every component archive goes into one group; the linker
# only takes the members that something references. Excluded archives (tools'
# internals that neither MLIR nor dlc reference; left out so that they can never
# pull a member in, with its extra system dependencies, and to keep the group
# scan short):
#   libLLVMBOLT*          BOLT binary rewriter (not part of the LLVM libraries)
#   libLLVMExegesis*      llvm-exegesis internals (libpfm)
#   libLLVMTableGen*      tblgen; defines its own command-line options
#   libLLVMFuzzerCLI, libLLVMFuzzMutate   fuzzer drivers
#   libLLVMCFIVerify, libLLVMDiff, libLLVMDWP, libLLVMOptDriver,
#   libLLVMLibDriver, libLLVMDlltoolDriver, libLLVMDebuginfod   tool drivers
#   libLLVMLineEditor     needs libedit
#   libLLVMWindowsManifest  needs libxml2 (llvm-config --system-libs lists
#                         -lxml2 only because of it)
#   libLLVMInterpreter    needs libffi; dlc JITs through ORC, not the interpreter
# Debian's LLVM ships no libllvm_gtest.a/libLLVMTestingSupport.a; should a
# newer package add them they are excluded too, because the unit tests link the
# system GoogleTest (/usr/lib/x86_64-linux-gnu/libgtest.a) and a second copy
# would give duplicate symbols. libz3 (also in --system-libs) is only needed by
# llvm::CreateZ3Solver, which nothing here references.
shopt -s nullglob
LLVM_ARCHIVES=()
for a in "$LLVM_LIB"/libLLVM*.a; do
  case ${a##*/} in
    libLLVMBOLT*.a | libLLVMExegesis*.a | libLLVMTableGen*.a | \
    libLLVMFuzzerCLI.a | libLLVMFuzzMutate.a | libLLVMCFIVerify.a | \
    libLLVMDiff.a | libLLVMDWP.a | libLLVMOptDriver.a | libLLVMLibDriver.a | \
    libLLVMDlltoolDriver.a | libLLVMDebuginfod.a | libLLVMLineEditor.a | \
    libLLVMWindowsManifest.a | libLLVMInterpreter.a | \
    libLLVMTestingSupport.a | libLLVMTestingAnnotations.a) continue ;;
  esac
  LLVM_ARCHIVES+=("$a")
done
shopt -u nullglob
[[ ${#LLVM_ARCHIVES[@]} -gt 0 ]] || die "no static LLVM archives in $LLVM_LIB (install llvm-19-dev)"
# zlib and zstd by their runtime names (-l:libzstd.so.1): the -dev packages
# with the libzstd.so link need not be installed.
# shellcheck disable=SC2054  # the commas belong to the -Wl, options
STATIC_LLVM=(-Wl,--start-group "${LLVM_ARCHIVES[@]}" -Wl,--end-group
             -l:libz.so.1 -l:libzstd.so.1 -lrt -ldl -lm -lpthread)

is_shared_llvm() {
  case $1 in
    */libLLVM.so | */libLLVM.so.* | */libLLVM-[0-9]*.so | */libLLVM-[0-9]*.so.* | \
    -lLLVM | -lLLVM-[0-9]* | libLLVM.so* | libLLVM-[0-9]*.so*) return 0 ;;
  esac
  return 1
}

# Prints the link command of ninja target $1 (one line), failing if the last
# command is not a link step.
link_command() {
  local target=$1 all cmd seg
  all=$(ninja -C "$BUILD_DIR" -t commands "$target" 2>&1) ||
    die "ninja does not know target '$target' in $BUILD_DIR: $all"
  cmd=$(printf '%s\n' "$all" | tail -1)
  # CMake wraps the link as ': && <link> && :' (pre/post steps would be further
  # '&&' segments); keep the one segment that has -o.
  local found=
  while IFS= read -r seg; do
    seg=${seg#"${seg%%[![:space:]]*}"}
    [[ $seg == *" -o "* ]] || continue
    [[ -z $found ]] || die "'$target': several commands with -o in its last step: $cmd"
    found=$seg
  done < <(printf '%s\n' "$cmd" | sed 's/ && /\n/g')
  [[ -n $found ]] || die "'$target': its last command is not a link step: $cmd"
  [[ " $found " != *" -c "* ]] || die "'$target': its last command compiles, it does not link: $found"
  [[ $found != *[\'\"\\\`\$\;\|\<\>]* ]] ||
    die "'$target': its link command has shell quoting this script does not handle: $found"
  printf '%s\n' "$found"
}

# relink TARGET KIND OUTPUT: re-links ninja target TARGET (KIND exe or lib)
# into OUTPUT with static LLVM.
relink() {
  local target=$1 kind=$2 output=$3 cmd
  cmd=$(link_command "$target")
  local -a tok new
  read -ra tok <<<"$cmd"
  local i t had_llvm=0 had_out=0 rpath
  # shellcheck disable=SC2016  # $ORIGIN is for the dynamic loader
  if [[ $kind == exe ]]; then rpath='-Wl,-rpath,$ORIGIN/lib'; else rpath='-Wl,-rpath,$ORIGIN'; fi
  for ((i = 0; i < ${#tok[@]}; i++)); do
    t=${tok[i]}
    if [[ $t == -o ]]; then
      new+=(-o "$output"); i=$((i + 1)); had_out=1; continue
    fi
    if is_shared_llvm "$t"; then had_llvm=1; continue; fi
    case $t in
      -Wl,-rpath,* | -Wl,-rpath-link,*) continue ;;
    esac
    # A shared library of the build tree: bundle it (re-linked) and link
    # against the bundled copy.
    if [[ $t == *.so || $t == *.so.* ]] && [[ $t != -* ]]; then
      local p
      p=$(abspath "$t" "$BUILD_DIR")
      case $(realpath -m "$p") in
        "$BUILD_DIR"/*)
          bundle_build_lib "${p#"$BUILD_DIR"/}"
          new+=("$BUNDLED_PATH"); continue ;;
      esac
    fi
    new+=("$t")
  done
  [[ $had_out == 1 ]] || die "'$target': no -o in its link command"
  [[ $had_llvm == 1 ]] || note "'$target' does not link the shared libLLVM; re-linking it anyway"
  # shellcheck disable=SC2054
  new+=("$rpath" -Wl,--gc-sections -Wl,--icf=safe "${STATIC_LLVM[@]}")
  # Extra linker flags for experiments, e.g. GPU_BUNDLE_LDFLAGS=-Wl,-Map,x.map
  local -a extra
  read -ra extra <<<"${GPU_BUNDLE_LDFLAGS:-}"
  new+=("${extra[@]}")
  local log
  log=$OUT_DIR/.link-$(basename "$output").log
  note "linking $target -> ${output#"$OUT_DIR"/}"
  { echo "# cd $BUILD_DIR &&"; printf '%q ' "${new[@]}"; echo; } >"$log"
  if ! (cd "$BUILD_DIR" && nice -n 10 "${new[@]}") >>"$log" 2>&1; then
    echo "---- linker output (last 30 lines; the command and all output: $log):" >&2
    tail -30 "$log" >&2
    die "link of '$target' failed"
  fi
  rm -f "$log"
  if ldd "$output" 2>/dev/null | grep -q 'libLLVM'; then
    die "'$target' still depends on a shared libLLVM: $(ldd "$output" | grep libLLVM)"
  fi
  strip --strip-all "$output"
}

# bundle_build_lib SUBPATH: re-links a shared library of the build tree
# (path relative to BUILD_DIR) into OUT_DIR/lib under its soname, once; sets
# BUNDLED_PATH to the bundled file.
declare -A BUNDLED_LIBS=()
BUNDLED_PATH=
bundle_build_lib() {
  local sub=$1 real soname out
  real=$(realpath "$BUILD_DIR/$sub") || die "missing $BUILD_DIR/$sub"
  if [[ -z ${BUNDLED_LIBS[$real]:-} ]]; then
    soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [[ -n $soname ]] || soname=$(basename "$real")
    out=$OUT_DIR/lib/$soname
    relink "${real#"$BUILD_DIR"/}" lib "$out"
    BUNDLED_LIBS[$real]=$out
  fi
  BUNDLED_PATH=${BUNDLED_LIBS[$real]}
}

# --- Build the bundle. One run at a time per bundle folder.
lock=${TMPDIR:-/tmp}/gpu-bundle-$(printf '%s' "$OUT_DIR" | md5sum | cut -c1-12).lock
exec 9>"$lock"
flock -n 9 || die "another gpu-bundle run is writing $OUT_DIR"
for target in "${TARGETS[@]}"; do
  [[ -x $BUILD_DIR/bin/$target ]] ||
    die "$BUILD_DIR/bin/$target does not exist; build it first (ninja -C $BUILD_DIR $target)"
done
rm -rf "$OUT_DIR" "$ARCHIVE"
mkdir -p "$OUT_DIR/lib"
touch "$OUT_DIR/.gpu-bundle-stamp"

for target in "${TARGETS[@]}"; do
  relink "$target" exe "$OUT_DIR/$target"
done

# --- Shared libraries still needed. Not copied: glibc (the remote's own must
# be used), libstdc++/libgcc_s (Ubuntu 24.04's are newer than ours, hence
# compatible), and BASE_LIBS, which every Ubuntu 24.04 has (zlib1g, libzstd1,
# liblzma5, libtinfo6 are Priority: required) — shipping older copies of those
# through LD_LIBRARY_PATH could shadow the system's for child processes.
SYSTEM_LIBS='linux-vdso.so.1|ld-linux-x86-64.so.2|libc.so.6|libm.so.6|libdl.so.2|libpthread.so.0|librt.so.1|libutil.so.1|libresolv.so.2|libanl.so.1|libstdc\+\+.so.6|libgcc_s.so.1'
BASE_LIBS='libz.so.1|libzstd.so.1|liblzma.so.5|libtinfo.so.6'
copied=()
for f in "$OUT_DIR"/* "$OUT_DIR"/lib/*; do
  [[ -f $f && ! -L $f && $f != */.gpu-bundle-stamp && $f != */README ]] || continue
  while read -r name arrow path _; do
    [[ $arrow == "=>" ]] || continue
    [[ $name =~ ^($SYSTEM_LIBS|$BASE_LIBS)$ ]] && continue
    [[ $path == "not" ]] && die "$(basename "$f") needs $name, which is not found here"
    [[ -e $OUT_DIR/lib/$name ]] && continue
    cp -L "$path" "$OUT_DIR/lib/$name"
    copied+=("$name")
  done < <(ldd "$f")
done
if ldd "$OUT_DIR"/* "$OUT_DIR"/lib/* 2>/dev/null | grep -E 'llvm-19|libLLVM'; then
  die "something in the bundle still needs LLVM's shared library"
fi

cat >"$OUT_DIR/README" <<EOF
dlc GPU bundle (made by scripts/gpu-bundle.sh on $(date -u +%Y-%m-%dT%H:%MZ)).
Binaries: ${TARGETS[*]} (LLVM/MLIR linked statically, stripped).
lib/: shared libraries an Ubuntu 24.04 + CUDA box may lack: ${copied[*]:-none}
Needs on the remote: glibc >= 2.36, libstdc++ from GCC >= 12, zlib, zstd.
Open MPI is bundled as libraries only (no MCA plugins): anything that calls
MPI_Init (distributed runs) will not work from the bundle.

Usage (from the folder that holds $(basename "$ARCHIVE")):
  tar --zstd -xf $(basename "$ARCHIVE")
  LD_LIBRARY_PATH=\$PWD/$(basename "$OUT_DIR")/lib $(basename "$OUT_DIR")/${TARGETS[0]}
EOF

note "compressing $(basename "$ARCHIVE")"
# --ultra -22 gives ~15% less than -19 here (two copies of LLVM and oneDNN);
# it keeps the 128 MiB window of --long, so a plain `zstd -d` (tar --zstd)
# decompresses it. GPU_BUNDLE_ZSTD_LEVEL=19 is faster.
level=${GPU_BUNDLE_ZSTD_LEVEL:-22}
tar -C "$(dirname "$OUT_DIR")" --exclude=.gpu-bundle-stamp -cf - "$(basename "$OUT_DIR")" |
  nice -n 10 zstd -q --ultra "-$level" -T2 --long=27 -o "$ARCHIVE"

# The GPU machine may have no zstd program: one, with the libraries it
# needs, goes beside the archive (scripts/gpu-check.sh takes it as $ZSTD).
TOOLS_DIR=$ROOT/.gpu-tools
rm -rf "$TOOLS_DIR" && mkdir -p "$TOOLS_DIR"
cp -L "$(command -v zstd)" "$TOOLS_DIR/"
for lib in $(ldd "$(command -v zstd)" | awk '/=>/ { print $3 }' |
             grep -Ev '/(libc|libm|ld-linux[^/]*)\.so'); do
  cp -L "$lib" "$TOOLS_DIR/"
done
grep -qxF '/.gpu-tools/' "$ROOT/.git/info/exclude" 2>/dev/null ||
  echo '/.gpu-tools/' >>"$ROOT/.git/info/exclude"

mib() { awk -v b="$1" 'BEGIN { printf "%7.1f MiB", b / 1048576 }'; }
echo
echo "Sizes:"
for target in "${TARGETS[@]}"; do
  echo "  $(mib "$(stat -c %s "$OUT_DIR/$target")")  $target"
done
for f in "$OUT_DIR"/lib/*; do
  echo "  $(mib "$(stat -c %s "$f")")  lib/$(basename "$f")"
done
echo "  $(mib "$(du -sb "$OUT_DIR" | cut -f1)")  $(basename "$OUT_DIR")/ in all"
echo "  $(mib "$(stat -c %s "$ARCHIVE")")  $ARCHIVE (compressed)"
echo
echo "On the remote machine:"
echo "  tar --zstd -xf $(basename "$ARCHIVE") && LD_LIBRARY_PATH=\$PWD/$(basename "$OUT_DIR")/lib $(basename "$OUT_DIR")/${TARGETS[0]}"
echo "or, carrying .gpu-tools (a zstd) along, all the GPU checks in one go:"
echo "  ZSTD=\"env LD_LIBRARY_PATH=\$PWD/.gpu-tools \$PWD/.gpu-tools/zstd\" scripts/gpu-check.sh $(basename "$ARCHIVE")"
