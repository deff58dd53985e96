# SPDX-License-Identifier: MIT
# Hardening (issue 7): libFuzzer targets, fault injection, sanitizers,
# valgrind and static checks.
#
#   make fuzz         replay tests/fuzz/corpus, then fuzz each target FUZZ_SECONDS
#                     (default 60; FUZZ_JOBS at a time) with ASan+UBSan+leaks
#   make fuzz-replay  the corpus replay alone (seconds)
#   make faults       tests/faults/run.sh: disk full, read-only, permission
#                     denied, kill -9, concurrency, symlinks, injection
#   make san-test     unit tests, module runs and faults with ASan+UBSan
#   make valgrind     unit tests and module runs under memcheck
#   make cppcheck     make clang-tidy     static checks of module_src
#
# Targets: options (args JSON -> options -> plan -> file text), conf (sysctl.d
# parse/edit/render), value (range/port-set/int parsers); netsh (Windows
# backend's output parser) when module_src/win/netsh.c exists; cli (KEY=VALUE
# words) when module_src/cli/ exists.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_FLAGS   := $(CSTD) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer -Imodule_src
FUZZ_TARGETS := options conf value boot
ifneq ($(wildcard module_src/win/netsh.c),)
FUZZ_TARGETS += netsh
endif
ifneq ($(wildcard module_src/cli/cli.c),)
FUZZ_TARGETS += cli
endif
FUZZ_BIN := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

# clang, clang-tidy, cppcheck, valgrind, jq for a suite run alone (make deps,
# and so make test, installs every group first); order-only, so an install
# never forces a rebuild.
.PHONY: fuzz fuzz-build fuzz-replay fuzz-deps
fuzz-deps:
	sh scripts/deps.sh fuzz

$(FUZZ_BIN): | fuzz-deps
fuzz-build: $(FUZZ_BIN)

build/fuzz/fuzz_netsh: tests/fuzz/fuzz_netsh.c tests/fuzz/fuzz.h module_src/win/netsh.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< module_src/win/netsh.c

# cli.c is compiled into the target (its parser is static); output.c beside it.
build/fuzz/fuzz_cli: tests/fuzz/fuzz_cli.c tests/fuzz/fuzz.h $(CLI_SRC) $(CORE_SRC) $(LINUX_SRC) $(DIAG_SRC) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(filter-out %/cli.c,$(CLI_SRC)) $(CORE_SRC) $(LINUX_SRC) \
	  $(DIAG_SRC) -ljansson

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(CORE_SRC) $(LINUX_SRC) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRC) $(LINUX_SRC) -ljansson

fuzz: $(FUZZ_BIN)
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-replay: $(FUZZ_BIN)
	bash tests/fuzz/run.sh 0 $(FUZZ_JOBS) $(FUZZ_TARGETS)

TESTS += fuzz

# Fault injection against the shipped binary (root: namespaces and mounts);
# the same binary through the representative runs; and a stress test of its
# allocator (linux/arena.c, in the musl build only, so neither the sanitizers
# nor valgrind see it).
.PHONY: faults
faults: library/porttune build/test/porttune build/faults/arena_stress build/faults/kill_at_temp | fuzz-deps
	./build/faults/arena_stress
	bash tests/faults/run.sh library/porttune build/test/porttune
	bash tests/faults/module-runs.sh library/porttune

# kill -9 a run just after it creates its temp file (tests/faults/run.sh)
build/faults/kill_at_temp: tests/faults/kill_at_temp.c
	@mkdir -p $(@D)
	$(HOSTCC) $(CSTD) $(WARN) -O1 -g -o $@ $<

build/faults/arena_stress: tests/faults/arena_stress.c $(LINUX_ARENA)
	@mkdir -p $(@D)
	$(MUSLCC) $(CSTD) $(WARN) -O1 -g -static -o $@ $< $(LINUX_ARENA)

TESTS += faults

# ---- sanitizers and valgrind, each in a tree of its own ----
# build/NAME/tree holds links to the sources, so a sub-make there with other
# flags builds into build/NAME/tree/build/ and never clobbers (or is mistaken
# for) the main build: make compares timestamps, not flags.
define pt_shadow_tree
	@mkdir -p build/$(1)/tree
	@for p in Makefile mk module_src tests scripts requirements.txt VERSION; do \
	  [ ! -e $$p ] || ln -sfn $(CURDIR)/$$p build/$(1)/tree/$$p; done
endef

# Unit tests and the host binary (module + CLI) with ASan+UBSan; then the
# representative module runs and the fault tests against that binary.
.PHONY: san-test valgrind
san-test: build/faults/kill_at_temp | fuzz-deps
	$(call pt_shadow_tree,san)
	$(MAKE) -C build/san/tree SAN=1 unit build/host/porttune
	bash tests/faults/module-runs.sh build/san/tree/build/host/porttune
	bash tests/faults/run.sh build/san/tree/build/host/porttune

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect
UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(UNIT_SRC))
valgrind: | fuzz-deps
	$(call pt_shadow_tree,vg)
	$(MAKE) -C build/vg/tree SAN= build/host/porttune $(UNIT_NAMES:%=build/unit/%)
	@set -e; cd build/vg/tree; for t in $(UNIT_NAMES); do \
	  echo "== valgrind build/unit/$$t"; $(VALGRIND) ./build/unit/$$t; done
	bash tests/faults/module-runs.sh build/vg/tree/build/host/porttune $(VALGRIND)

TESTS += san-test valgrind

# ---- static checks (choices of checks explained in tests/static/run.sh) ----
.PHONY: cppcheck clang-tidy
cppcheck: | fuzz-deps
	bash tests/static/run.sh cppcheck

clang-tidy: | fuzz-deps
	bash tests/static/run.sh clang-tidy

TESTS += cppcheck clang-tidy
