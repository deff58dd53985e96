#!/bin/bash
# SPDX-License-Identifier: MIT
# The Puppet module release (build/dist/porttune-porttune-VERSION.tar.gz) as
# a user gets it: `puppet module install` from the tarball, then `puppet
# apply` with the class `porttune` (helper, man page, fact into a throwaway
# root) and the `porttune` type: converges, second run changes nothing,
# --noop reports drift and changes nothing, ensure => absent restores the
# original values, a node without the helper gets "not suitable", helper
# failures fail the resource with truthful detailed exit codes. The archive
# carries the Windows side too (files/porttune.exe, the built mingw helper;
# facts.d/porttune.bat and its copy files/porttune.bat; manifests/windows.pp),
# and Facter on Linux leaves the .bat alone (the class's Windows branch is
# tested by rspec-puppet in spec/classes, the .bat under Wine by
# tests/win/run.sh).
#
# Same isolation as tests/puppet/run.sh: a new network namespace and a
# private mount namespace (/etc is an overlay over a temp folder, the
# sysctl.d directories are empty tmpfs, /proc/sys is read-only but for
# /proc/sys/net); everything the class installs goes under the temp folder.
#
#   bash tests/puppet/module.sh TARBALL HELPER_BINARY WINDOWS_HELPER_EXE
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARBALL=$(realpath "${1:?usage: module.sh TARBALL HELPER_BINARY}")
BIN=$(realpath "${2:?usage: module.sh TARBALL HELPER_BINARY WINDOWS_HELPER_EXE}")
EXE=$(realpath "${3:?usage: module.sh TARBALL HELPER_BINARY WINDOWS_HELPER_EXE}")
VERSION=$(cat "$ROOT/VERSION")

if [ "${PT_PUPPET_INNER:-}" != 1 ]; then
  for c in puppet facter unshare; do
    command -v $c >/dev/null || { echo "tests/puppet: $c is missing (sh scripts/deps.sh puppet)"
                                  echo "0 passed, 1 failed"; exit 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "tests/puppet: needs root for namespaces"; echo "0 passed, 1 failed"; exit 1; }
  [ -f "$TARBALL" ] || { echo "tests/puppet: no tarball $TARBALL"; echo "0 passed, 1 failed"; exit 1; }
  exec unshare --net --mount --propagation private -- env PT_PUPPET_INNER=1 bash "$0" "$TARBALL" "$BIN" "$EXE"
fi

T=$(mktemp -d /tmp/porttune-pmod.XXXXXX)
trap 'rm -rf "$T"' EXIT
set -e
mkdir -p "$T/etc-upper" "$T/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc
mount -t tmpfs -o mode=0755 tmpfs /etc/sysctl.d
for d in /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
  if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o mode=0755 tmpfs "$d"; fi
done
: >/etc/sysctl.conf
mkdir -p /etc/facter
printf 'facts : {\n  blocklist : [ "augeas" ]\n}\n' >/etc/facter/facter.conf
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mount -t tmpfs -o mode=0755 tmpfs /var/cache
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
set +e

export HOME=$T LC_ALL=C.UTF-8
# No porttune on this PATH (checked below); the class's bin_dir is added
# where a test wants the helper installed.
BASEPATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH=$BASEPATH
R=$T/root                                  # the class installs here
PASS=0
FAIL=0
P=/proc/sys/net/ipv4
CONF=/etc/sysctl.d/60-porttune.conf
MP=$T/modules
PUP=(--color=false --confdir="$T/conf" --vardir="$T/var" --codedir="$T/code" --logdir="$T/log"
     --rundir="$T/run" --ssldir="$T/ssl" --publicdir="$T/public")

