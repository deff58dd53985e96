#!/bin/sh
# SPDX-License-Identifier: MIT
# Build a static libjansson.a for TARGET (musl | mingw | a foreign Linux
# architecture) from Debian's jansson source package into
# build/deps/TARGET/{include,lib}; Debian ships jansson only for glibc.
# TARGET host builds the same release library with the host compiler, for
# test builds that must link the jansson the binaries ship (Debian's
# libjansson.a keeps its assertions). Quiet on success; on failure prints the
# log's tail.
#
# Usage: sh scripts/build-jansson.sh musl|mingw|host|aarch64|armv7|riscv64|ppc64le|s390x
#        sh scripts/build-jansson.sh source   (only fetch and unpack the source
#                                              into build/src/jansson: make deb
#                                              hands it to the package build)
# Env:   JOBS (default: nproc), MUSLCC, MINGWCC, HOSTCC (compilers, as in the Makefile),
#        ZIGBIN (dir of the zig cc/ar/ranlib wrappers mk/arch.mk writes,
#        default build/zig/bin: cc-ARCH, ar, ranlib)
set -eu

die() { echo "build-jansson: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 musl|mingw|host|source|aarch64|armv7|riscv64|ppc64le|s390x"
target=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
zigbin=${ZIGBIN:-$root/build/zig/bin}
# Foreign Linux architectures: zig cc for ARCH-linux-musl (mk/arch.mk), and
# CMake told it cross-compiles so it runs none of its test programs.
cross_arch=""
case "$target" in
  musl)   cc=${MUSLCC:-musl-gcc} ;;
  mingw)  cc=${MINGWCC:-x86_64-w64-mingw32-gcc} ;;
  host)   cc=${HOSTCC:-gcc} ;;
  source) cc="" ;;
  aarch64|armv7|riscv64|ppc64le|s390x)
          cc=$zigbin/cc-$target cross_arch=$target ;;
  *)      die "unknown target '$target' (want musl, mingw, host, source, aarch64, armv7, riscv64, ppc64le or s390x)" ;;
esac
prefix=$root/build/deps/$target
[ "$target" != source ] && [ -f "$prefix/lib/libjansson.a" ] && [ -f "$prefix/include/jansson.h" ] && exit 0

[ "$target" = source ] || command -v "$cc" >/dev/null 2>&1 || {
  case "$target" in
    musl|host) hint="sh scripts/deps.sh build" ;;
    mingw)     hint="sh scripts/deps.sh windows" ;;
    *)         hint="make zig" ;;
  esac
  die "compiler '$cc' not found; run: $hint"
}

srcroot=$root/build/src
src=$srcroot/jansson
mkdir -p "$srcroot"
# Two makes in one checkout may build the same target: one builds, the
# other waits and then finds the library in place.
if [ "$target" != source ] && command -v flock >/dev/null 2>&1; then
  exec 8>"$srcroot/.jansson-$target.lock"
  flock 8
  [ -f "$prefix/lib/libjansson.a" ] && [ -f "$prefix/include/jansson.h" ] && exit 0
fi
log=$srcroot/jansson-$target.log
: >"$log"

# Run a step with its output in the log; on failure show the log's tail.
run() {
  echo "+ $*" >>"$log"
  "$@" >>"$log" 2>&1 || {
    echo "build-jansson: $target: failed: $*" >&2
    tail -n 40 "$log" | sed 's/^/  | /' >&2
    die "$target: full log in ${log#"$root"/}"
  }
}

apt_source() {
  (cd "$srcroot" && apt-get source -qq --download-only \
     -o APT::Sandbox::User=root jansson)
}

