#!/bin/bash
# SPDX-License-Identifier: MIT
# A real ansible-playbook run of tests/integration/playbook.yml with the module
# from library/ (connection local) on a throwaway network namespace:
# changed, then ok (PLAY RECAP counts); after drift, --check --diff shows the
# diff and changes nothing; a real run fixes it, and the next one is ok.
#
#   playbook.sh        needs root, library/porttune and .venv (make venv)
#
# The play runs under `ip netns exec NS` (own network namespace; own
# /etc/sysctl.d and /etc/sysctl.conf from /etc/netns/NS; a mount namespace in
# which /var/lib is a tmpfs and /proc/sys read-only except /proc/sys/net), so
# the module's default paths are used and nothing of the machine's is touched.
# The last line is "N passed, N failed"; the exit code is 1 when any failed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PLAYBOOK=$HERE/playbook.yml
export HERE ROOT VENV PLAYBOOK

# ---------------------------------------------------------------- inside NS
if [ "${1:-}" = --inside ]; then
  NS=$2
  T=$3
  . "$HERE/lib.sh"
  netns_setup "$NS" || { echo "    FAIL: namespace setup failed" >&2; exit 3; }
  # ansible-core resolves a bare module name by file name without extension,
  # first one listed in the directory (plugins/loader.py), so with
  # library/porttune.exe beside library/porttune a POSIX host may get the .exe.
  # The converge steps use a module path holding only the Linux binary from
  # library/; the last step checks library/ exactly as built.
  mkdir -p "$T/modules"
  ln -s "$ROOT/library/porttune" "$T/modules/porttune"
  [ -f "$ROOT/library/porttune.yml" ] && ln -s "$ROOT/library/porttune.yml" "$T/modules/porttune.yml"
  export HOME=$T/home ANSIBLE_LIBRARY=$T/modules ANSIBLE_CONFIG=$T/ansible.cfg
  export ANSIBLE_LOCAL_TEMP=$T/ansible-local ANSIBLE_REMOTE_TMP=$T/ansible-remote
  export ANSIBLE_HOME=$T/ansible-home ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
  mkdir -p "$HOME"
  printf '[defaults]\nstdout_callback = default\nretry_files_enabled = False\n' >"$ANSIBLE_CONFIG"
  cd "$T" || exit 3

  passed=0
  failed=0
  N=0
  # pb ARGS...: one ansible-playbook run; PB_OUT = its output, PB_RC = exit code.
  pb() {
    N=$((N + 1))
    "$VENV/bin/ansible-playbook" -i localhost, -c local \
      -e "ansible_python_interpreter=$VENV/bin/python" "$@" "$PLAYBOOK" >"$T/run$N.out" 2>&1
    PB_RC=$?
    PB_OUT=$(cat "$T/run$N.out")
  }
  recap() {
    grep -E '^localhost +:' <<<"$PB_OUT" | tr -s ' '
  }
  # step NAME FUNCTION: counts a step as passed when it made no failed assertion.
  step() {
    FAILS=0
    "$2"
    if [ "$FAILS" -eq 0 ]; then
      echo "ok   $1"
      passed=$((passed + 1))
    else
      echo "     ansible-playbook output:" >&2
      sed 's/^/       | /' <<<"$PB_OUT" >&2
      echo "FAIL $1"
      failed=$((failed + 1))
    fi
  }

  first_run() {
    pb
    assert_eq "$PB_RC" 0 "exit code"
    assert_contains "$(recap)" "ok=1 changed=1 unreachable=0 failed=0" "PLAY RECAP"
    assert_eq "$(live_snapshot | grep -v tw_reuse_delay)" "$(printf '%s\n' \
      'ip_local_port_range = 10000 60999' 'ip_local_reserved_ports = 20000-20001' \
      'tcp_fin_timeout = 30' 'tcp_tw_reuse = 1' 'tcp_max_tw_buckets = 5000')" "live values"
    assert_eq "$(tail -n +2 "$SF" 2>&1)" "$(printf '%s\n' \
      'net.ipv4.ip_local_port_range = 10000 60999' 'net.ipv4.ip_local_reserved_ports = 20000-20001' \
      'net.ipv4.tcp_fin_timeout = 30' 'net.ipv4.tcp_tw_reuse = 1' \
      'net.ipv4.tcp_max_tw_buckets = 5000')" "$SF"
    [ -f "$STF" ] || fail "state file $STF missing"
  }

  second_run() {
    local before
    before=$(world_stamp)
    sleep 0.02
    pb
    assert_eq "$PB_RC" 0 "exit code"
    assert_contains "$(recap)" "ok=1 changed=0 unreachable=0 failed=0" "PLAY RECAP"
    assert_eq "$(world_stamp)" "$before" "live values, $SF and the state file"
  }

  check_diff_on_drift() {
    local before
    set_live tcp_fin_timeout 45
    sed -i 's/^net.ipv4.ip_local_port_range = .*/net.ipv4.ip_local_port_range = 12000 60999/' "$SF"
    before=$(world_stamp)
    sleep 0.02
    pb --check --diff
    assert_eq "$PB_RC" 0 "exit code"
    assert_contains "$(recap)" "ok=1 changed=1 unreachable=0 failed=0" "PLAY RECAP"
    assert_contains "$PB_OUT" "--- before: live values (/proc/sys)" "live diff header"
    assert_contains "$PB_OUT" "-net.ipv4.tcp_fin_timeout = 45" "live diff, before"
    assert_contains "$PB_OUT" "+net.ipv4.tcp_fin_timeout = 30" "live diff, after"
    assert_contains "$PB_OUT" "--- before: $SF" "file diff header"
    assert_contains "$PB_OUT" "-net.ipv4.ip_local_port_range = 12000 60999" "file diff, before"
    assert_contains "$PB_OUT" "+net.ipv4.ip_local_port_range = 10000 60999" "file diff, after"
    grep -q '^+net.ipv4.tcp_tw_reuse' <<<"$PB_OUT" && fail "the diff shows tcp_tw_reuse, which does not change"
    assert_eq "$(world_stamp)" "$before" "live values, $SF and the state file after --check"
  }

  fix_drift() {
    pb --diff
    assert_eq "$PB_RC" 0 "exit code"
    assert_contains "$(recap)" "ok=1 changed=1 unreachable=0 failed=0" "PLAY RECAP"
    assert_eq "$(live tcp_fin_timeout)" 30 "live fin_timeout"
    assert_contains "$(cat "$SF")" "net.ipv4.ip_local_port_range = 10000 60999" "$SF"
  }

  # library/ as `make` leaves it (porttune.exe beside porttune):
  # the Linux host must still run the Linux binary.
  library_as_built() {
    ANSIBLE_LIBRARY=$ROOT/library pb --check
    assert_eq "$PB_RC" 0 "exit code with ANSIBLE_LIBRARY=library ($(ls "$ROOT/library" | tr '\n' ' '))"
    assert_contains "$(recap)" "ok=1 changed=0 unreachable=0 failed=0" "PLAY RECAP"
    ! grep -q "porttune.exe: Exec format error" <<<"$PB_OUT" ||
      fail "ansible-core picked library/porttune.exe for a POSIX host (Exec format error)"
  }

  step playbook_first_run_changed first_run
  step playbook_second_run_ok second_run
  step playbook_check_diff_on_drift_changes_nothing check_diff_on_drift
  step playbook_run_fixes_drift fix_drift
  step playbook_then_ok second_run
  step playbook_library_as_built_runs_linux_binary library_as_built
  echo "$passed $failed" >"$T/counts"
  exit 0
