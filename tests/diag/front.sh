#!/bin/bash
# SPDX-License-Identifier: MIT
# The diagnosis through the shipped binary's front ends: `porttune diagnose`
# (JSON, human output, exit codes) and the porttune_info module (args file with
# _ansible_module_name, then a real ansible-playbook run), on run.sh's known
# loopback traffic in a fresh network namespace: each front end gives the
# same report as `porttune diagnose --json` (whose numbers run.sh checks).
#
# usage: tests/diag/front.sh [BINARY]     (root)
#   BINARY  default library/porttune; the playbook and ansible-doc steps run
#           only for library/porttune (ANSIBLE_LIBRARY=library, .venv)
#   NO_NETLINK  default build/diag/no-netlink: the launcher that refuses
#           socket(AF_NETLINK) by seccomp, for the automatic /proc fallback
#   UPDATE=1 rewrites tests/diag/expected/diagnose.txt
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-$root/library/porttune}")
nonl=$(realpath "${NO_NETLINK:-$root/build/diag/no-netlink}")
py=/usr/bin/python3
[ -x "$py" ] || py=python3

if [ "${PT_DIAG_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "FAIL diag front.sh: needs root for unshare -n; running as uid $(id -u)" >&2; exit 1; }
  # Own network and mount namespaces, which die with us.
  exec unshare -n -m env PT_DIAG_NETNS=1 UPDATE="${UPDATE:-}" NO_NETLINK="$nonl" \
    bash "$0" "$bin"
fi

fail() { echo "FAIL diag front.sh: $*" >&2; exit 1; }
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  fail "not inside a new network namespace; refusing to write sysctls"
[ -x "$nonl" ] || fail "no launcher $nonl (make build/diag/no-netlink)"
# Only this namespace's /proc/sys/net stays writable: no mistake here can
# reach the machine's kernel settings.
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys

. "$here/traffic.sh"
pt_diag_traffic front
t0=$(date +%s)

# run NAME CMD...: stdout to NAME.out, stderr to NAME.err, exit code to NAME.rc.
run() {
  local name=$1; shift
  set +e
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
  set -e
}
# info NAME JSON: the module as Ansible runs it, on an args file.
info() {
  printf '%s' "$2" >"$tmp/$1.args"
  run "$1" "$bin" "$tmp/$1.args"
}

for src in netlink proc; do
  run "cli-$src" "$bin" diagnose --json --source "$src" --threshold 7
done
run cli-auto "$bin" diagnose --json --threshold 7
run cli-top1 "$bin" diagnose --json --top=1
run cli-default "$bin" diagnose --json
run human "$bin" diagnose --threshold 7
info info-netlink '{"_ansible_module_name": "porttune_info", "threshold": 7, "source": "netlink",
                    "_ansible_check_mode": false, "_ansible_verbosity": 0}'
info info-proc '{"_ansible_module_name": "porttune_info", "threshold": "7", "source": "proc",
                 "top": null, "_ansible_check_mode": true}'
info info-top1 '{"_ansible_module_name": "porttune_info", "top": "1"}'
info info-fqcn '{"_ansible_module_name": "example.net.porttune_info", "top": 1}'
info info-unknown '{"_ansible_module_name": "porttune_info", "colour": "blue", "top": 3}'
info info-source '{"_ansible_module_name": "porttune_info", "source": "ss"}'
info info-threshold '{"_ansible_module_name": "porttune_info", "threshold": 0}'
info info-bool '{"_ansible_module_name": "porttune_info", "top": true}'
info info-str '{"_ansible_module_name": "porttune_info", "top": "ten"}'
info not-info '{"_ansible_module_name": "porttune", "threshold": 7}'
# Netlink refused by seccomp (EAFNOSUPPORT, and EPERM for porttune_info):
# the default source must fall back to /proc on its own.
run nonl-json "$nonl" "$bin" diagnose --json --threshold 7
run nonl-human "$nonl" "$bin" diagnose --threshold 7
run nonl-netlink "$nonl" "$bin" diagnose --json --source netlink
printf '%s' '{"_ansible_module_name": "porttune_info", "threshold": 7}' >"$tmp/nonl-info.args"
run nonl-info "$nonl" --errno EPERM "$bin" "$tmp/nonl-info.args"
run nonl-info-netlink "$nonl" --errno EPERM "$bin" "$tmp/info-netlink.args"
for bad in "--top x" "--top -1" "--top" "--threshold 0" "--threshold 101" "--threshold 5%" \
           "--source ss" "--colour" "port_range=1-2"; do
  # shellcheck disable=SC2086  # word splitting wanted
  run "usage-${bad//[^a-z0-9]/_}" "$bin" diagnose $bad
