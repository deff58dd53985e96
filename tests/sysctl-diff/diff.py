# SPDX-License-Identifier: MIT
"""porttune's boot values and conflicts against what systemd-sysctl really does.

Runs inside a private mount + network namespace (see run.sh). For every case:
write a throwaway sysctl.d tree, let the real systemd-sysctl apply it in a
fresh network namespace (--prefix=/net/ipv4) and read /proc/sys there; then
ask porttune (`get`, the module in check mode, a real module run, `get`
again) what the keys are at boot and which files conflict, and compare.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

BIN, SD, NCASES, SEED = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
IPV4 = "/proc/sys/net/ipv4"
KEYS = {  # option: sysctl name
    "port_range": "ip_local_port_range",
    "reserved_ports": "ip_local_reserved_ports",
    "fin_timeout": "tcp_fin_timeout",
    "tw_reuse": "tcp_tw_reuse",
    "tw_reuse_delay": "tcp_tw_reuse_delay",
    "max_tw_buckets": "tcp_max_tw_buckets",
}
KEYS = {o: k for o, k in KEYS.items() if os.path.exists(f"{IPV4}/{k}")}
TMP = tempfile.mkdtemp(prefix="pt-sysctl-diff.")
DIRS = ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d"]
if not os.path.islink("/lib"):
    DIRS.append("/lib/sysctl.d")
STATE = f"{TMP}/state.json"
DEFAULTS = {}   # the keys in a fresh network namespace


def fail(msg):
    print(f"sysctl-diff: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def sh(*argv, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        fail(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


# ---- the private tree -------------------------------------------------------

def cover():
    """tmpfs or overlays over everything systemd-sysctl reads, in this namespace only."""
    if os.readlink("/proc/self/ns/net") == os.environ["HOST_NETNS"]:
        fail("not in a network namespace of our own")
    n = 0
    for parent in ("/etc", "/run", "/usr/local/lib"):
        up, wk = f"{TMP}/up{n}", f"{TMP}/wk{n}"
        n += 1
        os.makedirs(up)
        os.makedirs(wk)
        sh("mount", "-t", "overlay", "overlay", "-o",
           f"lowerdir={parent},upperdir={up},workdir={wk}", parent)
    for d in DIRS:
        os.makedirs(d, exist_ok=True)   # inside an overlay, or already there
        sh("mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", d)
    # Proof that the real files are out of reach: each directory is a mount
    # of its own, a tmpfs in this namespace.
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            mounts[fields[4]] = fields[fields.index("-") + 1]
    for d in DIRS:
        if mounts.get(d) != "tmpfs":
            fail(f"{d} is not covered by a tmpfs ({mounts.get(d)})")
    if mounts.get("/etc") != "overlay":
        fail("/etc is not covered by an overlay")


def reset_tree():
    for d in DIRS:
        for name in os.listdir(d):
            os.unlink(os.path.join(d, name))
    if os.path.lexists("/etc/sysctl.conf"):
        os.unlink("/etc/sysctl.conf")
    for f in (STATE,):
        if os.path.exists(f):
            os.unlink(f)


def write_tree(case):
    reset_tree()
    for path, spec in case["files"]:
        if isinstance(spec, str):       # a link
            os.symlink(spec, path)
        else:
            with open(path, "wb") as f:
                f.write(spec)
    if case.get("sysctl_conf") is not None:
        with open("/etc/sysctl.conf", "wb") as f:
            f.write(case["sysctl_conf"])


# ---- the truth: systemd-sysctl in a fresh network namespace -------------------

READ = "; ".join(f'printf "{o}=%s\\n" "$(cat {IPV4}/{k})"' for o, k in KEYS.items())


def fresh(cmd=""):
    """The keys in a fresh network namespace after cmd; a list of such
    readings when cmd prints "--" between several."""
    r = sh("unshare", "--net", "--", "sh", "-c", f"{cmd} {READ}", check=False)
    if r.returncode != 0:
        fail(f"reading a fresh namespace: {r.stderr}")
    outs = [{}]
    for line in r.stdout.splitlines():
        if line == "--":
            outs.append({})
            continue
        o, _, v = line.partition("=")
        outs[-1][o] = canon(o, v)
    return outs[0] if len(outs) == 1 else outs


# Values no case writes: a key still holding one after systemd-sysctl ran was
# not written (removed with -KEY, or its value refused), whatever the default.
SENTINEL = {"port_range": "12347 23456", "reserved_ports": "4242", "fin_timeout": "77",
            "tw_reuse": "1", "tw_reuse_delay": "4321", "max_tw_buckets": "4321"}


def systemd_sysctl():
    """What systemd-sysctl leaves from the defaults, and which keys it wrote."""
    run = f"SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=emerg {SD} --prefix=/net/ipv4 >/dev/null 2>&1;"
    preset = "".join(f"echo '{SENTINEL[o]}' > {IPV4}/{k} || exit 7; " for o, k in KEYS.items())
    # One namespace: from the defaults, then again from the sentinels.
    both = fresh(f"{run} {READ}; echo --; {preset} {run}")
    plain, marked = both
    written = {o: marked[o] != canon(o, SENTINEL[o]) or plain[o] != DEFAULTS[o] for o in KEYS}
    return plain, written


def canon(option, v):
    if v is None:
        return None
    v = str(v).strip()
    if option == "port_range":
        return "-".join(v.replace("-", " ").split())
    return v


def check_namespaces():
    """The netns we write in is not the host's, and a fresh one has the defaults."""
    probe = ("test \"$(readlink /proc/self/ns/net)\" != \"$HOST_NETNS\" || exit 9; "
             "echo 4242 > /proc/sys/net/ipv4/tcp_fin_timeout || exit 8;")
    r = sh("unshare", "--net", "--", "sh", "-c", probe, check=False)
    if r.returncode != 0:
        fail(f"namespace probe exit {r.returncode}: {r.stderr}")
    d = fresh()
    if d["fin_timeout"] == "4242":
        fail("/proc/sys/net is not per network namespace here")
    return d


