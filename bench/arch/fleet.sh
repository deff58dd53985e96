#!/bin/bash
# SPDX-License-Identifier: MIT
# Mixed fleet vs all-x86_64 fleet at N hosts (default 20): the role's
# idempotent run time (median of ROUNDS, default 3, after a converging run)
# and the SSH commands per host (-vvv), with and without gathered facts.
# Root; make arch-lib venv first. Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-20}
rounds=${ROUNDS:-3}
fleet=$root/tests/fleet/fleet.sh
export PATH=$root/.venv/bin:$PATH ANSIBLE_CONFIG=$root/ansible.cfg
work=$(mktemp -d /tmp/porttune-archbench.XXXXXX)
cleanup() {
  for d in "$work"/f-*; do [ -f "$d/.fleet" ] && "$fleet" down "$d" >/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
for g in false true; do
  cat >"$work/site-$g.yml" <<YML
---
- name: bench
  hosts: fleet
  gather_facts: $g
  vars:
    porttune_port_range: "15000-64999"
    porttune_tw_reuse: 2
  roles:
    - role: porttune
YML
done
echo "| fleet (N = $n) | facts | idempotent run, s (median of $rounds) | SSH commands per host |"
echo "|---|---|---:|---:|"
for kind in x86_64 mixed; do
  arches=x86_64
  [ "$kind" = mixed ] && arches=x86_64,aarch64,s390x,riscv64
  d=$work/f-$kind
  "$fleet" up "$n" "$d" --arch "$arches" >/dev/null
  for g in false true; do
    cd "$root"
    ansible-playbook -i "$d/inventory.yml" -f "$n" "$work/site-$g.yml" >"$work/out" 2>&1 || { tail -40 "$work/out"; exit 1; }
    times=()
    for _ in $(seq 1 "$rounds"); do
      s=$(date +%s.%N)
      ansible-playbook -i "$d/inventory.yml" -f "$n" "$work/site-$g.yml" >"$work/out" 2>&1 || { tail -40 "$work/out"; exit 1; }
      times+=("$(echo "$(date +%s.%N) - $s" | bc)")
    done
    med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")
    ansible-playbook -vvv -i "$d/inventory.yml" -f "$n" "$work/site-$g.yml" >"$work/out" 2>&1
    h=$("$fleet" list "$d" | head -1)
    per=$(grep -c "^<$h> SSH: EXEC" "$work/out" || true)
    printf '| %s | %s | %.2f | %s |\n' "$kind" "$g" "$med" "$per"
  done
  "$fleet" down "$d" >/dev/null
done
