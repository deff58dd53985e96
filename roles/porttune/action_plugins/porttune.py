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
"""

from __future__ import annotations

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
        if (windows or getattr(shell, "SHELL_FAMILY", None) != "sh" or self._connection._shell.tmpdir
                or not self._is_pipelining_enabled("new") or self._is_become_unprivileged()):
            result.update(self._execute_module(module_name=module, module_args=args, task_vars=task_vars))
            return result
        result.update(self._execute_piped(module, args, task_vars))
        return result

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
