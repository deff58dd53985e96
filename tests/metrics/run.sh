#!/bin/bash
# SPDX-License-Identifier: MIT
# `porttune metrics` end to end, with the real tools: known loopback traffic
# (tests/diag/traffic.sh) and planted settings in a private network and mount
# namespace; `porttune metrics --output` writes the textfile collector's file;
# promtool check metrics lints it; a real prometheus-node-exporter, started
# on 127.0.0.1 inside the namespace, serves it; the values read back over
# HTTP must equal the traffic and settings the test made.
#
# usage: tests/metrics/run.sh [BINARY]   (root; BINARY default library/porttune)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../../library/porttune}")
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exporter=/usr/bin/prometheus-node-exporter

fail() { echo "FAIL metrics run.sh: $*" >&2; exit 1; }
if [ "${PT_METRICS_NS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || fail "needs root for unshare -n -m"
  command -v promtool >/dev/null || fail "promtool missing (sh scripts/deps.sh metrics)"
  [ -x "$exporter" ] || fail "$exporter missing (sh scripts/deps.sh metrics)"
  exec unshare -n -m env PT_METRICS_NS=1 bash "$0" "$bin"
fi
[ -x "$bin" ] || fail "no binary $bin (make)"
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  fail "not inside a new network namespace; refusing to write sysctls"
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
  fail "not inside a new mount namespace; refusing to write /etc/sysctl.d"

# Usage errors (64) and --help (0), before anything is read.
usage_rc() {
  local want=$1; shift
  set +e
  "$bin" metrics "$@" >/dev/null 2>"$tmp_usage"
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || fail "porttune metrics $*: exit $rc, want $want: $(cat "$tmp_usage")"
}
tmp_usage=$(mktemp /tmp/pt-metrics-usage.XXXXXX)
usage_rc 64 --bogus
usage_rc 64 --top x
usage_rc 64 --top 100001
usage_rc 64 --output
usage_rc 64 --source udp
usage_rc 64 port_range=1-2
usage_rc 0 --help
grep -q "unknown option '--bogus' for 'metrics'" <("$bin" metrics --bogus 2>&1) ||
  fail "no message naming the unknown option"
rm -f "$tmp_usage"
echo "ok   usage errors exit 64, --help 0"

# Private, empty sysctl.d directories: porttune's own file and one planted
# conflict are all the boot order has; the host's files are not touched.
mount --make-rprivate /
for d in /etc/sysctl.d /usr/lib/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d; do
  [ -d "$d" ] && mount -t tmpfs -o mode=0755 tmpfs "$d"
done
if [ -e /etc/sysctl.conf ]; then
  : >/run/pt-metrics-empty.$$ && mount --bind /run/pt-metrics-empty.$$ /etc/sysctl.conf
  rm -f /run/pt-metrics-empty.$$
fi

diag_here=$here/../diag
exp_pid=""
cleanup_all() {
  [ -z "$exp_pid" ] || kill "$exp_pid" 2>/dev/null || true
  [ -z "$exp_pid" ] || wait "$exp_pid" 2>/dev/null || true
  pt_diag_cleanup
}
here=$diag_here . "$diag_here/traffic.sh"
here=$diag_here pt_diag_traffic metrics
trap cleanup_all EXIT

# Managed: port_range and tw_reuse as live (no drift), fin_timeout 30 while
# live is 60 (drift); a later file sets tcp_tw_reuse (one boot-order conflict).
set +e
"$bin" set port_range=40000-40999 tw_reuse=0 fin_timeout=30 --no-apply >"$tmp/set.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "porttune set --no-apply: exit $rc, want 2 (changed): $(cat "$tmp/set.out")"
echo "net.ipv4.tcp_tw_reuse = 1" >/etc/sysctl.d/99-zz-other.conf

textdir=$tmp/textfile
mkdir -m 0755 "$textdir"
echo "stale" >"$textdir/porttune.prom"
ino_before=$(stat -c %i "$textdir/porttune.prom")
t0=$(date +%s.%N)
set +e
"$bin" metrics --top 2 --output "$textdir/porttune.prom" 2>"$tmp/metrics.err"
rc=$?
set -e
t1=$(date +%s.%N)
[ "$rc" = 0 ] || fail "porttune metrics exit $rc: $(cat "$tmp/metrics.err")"
[ ! -s "$tmp/metrics.err" ] || fail "porttune metrics wrote to stderr: $(cat "$tmp/metrics.err")"
[ "$(stat -c %i "$textdir/porttune.prom")" != "$ino_before" ] ||
  fail "--output rewrote the file in place (same inode), not by rename"
[ "$(ls -A "$textdir")" = porttune.prom ] || fail "leftovers in $textdir: $(ls -A "$textdir")"
[ "$(stat -c %a "$textdir/porttune.prom")" = 644 ] ||
  fail "the .prom file has mode $(stat -c %a "$textdir/porttune.prom"), want 644"
"$bin" metrics --top 2 >"$tmp/stdout.prom" 2>/dev/null || fail "porttune metrics to stdout failed"

# A directory that does not exist: exit 4, a message, nothing written.
set +e
"$bin" metrics --output "$tmp/nodir/porttune.prom" 2>"$tmp/nodir.err" >/dev/null
rc=$?
set -e
[ "$rc" = 4 ] || fail "--output into a missing directory: exit $rc, want 4"
grep -q "does not exist" "$tmp/nodir.err" || fail "--output into a missing directory: $(cat "$tmp/nodir.err")"

promtool check metrics <"$textdir/porttune.prom" >"$tmp/promtool.out" 2>&1 ||
  fail "promtool check metrics: $(cat "$tmp/promtool.out")"
[ ! -s "$tmp/promtool.out" ] || fail "promtool check metrics says: $(cat "$tmp/promtool.out")"
echo "ok   promtool check metrics: clean"

# The real exporter, loopback of this namespace only, textfile collector only.
port=9100
"$exporter" --web.listen-address=127.0.0.1:$port --collector.disable-defaults \
  --collector.textfile --collector.textfile.directory="$textdir" >"$tmp/exporter.log" 2>&1 &
exp_pid=$!
"$py" - "$port" "$tmp/served.txt" "$exp_pid" <<'PY' || fail "node_exporter: $(tail -5 "$tmp/exporter.log")"
import os, sys, time, urllib.request
port, out, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
for _ in range(200):
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read()
        open(out, "wb").write(body)
        sys.exit(0)
    except OSError:
        os.kill(pid, 0)
        time.sleep(0.05)
sys.exit("node_exporter did not answer within 10 s")
PY
kill "$exp_pid"
wait "$exp_pid" 2>/dev/null || true
exp_pid=""

"$py" - "$tmp" "$textdir/porttune.prom" "$t0" "$t1" <<'PY'
import re, sys
tmp, prom, t0, t1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
failures = []

def check(what, got, want):
    ok = got == want
    if ok and len(repr(got)) > 200:
        print(f"ok   {what}")
    else:
        print(f"{'ok  ' if ok else 'FAIL'} {what}: got {got!r}, want {want!r}")
    if not ok:
        failures.append(what)

line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
def samples(text, prefix):
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(prefix):
            continue
        m = line_re.match(line)
        if not m:
            failures.append(f"unparsable line {line!r}")
            continue
        labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or "")))
        out[(m.group(1), labels)] = float(m.group(4))
    return out