# ---- porttune ------------------------------------------------------------------

def pt_get(sysctl_file):
    r = sh(BIN, "get", "--json", "--file", sysctl_file, "--state-file", STATE, check=False)
    if r.returncode != 0:
        return None, f"get: exit {r.returncode}: {r.stderr.strip()}"
    return json.loads(r.stdout), None


def pt_module(sysctl_file, want, check_mode):
    args = dict(want, sysctl_file=sysctl_file, state_file=STATE,
                _ansible_check_mode=check_mode)
    path = f"{TMP}/args.json"
    with open(path, "w") as f:
        json.dump(args, f)
    # A real run writes live values: into this script's own network
    # namespace (checked in cover()), which nothing else reads.
    r = sh(BIN, path, check=False)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        return None, f"module: not JSON (exit {r.returncode}): {r.stdout[:200]} {r.stderr[:200]}"
    if res.get("failed"):
        return None, f"module failed: {res.get('msg')}"
    return res, None


def boot_check(label, settings, o, truth, written, bad):
    """porttune's boot value: null exactly when systemd-sysctl leaves the key
    unwritten, else the value it leaves."""
    s = settings.get(o)
    if s is None:
        bad.append(f"{label}: no setting {o}")
        return
    b = s.get("boot")
    if (b is None) == written[o] or (b is not None and canon(o, b) != truth[o]):
        bad.append(f"{label}: {o} boot {b!r} (source {s.get('boot_source')}), systemd-sysctl "
                   f"{'writes ' + repr(truth[o]) if written[o] else 'leaves it unwritten'}")


# ---- cases ---------------------------------------------------------------------

