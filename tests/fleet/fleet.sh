#!/bin/bash
# SPDX-License-Identifier: MIT
# A simulated fleet: N hosts, each a network namespace running its own sshd.
#
#   fleet.sh up N DIR [--prefix P] [--no-python] [--arch A,B,..] [--no-python-host I]
#                                                  start N hosts, write DIR/inventory.yml
#   fleet.sh down DIR                              stop them, remove all `up` created
#   fleet.sh check DIR                             machine's own settings unchanged since `up`?
#   fleet.sh exec DIR HOST CMD...                  run CMD inside HOST (as its sshd sees it)
#   fleet.sh list DIR                              host names, one a line
#
# A host is a network namespace (lo up) with its own /etc/sysctl.d (from
# /etc/netns/NAME/sysctl.d, which `ip netns exec` binds over /etc/sysctl.d)
# and an sshd on the namespace's 127.0.0.1:22, started inside a mount
# namespace that gives it private /root, /var/lib and /run, a read-only /etc
# (except sysctl.d) and a read-only /proc/sys except /proc/sys/net. Nothing of
# the machine's own is written: only DIR, /etc/netns/NAME and the namespaces.
#
# --arch A,B,...: host I is of the I-th CPU of the list (cycled). A host of
# another CPU than x86_64 reports it (its /usr/bin/uname prints it for x86_64)
# and, when qemu-user-static has it, its sshd runs through userns.sh: a user
# namespace with a binfmt_misc instance of its own that runs that CPU's ELF
# binaries under qemu (the machine's binfmt_misc is never touched). A CPU
# without a qemu (e.g. mips64) is only reported. --no-python-host I hides
# Python on host I alone.
set -euo pipefail

die() { echo "fleet.sh: $*" >&2; exit 1; }
usage() { sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Settings of the machine's own network namespace that the fleet must never touch.
MACHINE_KEYS="ip_local_port_range ip_local_reserved_ports tcp_fin_timeout tcp_tw_reuse tcp_max_tw_buckets"

machine_state() {
  local k
  for k in $MACHINE_KEYS tcp_tw_reuse_delay; do
    [ -r "/proc/sys/net/ipv4/$k" ] || continue
    printf 'net.ipv4.%s = %s\n' "$k" "$(tr '\t' ' ' <"/proc/sys/net/ipv4/$k")"
  done
  # Names, sizes, modes, times and contents of the machine's own sysctl.d.
  find /etc/sysctl.d -xdev -printf '%p %y %s %m %T@\n' | sort
  find /etc/sysctl.d -xdev -type f -print0 | sort -z | xargs -0 -r sha256sum
}

# binfmt_misc register line of a CPU (qemu-binfmt-conf's magic and mask), or
# nothing when there is no qemu for it.
binfmt_line() {
  local m64='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  local mbe='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff'
  local hd='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00'
  case "$1" in
    aarch64) printf ':pt-aarch64:M::%s%s:%s:/usr/bin/qemu-aarch64-static:F' "$hd" '\xb7\x00' "$m64" ;;
    riscv64) printf ':pt-riscv64:M::%s%s:%s:/usr/bin/qemu-riscv64-static:F' "$hd" '\xf3\x00' "$m64" ;;
    ppc64le) printf ':pt-ppc64le:M::%s%s:%s:/usr/bin/qemu-ppc64le-static:F' "$hd" '\x15\x00' "$m64" ;;
    armv7l) printf ':pt-armv7l:M::%s:%s:/usr/bin/qemu-arm-static:F' \
      '\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00' "$m64" ;;
    s390x) printf ':pt-s390x:M::%s:%s:/usr/bin/qemu-s390x-static:F' \
      '\x7fELF\x02\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x16' "$mbe" ;;
  esac
}

