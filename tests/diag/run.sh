#!/bin/bash
# SPDX-License-Identifier: MIT
# Integration test of the diagnosis as it ships: `porttune diagnose --json`
# (pt_diag_run: the sysctls, one socket reader, the automatic netlink -> /proc
# fallback, the report) on known loopback traffic in a fresh network
# namespace, checked against exact counts, ss and the /proc reader, forced
# (--source proc) and automatic (netlink sockets refused by seccomp under
# build/diag/no-netlink).
#
# usage: tests/diag/run.sh [BINARY]   (root; BINARY default library/porttune)
#   NO_NETLINK  the launcher, default build/diag/no-netlink
#   PT_DIAG_EMULATED=1  BINARY runs under qemu-user (tests/arch), which has no
#               NETLINK_SOCK_DIAG: its netlink runs must fail and say so, auto
#               must read /proc and say "proc", and the netlink reference
#               report comes from PT_DIAG_REF (default library/porttune, the
#               native binary) on the same traffic
#   PT_DIAG_PROC_SWAPPED=1  with PT_DIAG_EMULATED: BINARY's byte order is not
#               the kernel's (s390x under qemu on x86_64). /proc/net/tcp prints
#               addresses as the kernel's host-order words, so such a binary
#               must read every address with the bytes of each 32-bit word
#               reversed, and everything else exactly as the native one
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../../library/porttune}")
nonl=$(realpath "${NO_NETLINK:-$here/../../build/diag/no-netlink}")
emulated=${PT_DIAG_EMULATED:-0}
refbin=$bin
[ "$emulated" = 1 ] && refbin=$(realpath "${PT_DIAG_REF:-$here/../../library/porttune}")
export PT_DIAG_EMULATED PT_DIAG_REF=$refbin
py=/usr/bin/python3
[ -x "$py" ] || py=python3

