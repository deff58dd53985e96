# SPDX-License-Identifier: MIT
# One capacity model: the module, `porttune get`, `porttune facts`,
# `porttune diagnose` and porttune_info print the same capacity object.

# 40000-41011 is 1012 ports; 12 of the reserved ports lie inside (8080 does
# not): 1000 usable, 1000 / 60 s = 16.666... new connections per second,
# rounded down to hundredths. (Before one model, the module said 16.6 and
# the diagnosis 16.67.)
CAPACITY_WANT='{"port_range":"40000-41011","range_size":1012,"reserved_in_range":12,
  "usable_ports":1000,"time_wait_seconds":60,"max_new_connections_per_second":16.66}'

# cap_eq NAME JSON: JSON (a capacity object) is exactly CAPACITY_WANT.
cap_eq() {
  jq -e --argjson want "$CAPACITY_WANT" '. == $want' >/dev/null 2>&1 <<<"$2" ||
    fail "$1: capacity is [$(jq -c . <<<"$2" 2>/dev/null || echo "$2")], want [$(jq -c . <<<"$CAPACITY_WANT")]"
}

t_capacity_is_one_model_in_every_front_end() {
  local out rc
  run '{"port_range": "40000-41011", "reserved_ports": "8080,40001,40500-40509,41011"}'
  assert_ok true "converge"
  cap_eq "module (converging run)" "$(jq -c '.capacity' <<<"$OUT")"
  run_file   # again: in line now, check the in-sync result too
  assert_ok false "second run"
  cap_eq "module (in-sync run)" "$(jq -c '.capacity' <<<"$OUT")"

  out=$("$PT_BIN" get --json --file "$SF" --state-file "$STF" 2>"$T/get.err")
  assert_eq "$?" 0 "porttune get --json: exit code"
  cap_eq "porttune get --json" "$(jq -c '.capacity' <<<"$out")"

  out=$("$PT_BIN" facts --file "$SF" --state-file "$STF" 2>"$T/facts.err")
  assert_eq "$?" 0 "porttune facts: exit code"
  cap_eq "porttune facts" "$(jq -c '.porttune.capacity' <<<"$out")"

  # No socket here, so the diagnosis warns about nothing: exit 0.
  out=$("$PT_BIN" diagnose --json 2>"$T/diag.err")
  rc=$?
  assert_eq "$rc" 0 "porttune diagnose --json: exit code ($(cat "$T/diag.err"))"
  cap_eq "porttune diagnose --json" "$(jq -c '.capacity' <<<"$out")"

  # porttune_info through the module entry, as Ansible runs it.
  printf '%s' '{"_ansible_module_name": "porttune_info", "_ansible_check_mode": false}' \
    >"$T/info.json"
  out=$("$PT_BIN" "$T/info.json" 2>"$T/info.err")
  assert_eq "$?" 0 "porttune_info: exit code ($out)"
  cap_eq "porttune_info" "$(jq -c '.port_pressure.capacity' <<<"$out")"
}

t_capacity_whole_range_reserved() {
  local out
  run '{"port_range": "40000-40009", "reserved_ports": "39990-40020"}'
  assert_ok true "converge"
  assert_eq "$(jq -c '.capacity | [.range_size, .reserved_in_range, .usable_ports, .max_new_connections_per_second]' <<<"$OUT")" \
    "[10,10,0,0]" "module capacity with every port reserved"
  out=$("$PT_BIN" diagnose --json 2>/dev/null)
  assert_eq "$(jq -c '.capacity' <<<"$out")" "$(jq -c '.capacity' <<<"$OUT")" "diagnose == module"
  assert_contains "$(jq -r '.warnings[]' <<<"$out")" "Every port of the ephemeral range 40000-40009 is reserved" \
    "diagnose warns"
}
