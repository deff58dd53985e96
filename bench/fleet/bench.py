#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fleet benchmark: the porttune role vs ansible.posix.sysctl vs raw: /bin/true.

For each fleet size N (forks = N) on simulated hosts (tests/fleet/fleet.sh),
with the settings of bench/fleet/ansible.cfg (pipelining on) for every play:
on one fresh fleet the role's first run, then --reps rounds of the floor (a
raw: /bin/true play), the role's idempotent run and the same with pipelining
off (Ansible's default), interleaved so that load from elsewhere hits them
alike; on another fresh fleet ansible.posix.sysctl's (one task per key,
sysctl_set: true, file in /etc/sysctl.d) first run, then rounds of its
idempotent run with pipelining on and off. Every run is a new
ansible-playbook process with cold SSH connections: the connection masters
of one run are closed before the next. Prints a markdown table (wall-clock
seconds, median of --reps runs where repeated).
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
        "ANSIBLE_CONFIG": str(HERE / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(ROOT / "roles"),
        # The role finds the built module through the configured library path.
        "ANSIBLE_LIBRARY": str(ROOT / "library"),
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


def measure(label, d, n, playbook, extra_env=None, expect_changed=None):
    """One timed run; returns (wall, cpu)."""
    wall, cpu, changed = play(d, n, playbook, extra_env)
    if expect_changed is not None and changed != expect_changed:
        raise SystemExit(f"bench: {label}: {changed} host(s) changed, expected {expect_changed}")
    print(f"  {label:<36} N={n:<3} {wall:6.2f} s wall {cpu:6.2f} s CPU  changed hosts: {changed}",
          file=sys.stderr)
    return wall, cpu


def rounds(d, n, reps, runs):
    """reps rounds of runs [(key, label, playbook, env)], interleaved; medians per key."""
    got = {key: [] for key, *_ in runs}
    for _ in range(reps):
        for key, label, playbook, env in runs:
            got[key].append(measure(label, d, n, playbook, env, expect_changed=0))
    res = {key: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for key, v in got.items()}
    res["walls"] = {key: [w for w, _ in v] for key, v in got.items()}
    return res


def paired(r, key):
    """Median, min and max over the rounds of key's wall time / the floor's in the same round."""
    q = [a / b for a, b in zip(r["walls"][key], r["walls"]["floor"])]
    return statistics.median(q), min(q), max(q)


OFF = {"ANSIBLE_PIPELINING": "False"}


def bench(n, base, reps):
    res = {}
    d = base / f"n{n}-role"
    fleet_up(n, d)
    try:
        play(d, n, "floor.yml")  # untimed: both fleets' first runs find the hosts warmed alike
        res["role1"] = measure("role, first run", d, n, "role.yml", expect_changed=n)
        res.update(rounds(d, n, reps, [
            ("floor", "raw: /bin/true", "floor.yml", None),
            ("role2", "role, idempotent", "role.yml", None),
            ("roleoff", "role, idempotent, pipelining off", "role.yml", OFF),
        ]))
    finally:
        fleet_down(d)
    d = base / f"n{n}-posix"
    fleet_up(n, d)
    try:
        play(d, n, "floor.yml")
        res["posix1"] = measure("posix.sysctl, first run", d, n, "posix.yml", expect_changed=n)
        posix = rounds(d, n, reps, [
            ("posix2", "posix.sysctl, idempotent", "posix.yml", None),
            ("posixoff", "posix.sysctl, idempotent, pipelining off", "posix.yml", OFF),
        ])
        del posix["walls"]
        res.update(posix)
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
            ("porttune role, pipelining off", None, r["roleoff"]),
            ("ansible.posix.sysctl (4 tasks)", r["posix1"], r["posix2"]),
            ("ansible.posix.sysctl, pipelining off", None, r["posixoff"]),
        ]
        for name, first, idem in rows:
            f = f"{first[0]:.2f} s" if first else "—"
            out.append(f"| {n} | {name} | {f} | {idem[0]:.2f} s | {idem[0] / floor:.2f}× | {idem[1]:.2f} s |")
    out.append("")
    for n, r in results.items():
        on, off = paired(r, "role2"), paired(r, "roleoff")
        out.append(f"N = {n}: idempotent run, role / floor = {r['role2'][0] / r['floor'][0]:.2f}× "
                   f"(pipelining off {r['roleoff'][0] / r['floor'][0]:.2f}×), paired per round "
                   f"{on[0]:.2f}× ({on[1]:.2f}–{on[2]:.2f}) (pipelining off {off[0]:.2f}×, "
                   f"{off[1]:.2f}–{off[2]:.2f}); "
                   f"ansible.posix.sysctl / role = {r['posix2'][0] / r['role2'][0]:.2f}× "
                   f"(both pipelining off {r['posixoff'][0] / r['roleoff'][0]:.2f}×); "
                   f"first run, posix / role = {r['posix1'][0] / r['role1'][0]:.2f}×")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10 50", help="fleet sizes, e.g. '10 50'")
    ap.add_argument("--reps", type=int, default=5, help="rounds of the repeated measurements (median)")
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
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    text = (f"Fleet benchmark ({ver}; {os.cpu_count()} CPUs, load average at the end {load}; "
            f"bench/fleet/ansible.cfg (pipelining on) unless marked; wall-clock seconds, median of "
            f"{args.reps} interleaved rounds where repeated; cold SSH connections each run)\n\n"
            + table(results))
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
