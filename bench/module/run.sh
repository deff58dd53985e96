#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark of issue 2: one porttune module execution vs the four
# ansible.posix.sysctl AnsiballZ payloads that set the same four keys vs two
# static C floors (floor-persist: the same reads and writes as the module,
# live values and the atomically replaced file; the bare floor: live values
# only), converging and idempotent, side by side in one run, in a fresh
# network namespace whose /proc/sys is read-only outside /proc/sys/net.
# Prints a markdown table. Not a timed test.
#
# usage: bench/module/run.sh [ROUNDS]   (root; `make bench-module` builds what it needs)
#
# 1. A local play (connection local, ANSIBLE_KEEP_REMOTE_FILES=1) runs the four
#    ansible.posix.sysctl tasks and the porttune task for two value sets, so
#    the payloads and args files are exactly what Ansible puts on a target.
# 2. Every group is checked to converge all four keys (bench.py check).
# 3. build/bench/measure runs the groups round after round, alternating the
#    value sets and putting the other set back (untimed) before each run, so
#    every timed run really writes every key; the *_idem groups run once more
#    untimed before their timed run, which then finds nothing to change.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
ROUNDS=${1:-${BENCH_ROUNDS:-21}}
WARMUP=2
B=$ROOT/build/bench
VENV=$ROOT/build/bench-venv
MODULE=$ROOT/library/porttune
for f in "$B/measure" "$B/floor" "$MODULE" "$VENV/bin/ansible-playbook"; do
    [ -x "$f" ] || { echo "bench: $f missing; run make bench-module" >&2; exit 1; }
done

if [ "${PT_BENCH_NS:-}" != 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "bench: needs root for unshare" >&2; exit 1; }
    exec unshare -n -m env PT_BENCH_NS=1 bash "$0" "$ROUNDS"
fi

# Inside the namespaces made above: sysctls and mounts are our own.
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
    { echo "bench: not in a new network namespace; refusing to write sysctls" >&2; exit 1; }
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
    { echo "bench: not in a new mount namespace" >&2; exit 1; }
mount --make-rprivate /
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
[ ! -w /proc/sys/vm/swappiness ] || { echo "bench: /proc/sys is still writable" >&2; exit 1; }

T=$(mktemp -d /tmp/porttune-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/sysctl.d" "$T/tmp" "$T/library"
# Only the Linux binary: with porttune.exe beside it, ansible-core's legacy
# module cache may resolve "porttune" to the .exe (os.listdir order).
ln -s "$MODULE" "$T/library/porttune"
export TMPDIR=$T/tmp    # the AnsiballZ wrapper unpacks its zip there

# 1. Capture.
{
    echo "- hosts: localhost"
    echo "  connection: local"
    echo "  gather_facts: false"
    echo "  tasks:"
    for v in 0 1; do
        set -- $( [ $v = 0 ] && echo "30 1 200000 20000 60999" || echo "45 0 180000 21000 61999")
        for kv in "net.ipv4.tcp_fin_timeout=$1" "net.ipv4.tcp_tw_reuse=$2" \
                  "net.ipv4.tcp_max_tw_buckets=$3" "net.ipv4.ip_local_port_range=$4 $5"; do
            cat <<EOF
    - ansible.posix.sysctl:
        name: ${kv%%=*}
        value: "${kv#*=}"
        sysctl_file: $T/sysctl.d/99-incumbent.conf
        sysctl_set: true
        reload: true
EOF
        done
        cat <<EOF
    - porttune:
        fin_timeout: $1
        tw_reuse: $2
        max_tw_buckets: $3
        port_range: "$4 $5"
        sysctl_file: $T/sysctl.d/60-porttune.conf
        state_file: $T/state.json
EOF
    done
} >"$T/capture.yml"
: >"$T/ansible.cfg"
if ! ANSIBLE_CONFIG=$T/ansible.cfg ANSIBLE_HOME=$T/ansible-home ANSIBLE_LOCAL_TEMP=$T/local \
     ANSIBLE_REMOTE_TEMP=$T/remote ANSIBLE_KEEP_REMOTE_FILES=1 ANSIBLE_LIBRARY=$T/library \
     ANSIBLE_NOCOLOR=1 "$VENV/bin/ansible-playbook" -i localhost, \
     -e ansible_python_interpreter="$VENV/bin/python" "$T/capture.yml" >"$T/capture.log" 2>&1; then
    cat "$T/capture.log" >&2
    echo "bench: the capture play failed" >&2
    exit 1
fi
/usr/bin/python3 bench/module/bench.py spec "$T/remote" "$VENV/bin/python" "$B/floor" "$T/spec"
cmp -s "$MODULE" "$(awk '$1 == "porttune" { print $3; exit }' "$T/spec")" ||
    { echo "bench: the captured module is not library/porttune" >&2; exit 1; }

# 2. Check.
/usr/bin/python3 bench/module/bench.py check "$T/spec" >&2

# 3. Measure.
echo "bench: $ROUNDS rounds (+$WARMUP warm-up); the Python group takes about 1 s a round" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$B/measure" "$T/spec" "$ROUNDS" "$WARMUP" >"$T/results"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 bench/module/bench.py table "$T/results" "$T/spec" "$MODULE"
py=$("$VENV/bin/python" -c 'import platform; print(platform.python_version())')
posix=$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' \
    "$VENV"/lib/python3*/site-packages/ansible_collections/ansible/posix/MANIFEST.json | head -1)
core=$("$VENV/bin/python" -c 'from ansible.release import __version__; print(__version__)')
echo
echo "Kernel $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1));" \
     "Python $py (build/bench-venv), ansible-core $core, ansible.posix $posix;" \
     "files in a temp dir on $(df --output=fstype "$T" | tail -1);" \
     "load average $load_before before, $load_after after (other work on the machine inflates wall times more than CPU times)."
