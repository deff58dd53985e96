# SPDX-License-Identifier: MIT
# Sourced by run.sh and front.sh (inside their own network namespace): sets
# the namespace's port sysctls and starts the known loopback traffic.
# Needs: $here, $py, fail(). Sets: $ipv4, $tmp (removed on exit), $gen_pid.

# pt_diag_traffic NAME: range 40000-40999, reserved 40001,40500-40509; 6
# listeners (40000 and 40002 unreserved inside the range), 140 established
# sockets, 80 client-side TIME_WAIT; returns once the sockets are settled.
pt_diag_traffic() {
  ipv4=/proc/sys/net/ipv4
  [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
    fail "not inside a new network namespace; refusing to write sysctls"
  ip link set lo up
  echo "40000 40999" >$ipv4/ip_local_port_range
  echo "40001,40500-40509" >$ipv4/ip_local_reserved_ports
  echo 5000 >$ipv4/tcp_max_tw_buckets
  # No early reuse of TIME_WAIT ports (default 2 reuses them on loopback after 1 s).
  echo 0 >$ipv4/tcp_tw_reuse

  tmp=$(mktemp -d "/tmp/pt-diag-$1.XXXXXX")
  gen_pid=""
  trap pt_diag_cleanup EXIT
  "$py" "$here/traffic.py" "$tmp/ready" \
    listen:127.0.0.1:8080 listen:::1:8081 listen:127.0.0.2:8082 \
    listen:127.0.0.1:40000 listen:127.0.0.1:40001 listen:::1:40002 \
    hold:127.0.0.1:8080:50 hold:::1:8081:20 \
    tw:127.0.0.1:8080:30 tw:::1:8081:40 tw:127.0.0.2:8082:10 &
  gen_pid=$!
  for _ in $(seq 200); do
    [ -f "$tmp/ready" ] && break
    kill -0 "$gen_pid" 2>/dev/null || fail "traffic generator died"
    sleep 0.05
  done
  [ -f "$tmp/ready" ] || fail "traffic generator not ready after 10 s"
  # Server ends of the closed connections pass LAST_ACK on the way out.
  for _ in $(seq 100); do
    [ -z "$(ss -tanH state last-ack state close-wait state fin-wait-1 state closing)" ] && break
    sleep 0.05
  done
}

pt_diag_cleanup() {
  [ -z "$gen_pid" ] || kill "$gen_pid" 2>/dev/null || true
  [ -z "$gen_pid" ] || wait "$gen_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
