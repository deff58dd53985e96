#!/bin/bash
# SPDX-License-Identifier: MIT
# The Puppet module (puppet/porttune) on the built helper, with Debian's
# puppet and facter: apply converges, a second apply changes nothing, --noop
# reports drift and changes nothing, bad values fail with the helper's words,
# `puppet resource porttune` lists the state, the external fact works.
#
# Runs in a new network namespace (its own net.ipv4 sysctls) and a private
# mount namespace: /etc is an overlay whose writes land in a temp folder, the
# sysctl.d directories are empty tmpfs, /var/lib and /var/cache are tmpfs,
# /proc/sys is read-only except /proc/sys/net, and puppet's conf/var/code/
# ssl/public/log/run directories are in the temp folder.
#
#   bash tests/puppet/run.sh BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$(realpath "${1:-library/porttune}")
MOD=$ROOT/puppet/porttune

if [ "${PT_PUPPET_INNER:-}" != 1 ]; then
  for c in puppet facter unshare; do
    command -v $c >/dev/null || { echo "tests/puppet: $c is missing (sh scripts/deps.sh puppet)"
                                  echo "0 passed, 1 failed"; exit 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "tests/puppet: needs root for namespaces"; echo "0 passed, 1 failed"; exit 1; }
  [ -x "$BIN" ] || { echo "tests/puppet: no binary $BIN"; echo "0 passed, 1 failed"; exit 1; }
  exec unshare --net --mount --propagation private -- env PT_PUPPET_INNER=1 bash "$0" "$BIN"
fi

T=$(mktemp -d /tmp/porttune-puppet.XXXXXX)
trap 'rm -rf "$T"' EXIT
set -e
mkdir -p "$T/etc-upper" "$T/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc
mount -t tmpfs -o mode=0755 tmpfs /etc/sysctl.d
for d in /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
  if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o mode=0755 tmpfs "$d"; fi
done
: >/etc/sysctl.conf
# Debian's facter reads /etc/facter/facter.conf (in the overlay): skip the
# augeas fact, which loads every lens and costs seconds per run.
mkdir -p /etc/facter
printf 'facts : {\n  blocklist : [ "augeas" ]\n}\n' >/etc/facter/facter.conf
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mount -t tmpfs -o mode=0755 tmpfs /var/cache
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
set +e

export HOME=$T LC_ALL=C.UTF-8
PASS=0
FAIL=0
P=/proc/sys/net/ipv4
CONF=/etc/sysctl.d/60-porttune.conf
PUP=(--color=false --confdir="$T/conf" --vardir="$T/var" --codedir="$T/code" --logdir="$T/log"
     --rundir="$T/run" --ssldir="$T/ssl" --publicdir="$T/public" --modulepath="$ROOT/puppet")

