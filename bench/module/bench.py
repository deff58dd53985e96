# SPDX-License-Identifier: MIT
"""Helpers of bench/module/run.sh (run inside its network namespace).

  bench.py spec REMOTE_TMP PYTHON FLOOR SPEC   captured payloads -> measure's spec
  bench.py check SPEC                          each group really converges
  bench.py table RESULTS SPEC MODULE           measure's output -> markdown
"""
import glob
import json
import os
import re
import subprocess
import sys

# The four keys of issue 2, two value sets; the rounds alternate between them
# so every measured run writes every value.
KEYS = ("fin_timeout", "tw_reuse", "max_tw_buckets", "port_range")
SYSCTL = {"fin_timeout": "net.ipv4.tcp_fin_timeout", "tw_reuse": "net.ipv4.tcp_tw_reuse",
          "max_tw_buckets": "net.ipv4.tcp_max_tw_buckets",
          "port_range": "net.ipv4.ip_local_port_range"}
VALUES = ({"fin_timeout": 30, "tw_reuse": 1, "max_tw_buckets": 200000, "port_range": "20000 60999"},
          {"fin_timeout": 45, "tw_reuse": 0, "max_tw_buckets": 180000, "port_range": "21000 61999"})
LABELS = {"porttune": "porttune module, 1 execution (static musl)",
          "sysctl": "ansible.posix.sysctl AnsiballZ payload, 4 executions",
          "floor_persist": "floor-persist: static musl C, 4 reads + 4 writes + atomic file",
          "floor": "bare floor: static musl C, 4 reads + 4 writes, no file",
          "porttune_idem": "idempotent run: porttune, nothing to change",
          "floor_persist_idem": "idempotent run: floor-persist, nothing to change",
          "porttune_live": "breakdown: porttune with persist: false (live values only)",
          "porttune_check": "breakdown: porttune in check mode (reads only)"}
ROWS = ("porttune", "sysctl", "floor_persist", "floor", "porttune_idem", "floor_persist_idem",
        "porttune_live", "porttune_check")
FLOORS = ("floor", "floor_persist", "floor_persist_idem")
# Breakdown groups: the captured args with one switch changed. The idempotent
# group gets files of its own: measure runs an _idem group once untimed
# before its timed run, which must not converge the porttune group's file.
DERIVED = {"porttune_live": {"persist": False}, "porttune_check": {"_ansible_check_mode": True},
           "porttune_idem": {"sysctl_file": "idem.d/60-porttune.conf", "state_file": "idem.d/state.json"}}
# floor-persist's files, below the spec's directory (one per group, as above).
FLOOR_FILE = {"floor": None, "floor_persist": "floor.d/60-floor.conf",
              "floor_persist_idem": "floor-idem.d/60-floor.conf"}


def variant_of(key, value):
    for v, values in enumerate(VALUES):
        if str(values[key]) == str(value):
            return v
    sys.exit("bench: captured value %s=%r is in neither value set" % (key, value))


def floor_argv(floor, v, file=None):
    return [floor] + (["-p", file] if file else []) + [str(VALUES[v][k]).replace(" ", "-") for k in KEYS]


