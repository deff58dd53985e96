#!/bin/bash
# SPDX-License-Identifier: MIT
# Converge a throwaway network namespace with playbooks/demo.yml, show the
# diff, then run again to show that nothing changes. The machine's own
# settings are never touched: the namespace has its own net sysctls and
# (through /etc/netns/NAME) its own /etc/sysctl.d.
set -euo pipefail
cd "$(dirname "$0")/.."
NS="porttune-demo-$$"
TMP=$(mktemp -d)
cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "/etc/netns/$NS" "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p "/etc/netns/$NS/sysctl.d"
export ANSIBLE_LIBRARY="$PWD/library" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_HOME="$TMP/ansible"
run() {
    ip netns exec "$NS" .venv/bin/ansible-playbook -i "demo-host," -c local \
        -e "ansible_python_interpreter=$PWD/.venv/bin/python" \
        -e "porttune_demo_state_file=$TMP/state.json" "$@" playbooks/demo.yml
}
echo "=== 1. check mode with diff: what would change (nothing is written)"
run --check --diff
echo "=== 2. converge"
run --diff
echo "=== 3. again: nothing to change"
out=$(run)
echo "$out"
grep -q 'changed=0' <<<"$out"
echo "=== the namespace's /etc/sysctl.d/60-porttune.conf:"
ip netns exec "$NS" cat /etc/sysctl.d/60-porttune.conf
echo "=== the namespace's live range: $(ip netns exec "$NS" cat /proc/sys/net/ipv4/ip_local_port_range)"
echo "=== this machine's own range, untouched: $(cat /proc/sys/net/ipv4/ip_local_port_range)"
