#!/bin/bash
# SPDX-License-Identifier: MIT
# Fault injection against the built module: disk full, read-only file system,
# permission denied, missing directory, kill -9 between temp write and rename,
# concurrent runs, symlinked or world-writable places, injection attempts.
#
#   tests/faults/run.sh [BINARY [HOOK_BINARY]]     (needs root)
#
# BINARY defaults to library/porttune. The kill -9 and concurrency tests stop
# runs before their rename with PORTTUNE_TEST_PAUSE_BEFORE_RENAME, which only
# test builds (-DPT_TEST_HOOKS) honour: HOOK_BINARY is such a build of the
# same code (default BINARY: the host build has the hooks; `make faults`
# passes build/test/porttune beside the shipped library/porttune).
#
# Isolation: the script re-runs itself in a private mount namespace, so every
# tmpfs and bind mount it makes vanishes with it; every run that may write
# sysctls runs inside a network namespace the script creates (a `sleep` held
# by `unshare -n`, entered with nsenter) and sysctl_file/state_file always
# point into temporary directories. The last test checks that the machine's
# own net.ipv4 values are what they were. Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

BIN=$(realpath "${1:-library/porttune}")
HOOK_BIN=$(realpath "${2:-$BIN}")
if [ "$(id -u)" != 0 ]; then
    echo "tests/faults: FAIL: needs root (network and mount namespaces, uid changes); running as uid $(id -u)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ -z "${PT_FAULTS_MNTNS:-}" ]; then
    exec unshare -m --propagation private env PT_FAULTS_MNTNS=1 bash "$0" "$@"
