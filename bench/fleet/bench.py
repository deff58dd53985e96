#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fleet benchmark: the porttune role vs ansible.posix.sysctl vs raw: /bin/true.

For each fleet size N (forks = N) on simulated hosts (tests/fleet/fleet.sh):
the floor (a raw: /bin/true play), the role's first and idempotent runs on a
fresh fleet, and ansible.posix.sysctl's (one task per key, sysctl_set: true,
file in /etc/sysctl.d) on another fresh fleet, with and without pipelining.
Every run is a new ansible-playbook process with cold SSH connections: the
connection masters of one run are closed before the next. Prints a markdown
table (wall-clock seconds, median of --reps runs where repeated).
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLEET = ROOT / "tests" / "fleet" / "fleet.sh"
HERE = Path(__file__).resolve().parent


def sh(*args, **kw):
    return subprocess.run([str(a) for a in args], check=True, **kw)


def fleet_up(n, d):
    if (d / ".fleet").exists():
        fleet_down(d)
    sh(FLEET, "up", n, d, stdout=subprocess.DEVNULL)


def fleet_down(d):
    if (d / ".fleet").exists():
        sh(FLEET, "down", d, stdout=subprocess.DEVNULL)


def close_masters(d):
    """End the SSH connection masters ansible left (ControlPersist) for d's hosts."""
    cp = Path((d / "cpdir").read_text().strip())
    if not cp.is_dir():
        return
    for sock in cp.iterdir():
        subprocess.run(["ssh", "-F", "/dev/null", "-o", f"ControlPath={sock}", "-O", "exit", "x"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def play(d, n, playbook, extra_env=None):
    """Run one playbook on fleet d; return (wall seconds, controller CPU seconds, recap)."""
    env = dict(os.environ)
    env.update({
        "ANSIBLE_ROLES_PATH": str(ROOT / "roles"),
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "True",
    })
    env.update(extra_env or {})
    cmd = ["ansible-playbook", "-i", str(d / "inventory.yml"), "-f", str(n), str(HERE / playbook)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    close_masters(d)
    if p.returncode != 0:
        sys.stderr.write(p.stdout)
        raise SystemExit(f"bench: {playbook} failed on {d}")
    recap = [ln for ln in p.stdout.splitlines() if " : ok=" in ln]
    changed = sum(1 for ln in recap if " changed=0 " not in ln)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, changed


def measure(label, d, n, playbook, reps, extra_env=None, expect_changed=None):
    walls, cpus = [], []
    for _ in range(reps):
        wall, cpu, changed = play(d, n, playbook, extra_env)
        if expect_changed is not None and changed != expect_changed:
            raise SystemExit(f"bench: {label}: {changed} host(s) changed, expected {expect_changed}")
        walls.append(wall)
        cpus.append(cpu)
        print(f"  {label:<34} N={n:<3} {wall:6.2f} s wall {cpu:6.2f} s CPU  changed hosts: {changed}",
              file=sys.stderr)
    return statistics.median(walls), statistics.median(cpus)


def bench(n, base, reps):
    res = {}
    d = base / f"n{n}-role"
    fleet_up(n, d)
    try:
        res["floor"] = measure("raw: /bin/true", d, n, "floor.yml", reps, expect_changed=0)
        res["role1"] = measure("role, first run", d, n, "role.yml", 1, expect_changed=n)
        res["role2"] = measure("role, idempotent", d, n, "role.yml", reps, expect_changed=0)
    finally:
        fleet_down(d)
    d = base / f"n{n}-posix"
    fleet_up(n, d)
    try:
        res["posix1"] = measure("posix.sysctl, first run", d, n, "posix.yml", 1, expect_changed=n)
        res["posix2"] = measure("posix.sysctl, idempotent", d, n, "posix.yml", reps, expect_changed=0)
        res["posixp"] = measure("posix.sysctl, idempotent, pipelining", d, n, "posix.yml", reps,
                                {"ANSIBLE_PIPELINING": "1"}, expect_changed=0)
    finally:
        fleet_down(d)
    return res


def table(results):
    out = ["| N (forks) | play | first run | idempotent run | idempotent vs floor | controller CPU (idempotent) |",
           "|---:|---|---:|---:|---:|---:|"]
    for n, r in results.items():
        floor = r["floor"][0]
        rows = [
            ("`raw: /bin/true` (floor)", None, r["floor"]),
            ("porttune role (1 task)", r["role1"], r["role2"]),
            ("ansible.posix.sysctl (4 tasks)", r["posix1"], r["posix2"]),
            ("ansible.posix.sysctl, pipelining", None, r["posixp"]),
        ]
        for name, first, idem in rows:
            f = f"{first[0]:.2f} s" if first else "—"
            out.append(f"| {n} | {name} | {f} | {idem[0]:.2f} s | {idem[0] / floor:.2f}× | {idem[1]:.2f} s |")
    out.append("")
    for n, r in results.items():
        out.append(f"N = {n}: idempotent run, ansible.posix.sysctl / role = "
                   f"{r['posix2'][0] / r['role2'][0]:.2f}× "
                   f"(with pipelining {r['posixp'][0] / r['role2'][0]:.2f}×); "
                   f"role / floor = {r['role2'][0] / r['floor'][0]:.2f}×; "
                   f"first run, posix / role = {r['posix1'][0] / r['role1'][0]:.2f}×")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10 50", help="fleet sizes, e.g. '10 50'")
    ap.add_argument("--reps", type=int, default=3, help="runs per repeated measurement (median)")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench: needs root (network namespaces)")
    for tool in ("ansible-playbook", "ssh"):
        if not shutil.which(tool):
            raise SystemExit(f"bench: {tool} not on PATH")
    if not (ROOT / "library" / "porttune").exists():
        raise SystemExit("bench: library/porttune is not built (make)")
    base = ROOT / "build" / "bench-fleet"
    base.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in [int(x) for x in args.sizes.split()]:
        print(f"bench: N = {n}", file=sys.stderr)
        results[n] = bench(n, base, args.reps)
    ver = subprocess.run(["ansible", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    text = (f"Fleet benchmark ({ver}; {os.cpu_count()} CPUs; wall-clock seconds, "
            f"median of {args.reps} where repeated; cold SSH connections each run)\n\n" + table(results))
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
