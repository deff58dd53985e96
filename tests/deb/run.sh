#!/bin/bash
# SPDX-License-Identifier: MIT
# Test of the Debian package (make deb): lintian, its control fields, then a
# real dpkg install into a throwaway root (its own admin dir, log and
# /usr; never the machine's), the installed porttune run from there, and a
# purge that leaves nothing behind.
#
#   bash tests/deb/run.sh build/dist/porttune_VERSION-1_ARCH.deb [MODULE_BINARY]
#
# MODULE_BINARY (default library/porttune) is the Ansible module's binary,
# which /usr/bin/porttune must equal byte for byte.
set -u
cd "$(dirname "$0")/../.."
DEB=${1:-}
MOD=${2:-library/porttune}
PASS=0
FAIL=0
ok()  { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/     | /'; }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:  $2
want: $3"; fi; }
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" = 0 ] && [ "$PASS" -gt 0 ]; exit $?; }

[ -n "$DEB" ] && [ -f "$DEB" ] || { bad "no package file '${DEB}' (make deb builds it)"; finish; }
for tool in dpkg dpkg-deb lintian unshare gzip man; do
  command -v "$tool" >/dev/null || { bad "$tool not found (sh scripts/deps.sh dist test)"; finish; }
done
[ "$(id -u)" = 0 ] || { bad "needs root: dpkg installs into a throwaway root as root, unshare -n"; finish; }

VERSION=$(cat VERSION)
DEBVER=$(dpkg-parsechangelog -l debian/changelog -SVersion)
ARCH=$(dpkg --print-architecture)
TMP=$(mktemp -d /tmp/porttune-deb.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# ---- the package file ----
expect_eq "file name is porttune_VERSION-REV_ARCH.deb" "$(basename "$DEB")" "porttune_${VERSION}-1_${ARCH}.deb"
field() { dpkg-deb -f "$DEB" "$1"; }
expect_eq "Package" "$(field Package)" porttune
expect_eq "Version is VERSION-1 (debian/changelog)" "$(field Version)" "$VERSION-1"
expect_eq "debian/changelog agrees" "$DEBVER" "$VERSION-1"
expect_eq "Architecture" "$(field Architecture)" "$ARCH"
jv=$(dpkg-parsechangelog -l build/src/jansson/debian/changelog -SVersion 2>/dev/null)
mv=$(dpkg-query -W -f='${source:Version}' musl-dev 2>/dev/null)
expect_eq "Built-Using names the statically linked jansson and musl" \
  "$(field Built-Using)" "jansson (= $jv), musl (= $mv)"
expect_eq "no dependencies beyond the static binary's none" "$(field Depends)" ""

# lintian as an unprivileged user (it warns against root). Errors and
# warnings fail; overrides (each with its reason in
# debian/porttune.lintian-overrides) are shown as O: lines, and the static
# binary's override showing proves lintian ran its binary checks.
cp "$DEB" "$TMP/pkg.deb"
chmod 0755 "$TMP"
lintian_out=$(runuser -u nobody -- env HOME="$TMP" lintian --display-info --show-overrides \
  --fail-on none "$TMP/pkg.deb" 2>&1)
lrc=$?
chmod 0700 "$TMP"
printf '%s\n' "$lintian_out" | sed 's/^/     lintian: /'
if [ $lrc = 0 ] && ! printf '%s\n' "$lintian_out" | grep -qE '^[EW]: ' &&
   printf '%s\n' "$lintian_out" | grep -q '^O: porttune: statically-linked-binary'; then
  ok "lintian: no errors, no warnings"
else
  bad "lintian: exit $lrc, or E:/W: tags, or the checks did not run" "$lintian_out"
fi
# Every override carries a reason: a comment right above it.
if awk '/^[^#[:space:]]/ { if (prev !~ /^#/) bad = 1 } { prev = $0 } END { exit bad }' \
     debian/porttune.lintian-overrides; then
  ok "each lintian override has a written reason"
else
  bad "a lintian override without a comment above it"
fi

# ---- install with dpkg into a throwaway root ----
R=$TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/log"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
host_had_bin=no
[ -e /usr/bin/porttune ] && host_had_bin=yes
host_log=$(stat -c %s:%Y /var/log/dpkg.log 2>/dev/null)
dp() { dpkg --root="$R" --log="$R/var/log/dpkg.log" "$@"; }

if out=$(dp -i "$DEB" 2>&1); then ok "dpkg -i into the throwaway root"; else bad "dpkg -i" "$out"; fi
expect_eq "dpkg says installed" "$(dp -s porttune 2>/dev/null | sed -n 's/^Status: //p')" "install ok installed"
B=$R/usr/bin/porttune
check "/usr/bin/porttune is executable" test -x "$B"
check "/usr/bin/porttune is the module's binary, byte for byte ($MOD)" cmp "$B" "$MOD"
expect_eq "installed porttune --version" "$("$B" --version 2>&1)" "porttune $VERSION"
if out=$(unshare -n "$B" get 2>&1) && grep -q '^port_range .*net.ipv4.ip_local_port_range' <<<"$out"; then
  ok "installed porttune get (in a new network namespace)"
else
  bad "installed porttune get" "$out"
fi
out=$(unshare -n "$B" get --json 2>&1)
expect_eq "installed porttune get --json reports its version" \
  "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["porttune_version"])' <<<"$out" 2>&1)" "$VERSION"

M=$R/usr/share/man/man1/porttune.1.gz
check "man page installed gzip'd" gzip -t "$M"
check "man page .TH names porttune $VERSION" grep -q "^\.TH PORTTUNE 1 .*\"porttune $VERSION\"" <(zcat "$M")
check "man renders it" bash -c "MANWIDTH=80 man -l '$M' 2>/dev/null | grep -q 'porttune - keep a host'"
D=$R/usr/share/doc/porttune
check "copyright (DEP-5) names porttune, jansson and musl" \
  bash -c "grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' '$D/copyright' &&
           grep -q '^Files: jansson/' '$D/copyright' && grep -q '^Files: musl/' '$D/copyright' &&
           grep -q 'Permission is hereby granted' '$D/copyright'"
check "upstream changelog (CHANGELOG.md) starts at $VERSION" \
  bash -c "zcat '$D/changelog.gz' | grep -m1 '^## ' | grep -qF '[$VERSION]'"
check "Debian changelog" bash -c "zcat '$D/changelog.Debian.gz' | head -1 | grep -qF 'porttune ($VERSION-1)'"
check "README installed" test -s "$D/README.md.gz"
listed=$(dp -L porttune 2>/dev/null | grep -c .)
[ "$listed" -ge 8 ] && ok "dpkg -L lists the package's files ($listed)" || bad "dpkg -L lists $listed paths"

# ---- remove ----
if out=$(dp --purge porttune 2>&1); then ok "dpkg --purge"; else bad "dpkg --purge" "$out"; fi
left=$(find "$R" -path "$R/var" -prune -o -mindepth 1 -print)
expect_eq "nothing of the package left outside var/" "$left" ""
if dp -s porttune >/dev/null 2>&1; then bad "dpkg still knows porttune after the purge"; else ok "dpkg: not installed any more"; fi

# The machine's own dpkg and /usr were never touched.
expect_eq "host /var/log/dpkg.log untouched" "$(stat -c %s:%Y /var/log/dpkg.log 2>/dev/null)" "$host_log"
if [ $host_had_bin = no ] && [ -e /usr/bin/porttune ]; then bad "/usr/bin/porttune appeared on the host"
else ok "host /usr/bin untouched"; fi
finish