done
# Exit 0: a namespace of its own with nothing in it warns about nothing.
run empty unshare -n "$bin" diagnose
run empty-json unshare -n "$bin" diagnose --json
# Exit 4: no ip_local_port_range to read (a tmpfs over ipv4, in a private
# mount namespace).
run broken unshare -m sh -c "mount -t tmpfs none $ipv4 && exec $bin diagnose --json"
run broken-info unshare -m sh -c "mount -t tmpfs none $ipv4 && exec $bin $tmp/info-top1.args"
ss -tanH >"$tmp/ss.txt"

UPDATE=${UPDATE:-} "$py" - "$tmp" "$here/expected/diagnose.txt" <<'PY'
import json, os, sys
tmp, golden = sys.argv[1:3]
failures = []

def out(name): return open(f"{tmp}/{name}.out").read()
def err(name): return open(f"{tmp}/{name}.err").read()
def rc(name): return int(open(f"{tmp}/{name}.rc").read())
def js(name):
    try:
        return json.loads(out(name))
    except ValueError:
        return {"unparsable": out(name) + err(name)}

def check(what, got, want):
    ok = got == want
    short = len(repr(got)) <= 200
    print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": got {got!r}, want {want!r}"
                                                   if short or not ok else ""))
    if not ok:
        failures.append(what)

# 1. diagnose --json, reader by reader, automatic source, --top.
for src in ("netlink", "proc"):
    check(f"diagnose --json --source {src} exit (warnings: 2)", rc(f"cli-{src}"), 2)
    check(f"diagnose --json --source {src}: source", js(f"cli-{src}").get("source"), src)
without_source = lambda r: {k: v for k, v in r.items() if k != "source"}
check("--source proc == --source netlink (but for source)",
      without_source(js("cli-proc")), without_source(js("cli-netlink")))
check("diagnose --json (auto) == --source netlink", js("cli-auto"), js("cli-netlink"))
top1 = js("cli-top1")
default = js("cli-default")
default["destinations"]["top"] = default["destinations"]["top"][:1]
check("diagnose --json --top=1 == the default report's first destination", top1, default)
check("reals printed with 10 digits", '"pct": 8.09,' in out("cli-netlink"), True)

# 2. The exact numbers of the generated traffic (as run.sh asserts them).
r = js("cli-netlink")
check("states", {k: v for k, v in r["states"].items() if v},
      {"ESTABLISHED": 140, "TIME_WAIT": 80, "LISTEN": 6})
check("sockets", r["sockets"], 226)
check("time_wait", [r["time_wait"][k] for k in ("total", "max_tw_buckets", "headroom")],
      [80, 5000, 4920])
check("capacity size/usable/rate", [r["capacity"][k] for k in
      ("range_size", "usable_ports", "max_new_connections_per_second")], [1000, 989, 16.48])
check("destinations", [(d["address"], d["port"], d["ports_held"], d["established"],
                        d["time_wait"], d["pct"]) for d in r["destinations"]["top"]],
      [("127.0.0.1", 8080, 80, 50, 30, 8.09), ("::1", 8081, 60, 20, 40, 6.07),
       ("127.0.0.2", 8082, 10, 0, 10, 1.01)])
check("destinations.total", r["destinations"]["total"], 3)
check("listeners advice", r["listeners"]["reserved_ports_advice"], "40000-40002,40500-40509")
check("threshold 80: only the listener warns",
      [w.split(" ")[0] for w in js("cli-default")["warnings"]], ["Listening"])
check("default threshold exit", rc("cli-default"), 2)

# 3. porttune_info: the same report under port_pressure, changed false.
for name, src in (("info-netlink", "netlink"), ("info-proc", "proc")):
    res = js(name)
    check(f"{name} exit", rc(name), 0)
    check(f"{name} keys", sorted(res), ["changed", "port_pressure"])
    check(f"{name} changed", res.get("changed"), False)
    check(f"{name} port_pressure == diagnose --json --source {src}", res.get("port_pressure"),
          js(f"cli-{src}"))
