# SPDX-License-Identifier: MIT
# Malformed and invalid arguments: each fails with exit 1, failed=true, a
# message naming the option and value and saying "Nothing was changed", and
# changes nothing (live values, the sysctl file and the state file compared).

# check_invalid MODE TEXT NEEDLE...
#   obj      TEXT holds members of the args object; the test's paths and a
#            valid change ("max_tw_buckets": 7000) are added, so a run that
#            got past validation would change something
#   raw      TEXT is the whole args file; @SF@ and @STF@ stand for the paths
#   bytes    like raw, written with printf %b (for bytes JSON cannot hold)
#   missing  no args file at all
#   ansible  like obj, for unknown options: the message is Ansible's own
#            sentence, which does not add "Nothing was changed" (the unchanged
#            host is still checked)
check_invalid() {
  local mode=$1 text=$2 before f=$T/args.json tail="Nothing was changed"
  shift 2
  converge
  before=$(world_stamp)
  case $mode in
  ansible) tail="Unsupported parameters for (porttune) module: " ;&
  obj) printf '{"sysctl_file": "%s", "state_file": "%s", "max_tw_buckets": 7000, %s}' \
         "$SF" "$STF" "$text" >"$f" ;;
  raw) text=${text//@SF@/$SF}
       printf '%s' "${text//@STF@/$STF}" >"$f" ;;
  bytes) printf '%b' "$text" >"$f" ;;
  missing) f=$T/no-such-args.json ;;
  esac
  run_file "$f"
  assert_failed "args $mode [$text]" "$@" "$tail"
  assert_eq "$(world_stamp)" "$before" "live values and files after args [$text]"
}

# invalid NAME MODE TEXT NEEDLE...: defines the test t_invalid_NAME.
invalid() {
  local name=$1
  shift
  eval "t_invalid_$name() { check_invalid $(printf '%q ' "$@"); }"
}

# -- the args file itself
invalid args_bad_json raw '{"fin_timeout": 45,' "cannot parse the arguments file" "args.json"
invalid args_empty_file raw '' "args.json" "'[' or '{' expected"
invalid args_missing_file missing '' "no-such-args.json" "No such file or directory"
invalid args_not_an_object raw '[{"fin_timeout": 45}]' "must be a JSON object"
invalid args_not_utf8 bytes '{"fin_timeout": "\xff\xfe"}' "args.json" "unable to decode byte 0xff"
invalid args_duplicate_key raw \
  '{"sysctl_file": "@SF@", "state_file": "@STF@", "fin_timeout": 45, "fin_timeout": 50}' \
  "duplicate object key" "fin_timeout"
# -- unknown options, in Ansible's words
invalid unknown_option ansible '"port_rnage": "10000-60999"' \
  "Unsupported parameters for (porttune) module: port_rnage. Supported parameters include: apply, backup, conflicts, fin_timeout, max_tw_buckets, max_user_port, persist, port_range, reserved_ports, state, state_file, sysctl_file, time_wait_delay, tw_reuse, tw_reuse_delay."
invalid unknown_options_sorted ansible '"zeta": 1, "alpha": 2' \
  "Unsupported parameters for (porttune) module: alpha, zeta. Supported parameters include:"
# -- port_range
invalid port_range_dict obj '"port_range": {"start": 10000}' "port_range" "got a dict"
invalid port_range_bool obj '"port_range": true' "port_range" "got a bool"
invalid port_range_text obj '"port_range": "lots"' "port_range" "'lots' is not a port range"
invalid port_range_empty_text obj '"port_range": ""' "port_range" "'' is not a port range"
invalid port_range_inverted obj '"port_range": "60000-10000"' "port_range" "60000-10000 ends before it starts"
invalid port_range_port_0 obj '"port_range": "0-1000"' "port_range" "0 is not a port" "1-65535"
invalid port_range_port_70000 obj '"port_range": "10000-70000"' "port_range" "70000 is not a port" "1-65535"
invalid port_range_negative obj '"port_range": [-1, 100]' "port_range" "-1 is not a port"
invalid port_range_three_items obj '"port_range": [10000, 20000, 30000]' "port_range" "[START, END]"
invalid port_range_list_of_words obj '"port_range": ["low", "high"]' "port_range" "'low'"
invalid port_range_privileged obj '"port_range": "80-60999"' "port_range" "80-60999" \
  "ip_unprivileged_port_start (1024)"
