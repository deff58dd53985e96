#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sidecar docs of the binary module: ansible-doc renders them, they match what
# the built binary accepts, and their EXAMPLES run (in a throwaway network
# namespace, with the files they name moved into a temp dir).
set -euo pipefail

cd "$(dirname "$0")/../.."
BIN=library/porttune
DOC=library/porttune.yml
VENV=.venv

[ -x "$BIN" ] || { echo "check_docs: $BIN is not built (make library/porttune)" >&2; exit 1; }
[ -x "$VENV/bin/ansible-doc" ] || { echo "check_docs: no $VENV (make venv)" >&2; exit 1; }
unshare -n true || { echo "check_docs: cannot create a network namespace (needs root)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/porttune-docs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# Ansible's own files (tmp dirs, facts cache) stay in WORK too.
export ANSIBLE_HOME="$WORK/ansible-home" ANSIBLE_LOCAL_TEMP="$WORK/ansible-local"
export ANSIBLE_REMOTE_TEMP="$WORK/ansible-remote" ANSIBLE_NOCOLOR=1 PAGER=cat
: >"$WORK/ansible.cfg"
export ANSIBLE_LIBRARY="$PWD/library" ANSIBLE_CONFIG="$WORK/ansible.cfg"

echo "== the role's variables: README table, defaults/main.yml, meta/argument_specs.yml"
"$VENV/bin/python" tests/docs/check_role_docs.py roles/porttune

echo "== platform attributes of the sidecars against the built binaries"
"$VENV/bin/python" tests/docs/check_platforms.py library

echo "== ansible-doc -M library porttune"
if ! "$VENV/bin/ansible-doc" -M library porttune >"$WORK/doc.txt" 2>"$WORK/doc.err"; then
    cat "$WORK/doc.err" >&2
    echo "FAIL: ansible-doc exited non-zero" >&2
    exit 1
fi
if [ -s "$WORK/doc.err" ]; then
    cat "$WORK/doc.err" >&2
    echo "FAIL: ansible-doc printed warnings or errors" >&2
    exit 1
fi
# Every option the binary accepts must appear as an option heading.
"$VENV/bin/python" - "$WORK/doc.txt" "$DOC" <<'EOF'
import re, sys, yaml
text = open(sys.argv[1]).read()
opts = yaml.safe_load(open(sys.argv[2]))["DOCUMENTATION"]["options"]
section = text.split("OPTIONS", 1)[1].split("ATTRIBUTES", 1)[0]
shown = set(re.findall(r"^(?:- | {3})(\w+) ", section, re.M))
missing = sorted(set(opts) - shown)
for name in ("EXAMPLES:", "RETURN VALUES:", "NOTES:", "check_mode:", "diff_mode:"):
    if name not in text:
        missing.append(name)
if missing:
    sys.exit("FAIL: ansible-doc output lacks: " + ", ".join(missing))
print("ansible-doc shows all %d options" % len(opts))
EOF

echo "== DOCUMENTATION / EXAMPLES / RETURN against $BIN"
"$VENV/bin/python" tests/docs/check_docs.py "$BIN" "$DOC" "$WORK"

echo "== EXAMPLES run (ansible-playbook, connection local, in a new network namespace)"
# Only the Linux binary in the module path: with porttune.exe beside it,
# ansible-core 2.19's legacy module cache maps the bare name "porttune" to
# whichever of the two os.listdir() returns first, so a local play can get the
# .exe ("Exec format error"). That is not what this test is about.
mkdir "$WORK/library"
ln -s "$PWD/$BIN" "$PWD/$DOC" "$WORK/library/"
if ! ANSIBLE_LIBRARY="$WORK/library" \
        unshare -n "$VENV/bin/ansible-playbook" -i localhost, "$WORK/examples.yml" \
        >"$WORK/play.txt" 2>&1; then
    cat "$WORK/play.txt" >&2
    echo "FAIL: the EXAMPLES playbook failed" >&2
    exit 1
fi
grep -A2 '^PLAY RECAP' "$WORK/play.txt"
grep -q 'failed=0' "$WORK/play.txt"
echo "check_docs: passed"
