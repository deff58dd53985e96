# SPDX-License-Identifier: MIT
# Helpers for the integration tests of the built module (sourced, bash).
#
# Every test runs in a network namespace of its own and a private mount
# namespace (see run.sh), with /proc/sys read-only except /proc/sys/net, so
# nothing here can change the machine's own settings. Files live in $T, a
# temporary directory per test, or in /etc/netns/NAME/ for `ip netns` tests.

IPV4=/proc/sys/net/ipv4
# The Linux keys this kernel has, in the module's order.
KEYS=""
for k in ip_local_port_range ip_local_reserved_ports tcp_fin_timeout tcp_tw_reuse \
  tcp_tw_reuse_delay tcp_max_tw_buckets; do
  [ -e "$IPV4/$k" ] && KEYS="$KEYS $k"
done
unset k

FAILS=0
OUT=""
RC=0
R_FAILED=""
R_CHANGED=""

# ---- assertions: each prints what it expected and what it got ----

fail() {
  echo "    FAIL: $*" >&2
  FAILS=$((FAILS + 1))
}

assert_eq() {  # GOT WANT WHAT
  [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"
}

assert_ne() {  # GOT UNWANTED WHAT
  [ "$1" != "$2" ] || fail "$3: expected anything but [$2]"
}

assert_contains() {  # HAYSTACK NEEDLE WHAT
  [[ "$1" == *"$2"* ]] || fail "$3: expected to contain [$2], got [$1]"
}

assert_not_contains() {  # HAYSTACK NEEDLE WHAT
  [[ "$1" != *"$2"* ]] || fail "$3: expected not to contain [$2], got [$1]"
}

assert_file_absent() {  # PATH
  [ ! -e "$1" ] && [ ! -L "$1" ] || fail "$1 should not exist"
}

# ---- running the module ----

# Writes ARGS (a JSON object) merged over the test's paths into $T/args.json:
# sysctl_file and state_file in $T, so no run can reach the machine's files.
# In `ip netns` tests (DEFAULT_PATHS=1) the module's defaults are used: there
# /etc/sysctl.d is the namespace's own and /var/lib a private tmpfs.
args() {
  if [ -n "${DEFAULT_PATHS:-}" ]; then
    jq -n --argjson a "$1" '$a' >"$T/args.json"
  else
    jq -n --argjson a "$1" --arg f "$SF" --arg s "$STF" \
      '{sysctl_file: $f, state_file: $s} + $a' >"$T/args.json"
  fi || { fail "bad test args: $1"; return 1; }
}

# Runs the module on an args file (default $T/args.json): OUT = stdout, RC = exit
# code. Its stdout must be exactly one JSON object.
run_file() {
  local f=${1:-$T/args.json} parsed
  OUT=$("$PT_BIN" "$f" 2>"$T/stderr")
  RC=$?
  # One jq call per run: shape check plus the two flags every test looks at.
  parsed=$(jq -r -s 'if length == 1 and (.[0] | type) == "object"
    then .[0] | "\(.failed // false) \(.changed)" else "bad" end' 2>/dev/null <<<"$OUT")
  if [ "$parsed" = bad ] || [ -z "$parsed" ]; then
    fail "stdout is not exactly one JSON object: [$OUT]"
    OUT='{}'
    parsed="none none"
  fi
  R_FAILED=${parsed% *}
  R_CHANGED=${parsed#* }
}

# run ARGS_JSON: args + run_file.
run() {
  args "$1" && run_file "$T/args.json"
}

# j FILTER: jq -r FILTER on the last result.
j() {
  jq -r "$1" <<<"$OUT"
}

# jraw FILTER: the string exactly, without an added newline.
jraw() {
  jq -j "$1" <<<"$OUT"
}

# The string at FILTER is exactly WANT (trailing newlines count).
assert_jstr() {  # FILTER WANT WHAT
  jq -e --arg want "$2" "($1) == \$want" >/dev/null <<<"$OUT" ||
    fail "$3: expected [$2], got [$(jq -j "$1" <<<"$OUT")]"
}

# The run succeeded and reported changed=WANT.
assert_ok() {  # WANT_CHANGED WHAT
  if [ "$RC" != 0 ] || [ "$R_FAILED" != false ]; then
    fail "$2: exit code $RC, failed=$R_FAILED, msg: $(j '.msg // empty')"
  fi
  assert_eq "$R_CHANGED" "$1" "$2: changed"
}

# The run failed the way every porttune failure must: exit 1, failed=true,
# changed=false, a message holding each NEEDLE.
assert_failed() {  # WHAT NEEDLE...
  local what=$1 n msg
  shift
  assert_eq "$RC" 1 "$what: exit code"
  assert_eq "$R_FAILED" true "$what: failed"
  assert_eq "$R_CHANGED" false "$what: changed"
  msg=$(j '.msg')
  for n in "$@"; do
    assert_contains "$msg" "$n" "$what: msg"
  done
}

# ---- observing the host ----

live() {  # KEY: the live value, tab turned into a space
  tr '\t' ' ' <"$IPV4/$1"
}

set_live() {  # KEY VALUE: change a live value by hand
  printf '%s\n' "$2" >"$IPV4/$1" || fail "cannot set $1 = $2 by hand"
}

# All live values, one "key = value" a line.
live_snapshot() {
  local k
  for k in $KEYS; do
    [ -e "$IPV4/$k" ] || continue
    printf '%s = %s\n' "$k" "$(live "$k")"
  done
}

# Content hash, mtime in ns, inode, size and mode of a file, or "absent".
file_stamp() {
  if [ -e "$1" ]; then
    printf '%s %s\n' "$(sha256sum <"$1" | cut -d' ' -f1)" "$(stat -c '%y %i %s %a' "$1")"
  else
    echo absent
  fi
}

# Every entry below DIR with type, size, mode, mtime and content hash.
tree_stamp() {
  [ -d "$1" ] || { echo "no $1"; return; }
  find "$1" -printf '%P %y %s %m %T@\n' | sort
  find "$1" -type f -print0 | sort -z | xargs -0 -r sha256sum
}

# Everything a run could change: live values, the sysctl file's directory and
# the state file's directory.
world_stamp() {
  live_snapshot
  tree_stamp "$(dirname "$SF")"
  tree_stamp "$(dirname "$STF")"
}

# ---- namespaces ----

# Makes PATH (a file or directory) read-only by a bind mount onto itself.
# Only ever called inside the test's private mount namespace.
make_ro() {
  mount --bind "$1" "$1" && mount -o remount,bind,ro "$1"
}

# Run inside the fresh network + private mount namespace, before the test:
# /proc/sys read-only except the namespace's own /proc/sys/net, and empty
# boot directories, so that the machine's sysctl.d files cannot add conflicts
# and no mistake can write the machine's kernel settings.
ns_setup() {
  local d
  mount --make-rprivate / || return 1
  mount --bind /proc/sys /proc/sys || return 1
  mount --bind /proc/sys/net /proc/sys/net || return 1
  mount -o remount,bind,ro /proc/sys || return 1
  for d in /etc/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
    [ -d "$d" ] || continue
    mount -t tmpfs -o ro,mode=0755 porttune-test "$d" || return 1
  done
  if [ -f /etc/sysctl.conf ]; then
    : >"$T/empty-sysctl.conf"
    mount --bind -o ro "$T/empty-sysctl.conf" /etc/sysctl.conf || return 1
  fi
  # Refuse to go on if this is not a fresh network namespace.
  [ "$(readlink /proc/self/ns/net)" != "$MACHINE_NETNS" ] || return 1
  mkdir -p "$T/sysctl.d" "$T/state"
  SF=$T/sysctl.d/60-porttune.conf
  STF=$T/state/porttune.json
}

# Run inside `ip netns exec NAME` (which gave us a mount namespace and bound
# /etc/netns/NAME/sysctl.d and sysctl.conf over /etc's): check that the binds
# are there, put a tmpfs over /var/lib (the default state file's home) and
# make the rest of /proc/sys read-only. The module then runs with its default
# paths, all of them private to this namespace.
netns_setup() {
  local n=$1 d
  mount --make-rprivate / || return 1
  [ "$(stat -c %d:%i /etc/sysctl.d)" = "$(stat -c %d:%i "/etc/netns/$n/sysctl.d")" ] || return 1
  [ "$(stat -c %d:%i /etc/sysctl.conf)" = "$(stat -c %d:%i "/etc/netns/$n/sysctl.conf")" ] || return 1
  mount -t tmpfs -o mode=0755 porttune-test /var/lib || return 1
  mount --bind /proc/sys /proc/sys || return 1
  mount --bind /proc/sys/net /proc/sys/net || return 1
  mount -o remount,bind,ro /proc/sys || return 1
  for d in /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
    [ -d "$d" ] || continue
    mount -t tmpfs -o ro,mode=0755 porttune-test "$d" || return 1
  done
  [ "$(readlink /proc/self/ns/net)" != "$MACHINE_NETNS" ] || return 1
  SF=/etc/sysctl.d/60-porttune.conf
  STF=/var/lib/porttune/state.json
  DEFAULT_PATHS=1
}

# The machine's own settings and sysctl files, to compare before and after.
machine_stamp() {
  local k
  for k in $KEYS ip_unprivileged_port_start; do
    [ -r "$IPV4/$k" ] && printf 'net.ipv4.%s = %s\n' "$k" "$(tr '\t' ' ' <"$IPV4/$k")"
  done
  tree_stamp /etc/sysctl.d
  file_stamp /etc/sysctl.conf
  [ -e /var/lib/porttune ] && tree_stamp /var/lib/porttune || echo "no /var/lib/porttune"
}

# ---- fixtures ----

# The settings most tests converge to, and the lines our file then holds.
# tw_reuse_delay exists from Linux 6.13 on; older kernels test without it.
if [ -e "$IPV4/tcp_tw_reuse_delay" ]; then
  HAVE_DELAY=1
  DESIRED='{"port_range": "10000-60999", "reserved_ports": "20001,20000,30000-30100",
            "fin_timeout": 30, "tw_reuse": 1, "tw_reuse_delay": 500, "max_tw_buckets": 5000}'
else
  HAVE_DELAY=""
  DESIRED='{"port_range": "10000-60999", "reserved_ports": "20001,20000,30000-30100",
            "fin_timeout": 30, "tw_reuse": 1, "max_tw_buckets": 5000}'
fi
MANAGED_HEADER="# Managed by porttune"
desired_lines() {
  echo "net.ipv4.ip_local_port_range = 10000 60999"
  echo "net.ipv4.ip_local_reserved_ports = 20000-20001,30000-30100"
  echo "net.ipv4.tcp_fin_timeout = 30"
  echo "net.ipv4.tcp_tw_reuse = 1"
  [ -n "$HAVE_DELAY" ] && echo "net.ipv4.tcp_tw_reuse_delay = 500"
  echo "net.ipv4.tcp_max_tw_buckets = 5000"
}

# DESIRED with extra options merged in: desired '{"apply": false}'.
desired() {
  local extra=${1:-'{}'}
  jq -c -n --argjson a "$DESIRED" --argjson b "$extra" '$a + $b'
}

# The live values DESIRED sets, as live_snapshot prints them.
desired_live() {
  echo "ip_local_port_range = 10000 60999"
  echo "ip_local_reserved_ports = 20000-20001,30000-30100"
  echo "tcp_fin_timeout = 30"
  echo "tcp_tw_reuse = 1"
  [ -n "$HAVE_DELAY" ] && echo "tcp_tw_reuse_delay = 500"
  echo "tcp_max_tw_buckets = 5000"
}

# Converges to DESIRED and checks that it worked (setup for later steps).
converge() {
  local extra=${1:-'{}'}
  run "$(desired "$extra")"
  assert_ok true "converge to DESIRED"
}
