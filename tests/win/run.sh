#!/bin/bash
# SPDX-License-Identifier: MIT
# The Windows module (library/porttune.exe) under Wine, driven with JSON args
# files as Ansible drives it, in a throwaway WINEPREFIX.
#
#   run.sh [EXE] [FAKE_NETSH] [HOLD_LOCK]    defaults: library/porttune.exe,
#                                build/win/fake_netsh.exe, build/win/hold_lock.exe
#
# Registry values are really written to and read back from the prefix's
# registry (checked with `wine reg query`). Wine's netsh has no `dynamicport`,
# so the dynamic port range runs against tests/win/fake_netsh.c, a TEST DOUBLE
# installed as the prefix's C:\windows\system32\netsh.exe, the one path the
# module runs netsh from (see tests/win/README.md).
# Tests share one prefix and run in order; the last line is
# "N passed, N failed" and the exit code is 1 when any failed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
EXE=$(realpath "${1:-$ROOT/library/porttune.exe}")
FAKE=$(realpath "${2:-$ROOT/build/win/fake_netsh.exe}")
HOLD=$(realpath "${3:-$ROOT/build/win/hold_lock.exe}")

die() { echo "run.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

WINE=$(command -v wine || command -v wine64) || die "needs wine (sh scripts/deps.sh windows)"
for c in jq wineboot wineserver iconv od facter; do
  command -v "$c" >/dev/null || die "needs $c"
done
[ -f "$EXE" ] || die "no $EXE (make windows)"
[ -f "$FAKE" ] || die "no $FAKE (make build/win/fake_netsh.exe)"
[ -f "$HOLD" ] || die "no $HOLD (make build/win/hold_lock.exe)"
command -v setpriv >/dev/null || die "needs setpriv (util-linux)"
[ "$(id -u)" = 0 ] || die "needs root: the view-without-rights test runs Wine as nobody"

export WINEDEBUG=-all
# No Mono or Gecko: nothing here needs .NET or HTML, and the installer
# prompts would stall wineboot. netsh.exe=n: Wine prefers its builtin netsh
# to the system32 file (a stub saying "Wine builtin DLL" after wineboot), so
# without it the double installed there below would never run.
export WINEDLLOVERRIDES="mscoree,mshtml=;netsh.exe=n"
WINEPREFIX=$(mktemp -d /tmp/porttune-wine.XXXXXX) || die "mktemp failed"
export WINEPREFIX
cleanup() {
  wineserver -k 2>/dev/null    # this prefix's server only (WINEPREFIX is set)
  rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { printf '%d.%d' $(( $1 / 1000 )) $(( $1 % 1000 / 100 )); }
T0=$(ms)
wineboot -i >/dev/null 2>&1 || die "wineboot -i failed in $WINEPREFIX"
# One server for the whole run: each wine command otherwise starts its own.
wineserver -p
BOOT=$(( $(ms) - T0 ))

C="$WINEPREFIX/drive_c/pt"
mkdir -p "$C"
cp "$EXE" "$C/porttune.exe"
# shellcheck source=tests/win/lib.sh
. "$HERE/lib.sh"
pt_wine_install_netsh "$FAKE" "$C" || die "cannot install the netsh double"
mkdir -p "$C/decoy"
cp "$FAKE" "$C/decoy/netsh.exe"
export FAKE_NETSH_SELF='C:\pt\netsh-self.txt'
cp "$HOLD" "$C/hold_lock.exe"
export FAKE_NETSH_STATE='C:\pt\netsh-state.txt'
export FAKE_NETSH_LOG='C:\pt\netsh-log.txt'
export FAKE_NETSH_FAIL=""
TCPIP='HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
STATEKEY='HKLM\SOFTWARE\porttune'

# ---- helpers ----

OUT=""; RC=0; ERRS=()
bad() { ERRS+=("$*"); }

# run_pt JSON [WINDOWS_ARGS_NAME]: writes the args file (as bytes), runs the
# module like Ansible does, keeps stdout in $OUT and the exit code in $RC.
run_pt() {
  local name=${2:-args.json}
  printf '%s' "$1" > "$C/$name"
  : > "$C/netsh-log.txt"
  rm -f "$C"/netsh-state.txt.failed-* "$C"/netsh-state.txt.passed-*
  OUT=$("$WINE" 'C:\pt\porttune.exe' "C:\\pt\\$name" 2>"$C/stderr.txt")
  RC=$?
  if ! printf '%s' "$OUT" | jq -e 'type == "object"' >/dev/null 2>&1; then
    bad "output is not one JSON object: $OUT $(cat "$C/stderr.txt")"
    OUT='{}'
  fi
}
j() { printf '%s' "$OUT" | jq -c "$@"; }
eq() {   # eq ACTUAL EXPECTED WHAT
  [ "$1" = "$2" ] || bad "$3: expected '$2', got '$1'"
}
has() {  # has TEXT PART WHAT
  case "$1" in *"$2"*) ;; *) bad "$3: expected '$2' in: $1" ;; esac
}
hasnt() {
  case "$1" in *"$2"*) bad "$3: did not expect '$2' in: $1" ;; esac
}
ok_run() { eq "$RC" 0 "exit code"; eq "$(j .failed)" null "failed (msg: $(j .msg))"; }
fail_run() { eq "$RC" 1 "exit code"; eq "$(j .failed)" true "failed"; }
warnings() { j '.warnings | join(" | ")'; }

