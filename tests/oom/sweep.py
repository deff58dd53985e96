#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Allocation-failure sweeps of the OOM test build (build/oom/porttune).

    python3 tests/oom/sweep.py BINARY [SWEEP...]     (root; make oom-test)

For each sweep (module converge with diff; CLI set, get, check; diagnose
--json) and each mode (the Nth allocation fails; every allocation from the
Nth fails), runs the binary for N = 1, 2, ... until a run makes fewer than N
allocations: then every allocation site of that run has failed once. Each
run must end without a signal or a sanitizer report (ASan, UBSan, leaks),
either exactly like the run without failures or with the out-of-memory
failure (its message and exit code), and leave nothing half-written: the
file is the old or the new text, no temp file stays, the state file is
absent or whole, and the live values are what the result says (all old when
it says nothing changed).

Everything runs in a network namespace and a private mount namespace of its
own (empty tmpfs over the sysctl.d directories, a temporary directory for
the files), so nothing of the machine is read or written. Last line:
"N passed, N failed".
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

IPV4 = "/proc/sys/net/ipv4"
KEYS = ["ip_local_port_range", "ip_local_reserved_ports", "tcp_fin_timeout",
        "tcp_tw_reuse", "tcp_max_tw_buckets"]
ADMIN = "# written by an admin\nnet.core.somaxconn = 1024\nnet.ipv4.tcp_fin_timeout = 50\n"
LATER = "net.ipv4.tcp_max_tw_buckets = 5000\n"
SAN_ENV = {
    "ASAN_OPTIONS": "exitcode=86:detect_leaks=1:abort_on_error=0",
    "UBSAN_OPTIONS": "exitcode=86:print_stacktrace=1:halt_on_error=1",
    "LSAN_OPTIONS": "exitcode=86",
}
SAN_RE = re.compile(r"Sanitizer|runtime error|LeakSanitizer")
CALLS_RE = re.compile(r"^pt-oom: (\d+) calls$", re.M)
STATE_LOST = re.compile(r"cannot record the original values in \S+: out of memory\. "
                        r"state=absent will not be able to put the original values back\.")
LIMIT = 20000          # a sweep that never ends is a failure, not a hang


def inner_setup():
    """Empty sysctl.d directories, lo up; we are in our own namespaces."""
    for d in ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
              "/usr/lib/sysctl.d", "/lib/sysctl.d"]:
        if os.path.isdir(d) and not os.path.islink(d):
            subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", d], check=True)
    if os.path.exists("/etc/sysctl.conf"):
        empty = tempfile.NamedTemporaryFile(prefix="ptoom-empty.", delete=False)
        empty.close()
        subprocess.run(["mount", "--bind", empty.name, "/etc/sysctl.conf"], check=True)
        os.unlink(empty.name)   # the mount keeps the inode
    # A later file overrides one of ours at boot: the conflict path runs too.
    with open("/etc/sysctl.d/70-later.conf", "w") as f:
        f.write(LATER)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def live():
    out = {}
    for k in KEYS:
        with open(f"{IPV4}/{k}") as f:
            out[k] = f.read().strip().replace("\t", " ")
    return out


def set_live(values):
    for k, v in values.items():
        with open(f"{IPV4}/{k}", "w") as f:
            f.write(v + "\n")   # "" alone writes nothing: the newline clears the value


def json_diff(got, want):
    """Where two JSON texts differ, briefly."""
    try:
        g, w = json.loads(got), json.loads(want)
    except ValueError:
        return f"\n{got[:600]}\n--- want\n{want[:600]}"
    out = []

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                walk(a.get(k, "(missing)"), b.get(k, "(missing)"), f"{path}.{k}")
        elif a != b:
            out.append(f"{path}: {json.dumps(a)[:300]} want {json.dumps(b)[:300]}")
    walk(g, w, "")
    return "; ".join(out)