def under(top, rel):
    """Makes rel's directory below top; returns the path."""
    path = os.path.join(top, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def spec(remote, python, floor, out):
    top = os.path.dirname(os.path.abspath(out))
    lines = {(g, v): [] for g in ("porttune", "sysctl") + tuple(DERIVED) for v in (0, 1)}
    dirs = glob.glob(os.path.join(remote, "ansible-tmp-*"))
    # ansible-tmp-TIME-PID-RANDOM: the order the tasks ran in.
    for d in sorted(dirs, key=lambda p: float(os.path.basename(p).split("-")[2])):
        payload = os.path.join(d, "AnsiballZ_sysctl.py")
        binary = glob.glob(os.path.join(d, "AnsiballZ_porttune*"))
        if os.path.exists(payload):
            text = open(payload).read()
            m = re.search(r"^params='(.*)',$", text, re.M)
            args = json.loads(m.group(1))["ANSIBLE_MODULE_ARGS"]
            key = [k for k, s in SYSCTL.items() if s == args["name"]][0]
            lines[("sysctl", variant_of(key, args["value"]))].append([python, payload])
        elif binary:
            args = json.load(open(os.path.join(d, "args")))
            v = variant_of("fin_timeout", args["fin_timeout"])
            lines[("porttune", v)].append([binary[0], os.path.join(d, "args")])
            for group, change in DERIVED.items():
                path = os.path.join(d, "args-" + group)
                change = {o: under(top, x) if o.endswith("_file") else x for o, x in change.items()}
                with open(path, "w") as f:
                    json.dump(dict(args, **change), f)
                lines[(group, v)] = [[binary[0], path]]
    for (group, v), cmds in lines.items():
        want = 4 if group == "sysctl" else 1
        if len(cmds) != want:
            sys.exit("bench: captured %d %s commands for value set %d, expected %d"
                     % (len(cmds), group, v, want))
    with open(out, "w") as f:
        for v in (0, 1):
            f.write("reset %d %s\n" % (v, " ".join(floor_argv(floor, v))))
        for group in ("porttune", "sysctl") + tuple(DERIVED):
            for v in (0, 1):
                for argv in lines[(group, v)]:
                    f.write("%s %d %s\n" % (group, v, " ".join(argv)))
        for group, rel in FLOOR_FILE.items():
            for v in (0, 1):
                argv = floor_argv(floor, v, rel and under(top, rel))
                f.write("%s %d %s\n" % (group, v, " ".join(argv)))


def load_spec(path):
    cmds = {}
    for line in open(path):
        group, v, *argv = line.split()
        cmds.setdefault((group, int(v)), []).append(argv)
    return cmds


def live(key):
    with open("/proc/sys/" + SYSCTL[key].replace(".", "/")) as f:
        return " ".join(f.read().split())


def persisted_file(group, argv):
    """The sysctl file a command of group writes, or None."""
    if group.startswith("floor"):
        return argv[2] if argv[1:2] == ["-p"] else None
    if group in ("porttune", "porttune_idem"):
        return json.load(open(argv[1]))["sysctl_file"]
    return None


def persisted(path):
    vals = {}
    for line in open(path):
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            k, v = line.split("=", 1)
            vals[k.strip()] = " ".join(v.split())
    return vals


def check(path):
    """Runs every group for both value sets, from the other set, and checks
    that it reported a change and left the wanted live (and persisted)
    values; an _idem group runs twice, and its second run must find nothing
    to change and leave its file's mtime alone."""
    cmds = load_spec(path)
    for v in (0, 1):
        for group in ROWS:
            idem = group.endswith("_idem")
            for argv in cmds[("reset", 1 - v)]:
                subprocess.run(argv, check=True)
            for attempt in range(2 if idem else 1):
                before = {k: live(k) for k in KEYS}
                files = [f for f in (persisted_file(group, a) for a in cmds[(group, v)]) if f]
                mtimes = [os.stat(f).st_mtime_ns if os.path.exists(f) else None for f in files]
                for argv in cmds[(group, v)]:
                    p = subprocess.run(argv, capture_output=True, text=True)
                    if p.returncode != 0:
                        sys.exit("bench: %s failed (%d): %s %s" % (argv, p.returncode, p.stdout, p.stderr))
                    if group.startswith("floor"):
                        continue
                    res = json.loads(p.stdout)
                    want_change = not (idem and attempt == 1)
                    if res.get("failed") or bool(res.get("changed")) != want_change:
                        sys.exit("bench: %s: changed should be %s: %s" % (argv, want_change, p.stdout))
            after = {k: live(k) for k in KEYS}
            for k in KEYS:
                if group == "porttune_check":
                    if after[k] != before[k]:
                        sys.exit("bench: check mode changed %s" % k)
                elif after[k] != str(VALUES[v][k]) or (before[k] == after[k]) != idem:
                    sys.exit("bench: %s (value set %d) left %s = %r (before %r)"
                             % (group, v, k, after[k], before[k]))
            for f, mtime in zip(files, mtimes):
                got = persisted(f)
                for k in KEYS:
                    if got.get(SYSCTL[k]) != str(VALUES[v][k]):
                        sys.exit("bench: %s (value set %d) persisted %s = %r in %s"
                                 % (group, v, k, got.get(SYSCTL[k]), f))
                if (os.stat(f).st_mtime_ns == mtime) != idem:
                    sys.exit("bench: %s (value set %d): %s %s" % (group, v, f, "was rewritten by the idempotent run"
                                                                   if idem else "was not rewritten"))
    print("bench: every group converges all four keys, live and persisted, from the other value set; "
          "the idempotent runs change nothing")


def table(results, path, module):
    cmds = load_spec(path)
    rows, harness = {}, None
    for line in open(results):
        f = line.rstrip("\n").split("\t")
        if f[0] == "harness_peak_rss_kib":
            harness = int(f[1])
            continue
        rows[f[0]] = {"runs": int(f[1]), "wall": float(f[2]), "cpu": float(f[3]),
                      "rss": float(f[6]), "rss_max": float(f[7]), "cpu_min": float(f[8])}
    size = {"porttune": os.path.getsize(module),
            "sysctl": os.path.getsize(cmds[("sysctl", 0)][0][1]),
            "floor": os.path.getsize(cmds[("floor", 0)][0][0])}
    out = ["| what runs on the target | wall ms | CPU ms (user+sys) | peak RSS KiB | file size |",
           "|---|---:|---:|---:|---:|"]
    for g in ROWS:
        r = rows[g]
        sz = "%d KiB" % round(size["floor" if g in FLOORS else "porttune"] / 1024)
        if g == "sysctl":
            sz = "%d KiB (each)" % round(size[g] / 1024)
        out.append("| %s | %.2f | %.3f | %d (max %d) | %s |"
                   % (LABELS[g], r["wall"], r["cpu"], r["rss"], r["rss_max"], sz))
    m, s, fp, fl = rows["porttune"], rows["sysctl"], rows["floor_persist"], rows["floor"]
    mi, fi = rows["porttune_idem"], rows["floor_persist_idem"]
    cpu_x = s["cpu"] / m["cpu"]
    floor_x = m["cpu"] / fp["cpu"]
    idem_x = mi["cpu"] / fi["cpu"]
    bare_x = m["cpu"] / fl["cpu"]

    def met(ok):
        return "met" if ok else "**not met**"
    out += ["",
            "| target | measured | |",
            "|---|---:|---|",
            "| >= 500x less CPU than the four Python executions | %.0fx | %s |" % (cpu_x, met(cpu_x >= 500)),
            "| within 2x of the floor (CPU): one converging execution vs floor-persist, "
            "the bare program that does the same four reads and writes, live and in the "
            "atomically replaced file | %.2fx | %s |" % (floor_x, met(floor_x <= 2)),
            "| for information, not a target (no writes): idempotent run vs floor-persist's "
            "idempotent run, both only reading | %.2fx | (%s 2x) |"
            % (idem_x, "within" if idem_x <= 2 else "above"),
            "| for information, not like for like: converging run vs the bare floor, which "
            "persists nothing | %.2fx | (%s 2x) |" % (bare_x, "within" if bare_x <= 2 else "above"),
            "| peak RSS <= 512 KiB | %d KiB | %s |" % (m["rss_max"], met(m["rss_max"] <= 512)),
            "| static binary <= 512 KiB | %d KiB | %s |"
            % (round(size["porttune"] / 1024), met(size["porttune"] <= 512 * 1024)),
            "",
            "Also: with persist: false (live values only, like the bare floor, plus options, the "
            "sysctl.d boot-order scan and the JSON result) the module costs %.2fx the bare "
            "floor's CPU; in check mode (reads only) %.2fx floor-persist's idempotent run. Its "
            "wall time is %.1fx floor-persist's (both fsync a file and a directory). The Python "
            "executions take %.0fx the module's wall time."
            % (rows["porttune_live"]["cpu"] / fl["cpu"], rows["porttune_check"]["cpu"] / fi["cpu"],
               m["wall"] / fp["wall"], s["wall"] / m["wall"]),
            "",
            "Medians of %d rounds (after warm-up); peak RSS: median and maximum of the traced "
            "runs (VmHWM at exit, or the children's ru_maxrss when larger). The harness's "
            "own peak RSS: %s KiB." % (m["runs"], harness)]
    print("\n".join(out))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "spec":
        spec(*sys.argv[2:6])
    elif cmd == "check":
        check(sys.argv[2])
    elif cmd == "table":
        table(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