served_text = open(f"{tmp}/served.txt").read()
served = samples(served_text, "porttune_")
written = samples(open(prom).read(), "porttune_")
stdout = samples(open(f"{tmp}/stdout.prom").read(), "porttune_")
node = samples(served_text, "node_textfile_scrape_error")

def v(name, **labels):
    return served.get((name, tuple(sorted(labels.items()))))

check("node_textfile_scrape_error", node.get(("node_textfile_scrape_error", ())), 0.0)
check("the exporter serves every sample of the file, unchanged", served, written)
check("stdout has the same series as --output",
      sorted(k for k in stdout), sorted(k for k in written))

# The traffic of tests/diag/traffic.sh: 140 ESTABLISHED (50 + 20 held pairs),
# 80 client TIME_WAIT (30 + 40 + 10), 6 listeners; range 40000-40999 with
# 40001,40500-40509 reserved: 989 usable.
check("up settings", v("porttune_up", part="settings"), 1)
check("up diagnosis", v("porttune_up", part="diagnosis"), 1)
for state, n in (("ESTABLISHED", 140), ("TIME_WAIT", 80), ("LISTEN", 6), ("SYN_SENT", 0)):
    check(f"tcp_sockets {state}", v("porttune_tcp_sockets", state=state), n)
check("time_wait sockets", v("porttune_tcp_time_wait_sockets"), 80)
check("tcp_max_tw_buckets", v("porttune_tcp_max_tw_buckets"), 5000)
check("range start", v("porttune_ephemeral_port_range_start"), 40000)
check("range end", v("porttune_ephemeral_port_range_end"), 40999)
check("range size", v("porttune_ephemeral_ports"), 1000)
check("reserved in range", v("porttune_ephemeral_ports_reserved"), 11)
check("usable ports", v("porttune_ephemeral_ports_usable"), 989)
check("TIME_WAIT seconds", v("porttune_time_wait_duration_seconds"), 60)
check("rate", v("porttune_destination_max_new_connections_per_second"), 16.48)
# --top 2: two destinations by name, the third (127.0.0.2:8082, 10 ports) in other.
held = {dict(k[1])["destination"]: n for k, n in served.items()
        if k[0] == "porttune_destination_ports_held"}
