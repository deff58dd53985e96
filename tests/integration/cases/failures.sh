# SPDX-License-Identifier: MIT
# Kernel refusals, rollback, read-only /proc/sys and missing knobs.

# The kernel refuses a later key (a read-only bind mount over its /proc/sys
# file gives EROFS): the keys written before it go back, the file stays.
t_rollback_when_a_later_key_is_refused() {
  local live_before file_before
  converge
  live_before=$(live_snapshot)
  file_before=$(file_stamp "$SF")
  make_ro "$IPV4/tcp_max_tw_buckets" || fail "cannot make tcp_max_tw_buckets read-only"
  run '{"port_range": "20000-40001", "fin_timeout": 45, "tw_reuse": 0, "max_tw_buckets": 6000}'
  assert_failed "a refused max_tw_buckets" "max_tw_buckets" "tcp_max_tw_buckets = 6000" \
    "Read-only file system" "put back" "file was not changed"
  assert_eq "$(live_snapshot)" "$live_before" "live values after the rollback"
  assert_eq "$(file_stamp "$SF")" "$file_before" "$SF after the rollback"
}

# Same on a fresh host: nothing was in the file, nothing is.
t_rollback_on_fresh_host_leaves_no_file() {
  local live_before
  live_before=$(live_snapshot)
  make_ro "$IPV4/tcp_max_tw_buckets" || fail "cannot make tcp_max_tw_buckets read-only"
  run "$DESIRED"
  assert_failed "a refused max_tw_buckets" "max_tw_buckets" "put back"
  assert_eq "$(live_snapshot)" "$live_before" "live values after the rollback"
  assert_file_absent "$SF"
}

# Writing the file fails after the live values were written: they go back.
t_rollback_when_the_file_cannot_be_written() {
  local live_before
  live_before=$(live_snapshot)
  make_ro "$(dirname "$SF")" || fail "cannot make $(dirname "$SF") read-only"
  run "$DESIRED"
  assert_failed "an unwritable sysctl.d" "$(dirname "$SF")" "put back"
  assert_eq "$(live_snapshot)" "$live_before" "live values after the rollback"
  assert_file_absent "$SF"
}

t_sysctl_file_in_missing_directory_fails_cleanly() {
  local live_before
  live_before=$(live_snapshot)
  SF=$T/no-such-dir/60-porttune.conf
  run "$DESIRED"
  assert_failed "sysctl_file in a missing directory" "$T/no-such-dir" "does not exist"
  assert_eq "$(live_snapshot)" "$live_before" "live values"
  assert_file_absent "$T/no-such-dir"
}

# Containers: a read-only /proc/sys with the right values is fine.
t_readonly_proc_sys_with_right_values_is_ok() {
  converge
  make_ro "$IPV4" || fail "cannot make $IPV4 read-only"
  run_file
  assert_ok false "read-only /proc/sys, values right"
  rm -f "$SF"
  run_file
  assert_ok true "read-only /proc/sys, values right, file missing"
  assert_eq "$(tail -n +2 "$SF")" "$(desired_lines)" "$SF written"
}

t_readonly_proc_sys_with_wrong_values_fails() {
  local before
  make_ro "$IPV4" || fail "cannot make $IPV4 read-only"
  before=$(live_snapshot)
  run "$DESIRED"
  assert_failed "read-only /proc/sys, values wrong" "port_range" "Read-only file system" \
    "apply: false" "Nothing was changed"
  assert_eq "$(live_snapshot)" "$before" "live values"
  assert_file_absent "$SF"
}

# The image-building case: persist only.
t_readonly_proc_sys_apply_false_persists() {
  local live_before
  make_ro "$IPV4" || fail "cannot make $IPV4 read-only"
  live_before=$(live_snapshot)
  run "$(desired '{"apply": false}')"
  assert_ok true "read-only /proc/sys, apply=false"
  assert_eq "$(tail -n +2 "$SF")" "$(desired_lines)" "$SF written"
  assert_eq "$(live_snapshot)" "$live_before" "live values"
}

# The kernel refuses a range starting below ip_unprivileged_port_start, which
# is per namespace: raise it here, and the check must use this host's value.
t_port_range_below_raised_unprivileged_start() {
  local before
  set_live ip_unprivileged_port_start 5000
  before=$(world_stamp)
  run '{"port_range": "4000-60999", "fin_timeout": 45}'
  assert_failed "port_range below ip_unprivileged_port_start" "4000-60999" "(5000)" \
    "Nothing was changed"
  assert_eq "$(j '.object')" port_range "object"
  assert_eq "$(world_stamp)" "$before" "live values and files"
  run '{"port_range": "5000-60999"}'
  assert_ok true "port_range at ip_unprivileged_port_start"
  assert_eq "$(live ip_local_port_range)" "5000 60999" "live port_range"
}

# A knob this kernel lacks (tw_reuse_delay before 6.13). Simulated: a tmpfs
# over /proc/sys/net/ipv4 holding copies of the other files only.
t_missing_knob_fails_clearly() {
  local k before
  mkdir -p "$T/fake-ipv4"
  for k in $KEYS ip_unprivileged_port_start; do
    [ "$k" = tcp_tw_reuse_delay ] || tr '\t' ' ' <"$IPV4/$k" >"$T/fake-ipv4/$k"
  done
  mount -t tmpfs porttune-test "$IPV4" && cp "$T/fake-ipv4/"* "$IPV4/" ||
    { fail "cannot fake a kernel without tcp_tw_reuse_delay"; return; }
  before=$(world_stamp)
  run '{"tw_reuse_delay": 500, "fin_timeout": 45}'
  assert_failed "tw_reuse_delay on an older kernel" "tw_reuse_delay" "6.13" "Nothing was changed"
  assert_eq "$(world_stamp)" "$before" "(fake) live values and files"
  run '{"fin_timeout": 45}'
  assert_ok true "other keys still work"
  assert_eq "$(j '.settings | has("tw_reuse_delay")')" false "no settings entry for a missing knob"
}
