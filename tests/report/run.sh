#!/bin/bash
# SPDX-License-Identifier: MIT
# The fleet report (playbooks/report.yml) on a simulated fleet, read back in a real browser.
#
#   run.sh [OUTDIR]    (root; OUTDIR default build/report: screenshots, DOM, HTML, JSON)
#
# Five hosts (tests/fleet/fleet.sh): one in sync with the baseline, one with
# planted drift (live value, file value, a later file that wins at boot), one
# with planted port pressure (held and TIME_WAIT connections to one
# destination and a listener inside a small range, made inside its network
# namespace with tests/diag/traffic.py), one whose module run fails (a value
# the module rejects) and one that is down (its sshd stopped). The playbook
# writes the HTML and the JSON results; headless Chromium, inside a network
# namespace with only lo, renders the HTML, dumps its DOM and takes a
# screenshot; check_report.py compares the DOM with the JSON and checks that
# no request other than file:// was made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fleet=$root/tests/fleet/fleet.sh
out=$(realpath -m "${1:-$root/build/report}")
fail() { echo "report-test: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root (network namespaces)"
for t in chromium ansible-playbook python3 unshare; do command -v "$t" >/dev/null || fail "$t not found (make deps; make venv)"; done
[ -x "$root/library/porttune" ] || fail "library/porttune not built (make all)"

work=$(mktemp -d /tmp/porttune-report.XXXXXX)
traffic_pid=""
cleanup() {
  if [ -n "$traffic_pid" ]; then kill "$traffic_pid" 2>/dev/null || true; fi
  if [ -f "$work/fleet/.fleet" ]; then "$fleet" down "$work/fleet" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
rm -f "$out"/report.html "$out"/report.json "$out"/report.png "$out"/report-small.png "$out"/report.pdf "$out"/dom.html "$out"/netlog.json

"$fleet" up 5 "$work/fleet" >/dev/null
mapfile -t H < <("$fleet" list "$work/fleet")
sync=${H[0]} drift=${H[1]} press=${H[2]} broken=${H[3]} down=${H[4]}

# The baseline for everyone; the pressure host gets a small range (200
# usable ports) and a small TIME_WAIT cap, the broken host a value the
# module rejects.
python3 - "$work/fleet/inventory.yml" "$press" "$broken" >"$work/inventory.yml" <<'PY'
import sys
import yaml
inv = yaml.safe_load(open(sys.argv[1]))
press, broken = sys.argv[2], sys.argv[3]
inv["all"]["vars"].update({"porttune_port_range": "20000-60999", "porttune_fin_timeout": 30,
                           "porttune_max_tw_buckets": 16384})
hosts = inv["all"]["children"]["fleet"]["hosts"]
hosts[press].update({"porttune_port_range": "40000-40199", "porttune_max_tw_buckets": 20})
hosts[broken].update({"porttune_tw_reuse": 7})
print(yaml.safe_dump(inv, sort_keys=True))
PY

export ANSIBLE_CONFIG=$root/ansible.cfg ANSIBLE_LIBRARY=$root/library ANSIBLE_ROLES_PATH=$root/roles
export ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 ANSIBLE_NOCOLOR=1
cat >"$work/converge.yml" <<'YML'
---
- name: Converge the baseline
  hosts: fleet
  gather_facts: false
  roles:
    - role: porttune
YML
ansible-playbook -i "$work/inventory.yml" -l "$sync,$drift,$press" "$work/converge.yml" >"$work/converge.out" 2>&1 \
  || { cat "$work/converge.out"; fail "converging the baseline"; }

# Planted drift: a live value and a file value changed by hand, and a file
# read after porttune's that sets another value at boot.
"$fleet" exec "$work/fleet" "$drift" sh -c 'echo 45 >/proc/sys/net/ipv4/tcp_fin_timeout'
sed -i 's/^net.ipv4.tcp_max_tw_buckets = .*/net.ipv4.tcp_max_tw_buckets = 9000/' "/etc/netns/$drift/sysctl.d/60-porttune.conf"
grep -q '^net.ipv4.tcp_max_tw_buckets = 9000$' "/etc/netns/$drift/sysctl.d/60-porttune.conf" || fail "planting file drift on $drift"
printf 'net.ipv4.tcp_fin_timeout = 50\n' >"/etc/netns/$drift/sysctl.d/99-local.conf"

# The down host: its sshd (started by fleet.sh for this test) stopped.
pid=$(awk -v h="$down" '$1 == h { print $2 }' "$work/fleet/hosts")
[ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$work/fleet/h/$down/sshd_config" || fail "no sshd pid for $down"
kill "$pid"

# Planted port pressure: 165 held connections and 15 in TIME_WAIT to
# 127.0.0.1:8080 (180 of 200 usable ports; 82.5 % even once TIME_WAIT has
# gone), and a listener inside the range.
"$fleet" exec "$work/fleet" "$press" python3 "$root/tests/diag/traffic.py" "$work/traffic.ready" \
  listen:127.0.0.1:8080 hold:127.0.0.1:8080:165 tw:127.0.0.1:8080:15 listen:127.0.0.1:40150 &
traffic_pid=$!
for _ in $(seq 1 200); do [ -f "$work/traffic.ready" ] && break; kill -0 "$traffic_pid" || fail "traffic.py died"; sleep 0.05; done
[ -f "$work/traffic.ready" ] || fail "traffic.py not ready"

start=$(date +%s.%N)
ansible-playbook -i "$work/inventory.yml" "$root/playbooks/report.yml" \
  -e porttune_report_path="$out/report.html" >"$work/report.out" 2>&1 \
  || { cat "$work/report.out"; fail "ansible-playbook playbooks/report.yml"; }
end=$(date +%s.%N)
cp "$work/report.out" "$out/playbook.log"
[ -s "$out/report.html" ] && [ -s "$out/report.json" ] || { cat "$work/report.out"; fail "no report.html / report.json in $out"; }
kill "$traffic_pid" 2>/dev/null || true
traffic_pid=""
# The report run changed nothing.
[ "$("$fleet" exec "$work/fleet" "$drift" cat /proc/sys/net/ipv4/tcp_fin_timeout)" = 45 ] || fail "the report changed $drift"
"$fleet" check "$work/fleet" >/dev/null

# Chromium, in a network namespace with only lo and a private mount
# namespace (its managed policy dir is bound over /etc/chromium there, never
# written in the machine's /etc): background services off by flags and
# policy, a fresh profile, a netlog and verbose logging for the check.
mkdir -p "$work/etc-chromium/policies/managed"
cp -a /etc/chromium/. "$work/etc-chromium/" 2>/dev/null || true
cat >"$work/etc-chromium/policies/managed/porttune-report-test.json" <<'JSON'
{"ComponentUpdatesEnabled": false, "BrowserNetworkTimeQueriesEnabled": false,
 "GenAILocalFoundationalModelSettings": 1, "MetricsReportingEnabled": false}
JSON
chrome() {
  local ud
  ud=$(mktemp -d "$work/chromium-profile.XXXXXX")
  unshare -n -m -- sh -c '
    set -e
    mount --make-rprivate /
    [ -d /etc/chromium ] && mount --bind "$1" /etc/chromium
    ip link set lo up
    shift
    exec chromium "$@"' chrome "$work/etc-chromium" \
    --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-features=NetworkTimeServiceQuerying \
    --user-data-dir="$ud" --enable-logging=stderr --v=1 "$@"
}
chrome --log-net-log="$out/netlog.json" --dump-dom "file://$out/report.html" >"$out/dom.html" 2>"$work/chrome-dom.log" \
  || { tail -20 "$work/chrome-dom.log"; fail "chromium --dump-dom"; }
chrome --screenshot="$out/report.png" --window-size=1280,2000 --hide-scrollbars "file://$out/report.html" \
  >/dev/null 2>"$work/chrome-shot.log" || { tail -20 "$work/chrome-shot.log"; fail "chromium --screenshot"; }
[ -s "$out/report.png" ] || fail "no screenshot"
# A smaller one for the README (docs/report.png is a copy of it), optimized losslessly.
chrome --screenshot="$out/report-small.png" --window-size=1100,1250 --hide-scrollbars "file://$out/report.html" \
  >/dev/null 2>>"$work/chrome-shot.log" || fail "chromium --screenshot (small)"
# Printable: Chromium prints it (the @media print rules: A4 landscape) to a PDF.
chrome --print-to-pdf="$out/report.pdf" --no-pdf-header-footer "file://$out/report.html" \
  >/dev/null 2>>"$work/chrome-shot.log" || fail "chromium --print-to-pdf"
[ "$(head -c 5 "$out/report.pdf")" = "%PDF-" ] || fail "no PDF printed"
pages=$(grep -ao '/Count [0-9]*' "$out/report.pdf" | awk '$2 > n { n = $2 } END { print n + 0 }')
[ "$pages" -ge 1 ] || fail "the printed PDF has no pages"
command -v optipng >/dev/null || fail "optipng not found (scripts/deps.sh report)"
optipng -quiet -o2 "$out/report-small.png" || fail "optipng"
cat "$work/chrome-dom.log" "$work/chrome-shot.log" >"$out/chromium.log"

check() {
  python3 "$here/check_report.py" --html "$out/report.html" --dom "$1" --json "$2" \
    --netlog "$out/netlog.json" --chromium-log "$out/chromium.log" --png "$out/report.png" \
    --hosts "${H[*]}" --sync "$sync" --drift "$drift" --pressure "$press" --failing "$broken" --unreachable "$down"
}
check "$out/dom.html" "$out/report.json" || fail "report check"
# The check can fail: one number off in the JSON, or the rows in another order.
python3 - "$out/report.json" "$press" >"$work/off.json" <<'PY'
import json
import sys
d = json.load(open(sys.argv[1]))
d["hosts"][sys.argv[2]]["info"]["port_pressure"]["destinations"]["top"][0]["ports_held"] += 1
print(json.dumps(d))
PY
if check "$out/dom.html" "$work/off.json" 2>"$work/off.err"; then fail "the check passed a JSON with one number changed"; fi
grep -q "ports_held" "$work/off.err" || { cat "$work/off.err"; fail "the changed number was not the complaint"; }
python3 - "$out/dom.html" "$press" >"$work/reordered.html" <<'PY'
import re
import sys
dom, host = open(sys.argv[1]).read(), sys.argv[2]
rows = re.findall(r'<tr class="[^"]*" data-host="[^"]*" data-status.*?</tr>', dom, re.S)
first = [r for r in rows if 'data-host="%s"' % host in r][0]
print(dom.replace(first, "", 1).replace("</tbody>", first + "</tbody>", 1))
PY
if check "$work/reordered.html" "$out/report.json" 2>"$work/off.err"; then fail "the check passed the pressure host listed last"; fi
grep -q "first two rows" "$work/off.err" || { cat "$work/off.err"; fail "the order was not the complaint"; }
printf 'report-test: passed (report playbook %.1f s for %d hosts; %s %d bytes, printed on %d pages; screenshot %s)\n' \
  "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "${#H[@]}" "$out/report.html" "$(stat -c %s "$out/report.html")" "$pages" "$out/report.png"