fi

# ---------------------------------------------------------------- outside
die() { echo "playbook.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network and mount namespaces)"
[ -x "$ROOT/library/porttune" ] || die "no library/porttune (run make)"
[ -f "$ROOT/library/porttune.exe" ] ||
  die "no library/porttune.exe: the check of which binary a Linux host gets needs it beside library/porttune (make deps; make)"
[ -x "$VENV/bin/ansible-playbook" ] || die "no $VENV/bin/ansible-playbook (run make venv)"
command -v jq >/dev/null || die "needs jq"

MACHINE_NETNS=$(readlink /proc/self/ns/net)
export MACHINE_NETNS
. "$HERE/lib.sh"

T=$(mktemp -d /tmp/porttune-pb.XXXXXX) || die "mktemp failed"
NS=ptpb-$$
CREATED_NETNS_DIR=""
cleanup() {
  ip netns del "$NS" 2>/dev/null
  rm -rf "/etc/netns/$NS"
  [ -n "$CREATED_NETNS_DIR" ] && rmdir /etc/netns 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MACHINE_BEFORE=$(machine_stamp)
[ -d /etc/netns ] || { mkdir /etc/netns && CREATED_NETNS_DIR=1; }
ip netns add "$NS" || die "ip netns add $NS failed"
mkdir -p "/etc/netns/$NS/sysctl.d" && : >"/etc/netns/$NS/sysctl.conf" || die "cannot create /etc/netns/$NS"

start=$(date +%s%N)
ip netns exec "$NS" bash "$HERE/playbook.sh" --inside "$NS" "$T"
read -r passed failed <"$T/counts" 2>/dev/null || { passed=0; failed=1; echo "FAIL playbook steps did not finish"; }

if [ "$(machine_stamp)" == "$MACHINE_BEFORE" ]; then
  echo "ok   machine_settings_and_files_untouched"
  passed=$((passed + 1))
else
  echo "    FAIL: the machine's own settings or sysctl files changed:"
  diff <(echo "$MACHINE_BEFORE") <(machine_stamp)
  echo "FAIL machine_settings_and_files_untouched"
  failed=$((failed + 1))
fi
echo "playbook: $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