class Sweep:
    """One command swept over N; subclasses say how to set up and judge."""
    name = ""
    cmd = []

    def __init__(self, binary, tmp):
        self.bin = binary
        self.t = tmp
        self.file = os.path.join(tmp, "etc", "60-porttune.conf")
        self.state = os.path.join(tmp, "state", "state.json")
        self.errors = []

    def reset(self):
        set_live(self.live0)
        shutil.rmtree(os.path.join(self.t, "etc"), ignore_errors=True)
        shutil.rmtree(os.path.join(self.t, "state"), ignore_errors=True)
        os.makedirs(os.path.join(self.t, "etc"), mode=0o755)
        os.makedirs(os.path.join(self.t, "state"), mode=0o700)
        os.chmod(os.path.join(self.t, "etc"), 0o755)
        with open(self.file, "w") as f:
            f.write(ADMIN)

    def run(self, n, persist):
        env = dict(os.environ, **SAN_ENV, PT_OOM_REPORT="1", PT_OOM_FAIL_AT=str(n),
                   PT_OOM_PERSIST="1" if persist else "0", LC_ALL="C")
        p = subprocess.run([self.bin] + self.argv(), env=env, capture_output=True,
                           text=True, errors="replace", timeout=60)
        m = CALLS_RE.findall(p.stderr)
        calls = int(m[-1]) if m else -1
        stderr = CALLS_RE.sub("", p.stderr).strip()
        return p.returncode, p.stdout, stderr, calls

    def snapshot(self):
        text = open(self.file).read() if os.path.exists(self.file) else None
        temps = [x for x in os.listdir(os.path.join(self.t, "etc")) if ".porttune-" in x]
        temps += [x for x in os.listdir(os.path.join(self.t, "state")) if ".porttune-" in x]
        state = None
        if os.path.exists(self.state):
            state = open(self.state).read()
        return {"file": text, "temps": temps, "state": state, "live": live()}

    def err(self, n, mode, what):
        self.errors.append(f"{self.name} [{mode} N={n}]: {what}")

    def sweep(self, persist):
        mode = "from N on" if persist else "Nth only"
        self.reset()
        rc, out, stderr, calls = self.run(0, persist)
        self.ref = (rc, out, stderr, self.snapshot())
        if rc not in self.ok_rcs or SAN_RE.search(stderr) or calls <= 0:
            self.err(0, mode, f"the run without failures: exit {rc}, {calls} calls: {stderr[:500]} {out[:300]}")
            return 0, 0
        outcomes = {}
        start = time.monotonic()
        n = 0
        while True:
            n += 1
            if n > LIMIT:
                self.err(n, mode, f"no end after {LIMIT} runs")
                break
            self.reset()
            rc, out, stderr, calls = self.run(n, persist)
            snap = self.snapshot()
            before = len(self.errors)
            if rc < 0 or rc == 86 or SAN_RE.search(stderr):
                self.err(n, mode, f"exit {rc}: {stderr[:1500]}")
            elif calls < 0:
                self.err(n, mode, f"exit {rc} without the allocation report: {stderr[:500]}")
            elif calls < n:
                # the Nth allocation never came: the run must be the reference
                self.judge_success(n, mode, rc, out, stderr, snap)
                outcomes["success"] = outcomes.get("success", 0) + 1
                break
            elif rc in self.ok_rcs and rc == self.ref[0]:
                # a failed allocation the run got over: the same result
                self.judge_success(n, mode, rc, out, stderr, snap)
                outcomes["recovered"] = outcomes.get("recovered", 0) + 1
            else:
                kind = self.judge_failure(n, mode, rc, out, stderr, snap)
                outcomes[kind] = outcomes.get(kind, 0) + 1
            if len(self.errors) > before and len(self.errors) > 200:
                self.err(n, mode, "stopping this sweep after 200 errors")
                break
        secs = time.monotonic() - start
        print(f"    {self.name}, {mode}: {n} runs in {secs:.1f} s; outcomes {outcomes}", flush=True)
        return n, secs

    # ---- judging ----
    def judge_success(self, n, mode, rc, out, stderr, snap):
        ref_rc, ref_out, ref_err, ref_snap = self.ref
        if rc != ref_rc:
            self.err(n, mode, f"exit {rc}, want {ref_rc}: {stderr[:300]}")
        state_lost = False
        if self.normalize(out) != self.normalize(ref_out):
            state_lost = self.state_warning_only(out, ref_out)
            if not state_lost:
                self.err(n, mode, "output differs from the run without failures: " + json_diff(out, ref_out))
        if stderr != ref_err:
            self.err(n, mode, f"stderr differs: [{stderr[:300]}] want [{ref_err[:300]}]")
        for k in ("file", "state", "live"):
            if k == "state" and state_lost and snap[k] is None:
                continue   # the run said it could not record the originals
            if snap[k] != ref_snap[k]:
                self.err(n, mode, f"{k} is {snap[k]!r}, want {ref_snap[k]!r}")
        if snap["temps"]:
            self.err(n, mode, f"temp files left: {snap['temps']}")

    def normalize(self, out):
        return out

    def state_warning_only(self, out, ref_out):
        """The one way a run that got over a failed allocation may differ:
        the state file could not be written, and a warning says so."""
        try:
            got, want = json.loads(out), json.loads(ref_out)
        except ValueError:
            return False
        extra = [w for w in got.get("warnings", []) if w not in want.get("warnings", [])]
        if len(extra) != 1 or not STATE_LOST.fullmatch(extra[0]):
            return False
        got["warnings"] = [w for w in got["warnings"] if w != extra[0]]
        return got == want

    def oom_message(self, msg):
        """One of the out-of-memory sentences, exactly; a read that failed
        for want of memory names a file the run reads."""
        if msg is None:
            return False
        m = re.fullmatch(r"cannot read (\S+): Cannot allocate memory\. (.*)", msg)
        if m:
            path, rest = m.groups()
            if not (path in (self.file, self.state, self.args_path())
                    or re.fullmatch(r"/proc/sys/net/ipv4/[a-z_]+|/etc/sysctl\.d/[0-9a-z.-]+", path)):
                return False
            msg = "out of memory. " + rest
        return msg in self.oom_messages()

    def oom_messages(self):
        nc = "Nothing was changed."
        back = " The live values written by this run were put back."
        return {
            "out of memory. " + nc,
            "out of memory. " + nc + back,
            "out of memory while reading sysctl.d. " + nc,
            f"out of memory while reading the arguments file {self.args_path()}. " + nc,
            "out of memory while reporting the result; the settings were applied.",
        }

    def args_path(self):
        return os.path.join(self.t, "args.json")

    def judge_unchanged(self, n, mode, snap, what):
        if snap["file"] != ADMIN:
            self.err(n, mode, f"{what}, yet the file is {snap['file']!r}")
        if snap["live"] != self.live0:
            self.err(n, mode, f"{what}, yet live values are {snap['live']}, were {self.live0}")
        if snap["temps"]:
            self.err(n, mode, f"temp files left: {snap['temps']}")
        self.judge_state(n, mode, snap)

    def judge_state(self, n, mode, snap):
        if snap["state"] is not None:
            try:
                json.loads(snap["state"])
            except ValueError:
                self.err(n, mode, f"state file half-written: {snap['state'][:200]!r}")

    def judge_partial(self, n, mode, snap, msg):
        """A change stayed: when the message says the settings were applied,
        the file and the live values are the new ones; otherwise (putting
        back failed) the file is whole, old or new, and each live value is
        its old or its new value."""
        new = self.ref[3]
        if msg.endswith("the settings were applied."):
            if snap["file"] != new["file"] or snap["live"] != new["live"]:
                self.err(n, mode, f"'{msg}', yet file {snap['file']!r} and live {snap['live']}")
        if snap["file"] not in (ADMIN, new["file"]):
            self.err(n, mode, f"file neither old nor new: {snap['file']!r}")
        for k, v in snap["live"].items():
            if v not in (self.live0[k], new["live"][k]):
                self.err(n, mode, f"live {k} = {v}, neither old nor new")
        if snap["file"] == ADMIN and snap["live"] == self.live0:
            self.err(n, mode, "the failure says a change stayed, yet nothing changed")
        if snap["temps"]:
            self.err(n, mode, f"temp files left: {snap['temps']}")
        self.judge_state(n, mode, snap)