# reg_get NAME [KEY]: "absent", the number of a REG_DWORD, or "TYPE DATA".
reg_get() {
  local line
  line=$("$WINE" reg query "${2:-$TCPIP}" /v "$1" 2>/dev/null | tr -d '\r' |
         awk -v n="$1" '$1 == n { $1 = ""; sub(/^ +/, ""); print; exit }')
  case "$line" in
    "") echo absent ;;
    REG_DWORD*) printf '%d\n' "$(awk '{print $2}' <<<"$line")" ;;
    *) echo "$line" | tr -s ' ' ;;
  esac
}
reg_set() { "$WINE" reg add "$TCPIP" /v "$1" /t "$2" /d "$3" /f >/dev/null 2>&1 || bad "reg add $1 failed"; }
state_key_exists() { "$WINE" reg query "$STATEKEY" >/dev/null 2>&1; }
# The fake netsh's two ranges as "ipv4 S N ipv6 S N" (defaults when unset).
netsh_state() {
  if [ -f "$C/netsh-state.txt" ]; then tr -d '\r' < "$C/netsh-state.txt" | grep -E '^ipv[46] ' | tr -s '\n' ' ' | sed 's/ *$//'
  else echo "ipv4 49152 16384 ipv6 49152 16384"; fi
}
netsh_sets() { grep -c ' set ' "$C/netsh-log.txt" 2>/dev/null || true; }
# The fake netsh's excluded ranges, sorted, as "LO-HI[*]" (* = administered).
excl_state() {
  if [ -f "$C/netsh-state.txt" ] && grep -q '^excl-list' "$C/netsh-state.txt"; then
    tr -d '\r' < "$C/netsh-state.txt" | awk '$1 == "excl" { print $2, $3, $4 }' | sort -n |
      awk '{ printf "%s%s-%s%s", sep, $1, $2, ($3 == "admin" ? "*" : ""); sep = " " } END { print "" }'
  else echo "5357-5357 50000-50059*"; fi
}
# Seeds the fake's excluded ranges: excl_seed "5357 5357 system" "50000 50059 admin" ...
excl_seed() {
  local keep=""
  [ -f "$C/netsh-state.txt" ] && keep=$(tr -d '\r' < "$C/netsh-state.txt" | grep -E '^ipv[46] ')
  { [ -n "$keep" ] && echo "$keep"; echo excl-list
    for r in "$@"; do echo "excl $r"; done; } > "$C/netsh-state.txt"
}
netsh_excl_changes() { grep -cE ' (add|delete) excludedportrange' "$C/netsh-log.txt" 2>/dev/null || true; }
snapshot() {
  "$WINE" reg query "$TCPIP" 2>/dev/null | tr -d '\r' | grep -E 'TcpTimedWaitDelay|MaxUserPort'
  "$WINE" reg query "$STATEKEY" 2>/dev/null | tr -d '\r'
  netsh_state
  excl_state
}

# wine_version NAME: the Windows version Wine reports (winxp64, win7, win10),
# as winecfg sets it; "" for Wine's default (Windows 7).
wine_version() {
  if [ -n "$1" ]; then "$WINE" reg add 'HKCU\Software\Wine' /v Version /d "$1" /f >/dev/null 2>&1
  else "$WINE" reg delete 'HKCU\Software\Wine' /v Version /f >/dev/null 2>&1; fi
}
# pt_cli ARGS...: porttune.exe as the CLI; stdout in $OUT, stderr in $ERR, exit code in $RC.
pt_cli() {
  OUT=$("$WINE" 'C:\pt\porttune.exe' "$@" 2>"$C/stderr.txt"); RC=$?
  ERR=$(tr -d '\r' <"$C/stderr.txt")
  OUT=$(printf '%s' "$OUT" | tr -d '\r')
}

PASS=0; FAIL=0
t() {  # t NAME: runs function NAME
  ERRS=()
  "$1"
  if [ ${#ERRS[@]} -eq 0 ]; then
    PASS=$((PASS + 1)); echo "PASS $1"
  else
    FAIL=$((FAIL + 1)); echo "FAIL $1"
    printf '    %s\n' "${ERRS[@]}"
  fi
}

# ---- tests (in order: each starts from the state the previous one left) ----

# The module runs netsh only as C:\windows\system32\netsh.exe, by that full
# path: not a program the environment names (the release builds had a test
# hook for that) nor one found first on PATH (WINEPATH goes before Wine's
# own PATH), and the double there really runs, not Wine's builtin.
t_netsh_runs_from_system32_only() {
  rm -f "$C/netsh-self.txt"
  PORTTUNE_TEST_NETSH='C:\pt\decoy\netsh.exe' WINEPATH='C:\pt\decoy' \
    run_pt '{"port_range": "49152-65535", "_ansible_check_mode": true}'
  ok_run
  eq "$(tr -d '\r' < "$C/netsh-self.txt" 2>/dev/null | tr 'A-Z' 'a-z')" \
    'c:\windows\system32\netsh.exe' "the program the module started (argv[0] of the double)"
  eq "$(grep -c 'show dynamicport tcp' "$C/netsh-log.txt" 2>/dev/null)" 2 "show calls the double logged"
}

t_check_mode_fresh_host_writes_nothing() {
  local before; before=$(snapshot)
  run_pt '{"time_wait_delay": 60, "max_user_port": 20000,
           "_ansible_check_mode": true, "_ansible_module_name": "porttune"}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(j .reboot_required)" true "reboot_required"
  eq "$(j .settings.time_wait_delay.before)" 120 "TcpTimedWaitDelay absent reads as the default"
  eq "$(j .settings.time_wait_delay.before_is_default)" true "before_is_default"
  eq "$(j .settings.max_user_port.before)" null "MaxUserPort absent has no default on Vista+"
  run_pt '{"time_wait_delay": 60, "port_range": "10000-59999", "_ansible_check_mode": true}'
  ok_run
  eq "$(j .settings.port_range.before)" '"49152-65535"' "dynamic range before"
  eq "$(netsh_sets)" 0 "netsh set calls"
  eq "$(snapshot)" "$before" "registry and netsh state"
}

t_apply_writes_registry_and_reports_reboot() {
  run_pt '{"time_wait_delay": 60, "max_user_port": 20000}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(j .reboot_required)" true "reboot_required"
  eq "$(j .settings.time_wait_delay.after)" 60 "after"
  # Wine 8 reports Windows 7 (6.1) unless HKCU\Software\Wine says otherwise.
  has "$(warnings)" "max_user_port: WARNING: setting MaxUserPort = 20000 on Windows 6.1 (Vista or later) is not ignored: at the next boot Windows sets the TCP dynamic port range to 1024-20000 (netsh: start=1024 num=18977)" "loud warning"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "TcpTimedWaitDelay in the registry"
  eq "$(reg_get MaxUserPort)" 20000 "MaxUserPort in the registry"
  eq "$(reg_get time_wait_delay "$STATEKEY")" "REG_SZ absent" "original recorded"
  eq "$(reg_get max_user_port "$STATEKEY")" "REG_SZ absent" "original recorded"
}

t_second_run_is_unchanged() {
  run_pt '{"time_wait_delay": 60, "max_user_port": 20000}'
  ok_run
  eq "$(j .changed)" false "changed"
  eq "$(j .reboot_required)" false "reboot_required"
  eq "$(j .settings.time_wait_delay.before_is_default)" false "before_is_default"
  run_pt '{"time_wait_delay": "60", "max_user_port": "20000"}'
  ok_run
  eq "$(j .changed)" false "changed with string ints"
}

# rejects_each COUNT_FN: every "ARGS|MESSAGE" line on stdin fails with
# MESSAGE and "Nothing was changed." (except Ansible's own wording), and
# COUNT_FN counts no netsh calls that would change anything.
rejects_each() {
  local args msg
  while IFS='|' read -r args msg; do
    run_pt "$args"
    fail_run
    has "$(j -r .msg)" "$msg" "$args"
    case "$msg" in Unsupported*) ;;   # Ansible's own wording, kept as is
      *) has "$(j -r .msg)" "Nothing was changed." "$args" ;; esac
    eq "$("$1")" 0 "netsh calls ($1) for $args"
  done
}

