# SPDX-License-Identifier: MIT
# Converging: first run, idempotence, check and diff mode, drift, apply/persist.

t_first_run_changes_live_and_file() {
  local orig_range orig_fin
  orig_range=$(live ip_local_port_range)
  orig_fin=$(live tcp_fin_timeout)
  run "$DESIRED"
  assert_ok true "first run"
  assert_eq "$(live_snapshot)" "$(desired_live)" "live values after the first run"
  assert_eq "$(head -n 1 "$SF" | cut -c1-${#MANAGED_HEADER})" "$MANAGED_HEADER" "first line of $SF"
  assert_eq "$(tail -n +2 "$SF")" "$(desired_lines)" "key = value lines of $SF"
  assert_eq "$(stat -c %a "$SF")" 644 "mode of $SF"
  assert_eq "$(ls -A "$(dirname "$SF")")" "$(basename "$SF")" "no temporary files left beside $SF"
  assert_eq "$(j '.sysctl_file')" "$SF" "sysctl_file in the result"
  assert_eq "$(j '.settings.port_range.before')" "${orig_range/ /-}" "settings.port_range.before"
  assert_eq "$(j '.settings.port_range.after')" "10000-60999" "settings.port_range.after"
  assert_eq "$(j '.settings.reserved_ports.after')" "20000-20001,30000-30100" "settings.reserved_ports.after"
  assert_eq "$(j '[.settings[] | .live_changed and .persisted_changed and .changed] | all')" true \
    "every key changed live and in the file"
  assert_eq "$(j '.settings | keys | length')" "$(echo $KEYS | wc -w)" "one settings entry per key"
  # 51000 ports - 103 reserved = 50897 usable; 50897 / 60 s = 848.28 per second (rounded down)
  assert_eq "$(j '.capacity.usable_ports')" 50897 "capacity.usable_ports"
  assert_eq "$(j '.capacity.reserved_in_range')" 103 "capacity.reserved_in_range"
  assert_eq "$(j '.capacity.time_wait_seconds')" 60 "capacity.time_wait_seconds"
  assert_eq "$(j '.capacity.max_new_connections_per_second')" 848.28 "capacity.max_new_connections_per_second"
  # The state file keeps the values from before the first change, for state=absent.
  assert_eq "$(jq -r '.original.port_range' "$STF")" "$orig_range" "state file: original port_range"
  assert_eq "$(jq -r '.original.fin_timeout' "$STF")" "$orig_fin" "state file: original fin_timeout"
}

t_second_run_changes_nothing() {
  local file_before state_before live_before
  converge
  file_before=$(file_stamp "$SF")
  state_before=$(file_stamp "$STF")
  live_before=$(live_snapshot)
  sleep 0.02   # a rewrite would move the mtime even on a coarse clock
  run_file
  assert_ok false "second run"
  assert_eq "$(j '[.settings[] | .changed or .live_changed or .persisted_changed] | any')" false \
    "no key reports a change"
  assert_eq "$(file_stamp "$SF")" "$file_before" "bytes, mtime and inode of $SF"
  assert_eq "$(file_stamp "$STF")" "$state_before" "state file"
  assert_eq "$(live_snapshot)" "$live_before" "live values"
}

# The kernel prints the range with a TAB and reserved ports sorted and merged;
# every spelling of the same values must compare equal.
t_equivalent_spellings_change_nothing() {
  local before spelling
  converge
  before=$(file_stamp "$SF")
  for spelling in \
    '{"port_range": [10000, 60999]}' \
    '{"port_range": ["10000", "60999"]}' \
    '{"port_range": "10000 60999"}' \
    '{"port_range": " 10000 - 60999 "}' \
    '{"reserved_ports": [20000, "20001", "30000-30100"]}' \
    '{"reserved_ports": "30000-30100, 20001,20000"}' \
    '{"reserved_ports": "20000-20001,30000-30050,30040-30100"}' \
    '{"fin_timeout": "30", "tw_reuse": "1", "max_tw_buckets": 5000.0}'; do
    run "$spelling"
    assert_ok false "same values spelt $spelling"
  done
  assert_eq "$(file_stamp "$SF")" "$before" "$SF after the re-spelt runs"
}

t_ansible_keys_and_null_options_ignored() {
  converge
  run "$(desired '{"_ansible_module_name": "porttune", "_ansible_verbosity": 3,
    "_ansible_no_log": false, "_ansible_new_future_key": {"x": 1},
    "backup": null, "conflicts": null}')"
  assert_ok false "run with _ansible_* keys and null options"
}

t_check_mode_on_fresh_host_changes_nothing() {
  local before
  before=$(world_stamp)
  run "$(desired '{"_ansible_check_mode": true}')"
  assert_ok true "check mode"
  assert_eq "$(j '.settings.fin_timeout.live_changed')" true "check mode reports the live change"
  assert_eq "$(j '.settings.fin_timeout.persisted_changed')" true "check mode reports the file change"
  assert_eq "$(world_stamp)" "$before" "live values, $SF and the state file"
  assert_file_absent "$SF"
  assert_file_absent "$STF"
}

