# SPDX-License-Identifier: MIT
# The role's reboot handling (Windows reboot_required -> porttune_reboot ->
# ansible.windows.win_reboot), checked without Windows: tests/role/reboot.sh.
# (After mk/role.mk in include order: it uses BENCH_VENV and ROLE_ENV.)
# build/bench-venv (the `ansible` package, which carries ansible.windows) lets
# it run the real win_reboot in check mode; built here when missing.
#
#   make role-reboot-test

.PHONY: role-reboot-test
role-reboot-test: library/porttune venv $(BENCH_VENV)/.done
	$(ROLE_ENV) bash tests/role/reboot.sh

TESTS += role-reboot-test
