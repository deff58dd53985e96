#!/bin/bash
# SPDX-License-Identifier: MIT
# The role's reboot handling (roles/porttune/tasks/reboot.yml, handlers/main.yml)
# checked without Windows, with the real ansible-playbook:
#   * the role on a Linux host (connection local, in a network and mount
#     namespace of its own) with porttune_reboot true: the module changes
#     things, no reboot is required, no handler runs;
#   * a Windows-shaped result fed to the role's reboot tasks (tests/role/reboot.yml):
#     reboot_required false -> nothing notified; true with porttune_reboot
#     false -> the handler runs and skips (nothing reboots); true with
#     porttune_reboot true -> the handler includes win_reboot: without
#     ansible.windows (.venv has ansible-core only) that fails naming
#     ansible.windows.win_reboot; with the `ansible` package's ansible.windows
#     (build/bench-venv, when built) the real win_reboot runs in check mode;
#   * --syntax-check of both plays with .venv (no ansible.windows).
# What it cannot show: a Windows host rebooting and coming back.
#
#   reboot.sh      needs root, unshare, library/porttune and .venv (make venv)
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
BENCH=${BENCH_VENV:-$ROOT/build/bench-venv}

die() { echo "tests/role/reboot.sh: $*"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$VENV/bin/ansible-playbook" ] || die "no $VENV (make venv)"
[ -x "$ROOT/library/porttune" ] || die "no library/porttune (make)"
[ "$(id -u)" = 0 ] || die "needs root (network and mount namespaces)"

# Inside the namespaces: the role on this "host".
if [ "${1:-}" = --inside ]; then
  mount -t tmpfs -o mode=0755 tmpfs /etc/sysctl.d
  mount -t tmpfs -o mode=0755 tmpfs /var/lib
  shift
  exec "$@"
fi

T=$(mktemp -d /tmp/porttune-reboot.XXXXXX) || die "mktemp"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/modules" "$T/home"
ln -s "$ROOT/library/porttune" "$T/modules/porttune"
ln -s "$ROOT/library/porttune.yml" "$T/modules/porttune.yml"
printf '[defaults]\nstdout_callback = default\nretry_files_enabled = False\n' >"$T/ansible.cfg"
export HOME=$T/home ANSIBLE_CONFIG=$T/ansible.cfg ANSIBLE_LIBRARY=$T/modules
export ANSIBLE_ROLES_PATH=$ROOT/roles ANSIBLE_HOME=$T/ansible-home
export ANSIBLE_LOCAL_TEMP=$T/tmp-local ANSIBLE_REMOTE_TMP=$T/tmp-remote
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_COLLECTIONS_PATH=$T/collections

PASS=0; FAIL=0; ERRS=()
bad() { ERRS+=("$*"); }
has() { case "$1" in *"$2"*) ;; *) bad "$3: expected '$2'" ;; esac; }
hasnt() { case "$1" in *"$2"*) bad "$3: did not expect '$2'" ;; esac; }
t() {
  ERRS=(); "$1"
  if [ ${#ERRS[@]} -eq 0 ]; then PASS=$((PASS + 1)); echo "PASS $1"
  else FAIL=$((FAIL + 1)); echo "FAIL $1"; printf '    %s\n' "${ERRS[@]}"; printf '%s\n' "$OUT" | tail -n 25 | sed 's/^/    | /'; fi
}
# pb VENV PLAY ARGS...: OUT = output, RC = exit code.
pb() {
  local v=$1 play=$2; shift 2
  OUT=$("$v/bin/ansible-playbook" -i localhost, -c local \
        -e "ansible_python_interpreter=$v/bin/python" "$@" "$play" 2>&1); RC=$?
}
# The lines a handler printed: from its RUNNING HANDLER line to the next header.
handler_out() { printf '%s\n' "$OUT" | awk '/^RUNNING HANDLER/ { on = 1 } on && /^(TASK|PLAY RECAP)/ { on = 0 } on'; }
HANDLER="RUNNING HANDLER [porttune : Reboot Windows for porttune's registry changes]"
WIN='{"porttune_result": {"changed": true, "reboot_required": true}}'

t_syntax_check_without_ansible_windows() {
  pb "$VENV" "$HERE/linux.yml" --syntax-check
  [ "$RC" = 0 ] || bad "syntax-check linux.yml: exit $RC"
  pb "$VENV" "$HERE/reboot.yml" --syntax-check
  [ "$RC" = 0 ] || bad "syntax-check reboot.yml: exit $RC"
}

t_linux_host_notifies_nothing() {
  OUT=$(unshare --net --mount --propagation private -- bash "$0" --inside \
        "$VENV/bin/ansible-playbook" -i localhost, -c local \
        -e "ansible_python_interpreter=$VENV/bin/python" "$HERE/linux.yml" 2>&1); RC=$?
  [ "$RC" = 0 ] || bad "exit $RC"
  has "$OUT" "changed: [localhost]" "the module changed the namespace's settings"
  has "$(printf '%s\n' "$OUT" | grep -A1 'TASK \[porttune : Report that a reboot is required\]')" "skipping: [localhost]" "report task skipped"
  hasnt "$OUT" "RUNNING HANDLER" "no handler"
  has "$(printf '%s\n' "$OUT" | grep '^localhost')" "changed=1" "recap: one change (the module)"
}

t_no_reboot_required_notifies_nothing() {
  pb "$VENV" "$HERE/reboot.yml" -e '{"porttune_result": {"changed": true, "reboot_required": false}}' -e porttune_reboot=true
  [ "$RC" = 0 ] || bad "exit $RC"
  hasnt "$OUT" "RUNNING HANDLER" "no handler"
}

t_reboot_required_default_reboots_nothing() {
  pb "$VENV" "$HERE/reboot.yml" -e "$WIN"
  [ "$RC" = 0 ] || bad "exit $RC"
  has "$OUT" "not rebooting (porttune_reboot: false)" "the report says so"
  has "$OUT" "$HANDLER" "the handler is notified"
  has "$(handler_out)" "skipping: [localhost]" "the handler skips (porttune_reboot false)"
  hasnt "$OUT" "win_reboot" "win_reboot never loaded"
}

t_reboot_true_reaches_win_reboot_without_collection() {
  pb "$VENV" "$HERE/reboot.yml" -e "$WIN" -e porttune_reboot=true
  [ "$RC" != 0 ] || bad "exit 0: expected the missing collection to fail the handler"
  has "$OUT" "$HANDLER" "the handler is notified"
  has "$OUT" "roles/porttune/tasks/reboot_windows.yml" "the handler includes the reboot task file"
  has "$OUT" "couldn't resolve module/action 'ansible.windows.win_reboot'" "it fails on the missing ansible.windows.win_reboot"
}

t_reboot_true_with_ansible_windows_check_mode() {
  if [ ! -x "$BENCH/bin/ansible-playbook" ]; then
    bad "no $BENCH (make build/bench-venv/.done: the ansible package with ansible.windows)"; OUT=""; return
  fi
  pb "$BENCH" "$HERE/reboot.yml" --syntax-check
  [ "$RC" = 0 ] || bad "syntax-check with ansible.windows: exit $RC"
  pb "$BENCH" "$HERE/reboot.yml" --check -e "$WIN" -e porttune_reboot=true
  [ "$RC" = 0 ] || bad "exit $RC"
  has "$(handler_out)" "included: $ROOT/roles/porttune/tasks/reboot_windows.yml for localhost" "included from the handler"
  has "$(printf '%s\n' "$OUT" | grep -A1 '^RUNNING HANDLER \[porttune : Reboot Windows (TcpTimedWaitDelay and MaxUserPort take effect at boot)\]')" \
    "changed: [localhost]" "the real win_reboot ran (check mode: reports the reboot, does not connect)"
  pb "$BENCH" "$HERE/reboot.yml" --check -e "$WIN"
  [ "$RC" = 0 ] || bad "porttune_reboot false: exit $RC"
  hasnt "$OUT" "[porttune : Reboot Windows (" "porttune_reboot false: win_reboot not run"
  has "$(handler_out)" "skipping: [localhost]" "porttune_reboot false: the handler skips"
}

for name in t_syntax_check_without_ansible_windows t_linux_host_notifies_nothing \
  t_no_reboot_required_notifies_nothing t_reboot_required_default_reboots_nothing \
  t_reboot_true_reaches_win_reboot_without_collection t_reboot_true_with_ansible_windows_check_mode; do
  t "$name"
done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
