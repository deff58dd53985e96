# SPDX-License-Identifier: MIT
"""porttune_info: the porttune action (the binary module in one SSH session when pipelining is on)."""

from __future__ import annotations

from ansible_collections.porttune.porttune.plugins.action.porttune import ActionModule  # noqa: F401 pylint: disable=unused-import
