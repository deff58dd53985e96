# SPDX-License-Identifier: MIT
"""Checks library/porttune.yml against the built binary, not against the sources.

The binary is asked in fresh network namespaces (unshare -n), with every path
option pointed into a temp dir: its "Supported parameters include: ..." message
gives the option names; probes with wrong values give each option's type,
choices and bounds. Usage: check_docs.py BINARY SIDECAR WORKDIR
"""
import json
import os
import re
import subprocess
import sys

import yaml

BINARY, SIDECAR, WORK = sys.argv[1:4]
os.makedirs(os.path.join(WORK, "sysctl.d"), exist_ok=True)
failures = []
probe_no = 0


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run_module(args, namespace_setup=None):
    """Runs the binary on args in a new network namespace; returns (rc, result)."""
    global probe_no
    probe_no += 1
    path = os.path.join(WORK, "args-%d.json" % probe_no)
    full = {"sysctl_file": os.path.join(WORK, "sysctl.d", "60-porttune.conf"),
            "state_file": os.path.join(WORK, "state.json"),
            "_ansible_check_mode": True}
    full.update(args)
    with open(path, "w") as f:
        json.dump(full, f)
    p = subprocess.run(["unshare", "-n", BINARY, path], capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        sys.exit("check_docs: %s printed no JSON object (rc %d): %r %r"
                 % (BINARY, p.returncode, p.stdout, p.stderr))


def supported_by_binary():
    rc, res = run_module({"porttune_docs_probe_unknown": 1})
    m = re.search(r"Supported parameters include: (\w+(?:, \w+)*)\.", res.get("msg", ""))
    if rc != 1 or not m:
        sys.exit("check_docs: unknown option not rejected in Ansible's words: %r" % res)
    if "porttune_docs_probe_unknown" not in res["msg"]:
        sys.exit("check_docs: the rejection does not name the unknown option: %r" % res["msg"])
    return set(m.group(1).split(", "))


with open(SIDECAR) as f:
    side = yaml.safe_load(f)
for key in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
    if not side.get(key):
        fail("%s has no %s" % (SIDECAR, key))
doc = side["DOCUMENTATION"]
options = doc.get("options", {})
accepted = supported_by_binary()
print("binary accepts: " + ", ".join(sorted(accepted)))

# 1. Names: exactly the binary's set.
for name in sorted(accepted - set(options)):
    fail("option %s is accepted by the binary but not documented" % name)
for name in sorted(set(options) - accepted):
    fail("option %s is documented but the binary rejects it" % name)

# 2. Types, choices and bounds, as the binary enforces them.
BAD = {"int": "not-a-number", "bool": "maybe", "path": "relative/path"}
EXPECT = {"int": "unable to convert to int", "bool": "unable to convert to bool",
          "path": "must be an absolute path"}
for name, spec in sorted(options.items()):
    if name not in accepted:
        continue
    otype = spec.get("type", "str")
    text = " ".join(spec.get("description", []))
    if otype in BAD:
        rc, res = run_module({name: BAD[otype]})
        if rc != 1 or EXPECT[otype] not in res.get("msg", ""):
            fail("%s is documented as %s but the binary answers %r to %r"
                 % (name, otype, res.get("msg"), BAD[otype]))
    if otype == "int":
        rc, res = run_module({name: 99999999})
        m = re.search(r"allowed values are (-?\d+)-(\d+)", res.get("msg", ""))
        if not m:
            fail("%s: no range in the binary's answer to 99999999: %r" % (name, res.get("msg")))
        elif "choices" in spec:
            lo, hi = int(m.group(1)), int(m.group(2))
            if sorted(spec["choices"]) != list(range(lo, hi + 1)):
                fail("%s: documented choices %s, binary allows %d-%d"
                     % (name, spec["choices"], lo, hi))
        elif not re.search(r"(?<![\d-])%s-%s(?!\d)" % m.groups(), text):
            fail("%s: the description does not state the binary's range %s-%s"
                 % ((name,) + m.groups()))
    elif otype == "str" and "choices" in spec:
        rc, res = run_module({name: "no-such-choice"})
        m = re.search(r"must be one of: (.*), got:", res.get("msg", ""))
        if rc != 1 or not m:
            fail("%s: the binary did not list its choices: %r" % (name, res.get("msg")))
        elif m.group(1).split(", ") != [str(c) for c in spec["choices"]]:
            fail("%s: documented choices %s, binary allows %s"
                 % (name, spec["choices"], m.group(1)))
    elif otype not in ("str", "raw", "bool", "path"):
        fail("%s: no probe for the documented type %r" % (name, otype))
    elif otype == "str" and "choices" not in spec:
        fail("%s: documented as str without choices; the binary has no such option" % name)
    elif otype == "raw":
        for value in ("20000-60999", "20000 60999", [20000, 60999]) if name == "port_range" \
                else ("8080,9000-9100", [8080, "9000-9100"], 8080):
            rc, res = run_module({name: value})
            if rc != 0:
                fail("%s: documented form %r is refused: %r" % (name, value, res.get("msg")))
    for choice in spec.get("choices", []):
        rc, res = run_module({name: choice})
        if rc != 0:
            fail("%s: documented choice %r is refused: %r" % (name, choice, res.get("msg")))

# 3. Defaults. sysctl_file given as null (Ansible's unset) makes the binary
# report its default in the result; check mode only reads that file. The
# state_file default must be a string in the binary. apply, persist, state: a
# check-mode run with a value unlike the kernel's default shows what they do.
with open(BINARY, "rb") as f:
    image = f.read()
if options.get("state_file", {}).get("default", "").encode() + b"\0" not in image:
    fail("state_file: documented default %r is not in the binary"
         % options.get("state_file", {}).get("default"))
rc, res = run_module({"sysctl_file": None, "fin_timeout": 37})
if rc != 0:
    fail("probe run for defaults failed: %r" % res.get("msg"))
else:
    s = res["settings"]["fin_timeout"]
    seen = {"sysctl_file": res.get("sysctl_file"), "state": res.get("state"),
            "apply": s["live_changed"], "persist": s["persisted_changed"]}
    for name, value in seen.items():
        if options.get(name, {}).get("default") != value:
            fail("%s: documented default %r, the binary uses %r"
                 % (name, options.get(name, {}).get("default"), value))

# 4. Every key the module returns is documented (Linux run, diff mode, backup).
ret = side["RETURN"]
rc, res = run_module({"port_range": "20000-60999", "reserved_ports": "20080",
                      "fin_timeout": 30, "tw_reuse": 1, "max_tw_buckets": 5000,
                      "_ansible_check_mode": False})
rc2, res2 = run_module({"fin_timeout": 31, "backup": True, "_ansible_diff": True,
                        "_ansible_check_mode": False})
for r in (res, res2):
    if r.get("failed"):
        fail("probe converge failed: %r" % r.get("msg"))
        continue
    for key in r:
        if key not in ret:
            fail("result key %s is not in RETURN" % key)
    for opt, setting in r.get("settings", {}).items():
        for key in setting:
            if key not in ret["settings"]["contains"]:
                fail("settings.%s.%s is not in RETURN" % (opt, key))
    for key in (r.get("capacity") or {}):
        if key not in ret["capacity"]["contains"]:
            fail("capacity.%s is not in RETURN" % key)
    for d in r.get("diff", []):
        for key in d:
            if key not in ret["diff"]["contains"]:
                fail("diff[].%s is not in RETURN" % key)
if "backup_file" not in res2:
    fail("backup: true on an existing file returned no backup_file: %r" % res2)
for key, spec in ret.items():
    if "sample" not in spec or "description" not in spec:
        fail("RETURN %s lacks a description or sample" % key)
    for sub, subspec in spec.get("contains", {}).items():
        if "sample" not in subspec or "description" not in subspec:
            fail("RETURN %s.%s lacks a description or sample" % (key, sub))
for key in ("conflicts", "reboot_required", "porttune_version", "warnings", "state",
            "sysctl_file", "changed", "diff", "backup_file", "capacity", "settings"):
    if key not in ret:
        fail("RETURN lacks %s" % key)
for key in ("key", "sysctl", "file", "line", "value", "wins"):
    if key not in ret.get("conflicts", {}).get("contains", {}):
        fail("RETURN conflicts lacks %s" % key)

# 5. EXAMPLES: a YAML list of named tasks; porttune tasks use accepted options.
try:
    tasks = yaml.safe_load(side["EXAMPLES"])
except yaml.YAMLError as e:
    tasks = None
    fail("EXAMPLES is not YAML: %s" % e)
if not isinstance(tasks, list) or not tasks:
    fail("EXAMPLES is not a list of tasks")
    tasks = []
module_tasks = 0
for i, task in enumerate(tasks, 1):
    if not isinstance(task, dict) or not task.get("name"):
        fail("EXAMPLES task %d is not a named task: %r" % (i, task))
        continue
    for mod in ("porttune", "local.porttune"):
        if mod in task:
            module_tasks += 1
            args = task[mod] or {}
            if not isinstance(args, dict):
                fail("EXAMPLES task %r: arguments are not a mapping" % task["name"])
                continue
            for opt in sorted(set(args) - accepted):
                fail("EXAMPLES task %r uses option %s, which the binary rejects"
                     % (task["name"], opt))
if module_tasks == 0:
    fail("EXAMPLES has no porttune task")

# 6. A playbook of the EXAMPLES with paths moved into WORK, for check_docs.sh
# to run in a namespace: the examples must run as written.
root = os.path.join(WORK, "examples-root")
for task in tasks:
    if isinstance(task, dict) and isinstance(task.get("porttune"), dict):
        a = task["porttune"]
        a["sysctl_file"] = root + a.get("sysctl_file", options["sysctl_file"]["default"])
        a["state_file"] = root + a.get("state_file", options["state_file"]["default"])
os.makedirs(os.path.join(root, "etc", "sysctl.d"), exist_ok=True)
with open(os.path.join(WORK, "examples.yml"), "w") as f:
    yaml.safe_dump([{"name": "EXAMPLES of library/porttune.yml", "hosts": "localhost",
                     "connection": "local", "gather_facts": False, "tasks": tasks}],
                   f, sort_keys=False)

print("check_docs: %d options, %d EXAMPLES tasks (%d porttune), %d RETURN keys: %s"
      % (len(options), len(tasks), module_tasks, len(ret), "FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)
