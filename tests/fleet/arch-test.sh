#!/bin/bash
# SPDX-License-Identifier: MIT
# A mixed fleet over SSH: hosts that are x86_64, aarch64, s390x and riscv64
# as far as Ansible can tell (fleet.sh --arch: their uname says so, their sshd
# runs in a user namespace whose own binfmt_misc runs that CPU's binaries
# under qemu-user) plus a mips64 host, for which porttune has no binary. The
# role from this checkout (library/ with library/linux/porttune-ARCH) and a
# second porttune task in the same play: every supported host converges,
# gets its CPU's binary (-vvv), is probed once (uname -sm) for both tasks,
# is unchanged on the second run and in check mode; the mips64 host fails
# with the message naming its machine and the available ones, before any
# module is sent. The riscv64 host has no Python.
#
#   arch-test.sh [COLLECTION_TARBALL]   (root; make arch-lib venv first)
#   With the collection's tarball, its FQCN module porttune.porttune.porttune
#   converges the same fleet too (installed with ansible-galaxy).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/porttune-archfleet.XXXXXX)
cleanup() {
  if [ -f "$work/fleet/.fleet" ]; then "$here/fleet.sh" down "$work/fleet" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
[ -z "${ARCH_TEST_KEEP:-}" ] || trap - EXIT
fail() { echo "arch-test: FAILED: $*" >&2; exit 1; }
checks=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }

for a in aarch64 s390x riscv64; do
  [ -x "$root/library/linux/porttune-$a" ] || fail "no library/linux/porttune-$a (make arch-lib)"
done
command -v ansible-playbook >/dev/null || fail "ansible-playbook not on PATH (make venv; PATH=.venv/bin:\$PATH)"

archs=(x86_64 aarch64 s390x riscv64 mips64)
"$here/fleet.sh" up 5 "$work/fleet" --arch "$(IFS=,; echo "${archs[*]}")" --no-python-host 4 >/dev/null
mapfile -t hosts < <("$here/fleet.sh" list "$work/fleet")

cat >"$work/site.yml" <<'YML'
---
- name: Client ports on a mixed fleet
  hosts: fleet
  gather_facts: false
  vars:
    porttune_port_range: "15000-64999"
    porttune_reserved_ports: [8080, "9000-9100"]
    porttune_tw_reuse: 2
  roles:
    - role: porttune
  tasks:
    - name: The module by name, same host, same play (no second probe)
      porttune:
        port_range: "15000-64999"
        reserved_ports: [8080, "9000-9100"]
        tw_reuse: 2
YML
cd "$root"
export ANSIBLE_CONFIG=$root/ansible.cfg ANSIBLE_HOST_KEY_CHECKING=false
run() {  # run NAME ARGS...: ansible-playbook; NAME.out; rc in NAME.rc
  local name=$1; shift
  set +e
  ansible-playbook -i "$work/fleet/inventory.yml" "$@" "$work/site.yml" >"$work/$name.out" 2>&1
  echo $? >"$work/$name.rc"
  set -e
}
recap() {  # recap NAME HOST: "ok=.. changed=.. failed=.."
  grep -E "^${2} +: ok=" "$work/$1.out" | sed -E 's/.*(ok=[0-9]+) +(changed=[0-9]+) +unreachable=[0-9]+ +(failed=[0-9]+).*/\1 \2 \3/'
}
expect_recap() {  # NAME HOST WANT
  local got
  got=$(recap "$1" "$2")
  [ "$got" = "$3" ] || { tail -n 60 "$work/$1.out"; fail "$1: $2 (${4}): '$got', want '$3'"; }
  ok "$1: ${2} (${4}): $3"
}

run first -vvv
for i in 0 1 2 3; do
  expect_recap first "${hosts[$i]}" "ok=3 changed=1 failed=0" "${archs[$i]}"
done
expect_recap first "${hosts[4]}" "ok=1 changed=0 failed=1" mips64
grep -A4 "^fatal: \[${hosts[4]}\]: FAILED!" "$work/first.out" | grep -qF '"msg": "porttune has no binary for this host: it is Linux mips64, and porttune is built for Linux on x86_64, aarch64, armv7, riscv64, ppc64le, s390x. Nothing was sent."' ||
  { grep -A3 "fatal: \[${hosts[4]}\]" "$work/first.out"; fail "mips64: no clear message"; }
