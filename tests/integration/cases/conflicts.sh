# SPDX-License-Identifier: MIT
# Boot-order conflicts, with the module's default paths, inside `ip netns exec`
# (its /etc/sysctl.d and /etc/sysctl.conf are /etc/netns/NAME's; /var/lib is
# a tmpfs): tn_* tests run there, see run.sh and netns_setup.

# Files a Debian host could have besides ours (60-porttune.conf):
#   10-early.conf      read before ours: never a conflict
#   90-late.conf       read after ours, sets port_range on line 3: conflict
#   95-same.conf       read after ours, same tw_reuse as we want: no conflict
#   99-sysctl.conf     -> ../sysctl.conf, read last, sets max_tw_buckets on line 3
write_boot_files() {
  printf 'net.ipv4.tcp_fin_timeout = 20\nnet.ipv4.ip_local_port_range = 40000 50001\n' \
    >/etc/sysctl.d/10-early.conf
  printf '# tuned by someone else\nkernel.pid_max = 65536\nnet.ipv4.ip_local_port_range = 20000 30001\n' \
    >/etc/sysctl.d/90-late.conf
  printf 'net.ipv4.tcp_tw_reuse = 1\n' >/etc/sysctl.d/95-same.conf
  printf '# sysctl.conf\n\nnet.ipv4.tcp_max_tw_buckets=9000\n' >/etc/sysctl.conf
  ln -s ../sysctl.conf /etc/sysctl.d/99-sysctl.conf
}

t_check_conflicts_jq='[.conflicts[] | "\(.key) \(.file):\(.line) \(.value) \(.wins)"] | sort | join("\n")'

tn_conflicts_reported_with_file_line_value() {
  write_boot_files
  run "$DESIRED"
  assert_ok true "run with later files overriding two keys"
  assert_eq "$(j "$t_check_conflicts_jq")" \
    "max_tw_buckets /etc/sysctl.d/99-sysctl.conf:3 9000 true
port_range /etc/sysctl.d/90-late.conf:3 20000 30001 true" "conflicts"
  assert_contains "$(j '.warnings | join("\n")')" \
    "/etc/sysctl.d/90-late.conf:3 sets net.ipv4.ip_local_port_range = 20000 30001" "warnings"
  assert_contains "$(j '.warnings | join("\n")')" \
    "/etc/sysctl.d/99-sysctl.conf:3 sets net.ipv4.tcp_max_tw_buckets = 9000" "warnings"
  assert_eq "$(j '.settings.port_range.boot')" "20000-30001" "port_range effective at boot"
  assert_eq "$(j '.settings.port_range.boot_source')" "/etc/sysctl.d/90-late.conf:3" "port_range boot_source"
  assert_eq "$(j '.settings.fin_timeout.boot')" 30 "fin_timeout effective at boot (ours)"
  assert_eq "$(j '.settings.fin_timeout.boot_source')" "/etc/sysctl.d/60-porttune.conf" "fin_timeout boot_source"
  assert_eq "$(j '.sysctl_file')" /etc/sysctl.d/60-porttune.conf "default sysctl_file"
  # Conflicts are about the next boot; the live values are still converged.
  assert_eq "$(live_snapshot)" "$(desired_live)" "live values"
  assert_eq "$(tail -n +2 /etc/sysctl.d/60-porttune.conf)" "$(desired_lines)" "our file"
  [ -f /var/lib/porttune/state.json ] || fail "default state file /var/lib/porttune/state.json missing"
  run_file
  assert_ok false "second run"
  assert_eq "$(j '.conflicts | length')" 2 "conflicts still reported on the second run"
}

# A slashed name sets our key too. A glob line does not override an
# explicit assignment (sysctl.d(5)), and ours are explicit: no conflict.
tn_conflicts_in_slash_lines_not_globs() {
  printf 'net/ipv4/tcp_fin_timeout = 50\n' >/etc/sysctl.d/70-slash.conf
  printf '# all buckets\nnet.ipv4.tcp_max_tw_bucket? = 1000\n' >/etc/sysctl.d/80-glob.conf
  run '{"fin_timeout": 30, "max_tw_buckets": 5000}'
  assert_ok true "run with slash and glob lines"
  assert_eq "$(j "$t_check_conflicts_jq")" \
    "fin_timeout /etc/sysctl.d/70-slash.conf:1 50 true" "conflicts"
  assert_eq "$(j '.settings.max_tw_buckets.boot')" 5000 "max_tw_buckets effective at boot (ours)"
}

tn_conflicts_fail_stops_before_any_change() {
  local before
  write_boot_files
  before=$(world_stamp)
  run "$(desired '{"conflicts": "fail"}')"
  assert_failed "conflicts=fail" "conflicts=fail" "port_range" "nothing was changed"
  assert_eq "$(world_stamp)" "$before" "live values, /etc/sysctl.d and /var/lib/porttune"
  assert_file_absent /etc/sysctl.d/60-porttune.conf
  assert_file_absent /var/lib/porttune
  # Also in check mode, and whatever the other keys would do.
  run "$(desired '{"conflicts": "fail", "_ansible_check_mode": true}')"
  assert_failed "conflicts=fail in check mode" "conflicts=fail"
}

# The failure must say where the overriding line is, as the warning does.
tn_conflicts_fail_names_file_and_line() {
  write_boot_files
  run '{"port_range": "10000-60999", "conflicts": "fail"}'
  assert_failed "conflicts=fail" "/etc/sysctl.d/90-late.conf:3" "20000 30001"
}

tn_conflicts_fail_passes_when_later_files_agree() {
  printf 'net.ipv4.tcp_tw_reuse = 1\n' >/etc/sysctl.d/95-same.conf
  printf 'net.ipv4.tcp_fin_timeout = 20\n' >/etc/sysctl.d/10-early.conf
  run "$(desired '{"conflicts": "fail"}')"
  assert_ok true "conflicts=fail, no overriding line"
  assert_eq "$(j '.conflicts | length')" 0 "conflicts"
}

tn_conflicts_ignore_does_not_warn() {
  write_boot_files
  run "$(desired '{"conflicts": "ignore"}')"
  assert_ok true "conflicts=ignore"
  assert_not_contains "$(j '.warnings | join("\n")')" "wins at next boot" "warnings"
}

# The default paths end to end: state=absent puts the live values back from
# /var/lib/porttune/state.json and removes /etc/sysctl.d/60-porttune.conf.
tn_default_paths_absent_restores() {
  local orig
  orig=$(live_snapshot)
  converge
  [ -f /var/lib/porttune/state.json ] || fail "default state file missing"
  run '{"state": "absent"}'
  assert_ok true "state=absent"
  assert_eq "$(live_snapshot)" "$orig" "live values restored"
  assert_file_absent /etc/sysctl.d/60-porttune.conf
  assert_file_absent /var/lib/porttune/state.json
}