t_invalid_values_rejected_nothing_written() {
  local before
  before=$(snapshot)
  rejects_each netsh_sets <<'CASES'
{"time_wait_delay": 10}|time_wait_delay: 10 is out of range; allowed values are 30-300.
{"time_wait_delay": 301, "max_user_port": 6000}|time_wait_delay: 301 is out of range
{"max_user_port": 70000}|max_user_port: 70000 is out of range; allowed values are 5000-65534.
{"port_range": "1000-5000"}|port_range: 1000-5000 is not a valid Windows dynamic port range; it must start at 1025 or above and hold at least 255 ports.
{"port_range": [50000, 50100], "time_wait_delay": 30}|port_range: 50000-50100 is not a valid Windows dynamic port range
{"port_range": "60000-50000"}|ends before it starts
{"time_wait_delay": "soon"}|argument 'time_wait_delay' is of type str and we were unable to convert to int
{"time_wait_delay": [60]}|argument 'time_wait_delay' is of type list and we were unable to convert to int
{"max_user_port": true}|argument 'max_user_port' is of type bool
{"port_range": {"start": 1}}|port_range: expected "START-END", "START END" or [START, END], got a dict.
{"colour": "blue", "time_wait_delay": 30}|Unsupported parameters for (porttune) module: colour. Supported parameters include:
{"state": "gone"}|value of state must be one of: present, absent, got: gone.
{"time_wait_delay": 30,|cannot parse the arguments file
CASES
  eq "$(snapshot)" "$before" "registry and netsh state after all rejected runs"
}

t_linux_options_skipped_with_warning() {
  run_pt '{"fin_timeout": 30, "tw_reuse": 1, "tw_reuse_delay": 500,
           "max_tw_buckets": 0, "time_wait_delay": 60}'
  ok_run
  eq "$(j .changed)" false "changed"
  local w; w=$(warnings)
  for k in fin_timeout tw_reuse tw_reuse_delay max_tw_buckets; do
    has "$w" "$k applies to Linux hosts only; skipped on this Windows host." "warning"
  done
  eq "$(j '.settings | keys')" '["time_wait_delay"]' "settings reported"
  eq "$(j 'has("sysctl_file")')" false "no sysctl_file on Windows"
}

t_args_file_with_bom() {
  printf '\xef\xbb\xbf{"time_wait_delay": 60, "_ansible_check_mode": false}' > "$C/bom.json"
  OUT=$("$WINE" 'C:\pt\porttune.exe' 'C:\pt\bom.json' 2>/dev/null); RC=$?
  ok_run
  eq "$(j .changed)" false "changed"
}

t_non_ascii_path_and_utf8_output() {
  # Ansible's temp paths hold the user name, which need not be ASCII.
  run_pt '{"time_wait_delay": 60, "_ansible_check_mode": true}' "ärgs é.json"
  ok_run
  eq "$(j .changed)" false "changed"
  run_pt '{"tïme_wait_délay": 60}'
  fail_run
  has "$(j -r .msg)" "Unsupported parameters for (porttune) module: tïme_wait_délay." "UTF-8 in msg"
  printf '%s' "$OUT" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || bad "output is not valid UTF-8"
  "$WINE" 'C:\pt\porttune.exe' 'C:\pt\args.json' 2>/dev/null | od -c | grep -q '\\r' &&
    bad "output has a CR: stdout must be binary"
  run_pt '{}' "nö such.json"
  rm -f "$C/nö such.json"
  OUT=$("$WINE" 'C:\pt\porttune.exe' 'C:\pt\nö such.json' 2>/dev/null); RC=$?
  fail_run
  has "$(j -r .msg)" 'cannot read C:\pt\nö such.json:' "missing file named in UTF-8"
}

# Ansible passes C:\...\args; a bare word naming no file is a mistyped command.
t_mistyped_command_is_a_usage_error() {
  local err
  OUT=$(cd "$C" && "$WINE" 'C:\pt\porttune.exe' gte 2>"$C/stderr.txt"); RC=$?
  err=$(tr -d '\r' <"$C/stderr.txt")
  eq "$RC" 64 "porttune.exe gte: exit code"
  eq "$OUT" "" "porttune.exe gte: nothing on stdout"
  has "$err" "porttune: unknown command 'gte' (nor a file to read as Ansible arguments)." "message"
  has "$err" "usage: porttune get" "usage on stderr"
  # The same bare word naming a file in the working directory is an args file.
  printf '{"time_wait_delay": 60, "_ansible_check_mode": true}' >"$C/gte"
  OUT=$(cd "$C" && "$WINE" 'C:\pt\porttune.exe' gte 2>/dev/null); RC=$?
  rm -f "$C/gte"
  ok_run
  eq "$(j .changed)" false "a bare word naming a file: the module's result"
}

t_diff_mode_text() {
  run_pt '{"time_wait_delay": 90, "port_range": "49152-65535", "_ansible_diff": true,
           "_ansible_check_mode": true}'
  ok_run
  eq "$(j '.diff | length')" 1 "one diff entry (no file on Windows)"
  eq "$(j -r '.diff[0].before')" $'DynamicPortRange = 49152 65535\nTcpTimedWaitDelay = 60' "diff before"
  eq "$(j -r '.diff[0].after')" $'DynamicPortRange = 49152 65535\nTcpTimedWaitDelay = 90' "diff after"
  eq "$(j -r '.diff[0].before_header')" "live values" "header"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "check mode left the registry"
}

t_port_range_via_netsh_double() {
  run_pt '{"port_range": "10000-59999"}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(j .reboot_required)" false "the dynamic range needs no reboot"
  eq "$(j .settings.port_range.before)" '"49152-65535"' "before"
  eq "$(j .settings.port_range.after)" '"10000-59999"' "after"
  eq "$(netsh_state)" "ipv4 10000 50000 ipv6 10000 50000" "both families set"
  has "$(cat "$C/netsh-log.txt")" "interface ipv6 set dynamicport tcp start=10000 num=50000" "netsh call"
  eq "$(reg_get port_range "$STATEKEY")" "REG_SZ 49152 65535" "original recorded"
}

t_port_range_idempotent_any_form() {
  local form
  for form in '"10000-59999"' '"10000 59999"' '[10000, 59999]' '["10000", "59999"]'; do
    run_pt "{\"port_range\": $form}"
    ok_run
    eq "$(j .changed)" false "changed for $form"
    eq "$(netsh_sets)" 0 "netsh set calls for $form"
  done
  eq "$(j .capacity.usable_ports)" 50000 "capacity usable ports"
  eq "$(j .capacity.time_wait_seconds)" 60 "capacity uses TcpTimedWaitDelay"
  eq "$(j .capacity.max_new_connections_per_second)" 833.33 "capacity rate (50000 / 60, rounded down)"
}

