#!/bin/bash
# SPDX-License-Identifier: MIT
# Representative runs of a host build of the module (and its CLI), for
# memory checkers: every path a run takes (converge, idempotent rerun, check
# and diff mode, backup, persist-only, live-only, state=absent, each kind of
# refusal and failure) under WRAPPER (e.g. valgrind), or a sanitized build.
#
#   tests/faults/module-runs.sh BINARY [WRAPPER ARGS...]    (needs root)
#
# Each run's exit code must be the expected one; a checker's report fails the
# run: valgrind with --error-exitcode=99, ASan/UBSan with exitcode=86 (set
# below unless given), or any "Sanitizer"/"runtime error"/"ERROR SUMMARY: N>0"
# on stderr. Runs happen in a network namespace this script creates, with
# files in a temporary directory. Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "$1")
shift
WRAP=("$@")
if [ "$(id -u)" != 0 ]; then
    echo "module-runs: FAIL: needs root for a network namespace; running as uid $(id -u)"
    echo "0 passed, 1 failed"; exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=86:print_stacktrace=1:halt_on_error=1}

T=$(mktemp -d /tmp/ptruns.XXXXXX)
# A private copy: a rebuild of the original during the run must not swap it.
cp "$BIN" "$T/porttune" && BIN=$T/porttune
unshare -n sleep 3600 & NS=$!
cleanup() { kill "$NS" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
while [ "$(readlink /proc/$NS/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
mkdir -p "$T/etc" "$T/state"
F=$T/etc/60-porttune.conf
PASS=0 FAIL=0

# check NAME WANT_RC COMMAND...: runs COMMAND in the namespace under WRAP;
# with $EXPECT set (a jq filter), stdout must also make it print true.
EXPECT=
check() {
    local name=$1 want=$2 rc
    shift 2
    nsenter -t "$NS" -n "${WRAP[@]}" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ -n "$EXPECT" ] && [ "$(jq -r "$EXPECT" "$T/out" 2>&1)" != true ]; then
        echo "    stdout fails $EXPECT" >>"$T/err"; rc="$rc (stdout)"
    fi
    if [ "$rc" = "$want" ] && ! grep -qE 'Sanitizer|runtime error|ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$T/err"; then
        PASS=$((PASS + 1)); echo "ok - $name"
    else
        FAIL=$((FAIL + 1)); echo "not ok - $name (exit $rc, want $want)"
        sed 's/^/    /' "$T/err" | head -60; head -c 600 "$T/out" | sed 's/^/    out: /'; echo
    fi
}
# mod NAME WANT_RC ARGS_JSON [JQ_FILTER]: the Ansible module on an args
# file; the filter, when given, must hold on its result.
mod() {
    jq -n --argjson a "$3" --arg f "$F" --arg s "$T/state/state.json" \
        '{sysctl_file: $f, state_file: $s, _ansible_diff: true} + $a' >"$T/args.json"
    EXPECT=${4:-}
    check "module: $1" "$2" "$BIN" "$T/args.json"
    EXPECT=
}

ALL='{"port_range": "20000-50001", "reserved_ports": "8080,9000-9100", "fin_timeout": 30,
      "tw_reuse": 1, "max_tw_buckets": 100000}'
[ -e /proc/sys/net/ipv4/tcp_tw_reuse_delay ] && ALL=$(jq -c '. + {tw_reuse_delay: 500}' <<<"$ALL")

mod "converge every key" 0 "$ALL" '.changed == true and .failed != true'
mod "rerun is idempotent" 0 "$ALL" '.changed == false and .failed != true and (.settings | length) > 0'
cp "$F" "$T/converged.conf"
mod "rerun leaves the file as it was" 0 "$ALL" '.changed == false'
cmp -s "$F" "$T/converged.conf" || { FAIL=$((FAIL + 1)); echo "not ok - module: rerun rewrote the file"; }
mod "check mode with diff" 0 '{"fin_timeout": "45", "tw_reuse": "2", "_ansible_check_mode": true}'
mod "backup before replacing" 0 '{"fin_timeout": 45, "backup": true}'
mod "persist only" 0 '{"fin_timeout": 50, "apply": false}'
mod "live only" 0 '{"fin_timeout": 55, "persist": false}'
mod "conflicts=fail, ignore" 0 '{"fin_timeout": 55, "conflicts": "ignore"}'
mod "state=absent for one key" 0 '{"state": "absent", "fin_timeout": 30}'
mod "state=absent for all" 0 '{"state": "absent"}'
mod "unknown option" 1 '{"nope": 1, "fin_timeout": 30}'
mod "value out of range" 1 '{"port_range": "70000-1"}'
mod "port set with garbage" 1 '{"reserved_ports": "8080,x"}'
mod "bool that is not one" 1 '{"apply": "maybe"}'
mod "directory missing (live values rolled back)" 1 \
    '{"fin_timeout": 33, "tw_reuse": 0, "sysctl_file": "'"$T"'/nope/x.conf"}'
ln -s "$T/elsewhere" "$T/etc/61-link.conf"
mod "symlink refused" 1 '{"fin_timeout": 33, "sysctl_file": "'"$T"'/etc/61-link.conf"}'
printf '{"fin_timeout": ' >"$T/bad.json"
check "module: malformed args file" 1 "$BIN" "$T/bad.json"
check "module: missing args file" 1 "$BIN" "$T/none.json"
printf '\xef\xbb\xbf{"fin_timeout": 31, "sysctl_file": "%s", "state_file": "%s"}' "$F" "$T/state/state.json" >"$T/bom.json"
check "module: args file with a UTF-8 BOM" 0 "$BIN" "$T/bom.json"

# The CLI, when the binary has it (exit codes as puppet --detailed-exitcodes).
if "$BIN" --help >/dev/null 2>&1; then
    FILES=(--file "$F" --state-file "$T/state/state.json")
    check "cli: --help" 0 "$BIN" --help
    check "cli: no arguments" 64 "$BIN"
    check "cli: set" 2 "$BIN" set fin_timeout=40 net.ipv4.tcp_tw_reuse=2 "${FILES[@]}"
    check "cli: set again (in sync)" 0 "$BIN" set fin_timeout=40 "${FILES[@]}" --json
    check "cli: check" 2 "$BIN" check fin_timeout=41 "${FILES[@]}"
    check "cli: get" 0 "$BIN" get "${FILES[@]}"
    check "cli: get --json" 0 "$BIN" get --json "${FILES[@]}"
    check "cli: facts" 0 "$BIN" facts "${FILES[@]}"
    check "cli: rejected value" 4 "$BIN" set fin_timeout=9999 "${FILES[@]}"
    check "cli: not KEY=VALUE" 64 "$BIN" set fin_timeout "${FILES[@]}"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