ok()  { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/     | /'; }
live() { tr '\t' ' ' <"$P/$1"; }
quiet() { grep -v -e 'serverip' -e '/proc/1/environ' "$1" || true; }
apply() {          # NAME [puppet options] < manifest: output in $T/NAME.out, exit code in $RC
  local name=$1; shift
  cat >"$T/$name.pp"
  puppet apply "${PUP[@]}" --modulepath="$MP" --detailed-exitcodes "$@" "$T/$name.pp" >"$T/$name.out" 2>&1
  RC=$?
}
expect_rc() { if [ "$3" = "$2" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, want $2" "$(quiet "$T/$4.out")"; fi; }
has() {
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
  cat "$T/state.json" 2>/dev/null
}
S="state_file => '$T/state.json'"
CLASS="class { 'porttune':
  bin_dir   => '$R/bin',
  man_dir   => '$R/man',
  facts_dir => '$R/facts.d',
}"

echo "== tests/puppet/module.sh with $(basename "$TARBALL") ($(puppet --version), facter $(facter --version 2>/dev/null))"
ORIG=$(snapshot)

# --- the archive: both helpers, both facts, modes as Facter needs them ---
N=porttune-porttune-$VERSION
tar -tvzf "$TARBALL" | awk '{print $1, $6}' >"$T/tar.out"
for want in "-rwxr-xr-x $N/files/porttune" "-rwxr-xr-x $N/files/porttune.exe" \
            "-rw-r--r-- $N/files/porttune.bat" "-rwxr-xr-x $N/facts.d/porttune.sh" \
            "-rw-r--r-- $N/facts.d/porttune.bat" "-rw-r--r-- $N/manifests/windows.pp"; do
  if grep -qxF -- "$want" "$T/tar.out"; then ok "archive has $want"
  else bad "archive lacks $want" "$(cat "$T/tar.out")"; fi
done
mkdir "$T/x"
tar -C "$T/x" -xzf "$TARBALL"
if cmp -s "$T/x/$N/files/porttune.exe" "$EXE"; then ok "files/porttune.exe is the built Windows helper ($EXE)"
else bad "files/porttune.exe differs from $EXE"; fi
if cmp -s "$T/x/$N/files/porttune.bat" "$ROOT/puppet/porttune/facts.d/porttune.bat" &&
   cmp -s "$T/x/$N/facts.d/porttune.bat" "$ROOT/puppet/porttune/facts.d/porttune.bat"; then
  ok "files/porttune.bat and facts.d/porttune.bat are the module's facts.d/porttune.bat"
else bad "the archive's porttune.bat differs from puppet/porttune/facts.d/porttune.bat"; fi
eq "checksums.json lists the Windows files with their MD5" \
   "$(python3 - "$T/x/$N" <<'PY'
import hashlib, json, sys
top = sys.argv[1]
sums = json.load(open(top + "/checksums.json"))
for f in ("files/porttune.exe", "files/porttune.bat", "facts.d/porttune.bat", "manifests/windows.pp"):
    print(f, sums.get(f) == hashlib.md5(open(top + "/" + f, "rb").read()).hexdigest())
PY
)" "files/porttune.exe True
files/porttune.bat True
facts.d/porttune.bat True
manifests/windows.pp True"

# --- install the release as users do ---
puppet module install "${PUP[@]}" --ignore-dependencies "$TARBALL" --modulepath "$MP" >"$T/install.out" 2>&1
RC=$?
expect_rc "puppet module install --ignore-dependencies TARBALL --modulepath DIR" 0 $RC install
has "installs porttune-porttune v$VERSION" install "porttune-porttune (v$VERSION)"
puppet module list "${PUP[@]}" --modulepath "$MP" >"$T/list.out" 2>&1
has "puppet module list shows it" list "porttune-porttune (v$VERSION)"
if [ -x "$MP/porttune/files/porttune" ] && [ -f "$MP/porttune/manifests/init.pp" ] &&
   [ -f "$MP/porttune/lib/puppet/provider/porttune/helper.rb" ]; then
  ok "the installed module has the class, the provider and an executable files/porttune"
else
  bad "installed module contents" "$(find "$MP" | sort)"
fi
puppet module changes "${PUP[@]}" "$MP/porttune" >"$T/changes.out" 2>&1
RC=$?
expect_rc "puppet module changes reads checksums.json" 0 $RC changes
has "and finds every file as shipped" changes "No modified files"
if cmp -s "$MP/porttune/files/porttune" "$BIN"; then ok "files/porttune is the built helper ($BIN)"
else bad "files/porttune differs from $BIN"; fi
mkdir -p "$R/bin" "$R/man"

# --- a node without the helper: Puppet's "not suitable", nothing changed ---
if command -v porttune >/dev/null; then
  bad "a porttune is on PATH $PATH: $(command -v porttune); cannot test the missing-helper case"
fi
apply nohelper <<EOF
porttune { 'ephemeral': fin_timeout => 31, $S }
EOF
expect_rc "without the helper the resource fails" 4 $RC nohelper
has "with Puppet's not-suitable message" nohelper \
  "Error: Could not find a suitable provider for porttune"
eq "and nothing changed" "$(snapshot)" "$ORIG"

# --- the class installs the helper; the type works in the same run ---
export PATH=$R/bin:$BASEPATH
apply converge <<EOF
$CLASS
porttune { 'ephemeral':
  port_range     => '1024 65535',
  reserved_ports => ['8081', 8080, '9000-9100'],
  fin_timeout    => 30,
  $S,
}
EOF
expect_rc "class and type converge in one run" 2 $RC converge
# (but Puppet's own noise in a namespace without network, see quiet)
if quiet "$T/converge.out" | grep -q "Warning:"; then bad "converging logs a warning" "$(quiet "$T/converge.out")"
else ok "converging logs no warning"; fi
eq "the class installed the helper" "$(cmp "$R/bin/porttune" "$MP/porttune/files/porttune" && stat -c %a "$R/bin/porttune")" 755
if man -l "$R/man/man1/porttune.1" 2>/dev/null | grep -q "EXIT STATUS"; then
  ok "the class installed the man page and it renders"
else bad "man page at $R/man/man1/porttune.1" "$(find "$R" | sort)"; fi
has "port_range change reported" converge "Porttune[ephemeral]/port_range: port_range changed '32768-60999' to '1024-65535'"
has "reserved_ports change reported" converge "Porttune[ephemeral]/reserved_ports: reserved_ports changed '' to '8080-8081,9000-9100'"
has "fin_timeout change reported" converge "Porttune[ephemeral]/fin_timeout: fin_timeout changed 60 to 30"
eq "live values" "$(live ip_local_port_range) $(live ip_local_reserved_ports) $(live tcp_fin_timeout)" \
   "1024 65535 8080-8081,9000-9100 30"
eq "sysctl file" "$(cat "$CONF")" "# Managed by porttune: do not edit; changes are overwritten on the next run.
net.ipv4.ip_local_port_range = 1024 65535
net.ipv4.ip_local_reserved_ports = 8080-8081,9000-9100
net.ipv4.tcp_fin_timeout = 30"

apply again <"$T/converge.pp"
expect_rc "second apply changes nothing" 0 $RC again
hasnt "no change reported" again " changed "

# The installed fact names the helper by its path: it works without PATH.
out=$(PATH=$BASEPATH facter --external-dir "$R/facts.d" porttune.settings.port_range 2>"$T/facter.err")
eq "facter reads the fact the class installed (helper not on PATH)" "$out" "1024-65535"

# The module's facts.d as pluginsync delivers it to every agent: the .sh and
# the .bat side by side. Facter on Linux runs the .sh and never the .bat,
# even an executable one (it runs only .bat/.cmd/.com/.exe on Windows).
mkdir "$T/synced"
cp "$MP/porttune/facts.d/porttune.sh" "$MP/porttune/facts.d/porttune.bat" "$T/synced/"
chmod 0755 "$T/synced/porttune.bat"
out=$(facter --external-dir "$T/synced" porttune.settings.port_range 2>"$T/synced.err")
eq "facter on Linux with the module's facts.d (.sh and an executable .bat)" "$out" "1024-65535"
if grep -qiE 'error|warn' "$T/synced.err"; then bad "facter complains about the module's facts.d" "$(cat "$T/synced.err")"
else ok "and says nothing about porttune.bat"; fi
# Where the helper is not installed the .sh prints nothing and succeeds, so
# the fact is simply absent.
eq "without porttune on PATH, facts.d/porttune.sh prints nothing and exits 0" \
   "$(PATH=$BASEPATH sh "$T/synced/porttune.sh" 2>&1; echo "exit $?")" "exit 0"
eq "and facter has no porttune fact" \
   "[$(PATH=$BASEPATH facter --external-dir "$T/synced" porttune 2>/dev/null)]" "[]"
mkdir "$T/probe"
printf '#!/bin/sh\necho probe_sh=ran\n' >"$T/probe/probe_sh.sh"
printf '#!/bin/sh\necho probe_bat=ran\n' >"$T/probe/probe_bat.bat"
chmod 0755 "$T/probe/probe_sh.sh" "$T/probe/probe_bat.bat"
eq "facter on Linux runs an executable .sh but not an executable .bat" \
   "$(facter --external-dir "$T/probe" probe_sh 2>/dev/null) [$(facter --external-dir "$T/probe" probe_bat 2>/dev/null)]" \
   "ran []"

# --- drift: --noop reports it and changes nothing; apply repairs it ---
echo 45 >"$P/tcp_fin_timeout"
before=$(snapshot)
apply noop --noop <"$T/converge.pp"
# Puppet counts noop events as out of sync, not as changes: exit 0.
expect_rc "--noop on drift" 0 $RC noop
has "--noop reports the drift" noop "Porttune[ephemeral]/fin_timeout: current_value 45, should be 30 (noop)"
has "and counts it" noop "Would have triggered 'refresh' from 1 event"
eq "--noop changes nothing" "$(snapshot)" "$before"
apply repair <"$T/converge.pp"
expect_rc "apply repairs the drift" 2 $RC repair
has "repair reported" repair "fin_timeout changed 45 to 30"

# --- failures: the resource fails, exit codes say whether anything changed ---
before=$(snapshot)
apply hostlimit <<EOF
porttune { 'ephemeral': port_range => '1000-65535', fin_timeout => 31, $S }
EOF
expect_rc "a value the host refuses fails (nothing changed)" 4 $RC hostlimit
has "with the helper's message" hostlimit "failed: port_range: 1000-65535 starts below net.ipv4.ip_unprivileged_port_start"
hasnt "no property reported as changed" hostlimit " changed "
eq "nothing changed" "$(snapshot)" "$before"

# A failure only the write shows (read-only sysctl.d): flush fails the resource.
mount -o remount,ro /etc/sysctl.d
apply rofs <<EOF
porttune { 'ephemeral': fin_timeout => 33, persist => true, $S }
EOF
mount -o remount,rw /etc/sysctl.d
expect_rc "a failed write fails the resource" 6 $RC rofs
has "with the helper's message" rofs "Could not evaluate:"
has "saying the logged change was not made" rofs "the changes logged above for this resource were not all made"
eq "the helper put the live value back" "$(live tcp_fin_timeout)" "30"

# --- ensure => absent: porttune's entries go, the original values come back ---
apply absentnoop --noop <<EOF
porttune { 'ephemeral': ensure => absent, $S }
EOF
expect_rc "--noop ensure => absent" 0 $RC absentnoop
has "reports what it would do" absentnoop "Porttune[ephemeral]/ensure: current_value 'present', should be 'absent' (noop)"
eq "and changes nothing" "$(live ip_local_port_range)" "1024 65535"
apply absent <"$T/absentnoop.pp"
expect_rc "ensure => absent" 2 $RC absent
has "reports the removal" absent "Porttune[ephemeral]/ensure: removed porttune's settings from /etc/sysctl.d/60-porttune.conf and put back the recorded live values"
eq "original live values back" "$(live ip_local_port_range) '$(live ip_local_reserved_ports)' $(live tcp_fin_timeout)" \
   "32768 60999 '' 60"
if [ -e "$CONF" ]; then bad "sysctl file removed" "$(cat "$CONF")"; else ok "sysctl file removed"; fi
apply absent2 <"$T/absentnoop.pp"
expect_rc "ensure => absent again changes nothing" 0 $RC absent2

# absent for one named setting only
apply two <<EOF
porttune { 'ephemeral': port_range => '2000-60000', fin_timeout => 40, $S }
EOF
apply absentone <<EOF
porttune { 'ephemeral': ensure => absent, fin_timeout => 40, $S }
EOF
expect_rc "ensure => absent with a named property" 2 $RC absentone
eq "only that setting restored" "$(live ip_local_port_range) $(live tcp_fin_timeout)" "2000 60000 60"
eq "and its line removed" "$(grep -c . "$CONF") $(grep -c fin_timeout "$CONF")" "2 0"
apply absentall <<EOF
porttune { 'ephemeral': ensure => absent, $S }
EOF
expect_rc "ensure => absent for the rest" 2 $RC absentall
eq "back to where the test started" "$(snapshot | grep -v '^{')" "$(printf '%s\n' "$ORIG" | grep -v '^{')"

# --- the class alone is idempotent ---
apply classonly <<<"$CLASS"
expect_rc "the class alone, again: nothing to do" 0 $RC classonly

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
