# SPDX-License-Identifier: MIT
"""Run the porttune binary module built for the target's OS.

Ansible finds a module for a POSIX host by its name without extension, so
with ``porttune`` and ``porttune.exe`` in one library folder it may pick the
Windows binary for a Linux host (whichever the directory lists first). The
role therefore ships the Windows binary as ``porttune_win.exe`` and this
action sends Windows hosts to it; POSIX hosts get ``porttune``.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Execute porttune (POSIX) or porttune_win (Windows) with the task's args."""

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        windows = getattr(self._connection._shell, "_IS_WINDOWS", False)
        module = "porttune_win" if windows else "porttune"
        result.update(self._execute_module(module_name=module, module_args=self._task.args,
                                           task_vars=task_vars))
        return result