t_port_range_check_mode_writes_nothing() {
  run_pt '{"port_range": "20000-29999", "_ansible_check_mode": "yes"}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(netsh_sets)" 0 "netsh set calls"
  eq "$(netsh_state)" "ipv4 10000 50000 ipv6 10000 50000" "netsh state"
}

t_rollback_when_ipv6_set_fails() {
  # (max_user_port with port_range is refused before anything is written:
  # t_max_user_port_contradicts_port_range.)
  FAKE_NETSH_FAIL=ipv6-set run_pt '{"time_wait_delay": 200, "port_range": "20000-40000"}'
  fail_run
  has "$(j -r .msg)" "fake netsh told to fail: ipv6-set" "msg names netsh's error"
  has "$(j -r .msg)" "The values this run wrote were put back." "msg says rolled back"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "TcpTimedWaitDelay put back"
  eq "$(reg_get MaxUserPort)" 20000 "MaxUserPort untouched"
  eq "$(netsh_state)" "ipv4 10000 50000 ipv6 10000 50000" "IPv4 range put back"
}

t_rollback_when_a_set_half_happens() {
  FAKE_NETSH_FAIL=ipv4-set-half-once run_pt '{"time_wait_delay": 45, "port_range": "20000-40000"}'
  fail_run
  has "$(j -r .msg)" "put back" "msg"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "TcpTimedWaitDelay put back"
  eq "$(netsh_state)" "ipv4 10000 50000 ipv6 10000 50000" "half-written IPv4 put back"
}

t_netsh_show_failure() {
  FAKE_NETSH_FAIL=ipv6-show run_pt '{"port_range": "20000-40000", "time_wait_delay": 45}'
  fail_run
  has "$(j -r .msg)" "port_range: cannot read the TCP dynamic port range for IPv6" "msg"
  has "$(j -r .msg)" "Nothing was changed." "msg"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "registry untouched"
  # Not asked for the range: the run still works, capacity is unknown.
  FAKE_NETSH_FAIL=ipv4-show run_pt '{"time_wait_delay": 60}'
  ok_run
  eq "$(j .capacity)" null "capacity without a range"
}

t_ipv4_ipv6_differ() {
  printf 'ipv4 10000 50000\nipv6 30000 1000\n' > "$C/netsh-state.txt"
  run_pt '{"port_range": "10000-59999"}'
  ok_run
  eq "$(j .changed)" true "changed"
  has "$(warnings)" "differs between IPv4 (10000-59999) and IPv6 (30000-30999)" "warning"
  eq "$(netsh_state)" "ipv4 10000 50000 ipv6 10000 50000" "both agree now"
  eq "$(netsh_sets)" 1 "only IPv6 was set"
}

t_out_of_range_registry_value_reported() {
  reg_set TcpTimedWaitDelay REG_DWORD 10
  run_pt '{"time_wait_delay": 60, "_ansible_check_mode": true}'
  ok_run
  has "$(warnings)" "TcpTimedWaitDelay is 10 in the registry, outside the range Windows documents (30-300)" "warning"
  eq "$(j .settings.time_wait_delay.before)" 10 "before"
  eq "$(reg_get TcpTimedWaitDelay)" 10 "check mode left it"
  run_pt '{"time_wait_delay": 60}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "replaced"
}

t_wrong_type_registry_value_rewritten() {
  reg_set MaxUserPort REG_SZ 20000
  run_pt '{"max_user_port": 20000}'
  ok_run
  has "$(warnings)" "MaxUserPort in the registry is a REG_SZ, not a REG_DWORD" "warning"
  eq "$(j .changed)" true "changed"
  eq "$(reg_get MaxUserPort)" 20000 "now a REG_DWORD"
}

t_state_absent_restores_originals() {
  run_pt '{"state": "absent", "_ansible_diff": true}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(j .reboot_required)" true "reboot_required"
  eq "$(reg_get TcpTimedWaitDelay)" absent "TcpTimedWaitDelay deleted again"
  eq "$(reg_get MaxUserPort)" absent "MaxUserPort deleted again"
  eq "$(netsh_state)" "ipv4 49152 16384 ipv6 49152 16384" "dynamic range restored"
  eq "$(excl_state)" "5357-5357 50000-50059*" "porttune's excluded range removed, others kept"
  state_key_exists && bad "HKLM\\SOFTWARE\\porttune still exists"
  run_pt '{"state": "absent"}'
  ok_run
  eq "$(j .changed)" false "second absent run"
}

t_rollback_deletes_values_that_were_absent() {
  local excl; excl=$(excl_state)
  FAKE_NETSH_FAIL=ipv4-add run_pt '{"time_wait_delay": 100, "max_user_port": 40000,
                                   "reserved_ports": "7000"}'
  fail_run
  has "$(j -r .msg)" "fake netsh told to fail: ipv4-add" "msg names netsh's error"
  has "$(j -r .msg)" "The values this run wrote were put back." "msg"
  eq "$(excl_state)" "$excl" "excluded ranges unchanged"
  eq "$(reg_get TcpTimedWaitDelay)" absent "TcpTimedWaitDelay absent again"
  eq "$(reg_get MaxUserPort)" absent "MaxUserPort absent again"
  eq "$(netsh_state)" "ipv4 49152 16384 ipv6 49152 16384" "range unchanged"
}

t_pre_vista_host() {
  "$WINE" reg add 'HKCU\Software\Wine' /v Version /d winxp64 /f >/dev/null 2>&1
  run_pt '{"max_user_port": 5000, "time_wait_delay": 120, "_ansible_check_mode": true}'
  ok_run
  eq "$(j .changed)" false "defaults asked for"
  eq "$(j .settings.max_user_port.before)" 5000 "MaxUserPort default before Vista"
  eq "$(j .settings.max_user_port.before_is_default)" true "before_is_default"
  hasnt "$(warnings)" "MaxUserPort" "no MaxUserPort warning before Vista"
  run_pt '{"port_range": "10000-59999"}'
  fail_run
  has "$(j -r .msg)" "port_range: Windows before Vista has no dynamic port range" "msg"
  "$WINE" reg delete 'HKCU\Software\Wine' /v Version /f >/dev/null 2>&1
}

