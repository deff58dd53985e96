# SPDX-License-Identifier: MIT
# Files porttune does not own, duplicates, backups and state=absent.

# A Debian-style /etc/sysctl.conf: comments, blank lines, other keys, our keys
# written twice, a "-" prefixed line, no newline at the end.
write_foreign_file() {
  printf '%s\n' \
    '# /etc/sysctl.conf - Configuration file for setting system variables' \
    '# See /etc/sysctl.d/ for additional system variables.' \
    '' \
    'kernel.printk = 3 4 1 3' \
    'net.ipv4.tcp_fin_timeout = 10' \
    '; an old-style comment' \
    'net.ipv4.ip_forward=1' \
    'net/ipv4/tcp_fin_timeout=15   ' \
    '-net.ipv4.tcp_tw_reuse = 0' >"$1"
  printf 'vm.swappiness = 10' >>"$1"
  chmod 0600 "$1"
}

t_foreign_file_keeps_other_lines() {
  local before
  SF=$T/sysctl.conf
  write_foreign_file "$SF"
  run '{"fin_timeout": 30, "tw_reuse": 1, "port_range": "10000-60999"}'
  assert_ok true "editing a file porttune does not own"
  assert_eq "$(j '.settings.fin_timeout.persisted_before')" 15 "the last duplicate is the persisted value"
  # Earlier duplicates go, the deciding line is rewritten in place (keeping
  # its "-"), new keys are appended; nothing else moves; no managed header.
  assert_eq "$(cat "$SF")" "$(printf '%s\n' \
    '# /etc/sysctl.conf - Configuration file for setting system variables' \
    '# See /etc/sysctl.d/ for additional system variables.' \
    '' \
    'kernel.printk = 3 4 1 3' \
    '; an old-style comment' \
    'net.ipv4.ip_forward=1' \
    'net.ipv4.tcp_fin_timeout = 30' \
    '-net.ipv4.tcp_tw_reuse = 1' \
    'vm.swappiness = 10' \
    'net.ipv4.ip_local_port_range = 10000 60999')" "$SF after the edit"
  assert_eq "$(stat -c %a "$SF")" 600 "mode of $SF kept"
  before=$(file_stamp "$SF")
  sleep 0.02
  run_file
  assert_ok false "second run on the foreign file"
  assert_eq "$(file_stamp "$SF")" "$before" "bytes, mtime and inode of $SF"
}

# sysctl applies lines in order, so the last assignment of a key decides.
t_duplicates_last_one_wins() {
  local before
  SF=$T/sysctl.conf
  printf '%s\n' 'net.ipv4.tcp_fin_timeout = 45' 'kernel.x = 1' 'net.ipv4.tcp_fin_timeout = 30' >"$SF"
  before=$(file_stamp "$SF")
  run '{"fin_timeout": 30}'
  assert_eq "$(j '.settings.fin_timeout.persisted_changed')" false "last line already right"
  assert_eq "$(file_stamp "$SF")" "$before" "$SF untouched"
  printf '%s\n' 'net.ipv4.tcp_fin_timeout = 30' 'kernel.x = 1' 'net.ipv4.tcp_fin_timeout = 45' >"$SF"
  run '{"fin_timeout": 30}'
  assert_ok true "last line wrong"
  assert_eq "$(j '.settings.fin_timeout.persisted_changed')" true "last line wrong: persisted_changed"
  assert_eq "$(cat "$SF")" "$(printf '%s\n' 'kernel.x = 1' 'net.ipv4.tcp_fin_timeout = 30')" "$SF"
}

t_backup_keeps_a_copy() {
  local old backup nfiles
  converge
  old=$(cat "$SF")
  run '{"fin_timeout": 45, "backup": true}'
  assert_ok true "change with backup=true"
  backup=$(j '.backup_file // empty')
  assert_ne "$backup" "" "backup_file in the result"
  if [ -n "$backup" ]; then
    assert_eq "$(cat "$backup" 2>&1)" "$old" "backup content = the file before"
    [[ $backup =~ ^"$SF".[0-9]+\.[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9]{2}:[0-9]{2}:[0-9]{2}~$ ]] ||
      fail "backup name $backup is not $SF.PID.YYYY-MM-DD@HH:MM:SS~ (must not end in .conf)"
  fi
  assert_contains "$(cat "$SF")" "net.ipv4.tcp_fin_timeout = 45" "$SF after the change"
  nfiles=$(ls -A "$(dirname "$SF")" | wc -l)
  run '{"fin_timeout": 45, "backup": true}'
  assert_ok false "no change with backup=true"
  assert_eq "$(j 'has("backup_file")')" false "no backup without a change"
  assert_eq "$(ls -A "$(dirname "$SF")" | wc -l)" "$nfiles" "no new file without a change"
}

t_state_absent_restores_original_live_values() {
  local orig
  orig=$(live_snapshot)
  converge
  # A second change must not overwrite the remembered originals.
  run '{"fin_timeout": 45, "port_range": "20000-40001"}'
  assert_ok true "second change"
  run '{"state": "absent"}'
  assert_ok true "state=absent"
  assert_eq "$(live_snapshot)" "$orig" "live values back to the ones before porttune"
  assert_file_absent "$SF"
  assert_file_absent "$STF"
  assert_eq "$(j '.settings.fin_timeout.after')" "$(echo "$orig" | sed -n 's/^tcp_fin_timeout = //p')" \
    "settings.fin_timeout.after"
  run '{"state": "absent"}'
  assert_ok false "state=absent again"
}

t_state_absent_of_one_key() {
  local orig_fin
  orig_fin=$(live tcp_fin_timeout)
  converge
  run '{"state": "absent", "fin_timeout": 30}'
  assert_ok true "state=absent for fin_timeout"
  assert_eq "$(live tcp_fin_timeout)" "$orig_fin" "fin_timeout restored"
  assert_eq "$(live ip_local_port_range)" "10000 60999" "port_range kept"
  assert_eq "$(tail -n +2 "$SF")" "$(desired_lines | grep -v tcp_fin_timeout)" "$SF without fin_timeout"
  assert_eq "$(jq -r '.original | has("fin_timeout")' "$STF")" false "fin_timeout forgotten in the state file"
  assert_eq "$(jq -r '.original | has("port_range")' "$STF")" true "port_range still remembered"
}

t_state_absent_in_foreign_file_keeps_it() {
  SF=$T/sysctl.conf
  write_foreign_file "$SF"
  run '{"fin_timeout": 30, "port_range": "10000-60999"}'
  assert_ok true "converge into the foreign file"
  run '{"state": "absent"}'
  assert_ok true "state=absent"
  assert_eq "$(cat "$SF")" "$(printf '%s\n' \
    '# /etc/sysctl.conf - Configuration file for setting system variables' \
    '# See /etc/sysctl.d/ for additional system variables.' \
    '' \
    'kernel.printk = 3 4 1 3' \
    '; an old-style comment' \
    'net.ipv4.ip_forward=1' \
    'vm.swappiness = 10')" "$SF keeps everything but our keys"
}

t_state_absent_check_mode_changes_nothing() {
  local before
  converge
  before=$(world_stamp)
  run '{"state": "absent", "_ansible_check_mode": true, "_ansible_diff": true}'
  assert_ok true "state=absent in check mode"
  assert_jstr '.diff[1].after' "" "file diff after: the file goes"
  assert_eq "$(world_stamp)" "$before" "live values and files"
}