check("info top '1' (string int)", len(js("info-top1")["port_pressure"]["destinations"]["top"]), 1)
check("info default threshold", js("info-top1")["port_pressure"]["threshold_pct"], 80.0)
check("info FQCN module name", js("info-fqcn").get("changed"), False)
check("info FQCN top", len(js("info-fqcn")["port_pressure"]["destinations"]["top"]), 1)
for name, want in (
    ("info-unknown", "Unsupported parameters for (porttune_info) module: colour. "
                     "Supported parameters include: source, threshold, top."),
    ("info-source", "value of source must be one of: auto, netlink, proc, got: ss. "
                    "Nothing was changed."),
    ("info-threshold", "threshold: 0 is out of range; allowed values are 1-100. "
                       "Nothing was changed."),
    ("info-bool", "argument 'top' is of type bool and we were unable to convert to int. "
                  "Nothing was changed."),
    ("info-str", "argument 'top' is of type str and we were unable to convert to int: "
                 "'ten' is not a whole number. Nothing was changed."),
    ("not-info", "Unsupported parameters for (porttune) module: threshold."),
):
    res = js(name)
    check(f"{name} exit", rc(name), 1)
    check(f"{name} failed/changed", (res.get("failed"), res.get("changed")), (True, False))
    check(f"{name} msg", res.get("msg", "")[:len(want)], want)

# 3b. The automatic fallback: netlink sockets refused, the default source
# reads /proc, names it, and gives the /proc report; netlink asked
# for by name fails (exit 4 / failed), so the filter did reach the binary.
check("netlink refused: diagnose --json exit", rc("nonl-json"), 2)
check("netlink refused: diagnose --json == --source proc", js("nonl-json"),
      js("cli-proc"))
check("netlink refused: source", js("nonl-json").get("source"), "proc")
check("netlink refused: human exit", rc("nonl-human"), 2)
check("netlink refused: human output names /proc",
      out("nonl-human").splitlines()[:1], ["TCP sockets (source: proc)"])
check("netlink refused: human output otherwise as with netlink",
      out("nonl-human").splitlines()[1:], out("human").splitlines()[1:])
check("netlink refused: --source netlink exit", rc("nonl-netlink"), 4)
check("netlink refused: --source netlink failure object",
      (js("nonl-netlink").get("failed"), js("nonl-netlink").get("object")), (True, "sock_diag"))
check("netlink refused: --source netlink stderr", err("nonl-netlink"),
      "porttune: NETLINK_SOCK_DIAG is not available: Address family not supported by protocol.\n")
res = js("nonl-info")
check("netlink refused (EPERM): porttune_info exit", rc("nonl-info"), 0)
check("netlink refused (EPERM): porttune_info changed", res.get("changed"), False)
check("netlink refused (EPERM): porttune_info port_pressure == diagnose --source proc",
      res.get("port_pressure"), js("cli-proc"))
check("netlink refused (EPERM): porttune_info source",
      res.get("port_pressure", {}).get("source"), "proc")
check("netlink refused (EPERM): porttune_info source=netlink fails",
      (rc("nonl-info-netlink"), js("nonl-info-netlink").get("failed"),
       js("nonl-info-netlink").get("msg")),
      (1, True, "NETLINK_SOCK_DIAG is not available: Operation not permitted."))

# 3c. Every key porttune_info returns is in its RETURN docs, and every
# documented key under a "contains" is returned (the report has no optional key).
import yaml
ret = yaml.safe_load(open(os.path.join(os.path.dirname(golden), "..", "..", "..",
                                       "library", "porttune_info.yml")))["RETURN"]
def documented(value, spec, path):
    sub = spec.get("contains")
    if sub is None:
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            continue
        check(f"RETURN documents the keys of {path}", sorted(set(item) - set(sub)), [])
        for key in sorted(set(sub) - set(item)):
            if "when" not in str(sub[key].get("returned", "")):
                check(f"{path}.{key} (documented) is returned", False, True)
        for key in set(item) & set(sub):
            documented(item[key], sub[key], f"{path}.{key}")
res = js("info-netlink")
check("RETURN documents the result's keys", sorted(set(res) - set(ret)), [])
documented(res["port_pressure"], ret["port_pressure"], "port_pressure")

# 4. Human output: the same numbers as a table (golden file), exit 2.
check("human exit", rc("human"), 2)
text = out("human")
if os.environ.get("UPDATE"):
    open(golden, "w").write(text)
    print(f"updated {golden}")
want = open(golden).read()
check("human output == tests/diag/expected/diagnose.txt", text, want)
if text != want:
    import difflib
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                               "expected", "got"))

# 5. Exit codes: 0 with no warning, 4 on failure (JSON failure object too), 64 usage.
check("empty namespace exit", rc("empty"), 0)
check("empty namespace says so", "no warnings (threshold 80 %)" in out("empty"), True)
check("empty namespace --json exit", rc("empty-json"), 0)
check("empty namespace --json warnings", js("empty-json").get("warnings"), [])
check("unreadable range exit", rc("broken"), 4)
check("unreadable range: failure object", (js("broken").get("failed"), js("broken").get("object")),
      (True, "/proc/sys/net/ipv4/ip_local_port_range"))
unreadable = ("Cannot read /proc/sys/net/ipv4/ip_local_port_range: No such file or "
              "directory. Nothing was changed.")
