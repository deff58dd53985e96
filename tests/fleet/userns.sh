#!/bin/sh
# SPDX-License-Identifier: MIT
# Run CMD as a simulated host of another CPU: in a new user + mount namespace
# (uids/gids 0-65535 mapped to themselves, so root stays root for files and
# the network namespace's sysctls) with its own binfmt_misc instance (kernel
# >= 6.7) where BINFMT (a register line) sends that CPU's ELF to qemu-user.
# The machine's own binfmt_misc is never written: the register write happens
# only after the private instance is mounted over /proc/sys/fs/binfmt_misc.
#
#   BINFMT=':name:M::magic:mask:/usr/bin/qemu-X-static:F' userns.sh CMD...
set -eu
[ -n "${BINFMT:-}" ] || { echo "userns.sh: BINFMT not set" >&2; exit 2; }
fifo=$(mktemp -u /tmp/ptuns.XXXXXX)
mkfifo "$fifo"
unshare --user --mount --propagation private sh -c '
  read x <"$0"; rm -f "$0"
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
    { echo "userns.sh: no binfmt_misc of our own (kernel >= 6.7 needed)" >&2; exit 1; }
  printf "%s" "$BINFMT" >/proc/sys/fs/binfmt_misc/register
  exec "$@"' "$fifo" "$@" &
pid=$!
me=$(readlink /proc/self/ns/user)
i=0
while [ "$(readlink "/proc/$pid/ns/user")" = "$me" ]; do
  i=$((i + 1))
  [ "$i" -lt 500 ] || { echo "userns.sh: no user namespace" >&2; kill "$pid"; exit 1; }
  sleep 0.01
done
echo '0 0 65536' >"/proc/$pid/uid_map"
echo '0 0 65536' >"/proc/$pid/gid_map"
echo go >"$fifo"
trap 'kill "$pid" 2>/dev/null' TERM INT
wait "$pid"