# Body run inside `ip netns exec NAME` (new mount namespace, slave of the
# machine's, so none of these mounts propagates back).
host_start_script() {
  local h=$1 nopython=$2 arch=${3:-x86_64} here line
  here=$(cd "$(dirname "$0")" && pwd)
  cat <<EOF
#!/bin/sh
set -eu
mount --bind '$h/root' /root
mount --bind '$h/varlib' /var/lib
mount --bind '$h/run' /run
mkdir -p /run/sshd
chmod 0755 /run/sshd
# /proc/sys read-only except the namespace's own /proc/sys/net.
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
# /etc read-only except the host's own sysctl.d (already bound by ip netns exec).
mount --rbind /etc /etc
mount -o remount,bind,ro /etc
EOF
  if [ "$nopython" = 1 ]; then
    cat <<EOF
# Hide every Python interpreter: an overlay over /usr/bin (and
# /usr/local/bin) whose upper layer holds a whiteout for each python* entry,
# so neither dash nor bash finds one.
for d in /usr/bin /usr/local/bin; do
  [ -d "\$d" ] && ls "\$d" | grep -q '^python' || continue
  o='$h/overlay'"\$d"
  mkdir -p "\$o/upper" "\$o/work"
  for f in "\$d"/python*; do mknod "\$o/upper/\${f##*/}" c 0 0; done
  mount -t overlay overlay -o "lowerdir=\$d,upperdir=\$o/upper,workdir=\$o/work" "\$d"
done
EOF
  fi
  if [ "$arch" = x86_64 ]; then
    echo "exec /usr/sbin/sshd -D -e -f '$h/sshd_config'"
    return
  fi
  # This host reports itself as ARCH: its uname prints ARCH for x86_64.
  echo "cp /usr/bin/uname '$h/uname.real'"
  printf '#!/bin/sh\n%s "$@" | sed s/x86_64/%s/g\n' "$h/uname.real" "$arch" >"$h/uname"
  chmod 755 "$h/uname"
  echo "mount --bind '$h/uname' /usr/bin/uname"
  line=$(binfmt_line "$arch")
  # Root of a user namespace may not bind port 22 of a network namespace it
  # does not own, unless that namespace allows it (its own sysctl).
  echo "echo 0 >/proc/sys/net/ipv4/ip_unprivileged_port_start"
  if [ -z "$line" ]; then
    echo "exec /usr/sbin/sshd -D -e -f '$h/sshd_config'"
  else
    printf "BINFMT='%s' exec sh '%s/userns.sh' /usr/sbin/sshd -D -e -f '%s/sshd_config'\n" "$line" "$here" "$h"
  fi
}

sshd_config() {
  local dir=$1 h=$2
  cat <<EOF
# sshd of one simulated host (fleet.sh); the machine's own sshd is not used.
Port 22
ListenAddress 127.0.0.1
HostKey $h/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# No pty: no utmp/wtmp/lastlog records written on the machine.
PermitTTY no
PrintMotd no
PrintLastLog no
StrictModes no
UseDNS no
MaxStartups 200
MaxSessions 20
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
}