class ModuleSweep(Sweep):
    name = "module converge with diff"
    ok_rcs = (0,)

    def argv(self):
        args = {"sysctl_file": self.file, "state_file": self.state, "_ansible_diff": True,
                "port_range": "20000-50001", "reserved_ports": "8080,9000-9100",
                "fin_timeout": 30, "tw_reuse": 1, "max_tw_buckets": 100000}
        with open(self.args_path(), "w") as f:
            json.dump(args, f)
        return [self.args_path()]

    def reset(self):
        super().reset()
        self.argv()

    def judge_failure(self, n, mode, rc, out, stderr, snap):
        try:
            res = json.loads(out)
        except ValueError:
            self.err(n, mode, f"exit {rc}, stdout is not one JSON object: {out[:300]!r} {stderr[:300]}")
            return "bad output"
        msg = res.get("msg")
        if rc != 1 or res.get("failed") is not True:
            self.err(n, mode, f"exit {rc}, failed {res.get('failed')}, want 1 and true: {out[:300]}")
        if not self.oom_message(msg):
            self.err(n, mode, f"not the out-of-memory message: {msg!r}")
        if res.get("changed") is True:
            self.judge_partial(n, mode, snap, msg or "")
            return "failed, change stayed"
        self.judge_unchanged(n, mode, snap, "changed: false")
        return "failed, nothing changed"


