#!/bin/bash
# SPDX-License-Identifier: MIT
# The module's rspec-puppet unit tests with Debian's rspec. Fails when an
# example fails, when rspec cannot load a spec, and when a spec file under
# spec/classes or spec/unit runs no example (so a suite that silently stops
# loading cannot pass).
#
#   bash tests/puppet/rspec.sh MODULE_DIR
set -u
MOD=$(realpath "${1:?usage: rspec.sh MODULE_DIR}")
command -v rspec >/dev/null || { echo "tests/puppet/rspec.sh: rspec is missing (sh scripts/deps.sh puppet)"; exit 1; }
OUT=$(mktemp /tmp/porttune-rspec.XXXXXX.json)
trap 'rm -f "$OUT"' EXIT
cd "$MOD" || exit 1
rspec -f p -f j --out "$OUT"
rc=$?
python3 - "$OUT" "$rc" <<'PY' || exit 1
import glob, json, sys
path, rc = sys.argv[1], int(sys.argv[2])
try:
    d = json.load(open(path))
except ValueError:
    sys.exit("rspec.sh: rspec wrote no result (exit %d)" % rc)
s = d["summary"]
ran = {e["file_path"].lstrip("./") for e in d["examples"]}
files = sorted(glob.glob("spec/classes/**/*_spec.rb", recursive=True) +
               glob.glob("spec/unit/**/*_spec.rb", recursive=True))
silent = [f for f in files if f not in ran]
print("rspec: %d examples, %d failures, %d pending, errors outside examples: %d; spec files: %d"
      % (s["example_count"], s["failure_count"], s["pending_count"],
         s["errors_outside_of_examples_count"], len(files)))
if silent:
    sys.exit("rspec.sh: no example ran from " + ", ".join(silent))
if s["example_count"] == 0 or s["failure_count"] or s["errors_outside_of_examples_count"] or rc != 0:
    sys.exit("rspec.sh: failed (rspec exit %d)" % rc)
PY