# The diagnosis reads and never writes (its counts on real sockets are in
# tests/win/diag.sh); what it cannot read fails it; before Vista it has no
# dynamic range to measure against.
t_diagnosis_reads_only() {
  local before tw; before=$(snapshot)
  tw=$(reg_get TcpTimedWaitDelay); [ "$tw" = absent ] && tw=120
  "$WINE" 'C:\pt\porttune.exe' diagnose --json >"$C/out.txt" 2>"$C/stderr.txt"; RC=$?
  OUT=$(tr -d '\r' <"$C/out.txt")
  case "$RC" in 0|2) ;; *) bad "diagnose exit code $RC: $(cat "$C/stderr.txt")" ;; esac
  eq "$(j .source)" '"GetExtendedTcpTable"' "source"
  eq "$(j '.capacity.time_wait_seconds')" "$tw" "TIME_WAIT from TcpTimedWaitDelay"
  eq "$(grep -cE ' (set|add|delete) ' "$C/netsh-log.txt")" 0 "netsh only shows"
  eq "$(snapshot)" "$before" "registry and netsh state"
  : > "$C/netsh-log.txt"
  FAKE_NETSH_FAIL=ipv6-exshow "$WINE" 'C:\pt\porttune.exe' diagnose --json >"$C/out.txt" \
    2>"$C/stderr.txt"; RC=$?
  OUT=$(tr -d '\r' <"$C/out.txt")
  eq "$RC" 4 "a failed netsh read: exit code"
  has "$(j -r .msg)" "cannot read the TCP excluded port ranges for IPv6" "msg"
  "$WINE" reg add 'HKCU\Software\Wine' /v Version /d winxp64 /f >/dev/null 2>&1
  OUT=$("$WINE" 'C:\pt\porttune.exe' diagnose --json 2>"$C/stderr.txt"); RC=$?
  eq "$RC" 4 "pre-Vista diagnose exit code"
  has "$(j -r .msg)" "needs Windows Vista or later" "pre-Vista msg"
  run_pt '{"_ansible_module_name": "porttune_info", "top": 3, "_ansible_check_mode": true}'
  fail_run
  eq "$(j .changed)" false "porttune_info changed"
  has "$(j -r .msg)" "needs Windows Vista or later" "porttune_info msg"
  "$WINE" reg delete 'HKCU\Software\Wine' /v Version /f >/dev/null 2>&1
  eq "$(snapshot)" "$before" "registry and netsh state"
}


# ---- reserved_ports: excluded port ranges (5357 held by the system and an
# administered 50000-50059 that porttune did not add, as on a real host) ----

t_reserved_check_mode_and_diff_write_nothing() {
  excl_seed "5357 5357 system" "50000 50059 admin"
  local before; before=$(snapshot)
  run_pt '{"reserved_ports": "8080,9000-9100", "_ansible_check_mode": true, "_ansible_diff": true}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(j -r '.diff[0].before')" 'ExcludedPortRange = 5357,50000-50059' "diff before"
  eq "$(j -r '.diff[0].after')" 'ExcludedPortRange = 5357,8080,9000-9100,50000-50059' "diff after"
  eq "$(netsh_excl_changes)" 0 "netsh add/delete calls"
  eq "$(snapshot)" "$before" "registry and netsh state"
}

t_reserved_first_run_adds_only_missing() {
  run_pt '{"reserved_ports": [8080, "9000-9100", "50010-50020"]}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(j .reboot_required)" false "excluded ranges need no reboot"
  eq "$(j .settings.reserved_ports.name)" '"ExcludedPortRange"' "name"
  eq "$(j .settings.reserved_ports.before)" '"5357,50000-50059"' "before"
  eq "$(j .settings.reserved_ports.after)" '"5357,8080,9000-9100,50000-50059"' "after"
  eq "$(excl_state)" "5357-5357 8080-8080* 9000-9100* 50000-50059*" "excluded ranges"
  local log; log=$(cat "$C/netsh-log.txt")
  has "$log" "interface ipv4 add excludedportrange protocol=tcp startport=8080 numberofports=1 store=persistent" "netsh add 8080"
  has "$log" "interface ipv4 add excludedportrange protocol=tcp startport=9000 numberofports=101 store=persistent" "netsh add 9000-9100"
  hasnt "$log" "startport=50010" "50010-50020 is excluded already (by someone else)"
  hasnt "$log" "delete" "no delete"
  hasnt "$log" "ipv6 add" "IPv6 shares the list: nothing left to add"
  eq "$(reg_get reserved_ports_ipv4 "$STATEKEY")" "REG_SZ 8080,9000-9100" "ranges porttune added recorded"
  eq "$(reg_get reserved_ports_ipv6 "$STATEKEY")" absent "nothing added for IPv6"
  eq "$(j .capacity.reserved_in_range)" 60 "capacity counts excluded ports in the dynamic range"
  # The dynamic range (left by earlier tests) minus those 60; the rate is
  # usable / TIME_WAIT seconds rounded down to hundredths (core/capacity.c).
  eq "$(j '.capacity | .usable_ports == .range_size - 60 and .max_new_connections_per_second ==
          ((.usable_ports * 100 / .time_wait_seconds) | floor) / 100')" true \
    "capacity usable ports and rate: $(j .capacity)"
  # `porttune get` reports the same capacity object as the module.
  eq "$("$WINE" 'C:\pt\porttune.exe' get --json 2>/dev/null | tr -d '\r' | jq -c .capacity)" \
    "$(j -c .capacity)" "porttune get: the same capacity object"
}

t_reserved_second_run_unchanged() {
  local form
  for form in '"9000-9100, 8080,50010-50020"' '[8080, 9000, "9001-9100"]' '"8080,9000-9100"'; do
    run_pt "{\"reserved_ports\": $form}"
    ok_run
    eq "$(j .changed)" false "changed for $form"
    eq "$(netsh_excl_changes)" 0 "netsh add/delete calls for $form"
  done
}

t_reserved_shrink_replaces_own_range_only() {
  run_pt '{"reserved_ports": "8080,9000-9050"}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(excl_state)" "5357-5357 8080-8080* 9000-9050* 50000-50059*" "excluded ranges"
  has "$(cat "$C/netsh-log.txt")" "ipv4 delete excludedportrange protocol=tcp startport=9000 numberofports=101 store=persistent" "delete own range"
  eq "$(reg_get reserved_ports_ipv4 "$STATEKEY")" "REG_SZ 8080,9000-9050" "record"
  run_pt '{"reserved_ports": "8080"}'
  ok_run
  eq "$(excl_state)" "5357-5357 8080-8080* 50000-50059*" "others' ranges kept"
  hasnt "$(cat "$C/netsh-log.txt")" "startport=50000" "never touches 50000-50059"
  eq "$(reg_get reserved_ports_ipv4 "$STATEKEY")" "REG_SZ 8080" "record"
}

t_reserved_around_a_system_range() {
  run_pt '{"reserved_ports": "8080,5300-5400"}'
  ok_run
  eq "$(excl_state)" "5300-5356* 5357-5357 5358-5400* 8080-8080* 50000-50059*" "pieces around 5357"
  run_pt '{"reserved_ports": "5300-5400,8080"}'
  ok_run
  eq "$(j .changed)" false "second run"
}