check("unreadable range: stderr", err("broken"), f"porttune: {unreadable}\n")
check("unreadable range, porttune_info exit", rc("broken-info"), 1)
check("unreadable range, porttune_info msg", js("broken-info").get("msg"), unreadable)
for name in sorted(f[:-3] for f in os.listdir(tmp) if f.startswith("usage-") and f.endswith(".rc")):
    check(f"{name} exit", rc(name), 64)
    check(f"{name} prints usage", "usage: porttune diagnose" in err(name), True)
    check(f"{name} stdout empty", out(name), "")

if failures:
    print(f"FAIL diag front.sh: {len(failures)} checks failed: {failures}")
    sys.exit(1)
PY

# 6. A real ansible-playbook run of porttune_info from library/ as built
# (library/linux/porttune_info beside library/porttune_info.exe), connection
# local in this namespace, normal and check mode.
if [ "$bin" = "$(realpath "$root/library/porttune")" ]; then
  venv=$root/.venv
  [ -x "$venv/bin/ansible-playbook" ] || fail "no $venv (make venv)"
  export HOME=$tmp/home ANSIBLE_HOME=$tmp/ansible-home ANSIBLE_LOCAL_TEMP=$tmp/ansible-local
  export ANSIBLE_REMOTE_TMP=$tmp/ansible-remote ANSIBLE_LIBRARY=$root/library
  export ANSIBLE_CONFIG=$tmp/ansible.cfg ANSIBLE_NOCOLOR=1 PAGER=cat
  mkdir -p "$HOME"
  printf '[defaults]\nstdout_callback = default\nretry_files_enabled = False\n' >"$ANSIBLE_CONFIG"
  cat >"$tmp/play.yml" <<'YML'
- name: Port pressure with porttune_info
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Diagnose
      porttune_info:
        threshold: 7
      register: diag
    - name: Diagnose in check mode, from /proc, top 1
      porttune_info:
        source: proc
        top: 1
      check_mode: true
      register: diag_check
    - name: Check the numbers
      ansible.builtin.assert:
        that:
          - diag is not changed
          - diag_check is not changed
          - diag.port_pressure.destinations.total == 3
          - diag.port_pressure.destinations.top[0].address == "127.0.0.1"
          - diag.port_pressure.destinations.top[0].ports_held == 80
          - diag.port_pressure.time_wait.total == 80
          - diag.port_pressure.listeners.reserved_ports_advice == "40000-40002,40500-40509"
          - diag.port_pressure.warnings | select('match', 'Destination 127.0.0.1:8080 holds 80 of 989') | list | length == 1
          - diag_check.port_pressure.source == "proc"
          - diag_check.port_pressure.destinations.top | length == 1
          - diag_check.port_pressure.destinations.total == 3
YML
  set +e
  "$venv/bin/ansible-playbook" -i localhost, -c local \
    -e "ansible_python_interpreter=$venv/bin/python" "$tmp/play.yml" >"$tmp/play.txt" 2>&1
  prc=$?
  set -e
  recap=$(grep -E '^localhost +:' "$tmp/play.txt" | tr -s ' ' || true)
  if [ $prc -ne 0 ] || [[ "$recap" != *"ok=3 changed=0 unreachable=0 failed=0"* ]]; then
    sed 's/^/  | /' "$tmp/play.txt" >&2
    fail "ansible-playbook porttune_info: exit $prc, recap '$recap'"
  fi
  echo "ok   ansible-playbook porttune_info: $recap"

  "$venv/bin/ansible-doc" -M "$root/library" porttune_info >"$tmp/doc.txt" 2>"$tmp/doc.err" ||
    { cat "$tmp/doc.err" >&2; fail "ansible-doc porttune_info failed"; }
  [ ! -s "$tmp/doc.err" ] || { cat "$tmp/doc.err" >&2; fail "ansible-doc printed warnings"; }
  for opt in source threshold top; do
    grep -qE "^(- | {3})$opt " "$tmp/doc.txt" || fail "ansible-doc shows no option $opt"
  done
  grep -q "port_pressure" "$tmp/doc.txt" || fail "ansible-doc shows no port_pressure"
  echo "ok   ansible-doc -M library porttune_info renders source, threshold, top"
fi

# Nothing above ran long enough for TIME_WAIT sockets to expire (60 s).
tw=$(ss -tanH state time-wait | wc -l)
[ "$tw" = 80 ] || fail "TIME_WAIT sockets changed during the test ($tw, $(( $(date +%s) - t0 )) s)"
echo "diag front.sh ($(basename "$bin")): all checks passed in $(( $(date +%s) - t0 )) s"