t_check_mode_on_converged_host_changes_nothing() {
  local before
  converge
  before=$(world_stamp)
  sleep 0.02
  run '{"port_range": "20000-40001", "fin_timeout": 45, "_ansible_check_mode": "yes"}'
  assert_ok true "check mode with new values"
  assert_eq "$(world_stamp)" "$before" "live values, bytes and mtime of $SF, state file"
  run "$(desired '{"_ansible_check_mode": true}')"
  assert_ok false "check mode with the values already there"
  assert_eq "$(world_stamp)" "$before" "live values, bytes and mtime of $SF, state file"
}

t_diff_shows_live_and_file_texts() {
  converge
  cp "$SF" "$T/file-before"
  sed -e 's/^net.ipv4.ip_local_port_range = .*/net.ipv4.ip_local_port_range = 20000 40001/' \
      -e 's/^net.ipv4.tcp_fin_timeout = .*/net.ipv4.tcp_fin_timeout = 45/' "$SF" >"$T/file-after"
  run '{"port_range": "20000-40001", "fin_timeout": 45, "_ansible_check_mode": true, "_ansible_diff": true}'
  assert_ok true "check + diff"
  assert_eq "$(j '.diff | length')" 2 "two diffs: live values and file"
  assert_eq "$(j '.diff[0].before_header')" "live values (/proc/sys)" "live diff header"
  assert_jstr '.diff[0].before' \
    "net.ipv4.ip_local_port_range = 10000 60999
net.ipv4.tcp_fin_timeout = 30
" "live diff before"
  assert_jstr '.diff[0].after' \
    "net.ipv4.ip_local_port_range = 20000 40001
net.ipv4.tcp_fin_timeout = 45
" "live diff after"
  assert_eq "$(j '.diff[1].before_header')" "$SF" "file diff header"
  jraw '.diff[1].before' >"$T/diff-before"
  jraw '.diff[1].after' >"$T/diff-after"
  cmp -s "$T/diff-before" "$T/file-before" || fail "file diff before is not the file's bytes: $(diff "$T/file-before" "$T/diff-before")"
  cmp -s "$T/diff-after" "$T/file-after" || fail "file diff after is not the expected text: $(diff "$T/file-after" "$T/diff-after")"
  # Without check mode, the diff's "after" is what gets written.
  run '{"port_range": "20000-40001", "fin_timeout": 45, "_ansible_diff": true}'
  assert_ok true "diff run"
  jraw '.diff[1].after' >"$T/diff-after"
  cmp -s "$T/diff-after" "$SF" || fail "file diff after is not the file written: $(diff "$SF" "$T/diff-after")"
  assert_jstr '.diff[0].after' "net.ipv4.ip_local_port_range = $(live ip_local_port_range)
net.ipv4.tcp_fin_timeout = $(live tcp_fin_timeout)
" "live diff after = the live values"
  # No diff key without _ansible_diff; an unchanged run's diff has before == after.
  run '{"port_range": "20000-40001", "fin_timeout": 45}'
  assert_eq "$(j 'has("diff")')" false "diff without _ansible_diff"
  run '{"port_range": "20000-40001", "fin_timeout": 45, "_ansible_diff": true}'
  assert_ok false "unchanged diff run"
  assert_eq "$(j '[.diff[] | .before == .after] | all')" true "unchanged: before == after"
}

t_live_drift_fixes_live_only() {
  local file_before
  converge
  file_before=$(file_stamp "$SF")
  set_live tcp_fin_timeout 45
  set_live ip_local_port_range "20000 40001"
  sleep 0.02
  run_file
  assert_ok true "run after a live value was changed by hand"
  assert_eq "$(j '.settings.fin_timeout.live_changed')" true "fin_timeout live_changed"
  assert_eq "$(j '.settings.fin_timeout.persisted_changed')" false "fin_timeout persisted_changed"
  assert_eq "$(j '.settings.port_range.before')" "20000-40001" "port_range before"
  assert_eq "$(j '[.settings[] | select(.live_changed)] | length')" 2 "keys fixed live"
  assert_eq "$(j '[.settings[] | select(.persisted_changed)] | length')" 0 "keys fixed in the file"
  assert_eq "$(live_snapshot)" "$(desired_live)" "live values"
  assert_eq "$(file_stamp "$SF")" "$file_before" "bytes, mtime and inode of $SF"
}

t_file_drift_fixes_file_only() {
  local fixed
  converge
  fixed=$(cat "$SF")
  sed -i -e 's/^net.ipv4.tcp_fin_timeout = 30$/net.ipv4.tcp_fin_timeout = 45/' "$SF"
  assert_ne "$(cat "$SF")" "$fixed" "hand edit of $SF"
  # A live write now fails, so a run that passes has not written any.
  make_ro "$IPV4" || fail "cannot make $IPV4 read-only"
  run_file
  assert_ok true "run after $SF was edited by hand"
  assert_eq "$(j '.settings.fin_timeout.persisted_before')" 45 "fin_timeout persisted_before"
  assert_eq "$(j '.settings.fin_timeout.persisted_changed')" true "fin_timeout persisted_changed"
  assert_eq "$(j '[.settings[] | select(.live_changed)] | length')" 0 "keys fixed live"
  assert_eq "$(cat "$SF")" "$fixed" "$SF after the fix"
  # A deleted file is recreated, live values again untouched.
  rm -f "$SF"
  run_file
  assert_ok true "run after $SF was deleted"
  assert_eq "$(cat "$SF")" "$fixed" "$SF recreated"
}