t_reserved_invalid_values_rejected() {
  local before
  before=$(snapshot)
  rejects_each netsh_excl_changes <<'CASES'
{"reserved_ports": "70000"}|reserved_ports: 70000 is not a port; ports are 1-65535.
{"reserved_ports": [0]}|reserved_ports: 0 is not a port; ports are 1-65535.
{"reserved_ports": "9100-9000"}|reserved_ports: the range '9100-9000' ends before it starts
{"reserved_ports": "80a"}|reserved_ports: '80a' is not a list of ports
{"reserved_ports": "8080,", "time_wait_delay": 45}|reserved_ports: '8080,' is not a list of ports
CASES
  eq "$(snapshot)" "$before" "registry and netsh state after all rejected runs"
}

t_reserved_add_failure_puts_everything_back() {
  local before; before=$(snapshot)
  FAKE_NETSH_FAIL=ipv4-add run_pt '{"reserved_ports": "5300-5400,8080,7000", "time_wait_delay": 100}'
  fail_run
  has "$(j -r .msg)" "reserved_ports: cannot add the excluded port range 7000-7000 for IPv4" "msg"
  has "$(j -r .msg)" "fake netsh told to fail: ipv4-add" "msg names netsh's error"
  has "$(j -r .msg)" "The values this run wrote were put back." "msg"
  eq "$(snapshot)" "$before" "registry, record and ranges as before"
  # Deletes that worked are undone (added back) when the add after them fails.
  FAKE_NETSH_FAIL=ipv4-add-once run_pt '{"reserved_ports": "7000"}'
  fail_run
  has "$(j -r .msg)" "The values this run wrote were put back." "msg"
  has "$(cat "$C/netsh-log.txt")" "delete excludedportrange protocol=tcp startport=8080" "deleted first"
  eq "$(snapshot)" "$before" "porttune's ranges added back, record unchanged"
  # When putting back fails too, the message says so.
  FAKE_NETSH_FAIL=ipv4-add run_pt '{"reserved_ports": "7000"}'
  fail_run
  has "$(j -r .msg)" "Putting back the values this run wrote failed too; check them by hand." "msg"
  run_pt '{"reserved_ports": "5300-5400,8080"}'
  ok_run
  eq "$(snapshot)" "$before" "a normal run repairs it"
}

# netsh added a range, the run then failed and deleting the range again
# failed too: the range stays, so the record must call it porttune's (else
# no later run would ever remove it).
t_reserved_failed_undo_keeps_record() {
  FAKE_NETSH_FAIL=ipv6-exshow-after-once,ipv4-delete \
    run_pt '{"reserved_ports": "5300-5400,8080,41000-41010"}'
  fail_run
  has "$(j -r .msg)" "Putting back the values this run wrote failed too; check them by hand." "msg"
  eq "$(j .changed)" true "changed: a change stayed"
  has "$(excl_state)" "41000-41010*" "the added range stayed"
  has "$(reg_get reserved_ports_ipv4 "$STATEKEY")" "41000-41010" "recorded as porttune's"
  run_pt '{"reserved_ports": "5300-5400,8080"}'
  ok_run
  hasnt "$(excl_state)" "41000" "the next run removes it"
  hasnt "$(reg_get reserved_ports_ipv4 "$STATEKEY")" "41000" "and forgets it"
}

t_reserved_show_failure() {
  FAKE_NETSH_FAIL=ipv6-exshow run_pt '{"reserved_ports": "7000", "time_wait_delay": 45}'
  fail_run
  has "$(j -r .msg)" "reserved_ports: cannot read the TCP excluded port ranges for IPv6" "msg"
  has "$(j -r .msg)" "Nothing was changed." "msg"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "registry untouched"
}

t_reserved_absent_removes_only_ours() {
  run_pt '{"state": "absent", "reserved_ports": "1", "_ansible_check_mode": true}'
  ok_run
  eq "$(j .changed)" true "check mode reports"
  eq "$(netsh_excl_changes)" 0 "check mode: no add/delete"
  run_pt '{"state": "absent", "reserved_ports": "1"}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(excl_state)" "5357-5357 50000-50059*" "only porttune's ranges removed"
  eq "$(reg_get reserved_ports_ipv4 "$STATEKEY")" absent "record forgotten"
  eq "$(reg_get TcpTimedWaitDelay)" 60 "other settings untouched"
  run_pt '{"state": "absent", "reserved_ports": "1"}'
  ok_run
  eq "$(j .changed)" false "second absent run"
  # Present again, for the state=absent test of everything below.
  run_pt '{"reserved_ports": "8080"}'
  ok_run
}

# ---- MaxUserPort as it really behaves (issue 14): not ignored from Vista on ----

t_max_user_port_contradicts_port_range() {
  local before; before=$(snapshot)
  run_pt '{"max_user_port": 20000, "port_range": "10000-59999", "time_wait_delay": 45}'
  fail_run
  has "$(j -r .msg)" "max_user_port: 20000 contradicts port_range 10000-59999 in the same task: on Windows Vista and later (this host: 6.1) MaxUserPort = 20000 makes Windows replace the TCP dynamic port range with 1024-20000 at the next boot. Give only one of them: port_range (recommended) or max_user_port. Nothing was changed." "msg"
  eq "$(netsh_sets)" 0 "netsh set calls"
  eq "$(snapshot)" "$before" "registry and netsh state"
  # Check mode fails the same way.
  run_pt '{"max_user_port": 20000, "port_range": [1025, 20000], "_ansible_check_mode": true}'
  fail_run
  has "$(j -r .msg)" "contradicts port_range 1025-20000" "check mode msg"
}