if [ "${PT_DIAG_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "FAIL diag run.sh: needs root for unshare -n; running as uid $(id -u)" >&2; exit 1; }
  # Everything below runs in a namespace of its own, which dies with us.
  exec unshare -n env PT_DIAG_NETNS=1 NO_NETLINK="$nonl" bash "$0" "$bin"
fi

fail() { echo "FAIL diag run.sh: $*" >&2; exit 1; }
[ -x "$bin" ] || fail "no binary $bin (make)"
[ -x "$refbin" ] || fail "no reference binary $refbin (make)"
[ -x "$nonl" ] || fail "no launcher $nonl (make build/diag/no-netlink)"
# The sysctl writes below must never reach the host's namespace.
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  fail "not inside a new network namespace; refusing to write sysctls"

. "$here/traffic.sh"
pt_diag_traffic run

# diag NAME [LAUNCHER...] -- ARGS...: `porttune diagnose --json ARGS` to
# NAME.json, stderr to NAME.err, the exit code to NAME.rc (2 = it warns).
diag() {
  local name=$1 b=$bin; shift
  local pre=()
  # The netlink reference report: the native binary when BINARY is emulated.
  [ "$name" = netlink ] && b=$refbin
  while [ "$1" != -- ]; do pre+=("$1"); shift; done
  shift
  set +e
  "${pre[@]}" "$b" diagnose --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
  set -e
}
diag netlink -- --source netlink --threshold 7
diag proc -- --source proc --threshold 7
diag auto -- --threshold 7
if [ "$emulated" = 1 ]; then
  diag top1 -- --top 1
  diag emu-netlink -- --source netlink --threshold 7
else
  diag top1 -- --source netlink --top 1
fi
# Netlink refused as two kinds of sandbox do: auto must fall back to /proc;
# netlink asked for by name must fail, which proves the filter reached the
# binary (a static musl binary makes the same system call).
diag nonl-afnosupport "$nonl" -- --threshold 7
diag nonl-eperm "$nonl" --errno EPERM -- --threshold 7
diag nonl-netlink "$nonl" -- --source netlink --threshold 7
ss -tanH >"$tmp/ss.txt"

"$py" - "$tmp" "$emulated" "${PT_DIAG_PROC_SWAPPED:-0}" <<'PY'
import copy, ipaddress, json, sys, collections
tmp = sys.argv[1]
emulated = sys.argv[2] == "1"
swapped = sys.argv[3] == "1"
failures = []

def check(what, got, want):
    ok = got == want
    if ok and len(repr(got)) > 200:
        print(f"ok   {what}")
    else:
        print(f"{'ok  ' if ok else 'FAIL'} {what}: got {got!r}, want {want!r}")
    if not ok:
        failures.append(what)

def rc(name):
    return int(open(f"{tmp}/{name}.rc").read())

# Exit 2: every report below warns (a listener inside the range, and at
# threshold 7 % a destination too).
for name in ("netlink", "proc", "auto", "top1", "nonl-afnosupport", "nonl-eperm"):
    check(f"{name}: exit code", rc(name), 2)
net = json.load(open(f"{tmp}/netlink.json"))
proc = json.load(open(f"{tmp}/proc.json"))
auto = json.load(open(f"{tmp}/auto.json"))
top1 = json.load(open(f"{tmp}/top1.json"))

# 1. Exactly what was generated.
want_states = {"LISTEN": 6, "ESTABLISHED": 140, "TIME_WAIT": 80}
for name, n in net["states"].items():
    check(f"netlink state {name}", n, want_states.get(name, 0))
check("sockets", net["sockets"], 226)
check("time_wait.total", net["time_wait"]["total"], 80)
check("time_wait.max_tw_buckets", net["time_wait"]["max_tw_buckets"], 5000)
check("time_wait.headroom", net["time_wait"]["headroom"], 4920)
check("port_range", [net["port_range"][k] for k in ("start", "end")], [40000, 40999])
# The core's capacity object (the one `porttune get` and the module print):
# 989 / 60 = 16.483..., rounded down to hundredths.
check("capacity", net["capacity"],
      {"port_range": "40000-40999", "range_size": 1000, "reserved_in_range": 11,
       "usable_ports": 989, "time_wait_seconds": 60, "max_new_connections_per_second": 16.48})
check("port_range.reserved_ports", net["port_range"]["reserved_ports"], "40001,40500-40509")
dests = {(d["address"], d["port"]): d for d in net["destinations"]["top"]}
want_dest = {("127.0.0.1", 8080): (80, 50, 30), ("::1", 8081): (60, 20, 40),
             ("127.0.0.2", 8082): (10, 0, 10)}
check("destination keys", sorted(dests), sorted(want_dest))
for key, (held, est, tw) in want_dest.items():
    d = dests.get(key, {})
    check(f"{key} held/established/time_wait",
          (d.get("ports_held"), d.get("established"), d.get("time_wait")), (held, est, tw))
    check(f"{key} pct", d.get("pct"), round(100 * held / 989, 2))
check("top order", [(d["address"], d["port"]) for d in net["destinations"]["top"]],
      [("127.0.0.1", 8080), ("::1", 8081), ("127.0.0.2", 8082)])
check("sockets_outside_range (server ends on 8080/8081)",
      net["destinations"]["sockets_outside_range"], 70)
check("--top 1", len(top1["destinations"]["top"]), 1)

# 2. Threshold 7 %: only 127.0.0.1:8080 (8.09 %) warns.
dw = [w for w in net["warnings"] if w.startswith("Destination")]
check("destination warnings", len(dw), 1)
check("warning names 127.0.0.1:8080", "127.0.0.1:8080 holds 80 of 989" in (dw or [""])[0], True)

# 3. The planted listeners: 40000 (v4) and 40002 (v6) unprotected, 40001 reserved.
lst = net["listeners"]
check("listeners.total", lst["total"], 6)
check("unprotected_ports", lst["unprotected_ports"], "40000,40002")
check("reserved_ports_advice", lst["reserved_ports_advice"], "40000-40002,40500-40509")
check("in_ephemeral_range", lst["in_ephemeral_range"],
      [{"port": 40000, "families": ["ipv4"]}, {"port": 40002, "families": ["ipv6"]}])
check("listener warning", any("Set reserved_ports to 40000-40002,40500-40509." in w
                              for w in net["warnings"]), True)

# 4. ss in the same namespace agrees, state by state and per destination.
ssmap = {"ESTAB": "ESTABLISHED", "TIME-WAIT": "TIME_WAIT", "LISTEN": "LISTEN",
         "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV", "FIN-WAIT-1": "FIN_WAIT1",
         "FIN-WAIT-2": "FIN_WAIT2", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK",
         "CLOSING": "CLOSING", "UNCONN": "CLOSE"}
ss_states, ss_dest = collections.Counter(), collections.Counter()
reserved = {40001} | set(range(40500, 40510))
for line in open(f"{tmp}/ss.txt"):
    st, _, _, local, peer = line.split()[:5]
    ss_states[ssmap[st]] += 1
    lport = int(local.rsplit(":", 1)[1])
    paddr, pport = peer.rsplit(":", 1)
    if st != "LISTEN" and pport != "*" and 40000 <= lport <= 40999 and lport not in reserved:
        ss_dest[(paddr.strip("[]"), int(pport))] += 1
check("ss states", {k: v for k, v in net["states"].items() if v},
      dict(ss_states))
check("ss per destination", {k: d["ports_held"] for k, d in dests.items()}, dict(ss_dest))

def word_swapped(addr):
    """ADDR with the bytes of each 32-bit word reversed (a host-order word read in the other order)."""
    ip = ipaddress.ip_address(addr)
    b = ip.packed
    b = b"".join(b[i:i + 4][::-1] for i in range(0, len(b), 4))
    return str(ipaddress.ip_address(b))

def as_read_by_other_order(rep):
    """The native report as a binary of the other byte order reads /proc: addresses word-swapped."""
    rep = copy.deepcopy(rep)
    for d in rep["destinations"]["top"]:
        old, new = d["address"], word_swapped(d["address"])
        d["address"] = new
        rep["warnings"] = [w.replace(f"{old}:{d['port']}", f"{new}:{d['port']}") for w in rep["warnings"]]
    return rep

# 5. The /proc fallback (and auto) give the same report.
for name, other in (("proc", proc), ("auto", auto)):
    check(f"{name} source", other.pop("source"),
          "proc" if name == "proc" or emulated else "netlink")
net.pop("source")
if swapped:
    net = as_read_by_other_order(net)
    check("byte order differs from the kernel's: /proc addresses read word-swapped",
          [d["address"] for d in net["destinations"]["top"]], ["1.0.0.127", "::100:0", "2.0.0.127"])
check("proc report == netlink report", proc, net)
check("auto report == netlink report", auto, net)

# 6. Automatic fallback: with socket(AF_NETLINK) refused (EAFNOSUPPORT as
# systemd's RestrictAddressFamilies=, EPERM as container profiles), auto
# reads /proc, says so in "source", and reports the same numbers.
for name in ("afnosupport", "eperm"):
    rep = json.load(open(f"{tmp}/nonl-{name}.json"))
    check(f"netlink refused ({name}): source", rep.pop("source", None), "proc")
    check(f"netlink refused ({name}): report == netlink report", rep, net)
    check(f"netlink refused ({name}): states",
          {k: v for k, v in rep["states"].items() if v},
          {"ESTABLISHED": 140, "TIME_WAIT": 80, "LISTEN": 6})
nl_err = open(f"{tmp}/nonl-netlink.err").read()
check("netlink refused, --source netlink: exit 4", rc("nonl-netlink"), 4)
# Under qemu-user the emulator refuses the protocol before the filter sees it.
check("netlink refused, --source netlink: says why",
      ("NETLINK_SOCK_DIAG is not available: Protocol not supported" if emulated else
       "NETLINK_SOCK_DIAG is not available: Address family not supported by protocol")
      in nl_err, True)
nl_out = json.load(open(f"{tmp}/nonl-netlink.json"))
check("netlink refused, --source netlink: a failure object, no report",
      (nl_out.get("failed"), "states" in nl_out), (True, False))

# 7. Under qemu-user: netlink asked for by name fails and says why.
if emulated:
    err = open(f"{tmp}/emu-netlink.err").read()
    check("emulated, --source netlink: exit 4", rc("emu-netlink"), 4)
    check("emulated, --source netlink: says why",
          "NETLINK_SOCK_DIAG is not available: Protocol not supported" in err, True)
    out = json.load(open(f"{tmp}/emu-netlink.json"))
    check("emulated, --source netlink: a failure object, no report",
          (out.get("failed"), "states" in out), (True, False))

if failures:
    print(f"FAIL diag run.sh: {len(failures)} checks failed: {failures}")
    sys.exit(1)
print("diag run.sh: all checks passed")
PY
