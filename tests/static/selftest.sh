#!/bin/bash
# SPDX-License-Identifier: MIT
# Self-test of the static gate (tests/static/run.sh): it must fail, saying
# why, when its tool crashes, is missing, or runs and reports nothing, and
# when the mingw headers are missing; and pass with the real tools on a clean
# file. Fake tools go first on PATH; "missing" is a PATH of links to every
# program but that tool; missing headers are a tmpfs over them in a private
# mount namespace (needs root). Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

T=$(mktemp -d /tmp/pt-static-selftest.XXXXXX)
trap 'rm -rf "$T"' EXIT
FILE=module_src/core/error.c     # small, clean, no <windows.h>
PASS=0 FAIL=0

# gate NAME WANT_RC EXPECTED_TEXT [ENV=V...] -- ARGS...: runs the gate.
gate() {
    local name=$1 want=$2 text=$3 envs=() out rc
    shift 3
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    out=$(env "${envs[@]}" bash tests/static/run.sh "$@" 2>&1); rc=$?
    if { [ "$want" = 0 ] && [ "$rc" = 0 ]; } || { [ "$want" != 0 ] && [ "$rc" != 0 ]; }; then
        if [ -z "$text" ] || grep -qF -- "$text" <<<"$out"; then
            PASS=$((PASS + 1)); echo "PASS $name"; return
        fi
    fi
    FAIL=$((FAIL + 1))
    echo "FAIL $name: expected exit ${want/1/non-zero} and '$text'; got exit $rc:"
    tail -n 8 <<<"$out" | sed 's/^/    /'
}

# fake DIR TOOL BODY: a shell script named TOOL in DIR.
fake() { mkdir -p "$1"; printf '#!/bin/sh\n%s\n' "$3" >"$1/$2"; chmod 755 "$1/$2"; }
fake "$T/crash" clang-tidy 'echo "Stack dump:" >&2; kill -SEGV $$'
fake "$T/crash" cppcheck 'echo "Stack dump:" >&2; kill -SEGV $$'
fake "$T/silent" clang-tidy 'exit 0'
fake "$T/silent" cppcheck 'exit 0'
# Every program on PATH except the two tools.
mkdir -p "$T/none"
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
    for p in "$d"/*; do
        b=${p##*/}
        case "$b" in clang-tidy*|cppcheck*) continue ;; esac
        [ -x "$p" ] && [ ! -e "$T/none/$b" ] && ln -s "$p" "$T/none/$b"
    done
done

gate "clang-tidy crashing (SIGSEGV, exit 139) fails" 1 "clang-tidy exited 139 on $FILE" \
    PATH="$T/crash:$PATH" -- clang-tidy "$FILE"
gate "clang-tidy missing fails" 1 "clang-tidy is not installed or not on PATH" \
    PATH="$T/none" -- clang-tidy "$FILE"
gate "clang-tidy reporting nothing, not even the canary's defect, fails" 1 \
    "did not report the known defect in tests/static/canary/tidy.c" \
    PATH="$T/silent:$PATH" -- clang-tidy "$FILE"
gate "cppcheck crashing fails" 1 "cppcheck exited 139" PATH="$T/crash:$PATH" -- cppcheck
gate "cppcheck missing fails" 1 "cppcheck is not installed or not on PATH" PATH="$T/none" -- cppcheck
gate "cppcheck reporting nothing, not even the canary's defect, fails" 1 \
    "did not report its arrayIndexOutOfBounds" PATH="$T/silent:$PATH" -- cppcheck
gate "the real clang-tidy on a clean file passes" 0 "clang-tidy: 1 files, 0 findings" -- clang-tidy "$FILE"

if [ "$(id -u)" != 0 ]; then
    FAIL=$((FAIL + 1))
    echo "FAIL missing mingw headers: needs root for a private mount namespace; running as uid $(id -u)"
elif [ ! -d /usr/x86_64-w64-mingw32/include ]; then
    FAIL=$((FAIL + 1))
    echo "FAIL missing mingw headers: there are none to hide (sh scripts/deps.sh windows)"
else
    out=$(unshare -m --propagation private sh -c \
        'mount -t tmpfs tmpfs /usr/x86_64-w64-mingw32 && exec bash tests/static/run.sh clang-tidy "$1"' \
        _ "$FILE" 2>&1)
    rc=$?
    if [ "$rc" != 0 ] && grep -qF "no mingw headers in /usr/x86_64-w64-mingw32/include" <<<"$out"; then
        PASS=$((PASS + 1)); echo "PASS missing mingw headers fail (no SKIP)"
    else
        FAIL=$((FAIL + 1)); echo "FAIL missing mingw headers: exit $rc: $out"
    fi
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
