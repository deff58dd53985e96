# SPDX-License-Identifier: MIT
# Benchmarks (not tests, not in TESTS; need root for network namespaces).
#
#   make bench-module    issue 2: one porttune module run vs the four
#                        ansible.posix.sysctl AnsiballZ payloads vs static C
#                        floors, with and without the persisted file
#                        (bench/module; BENCH_ROUNDS=21 by default)
#   make bench-cli       CPU per run of `porttune get` and `porttune check`
#                        against /bin/true (bench/cli; BENCH_CLI_ROUNDS=300)
#
# build/bench-venv (bench/requirements.txt: the full `ansible` package, for
# ansible.posix) is shared with bench-fleet; its rule is in mk/role.mk. The
# name is set here too because this file is read first.

BENCH_VENV   := build/bench-venv
BENCH_ROUNDS ?= 21

.PHONY: bench-module bench-cli
BENCH_CLI_ROUNDS ?= 300

# Both static musl and small: the harness's children start as copies of it,
# and the floor is the least a program can cost.
build/bench/measure: bench/module/measure.c
	@mkdir -p $(@D)
	$(MUSLCC) $(CSTD) $(WARN) -Os -static -s -o $@ $<

build/bench/floor: bench/module/floor.c
	@mkdir -p $(@D)
	$(MUSLCC) $(CSTD) $(WARN) -Os -static -s -o $@ $<

bench-module: library/porttune build/bench/measure build/bench/floor $(BENCH_VENV)/.done
	bash bench/module/run.sh $(BENCH_ROUNDS)

# Issue 15: the fleet report's time next to the check-mode audit's, and its
# size, on BENCH_REPORT_N simulated hosts (bench/report/run.sh; root).
BENCH_REPORT_N      ?= 50
BENCH_REPORT_ROUNDS ?= 1
.PHONY: bench-report
bench-report: all venv
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_HOME="$(CURDIR)/build/ansible-home" \
	  bash bench/report/run.sh $(BENCH_REPORT_N) $(BENCH_REPORT_ROUNDS)
bench-cli: library/porttune
	bash bench/cli/run.sh library/porttune $(BENCH_CLI_ROUNDS)
# Issue 14: the Windows diagnosis under Wine at 20,000 TIME_WAIT sockets next
# to Wine's `netstat -ano` (bench/windiag; root, a network namespace).
.PHONY: bench-windiag
bench-windiag: library/porttune.exe build/win/fake_netsh.exe build/diag/measure build/diag/twgen
	bash bench/windiag/run.sh $(WINDIAG_N) $(WINDIAG_REPS)
WINDIAG_N    ?= 20000
WINDIAG_REPS ?= 1