ok "mips64: fails naming its machine and the available ones"
# Nothing sent to it: no transfer and no module run (only the probe).
n=$(grep -c "<${hosts[4]}> PUT" "$work/first.out" || true)
[ "$n" = 0 ] || fail "mips64: $n file transfers, want 0"
n=$(grep -c "<${hosts[4]}> SSH: EXEC" "$work/first.out" || true)
m=$(grep -c "<${hosts[4]}> SSH: EXEC .*uname -sm" "$work/first.out" || true)
[ "$n" = 1 ] && [ "$m" = 1 ] || fail "mips64: $n SSH commands ($m uname probes), want only the probe"
ok "mips64: nothing sent"
for i in 0 1 2 3; do
  h=${hosts[$i]} a=${archs[$i]}
  n=$(grep -c "<$h> SSH: EXEC .*uname -sm" "$work/first.out" || true)
  [ "$n" = 1 ] || fail "$h ($a): $n uname probes for two tasks, want 1"
  if [ "$a" = x86_64 ]; then
    ! grep -q "<$h> porttune: .* binary" "$work/first.out" || fail "$h: x86_64 host got another binary"
  else
    n=$(grep -c "<$h> porttune: $a binary $root/library/linux/porttune-$a" "$work/first.out" || true)
    [ "$n" = 2 ] || fail "$h ($a): $n runs of the $a binary, want 2"
  fi
  ok "$h ($a): one probe, its own binary for both tasks"
  got=$("$here/fleet.sh" exec "$work/fleet" "$h" cat /proc/sys/net/ipv4/ip_local_port_range /proc/sys/net/ipv4/tcp_tw_reuse | tr -s '\t\n' '  ')
  [ "$got" = "15000 64999 2 " ] || fail "$h ($a): settings '$got', want '15000 64999 2 '"
  ok "$h ($a): settings applied in its namespace"
done

run second
for i in 0 1 2 3; do expect_recap second "${hosts[$i]}" "ok=3 changed=0 failed=0" "${archs[$i]}"; done
expect_recap second "${hosts[4]}" "ok=1 changed=0 failed=1" mips64

# Audit: drift on the s390x host, check mode reports it and changes nothing.
"$here/fleet.sh" exec "$work/fleet" "${hosts[2]}" sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_tw_reuse'
run audit --check --diff
expect_recap audit "${hosts[2]}" "ok=3 changed=2 failed=0" "s390x, drifted"
for i in 0 1 3; do expect_recap audit "${hosts[$i]}" "ok=3 changed=0 failed=0" "${archs[$i]}"; done
got=$("$here/fleet.sh" exec "$work/fleet" "${hosts[2]}" cat /proc/sys/net/ipv4/tcp_tw_reuse)
[ "$got" = 1 ] || fail "check mode changed the s390x host's tcp_tw_reuse to $got"
ok "check mode left the drift in place"

# The collection's FQCN module, installed from its tarball into a project
# with no ansible.cfg: the action plugin and porttune-ARCH of the collection.
if [ -n "${1:-}" ]; then
  mkdir -p "$work/coll"
  ansible-galaxy collection install "$(realpath "$1")" -p "$work/coll/collections" >"$work/coll/install.out" 2>&1 ||
    { cat "$work/coll/install.out"; fail "ansible-galaxy collection install $1"; }
  cat >"$work/coll/fqcn.yml" <<'YML'
---
- name: The FQCN module on a mixed fleet
  hosts: fleet
  gather_facts: false
  tasks:
    - name: Converge
      porttune.porttune.porttune:
        fin_timeout: 25
YML
  frun() {  # frun NAME ARGS...
    local name=$1; shift
    set +e
    (cd "$work/coll" && env -u ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH="$work/coll/collections" \
      ansible-playbook -i "$work/fleet/inventory.yml" "$@" fqcn.yml) >"$work/$name.out" 2>&1
    set -e
  }
  frun fqcn1 -vvv
  for i in 0 1 2 3; do expect_recap fqcn1 "${hosts[$i]}" "ok=1 changed=1 failed=0" "${archs[$i]}, FQCN"; done
  expect_recap fqcn1 "${hosts[4]}" "ok=0 changed=0 failed=1" "mips64, FQCN"
  for i in 1 2 3; do
    h=${hosts[$i]} a=${archs[$i]}
    grep -q "<$h> porttune: $a binary $work/coll/collections/ansible_collections/porttune/porttune/plugins/modules/porttune-$a" \
      "$work/fqcn1.out" || fail "$h ($a): the collection's $a binary was not used"
    got=$("$here/fleet.sh" exec "$work/fleet" "$h" cat /proc/sys/net/ipv4/tcp_fin_timeout)
    [ "$got" = 25 ] || fail "$h ($a): fin_timeout $got after the FQCN module, want 25"
    ok "$h ($a): the collection's $a binary converged it"
  done
  frun fqcn2
  for i in 0 1 2 3; do expect_recap fqcn2 "${hosts[$i]}" "ok=1 changed=0 failed=0" "${archs[$i]}, FQCN again"; done
  frun fqcn3 --check --diff
  for i in 0 1 2 3; do expect_recap fqcn3 "${hosts[$i]}" "ok=1 changed=0 failed=0" "${archs[$i]}, FQCN audit"; done
fi

! "$here/fleet.sh" exec "$work/fleet" "${hosts[3]}" sh -c 'command -v python3 || command -v python' >/dev/null ||
  fail "the riscv64 host has a Python interpreter"
ok "the riscv64 host has no Python"
"$here/fleet.sh" check "$work/fleet" >/dev/null || fail "the machine's own settings changed"
ok "machine's own settings unchanged"
echo "arch-test: $checks checks passed"