# -- reserved_ports
invalid reserved_ports_text obj '"reserved_ports": "8080,web"' "reserved_ports" "'8080,web'"
invalid reserved_ports_70000 obj '"reserved_ports": [8080, 70000]' "reserved_ports" "70000 is not a port"
invalid reserved_ports_port_0 obj '"reserved_ports": "0"' "reserved_ports" "0 is not a port"
invalid reserved_ports_inverted obj '"reserved_ports": "9100-9000"' "reserved_ports" "'9100-9000' ends before it starts"
invalid reserved_ports_trailing_comma obj '"reserved_ports": "8080,"' "reserved_ports" "'8080,'"
invalid reserved_ports_dict_item obj '"reserved_ports": [8080, {"port": 9000}]' "reserved_ports" "item 2 is a dict"
invalid reserved_ports_bool obj '"reserved_ports": false' "reserved_ports" "got a bool"
# -- integers
invalid fin_timeout_word obj '"fin_timeout": "soon"' "fin_timeout" "'soon' is not a whole number"
invalid fin_timeout_zero obj '"fin_timeout": 0' "fin_timeout: 0 is out of range" "1-300"
invalid fin_timeout_too_big obj '"fin_timeout": 100000' "fin_timeout: 100000 is out of range" "1-300"
invalid fin_timeout_fraction obj '"fin_timeout": 1.5' "fin_timeout" "float"
invalid fin_timeout_bool obj '"fin_timeout": true' "fin_timeout" "bool"
invalid fin_timeout_list obj '"fin_timeout": [30]' "fin_timeout" "list"
invalid fin_timeout_overflow obj '"fin_timeout": "99999999999999999999"' "fin_timeout" "'99999999999999999999'"
invalid tw_reuse_3 obj '"tw_reuse": 3' "tw_reuse: 3 is out of range" "0-2"
invalid tw_reuse_negative obj '"tw_reuse": -1' "tw_reuse: -1 is out of range" "0-2"
invalid tw_reuse_delay_0 obj '"tw_reuse_delay": 0' "tw_reuse_delay: 0 is out of range" "1-60000"
invalid tw_reuse_delay_60001 obj '"tw_reuse_delay": 60001' "tw_reuse_delay: 60001 is out of range" "1-60000"
invalid max_tw_buckets_negative raw \
  '{"sysctl_file": "@SF@", "state_file": "@STF@", "fin_timeout": 45, "max_tw_buckets": -5}' \
  "max_tw_buckets: -5 is out of range"
invalid max_tw_buckets_huge raw \
  '{"sysctl_file": "@SF@", "state_file": "@STF@", "fin_timeout": 45, "max_tw_buckets": 99999999999}' \
  "max_tw_buckets: 99999999999 is out of range"
# -- booleans and choices
invalid apply_maybe obj '"apply": "maybe"' "'apply'" "bool"
invalid persist_2 obj '"persist": 2' "'persist'" "bool"
invalid backup_list obj '"backup": []' "'backup'" "bool"
invalid check_mode_perhaps obj '"_ansible_check_mode": "perhaps"' "_ansible_check_mode" "bool"
invalid conflicts_choice obj '"conflicts": "explode"' "conflicts must be one of: warn, fail, ignore" "explode"
invalid state_choice obj '"state": "gone"' "state must be one of: present, absent" "gone"
invalid state_number obj '"state": 1' "state must be one of: present, absent"
# -- paths
invalid sysctl_file_relative raw \
  '{"sysctl_file": "sysctl.d/60-porttune.conf", "state_file": "@STF@", "fin_timeout": 45}' \
  "sysctl_file must be an absolute path"
invalid sysctl_file_control_char raw \
  '{"sysctl_file": "@SF@\nx.conf", "state_file": "@STF@", "fin_timeout": 45}' \
  "sysctl_file must not contain control characters"
invalid sysctl_file_number raw \
  '{"sysctl_file": 60, "state_file": "@STF@", "fin_timeout": 45}' "sysctl_file must be an absolute path"
invalid state_file_relative raw \
  '{"sysctl_file": "@SF@", "state_file": "state.json", "fin_timeout": 45}' "state_file must be an absolute path"
