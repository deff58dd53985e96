# SPDX-License-Identifier: MIT
"""Run the porttune binary module built for the target's OS, in one session when pipelining is on.

Which module: the one the task names (``porttune``, ``porttune_info`` or
their collection names ``porttune.porttune.porttune``...), found by
Ansible's own plugin loader: in the collection ``porttune.porttune``, or in a
checkout's ``library/`` configured with ``library =`` (ansible.cfg) or
``ANSIBLE_LIBRARY``. A Windows host gets ``NAME.exe`` (Ansible looks for
``.exe`` first there); POSIX hosts get the extensionless ELF. A role tarball
(``make role-dist``) ships the Windows binary as ``NAME_win.exe`` instead,
since beside ``NAME`` in one role ``library/`` folder Ansible could pick it
for a Linux host; Windows hosts get ``NAME_win`` when it exists.

How it runs: Ansible never pipelines a binary module. It runs it in seven SSH
sessions per host (``echo ~``, mkdir, two file transfers, chmod, run, rm).
When Ansible would pipeline a Python module on this host (pipelining enabled,
a connection that supports it, a become method that allows it, remote files
not kept), this action instead sends the arguments and the binary on the
standard input of one POSIX shell command that writes them into a private
temporary directory under ``remote_tmp``, runs ``porttune ARGS``, and removes
the directory on any exit. The module, its arguments file and its result are
the same either way; everything else (Windows, pipelining off, become to an
unprivileged user, a non-POSIX shell) takes Ansible's own path. Works with
ansible-core 2.15 to 2.19 (both module-building interfaces).

Which architecture: a POSIX host gets the binary built for its CPU. The
module the loader finds (``porttune`` or ``porttune_info``) is the x86_64
build; the others lie beside it as ``porttune-ARCH`` (ARCH one of
``ARCHES``: a checkout's ``library/linux/porttune-aarch64``, the
collection's ``plugins/modules/porttune-aarch64``; the hyphen keeps them from
being a module name a task could call). The
host's machine comes from gathered facts (``ansible_architecture``,
``ansible_system``) when present, else from one ``uname -sm`` over the task's
connection (no Python needed), returned as the fact ``porttune_uname`` so
later tasks of the play ask no more. A host whose machine has no binary
fails before the module is sent, naming its machine and the ones available.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.vars.clean import remove_internal_keys

try:  # ansible-core 2.19 and later: module arguments are encoded per module profile
    from ansible.module_utils.common.json import Direction, get_module_encoder
except ImportError:  # pragma: no cover - older ansible-core
    Direction = get_module_encoder = None

display = Display()

# The role's task passes all options in this one key, built by one template
# (see tasks/main.yml); a task may also give the module's options directly.
OPTIONS_KEY = "_porttune_options"

# One shell command: the first line of stdin is the arguments (JSON never
# holds a raw newline), the rest the binary. umask 77 keeps both private;
# the EXIT trap removes the directory however the command ends.
_RUN = (
    "( umask 77 && b=\"`echo {base}`\" && mkdir -p \"$b\" && d=\"$b/{name}\" && mkdir \"$d\" && "
    "trap 'rm -rf \"$d\"' 0 && trap 'exit 129' 1 && trap 'exit 130' 2 && trap 'exit 143' 15 && "
    "IFS= read -r a && printf '%s\\n' \"$a\" >\"$d/args\" && cat >\"$d/{module}\" && "
    "chmod 700 \"$d/{module}\" && {env} \"$d/{module}\" \"$d/args\" )"
)

# The module's architectures (mk/arch.mk ARCHES); x86_64 is the module itself.
ARCHES = ("x86_64", "aarch64", "armv7", "riscv64", "ppc64le", "s390x")
DEFAULT_ARCH = "x86_64"
# uname -m / ansible_architecture spellings of each, as Linux and the BSDs
# (amd64, arm64) report them. armv8l is a 64-bit CPU running 32-bit ARM code.
_MACHINES = {
    "x86_64": "x86_64", "amd64": "x86_64",
    "aarch64": "aarch64", "arm64": "aarch64",
    "armv7l": "armv7", "armv7": "armv7", "armv8l": "armv7", "armhf": "armv7",
    "riscv64": "riscv64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}
# The fact a probe leaves for later tasks: "SYSTEM MACHINE" as uname -sm prints.
UNAME_FACT = "porttune_uname"


def binary_arch(machine):
    """The ARCHES name of the binary for a ``uname -m`` machine, or None when there is none."""
    return _MACHINES.get((machine or "").strip().lower())


def host_machine(task_vars):
    """(system, machine) from gathered facts or an earlier probe's fact, or None when neither is there."""
    facts = task_vars.get("ansible_facts") or {}
    machine = facts.get("architecture") or task_vars.get("ansible_architecture")
    system = facts.get("system") or task_vars.get("ansible_system")
    if machine:
        return system or "Linux", machine
    probed = facts.get(UNAME_FACT) or task_vars.get(UNAME_FACT)
    if probed and len(probed.split()) == 2:
        return tuple(probed.split())
    return None