ok()  { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/     | /'; }
live() { tr '\t' ' ' <"$P/$1"; }
# Puppet's noise in a namespace without network or /proc/1/environ access.
quiet() { grep -v -e 'serverip' -e '/proc/1/environ' "$1" || true; }
# apply NAME [puppet options] < manifest: output in $T/NAME.out, exit code in $RC.
apply() {
  local name=$1; shift
  cat >"$T/$name.pp"
  puppet apply "${PUP[@]}" --detailed-exitcodes "$@" "$T/$name.pp" >"$T/$name.out" 2>&1
  RC=$?
}
expect_rc() { if [ "$3" = "$2" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, want $2" "$(quiet "$T/$4.out")"; fi; }
has() {       # DESC NAME TEXT: the run's output contains TEXT (fixed string)
  if grep -qF -- "$3" "$T/$2.out"; then ok "$1"; else bad "$1: missing: $3" "$(quiet "$T/$2.out")"; fi
}
hasnt() {
  if grep -qF -- "$3" "$T/$2.out"; then bad "$1: unexpected: $3" "$(quiet "$T/$2.out")"; else ok "$1"; fi
}
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:  $2
want: $3"; fi; }
snapshot() {
  for k in ip_local_port_range ip_local_reserved_ports tcp_fin_timeout tcp_tw_reuse; do
    printf '%s=%s\n' "$k" "$(live "$k")"
  done
  cat "$CONF" 2>/dev/null
}
# The helper's message for KEY=VALUE, without its "porttune: " prefix.
helper_msg() { "$T/usr/bin/porttune" check "$1" --state-file "$T/state.json" 2>&1 >/dev/null | sed 's/^porttune: //'; }
S="state_file => '$T/state.json'"

echo "== tests/puppet with $BIN ($(puppet --version), facter $(facter --version 2>/dev/null))"

# --- install: make install PREFIX= puts the helper on this PATH ---
make -s -C "$ROOT" install PREFIX="$T/usr" >"$T/install.out" 2>&1
if cmp -s "$T/usr/bin/porttune" "$ROOT/library/porttune" && [ -f "$T/usr/share/man/man1/porttune.1" ]; then
  ok "make install PREFIX=: bin/porttune and share/man/man1/porttune.1"
else
  bad "make install PREFIX=" "$(cat "$T/install.out"; find "$T/usr" 2>&1)"
fi
if man -l "$T/usr/share/man/man1/porttune.1" 2>/dev/null | grep -q "EXIT STATUS"; then
  ok "the installed man page renders"
else
  bad "man -l porttune.1"
fi
install -m 0755 "$BIN" "$T/usr/bin/porttune"    # the binary under test
export PATH="$T/usr/bin:$PATH"

# --- value parity: the type's Ruby rules give the helper's canonical forms and messages ---
cat >"$T/parity.txt" <<'EOF'
port_range	1024-65535
port_range	1024 65535
port_range	 1024	-  65535 
port_range	70000-1
port_range	0-100
port_range	2000-1000
port_range	abc
port_range	1024--65535
port_range	1024
port_range	99999999999-1
port_range	1024-65535x
reserved_ports	8081,8080,9000-9100
reserved_ports	
reserved_ports	 8080 , 9000 - 9100 
reserved_ports	9100-9000
reserved_ports	0
reserved_ports	70000
reserved_ports	8080,
reserved_ports	,8080
reserved_ports	a
reserved_ports	8080-8080,8079
fin_timeout	30
fin_timeout	+30
fin_timeout	 30 
fin_timeout	0
fin_timeout	301
fin_timeout	abc
fin_timeout	30.5
fin_timeout	99999999999999999999
tw_reuse	3
tw_reuse	-1
tw_reuse_delay	60001
max_tw_buckets	16777217
EOF
n=0; mism=""
while IFS=$'\t' read -r key value; do
  n=$((n + 1))
  ruby_out=$(ruby -I "$MOD/lib" -e '
    require "puppet_x/porttune/value"
    v = PuppetX::Porttune::Value
    k, s = ARGV[0], ARGV[1]
    begin
      r = case k
          when "port_range" then v.range(s)
          when "reserved_ports" then v.portset(v.portset_item(s))
          else v.int(k, s)
          end
      puts "ok #{r}"
    rescue ArgumentError => e
      puts e.message
    end' "$key" "$value")
  if "$T/usr/bin/porttune" check "$key=$value" --json --state-file "$T/state.json" >"$T/p.json" 2>/dev/null ||
     [ $? = 2 ]; then
    helper_out="ok $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["settings"][sys.argv[2]]["after"])' "$T/p.json" "$key")"
  else
    helper_out=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["msg"])' "$T/p.json")
  fi
  [ "$ruby_out" = "$helper_out" ] || mism="$mism$key='$value': ruby: $ruby_out | helper: $helper_out
"
done <"$T/parity.txt"
if [ -z "$mism" ]; then ok "type and helper agree on $n values (canonical forms and messages)"
else bad "type and helper disagree" "$mism"; fi

# --- converge, then nothing to do ---
apply converge <<EOF
porttune { 'ephemeral':
  port_range     => '1024 65535',
  reserved_ports => ['8081', 8080, '9000-9100'],
  fin_timeout    => 30,
  $S,
}
EOF
expect_rc "apply converges" 2 $RC converge
has "port_range change reported" converge "Porttune[ephemeral]/port_range: port_range changed '32768-60999' to '1024-65535'"
has "reserved_ports change reported" converge "Porttune[ephemeral]/reserved_ports: reserved_ports changed '' to '8080-8081,9000-9100'"
has "fin_timeout change reported" converge "Porttune[ephemeral]/fin_timeout: fin_timeout changed 60 to 30"
eq "live values" "$(live ip_local_port_range) $(live ip_local_reserved_ports) $(live tcp_fin_timeout)" \
   "1024 65535 8080-8081,9000-9100 30"
eq "sysctl file" "$(cat "$CONF")" "# Managed by porttune: do not edit; changes are overwritten on the next run.
net.ipv4.ip_local_port_range = 1024 65535
net.ipv4.ip_local_reserved_ports = 8080-8081,9000-9100
net.ipv4.tcp_fin_timeout = 30"

{ cat "$T/converge.pp"; echo "notice(\"port_range fact: \${facts['porttune']['settings']['port_range']}\")"; } \
  >"$T/again.in"
apply again <"$T/again.in"
expect_rc "second apply changes nothing" 0 $RC again
hasnt "no change reported" again " changed "
has "puppet apply sees the porttune fact from the module's facts.d" again "port_range fact: 1024-65535"

apply forms <<EOF
porttune { 'ephemeral':
  port_range     => [1024, 65535],
  reserved_ports => '9000-9100, 8080-8081',
  fin_timeout    => '30',
  $S,
}
EOF
expect_rc "other spellings of the same values are in sync (no flapping)" 0 $RC forms

# --- drift: --noop reports it and changes nothing; apply repairs it ---
echo 45 >"$P/tcp_fin_timeout"
before=$(snapshot)
apply noop --noop < "$T/converge.pp"
expect_rc "--noop on live drift" 0 $RC noop
has "--noop reports the drift" noop "Porttune[ephemeral]/fin_timeout: current_value 45, should be 30 (noop)"
eq "--noop changes nothing" "$(snapshot)" "$before"
apply repair < "$T/converge.pp"
expect_rc "apply repairs live drift" 2 $RC repair
has "repair reported" repair "fin_timeout changed 45 to 30"

sed -i 's/^net.ipv4.tcp_fin_timeout = 30$/net.ipv4.tcp_fin_timeout = 40/' "$CONF"
apply filenoop --noop < "$T/converge.pp"
has "drift in the file alone is reported" filenoop \
  "fin_timeout: current_value '30 (40 in $CONF)', should be 30 (noop)"
apply filefix < "$T/converge.pp"
expect_rc "apply repairs the file" 2 $RC filefix
eq "file repaired" "$(grep fin_timeout "$CONF")" "net.ipv4.tcp_fin_timeout = 30"

# --- invalid values fail with the helper's message; nothing changes ---
before=$(snapshot)
msg=$(helper_msg port_range=70000-1)
apply invalid <<EOF
porttune { 'bad': port_range => '70000-1', $S }
EOF
expect_rc "port_range 70000-1 fails" 1 $RC invalid
has "with the helper's message" invalid "Error: Parameter port_range failed on Porttune[bad]: $msg"
msg=$(helper_msg port_range=1000-65535)
apply hostlimit <<EOF
porttune { 'bad': port_range => '1000-65535', fin_timeout => 31, $S }
EOF
expect_rc "a value the host refuses fails" 4 $RC hostlimit
has "with the helper's message" hostlimit "change from '1024-65535' to '1000-65535' failed: $msg"
hasnt "and port_range not reported as changed" hostlimit "port_range changed"
hasnt "nor fin_timeout" hostlimit "fin_timeout changed"
eq "nothing changed" "$(snapshot)" "$before"
PATH=/usr/sbin:/usr/bin:/sbin:/bin apply nohelper <<EOF
porttune { 'x': fin_timeout => 31, $S }
EOF
expect_rc "without the helper on PATH the resource fails" 4 $RC nohelper
has "as not suitable" nohelper "Error: Could not find a suitable provider for porttune"

# --- persist only ---
apply persistonly <<EOF
porttune { 'image': tw_reuse => 0, apply => false, $S }
EOF
expect_rc "apply => false persists only" 2 $RC persistonly
eq "live tw_reuse untouched" "$(live tcp_tw_reuse)" "2"
eq "file has tw_reuse" "$(grep tw_reuse "$CONF")" "net.ipv4.tcp_tw_reuse = 0"
apply persistonly2 < "$T/persistonly.pp"
expect_rc "and is then in sync" 0 $RC persistonly2

# --- puppet resource porttune ---
puppet resource "${PUP[@]}" porttune >"$T/resource.out" 2>&1
RC=$?
expect_rc "puppet resource porttune" 0 $RC resource
has "lists the host's settings" resource "porttune { 'current':"
has "port range" resource "port_range     => '1024-65535',"
has "reserved ports" resource "reserved_ports => '8080-8081,9000-9100',"
has "fin_timeout" resource "fin_timeout    => 30,"

# --- facts ---
facter --external-dir "$MOD/facts.d" -j porttune >"$T/facts.out" 2>"$T/facts.err"
if python3 - "$T/facts.out" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))["porttune"]
assert f["settings"]["port_range"] == "1024-65535", f["settings"]
assert f["persisted"]["fin_timeout"] == 30 and f["persisted"]["tw_reuse"] == 0, f["persisted"]
assert f["drift"] == ["tw_reuse"], f["drift"]
assert f["capacity"]["usable_ports"] == 64409, f["capacity"]
EOF
then ok "facter --external-dir: the porttune fact (settings, persisted, drift, capacity)"
else bad "facter --external-dir" "$(cat "$T/facts.out" "$T/facts.err")"; fi
eq "facter porttune.capacity.usable_ports" \
   "$(facter --external-dir "$MOD/facts.d" porttune.capacity.usable_ports 2>/dev/null)" "64409"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
