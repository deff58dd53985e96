#!/bin/bash
# SPDX-License-Identifier: MIT
# The role's metrics collection: its systemd units rendered by Ansible from
# roles/porttune/templates with the role's defaults, checked with
# systemd-analyze verify (and a broken interval must be refused), then the
# service's own ExecStart run in a network namespace, its file checked with
# promtool; the role with porttune_metrics_dir set passes --syntax-check.
#
# usage: tests/metrics/role.sh   (root; needs .venv (make venv) and library/porttune)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
venv=$top/.venv/bin
fail() { echo "FAIL metrics role.sh: $*" >&2; exit 1; }
[ -x "$venv/ansible-playbook" ] || fail "no $venv/ansible-playbook (make venv)"
[ -x "$top/library/porttune" ] || fail "no library/porttune (make)"
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (sh scripts/deps.sh metrics)"
command -v promtool >/dev/null || fail "promtool missing (sh scripts/deps.sh metrics)"

tmp=$(mktemp -d /tmp/pt-metrics-role.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_HOME=$tmp/ansible-home ANSIBLE_LOCALHOST_WARNING=false \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_FORCE_COLOR=0 NO_COLOR=1

# render NAME INTERVAL: the role's templates with its defaults into $tmp/NAME.
render() {
  mkdir -p "$tmp/$1/units" "$tmp/$1/textfile"
  cat >"$tmp/$1/render.yml" <<YML
- hosts: localhost
  connection: local
  gather_facts: false
  vars_files: ["$top/roles/porttune/defaults/main.yml"]
  tasks:
    - name: Render the role's unit templates
      ansible.builtin.template:
        src: "$top/roles/porttune/templates/porttune-metrics.{{ item }}.j2"
        dest: "$tmp/$1/units/porttune-metrics.{{ item }}"
        mode: "0644"
      loop: [service, timer]
YML
  # Extra vars: above vars_files, as a user's variables are above the role's defaults.
  cat >"$tmp/$1/vars.yml" <<YML
porttune_metrics_dir: "$tmp/$1/textfile"
porttune_metrics_helper: "$top/library/porttune"
porttune_metrics_interval: "$2"
YML
  "$venv/ansible-playbook" -i localhost, -e ansible_python_interpreter="$venv/python" \
    -e "@$tmp/$1/vars.yml" "$tmp/$1/render.yml" >"$tmp/$1/ansible.out" 2>&1 ||
    fail "rendering the templates: $(tail -20 "$tmp/$1/ansible.out")"
}

render good 1min
render bad "every now and then"
echo "--- rendered porttune-metrics.service"; grep -v '^#' "$tmp/good/units/porttune-metrics.service"
echo "--- rendered porttune-metrics.timer"; grep -v '^#' "$tmp/good/units/porttune-metrics.timer"

verify() {
  systemd-analyze verify --man=no "$1/units/porttune-metrics.service" \
    "$1/units/porttune-metrics.timer" >"$1/verify.out" 2>&1
}
verify "$tmp/good" || fail "systemd-analyze verify: $(cat "$tmp/good/verify.out")"
# Only our units' lines count: verify may talk about the host's other units.
if grep -i "porttune" "$tmp/good/verify.out"; then
  fail "systemd-analyze verify complains about the porttune units"
fi
echo "ok   systemd-analyze verify: the rendered service and timer are clean"
verify "$tmp/bad" || true
grep -q "porttune-metrics.timer:.*Failed to parse timer value.*every now and then" "$tmp/bad/verify.out" ||
  fail "systemd-analyze verify accepted OnUnitActiveSec=every now and then: $(cat "$tmp/bad/verify.out")"
echo "ok   systemd-analyze verify refuses a bad interval: $(grep -i porttune "$tmp/bad/verify.out" | head -1)"

# The service's own command line, as systemd would run it (no shell).
exec_line=$(sed -n 's/^ExecStart=//p' "$tmp/good/units/porttune-metrics.service")
[ -n "$exec_line" ] || fail "no ExecStart in the rendered service"
read -r -a cmd <<<"$exec_line"
unshare -n "${cmd[@]}" || fail "ExecStart ($exec_line) failed"
prom=$tmp/good/textfile/porttune.prom
[ -s "$prom" ] || fail "ExecStart wrote no $prom"
promtool check metrics <"$prom" || fail "promtool check metrics on the timer's file"
grep -q '^porttune_up{part="diagnosis"} 1$' "$prom" || fail "the timer's file lacks porttune_up 1"
echo "ok   ExecStart writes a clean $prom"

# The role itself with the metrics variables: syntax and argument specs load.
cat >"$tmp/site.yml" <<YML
- hosts: all
  gather_facts: false
  vars:
    porttune_metrics_dir: /var/lib/prometheus/node-exporter
  roles:
    - porttune
YML
ANSIBLE_ROLES_PATH=$top/roles "$venv/ansible-playbook" -i localhost, --syntax-check \
  "$tmp/site.yml" >"$tmp/syntax.out" 2>&1 || fail "syntax-check: $(cat "$tmp/syntax.out")"
echo "ok   the role with porttune_metrics_dir passes --syntax-check"
echo "metrics role.sh: all checks passed"