class ActionModule(ActionBase):
    """Execute the task's porttune module (ELF or .exe) with the task's args."""

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if task_vars is None:
            task_vars = {}
        shell = self._connection._shell
        windows = getattr(shell, "_IS_WINDOWS", False)
        module = self._module_name(windows)
        args = self._module_args()
        self._arch_path = None
        if not windows:
            facts = self._select_arch(module, task_vars)
            if facts:
                result["ansible_facts"] = facts
        if self._arch_path is not None:
            display.vvv("porttune: %s binary %s" % (self._arch, self._arch_path), host=self._play_context.remote_addr)
        if (windows or getattr(shell, "SHELL_FAMILY", None) != "sh" or self._connection._shell.tmpdir
                or not self._is_pipelining_enabled("new") or self._is_become_unprivileged()):
            facts = result.pop("ansible_facts", None)
            result.update(self._execute_module(module_name=module, module_args=args, task_vars=task_vars))
        else:
            facts = result.pop("ansible_facts", None)
            result.update(self._execute_piped(module, args, task_vars))
        if facts:
            result.setdefault("ansible_facts", {}).update(facts)
        return result

    def _select_arch(self, module, task_vars):
        """Pick the binary for the host's CPU (self._arch, self._arch_path); return the probe's fact, if one ran."""
        facts = None
        self._arch_path = None
        known = host_machine(task_vars)
        if known is None:
            res = self._low_level_execute_command("uname -sm", sudoable=False)
            out = (res.get("stdout") or "").split()
            if res.get("rc") != 0 or len(out) != 2:
                raise AnsibleActionFail(
                    "cannot tell this host's architecture: `uname -sm` exited %s with %r%s. Nothing was sent."
                    % (res.get("rc"), res.get("stdout", ""), (" (%s)" % res["stderr"].strip()) if res.get("stderr") else ""))
            known = (out[0], out[1])
            facts = {UNAME_FACT: "%s %s" % known}
        system, machine = known
        base = self._find_module_path(module)
        available = [DEFAULT_ARCH] + [a for a in ARCHES[1:]
                                      if base and os.path.isfile(self._arch_file(base, a))]
        arch = binary_arch(machine)
        if system != "Linux" or arch not in available:
            raise AnsibleActionFail(
                "porttune has no binary for this host: it is %s %s, and porttune is built for Linux on %s. "
                "Nothing was sent." % (system, machine, ", ".join(available)))
        self._arch = arch
        if arch != DEFAULT_ARCH:
            self._arch_path = self._arch_file(base, arch)
        return facts

    @staticmethod
    def _arch_file(base, arch):
        """The ARCH binary beside the module file BASE."""
        return os.path.join(os.path.dirname(base), "porttune-%s" % arch)

    def _find_module_path(self, module):
        """Path of the module file the loader resolves for a POSIX host."""
        ctx = self._shared_loader_obj.module_loader.find_plugin_with_context(
            module, "", collection_list=self._task.collections)
        return os.path.abspath(ctx.plugin_resolved_path) if ctx.resolved else None

    def _configure_module(self, module_name, module_args, task_vars):
        """Ansible's module build, with the host architecture's binary in place of the x86_64 one."""
        built = super()._configure_module(module_name=module_name, module_args=module_args, task_vars=task_vars)
        path = getattr(self, "_arch_path", None)
        if path is None:
            return built
        with open(path, "rb") as f:
            data = f.read()
        if len(built) == 2:  # 2.19+: (_BuiltModule, path)
            return dataclasses.replace(built[0], b_module_data=data), path
        style, shebang, _data, _path = built
        return style, shebang, data, path

    def _module_name(self, windows):
        """The module the task names; NAME_win on Windows when a role tarball ships it; fail if none is found."""
        name = self._task.action
        loader = self._shared_loader_obj.module_loader
        collections = self._task.collections
        if windows and loader.find_plugin_with_context(name + "_win", ".exe", collection_list=collections).resolved:
            return name + "_win"
        exts = self._connection.module_implementation_preferences
        if not any(loader.find_plugin_with_context(name, ext, collection_list=collections).resolved for ext in exts):
            raise AnsibleActionFail(
                "module %s not found for this %s host: install the collection porttune.porttune "
                "(ansible-galaxy collection install) and name it porttune.porttune.%s, or build a "
                "checkout with make and point Ansible at its library/ (library = CHECKOUT/library in "
                "ansible.cfg, or ANSIBLE_LIBRARY=CHECKOUT/library). Nothing was run."
                % (name, "Windows" if windows else "POSIX", name.rsplit(".", 1)[-1]))
        return name

    def _module_args(self):
        """The task's args, with the role's one-template mapping unpacked and nulls left out."""
        args = dict(self._task.args)
        options = args.pop(OPTIONS_KEY, None)
        if options is not None:
            if not isinstance(options, dict):
                raise AnsibleActionFail("%s must be a mapping of porttune options, got %s"
                                        % (OPTIONS_KEY, type(options).__name__))
            args.update(options)
        # null is how the role leaves an option unmanaged: do not send it.
        return {k: v for k, v in args.items() if v is not None}

    def _execute_piped(self, module, args, task_vars):
        """Transfer and run the binary module in one shell command; return its result."""
        self._update_module_args(module, args, task_vars)
        built = self._configure_module(module_name=module, module_args=args, task_vars=task_vars)
        if len(built) == 2:  # 2.19+: (_BuiltModule, path)
            bits, path = built
            style, data, profile = bits.module_style, bits.b_module_data, bits.serialization_profile
        else:  # older: (style, shebang, data, path)
            style, _shebang, data, path = built
            profile = None
        if style != "binary":
            return self._execute_module(module_name=module, module_args=args, task_vars=task_vars)
        display.vvv("Using module file %s" % path)
        display.vvv("porttune: binary module pipelined (one shell command)")
        if profile is not None and get_module_encoder is not None:
            encoded = json.dumps(args, cls=get_module_encoder(profile, Direction.CONTROLLER_TO_MODULE))
        else:
            encoded = json.dumps(args)
        name = "ansible-tmp-%s-%s-%s" % (time.time(), os.getpid(), secrets.randbelow(2 ** 48))
        cmd = _RUN.format(base=self.get_shell_option("remote_tmp", default="~/.ansible/tmp"), name=name,
                          module=module, env=self._compute_environment_string())
        res = self._low_level_execute_command(cmd, sudoable=True, in_data=encoded.encode("utf-8") + b"\n" + data)
        self._used_interpreter = None
        result = self._parse_returned_data(res, profile) if profile is not None else self._parse_returned_data(res)
        remove_internal_keys(result)
        return result
