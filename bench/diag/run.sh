#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark of issue 6: the full diagnosis through the real front end
# (`porttune diagnose --json`) vs a bare `ss` count vs reading /proc/net/tcp,
# with 10,000 and 50,000 TIME_WAIT sockets in a fresh network namespace each;
# prints one markdown table. Not a timed test.
#
# usage: bench/diag/run.sh [REPS]   (root; `make diag-bench` builds what it needs)
set -euo pipefail

reps=${1:-7}
b=$(realpath build/diag)
pt=$(realpath library/porttune)
pt_host=$(realpath build/host/porttune)
for f in "$b/measure" "$b/twgen" "$pt" "$pt_host"; do
  [ -x "$f" ] || { echo "bench: $f missing; run make diag-bench" >&2; exit 1; }
done

if [ "${PT_BENCH_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "bench: needs root for unshare -n" >&2; exit 1; }
  echo "| TIME_WAIT sockets | command | wall ms | CPU ms | peak RSS KiB | wall vs ss count | CPU vs ss count |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  for n in 10000 50000; do
    unshare -n env PT_BENCH_NETNS=1 PT_BENCH_N=$n bash "$0" "$reps"
  done
  echo
  echo "Median of $reps runs each; RSS from wait4() (largest process of a pipeline)."
  echo "Kernel $(uname -r), $(nproc) CPUs, $(ss -V | sed 's/^ss utility, //')."
  exit 0
fi

# Inside the namespace made above: its sysctls are its own.
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  { echo "bench: not in a new network namespace; refusing to write sysctls" >&2; exit 1; }
n=$PT_BENCH_N
ip link set lo up
echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range
echo 262144 >/proc/sys/net/ipv4/tcp_max_tw_buckets
echo 0 >/proc/sys/net/ipv4/tcp_tw_reuse
# The listeners' port 8080 lies in the range: reserved, as the diagnosis
# advises, so the report has no warning and exits 0 (measure wants 0).
echo 8080 >/proc/sys/net/ipv4/ip_local_reserved_ports
# Five destinations (127.0.0.1-5:8080) so no one port pool runs dry.
"$b/twgen" "$n" 5 8080

tw_now() { "$pt" diagnose --json | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["time_wait"]["total"])'; }
[ "$(tw_now)" = "$n" ] || { echo "bench: expected $n TIME_WAIT sockets, got $(tw_now)" >&2; exit 1; }

declare -a rows
ss_wall=""
ss_cpu=""
row() {
  local label=$1; shift
  read -r wall cpu rss < <("$b/measure" "$reps" "$@")
  rows+=("$label"$'\t'"$wall"$'\t'"$cpu"$'\t'"$rss")
  [ "$label" != '`ss -tan state time-wait | wc -l`' ] || { ss_wall=$wall; ss_cpu=$cpu; }
}
row '`porttune diagnose --json` (library/porttune: static musl, netlink, full report)' \
    "$pt" diagnose --json
row '`porttune diagnose --json` (build/host/porttune: glibc, dynamic, -O1 -g)' \
    "$pt_host" diagnose --json
row '`porttune diagnose --json --source proc` (library/porttune)' \
    "$pt" diagnose --json --source proc
row '`ss -tan state time-wait | wc -l`' sh -c 'ss -tan state time-wait | wc -l'
row '`cat /proc/net/tcp | wc -l`' sh -c 'cat /proc/net/tcp | wc -l'
row '`sh -c true` (pipeline overhead)' sh -c true
[ "$(tw_now)" = "$n" ] || { echo "bench: TIME_WAIT sockets expired during the run" >&2; exit 1; }

for r in "${rows[@]}"; do
  IFS=$'\t' read -r label wall cpu rss <<<"$r"
  ratio=$(awk -v a="$wall" -v b="$ss_wall" 'BEGIN { printf "%.2f×", a / b }')
  cratio=$(awk -v a="$cpu" -v b="$ss_cpu" 'BEGIN { printf "%.2f×", a / b }')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${label//|/\\|}" "$wall" "$cpu" "$rss" \
    "$ratio" "$cratio"
done
