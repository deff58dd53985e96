#!/bin/bash
# SPDX-License-Identifier: MIT
# Integration tests of the porttune CLI: every case runs in a fresh network
# namespace (its own net.ipv4 sysctls), inside one private mount namespace
# where /etc/sysctl.d, the other sysctl.d directories and /var/lib are empty
# tmpfs, /etc/sysctl.conf is empty, /etc is read-only and /proc/sys is
# read-only except /proc/sys/net. Nothing reaches the machine's settings.
#
#   bash tests/cli/run.sh BINARY [HOOK_BINARY]   run all cases
#
# case_partial stops a run before its rename with
# PORTTUNE_TEST_PAUSE_BEFORE_RENAME, which only test builds (-DPT_TEST_HOOKS)
# honour: HOOK_BINARY is such a build of the same code (default BINARY; the
# host build has the hooks, `make cli-test` passes build/test/porttune beside
# the shipped library/porttune).
#   UPDATE=1 bash tests/cli/run.sh BINARY rewrite tests/cli/expected/*.txt
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "${1:-library/porttune}")
HOOK_BIN=$(realpath "${2:-$BIN}")

if [ "${PT_CLI_INNER:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    echo "tests/cli: needs root and unshare(1) for network and mount namespaces"
    echo "0 passed, 1 failed"
    exit 1
  fi
  [ -x "$BIN" ] || { echo "tests/cli: no binary $BIN"; echo "0 passed, 1 failed"; exit 1; }
  [ -x "$HOOK_BIN" ] || { echo "tests/cli: no test build $HOOK_BIN"; echo "0 passed, 1 failed"; exit 1; }
  exec unshare --mount --propagation private -- env PT_CLI_INNER=1 bash "$0" "$BIN" "$HOOK_BIN"
fi

# ---- inside the private mount namespace ----
if [ -n "${PT_CASE:-}" ]; then
  TMP=$PT_TMP                       # a case, in its own network namespace
else
  TMP=$(mktemp -d /tmp/porttune-cli.XXXXXX)
  trap 'rm -rf "$TMP"' EXIT
  set -e
  : >"$TMP/empty"
  mount -t tmpfs -o mode=0755 tmpfs /etc/sysctl.d
  for d in /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
    if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o mode=0755 tmpfs "$d"; fi
  done
  if [ -e /etc/sysctl.conf ]; then mount --bind "$TMP/empty" /etc/sysctl.conf; fi
  mount -t tmpfs -o mode=0755 tmpfs /var/lib
  mount --rbind /etc /etc
  mount -o remount,bind,ro /etc
  mount --bind /proc/sys /proc/sys
  mount --bind /proc/sys/net /proc/sys/net
  mount -o remount,bind,ro /proc/sys
  set +e
fi

PASS=0
FAIL=0
EXP="$HERE/expected"
P=/proc/sys/net/ipv4
export LC_ALL=C

ok()   { PASS=$((PASS + 1)); echo "ok   $CASE: $1"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL $CASE: $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/     | /'; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# expect_rc DESCRIPTION WANT GOT
expect_rc() { if [ "$3" = "$2" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, want $2" "$(cat "$TMP/err" 2>/dev/null)"; fi; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:  $2
want: $3"; fi; }
live()  { tr '\t' ' ' <"$P/$1"; }
# The values a run may change, to prove that a run changed nothing.
snapshot() {
  for k in ip_local_port_range ip_local_reserved_ports tcp_fin_timeout tcp_tw_reuse \
           tcp_tw_reuse_delay tcp_max_tw_buckets; do
    [ -r "$P/$k" ] && printf '%s=%s\n' "$k" "$(live "$k")"
  done
  find /etc/sysctl.d "$TMP/f" -type f -name '*.conf' -exec sh -c 'echo "== $1"; cat "$1"' _ {} \; 2>/dev/null
}
# Runs the binary; stdout in $TMP/out, stderr in $TMP/err, exit code in $RC.
pt() { "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; }
json() { python3 -c "import json,sys; d=json.load(open('$TMP/out')); $1"; }
# Human output with the machine-dependent bucket count replaced, width kept.
normalize() {
  perl -pe 's/^(max_tw_buckets\s+(?:\S+\s+)?)(\d+ *)/$1 . sprintf("%-*s", length($2), "<N>")/e;
            s/^(max_tw_buckets\s+(?:\S+\s+)?)(\d+) -> /$1<N> -> /'
}
snapshot_cmp() {   # NAME: compare $TMP/out with expected/NAME.txt
  normalize <"$TMP/out" >"$TMP/norm"
  if [ "${UPDATE:-}" = 1 ]; then
    cp "$TMP/norm" "$EXP/$1.txt"; ok "snapshot $1 rewritten"
  elif diff -u "$EXP/$1.txt" "$TMP/norm" >"$TMP/diff"; then
    ok "human output matches expected/$1.txt"
  else
    bad "human output differs from expected/$1.txt" "$(cat "$TMP/diff")"
  fi
}
# Every case starts with empty sysctl.d directories and its own temp dir.
fresh() { rm -rf /etc/sysctl.d/* "$TMP/f"; mkdir -m 0700 "$TMP/f"; ST="--state-file=$TMP/f/state.json"; }

# ---- cases: each runs in its own network namespace (run_case below) ----

case_usage() {
  pt --version;            expect_rc "--version" 0 $RC
  expect_eq "--version prints the version" "$(cat "$TMP/out")" "porttune $(cat "$HERE/../../VERSION")"
  pt --help;               expect_rc "--help" 0 $RC
  check "--help documents the exit codes" grep -q "64  usage error" "$TMP/out"
  pt set --help;           expect_rc "set --help" 0 $RC
  pt;                      expect_rc "no arguments" 64 $RC
  check "usage goes to stderr" grep -q "^usage: porttune get" "$TMP/err"
  pt frobnicate x;         expect_rc "unknown command" 64 $RC
  pt get --bogus;          expect_rc "unknown option" 64 $RC
  expect_eq "unknown option message" "$(head -1 "$TMP/err")" "porttune: unknown option '--bogus' for 'get'."
  pt get port_range=1-2;   expect_rc "get takes no settings" 64 $RC
  pt set;                  expect_rc "set without settings" 64 $RC
  pt set port_range;       expect_rc "a word that is not KEY=VALUE" 64 $RC
  pt set =5;               expect_rc "an empty key" 64 $RC
  pt set fin_timeout=30 fin_timeout=40; expect_rc "a setting given twice" 64 $RC
  pt set fin_timeout=30 --file;         expect_rc "--file without a path" 64 $RC
  pt set _ansible_check_mode=no fin_timeout=30; expect_rc "_ansible_ keys refused" 64 $RC
  pt check fin_timeout=30 --no-such;    expect_rc "check: unknown option" 64 $RC
  pt facts --json;         expect_rc "facts has no --json" 64 $RC
  # Bytes that are not UTF-8 cannot go into the arguments' JSON: a usage
  # error, not "out of memory" (found by fuzz_cli).
  pt get "--file=/etc/sysctl.d/x$(printf '\233').conf"; expect_rc "a --file that is not UTF-8" 64 $RC
  expect_eq "not UTF-8: message" "$(head -1 "$TMP/err")" "porttune: sysctl_file (--file) is not valid UTF-8."
  pt check "fin_timeout=3$(printf '\233')"; expect_rc "a value that is not UTF-8" 64 $RC
}

case_get() {
  local before
  fresh
  before=$(snapshot)
  pt get --json "$ST";     expect_rc "get --json" 0 $RC
  json '
want = {"os","sysctl_file","sysctl_file_exists","sysctl_file_at_boot","sysctl_file_masked_by",
        "settings","conflicts","capacity","porttune_version"}
assert set(d) == want, sorted(set(d) ^ want)
keys = ["port_range","reserved_ports","fin_timeout","tw_reuse","tw_reuse_delay","max_tw_buckets"]
assert list(d["settings"]) == keys, list(d["settings"])
for k, s in d["settings"].items():
    assert set(s) == {"sysctl","supported","live","persisted","boot","boot_source","original","drift"}, (k, sorted(s))
assert set(d["capacity"]) == {"port_range","range_size","reserved_in_range","usable_ports",
        "time_wait_seconds","max_new_connections_per_second"}, sorted(d["capacity"])
s = d["settings"]
assert s["port_range"]["live"] == "32768-60999" and s["port_range"]["sysctl"] == "net.ipv4.ip_local_port_range"
assert s["reserved_ports"]["live"] == "" and s["fin_timeout"]["live"] == 60 and s["tw_reuse"]["live"] == 2
assert s["port_range"]["persisted"] is None and s["port_range"]["boot"] is None
assert d["sysctl_file"] == "/etc/sysctl.d/60-porttune.conf" and d["sysctl_file_at_boot"] is True
assert d["sysctl_file_exists"] is False and d["conflicts"] == []
assert d["capacity"]["usable_ports"] == 28232 and d["capacity"]["max_new_connections_per_second"] == 470.53
' 2>"$TMP/pyerr"
  if [ $? = 0 ]; then ok "get --json has the documented schema and the namespace defaults"
  else bad "get --json schema" "$(cat "$TMP/pyerr")"; fi
  pt get "$ST";            expect_rc "get (table)" 0 $RC
  snapshot_cmp get-defaults
  expect_eq "get changes nothing" "$(snapshot)" "$before"
  check "get creates no state file" test ! -e "$TMP/f/state.json"
}

case_set() {
  local f="$TMP/f/60-porttune.conf"
  fresh
  pt set port_range=1024-65535 fin_timeout=30 reserved_ports=9000-9100,8081,8080 --file "$f" "$ST"
  expect_rc "set changes" 2 $RC
  expect_eq "live port range" "$(live ip_local_port_range)" "1024 65535"
  expect_eq "live reserved ports (kernel-merged)" "$(live ip_local_reserved_ports)" "8080-8081,9000-9100"
  expect_eq "live fin_timeout" "$(live tcp_fin_timeout)" "30"
  expect_eq "file content" "$(cat "$f")" "# Managed by porttune: do not edit; changes are overwritten on the next run.
net.ipv4.ip_local_port_range = 1024 65535
net.ipv4.ip_local_reserved_ports = 8080-8081,9000-9100
net.ipv4.tcp_fin_timeout = 30"
  check "original values recorded in the state file" grep -q '"port_range": "32768 60999"' "$TMP/f/state.json"
  pt set port_range=1024-65535 fin_timeout=30 reserved_ports=9000-9100,8081,8080 --file "$f" "$ST"
  expect_rc "same set again: in sync" 0 $RC
  pt set "port_range=1024 65535" reserved_ports=8080-8081,9000-9100 fin_timeout=" 30" --file "$f" "$ST"
  expect_rc "other spellings of the same values: in sync" 0 $RC
  pt set net.ipv4.tcp_fin_timeout=45 --file "$f" "$ST"
  expect_rc "a sysctl name as KEY" 2 $RC
  expect_eq "sysctl-named key applied" "$(live tcp_fin_timeout)" "45"
  pt get --json --file "$f" "$ST"
  json 'assert d["settings"]["fin_timeout"]["persisted"] == 45 and d["settings"]["port_range"]["original"] == "32768-60999", d["settings"]' 2>"$TMP/pyerr"
  if [ $? = 0 ]; then ok "get sees persisted and original values"; else bad "get after set" "$(cat "$TMP/pyerr")"; fi
  pt set state=absent --file "$f" "$ST"
  expect_rc "state=absent puts the originals back" 2 $RC
  expect_eq "port range restored" "$(live ip_local_port_range)" "32768 60999"
  expect_eq "fin_timeout restored" "$(live tcp_fin_timeout)" "60"
  check "our file removed" test ! -e "$f"
}

case_set_json() {
  fresh
  pt set port_range=1024-65535 tw_reuse=1 --json "$ST"
  expect_rc "set --json" 2 $RC
  json '
want = {"changed","settings","conflicts","warnings","state","sysctl_file","capacity","diff","porttune_version","noop"}
assert want <= set(d), sorted(want - set(d))
assert d["changed"] is True and d["noop"] is False
assert list(d["settings"]) == ["port_range","tw_reuse"], list(d["settings"])
for k, s in d["settings"].items():
    assert set(s) == {"sysctl","before","after","live_changed","persisted_before","persisted_after",
                      "persisted_changed","boot","boot_source","changed"}, (k, sorted(s))
s = d["settings"]["port_range"]
assert (s["before"], s["after"], s["live_changed"], s["persisted_before"], s["persisted_after"],
        s["persisted_changed"], s["boot"], s["boot_source"], s["changed"]) == \
       ("32768-60999", "1024-65535", True, None, "1024-65535", True, "1024-65535",
        "/etc/sysctl.d/60-porttune.conf", True), s
assert any("tw_reuse 1 needs TCP timestamps" in w for w in d["warnings"]), d["warnings"]
assert d["capacity"]["usable_ports"] == 64512 and d["capacity"]["max_new_connections_per_second"] == 1075.2
assert isinstance(d["diff"], list) and d["diff"][1]["after_header"] == "/etc/sysctl.d/60-porttune.conf"
' 2>"$TMP/pyerr"
  if [ $? = 0 ]; then ok "set --json has the module's result schema"; else bad "set --json schema" "$(cat "$TMP/pyerr")"; fi
  check "--json keeps warnings out of stderr" test ! -s "$TMP/err"
  pt set port_range=1024-65535 tw_reuse=1 --json "$ST"
  expect_rc "set --json again" 0 $RC
  json 'assert d["changed"] is False' 2>/dev/null
  check "changed is false when in sync" test $? = 0
}

case_noop() {
  local before
  fresh
  before=$(snapshot)
  pt check port_range=1024-65535 fin_timeout=30 "$ST"
  expect_rc "check with drift" 2 $RC
  check "check says would change" grep -q "would change: 2 of 2 settings" "$TMP/out"
  pt set --noop port_range=1024-65535 --json "$ST"
  expect_rc "set --noop" 2 $RC
  json 'assert d["noop"] is True and d["changed"] is True' 2>/dev/null
  check "set --noop --json reports noop and changed" test $? = 0
  expect_eq "check and --noop change nothing" "$(snapshot)" "$before"
  check "no state file written in noop" test ! -e "$TMP/f/state.json"
  pt set port_range=1024-65535 "$ST" >/dev/null
  pt check port_range=1024-65535 "$ST"
  expect_rc "check when in sync" 0 $RC
}

case_invalid() {
  local before module_msg
  fresh
  before=$(snapshot)
  pt set port_range=70000-1 "$ST"
  expect_rc "port_range=70000-1" 4 $RC
  expect_eq "the module's message on stderr" "$(cat "$TMP/err")" \
    "porttune: port_range: 70000 is not a port; ports are 1-65535. Nothing was changed."
  printf '{"port_range": "70000-1", "state_file": "%s"}' "$TMP/f/state.json" >"$TMP/args.json"
  module_msg=$("$BIN" "$TMP/args.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["msg"])')
  expect_eq "the same message as the Ansible module" "$(cat "$TMP/err")" "porttune: $module_msg"
  pt set port_range=70000-1 --json "$ST"
  expect_rc "--json failure" 4 $RC
  json 'assert d["failed"] is True and d["changed"] is False and d["object"] == "port_range" and d["msg"].startswith("port_range: 70000 is not a port")' 2>/dev/null
  check "--json prints the failure object" test $? = 0
  pt check fin_timeout=abc "$ST"; expect_rc "fin_timeout=abc" 4 $RC
  expect_eq "int coercion message" "$(cat "$TMP/err")" \
    "porttune: argument 'fin_timeout' is of type str and we were unable to convert to int: 'abc' is not a whole number. Nothing was changed."
  pt set port_range=1000-65535 "$ST"; expect_rc "port range below ip_unprivileged_port_start" 4 $RC
  check "host-limit message" grep -q "starts below net.ipv4.ip_unprivileged_port_start (1024)" "$TMP/err"
  pt set frobs=1 "$ST";   expect_rc "unknown setting" 4 $RC
  check "Ansible's unsupported-parameter wording" grep -q "Unsupported parameters for (porttune) module: frobs. Supported parameters include: apply, " "$TMP/err"
  pt set fin_timeout=30 --file relative.conf "$ST"; expect_rc "relative --file" 4 $RC
  expect_eq "invalid values change nothing" "$(snapshot)" "$before"
}

case_rollback() {
  local before
  fresh
  before=$(snapshot)
  # /etc is read-only here: the live write succeeds, persisting fails.
  pt set port_range=1024-65535 fin_timeout=30 --file /etc/porttune-test.conf "$ST"
  expect_rc "persist fails after apply" 4 $RC
  check "message says the live values were put back" grep -q "were put back" "$TMP/err"
  expect_eq "live values rolled back" "$(snapshot)" "$before"
}

# Exit 6: live values written, persisting fails, and putting them back fails
# too. Real failures, provoked while the run holds still between its temp
# file and the rename (PORTTUNE_TEST_PAUSE_BEFORE_RENAME, as in tests/faults):
# the tmpfs holding the file is remounted read-only, so the rename fails
# (EROFS); a read-only bind mount over tcp_fin_timeout makes its roll-back
# write fail the same way, while ip_local_port_range can still be put back.
case_partial() {
  local d="$TMP/f/conf" f pid tmpf="" msg
  f="$d/60-porttune.conf"
  fresh
  mkdir "$d"
  mount -t tmpfs -o size=64k,mode=0755 tmpfs "$d"
  pt set fin_timeout=50 --file "$f" "$ST"
  expect_rc "setup: fin_timeout=50 persisted" 2 $RC
  cp "$f" "$TMP/before.conf"
  PORTTUNE_TEST_PAUSE_BEFORE_RENAME=2 "$HOOK_BIN" set port_range=1024-65535 fin_timeout=30 \
    --json --file "$f" "$ST" >"$TMP/out" 2>"$TMP/err" &
  pid=$!
  for _ in $(seq 300); do
    tmpf=$(find "$d" -maxdepth 1 -name '.60-porttune.conf.porttune-*')
    [ -n "$tmpf" ] && break
    sleep 0.01
  done
  if [ -z "$tmpf" ]; then
    bad "the run did not reach its temp file within 3 s ($HOOK_BIN built without -DPT_TEST_HOOKS?)"
  else
    expect_eq "live values written before persisting" \
      "$(live ip_local_port_range) $(live tcp_fin_timeout)" "1024 65535 30"
  fi
  mount -o remount,ro "$d"
  mount --bind "$P/tcp_fin_timeout" "$P/tcp_fin_timeout"
  mount -o remount,bind,ro "$P/tcp_fin_timeout"
  wait "$pid"; RC=$?
  umount "$P/tcp_fin_timeout"
  mount -o remount,rw "$d"
  expect_rc "persist and roll-back both fail: partial" 6 $RC
  msg="cannot write $f: Read-only file system. The file was left as it was. Putting back the live values failed too; check them by hand."
  expect_eq "stderr names the file, the error and the failed roll-back" "$(cat "$TMP/err")" \
    "porttune: $msg"
  MSG=$msg F=$f json '
import os
assert (d["failed"], d["changed"], d["object"]) == (True, True, os.environ["F"]), d
assert d["msg"] == os.environ["MSG"], d["msg"]
' 2>"$TMP/pyerr"
  if [ $? = 0 ]; then ok "--json failure object: failed, changed, object, msg"
  else bad "--json failure object" "$(cat "$TMP/pyerr")"; fi
  expect_eq "the change that could not be put back stays" "$(live tcp_fin_timeout)" "30"
  expect_eq "the key that could be put back was" "$(live ip_local_port_range)" "32768 60999"
  check "the file is byte for byte the old one" cmp -s "$TMP/before.conf" "$f"
  # With the faults gone, the next run sweeps the temp file and converges.
  pt set port_range=1024-65535 fin_timeout=30 --file "$f" "$ST"
  expect_rc "next run converges" 2 $RC
  check "next run removed the stale temp file" grep -q "removed 1 temporary file" "$TMP/err"
  check "no temp file left" test -z "$(find "$d" -maxdepth 1 -name '.60-porttune.conf.porttune-*')"
  expect_eq "file after recovery" "$(grep -v '^#' "$f")" "net.ipv4.tcp_fin_timeout = 30
net.ipv4.ip_local_port_range = 1024 65535"
  expect_eq "live after recovery" "$(live ip_local_port_range) $(live tcp_fin_timeout)" "1024 65535 30"
  umount "$d"
}

case_apply_persist() {
  local f="$TMP/f/60-porttune.conf"
  fresh
  pt set fin_timeout=40 --no-persist --file "$f" "$ST"
  expect_rc "--no-persist" 2 $RC
  expect_eq "--no-persist: live written" "$(live tcp_fin_timeout)" "40"
  check "--no-persist: no file" test ! -e "$f"
  pt set tw_reuse=0 --no-apply --file "$f" "$ST"
  expect_rc "--no-apply" 2 $RC
  expect_eq "--no-apply: live untouched" "$(live tcp_tw_reuse)" "2"
  check "--no-apply: file written" grep -qx "net.ipv4.tcp_tw_reuse = 0" "$f"
}

case_human() {
  fresh
  printf 'net.ipv4.ip_local_port_range = 20000 30001\n' >/etc/sysctl.d/99-late.conf
  printf 'net.ipv4.tcp_fin_timeout = 50\n' >/etc/sysctl.d/10-early.conf
  pt set port_range=1024-65535 reserved_ports=8080,9000-9100 fin_timeout=30 "$ST"
  expect_rc "set with a conflicting later file" 2 $RC
  snapshot_cmp set
  check "conflict warning on stderr" grep -q "99-late.conf:1 sets net.ipv4.ip_local_port_range = 20000 30001" "$TMP/err"
  pt check port_range=1024-65535 fin_timeout=35 "$ST"
  expect_rc "check" 2 $RC
  snapshot_cmp check
  echo 33 >"$P/tcp_fin_timeout"      # drift: live 33, file (at boot) 30
  pt get "$ST"
  expect_rc "get after set" 0 $RC
  snapshot_cmp get
  pt set port_range=1024-65535 conflicts=fail "$ST"
  expect_rc "conflicts=fail" 4 $RC
  pt facts "$ST"
  expect_rc "facts" 0 $RC
  json '
f = d["porttune"]
assert f["settings"]["port_range"] == "1024-65535" and f["persisted"]["fin_timeout"] == 30
assert f["boot"]["port_range"] == "20000-30001" and "port_range" in f["drift"]
assert f["conflicts"][0]["file"] == "/etc/sysctl.d/99-late.conf"
assert f["capacity"]["usable_ports"] == 64410
' 2>"$TMP/pyerr"
  if [ $? = 0 ]; then ok "facts JSON: settings, persisted, boot, drift, conflicts, capacity"
  else bad "facts JSON" "$(cat "$TMP/pyerr")"; fi
}

case_ansible() {
  fresh
  printf '{"port_range": "1024-65535", "_ansible_check_mode": false, "state_file": "%s"}' \
    "$TMP/f/state.json" >"$TMP/args.json"
  "$BIN" "$TMP/args.json" >"$TMP/out" 2>"$TMP/err"; RC=$?
  expect_rc "porttune ARGS_FILE still runs the Ansible module" 0 $RC
  json 'assert d["changed"] is True and d["settings"]["port_range"]["after"] == "1024-65535"' 2>/dev/null
  check "Ansible result JSON" test $? = 0
}

# Ansible always runs `porttune /ABSOLUTE/PATH/args`: a single bare word that
# names no file is a mistyped command (usage, 64), not an arguments file.
case_mistyped() {
  fresh
  cd "$TMP/f" || { bad "cd $TMP/f"; return; }
  pt gte;                  expect_rc "a mistyped command: one bare word, no such file" 64 $RC
  expect_eq "mistyped command: message" "$(head -1 "$TMP/err")" \
    "porttune: unknown command 'gte' (nor a file to read as Ansible arguments)."
  check "mistyped command: usage on stderr" grep -q "^usage: porttune get" "$TMP/err"
  expect_eq "mistyped command: nothing on stdout" "$(cat "$TMP/out")" ""
  mkdir "$TMP/f/gte2"
  pt gte2;                 expect_rc "a bare word naming a directory" 64 $RC
  # A path (what Ansible passes) that does not exist is the module's failure.
  pt "$TMP/f/args";        expect_rc "a missing arguments file by path" 1 $RC
  json 'assert d["failed"] is True and d["msg"].startswith("cannot read ")' 2>/dev/null
  check "missing arguments file: JSON failure" test $? = 0
  pt ./gte;                expect_rc "./gte: a relative path is an arguments file" 1 $RC
  # A bare word that names a file is an arguments file (a run by hand in
  # Ansible's temporary directory).
  printf '{"fin_timeout": "30", "_ansible_check_mode": true, "sysctl_file": "%s", "state_file": "%s"}' \
    "$TMP/f/60-porttune.conf" "$TMP/f/state.json" >"$TMP/f/args"
  pt args;                 expect_rc "a bare word naming a file is read as arguments" 0 $RC
  json 'assert d["changed"] is True and d["settings"]["fin_timeout"]["after"] == 30' 2>/dev/null
  check "bare arguments file: the module's result" test $? = 0
  cd / || true
}

# Viewing needs no rights (issue 14): get and facts as nobody, with sysctl.d,
# the file and the state file owned by root, succeed, create and change
# nothing, and do not wait for a run holding the lock (a set does).
case_get_unprivileged() {
  local f=/etc/sysctl.d/60-porttune.conf g="$TMP/g" before holder n=0
  U() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
  # Everything a run may write: files (owner, mode, size, mtime) and sysctls.
  listing() {
    find /etc/sysctl.d "$g" /var/lib -printf '%p %u %m %s %T@\n' | sort
    snapshot
  }
  fresh
  rm -rf "$g"; mkdir -m 0755 "$g"
  pt set port_range=20000-40000 fin_timeout=45 --file "$f" --state-file="$g/state.json"
  expect_rc "set as root first" 2 $RC
  chmod 0711 "$TMP"; chmod 0644 "$g/state.json"
  check "nobody cannot write /etc/sysctl.d" test "$(U sh -c 'touch /etc/sysctl.d/x 2>/dev/null && echo w')" = ""
  # A run in progress: the sysctl.d directory locked (flock) by a process
  # that holds it until killed (by its PID, below).
  rm -f "$TMP/locked"
  ( exec 9</etc/sysctl.d; flock -x 9; : >"$TMP/locked"; exec sleep 60 ) & holder=$!
  until [ -e "$TMP/locked" ] || [ $n -gt 200 ]; do sleep 0.05; n=$((n + 1)); done
  rm -f "$TMP/locked"
  before=$(listing)
  timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
    "$BIN" get --json --file "$f" --state-file="$g/state.json" >"$TMP/out" 2>"$TMP/err"; RC=$?
  expect_rc "get --json as nobody while a run holds the lock" 0 $RC
  json 's = d["settings"]
assert s["port_range"]["live"] == "20000-40000" and s["port_range"]["persisted"] == "20000-40000", s["port_range"]
assert s["port_range"]["original"] == "32768-60999" and s["fin_timeout"]["persisted"] == 45, s' 2>"$TMP/pyerr"
  if [ $? = 0 ]; then ok "get as nobody reads live, persisted and original values"
  else bad "get as nobody" "$(cat "$TMP/pyerr") $(cat "$TMP/err")"; fi
  timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
    "$BIN" get --file "$f" --state-file="$g/state.json" >"$TMP/out" 2>"$TMP/err"; RC=$?
  expect_rc "get (table) as nobody" 0 $RC
  timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
    "$BIN" facts --file "$f" --state-file="$g/state.json" >"$TMP/out" 2>"$TMP/err"; RC=$?
  expect_rc "facts as nobody" 0 $RC
  json 'assert d["porttune"]["settings"]["port_range"] == "20000-40000", d' 2>"$TMP/pyerr"
  if [ $? = 0 ]; then ok "facts as nobody"; else bad "facts as nobody" "$(cat "$TMP/pyerr")"; fi
  expect_eq "get and facts as nobody created and changed nothing" "$(listing)" "$before"
  # The same as root (who could write): still nothing created, no wait.
  timeout 20 "$BIN" get --file "$f" --state-file="$g/state.json" >"$TMP/out" 2>"$TMP/err"; RC=$?
  expect_rc "get as root while a run holds the lock" 0 $RC
  expect_eq "get as root created and changed nothing" "$(listing)" "$before"
  # The lock is real: a set waits for it (cut short here).
  timeout 3 "$BIN" set fin_timeout=50 --file "$f" --state-file="$g/state.json" >"$TMP/out" 2>"$TMP/err"; RC=$?
  expect_rc "set waits for the run lock (killed by timeout)" 124 $RC
  kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
  expect_eq "the waiting set changed nothing" "$(listing)" "$before"
  chmod 0700 "$TMP"
}

CASES="usage get_unprivileged get set set_json noop invalid rollback partial apply_persist human ansible mistyped"
if [ -n "${PT_CASE:-}" ]; then   # inside the case's network namespace
  CASE=$PT_CASE
  "case_$PT_CASE"
  echo "counts $PASS $FAIL"
  exit 0
fi
echo "== tests/cli with $BIN"
for c in $CASES; do
  out=$(PT_CASE=$c PT_TMP=$TMP unshare --net -- bash "$0" "$BIN" "$HOOK_BIN" 2>&1)
  printf '%s\n' "$out" | grep -v '^counts '
  counts=$(printf '%s\n' "$out" | sed -n 's/^counts //p')
  if [ -z "$counts" ]; then
    FAIL=$((FAIL + 1)); echo "FAIL $c: the case did not finish"
  else
    PASS=$((PASS + ${counts% *})); FAIL=$((FAIL + ${counts#* }))
  fi
done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