t_apply_false_persists_only() {
  local live_before
  live_before=$(live_snapshot)
  run "$(desired '{"apply": false}')"
  assert_ok true "apply=false"
  assert_eq "$(live_snapshot)" "$live_before" "live values"
  assert_eq "$(tail -n +2 "$SF")" "$(desired_lines)" "lines of $SF"
  assert_eq "$(j '[.settings[] | select(.live_changed)] | length')" 0 "keys changed live"
  run_file
  assert_ok false "apply=false again (live values still differ)"
  assert_eq "$(live_snapshot)" "$live_before" "live values"
}

t_persist_false_applies_only() {
  local before
  run "$(desired '{"persist": "no"}')"
  assert_ok true "persist=false"
  assert_eq "$(live_snapshot)" "$(desired_live)" "live values"
  assert_file_absent "$SF"
  run_file
  assert_ok false "persist=false again (file still missing)"
  # A file that disagrees is left alone too.
  printf '# hand-written\nnet.ipv4.tcp_fin_timeout = 45\n' >"$SF"
  before=$(file_stamp "$SF")
  run '{"fin_timeout": 50, "persist": false}'
  assert_ok true "persist=false with a new value"
  assert_eq "$(live tcp_fin_timeout)" 50 "live fin_timeout"
  assert_eq "$(file_stamp "$SF")" "$before" "$SF"
}

t_coerces_like_ansible() {
  run '{"port_range": "10000-60999", "fin_timeout": "30", "tw_reuse": "1",
        "max_tw_buckets": 5000.0, "apply": "yes", "persist": "on", "backup": "off",
        "_ansible_check_mode": "no", "_ansible_diff": 0}'
  assert_ok true "strings for ints and yes/on/off/0 for bools"
  assert_eq "$(live tcp_fin_timeout)" 30 "live fin_timeout"
  assert_eq "$(live tcp_max_tw_buckets)" 5000 "live max_tw_buckets"
  assert_eq "$(j 'has("diff")')" false "_ansible_diff 0 means no diff"
}

t_warnings_for_risky_values() {
  run '{"port_range": "10000-60000", "fin_timeout": 10, "max_tw_buckets": 0,
        "reserved_ports": "80,10000", "time_wait_delay": 60, "max_user_port": 30000}'
  assert_ok true "risky but valid values"
  assert_contains "$(j '.warnings | join("\n")')" "same parity" "warnings: same-parity range"
  assert_contains "$(j '.warnings | join("\n")')" "fin_timeout 10 is below 30" "warnings: short fin_timeout"
  assert_contains "$(j '.warnings | join("\n")')" "max_tw_buckets 0" "warnings: no TIME_WAIT buckets"
  assert_contains "$(j '.warnings | join("\n")')" "1 of 2 ports lie outside the port range" "warnings: reserved outside range"
  assert_contains "$(j '.warnings | join("\n")')" "time_wait_delay applies to Windows hosts only" "warnings: Windows-only option"
  assert_contains "$(j '.warnings | join("\n")')" "max_user_port applies to Windows hosts only" "warnings: Windows-only option"
  assert_eq "$(j '.settings | has("time_wait_delay")')" false "Windows-only option skipped"
  assert_eq "$(live tcp_max_tw_buckets)" 0 "live max_tw_buckets"
  # 50001 ports, 1 reserved inside
  assert_eq "$(j '.capacity.usable_ports')" 50000 "capacity.usable_ports"
}

t_windows_only_options_skipped() {
  local before
  before=$(world_stamp)
  run '{"time_wait_delay": 60, "max_user_port": 30000}'
  assert_ok false "only Windows options"
  assert_eq "$(world_stamp)" "$before" "live values and files"
}

# The kernel lists port 0 in ip_local_reserved_ports when it is set ("echo 0"
# is a common belief about clearing it): such a host is read, and a run that
# manages reserved_ports replaces the list, 0 included.
t_kernel_lists_reserved_port_zero() {
  set_live ip_local_reserved_ports "0,8080"
  assert_eq "$(live ip_local_reserved_ports)" "0,8080" "the kernel lists port 0"
  run '{"fin_timeout": 30}'
  assert_ok true "a run that does not manage reserved_ports"
  assert_eq "$(j '.capacity.reserved_in_range')" 0 "port 0 and 8080 lie outside the range"
  run '{"reserved_ports": "9000"}'
  assert_ok true "a run that manages reserved_ports"
  assert_eq "$(j '.settings.reserved_ports.before')" "0,8080" "settings.reserved_ports.before"
  assert_eq "$(live ip_local_reserved_ports)" "9000" "port 0 dropped"
}