cmd_up() {
  local n="" dir="" prefix="" nopython=0 arches="x86_64" nopyhost=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --prefix) prefix=$2; shift 2 ;;
      --no-python) nopython=1; shift ;;
      --arch) arches=$2; shift 2 ;;
      --no-python-host) nopyhost=$2; shift 2 ;;
      -*) usage ;;
      *) if [ -z "$n" ]; then n=$1; elif [ -z "$dir" ]; then dir=$1; else usage; fi; shift ;;
    esac
  done
  [ -n "$n" ] && [ -n "$dir" ] || usage
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 500 ] || die "N must be 1..500, got '$n'"
  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
  for t in ip socat sshd ssh-keygen; do command -v "$t" >/dev/null || die "$t not found"; done
  [ ! -e "$dir/.fleet" ] || die "$dir already holds a fleet; run 'fleet.sh down $dir' first"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # Namespace names are machine-wide: derive a short prefix from DIR.
  [ -n "$prefix" ] || prefix="ptf$(printf '%s' "$dir" | sha256sum | cut -c1-5)"
  [[ "$prefix" =~ ^[a-z0-9][a-z0-9-]{0,15}$ ]] || die "bad prefix '$prefix'"
  touch "$dir/.fleet"
  # Ansible's SSH connection sockets: a short path (sun_path is 108 bytes),
  # not the user's ~/.ansible/cp.
  mktemp -d /tmp/ptfcp.XXXXXX >"$dir/cpdir"
  : >"$dir/hosts"
  machine_state >"$dir/machine.before"
  ssh-keygen -q -t ed25519 -N '' -C fleet-client -f "$dir/id_ed25519"
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  : >"$dir/known_hosts"
  local i name h pid alist arch hostnopy
  IFS=, read -r -a alist <<<"$arches"
  for i in $(seq 1 "$n"); do
    arch=${alist[$(( (i - 1) % ${#alist[@]} ))]}
    hostnopy=$nopython
    [ "$i" = "$nopyhost" ] && hostnopy=1
    name=$(printf '%s-%02d' "$prefix" "$i")
    ! ip netns list | grep -qw "^$name" || die "network namespace $name exists already"
    h="$dir/h/$name"
    mkdir -p "$h/root" "$h/varlib" "$h/run"
    chmod 0700 "$h/root"
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$h/ssh_host_ed25519_key"
    printf '%s %s\n' "$name" "$(cut -d' ' -f1,2 "$h/ssh_host_ed25519_key.pub")" >>"$dir/known_hosts"
    sshd_config "$dir" "$h" >"$h/sshd_config"
    host_start_script "$h" "$hostnopy" "$arch" >"$h/start.sh"
    echo "$arch" >"$h/arch"
    ip netns add "$name"
    # Recorded at once, so `down` can clean up after a failure further on.
    printf '%s -\n' "$name" >>"$dir/hosts"
    ip -n "$name" link set lo up
    mkdir -p "/etc/netns/$name/sysctl.d"
    setsid ip netns exec "$name" sh "$h/start.sh" </dev/null >"$h/sshd.log" 2>&1 &
    pid=$!
    sed -i "s/^$name -\$/$name $pid/" "$dir/hosts"
  done
  # Wait until every sshd listens.
  local tries ok
  while read -r name pid; do
    ok=0
    for tries in $(seq 1 100); do
      if ip netns exec "$name" socat -u OPEN:/dev/null TCP:127.0.0.1:22,connect-timeout=1 2>/dev/null; then
        ok=1; break
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    [ "$ok" = 1 ] || { cat "$dir/h/$name/sshd.log" >&2; die "sshd of $name did not start"; }
  done <"$dir/hosts"
  write_inventory "$dir" "$nopython" >"$dir/inventory.yml"
  echo "fleet: $n host(s) up in $dir (inventory $dir/inventory.yml)"
}

write_inventory() {
  local dir=$1 nopython=$2 name pid
  cat <<EOF
# Written by tests/fleet/fleet.sh: a simulated fleet reached over real SSH.
all:
  vars:
    ansible_user: root
    ansible_ssh_private_key_file: $dir/id_ed25519
    ansible_ssh_use_tty: false
    ansible_control_path_dir: $(cat "$dir/cpdir")
    fleet_dir: $dir
EOF
  if [ "$nopython" = 0 ]; then
    echo "    ansible_python_interpreter: /usr/bin/python3"
  fi
  cat <<EOF
  children:
    fleet:
      hosts:
EOF
  while read -r name pid; do
    cat <<EOF
        $name:
          ansible_host: $name
          fleet_netns: $name
          ansible_ssh_common_args: >-
            -F /dev/null
            -o ProxyCommand="ip netns exec $name socat - TCP:127.0.0.1:22"
            -o UserKnownHostsFile=$dir/known_hosts
            -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o LogLevel=ERROR
EOF
  done <"$dir/hosts"
}

fleet_dir() {
  local dir=$1
  [ -f "$dir/.fleet" ] || die "$dir holds no fleet"
  (cd "$dir" && pwd)
}

# Is PID the sshd we started for host dir H?
is_our_sshd() {
  local pid=$1 h=$2
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-f $h/sshd_config"
}

cmd_down() {
  [ $# = 1 ] || usage
  local dir name pid p cp
  dir=$(fleet_dir "$1")
  if [ -f "$dir/hosts" ]; then
    while read -r name pid; do
      if [ "$pid" != - ] && is_our_sshd "$pid" "$dir/h/$name"; then
        kill "$pid" 2>/dev/null || true
      fi
      # Sessions our sshd forked (and ssh proxies) live in our namespace only.
      if ip netns list | grep -qw "^$name"; then
        for p in $(ip netns pids "$name" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
      fi
    done <"$dir/hosts"
    while read -r name pid; do
      for _ in $(seq 1 50); do
        if [ "$pid" != - ] && is_our_sshd "$pid" "$dir/h/$name"; then sleep 0.05; continue; fi
        if ip netns list | grep -qw "^$name" && [ -n "$(ip netns pids "$name" 2>/dev/null)" ]; then
          sleep 0.05; continue
        fi
        break
      done
      if ip netns list | grep -qw "^$name"; then
        for p in $(ip netns pids "$name" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        ip netns del "$name"
      fi
      rm -rf "/etc/netns/$name"
    done <"$dir/hosts"
  fi
  rmdir /etc/netns 2>/dev/null || true
  if [ -f "$dir/cpdir" ]; then
    cp=$(cat "$dir/cpdir")
    case "$cp" in /tmp/ptfcp.*) rm -rf "$cp" ;; esac
  fi
  rm -rf "$dir"
  echo "fleet: down, $dir removed"
}

cmd_check() {
  [ $# = 1 ] || usage
  local dir
  dir=$(fleet_dir "$1")
  if machine_state | diff -u "$dir/machine.before" - >&2; then
    echo "fleet: machine's own port settings and /etc/sysctl.d unchanged"
  else
    die "the machine's own settings changed (diff above)"
  fi
}

cmd_exec() {
  [ $# -ge 3 ] || usage
  local dir=$1 host=$2 pid
  shift 2
  dir=$(fleet_dir "$dir")
  pid=$(awk -v h="$host" '$1 == h { print $2 }' "$dir/hosts")
  [ -n "$pid" ] && [ "$pid" != - ] || die "no host $host in $dir"
  is_our_sshd "$pid" "$dir/h/$host" || die "sshd of $host is not running"
  # Enter the host's network and mount namespaces, as its sshd sees them.
  nsenter -t "$pid" -n -m -- "$@"
}

cmd_list() {
  [ $# = 1 ] || usage
  awk '{ print $1 }' "$(fleet_dir "$1")/hosts"
}

[ $# -ge 1 ] || usage
cmd=$1; shift
case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  check) cmd_check "$@" ;;
  exec) cmd_exec "$@" ;;
  list) cmd_list "$@" ;;
  *) usage ;;
esac
