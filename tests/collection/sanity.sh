#!/bin/bash
# SPDX-License-Identifier: MIT
# ansible-test sanity on the collection as ansible-galaxy installs it from
# the tarball (.../ansible_collections/porttune/porttune, no git repo: every
# file is tested, the ignore file skips only the binaries' source checks).
# --venv: ansible-test builds its own virtual environments from PyPI, under
# a private HOME (build/ansible-test-home) instead of the user's ~/.ansible.
# Its pip bootstrap script comes from ansible-test's own CI host, which this
# machine does not reach; get_pip_shim.py gives it pip from Python's ensurepip.
#   sanity.sh TARBALL ANSIBLE_BIN_DIR
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 TARBALL ANSIBLE_BIN_DIR" >&2; exit 2; }
tarball=$(realpath "$1")
bin=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
home=$(realpath -m "$here/../../build/ansible-test-home")
export PATH="$bin:$PATH" HOME="$home"
unset ANSIBLE_LIBRARY ANSIBLE_ROLES_PATH ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS
core=$(ansible --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p')
at=$("$bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
pipver=$(sed -n "s/^ *pip='\([0-9.]*\)',\{0,1\}\$/\1/p" "$at/_internal/python_requirements.py" | head -1)
[ -n "$pipver" ] || { echo "sanity: cannot tell which pip ansible-test bootstraps" >&2; exit 1; }
mkdir -p "$home/.ansible/test/cache"
install -m 0644 "$here/get_pip_shim.py" "$home/.ansible/test/cache/get_pip_${pipver//./_}.py"

work=$(mktemp -d /tmp/porttune-sanity.XXXXXX)
trap 'rm -rf "$work"' EXIT
ansible-galaxy collection install "$tarball" -p "$work" >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
cd "$work/ansible_collections/porttune/porttune"
[ -f tests/sanity/ignore-2.19.txt ] || { echo "sanity: the collection lacks tests/sanity/ignore-2.19.txt" >&2; exit 1; }
# Every ignore line gives its reason.
if grep -v ' # ..*' tests/sanity/ignore-*.txt; then
  echo "sanity: the ignore lines above give no reason (# ...)" >&2; exit 1
fi
start=$(date +%s)
if ! ansible-test sanity --python 3.11 --venv --color no >"$work/log" 2>&1; then
  grep -Ev '^(Collecting|  Downloading|Installing collected|Successfully|Processing|Looking in|  Attempting|    Found|    Uninstalling|      Successfully|Using cached)' "$work/log" | grep -v '━'
  echo "sanity: ansible-test sanity (ansible-core $core) FAILED" >&2
  exit 1
fi
n=$(grep -c '^Running sanity test' "$work/log")
echo "sanity: ansible-test sanity (ansible-core $core) passed: $n tests, $(grep -vc '^ *$' tests/sanity/ignore-2.19.txt) ignore lines, $(( $(date +%s) - start )) s"
