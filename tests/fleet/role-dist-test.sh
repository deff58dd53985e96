#!/bin/bash
# SPDX-License-Identifier: MIT
# The role from `make role-dist`, copied alone into a throwaway project's
# roles path (no repo library/, no ANSIBLE_LIBRARY), converges a simulated
# fleet, is idempotent, and its docs render.
#   role-dist-test.sh build/porttune-role.tar.gz
set -euo pipefail
[ $# = 1 ] || { echo "usage: $0 ROLE_TARBALL" >&2; exit 2; }
tarball=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/porttune-roledist.XXXXXX)
cleanup() {
  if [ -f "$work/fleet/.fleet" ]; then "$here/fleet.sh" down "$work/fleet" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "role-dist-test: FAILED: $*" >&2; exit 1; }

mkdir -p "$work/project/roles"
tar -C "$work/project/roles" -xzf "$tarball"
lib="$work/project/roles/porttune/library/porttune"
[ -f "$lib" ] && [ ! -L "$lib" ] && [ -x "$lib" ] || fail "tarball lacks an executable roles/porttune/library/porttune"

cat >"$work/project/ansible.cfg" <<'CFG'
[defaults]
roles_path = ./roles
CFG
cat >"$work/project/site.yml" <<'YML'
---
- name: Web tier client ports
  hosts: fleet
  gather_facts: false
  vars:
    porttune_port_range: "15000-64999"
    porttune_reserved_ports: [8080, "9000-9100", 20000]
    porttune_tw_reuse: 2
  roles:
    - role: porttune
YML

"$here/fleet.sh" up 3 "$work/fleet"
cd "$work/project"
unset ANSIBLE_LIBRARY ANSIBLE_ROLES_PATH ANSIBLE_CONFIG

# Lines of the play recap whose changed= count is not N.
recap_not() { grep -E '^[^ ].* : ok=' "$1" | grep -v " changed=$2 " || true; }

run() { ansible-playbook -i "$work/fleet/inventory.yml" "$@" site.yml >"$work/out" 2>&1 || { cat "$work/out"; fail "ansible-playbook $*"; }; }

run
[ -z "$(recap_not "$work/out" 1)" ] || { cat "$work/out"; fail "first run did not change every host once"; }
run
[ -z "$(recap_not "$work/out" 0)" ] || { cat "$work/out"; fail "second run was not idempotent"; }
run --check --diff
[ -z "$(recap_not "$work/out" 0)" ] || { cat "$work/out"; fail "check-mode run reported changes"; }

# With pipelining on, the role's action plugin runs the binary in one SSH
# session per host (after one `uname -sm` that picks the CPU's binary) (arguments and binary on stdin) instead of Ansible's seven.
ANSIBLE_PIPELINING=1 run -e porttune_tw_reuse=1
[ -z "$(recap_not "$work/out" 1)" ] || { cat "$work/out"; fail "pipelined run did not change every host once"; }
ANSIBLE_PIPELINING=1 run -vvv -e porttune_tw_reuse=1
[ -z "$(recap_not "$work/out" 0)" ] || { cat "$work/out"; fail "second pipelined run was not idempotent"; }
grep -q "porttune: binary module pipelined" "$work/out" || { cat "$work/out"; fail "pipelining on, but the module was not pipelined"; }
n=$(grep -c "SSH: EXEC" "$work/out") || true
# Two per host: the `uname -sm` probe (no facts gathered) and the module.
[ "$n" = 6 ] || { grep "SSH: EXEC" "$work/out"; fail "pipelined run used $n SSH commands for 3 hosts, want 6"; }
ANSIBLE_PIPELINING=1 run --check --diff -e porttune_tw_reuse=1
[ -z "$(recap_not "$work/out" 0)" ] || { cat "$work/out"; fail "pipelined check-mode run reported changes"; }

for h in $("$here/fleet.sh" list "$work/fleet"); do
  got=$("$here/fleet.sh" exec "$work/fleet" "$h" cat /proc/sys/net/ipv4/ip_local_port_range | tr -s '\t ' ' ')
  [ "$got" = "15000 64999" ] || fail "$h: live port range is '$got'"
  "$here/fleet.sh" exec "$work/fleet" "$h" grep -q '^net.ipv4.ip_local_reserved_ports = 8080,9000-9100,20000$' \
    /etc/sysctl.d/60-porttune.conf || fail "$h: reserved ports not persisted"
  left=$("$here/fleet.sh" exec "$work/fleet" "$h" sh -c 'ls -A /root/.ansible/tmp 2>/dev/null || true')
  [ -z "$left" ] || fail "$h: temporary files left in /root/.ansible/tmp: $left"
done

# Which binary each kind of host gets: Linux the ELF, Windows (a PowerShell
# shell) porttune_win.exe. The Windows attempt fails here (no Windows host);
# only the module file Ansible chose matters.
first=$("$here/fleet.sh" list "$work/fleet" | head -1)
ansible-playbook -vvv -i "$work/fleet/inventory.yml" -l "$first" site.yml >"$work/out" 2>&1 || true
grep -q "Using module file .*/roles/porttune/library/porttune\$" "$work/out" \
  || { grep "Using module file" "$work/out"; fail "Linux host did not get library/porttune"; }
[ -f roles/porttune/library/porttune_win.exe ] ||
  fail "the tarball has no library/porttune_win.exe (make role-dist needs library/porttune.exe)"
for p in 0 1; do   # pipelining off and on: Windows hosts always take Ansible's own path
  ANSIBLE_PIPELINING=$p ansible-playbook -vvv -i "$work/fleet/inventory.yml" -l "$first" \
    -e ansible_shell_type=powershell site.yml >"$work/out" 2>&1 || true
  grep -q "Using module file .*/roles/porttune/library/porttune_win.exe\$" "$work/out" \
    || { grep "Using module file" "$work/out"; fail "Windows host did not get library/porttune_win.exe (pipelining=$p)"; }
done

ansible-doc -t role -r roles porttune >/dev/null || fail "ansible-doc -t role porttune"
if [ -f roles/porttune/library/porttune.yml ]; then
  ansible-doc -M roles/porttune/library porttune >/dev/null || fail "ansible-doc -M roles/porttune/library porttune"
fi
"$here/fleet.sh" check "$work/fleet" >/dev/null || fail "the machine's own settings changed"
echo "role-dist-test: the role from $(basename "$tarball") works alone: converged, idempotent, check mode clean, pipelined in one SSH session per host, no temporary files left, right binary per OS, docs render"