class CliSweep(Sweep):
    """porttune set/get/check: exit 4 (nothing changed) or 6 (a change stayed)."""
    ok_rcs = (0, 2)

    def __init__(self, binary, tmp, name, words):
        super().__init__(binary, tmp)
        self.name = name
        self.words = words

    def argv(self):
        return self.words + ["--file", self.file, "--state-file", self.state, "--json"]

    def judge_failure(self, n, mode, rc, out, stderr, snap):
        try:
            res = json.loads(out)
        except ValueError:
            self.err(n, mode, f"exit {rc}, stdout is not one JSON object: {out[:300]!r} {stderr[:300]}")
            return "bad output"
        msg = res.get("msg")
        if rc not in (4, 6) or res.get("failed") is not True:
            self.err(n, mode, f"exit {rc}, failed {res.get('failed')}, want 4 or 6 and true: {out[:300]}")
        if not self.oom_message(msg):
            self.err(n, mode, f"not the out-of-memory message: {msg!r}")
        if stderr.splitlines()[-1:] != [f"porttune: {msg}"]:
            self.err(n, mode, f"stderr does not end with the message: {stderr[-300:]!r}")
        if rc == 6:
            if res.get("changed") is not True:
                self.err(n, mode, "exit 6 with changed: false")
            self.judge_partial(n, mode, snap, msg or "")
            return "failed, change stayed"
        if res.get("changed") is not False:
            self.err(n, mode, "exit 4 with changed: true")
        self.judge_unchanged(n, mode, snap, "exit 4")
        return "failed, nothing changed"