fi
[ -x "$BIN" ] || { echo "no module binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
# A private copy: a rebuild of the original during the run must not swap it.
SUITE=$(mktemp -d /tmp/ptfaults-bin.XXXXXX)
[ -x "$HOOK_BIN" ] || { echo "no test build at $HOOK_BIN"; echo "0 passed, 1 failed"; exit 1; }
cp "$BIN" "$SUITE/porttune" && cp "$HOOK_BIN" "$SUITE/porttune-hooks" && chmod 755 "$SUITE" &&
    BIN=$SUITE/porttune HOOK_BIN=$SUITE/porttune-hooks

IPV4=/proc/sys/net/ipv4
KEYS="ip_local_port_range ip_local_reserved_ports tcp_fin_timeout tcp_tw_reuse tcp_tw_reuse_delay tcp_max_tw_buckets"
host_values() { for k in $KEYS; do printf '%s=%s\n' "$k" "$(cat "$IPV4/$k" 2>/dev/null)"; done; }
HOST_BEFORE=$(host_values)

PASS=0 FAIL=0 ERRS=()
NSPIDS=() TMPS=()
cleanup() {
    local p
    for p in "${NSPIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${TMPS[@]}"; do
        findmnt -rn -o TARGET | grep "^$p/" | sort -r | xargs -r -n1 umount -l
        rm -rf "$p"
    done
    rm -rf "$SUITE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# ---- helpers ----
err() { ERRS+=("$*"); }
newtmp() { T=$(mktemp -d /tmp/ptfaults.XXXXXX); TMPS+=("$T"); chmod 755 "$T"; }
# A fresh network namespace held by a sleep we started; $NS is its pid.
newns() { unshare -n sleep 3600 & NS=$!; NSPIDS+=("$NS"); while [ "$(readlink /proc/$NS/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done; }
live() { nsenter -t "$NS" -n cat "$IPV4/$1" | tr '\t' ' '; }
# args JSON_OBJECT [FILE]: writes the args file (paths point into $T).
args() { jq -n --argjson a "$1" --arg f "$T/etc/60-porttune.conf" --arg s "$T/state/state.json" \
    '{sysctl_file: $f, state_file: $s} + $a' >"${2:-$T/args.json}"; }
# run [ENV=V...]: runs the module in $NS on $T/args.json; $OUT, $RC.
run() {
    OUT=$(nsenter -t "$NS" -n env "$@" "$BIN" "$T/args.json" 2>"$T/stderr"); RC=$?
    sanitizer_clean "$T/stderr"
}
# A sanitized build (make san-test) reports on stderr and exits 86.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=86:print_stacktrace=1:halt_on_error=1}
sanitizer_clean() {
    ! grep -qE 'Sanitizer|runtime error' "$1" || err "sanitizer report: $(head -20 "$1")"
}
field() { jq -r "$1" <<<"$OUT"; }
expect_ok() { [ "$RC" = 0 ] && [ "$(field .failed)" != true ] || err "$1: expected success, got rc=$RC $OUT"; }
expect_fail() {  # WHAT NEEDLE...
    local what=$1 n; shift
    [ "$RC" = 1 ] && [ "$(field .failed)" = true ] || { err "$what: expected failure, got rc=$RC $OUT"; return; }
    for n in "$@"; do [[ "$(field .msg)" == *"$n"* ]] || err "$what: message lacks [$n]: $(field .msg)"; done
}
same_file() { cmp -s "$1" "$2" || err "$3: file changed: $(diff "$1" "$2" | head -5)"; }
no_temp() { local l; l=$(find "$1" -maxdepth 1 -name '.*porttune-*' 2>/dev/null); [ -z "$l" ] || err "$2: temp file left: $l"; }
eq() { [ "$1" == "$2" ] || err "$3: expected [$2], got [$1]"; }
contains() { [[ "$1" == *"$2"* ]] || err "$3: expected [$2] in [$1]"; }

test_case() {  # NAME FUNCTION
    ERRS=()
    "$2"
    if [ ${#ERRS[@]} -eq 0 ]; then
        PASS=$((PASS + 1)); echo "ok - $1"
    else
        FAIL=$((FAIL + 1)); echo "not ok - $1"; printf '    %s\n' "${ERRS[@]}"
    fi
}

ADMIN=$'# written by an admin\nnet.core.somaxconn = 1024\nnet.ipv4.tcp_fin_timeout = 50\n'
# Sets up $T/etc (optionally on a tmpfs of SIZE) holding the admin's file.
setup() {  # [TMPFS_SIZE]
    newtmp; newns
    mkdir -p "$T/etc" "$T/state"
    [ -z "${1:-}" ] || mount -t tmpfs -o "size=$1,mode=755" tmpfs "$T/etc"
    printf '%s' "$ADMIN" >"$T/etc/60-porttune.conf"
    cp "$T/etc/60-porttune.conf" "$T/old.conf"
    FIN0=$(live tcp_fin_timeout) RU0=$(live tcp_tw_reuse)
}
live_unchanged() {
    eq "$(live tcp_fin_timeout)" "$FIN0" "$1: live tcp_fin_timeout rolled back"
    eq "$(live tcp_tw_reuse)" "$RU0" "$1: live tcp_tw_reuse rolled back"
}

# ---- disk full ----
t_disk_full() {
    setup 16k
    dd if=/dev/zero of="$T/etc/.filler" bs=4k 2>/dev/null
    args '{"fin_timeout": 45, "tw_reuse": 1}'
    run
    expect_fail "disk full" "No space left on device" "left as it was" "put back"
    same_file "$T/old.conf" "$T/etc/60-porttune.conf" "disk full"
    no_temp "$T/etc" "disk full"
    live_unchanged "disk full"
    rm "$T/etc/.filler"
    run
    expect_ok "disk full, space freed"
    contains "$(cat "$T/etc/60-porttune.conf")" "net.ipv4.tcp_fin_timeout = 45" "disk full, space freed"
    eq "$(live tcp_fin_timeout)" 45 "disk full, space freed: live"
}

# ---- state file on a full disk: a warning, the run still succeeds ----
t_state_disk_full() {
    setup
    mount -t tmpfs -o size=4k,mode=755 tmpfs "$T/state"
    dd if=/dev/zero of="$T/state/.filler" bs=4k 2>/dev/null
    args '{"fin_timeout": 45}'
    run
    expect_ok "state disk full"
    contains "$(field '.warnings | join(" ")')" "will not be able to put the original values back" "state disk full"
    no_temp "$T/state" "state disk full"
}

# ---- read-only file system (tmpfs remounted ro, and a ro bind mount) ----
t_readonly_fs() {
    setup 64k
    mount -o remount,ro "$T/etc"
    args '{"fin_timeout": 45, "tw_reuse": 1}'
    run
    expect_fail "read-only fs" "Read-only file system" "put back"
    same_file "$T/old.conf" "$T/etc/60-porttune.conf" "read-only fs"
    live_unchanged "read-only fs"
    args '{"fin_timeout": 45, "_ansible_check_mode": true}'
    run
    expect_ok "read-only fs, check mode"
    eq "$(field .changed)" true "read-only fs, check mode reports the change"
}

t_readonly_bind() {
    setup
    mount --bind "$T/etc" "$T/etc" && mount -o remount,bind,ro "$T/etc"
    args '{"fin_timeout": 45, "tw_reuse": 1}'
    run
    expect_fail "read-only bind mount (root)" "Read-only file system" "Nothing was changed"
    same_file "$T/old.conf" "$T/etc/60-porttune.conf" "read-only bind"
    live_unchanged "read-only bind"
}

# ---- permission denied: an unprivileged uid (root bypasses mode bits) ----
t_permission_denied() {
    setup
    args '{"fin_timeout": 45, "apply": false}'
    chmod 644 "$T/args.json"
    OUT=$(nsenter -t "$NS" -n setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" "$T/args.json" 2>"$T/stderr"); RC=$?
    sanitizer_clean "$T/stderr"
    expect_fail "permission denied (uid 65534, persist)" "Permission denied" "Nothing was changed"
    same_file "$T/old.conf" "$T/etc/60-porttune.conf" "permission denied"
    no_temp "$T/etc" "permission denied"
    args '{"fin_timeout": 45, "persist": false}'
    chmod 644 "$T/args.json"
    OUT=$(nsenter -t "$NS" -n setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" "$T/args.json" 2>"$T/stderr"); RC=$?
    sanitizer_clean "$T/stderr"
    expect_fail "permission denied (uid 65534, live)" "Permission denied" "Nothing was changed"
    live_unchanged "permission denied (live)"
}

# ---- the target directory is missing ----
t_dir_missing() {
    setup
    args '{"fin_timeout": 45, "tw_reuse": 1, "sysctl_file": "'"$T"'/nope/60-porttune.conf"}'
    run
    expect_fail "directory missing" "does not exist; create it first" "put back"
    [ ! -e "$T/nope" ] || err "directory missing: $T/nope was created"
    live_unchanged "directory missing"
}

# ---- kill -9 between the temp write and the rename ----
t_kill_at_rename() {
    setup
    args '{"fin_timeout": 45, "apply": false}'
    nsenter -t "$NS" -n env PORTTUNE_TEST_PAUSE_BEFORE_RENAME=60 "$HOOK_BIN" "$T/args.json" >/dev/null 2>&1 &
    local pid=$! i tmp=""
    for i in $(seq 500); do
        tmp=$(find "$T/etc" -maxdepth 1 -name '.60-porttune.conf.porttune-*')
        [ -n "$tmp" ] && break
        sleep 0.02
    done
    [ -n "$tmp" ] || err "kill -9: the run never wrote its temp file"
    kill -9 "$pid"; wait "$pid" 2>/dev/null
    same_file "$T/old.conf" "$T/etc/60-porttune.conf" "kill -9 before rename"
    [ -z "$tmp" ] || [ -e "$tmp" ] || err "kill -9: expected the temp file to be left behind"
    run
    expect_ok "kill -9, next run"
    contains "$(field '.warnings | join(" ")')" "removed 1 temporary file" "kill -9, next run"
    no_temp "$T/etc" "kill -9, next run"
    contains "$(cat "$T/etc/60-porttune.conf")" "net.ipv4.tcp_fin_timeout = 45" "kill -9, next run converges"
    contains "$(cat "$T/etc/60-porttune.conf")" "net.core.somaxconn = 1024" "kill -9, next run keeps admin lines"
}

# Kills inside the write: build/faults/kill_at_temp sees the run create its
# temp file (inotify) and kill -9s it 0-3 ms later. A temp file left behind
# proves the kill landed between its creation and the rename; at least
# KILL_MIN_MID of the 40 must. After each kill the file is byte for byte what
# it was before that run or what that run writes when it completes (computed
# on a scratch copy), and the next run removes the earlier run's temp file.
KILLER=build/faults/kill_at_temp
KILL_MIN_MID=10
t_kill_random() {
    setup
    local i v before after got d r tmps_before tmps_after new n_mid=0 n_old=0 n_new=0 n_done=0
    [ -x "$KILLER" ] || { err "no $KILLER (make build/faults/kill_at_temp)"; return; }
    mkdir -p "$T/ref"
    for i in $(seq 40); do
        v=$((41 + i % 2))
        before=$(cat "$T/etc/60-porttune.conf")
        cp "$T/etc/60-porttune.conf" "$T/ref/60-porttune.conf"
        args '{"fin_timeout": '$v', "reserved_ports": "'$((8000 + i))'", "apply": false, "sysctl_file": "'"$T"'/ref/60-porttune.conf"}' "$T/ref.json"
        nsenter -t "$NS" -n "$BIN" "$T/ref.json" >/dev/null
        after=$(cat "$T/ref/60-porttune.conf")
        [ "$after" != "$before" ] || err "kill $i: the reference run changed nothing"
        args '{"fin_timeout": '$v', "reserved_ports": "'$((8000 + i))'"}'
        tmps_before=$(find "$T/etc" -maxdepth 1 -name '.60-porttune.conf.porttune-*' | sort)
        d=$(( i % 4 == 0 ? 0 : RANDOM % 3000 ))
        r=$(nsenter -t "$NS" -n "$KILLER" "$T/etc" .60-porttune.conf.porttune- "$d" "$BIN" "$T/args.json")
        tmps_after=$(find "$T/etc" -maxdepth 1 -name '.60-porttune.conf.porttune-*' | sort)
        new=$(comm -13 <(printf '%s\n' "$tmps_before") <(printf '%s\n' "$tmps_after") | grep -c .)
        got=$(cat "$T/etc/60-porttune.conf")
        case "$r" in
        killed) ;;
        finished) n_done=$((n_done + 1)) ;;
        *) err "kill $i: kill_at_temp said [$r]: the run never created its temp file" ;;
        esac
        [ "$(grep -c . <<<"$tmps_after")" -le 1 ] || err "kill $i: earlier temp files not removed: $tmps_after"
        if [ "$new" -gt 0 ]; then
            n_mid=$((n_mid + 1))
            [ "$r" = killed ] || err "kill $i: a temp file was left, yet the run was not killed"
            [ "$got" == "$before" ] || err "kill $i: killed before the rename, yet the file changed: $got"
        elif [ "$got" == "$before" ]; then n_old=$((n_old + 1))
        elif [ "$got" == "$after" ]; then n_new=$((n_new + 1))
        else err "kill $i: partial or unknown file: $got"; fi
        [ -z "$(find "$T/etc" -name '*.conf' ! -name 60-porttune.conf)" ] || err "kill $i: stray .conf file"
    done
    [ "$n_mid" -ge "$KILL_MIN_MID" ] ||
        err "only $n_mid of 40 kills landed between temp file and rename (want >= $KILL_MIN_MID)"
    args '{"fin_timeout": 42, "reserved_ports": "8080"}'
    run
    expect_ok "kills, final run"
    no_temp "$T/etc" "kills, final run"
    eq "$(live tcp_fin_timeout)" 42 "kills, final live value"
    eq "$(live ip_local_reserved_ports)" 8080 "kills, final live reserved ports"
    contains "$(cat "$T/etc/60-porttune.conf")" "net.core.somaxconn = 1024" "kills keep admin lines"
    echo "    (40 kills: $n_mid between temp file and rename (file old, temp left), $n_new after the rename (file new), $n_old before any change; $n_done runs finished first)"
}

# ---- concurrent runs against one file and one namespace ----
concurrent() {  # N
    local n=$1 i k pids=() start end
    setup
    local keys=(fin_timeout tw_reuse max_tw_buckets port_range reserved_ports tw_reuse_delay)
    local vals=(45 1 5000 '"20000-50001"' '"8080,9000-9100"' 500)
    local nk=6
    [ -e "$IPV4/tcp_tw_reuse_delay" ] || nk=5
    start=$(date +%s%N)
    for i in $(seq 0 $((n - 1))); do
        k=$((i % nk))
        args '{"'"${keys[$k]}"'": '"${vals[$k]}"'}' "$T/args$i.json"
        nsenter -t "$NS" -n env PORTTUNE_TEST_PAUSE_BEFORE_RENAME=0.1 "$HOOK_BIN" "$T/args$i.json" >"$T/out$i" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || err "$n concurrent: run $i failed: $(cat "$T/out$i")"
        sanitizer_clean "$T/out$i"
    done
    end=$(date +%s%N)
    local f; f=$(cat "$T/etc/60-porttune.conf")
    contains "$f" "# written by an admin" "$n concurrent: admin comment kept"
    contains "$f" "net.core.somaxconn = 1024" "$n concurrent: admin line kept"
    local want=("net.ipv4.tcp_fin_timeout = 45" "net.ipv4.tcp_tw_reuse = 1" "net.ipv4.tcp_max_tw_buckets = 5000"
                "net.ipv4.ip_local_port_range = 20000 50001" "net.ipv4.ip_local_reserved_ports = 8080,9000-9100"
                "net.ipv4.tcp_tw_reuse_delay = 500")
    for k in $(seq 0 $(((n < nk ? n : nk) - 1))); do
        eq "$(grep -cxF "${want[$k]}" "$T/etc/60-porttune.conf")" 1 "$n concurrent: '${want[$k]}' once"
    done
    eq "$(grep -c '^net.ipv4.tcp_fin_timeout' "$T/etc/60-porttune.conf")" 1 "$n concurrent: one fin_timeout line"
    eq "$(live tcp_fin_timeout)" 45 "$n concurrent: live fin_timeout"
    [ "$n" -lt 4 ] || eq "$(live ip_local_port_range)" "20000 50001" "$n concurrent: live port range"
    no_temp "$T/etc" "$n concurrent"
    # Each run that writes pauses 0.1 s before its rename; serialized runs
    # cannot all pause at once.
    local ms=$(((end - start) / 1000000)) min=$(((n < nk ? n : nk) * 100))
    [ "$ms" -ge "$min" ] || err "$n concurrent: took $ms ms < $min ms: runs overlapped"
    echo "    ($n runs in $ms ms)"
}
# A run with persist: false writes live values and the state file too, so it
# waits for a run that holds the lock (flock(1) on the directory stands in
# for it: the module locks sysctl_file's directory), then does its work and
# leaves the file alone.
t_unpersisted_waits() {
    local start end ms lk
    setup
    args '{"fin_timeout": 41, "persist": false}'
    flock "$T/etc" sleep 1 & lk=$!
    sleep 0.2
    start=$(date +%s%N)
    run
    end=$(date +%s%N)
    wait "$lk"
    ms=$(((end - start) / 1000000))
    expect_ok "persist: false under a held lock"
    [ "$ms" -ge 600 ] || err "persist: false did not wait for the lock: $ms ms"
    eq "$(live tcp_fin_timeout)" 41 "persist: false: live fin_timeout"
    same_file "$T/old.conf" "$T/etc/60-porttune.conf" "persist: false"
    echo "    (waited $ms ms for the held lock)"
}
t_concurrent2() { concurrent 2; }
t_concurrent10() { concurrent 10; }

# ---- unsafe places: refused, nothing changed ----
t_symlink_file() {
    setup
    mkdir "$T/elsewhere"; printf 'precious\n' >"$T/elsewhere/target"
    ln -s "$T/elsewhere/target" "$T/etc/61-link.conf"
    args '{"fin_timeout": 45, "tw_reuse": 1, "sysctl_file": "'"$T"'/etc/61-link.conf"}'
    run
    expect_fail "file symlink" "is a symbolic link" "Nothing was changed"
    eq "$(cat "$T/elsewhere/target")" precious "file symlink: target untouched"
    [ -L "$T/etc/61-link.conf" ] || err "file symlink: link replaced"
    live_unchanged "file symlink"
    args '{"fin_timeout": 45, "sysctl_file": "'"$T"'/etc/61-link.conf", "_ansible_check_mode": true}'
    run
    expect_fail "file symlink, check mode" "is a symbolic link"
}

t_symlink_dir() {
    setup
    ln -s "$T/etc" "$T/linkdir"
    args '{"fin_timeout": 45, "tw_reuse": 1, "sysctl_file": "'"$T"'/linkdir/60-porttune.conf"}'
    run
    expect_fail "directory symlink" "is a symbolic link" "Nothing was changed"
    same_file "$T/old.conf" "$T/etc/60-porttune.conf" "directory symlink"
    live_unchanged "directory symlink"
    args '{"fin_timeout": 45, "sysctl_file": "'"$T"'/linkdir/./60-porttune.conf"}'
    run
    expect_fail "directory symlink via /./" "plain path" "Nothing was changed"
    args '{"fin_timeout": 45, "sysctl_file": "'"$T"'/linkdir/../etc/60-porttune.conf"}'
    run
    expect_fail "path with /../" "plain path" "Nothing was changed"
}

t_unsafe_dir() {
    setup
    local mode
    args '{"fin_timeout": 45, "tw_reuse": 1}'
    for mode in 777 775 757; do
        chmod "$mode" "$T/etc"
        run
        expect_fail "directory mode $mode" "without the sticky bit" "chmod go-w" "Nothing was changed"
        same_file "$T/old.conf" "$T/etc/60-porttune.conf" "directory mode $mode"
        live_unchanged "directory mode $mode"
    done
    chmod 755 "$T/etc"; chown 65534 "$T/etc"
    run
    expect_fail "directory owned by uid 65534" "belongs to uid 65534" "Nothing was changed"
    live_unchanged "foreign-owned directory"
    chown 0 "$T/etc"; chmod 1777 "$T/etc"
    run
    expect_ok "sticky world-writable directory (like /tmp) is accepted"
}

t_fifo() {
    setup
    mkfifo "$T/etc/62-fifo.conf"
    args '{"fin_timeout": 45, "sysctl_file": "'"$T"'/etc/62-fifo.conf"}'
    OUT=$(timeout 10 nsenter -t "$NS" -n "$BIN" "$T/args.json" 2>"$T/stderr"); RC=$?
    sanitizer_clean "$T/stderr"
    expect_fail "FIFO in the file's place" "not a regular file" "Nothing was changed"
    live_unchanged "FIFO"
}

# A FIFO among the files read for boot order (here over /etc/sysctl.d, in a
# mount namespace of this test only) is skipped, not waited on.
t_fifo_in_boot_dir() {
    setup
    mkdir "$T/sysctl.d"
    mkfifo "$T/sysctl.d/90-fifo.conf"
    printf 'net.ipv4.tcp_fin_timeout = 44\n' >"$T/sysctl.d/95-later.conf"
    args '{"fin_timeout": 45}'
    OUT=$(timeout 10 unshare -m --propagation private sh -c \
        'mount --bind "$1" /etc/sysctl.d && exec nsenter -t "$2" -n "$3" "$4"' \
        _ "$T/sysctl.d" "$NS" "$BIN" "$T/args.json" 2>"$T/stderr"); RC=$?
    sanitizer_clean "$T/stderr"
    expect_ok "FIFO in /etc/sysctl.d"
    eq "$(field '.conflicts[0].file')" /etc/sysctl.d/95-later.conf "FIFO in /etc/sysctl.d: later files still scanned"
}

# ---- injection attempts: each refused with its message, or accepted as a number ----
# Each case has its outcome: "ok LINE" (accepted; LINE is the one line the run
# adds to the file) or "fail MESSAGE" (refused; the exact message, @T@ standing
# for the temp dir). Nothing of a refused case reaches the file, the state file
# or the live values; text of no case reaches either file.
t_injection() {
    setup
    local long l80 i bad line msg accepted=0
    long=$(head -c 100000 /dev/zero | tr '\0' 9)
    l80=${long:0:80}
    local NC="Nothing was changed."
    local NUM="we were unable to convert to int"
    local PORTS="is not a list of ports; expected ports 1-65535 and ranges separated by commas, such as '8080,9000-9100'. $NC"
    local RANGE="is not a port range; expected START-END with ports 1-65535, such as '1024-65535'. $NC"
    local ARGS="cannot parse the arguments file @T@/args.json:"
    local cases=() expect=()
    c() { cases+=("$1"); expect+=("$2"); }
    c '{"port_range": "1024-65535\nnet.ipv4.tcp_syncookies = 0"}' \
      "fail port_range: '1024-65535"$'\n'"net.ipv4.tcp_syncookies = 0' $RANGE"
    c '{"port_range": "1024 65535 # INJECTED"}' "fail port_range: '1024 65535 # INJECTED' $RANGE"
    c '{"port_range": ["1024", "65535\nINJECTED=1"]}' \
      "fail argument 'port_range' is of type str and $NUM: '65535"$'\n'"INJECTED=1' is not a whole number. $NC"
    # "30\n" is 30, as Python's int() has it
    c '{"fin_timeout": "30\n"}' "ok net.ipv4.tcp_fin_timeout = 30"
    c '{"fin_timeout": "30\nnet.ipv4.ip_forward = 1"}' \
      "fail argument 'fin_timeout' is of type str and $NUM: '30"$'\n'"net.ipv4.ip_forward = 1' is not a whole number. $NC"
    c '{"fin_timeout": "30 = 1"}' "fail argument 'fin_timeout' is of type str and $NUM: '30 = 1' is not a whole number. $NC"
    c '{"fin_timeout": "30#INJECTED"}' \
      "fail argument 'fin_timeout' is of type str and $NUM: '30#INJECTED' is not a whole number. $NC"
    c '{"fin_timeout": "30\u0000INJECTED"}' \
      "fail $ARGS \\u0000 is not allowed without JSON_ALLOW_NUL near '\"30\\u0000INJECTED\"' (line 1, column 149). $NC"
    c '{"fin_timeout": "'"$long"'"}' "fail argument 'fin_timeout' is of type str and $NUM: '$l80' is not a whole number. $NC"
    c '{"fin_timeout": -5}' "fail fin_timeout: -5 is out of range; allowed values are 1-300. $NC"
    c '{"fin_timeout": "-1"}' "fail fin_timeout: -1 is out of range; allowed values are 1-300. $NC"
    c '{"fin_timeout": 99999999999999999999}' \
      "fail $ARGS too big integer near '99999999999999999999' (line 1, column 151). $NC"
    c '{"fin_timeout": "99999999999999999999"}' \
      "fail argument 'fin_timeout' is of type str and $NUM: '99999999999999999999' is not a whole number. $NC"
    c '{"fin_timeout": 1e400}' "fail $ARGS real number overflow near '1e400' (line 1, column 136). $NC"
    c '{"fin_timeout": 1e18}' "fail argument 'fin_timeout' is of type float and $NUM. $NC"
    c '{"fin_timeout": 30.5}' "fail argument 'fin_timeout' is of type float and $NUM. $NC"
    c '{"fin_timeout": "0x1e"}' "ok net.ipv4.tcp_fin_timeout = 30"
    c '{"fin_timeout": true}' "fail argument 'fin_timeout' is of type bool and $NUM. $NC"
    c '{"max_tw_buckets": 16777217}' "fail max_tw_buckets: 16777217 is out of range; allowed values are 0-16777216. $NC"
    c '{"max_tw_buckets": -1}' "fail max_tw_buckets: -1 is out of range; allowed values are 0-16777216. $NC"
    c '{"tw_reuse": "1\nnet.ipv4.ip_forward=1"}' \
      "fail argument 'tw_reuse' is of type str and $NUM: '1"$'\n'"net.ipv4.ip_forward=1' is not a whole number. $NC"
    c '{"reserved_ports": "8080\n9000"}' "fail reserved_ports: '8080"$'\n'"9000' $PORTS"
    c '{"reserved_ports": ["8080\nINJECTED"]}' "fail reserved_ports: '8080"$'\n'"INJECTED' $PORTS"
    c '{"reserved_ports": "8080,#INJECTED"}' "fail reserved_ports: '8080,#INJECTED' $PORTS"
    c '{"reserved_ports": "8080;9000"}' "fail reserved_ports: '8080;9000' $PORTS"
    c '{"reserved_ports": "70000"}' "fail reserved_ports: 70000 is not a port; ports are 1-65535. $NC"
    c '{"reserved_ports": "'"$long"'"}' "fail reserved_ports: '$l80' $PORTS"
    c '{"reserved_ports": [{"a": 1}]}' \
      "fail reserved_ports: item 1 is a dict; list items must be ports or \"START-END\" ranges. $NC"
    c '{"sysctl_file": "'"$T"'/etc/x\n.conf", "fin_timeout": 45}' "fail sysctl_file must not contain control characters. $NC"
    c '{"net.ipv4.ip_forward": 1}' "fail Unsupported parameters for (porttune) module: net.ipv4.ip_forward. Supported parameters include: apply, backup, conflicts, fin_timeout, max_tw_buckets, max_user_port, persist, port_range, reserved_ports, state, state_file, sysctl_file, time_wait_delay, tw_reuse, tw_reuse_delay."
    c '{"fin_timeout": 45, "conflicts": "warn\nINJECTED"}' \
      "fail value of conflicts must be one of: warn, fail, ignore, got: warn"$'\n'"INJECTED. $NC"
    eq "${#cases[@]}" 31 "injection: number of cases"
    for i in "${!cases[@]}"; do
        # Written as given (jq would round 1e400 and 99999999999999999999),
        # with the paths put in front.
        {
            printf '{"state_file": "%s", ' "$T/state/state.json"
            [[ "${cases[$i]}" == *sysctl_file* ]] || printf '"sysctl_file": "%s", ' "$T/etc/60-porttune.conf"
            printf '%s' "${cases[$i]#\{}"
        } >"$T/args.json"
        cp "$T/old.conf" "$T/etc/60-porttune.conf"
        rm -f "$T/state/state.json"
        FIN0=$(live tcp_fin_timeout) RU0=$(live tcp_tw_reuse)
        run
        if [[ "${expect[$i]}" == ok\ * ]]; then
            line=${expect[$i]#ok }
            accepted=$((accepted + 1))
            expect_ok "injection case $i (${cases[$i]:0:60})"
            # LINE takes the place of the admin's line for its key, nothing else changes
            eq "$(cat "$T/etc/60-porttune.conf")" \
               "$(sed "s|^${line%% =*} = .*|${line}|" "$T/old.conf")" \
               "injection case $i: the file written"
            k=${line%% =*}
            eq "$(live "${k#net.ipv4.}")" "${line##* = }" "injection case $i: the live value"
        else
            msg=${expect[$i]#fail }
            expect_fail "injection case $i (${cases[$i]:0:60})"
            eq "$(field .msg)" "${msg//@T@/$T}" "injection case $i: message"
            same_file "$T/old.conf" "$T/etc/60-porttune.conf" "injection case $i"
            [ ! -e "$T/state/state.json" ] || err "injection case $i: refused, yet a state file was written"
            live_unchanged "injection case $i"
        fi
        bad=$(grep -rlE 'INJECTED|syncookies|ip_forward' "$T/etc" "$T/state" 2>/dev/null)
        [ -z "$bad" ] || err "injection case $i: text reached $bad"
    done
    no_temp "$T/etc" "injection"
    echo "    (${#cases[@]} hostile argument sets: $((${#cases[@]} - accepted)) refused with their message, $accepted reduced to a plain number)"
    # A valid run afterwards writes only "name = digits/space/comma/dash".
    args '{"port_range": "1024-65535", "reserved_ports": [8080, "9000-9100"], "fin_timeout": "30", "tw_reuse": "1"}'
    run
    expect_ok "valid run after injection attempts"
    bad=$(grep '^net.ipv4' "$T/etc/60-porttune.conf" | grep -vE '^net\.ipv4\.[a-z_]+ = [0-9 ,-]*$')
    [ -z "$bad" ] || err "valid run: unexpected line: $bad"
}

# ---- the machine itself ----
t_host_untouched() {
    eq "$(host_values)" "$HOST_BEFORE" "the machine's own net.ipv4 values"
}

test_case "disk full while persisting: old file intact, no temp file, live values rolled back" t_disk_full
test_case "state file on a full disk: warning, run succeeds" t_state_disk_full
test_case "read-only file system (tmpfs remounted ro)" t_readonly_fs
test_case "read-only bind mount, as root" t_readonly_bind
test_case "permission denied as uid 65534 (file and live values)" t_permission_denied
test_case "target directory missing" t_dir_missing
test_case "kill -9 between temp write and rename; next run cleans up and converges" t_kill_at_rename
test_case "40 kill -9 inside the write (>= $KILL_MIN_MID between temp file and rename): file is always old or new, never partial" t_kill_random
test_case "a persist: false run waits for a held lock" t_unpersisted_waits
test_case "2 concurrent runs serialize, no lost lines" t_concurrent2
test_case "10 concurrent runs serialize, no lost lines" t_concurrent10
test_case "managed file is a symlink: refused" t_symlink_file
test_case "directory is a symlink (also via /./ and /../): refused" t_symlink_dir
test_case "directory writable by group/others or foreign-owned: refused; sticky accepted" t_unsafe_dir
test_case "a FIFO in the file's place: refused without hanging" t_fifo
test_case "a FIFO among the boot-order files is skipped, not waited on" t_fifo_in_boot_dir
test_case "31 injection attempts: each refused with its exact message or reduced to a number" t_injection
test_case "the machine's own sysctls were not touched" t_host_untouched

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
