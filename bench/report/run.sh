#!/bin/bash
# SPDX-License-Identifier: MIT
# The fleet report's cost: on N simulated hosts (tests/fleet/fleet.sh, forks
# = N, bench/fleet/ansible.cfg: pipelining on), the wall-clock time of
# playbooks/report.yml next to the plain check-mode audit (playbooks/audit.yml)
# and the size of the HTML and JSON it writes. Not a test (not in TESTS);
# needs root. Every run is a new ansible-playbook with cold SSH connections.
#
#   run.sh [N] [ROUNDS]     default N 50, ROUNDS 1; writes build/bench-report.md
#
# Half of the fleet is converged to a baseline, every 10th of those then
# drifts by hand, so the report has rows of every kind to render.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fleet=$root/tests/fleet/fleet.sh
n=${1:-50} rounds=${2:-1}
[ "$(id -u)" = 0 ] || { echo "bench-report: must run as root" >&2; exit 1; }
work=$(mktemp -d /tmp/porttune-benchrep.XXXXXX)
cleanup() {
  if [ -f "$work/fleet/.fleet" ]; then "$fleet" down "$work/fleet" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$fleet" up "$n" "$work/fleet" >/dev/null
mapfile -t H < <("$fleet" list "$work/fleet")
python3 - "$work/fleet/inventory.yml" >"$work/inventory.yml" <<'PY'
import sys
import yaml
inv = yaml.safe_load(open(sys.argv[1]))
inv["all"]["vars"].update({"porttune_port_range": "20000-60999", "porttune_fin_timeout": 30,
                           "porttune_max_tw_buckets": 16384})
print(yaml.safe_dump(inv, sort_keys=True))
PY
export ANSIBLE_CONFIG=$root/bench/fleet/ansible.cfg ANSIBLE_LIBRARY=$root/library ANSIBLE_ROLES_PATH=$root/roles
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=True
cat >"$work/converge.yml" <<'YML'
---
- name: Converge the baseline
  hosts: fleet
  gather_facts: false
  roles:
    - role: porttune
YML
half=$(printf '%s,' "${H[@]:0:$((n / 2))}")
ansible-playbook -i "$work/inventory.yml" -f "$n" -l "${half%,}" "$work/converge.yml" >"$work/out" 2>&1 \
  || { cat "$work/out"; echo "bench-report: converge failed" >&2; exit 1; }
for ((i = 0; i < n / 2; i += 10)); do
  "$fleet" exec "$work/fleet" "${H[$i]}" sh -c 'echo 45 >/proc/sys/net/ipv4/tcp_fin_timeout'
done

close_masters() {
  local s
  for s in "$(cat "$work/fleet/cpdir")"/*; do
    [ -S "$s" ] && ssh -F /dev/null -o ControlPath="$s" -O exit x >/dev/null 2>&1 || true
  done
}
# One timed ansible-playbook run: prints wall seconds.
timed() {
  local t0 t1
  close_masters
  t0=$(date +%s.%N)
  ansible-playbook -i "$work/inventory.yml" -f "$n" "$@" >"$work/out" 2>&1 \
    || { cat "$work/out"; echo "bench-report: ansible-playbook $* failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  close_masters
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

timed --check "$root/playbooks/audit.yml" >/dev/null   # warm-up, untimed
audits=() reports=()
for ((r = 1; r <= rounds; r++)); do
  audits+=("$(timed --check "$root/playbooks/audit.yml")")
  reports+=("$(timed --check "$root/playbooks/report.yml" -e porttune_report_path="$work/report.html")")
done
grep -q "porttune report: $work/report.html ($n host(s))" "$work/out" || { cat "$work/out"; exit 1; }
html=$(stat -c %s "$work/report.html") json=$(stat -c %s "$work/report.json")
rows=$(grep -c '<tr class="[a-z ]*" data-host=' "$work/report.html")
[ "$rows" = "$n" ] || { echo "bench-report: $rows host rows in the report, want $n" >&2; exit 1; }
{
  echo "Fleet report benchmark (ansible [core $(ansible --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p')]; $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); bench/fleet/ansible.cfg (pipelining on); forks = N; cold SSH connections each run)"
  echo
  echo "| N | round | check-mode audit (audit.yml --check) | fleet report (report.yml) | report / audit | HTML | JSON |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for ((r = 0; r < rounds; r++)); do
    printf '| %d | %d | %s s | %s s | %s× | %d bytes | %d bytes |\n' "$n" $((r + 1)) "${audits[$r]}" "${reports[$r]}" \
      "$(awk -v a="${audits[$r]}" -v b="${reports[$r]}" 'BEGIN { printf "%.2f", b / a }')" "$html" "$json"
  done
} | tee "$root/build/bench-report.md"
