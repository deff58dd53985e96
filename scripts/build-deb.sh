#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the Debian package of the helper with Debian's own tools
# (dpkg-buildpackage, debhelper) in a copy of the tree under build/deb, so the
# source tree stays clean, and put it in build/dist/porttune_VERSION-REV_ARCH.deb.
# jansson's source is fetched here (apt-get source, once) and handed to the
# package build, which compiles it without network.
#
# Usage: bash scripts/build-deb.sh      (make deb)
# Env:   SOURCE_DATE_EPOCH (make dist sets it; dpkg-buildpackage otherwise
#        takes debian/changelog's date)
set -euo pipefail

die() { echo "build-deb: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
for tool in dpkg-buildpackage dpkg-parsechangelog dh; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found; run: sh scripts/deps.sh dist"
done

version=$(cat VERSION)
debver=$(dpkg-parsechangelog -l debian/changelog -SVersion)
[ "${debver%-*}" = "$version" ] ||
  die "debian/changelog's newest entry is $debver but VERSION says $version; add an entry (dch -v $version-1) first"
arch=$(dpkg --print-architecture)
deb=porttune_${debver}_${arch}.deb

sh scripts/build-jansson.sh source

work=build/deb
tree=$work/porttune-$version
rm -rf "$work"
mkdir -p "$tree/build/src" build/dist
# The tree as it is now: git's tracked and new (not ignored) files in a
# checkout, else everything but build outputs.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z -co --exclude-standard |
    while IFS= read -r -d '' f; do
      if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done |
    tar --null -T - -cf - | tar -xf - -C "$tree"
else
  tar --exclude=./build --exclude=./.venv --exclude=./.git \
    --exclude=./library/porttune --exclude=./library/porttune.exe \
    --exclude=./library/porttune_info --exclude=./library/porttune_info.exe \
    --exclude=./library/linux -cf - . | tar -xf - -C "$tree"
fi
cp -a build/src/jansson "$tree/build/src/jansson"

# Not the outer make's jobserver or flags: the package build starts afresh.
unset MAKEFLAGS MFLAGS MAKELEVEL
log=$work/build.log
if ! (cd "$tree" && dpkg-buildpackage -b -us -uc) >"$log" 2>&1; then
  tail -n 40 "$log" | sed 's/^/  | /' >&2
  die "dpkg-buildpackage failed; full log in $log"
fi
[ -f "$work/$deb" ] || die "dpkg-buildpackage made no $work/$deb (see $log)"
rm -f build/dist/porttune_*.deb
cp "$work/$deb" "build/dist/$deb"
echo "deb: build/dist/$deb ($(stat -c %s "build/dist/$deb") bytes)"