SPELL = [lambda k: f"net.ipv4.{k}", lambda k: f"net/ipv4/{k}", lambda k: f"/net/ipv4/{k}",
         lambda k: f"net..ipv4.{k}", lambda k: f"net.ipv4.{k}.", lambda k: f"net.ipv4/{k}",
         lambda k: f"net/ipv4//{k}/", lambda k: f"net.ipv4..{k}"]
GLOBS = ["net.ipv4.tcp_fin_*", "net.ipv4.tcp_tw_*", "net.ipv4.ip_local_*", "net/ipv4/tcp_*",
         "net.ipv4*fin_timeout", "net.*.tcp_fin_timeout", "net.ipv4.tcp_fin_timeou?",
         "net.ipv4.tcp_tw_reuse*", "net.ipv4.ip_local_[pr]*_ports", "net.ipv4.*_range",
         "net.ipv4.tcp_max_tw_bucket?", "net/ipv4/tcp_tw_reuse_*"]
INTS = ["30", "45", "030", "0x1e", "0X2d", "30 abc", "30abc", "+1", "", "-1", "1", "2", "0",
        "3", "08", "60000", "60001", "1000", "0x10", "5000", "2147483648", "-0", "20  40",
        "7\t9", "99999999999999999999999"]
RANGES = ["1024 65535", "20000 30001", "40000", "2000 1000", "1023 2000", "1024-65535",
          "0x400 0xffff", "01024 65535", "1024 65535 7", "1024 65535x", "", "32768\t60999",
          "1025 1025", "+1024 65535", "10000   20000"]
PORTSETS = ["8080", "8080,9000", "8080, 9000", "9000-8000", "0x1f90", "010", "70000", "",
            "8080,", ",8080", "8080-9000,8500", "1-2,3", "9000-9100,8080", "0", "8080 9000"]
OTHER = ["# a comment", "; another", "", "   ", "not an assignment",
         "net.ipv4.tcp_keepalive_time = 7200", "net.ipv4.tcp_syncookies=1",
         "kernel.hostname = x", "= 5"]
WANT = {"port_range": ["10000-60000", "1024-65535", "20000-30001", "32768-60999"],
        "reserved_ports": ["8080", "8080,9000-9100", "24"],
        "fin_timeout": [30, 24, 45, 60], "tw_reuse": [0, 1, 2],
        "tw_reuse_delay": [1000, 16, 5000], "max_tw_buckets": [5000, 262144, 0]}


def value_for(rnd, option):
    pool = RANGES if option == "port_range" else PORTSETS if option == "reserved_ports" else INTS
    return rnd.choice(pool)


def random_line(rnd):
    r = rnd.random()
    opt = rnd.choice(list(KEYS))
    key = rnd.choice(SPELL[:5] if rnd.random() < 0.8 else SPELL)(KEYS[opt])
    if r < 0.45:
        eq = rnd.choice(["=", " = ", "  =\t", "= "])
        return f"{'-' if rnd.random() < 0.15 else ''}{key}{eq}{value_for(rnd, opt)}"
    if r < 0.55:
        return f"-{key}"
    if r < 0.75:
        g = rnd.choice(GLOBS)
        opt2 = rnd.choice(list(KEYS))
        return f"{g} = {value_for(rnd, opt2)}"
    if r < 0.8:
        return f"-{rnd.choice(GLOBS)}"
    return rnd.choice(OTHER)


def random_text(rnd):
    lines = [random_line(rnd) for _ in range(rnd.randint(0, 7))]
    eol = rnd.choice(["\n"] * 6 + ["\r\n", "\r"])
    text = eol.join(lines) + (eol if rnd.random() < 0.85 else "")
    data = text.encode()
    if data and rnd.random() < 0.1:   # a NUL byte somewhere
        at = rnd.randrange(len(data) + 1)
        data = data[:at] + b"\0" + data[at:]
    return data


OURS = ["/etc/sysctl.d/60-porttune.conf"] * 5 + [
    "/etc/sysctl.d/99-zz-porttune.conf", "/usr/lib/sysctl.d/50-porttune.conf",
    "/run/sysctl.d/70-porttune.conf", "/etc/sysctl.conf", "/etc/sysctl.d/00-porttune.conf"]