# Fetch and unpack the source once. Both targets may run at once under
# `make -j`, so the fetch is serialized and the tree appears by rename.
fetch() {
  [ -f "$src/src/jansson.h" ] && return 0
  # A tree unpacked by a plain `apt-get source jansson` in build/src serves too.
  for d in "$srcroot"/jansson-[0-9]*/; do
    [ -f "${d}src/jansson.h" ] && src=${d%/}
  done
  [ -f "$src/src/jansson.h" ] && return 0
  command -v dpkg-source >/dev/null 2>&1 || run sh scripts/deps.sh build
  rm -f "$srcroot"/jansson_*.dsc "$srcroot"/jansson_*.tar.* "$srcroot"/jansson_*.diff.gz
  if ! apt_source >>"$log" 2>&1; then
    # deb-src may be off, or the package lists stale: deps.sh fixes both.
    run sh scripts/deps.sh build
    apt-get update -qq >>"$log" 2>&1 || true
    run apt_source
  fi
  dsc=$(ls "$srcroot"/jansson_*.dsc 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dsc" ] || die "apt-get source jansson fetched no .dsc (see ${log#"$root"/})"
  rm -rf "$src.tmp"
  run dpkg-source -x "$dsc" "$src.tmp"
  mv "$src.tmp" "$src"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$srcroot/.jansson.lock"
  flock 9
  fetch
  flock -u 9
  exec 9>&-
else
  fetch
fi
if [ "$target" = source ]; then
  # The tree make deb copies: build/src/jansson, wherever fetch() found it.
  [ "$src" = "$srcroot/jansson" ] || { rm -rf "$srcroot/jansson"; cp -a "$src" "$srcroot/jansson"; }
  exit 0
fi

bld=$srcroot/jansson-build-$target
stage=$root/build/deps/.$target.tmp
rm -rf "$bld" "$stage"
mkdir -p "$bld"
# No build path in the objects (the shipped binaries are reproducible).
cflags="-Os -ffunction-sections -fdata-sections -ffile-prefix-map=$root/="
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# The outer make's jobserver is not ours: start the inner build afresh.
unset MAKEFLAGS MFLAGS MAKELEVEL || true

if [ -x "$src/configure" ]; then
  host=""
  [ "$target" = mingw ] && host=--host=x86_64-w64-mingw32
  (cd "$bld" && run "$src/configure" $host --prefix="$prefix" \
     --disable-shared --enable-static CC="$cc" CFLAGS="$cflags")
  run make -C "$bld" -j"$jobs"
  run make -C "$bld" install DESTDIR="$stage"
else
  command -v cmake >/dev/null 2>&1 || {
    echo "build-jansson: installing cmake (jansson's Debian source has no configure)" >&2
    export DEBIAN_FRONTEND=noninteractive
    run apt-get install -y -qq --no-install-recommends cmake
  }
  cross=""
  [ "$target" = mingw ] && cross="-DCMAKE_SYSTEM_NAME=Windows -DCMAKE_SYSTEM_PROCESSOR=x86_64"
  [ -n "$cross_arch" ] && cross="-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=$cross_arch
    -DCMAKE_AR=$zigbin/ar -DCMAKE_RANLIB=$zigbin/ranlib"
  # MinSizeRel keeps -Os last (Release would append -O3).
  run cmake -S "$src" -B "$bld" $cross \
    -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DCMAKE_C_FLAGS="$cflags" \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DJANSSON_BUILD_SHARED_LIBS=OFF -DBUILD_SHARED_LIBS=OFF \
    -DJANSSON_EXAMPLES=OFF -DJANSSON_BUILD_DOCS=OFF -DJANSSON_WITHOUT_TESTS=ON
  run cmake --build "$bld" -j "$jobs"
  run env DESTDIR="$stage" cmake --install "$bld"
fi

# Installed under DESTDIR, then moved into place whole: an interrupted build
# never leaves a libjansson.a that the fast path above would trust.
[ -f "$stage$prefix/lib/libjansson.a" ] && [ -f "$stage$prefix/include/jansson.h" ] ||
  die "$target: install produced no lib/libjansson.a + include/jansson.h"
# jansson's CMake hard-codes "I64d" for Windows, but mingw-w64 switches
# printf to its C99 stdio (gnu_printf: "lld", no I64) for -std=c99 and up or
# _GNU_SOURCE, so -Wformat -Werror rejects JSON_INTEGER_FORMAT there. Pick
# the format the consumer's stdio understands; the library is unaffected.
if [ "$target" = mingw ]; then
  run sed -i '/^#define JSON_INTEGER_FORMAT "I64d"$/c\
#if defined(__USE_MINGW_ANSI_STDIO) && __USE_MINGW_ANSI_STDIO\
#define JSON_INTEGER_FORMAT "lld"\
#else\
#define JSON_INTEGER_FORMAT "I64d"\
#endif' "$stage$prefix/include/jansson_config.h"
fi
rm -rf "$prefix"
mv "$stage$prefix" "$prefix"
rm -rf "$stage" "$bld"
