# SPDX-License-Identifier: MIT
"""The role's variables are documented once and the same way in three places.

roles/porttune/README.md (the "Role variables" table: variable, role default,
type), defaults/main.yml (the values) and meta/argument_specs.yml (what
Ansible validates, with default and choices) must name the same variables with
the same defaults, the README must list every choice, and the README's prose
must not claim that every variable defaults to null while some do not.
Usage: check_role_docs.py [ROLE_DIR]
"""
import re
import sys

import yaml

ROLE = sys.argv[1] if len(sys.argv) > 1 else "roles/porttune"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def readme_table(text):
    """{variable: (default text, type text)} from the Role variables table."""
    section = text.split("## Role variables", 1)[1].split("\n## ", 1)[0]
    rows, header = {}, None
    for line in section.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set(line) <= set("|-: "):
            continue
        row = dict(zip(header, cells))
        m = re.fullmatch(r"`(\w+)`", row.get("variable", ""))
        if not m:
            fail("README table row without a `variable`: %r" % line)
            continue
        if m.group(1) in rows:
            fail("README lists %s twice" % m.group(1))
        rows[m.group(1)] = (row.get("role default"), row.get("type", ""))
    if header is None or "role default" not in header:
        fail("README's Role variables table has no 'role default' column: %r" % header)
    return section, rows


def readme_default(text):
    """README default cell -> Python value: null -> None, `x` -> x (YAML)."""
    if text == "null":
        return None
    m = re.fullmatch(r"`([^`]*)`", text or "")
    if not m:
        fail("README default %r is neither null nor a `value`" % text)
        return "<unreadable>"
    return yaml.safe_load(m.group(1))


with open(ROLE + "/README.md") as f:
    section, table = readme_table(f.read())
with open(ROLE + "/defaults/main.yml") as f:
    defaults = yaml.safe_load(f) or {}
with open(ROLE + "/meta/argument_specs.yml") as f:
    specs = yaml.safe_load(f)["argument_specs"]["main"]["options"]

for name in sorted(set(defaults) | set(specs) | set(table)):
    where = [w for w, d in (("README table", table), ("defaults/main.yml", defaults),
                            ("meta/argument_specs.yml", specs)) if name not in d]
    if where:
        fail("%s is missing from %s" % (name, ", ".join(where)))
        continue
    want = defaults[name]
    spec_default = specs[name].get("default")
    if spec_default != want:
        fail("%s: defaults/main.yml says %r, argument_specs default %r" % (name, want, spec_default))
    got = readme_default(table[name][0])
    if got != want:
        fail("%s: README says default %r, defaults/main.yml %r" % (name, got, want))
    for choice in specs[name].get("choices", []):
        if "`%s`" % choice not in table[name][1]:
            fail("%s: choice %r is not in the README's type column %r"
                 % (name, choice, table[name][1]))

non_null = sorted(n for n, v in defaults.items() if v is not None)
prose = section.split("\n|", 1)[0]
if non_null and re.search(r"every variable defaults to null[.,:]?\s*$|every variable defaults to null, which",
                          prose, re.I | re.M):
    for name in non_null:
        if "`%s`" % name not in prose:
            fail("README says every variable defaults to null, but %s defaults to %r and the "
                 "text does not name it" % (name, defaults[name]))

print("check_role_docs: %d variables (%d with a default: %s): %s"
      % (len(defaults), len(non_null), ", ".join(non_null) or "none",
         "FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)