NAMES = ["10-a.conf", "50-vendor.conf", "60-porttune.conf", "70-late.conf", "99-z.conf",
         "zz.conf", "99-sysctl.conf", "b.conf.disabled", "50-porttune.conf", "70-porttune.conf"]


def random_case(rnd, n):
    ours = rnd.choice(OURS)
    files, used = [], set()
    for _ in range(rnd.randint(1, 5)):
        d, name = rnd.choice(DIRS), rnd.choice(NAMES)
        path = f"{d}/{name}"
        if path in used or path == ours:
            continue
        used.add(path)
        if name == "99-sysctl.conf" and d == "/etc/sysctl.d" and rnd.random() < 0.7:
            files.append((path, "../sysctl.conf"))
        elif rnd.random() < 0.07:
            files.append((path, "/dev/null"))
        else:
            files.append((path, random_text(rnd)))
    sysctl_conf = random_text(rnd) if rnd.random() < 0.6 else None
    if ours == "/etc/sysctl.conf" and rnd.random() < 0.5 and "/etc/sysctl.d/99-sysctl.conf" not in used:
        files.append(("/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf"))
    want = {o: rnd.choice(WANT[o]) for o in KEYS if rnd.random() < 0.6}
    if not want:
        want = {"fin_timeout": 30}
    if ours == "/etc/sysctl.conf":
        sysctl_conf = None      # ours: porttune writes it
    return {"name": f"generated #{n}", "ours": ours, "files": files,
            "sysctl_conf": sysctl_conf, "want": want}


class Link(str):
    """A symbolic link's target in a listed case."""


def fixed(name, files, want, ours="/etc/sysctl.d/60-porttune.conf", sysctl_conf=None):
    return {"name": name, "ours": ours, "want": want, "sysctl_conf": sysctl_conf,
            "files": [(p, str(t) if isinstance(t, Link) else
                       t.encode() if isinstance(t, str) else t) for p, t in files]}


