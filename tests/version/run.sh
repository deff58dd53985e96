#!/bin/bash
# SPDX-License-Identifier: MIT
# One version: the top-level VERSION file against every place that repeats
# it (sources, man page, sidecar docs, READMEs, Puppet metadata, Debian and
# project changelogs), the built binaries (the ELF natively, the .exe under
# Wine) and every artifact that make dist listed in build/dist/SHA256SUMS.
#
#   bash tests/version/run.sh        (make version-test, after make dist)
set -u
cd "$(dirname "$0")/../.."
PASS=0
FAIL=0
ok()  { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/     | /'; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:  $2
want: $3"; fi; }
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" = 0 ] && [ "$PASS" -gt 0 ]; exit $?; }

V=$(cat VERSION 2>/dev/null)
if [[ "$V" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then ok "VERSION is $V"; else bad "VERSION '$V' is not MAJOR.MINOR.PATCH"; finish; fi
[ "$(id -u)" = 0 ] || { bad "needs root (unshare -n for porttune get)"; finish; }
TMP=$(mktemp -d /tmp/porttune-version.XXXXXX)
WINEPREFIX=$TMP/wine
cleanup() { [ ! -d "$WINEPREFIX" ] || WINEPREFIX=$WINEPREFIX wineserver -k 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# ---- sources and docs ----
if grep -rnE '#define[[:space:]]+PT_VERSION[[:space:]]+"' module_src >"$TMP/o"; then
  bad "a version written into the C sources (it comes from VERSION via -DPT_VERSION)" "$(cat "$TMP/o")"
else
  ok "no version literal in module_src"
fi
expect_eq "Makefile passes -DPT_VERSION from VERSION" \
  "$(make -s --no-print-directory -f Makefile -f - pt-print-cstd <<<'pt-print-cstd: ; @echo $(filter -DPT_VERSION%,$(CSTD))' 2>&1)" \
  "-DPT_VERSION=\"$V\""
th=$(sed -n 's/^\.TH PORTTUNE 1 "[^"]*" "porttune \([^"]*\)".*/\1/p' module_src/cli/porttune.1)
expect_eq "man page .TH" "$th" "$V"
samples=$(python3 - <<'EOF'
import glob, yaml
for path in sorted(glob.glob("library/*.yml")):
    ret = yaml.safe_load(open(path)).get("RETURN") or {}
    if "porttune_version" in ret:
        print(path, ret["porttune_version"].get("sample"))
EOF
)
[ -n "$samples" ] || bad "no porttune_version in any library/*.yml RETURN"
while read -r path sample; do
  expect_eq "$path: porttune_version sample" "$sample" "$V"
done <<<"$samples"
expect_eq "puppet/porttune/metadata.json version" \
  "$(python3 -c 'import json; print(json.load(open("puppet/porttune/metadata.json"))["version"])')" "$V"
debver=$(dpkg-parsechangelog -l debian/changelog -SVersion)
expect_eq "debian/changelog's newest entry (upstream part)" "${debver%-*}" "$V"
head=$(grep -m1 '^## ' CHANGELOG.md)
if [[ "$head" =~ ^##\ \[([^]]+)\]\ -\ ([0-9]{4}-[0-9]{2}-[0-9]{2})$ ]] && date -d "${BASH_REMATCH[2]}" >/dev/null 2>&1; then
  expect_eq "CHANGELOG.md's newest entry" "${BASH_REMATCH[1]}" "$V"
else
  bad "CHANGELOG.md's newest entry is not '## [VERSION] - YYYY-MM-DD'" "$head"
fi
# Committed galaxy.yml files (the collection's is generated from VERSION):
# a literal version in one must be VERSION.
while IFS= read -r g; do
  gv=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1])).get("version", ""))' "$g")
  if [[ "$gv" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then expect_eq "$g version" "$gv" "$V"; fi
done < <(git ls-files '*galaxy.yml' 2>/dev/null)
# Docs that name an artifact name its current version.
docs=$(git ls-files '*.md' '*.1' 2>/dev/null | grep -v '^CHANGELOG.md$')
stale=$(grep -noE 'porttune(_|-porttune-|-)[0-9]+\.[0-9]+\.[0-9]+' $docs 2>/dev/null |
        grep -vE "(_|-porttune-|-)$V\$")
if [ -z "$stale" ]; then ok "docs name artifacts of $V only"; else bad "docs name other versions" "$stale"; fi

# ---- the built binaries ----
expect_eq "library/porttune --version" "$(library/porttune --version 2>&1)" "porttune $V"
json_version() { python3 -c 'import json, sys; print(json.load(sys.stdin)["porttune_version"])' 2>&1; }
expect_eq "porttune get --json: porttune_version" \
  "$(unshare -n library/porttune get --json 2>&1 | json_version)" "$V"
echo '{"_ansible_check_mode": true}' >"$TMP/args.json"
expect_eq "the module's result: porttune_version" \
  "$(unshare -n library/porttune "$TMP/args.json" 2>&1 | json_version)" "$V"
if [ ! -f library/porttune.exe ]; then
  bad "no library/porttune.exe (make windows)"
elif ! command -v wine >/dev/null || ! command -v wineboot >/dev/null; then
  bad "wine not found for porttune.exe --version (sh scripts/deps.sh windows)"
else
  export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  wineboot -i >/dev/null 2>&1
  expect_eq "library/porttune.exe --version (Wine)" \
    "$(wine library/porttune.exe --version 2>/dev/null | tr -d '\r')" "porttune $V"
fi

# ---- the artifacts of make dist ----
D=build/dist
if [ ! -s "$D/SHA256SUMS" ]; then
  bad "no $D/SHA256SUMS (make dist)"
  finish
fi
if out=$(cd "$D" && sha256sum --strict -c SHA256SUMS 2>&1); then ok "SHA256SUMS matches build/dist"; else bad "sha256sum -c" "$out"; fi
extra=$(cd "$D" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
        LC_ALL=C comm -23 - <(awk '{print $2}' SHA256SUMS | LC_ALL=C sort))
expect_eq "every file in build/dist is in SHA256SUMS" "$extra" ""
arch=$(dpkg --print-architecture)
# Each artifact: its name carries VERSION, and so does what is inside.
seen_deb=0 seen_lin=0 seen_win=0
while read -r _ f; do
  p=$D/$f
  case "$f" in
  porttune_*.deb)
    seen_deb=1
    expect_eq "$f: name" "$f" "porttune_$V-1_$arch.deb"
    expect_eq "$f: Version" "$(dpkg-deb -f "$p" Version)" "$V-1"
    mkdir -p "$TMP/deb" && dpkg-deb -x "$p" "$TMP/deb"
    expect_eq "$f: /usr/bin/porttune --version" "$("$TMP/deb/usr/bin/porttune" --version 2>&1)" "porttune $V"
    ;;
  bin/porttune-*-linux-amd64)
    seen_lin=1
    expect_eq "$f: name" "$f" "bin/porttune-$V-linux-amd64"
    expect_eq "$f --version" "$("$p" --version 2>&1)" "porttune $V"
    ;;
  bin/porttune-*-windows-amd64.exe)
    seen_win=1
    expect_eq "$f: name" "$f" "bin/porttune-$V-windows-amd64.exe"
    if cmp -s "$p" library/porttune.exe; then ok "$f is library/porttune.exe"; else bad "$f differs from library/porttune.exe"; fi
    ;;
  ansible/*.tar.gz)
    expect_eq "$f: name" "$f" "ansible/porttune-porttune-$V.tar.gz"
    expect_eq "$f: MANIFEST.json version" "$(tar -xzOf "$p" MANIFEST.json 2>/dev/null |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["collection_info"]["version"])' 2>&1)" "$V"
    mkdir -p "$TMP/coll" && tar -xzf "$p" -C "$TMP/coll" plugins/modules/porttune 2>/dev/null
    expect_eq "$f: plugins/modules/porttune --version" \
      "$("$TMP/coll/plugins/modules/porttune" --version 2>&1)" "porttune $V"
    ;;
  puppet/*.tar.gz)
    expect_eq "$f: name" "$f" "puppet/porttune-porttune-$V.tar.gz"
    expect_eq "$f: porttune-porttune-$V/metadata.json version" "$(tar -xzOf "$p" \
      "porttune-porttune-$V/metadata.json" 2>/dev/null |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])' 2>&1)" "$V"
    # The helper binary: files/porttune, or files/porttune-ARCH per architecture.
    helper=$(tar -tzf "$p" | grep -E "^porttune-porttune-$V/files/porttune(-[a-z0-9_]+)?$" | head -n 1)
    if [ -n "$helper" ]; then
      mkdir -p "$TMP/pup" && tar -xzf "$p" -C "$TMP/pup" "$helper"
      expect_eq "$f: files/porttune --version" "$("$TMP/pup/$helper" --version 2>&1)" "porttune $V"
    else
      bad "$f: no porttune-porttune-$V/files/porttune[-ARCH] (the helper binary)"
    fi
    ;;
  *)
    bad "$f: no version check for this artifact (add one to tests/version/run.sh)"
    ;;
  esac
done <"$D/SHA256SUMS"
[ $seen_deb = 1 ] || bad "SHA256SUMS lists no .deb"
[ $seen_lin = 1 ] || bad "SHA256SUMS lists no Linux binary"
[ $seen_win = 1 ] || bad "SHA256SUMS lists no Windows binary"
finish
