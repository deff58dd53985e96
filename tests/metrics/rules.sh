#!/bin/bash
# SPDX-License-Identifier: MIT
# The shipped alert rules with Debian's promtool: check rules (syntax, lint),
# test rules (tests/metrics/rules.test.yml: each alert firing and not), and
# mutants of the rules that the unit tests must reject, so the tests are
# shown to tell a right threshold, `for` or filter from a wrong one.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rules=$here/../../contrib/prometheus/porttune-rules.yml
fail() { echo "FAIL metrics rules.sh: $*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool missing (sh scripts/deps.sh metrics)"

promtool check rules "$rules" || fail "promtool check rules"
promtool test rules "$here/rules.test.yml" || fail "promtool test rules"

tmp=$(mktemp -d /tmp/pt-rules.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests/metrics" "$tmp/contrib/prometheus"
cp "$here/rules.test.yml" "$tmp/tests/metrics/"

# mutant NAME SED-SCRIPT: the rules with one change; the tests must fail.
n=0
mutant() {
  sed "$2" "$rules" >"$tmp/contrib/prometheus/porttune-rules.yml"
  cmp -s "$rules" "$tmp/contrib/prometheus/porttune-rules.yml" &&
    fail "mutant '$1' changed nothing: the sed script no longer matches the rules"
  if promtool test rules "$tmp/tests/metrics/rules.test.yml" >"$tmp/out" 2>&1; then
    fail "mutant '$1' passes the rule tests: they do not check it"
  fi
  echo "ok   mutant rejected: $1"
  n=$((n + 1))
}
mutant "destination threshold 0.9" '0,/porttune_ephemeral_ports_usable > 0.8/s//porttune_ephemeral_ports_usable > 0.9/'
mutant "other counted as a destination" 's/{destination!="other"}//'
mutant "TIME_WAIT threshold 0.95" 's|(porttune_tcp_max_tw_buckets > 0) > 0.8|(porttune_tcp_max_tw_buckets > 0) > 0.95|'
mutant "tcp_max_tw_buckets 0 not excluded" 's|(porttune_tcp_max_tw_buckets > 0)|porttune_tcp_max_tw_buckets|'
mutant "drift for 5m" '/alert: PorttuneSettingDrift/,/for:/s/for: 15m/for: 5m/'
mutant "conflicts for 5m" '/alert: PorttuneBootOrderConflict/,/for:/s/for: 15m/for: 5m/'
mutant "conflicts >= 0" 's/porttune_boot_order_conflicts > 0/porttune_boot_order_conflicts >= 0/'
mutant "listeners for 5m" '/alert: PorttuneListenerInEphemeralRange/,/for:/s/for: 15m/for: 5m/'
mutant "Windows diagnosis counted" 's/unless on(instance, job) porttune_build_info{os="windows"}/unless on(instance, job) porttune_build_info{os="none"}/'
mutant "settings failure ignored" 's/porttune_up{part="settings"} == 0/porttune_up{part="settings"} == 2/'
mutant "stale after 1 h" 's/porttune_scrape_timestamp_seconds > 900/porttune_scrape_timestamp_seconds > 3600/'
echo "metrics rules.sh: check and test rules pass; $n mutants rejected"
