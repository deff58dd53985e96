#!/bin/bash
# SPDX-License-Identifier: MIT
# Replays each libFuzzer target's committed corpus, then fuzzes it for a
# bounded time (ASan + UBSan + leak detection); writes build/fuzz/summary.txt.
#   tests/fuzz/run.sh SECONDS JOBS TARGET...   (binaries in build/fuzz/)
# SECONDS=0 only replays. Exits non-zero on any crash, leak or UBSan report.
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=$1 jobs=$2
shift 2
out=build/fuzz
mkdir -p "$out/logs" "$out/artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Largest input per target: JSON args and sysctl files are small in practice;
# a few KiB leaves room for long lists and lines.
max_len() { case $1 in options|conf) echo 8192 ;; *) echo 4096 ;; esac; }

one() {
    local t=$1 bin=$out/fuzz_$1 corpus=tests/fuzz/corpus/$1 work=$out/work/$1
    local dict=() quiet=() log=$out/logs/$1.log
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    # The CLI prints a usage message per bad command line; sanitizer reports
    # still reach the log with stderr closed.
    [ "$t" != cli ] || quiet=(-close_fd_mask=2)
    mkdir -p "$work"
    # Replay: every committed input once, as a regression test.
    if ! find "$corpus" -type f -print0 | xargs -0 -r "$bin" "${dict[@]}" "${quiet[@]}" >"$log.replay" 2>&1; then
        echo "FAIL $t: a corpus input crashes (see $log.replay)"; tail -30 "$log.replay"; return 1
    fi
    [ "$secs" -gt 0 ] || { echo "ok   $t: corpus replayed ($(find "$corpus" -type f | wc -l) inputs)"; return 0; }
    if ! "$bin" "${dict[@]}" "${quiet[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -max_len="$(max_len "$t")" -detect_leaks=1 -print_final_stats=1 \
            -artifact_prefix="$out/artifacts/$t-" "$work" "$corpus" >"$log" 2>&1; then
        echo "FAIL $t: see $log and $out/artifacts/"; grep -A30 -m1 -E 'ERROR|invariant failed|runtime error' "$log"; return 1
    fi
    local execs rate cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -E '^#[0-9]+.*DONE' "$log" | sed -n 's/.*cov: \([0-9]*\).*ft: \([0-9]*\).*corp: \([0-9]*\).*/\1 \2 \3/p' | tail -1)
    printf '%-8s %6s s %12s execs %9s/s  cov/ft/corpus %s\n' "$t" "$secs" "$execs" "$rate" "$cov" | tee "$out/logs/$t.stat"
}

fail=0
for t in "$@"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    rm -f "$out/logs/$t.rc" "$out/logs/$t.stat"
    { one "$t" >"$out/logs/$t.result" 2>&1; echo $? >"$out/logs/$t.rc"; } &
done
wait
for t in "$@"; do
    cat "$out/logs/$t.result"
    [ "$(cat "$out/logs/$t.rc" 2>/dev/null)" = 0 ] || fail=1
done
if [ "$secs" -gt 0 ]; then
    { echo "# porttune fuzzing $(date -u +%F): ${secs} s per target, $jobs at a time, clang $(clang -dumpversion 2>/dev/null), ASan+UBSan+leaks"
      for t in "$@"; do cat "$out/logs/$t.stat" 2>/dev/null; done; } >"$out/summary.txt"
    echo "summary: $out/summary.txt"
fi
exit $fail
