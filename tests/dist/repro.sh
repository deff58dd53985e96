#!/bin/bash
# SPDX-License-Identifier: MIT
# Reproducible artifacts: two clones of HEAD in directories of different
# names and depths, `make dist` in each with one SOURCE_DATE_EPOCH, and the
# two build/dist/SHA256SUMS must be identical (every file byte for byte). On
# a difference, the differing files are shown.
#
#   bash tests/dist/repro.sh            (make repro-test; REPRO_KEEP=1 keeps
#                                        the clones and prints where)
#
# Tests the committed HEAD: uncommitted changes are not in the clones. Each
# clone gets a copy of jansson's already fetched Debian source (the clones
# compile it themselves; only the download is saved) and, when the tree has
# one, a link to its Python venv (tools only; made to look up to date so a
# clone never rebuilds it).
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PASS=0
FAIL=0
ok()  { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/     | /'; }
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" = 0 ] && [ "$PASS" -gt 0 ]; exit $?; }

for tool in git make sha256sum cmp; do
  command -v "$tool" >/dev/null || { bad "$tool not found (sh scripts/deps.sh dist)"; finish; }
done
HEAD=$(git rev-parse HEAD 2>/dev/null) || { bad "not a git checkout: nothing to clone"; finish; }
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] ||
  echo "note: uncommitted changes are not tested; the clones are of HEAD $HEAD"
sh scripts/build-jansson.sh source || { bad "could not fetch jansson's source"; finish; }

EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
TMP=$(mktemp -d /tmp/porttune-repro.XXXXXX)
if [ "${REPRO_KEEP:-}" = 1 ]; then trap 'echo "kept: $TMP"' EXIT; else trap 'rm -rf "$TMP"' EXIT; fi
# Different lengths and depths, so that any build path in an artifact shows.
A=$TMP/a
B=$TMP/second-build/with/a/much/longer/path/porttune
unset MAKEFLAGS MFLAGS MAKELEVEL

build() {   # DIR: clone HEAD there and make dist
  local d=$1 t0
  mkdir -p "$d"
  git init -q "$d" && git -C "$d" fetch -q "$ROOT" "$HEAD" &&
    git -C "$d" checkout -q --detach FETCH_HEAD || return 1
  mkdir -p "$d/build/src"
  cp -a build/src/jansson "$d/build/src/jansson"
  if [ -f .venv/.done ]; then
    ln -s "$ROOT/.venv" "$d/.venv"
    touch -r .venv/.done "$d/requirements.txt"
  fi
  # zig from the checkout's venv and its content-addressed cache (musl's libc
  # per target): tools, not inputs; each clone still compiles every source.
  if [ -f build/zig-venv/.done ]; then
    mkdir -p "$d/build"
    ln -s "$ROOT/build/zig-venv" "$d/build/zig-venv"
  fi
  t0=$(date +%s)
  (cd "$d" && SOURCE_DATE_EPOCH=$EPOCH nice make dist ZIG_CACHE="$ROOT/build/zig-cache") >"$d.log" 2>&1
  local rc=$?
  echo "     make dist in $d: exit $rc, $(( $(date +%s) - t0 )) s"
  return $rc
}

# Both at once: most of each build is single-threaded.
T0=$(date +%s)
build "$A" & pa=$!
build "$B" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
echo "     both builds: $(( $(date +%s) - T0 )) s"
for d in "$ra:$A" "$rb:$B"; do
  rc=${d%%:*} d=${d#*:}
  if [ "$rc" = 0 ]; then ok "make dist in a clone (${#d}-character path)"
  else bad "make dist in $d failed (exit $rc)" "$(tail -n 30 "$d.log")"; fi
done
[ "$FAIL" = 0 ] || finish

SA=$A/build/dist/SHA256SUMS
SB=$B/build/dist/SHA256SUMS
n=$(grep -c . "$SA")
for want in '^porttune_.*\.deb$' '^bin/.*-linux-' '^bin/.*\.exe$'; do
  awk '{print $2}' "$SA" | grep -qE "$want" || bad "SHA256SUMS lists nothing matching $want"
done
echo "     SHA256SUMS ($n files, SOURCE_DATE_EPOCH=$EPOCH):"
sed 's/^/       /' "$SA"
if cmp -s "$SA" "$SB"; then
  ok "both clones built identical artifacts ($n files)"
else
  bad "the clones' artifacts differ" "$(diff "$SA" "$SB")"
  while read -r _ f; do
    cmp -s "$A/build/dist/$f" "$B/build/dist/$f" && continue
    echo "     differs: $f ($(cmp -l "$A/build/dist/$f" "$B/build/dist/$f" 2>/dev/null | wc -l) bytes)"
    case "$f" in
    *.deb)    diff <(dpkg-deb -c "$A/build/dist/$f") <(dpkg-deb -c "$B/build/dist/$f") | head -n 20 ;;
    *.tar.gz) diff <(tar -tvzf "$A/build/dist/$f") <(tar -tvzf "$B/build/dist/$f") | head -n 20 ;;
    *)        cmp -l "$A/build/dist/$f" "$B/build/dist/$f" | head -n 10 ;;
    esac
  done <"$SA"
fi
# Belt and braces: no artifact names the directory it was built in.
hits=$(grep -rlaF -e "$A/" -e "$B/" "$A/build/dist" "$B/build/dist" 2>/dev/null)
if [ -z "$hits" ]; then ok "no build path in the artifacts"; else bad "build paths in" "$hits"; fi
finish