# MaxUserPort = 20000 is in the registry now (t_apply_writes_registry...).
t_get_and_facts_flag_max_user_port() {
  local before; before=$(snapshot)
  pt_cli get --json
  eq "$RC" 0 "get exit code"
  eq "$(printf '%s' "$OUT" | jq -c .max_user_port_risk)" \
    '{"max_user_port":20000,"dynamic_port_range_at_next_boot":"1024-20000","start":1024,"num":18977}' "get: max_user_port_risk"
  has "$(printf '%s' "$OUT" | jq -r '.warnings | join(" | ")')" "RISK: MaxUserPort is 20000 in the registry of this Windows 6.1 host. Windows Vista and later do not ignore it: at the next boot Windows sets the TCP dynamic port range to 1024-20000 (netsh: start=1024 num=18977)" "get: warning"
  pt_cli get
  eq "$RC" 0 "get (table) exit code"
  has "$ERR" "porttune: warning: RISK: MaxUserPort is 20000" "get (table): warning on stderr"
  # The diagnosis flags it too: the same object and warning.
  pt_cli diagnose --json
  eq "$RC" 2 "diagnose exit code (2: the report warns)"
  eq "$(printf '%s' "$OUT" | jq -c .max_user_port_risk)" \
    '{"max_user_port":20000,"dynamic_port_range_at_next_boot":"1024-20000","start":1024,"num":18977}' "diagnose: max_user_port_risk"
  has "$(printf '%s' "$OUT" | jq -r '.warnings | join(" | ")')" "RISK: MaxUserPort is 20000 in the registry of this Windows 6.1 host." "diagnose: warning"
  pt_cli facts
  eq "$RC" 0 "facts exit code"
  eq "$(printf '%s' "$OUT" | jq -c '.porttune.max_user_port_risk | [.dynamic_port_range_at_next_boot, .start, .num]')" \
    '["1024-20000",1024,18977]' "facts: max_user_port_risk"
  has "$(printf '%s' "$OUT" | jq -r '.porttune.warnings[]')" "RISK: MaxUserPort is 20000" "facts: warnings"
  # A module run that does not set it warns too.
  run_pt '{"time_wait_delay": 60, "_ansible_check_mode": true}'
  ok_run
  has "$(warnings)" "RISK: MaxUserPort is 20000 in the registry" "module warning"
  # Windows 10 as winecfg sets it: the same risk, the version named.
  wine_version win10
  pt_cli get --json
  has "$(printf '%s' "$OUT" | jq -r '.warnings[]')" "this Windows 10.0 host" "Windows 10: warning"
  eq "$(printf '%s' "$OUT" | jq -r .max_user_port_risk.dynamic_port_range_at_next_boot)" "1024-20000" "Windows 10: range"
  # Before Vista MaxUserPort is the client port limit it was made for.
  wine_version winxp64
  pt_cli get --json
  eq "$(printf '%s' "$OUT" | jq -c .max_user_port_risk)" null "Windows XP: no risk"
  eq "$(printf '%s' "$OUT" | jq -c .warnings)" '[]' "Windows XP: no warning"
  pt_cli facts
  eq "$(printf '%s' "$OUT" | jq -c .porttune.max_user_port_risk)" null "Windows XP: facts"
  wine_version ""
  eq "$(snapshot)" "$before" "get and facts changed nothing"
}

# A MaxUserPort that was there before porttune: state=absent puts it back
# (and get still flags it); one porttune created is deleted
# (t_state_absent_restores_originals).
t_absent_restores_max_user_port_that_existed() {
  "$WINE" reg delete "$STATEKEY" /v max_user_port /f >/dev/null 2>&1   # no record yet
  reg_set MaxUserPort REG_DWORD 30000
  run_pt '{"max_user_port": 20000}'
  ok_run
  eq "$(j .changed)" true "changed"
  eq "$(reg_get max_user_port "$STATEKEY")" "REG_SZ 30000" "original recorded as it was"
  run_pt '{"state": "absent", "max_user_port": 20000}'
  ok_run
  eq "$(j .changed)" true "absent: changed"
  eq "$(reg_get MaxUserPort)" 30000 "the value from before porttune is back, not deleted"
  eq "$(reg_get max_user_port "$STATEKEY")" absent "record forgotten"
  pt_cli get --json
  eq "$(printf '%s' "$OUT" | jq -r .max_user_port_risk.dynamic_port_range_at_next_boot)" "1024-30000" "still a risk"
  run_pt '{"state": "absent", "max_user_port": 20000}'
  ok_run
  eq "$(j .changed)" false "second absent: nothing of porttune's left"
  eq "$(reg_get MaxUserPort)" 30000 "someone else's value stays"
  "$WINE" reg delete "$TCPIP" /v MaxUserPort /f >/dev/null 2>&1
}

# ---- the Facter external fact for Windows (puppet/porttune/facts.d/porttune.bat) ----

# The .bat runs under Wine's cmd as Facter runs it on Windows (cmd /c, its
# stdout parsed); its exact output is then handed to the real facter (Debian's,
# on Linux, through a script that prints those bytes: the same
# parse_executable_output as for a .bat on Windows). Not shown here: that
# Facter on Windows picks the .bat from facts.d and runs it (Facter's
# ScriptParser for bat/cmd/com/exe).
t_facter_fact_bat() {
  local D out
  mkdir -p "$WINEPREFIX/drive_c/pt/facts.d"
  cp "$ROOT/puppet/porttune/facts.d/porttune.bat" "$WINEPREFIX/drive_c/pt/facts.d/"
  # Not installed: no output, no error.
  out=$("$WINE" cmd /c 'C:\pt\facts.d\porttune.bat' 2>&1 | tr -d '\r'); RC=$?
  eq "$RC:$out" "0:" "without porttune.exe: nothing"
  mkdir -p "$WINEPREFIX/drive_c/Program Files/porttune"
  cp "$C/porttune.exe" "$WINEPREFIX/drive_c/Program Files/porttune/porttune.exe"
  reg_set MaxUserPort REG_DWORD 65534
  "$WINE" cmd /c 'C:\pt\facts.d\porttune.bat' >"$C/fact.out" 2>"$C/fact.err"; RC=$?
  eq "$RC" 0 "porttune.bat exit code"
  eq "$(tr -d '\r' <"$C/fact.err")" "" "porttune.bat stderr"
  eq "$(head -c 13 "$C/fact.out")" '{"porttune":{' "the .bat prints only the helper's JSON (echo off)"
  D=$(mktemp -d /tmp/porttune-facter.XXXXXX)
  cp "$C/fact.out" "$D/bytes"
  printf '#!/bin/sh\ncat "%s/bytes"\n' "$D" >"$D/porttune_from_bat"
  chmod 0755 "$D/porttune_from_bat"
  out=$(facter --no-custom-facts --external-dir "$D" -j porttune 2>"$D/err")
  eq "$(printf '%s' "$out" | jq -c '.porttune | [.os, .settings.max_user_port, .max_user_port_risk.dynamic_port_range_at_next_boot, (.capacity.usable_ports > 0)]')" \
    '["windows",65534,"1024-65534",true]' "facter parses the .bat's output: $(cat "$D/err")"
  eq "$(facter --no-custom-facts --external-dir "$D" porttune.max_user_port_risk.num 2>/dev/null)" 64511 "facter porttune.max_user_port_risk.num"
  has "$(facter --no-custom-facts --external-dir "$D" porttune.warnings 2>/dev/null)" "RISK: MaxUserPort is 65534" "facter porttune.warnings"
  rm -rf "$D" "$WINEPREFIX/drive_c/Program Files/porttune"
  "$WINE" reg delete "$TCPIP" /v MaxUserPort /f >/dev/null 2>&1
}

