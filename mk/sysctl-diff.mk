# SPDX-License-Identifier: MIT
# Differential test of the boot-order model (issue 11): porttune's boot values
# and conflicts against the real systemd-sysctl, as root, in a private mount +
# network namespace over throwaway sysctl.d trees (tests/sysctl-diff/).
#   make sysctl-diff [SYSCTL_DIFF_CASES=N] [SYSCTL_DIFF_SEED=S]
SYSCTL_DIFF_CASES ?= 300
SYSCTL_DIFF_SEED ?= 11

# systemd (for systemd-sysctl itself), python3, util-linux.
.PHONY: sysctl-diff sysctl-diff-deps
sysctl-diff-deps:
	sh scripts/deps.sh sysctl-diff

sysctl-diff: library/porttune | sysctl-diff-deps
	bash tests/sysctl-diff/run.sh library/porttune $(SYSCTL_DIFF_CASES) $(SYSCTL_DIFF_SEED)

TESTS += sysctl-diff