check("ports held per destination", held, {"127.0.0.1:8080": 80, "[::1]:8081": 60, "other": 10})
socks = {(dict(k[1])["destination"], dict(k[1])["state"]): n for k, n in served.items()
         if k[0] == "porttune_destination_sockets"}
check("sockets per destination and state", socks,
      {("127.0.0.1:8080", "ESTABLISHED"): 50, ("127.0.0.1:8080", "TIME_WAIT"): 30,
       ("127.0.0.1:8080", "other"): 0, ("[::1]:8081", "ESTABLISHED"): 20,
       ("[::1]:8081", "TIME_WAIT"): 40, ("[::1]:8081", "other"): 0})
check("destinations", v("porttune_destinations"), 3)
check("untracked", v("porttune_destination_untracked_sockets"), 0)
check("listeners", v("porttune_listeners"), 6)
check("listeners in range (40000 v4, 40002 v6)", v("porttune_listeners_in_ephemeral_range"), 2)
# The planted settings.
drift = {dict(k[1])["setting"]: n for k, n in served.items() if k[0] == "porttune_setting_drift"}
managed = {dict(k[1])["setting"]: n for k, n in served.items() if k[0] == "porttune_setting_managed"}
check("managed", {k for k, n in managed.items() if n == 1}, {"port_range", "tw_reuse", "fin_timeout"})
check("drift", {k for k, n in drift.items() if n == 1}, {"fin_timeout"})
check("drift has a 0/1 series per setting", sorted(drift), sorted(managed))
check("boot-order conflicts", v("porttune_boot_order_conflicts"), 1)
ts = v("porttune_scrape_timestamp_seconds")
check("scrape timestamp within the run", ts is not None and t0 - 0.001 <= ts <= t1 + 0.001, True)
d = v("porttune_scrape_duration_seconds")
check("scrape duration within the run", d is not None and 0 < d <= t1 - t0, True)
# Bounded cardinality: no series per socket or per remote port.
check("destination series", len(held), 3)

if failures:
    print(f"FAIL metrics run.sh: {len(failures)} checks failed: {failures}")
    sys.exit(1)
print("metrics run.sh: all checks passed")
PY