E = "/etc/sysctl.d"
U = "/usr/lib/sysctl.d"
FIXED = [
    fixed("glob after our explicit assignment", [(f"{U}/90-vendor.conf", "net.ipv4.tcp_fin_* = 45\n")],
          {"fin_timeout": 30}),
    fixed("glob before and after, explicit wins",
          [(f"{E}/10-a.conf", "net.ipv4.tcp_fin_* = 50\n"), (f"{E}/90-b.conf", "net.ipv4.tcp_fin_t* = 45\n")],
          {"fin_timeout": 30, "tw_reuse": 1}),
    fixed("same-value re-assignment keeps its place",
          [(f"{E}/10-a.conf", "net.ipv4.tcp_fin_* = 45\nnet.ipv4.tcp_fin_time* = 50\n"),
           (f"{E}/20-b.conf", "net.ipv4.tcp_fin_* = 45\n")], {"tw_reuse": 1}),
    fixed("other-value re-assignment moves to the end",
          [(f"{E}/10-a.conf", "net.ipv4.tcp_fin_* = 45\nnet.ipv4.tcp_fin_time* = 50\n"),
           (f"{E}/20-b.conf", "net.ipv4.tcp_fin_* = 46\n")], {"tw_reuse": 1}),
    fixed("-KEY removes ours", [(f"{E}/90-late.conf", "-net.ipv4.tcp_fin_timeout\n")],
          {"fin_timeout": 30}),
    fixed("-KEY excludes the key from globs",
          [(f"{E}/10-a.conf", "net.ipv4.tcp_fin_* = 45\n-net.ipv4.tcp_fin_timeout\n")], {"tw_reuse": 1}),
    fixed("-KEY = V ignores a failed write", [(f"{E}/90-late.conf", "-net.ipv4.tcp_fin_timeout = 44\n")],
          {"fin_timeout": 30}),
    fixed("sysctl.conf without the link is not read", [], {"max_tw_buckets": 5000},
          sysctl_conf=b"net.ipv4.tcp_max_tw_buckets = 9000\n"),
    fixed("sysctl.conf through 99-sysctl.conf", [(f"{E}/99-sysctl.conf", Link("../sysctl.conf"))],
          {"max_tw_buckets": 5000}, sysctl_conf=b"net.ipv4.tcp_max_tw_buckets = 9000\n"),
    fixed("sysctl_file /etc/sysctl.conf without the link", [], {"fin_timeout": 30},
          ours="/etc/sysctl.conf"),
    fixed("sysctl_file /etc/sysctl.conf with the link", [(f"{E}/99-sysctl.conf", Link("../sysctl.conf"))],
          {"fin_timeout": 30}, ours="/etc/sysctl.conf"),
    fixed("reserved ports with a space", [(f"{E}/90-late.conf", "net.ipv4.ip_local_reserved_ports = 8080, 9000\n")],
          {"reserved_ports": "8080,9000"}),
    fixed("tw_reuse_delay out of range", [(f"{E}/90-late.conf", "net.ipv4.tcp_tw_reuse_delay = 60001\n")],
          {"tw_reuse_delay": 5000}),
    fixed("empty value", [(f"{E}/90-late.conf", "net.ipv4.tcp_fin_timeout =\n")], {"fin_timeout": 30}),
    fixed("+1", [(f"{E}/90-late.conf", "net.ipv4.tcp_tw_reuse = +1\n")], {"tw_reuse": 1}),
    fixed("reversed range", [(f"{E}/90-late.conf", "net.ipv4.ip_local_port_range = 60000 10000\n")],
          {"port_range": "10000-60000"}),
    fixed("reversed reserved range", [(f"{E}/90-late.conf", "net.ipv4.ip_local_reserved_ports = 9100-9000\n")],
          {"reserved_ports": "9000-9100"}),
    fixed("octal is the same value", [(f"{E}/90-late.conf", "net.ipv4.tcp_fin_timeout = 030\n")],
          {"fin_timeout": 24}),
    fixed("hex is the same value", [(f"{E}/90-late.conf", "net.ipv4.tcp_max_tw_buckets = 0x1388\n")],
          {"max_tw_buckets": 5000}),
    fixed("octal differs", [(f"{E}/90-late.conf", "net.ipv4.tcp_fin_timeout = 030\n")], {"fin_timeout": 30}),
    fixed("trailing text after a blank", [(f"{E}/90-late.conf", "net.ipv4.tcp_fin_timeout = 30 seconds\n")],
          {"fin_timeout": 30}),
    fixed("trailing text glued on", [(f"{E}/90-late.conf", "net.ipv4.tcp_fin_timeout = 30abc\n")],
          {"fin_timeout": 30}),
    fixed("leading slash", [(f"{E}/90-late.conf", "/net/ipv4/tcp_fin_timeout = 45\n")], {"fin_timeout": 30}),
    fixed("doubled and trailing dots", [(f"{E}/90-late.conf",
          "net..ipv4.tcp_fin_timeout = 45\nnet.ipv4.tcp_tw_reuse. = 0\n")], {"fin_timeout": 30, "tw_reuse": 1}),
    fixed("a NUL byte", [(f"{E}/90-late.conf", b"net.ipv4.tcp_fin_timeout = 45\n\0net.ipv4.tcp_tw_reuse = 0\n")],
          {"fin_timeout": 30, "tw_reuse": 1}),
    fixed("glob across segments matches nothing", [(f"{E}/10-a.conf", "net.ipv4*fin_timeout = 45\n")],
          {"tw_reuse": 1}),
    fixed("ours masked by an earlier directory", [("/run/sysctl.d/60-porttune.conf", "net.ipv4.tcp_tw_reuse = 0\n")],
          {"fin_timeout": 30, "tw_reuse": 1}),
    fixed("ours masked by /dev/null in /etc", [(f"{E}/60-porttune.conf", Link("/dev/null"))],
          {"fin_timeout": 30}, ours="/usr/lib/sysctl.d/60-porttune.conf"),
    fixed("one-number port range keeps the default end",
          [(f"{E}/90-late.conf", "net.ipv4.ip_local_port_range = 40000\n")], {"port_range": "40000-60999"}),
]


