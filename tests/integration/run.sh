#!/bin/bash
# SPDX-License-Identifier: MIT
# Integration tests of the built module: `porttune ARGS_FILE` in fresh network
# namespaces.
#
#   run.sh [BINARY] [PATTERN]    BINARY defaults to library/porttune; PATTERN
#                                (a bash glob) picks tests by name
#
# Tests are the functions t_* (run under `unshare --net --mount`, with
# sysctl_file and state_file in a temporary directory) and tn_* (run under
# `ip netns exec` with the namespace's own /etc/netns/NAME/sysctl.d and a
# tmpfs over /var/lib, so the module's default paths are used) in cases/*.sh.
# The last line is "N passed, N failed"; the exit code is 1 when any failed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PT_BIN=$(realpath "${1:-$ROOT/library/porttune}")
PATTERN=${2:-*}
MACHINE_NETNS=$(readlink /proc/self/ns/net)
export HERE PT_BIN MACHINE_NETNS

die() { echo "run.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network and mount namespaces)"
[ -x "$PT_BIN" ] || die "no module binary at $PT_BIN (run make)"
for c in jq unshare ip mount sha256sum; do
  command -v "$c" >/dev/null || die "needs $c"
done

. "$HERE/lib.sh"
for f in "$HERE"/cases/*.sh; do
  . "$f"
done

TMPROOT=$(mktemp -d /tmp/porttune-it.XXXXXX) || die "mktemp failed"
CREATED_NETNS_DIR=""
[ -d /etc/netns ] || { mkdir /etc/netns && CREATED_NETNS_DIR=1; }
# Removes what this run's tn_* tests created (names carry this runner's PID).
cleanup_netns() {
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^ptit-$$-[0-9]+$"); do
    ip netns del "$ns"
  done
  rm -rf /etc/netns/ptit-$$-*
}
cleanup() {
  [ -n "$(jobs -p)" ] && kill $(jobs -p) 2>/dev/null && wait
  cleanup_netns
  [ -n "$CREATED_NETNS_DIR" ] && rmdir /etc/netns 2>/dev/null
  rm -rf "$TMPROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MACHINE_BEFORE=$(machine_stamp)

# Body of one test in its namespace: set up, run, exit 0 only if no assertion
# failed. A setup failure stops the test before the module runs.
body() {
  local setup=$1 name=$2
  printf '%s\n' \
    '. "$HERE/lib.sh"' \
    'for f in "$HERE"/cases/*.sh; do . "$f"; done' \
    "$setup || { echo \"    FAIL: namespace setup failed\" >&2; exit 3; }" \
    "$name" \
    '[ "$FAILS" -eq 0 ]'
}

run_test() {
  local name=$1 n=$2 ns rc
  export T="$TMPROOT/$name"
  mkdir -p "$T"
  case $name in
  t_*)
    unshare --net --mount --propagation private -- bash -c "$(body ns_setup "$name")"
    ;;
  tn_*)
    ns="ptit-$$-$n"
    ip netns add "$ns" || return 1
    mkdir -p "/etc/netns/$ns/sysctl.d" && : >"/etc/netns/$ns/sysctl.conf" &&
      ip netns exec "$ns" bash -c "$(body "netns_setup $ns" "$name")"
    rc=$?
    ip netns del "$ns"
    rm -rf "/etc/netns/$ns"
    return $rc
    ;;
  esac
}

# Tests run in parallel (each has its own namespaces and files); results are
# printed in name order, with the failed tests' details.
JOBS=${PT_IT_JOBS:-$(nproc)}
[ "$JOBS" -gt 8 ] && JOBS=8
NAMES=()
for name in $(declare -F | awk '{print $3}' | grep -E '^tn?_'); do
  # shellcheck disable=SC2053
  [[ $name == $PATTERN ]] && NAMES+=("$name")
done
start=$(date +%s%N)
n=0
for name in "${NAMES[@]}"; do
  n=$((n + 1))
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
    wait -n
  done
  ( run_test "$name" "$n" >"$TMPROOT/$name.log" 2>&1
    echo $? >"$TMPROOT/$name.rc" ) &
done
wait

passed=0
failed=0
for name in "${NAMES[@]}"; do
  if [ "$(cat "$TMPROOT/$name.rc" 2>/dev/null)" = 0 ]; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    sed 's/^/  /' "$TMPROOT/$name.log"
    echo "FAIL $name"
    failed=$((failed + 1))
  fi
done

# Whatever the tests did, the machine's own settings and files are as before.
if [ "$(machine_stamp)" == "$MACHINE_BEFORE" ]; then
  echo "ok   machine_settings_and_files_untouched"
  passed=$((passed + 1))
else
  echo "    FAIL: the machine's own settings or sysctl files changed:" >&2
  diff <(echo "$MACHINE_BEFORE") <(machine_stamp) >&2
  echo "FAIL machine_settings_and_files_untouched"
  failed=$((failed + 1))
fi
for f in /etc/netns/ptit-$$-*; do
  [ -e "$f" ] && { echo "    FAIL: left behind $f"; failed=$((failed + 1)); }
done

echo "integration: $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