class DiagnoseSweep(Sweep):
    name = "diagnose --json"
    ok_rcs = (0, 2)
    # the diagnosis changes nothing, and its sentences say where memory ran out
    DIAG_OOM = {
        "Out of memory starting the diagnosis.",
        "Out of memory reading the port sysctls.",
        "Out of memory for the sock_diag buffer.",
        "Out of memory building the diagnosis report.",
        "out of memory. Nothing was changed.",
    }

    def diag_oom_message(self, msg):
        return msg in self.DIAG_OOM or re.fullmatch(
            r"Cannot read /proc/sys/net/ipv4/[a-z_]+: Cannot allocate memory\. Nothing was changed\.",
            msg or "") is not None

    def argv(self):
        return ["diagnose", "--json"]

    def judge_failure(self, n, mode, rc, out, stderr, snap):
        try:
            res = json.loads(out)
        except ValueError:
            self.err(n, mode, f"exit {rc}, stdout is not one JSON object: {out[:300]!r} {stderr[:300]}")
            return "bad output"
        msg = res.get("msg")
        if rc != 4 or res.get("failed") is not True or res.get("changed") is not False:
            self.err(n, mode, f"exit {rc}, want 4 with failed: true, changed: false: {out[:300]}")
        if not self.diag_oom_message(msg):
            self.err(n, mode, f"not the out-of-memory message: {msg!r}")
        if stderr.splitlines()[-1:] != [f"porttune: {msg}"]:
            self.err(n, mode, f"stderr does not end with the message: {stderr[-300:]!r}")
        self.judge_unchanged(n, mode, snap, "diagnose")
        return "failed"


def sockets():
    """Sockets that stay as they are for the whole sweep (no TIME_WAIT, whose
    timer would change the report): listeners on three ports, established
    pairs to each, and half-closed pairs (FIN_WAIT2 / CLOSE_WAIT)."""
    keep = []
    for port in (5001, 5002, 5003):
        lst = socket.socket()
        lst.bind(("127.0.0.1", port))
        lst.listen(64)
        keep.append(lst)
        for i in range(port - 4995):
            c = socket.create_connection(("127.0.0.1", port))
            a, _ = lst.accept()
            keep += [c, a]
            if i % 3 == 0:
                c.shutdown(socket.SHUT_WR)
    time.sleep(0.2)
    return keep


def main():
    if len(sys.argv) < 2:
        print("usage: sweep.py BINARY [SWEEP...]", file=sys.stderr)
        return 2
    binary = os.path.realpath(sys.argv[1])
    if os.environ.get("PT_OOM_INNER") != "1":
        if os.geteuid() != 0:
            print("tests/oom: needs root for network and mount namespaces\n0 passed, 1 failed")
            return 1
        if not os.access(binary, os.X_OK):
            print(f"tests/oom: no binary {binary}\n0 passed, 1 failed")
            return 1
        os.execvp("unshare", ["unshare", "--net", "--mount", "--propagation", "private", "--",
                              "env", "PT_OOM_INNER=1", sys.executable] + sys.argv)
    inner_setup()
    keep = sockets()
    tmp = tempfile.mkdtemp(prefix="ptoom.")
    os.chmod(tmp, 0o755)
    try:
        live0 = live()
        sweeps = [
            ModuleSweep(binary, tmp),
            CliSweep(binary, tmp, "cli set", ["set", "fin_timeout=30", "tw_reuse=1",
                                               "port_range=20000-50001", "reserved_ports=8080"]),
            CliSweep(binary, tmp, "cli get", ["get"]),
            CliSweep(binary, tmp, "cli check", ["check", "fin_timeout=30", "max_tw_buckets=100000"]),
            DiagnoseSweep(binary, tmp),
        ]
        wanted = sys.argv[2:]
        passed = failed = 0
        total_runs, total_secs = 0, 0.0
        for s in sweeps:
            if wanted and not any(w in s.name for w in wanted):
                continue
            s.live0 = live0
            for persist in (False, True):
                s.errors = []
                runs, secs = s.sweep(persist)
                total_runs += runs
                total_secs += secs
                mode = "from N on" if persist else "Nth only"
                if s.errors:
                    failed += 1
                    print(f"not ok - {s.name}, {mode}")
                    for e in s.errors[:int(os.environ.get("PT_OOM_SHOW", "12"))]:
                        print("    " + e.replace("\n", "\n    "))
                    if len(s.errors) > 12:
                        print(f"    ... and {len(s.errors) - 12} more")
                else:
                    passed += 1
                    print(f"ok - {s.name}, {mode}")
        print(f"    ({total_runs} runs in {total_secs:.0f} s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for k in keep:
            k.close()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