# ---- comparison ----------------------------------------------------------------

def compare(case, problems):
    ours, want = case["ours"], case["want"]
    bad = []
    write_tree(case)
    truth, written = systemd_sysctl()
    got, err = pt_get(ours)
    if err:
        bad.append(err)
    else:
        for o in KEYS:
            boot_check("get (before)", got["settings"], o, truth, written, bad)
    check, err = pt_module(ours, want, True)
    if err:
        bad.append("check mode: " + err)
    real, err = pt_module(ours, want, False)
    if err:
        bad.append("real run: " + err)
    truth, written = systemd_sysctl()
    after, err = pt_get(ours)
    if err:
        bad.append("get (after): " + err)
    at_boot = after is not None and after.get("sysctl_file_at_boot")

    def conflict_check(label, listed):
        # Ours is overridden when the key ends elsewhere or is not written.
        for o in want:
            overridden = truth[o] != canon(o, want[o]) or not written[o]
            if (o in listed) != overridden:
                bad.append(f"{label}: {o} conflict listed {o in listed}, but systemd-sysctl "
                           f"{'writes ' + repr(truth[o]) if written[o] else 'leaves it unwritten'} "
                           f"for wanted {want[o]!r}")
    for label, res in (("check mode", check), ("real run", real)):
        if res is None:
            continue
        for o in want:
            boot_check(label, res["settings"], o, truth, written, bad)
        if at_boot:
            conflict_check(label, {c["key"] for c in res["conflicts"] if c.get("wins")})
    if after is not None:
        for o in KEYS:
            boot_check("get (after)", after["settings"], o, truth, written, bad)
        if at_boot:
            conflict_check("get (after)", {c["key"] for c in after["conflicts"]})
        if ours == "/etc/sysctl.conf":
            linked = os.path.islink("/etc/sysctl.d/99-sysctl.conf")
            if after.get("sysctl_file_at_boot") != linked:
                bad.append(f"sysctl_file_at_boot {after.get('sysctl_file_at_boot')} for "
                           f"/etc/sysctl.conf with the link {'present' if linked else 'absent'}")
            warned = any("/etc/sysctl.conf is not read at boot" in w for w in (real or {}).get("warnings", []))
            if real is not None and warned == linked:
                bad.append(f"warning about /etc/sysctl.conf: {warned}, link present: {linked}")
    if bad:
        problems.append((case, bad))


def describe(case):
    lines = [f"  ours {case['ours']}, want {case['want']}"]
    for p, t in case["files"]:
        lines.append(f"  {p}: {t!r}")
    if case["sysctl_conf"] is not None:
        lines.append(f"  /etc/sysctl.conf: {case['sysctl_conf']!r}")
    return "\n".join(lines)


def main():
    start = time.time()
    cover()
    DEFAULTS.update(check_namespaces())
    rnd = random.Random(SEED)
    cases = FIXED + [random_case(rnd, i) for i in range(NCASES)]
    problems = []
    for case in cases:
        compare(case, problems)
    reset_tree()
    shutil.rmtree(TMP, ignore_errors=True)
    took = time.time() - start
    for case, bad in problems[:40]:
        print(f"MISMATCH {case['name']}:\n{describe(case)}")
        for b in bad:
            print(f"    {b}")
    print(f"sysctl-diff: {len(cases)} cases ({len(FIXED)} listed, {NCASES} generated, "
          f"seed {SEED}), {len(problems)} mismatched, {took:.1f} s")
    sys.exit(1 if problems else 0)


main()
