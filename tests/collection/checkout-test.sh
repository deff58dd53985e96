#!/bin/bash
# SPDX-License-Identifier: MIT
# The role from a plain checkout after `make`: no symlink in git dangles on
# a fresh clone; with the repository's own ansible.cfg (library = ./library,
# roles_path = ./roles) the role converges a simulated host with the built
# binary (library/linux/porttune) and is idempotent; without a library path
# holding the module it fails before running anything, saying how to get it.
#   checkout-test.sh   (from the repository's top, after make and make venv)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fleet=$root/tests/fleet/fleet.sh
export PATH="$root/.venv/bin:$PATH"
unset ANSIBLE_LIBRARY ANSIBLE_ROLES_PATH ANSIBLE_CONFIG
fail() { echo "checkout-test: FAILED: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/porttune-checkout.XXXXXX)
cleanup() {
  if [ -f "$work/fleet/.fleet" ]; then "$fleet" down "$work/fleet" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Symlinks git would create on a fresh clone: each must point at a tracked file.
cd "$root"
git ls-files -s | awk '$1 == "120000" { print $4 }' | while read -r link; do
  target=$(git cat-file -p "$(git ls-files -s -- "$link" | awk '{ print $2 }')")
  resolved=$(realpath -m --relative-to=. "$(dirname "$link")/$target")
  git ls-files --error-unmatch -- "$resolved" >/dev/null 2>&1 || fail "$link -> $target dangles on a fresh clone"
done
[ ! -e roles/porttune/library ] || fail "roles/porttune/library exists: the role must not carry build outputs"
[ -x library/porttune ] && [ -e library/linux/porttune ] || fail "library/porttune not built (make)"

"$fleet" up 1 "$work/fleet" >/dev/null
cat >"$work/site.yml" <<'YML'
---
- name: The role from the checkout
  hosts: fleet
  gather_facts: false
  vars:
    porttune_port_range: "12000-62999"
    porttune_tw_reuse: 2
  roles:
    - role: porttune
YML
recap() { grep -E '^[^ ].* : ok=' "$work/out" | grep -q " changed=$1 .* failed=0 " || { cat "$work/out"; fail "$2"; }; }
# From the checkout's top: its ansible.cfg applies.
ansible-playbook -vvv -i "$work/fleet/inventory.yml" "$work/site.yml" >"$work/out" 2>&1 || { cat "$work/out"; fail "first run"; }
recap 1 "first run did not change the host once"
grep -q "Using module file $root/library/linux/porttune\$" "$work/out" \
  || { grep "Using module file" "$work/out"; fail "the module did not come from $root/library/linux/porttune"; }
ansible-playbook -i "$work/fleet/inventory.yml" "$work/site.yml" >"$work/out" 2>&1 || { cat "$work/out"; fail "second run"; }
recap 0 "second run was not idempotent"

# Elsewhere, without a library path: a clear failure, nothing run.
mkdir -p "$work/empty"
(cd "$work" && ANSIBLE_ROLES_PATH=$root/roles ANSIBLE_LIBRARY=$work/empty \
  ansible-playbook -i "$work/fleet/inventory.yml" "$work/site.yml" >"$work/out" 2>&1) && { cat "$work/out"; fail "ran without a module"; }
grep -q "module porttune not found for this POSIX host: install the collection porttune.porttune" "$work/out" \
  || { cat "$work/out"; fail "no message saying how to get the module"; }
"$fleet" check "$work/fleet" >/dev/null || fail "the machine's own settings changed"
echo "checkout-test: no dangling symlinks in git; the role from the checkout finds library/ through ansible.cfg, converges, is idempotent; without it, a clear error"