# ---- viewing without administrator rights (issue 14) ----

# The registry of a prefix without Wine's own per-session noise, to compare
# values: key timestamps, and the device keys Wine's display and input
# drivers rewrite at each start (Control\Class, Control\DeviceClasses,
# Control\Video, Enum).
reg_norm() {
  sed -E 's/^(\[.*\]) [0-9]+$/\1/; /^#time=/d' "$1" |
    awk '/^\[/ { skip = ($0 ~ /^\[System\\\\CurrentControlSet\\\\(Control\\\\(Class|DeviceClasses|Video)|Enum)(\\\\|\])/) }
         !skip'
}

# get, facts and diagnose as a standard Linux user (Wine runs programs as the
# calling user) in a copy of the prefix that user owns: they succeed while
# another run holds the run lock (a set waits for it), and the registry file
# and the prefix's files are unchanged afterwards.
t_view_as_standard_user() {
  local N LK holder reg0 files0 n=0
  local -a U
  reg_set MaxUserPort REG_DWORD 40000
  wineserver -k; sleep 1        # flush this prefix's registry to its files
  N=$(mktemp -d /tmp/porttune-wine-user.XXXXXX) || { bad "mktemp"; return; }
  cp -a "$WINEPREFIX/." "$N/"
  # Debian's Wine keeps the name of the server's directory here; the user's
  # Wine must start its own server.
  rm -f "$N/wineserver" "$N/drive_c/pt/netsh-log.txt"
  printf '{"time_wait_delay": 45}' >"$N/drive_c/pt/set.json"
  chown -R nobody:nogroup "$N"; chmod 0755 "$N"
  wineserver -p
  U=(setpriv --reuid=nobody --regid=nogroup --clear-groups -- env -u FAKE_NETSH_LOG -u FAKE_NETSH_SELF HOME="$N" WINEPREFIX="$N")
  "${U[@]}" "$WINE" cmd /c ver >/dev/null 2>&1   # Wine's own first-use writes
  "${U[@]}" wineserver -k; sleep 1
  reg0=$(reg_norm "$N/system.reg")
  files0=$(cd "$N" && find . -type f ! -name '*.reg' -printf '%p %u %s %T@\n' | sort)
  LK=$(mktemp /tmp/porttune-wine-lock.XXXXXX)
  "${U[@]}" "$WINE" 'C:\pt\hold_lock.exe' 60 >"$LK" 2>&1 & holder=$!
  until grep -q locked "$LK" || [ $n -gt 300 ]; do sleep 0.1; n=$((n + 1)); done
  grep -q locked "$LK" || bad "hold_lock did not take the lock: $(cat "$LK")"
  timeout 5 "${U[@]}" "$WINE" 'C:\pt\porttune.exe' 'C:\pt\set.json' >/dev/null 2>&1
  eq "$?" 124 "a module run (set) waits for the lock (killed by timeout)"
  OUT=$(timeout 60 "${U[@]}" "$WINE" 'C:\pt\porttune.exe' get --json 2>/dev/null | tr -d '\r'); RC=$?
  eq "$RC" 0 "get --json as nobody while a run holds the lock"
  eq "$(j -r .settings.max_user_port.live)" 40000 "get reads the registry"
  eq "$(j -r .max_user_port_risk.dynamic_port_range_at_next_boot)" "1024-40000" "get flags the risk"
  eq "$(j -r .settings.port_range.live)" "$(printf '%s' "$(netsh_state)" | awk '{ print $2 "-" $2 + $3 - 1 }')" "get reads the dynamic range"
  OUT=$(timeout 60 "${U[@]}" "$WINE" 'C:\pt\porttune.exe' facts 2>/dev/null | tr -d '\r'); RC=$?
  eq "$RC" 0 "facts as nobody"
  eq "$(j -r .porttune.settings.max_user_port)" 40000 "facts"
  timeout 60 "${U[@]}" "$WINE" 'C:\pt\porttune.exe' diagnose --json >/dev/null 2>&1; RC=$?
  [ "$RC" != 124 ] || bad "diagnose waited for the run lock"
  kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
  timeout 30 "${U[@]}" wineserver -k 2>/dev/null; sleep 1
  eq "$(reg_norm "$N/system.reg" | diff <(printf '%s\n' "$reg0") - | head -20)" "" "system.reg values unchanged"
  eq "$(cd "$N" && find . -type f ! -name '*.reg' -printf '%p %u %s %T@\n' | sort | diff <(printf '%s\n' "$files0") - | head -20)" "" "no file in the prefix created or changed"
  rm -rf "$N" "$LK"
  "$WINE" reg delete "$TCPIP" /v MaxUserPort /f >/dev/null 2>&1
}

T1=$(ms)
for name in \
  t_netsh_runs_from_system32_only t_check_mode_fresh_host_writes_nothing t_apply_writes_registry_and_reports_reboot \
  t_second_run_is_unchanged t_invalid_values_rejected_nothing_written \
  t_linux_options_skipped_with_warning t_args_file_with_bom t_non_ascii_path_and_utf8_output \
  t_mistyped_command_is_a_usage_error t_max_user_port_contradicts_port_range \
  t_get_and_facts_flag_max_user_port \
  t_diff_mode_text t_port_range_via_netsh_double t_port_range_idempotent_any_form \
  t_port_range_check_mode_writes_nothing t_rollback_when_ipv6_set_fails \
  t_rollback_when_a_set_half_happens t_netsh_show_failure t_ipv4_ipv6_differ \
  t_out_of_range_registry_value_reported t_wrong_type_registry_value_rewritten \
  t_reserved_check_mode_and_diff_write_nothing t_reserved_first_run_adds_only_missing \
  t_reserved_second_run_unchanged t_reserved_shrink_replaces_own_range_only \
  t_reserved_around_a_system_range t_reserved_invalid_values_rejected \
  t_reserved_add_failure_puts_everything_back t_reserved_failed_undo_keeps_record t_reserved_show_failure \
  t_reserved_absent_removes_only_ours t_state_absent_restores_originals t_rollback_deletes_values_that_were_absent \
  t_absent_restores_max_user_port_that_existed \
  t_pre_vista_host t_diagnosis_reads_only t_facter_fact_bat t_view_as_standard_user; do
  # PT_WINE_ONLY="t_a t_b": run only these (they still share one prefix).
  [ -n "${PT_WINE_ONLY:-}" ] && [[ " $PT_WINE_ONLY " != *" $name "* ]] && continue
  t "$name"
done
echo "wine: wineboot $(secs "$BOOT") s, tests $(secs $(( $(ms) - T1 ))) s;" \
  "$(basename "$EXE") $(stat -c %s "$EXE") bytes"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
