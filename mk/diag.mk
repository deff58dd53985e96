# SPDX-License-Identifier: MIT
# Port-pressure diagnosis (module_src/diag): a library for the front ends,
# its unit and namespace tests, and the benchmark. The namespace tests drive
# the shipped binary (`porttune diagnose`, porttune_info), so they test the
# path users run: pt_diag_run with its netlink -> /proc fallback.
#
#   make diag-test       unit tests + namespace integration test of
#                        `porttune diagnose` (static musl library/porttune and
#                        the host build) + the front ends (porttune diagnose,
#                        porttune_info), each also under build/diag/no-netlink
#                        (the automatic netlink -> /proc fallback)
#   make diag-bench      bench/diag (not a test; needs root, minutes)
#
# Kernel headers and musl: Debian's musl-gcc searches only musl's own include
# dir, so <linux/inet_diag.h> is not found. We do not add /usr/include (glibc's
# headers would shadow musl's); build/diag/kinc holds symlinks to just the
# kernel-UAPI dirs linux/, asm/ (multiarch) and asm-generic/, added with
# -isystem. They are plain UAPI headers and compile clean with musl.

# DIAG_SRC and DIAG_KINC are set in the Makefile: the shipped binary's rule
# there needs them. The diag files use the core (errors, the sysctl values'
# parsers and formatter, the capacity model) and the Linux backend's file
# reader, so the unit tests link both, as tests/unit does.
DIAG_HDRS  := $(HDRS)
DIAG_CORE  := $(CORE_SRC) $(LINUX_SRC)
DIAG_MARCH := $(shell $(HOSTCC) -print-multiarch 2>/dev/null)

DIAG_UNIT_SRC := $(wildcard tests/diag/test_*.c)
DIAG_UNIT_BIN := $(patsubst tests/diag/%.c,build/unit-diag/%,$(DIAG_UNIT_SRC))

.PHONY: diag-unit diag-integration diag-front diag-test diag-bench

$(DIAG_KINC)/.done:
	@mkdir -p $(@D)
	ln -sfn /usr/include/linux $(@D)/linux
	ln -sfn /usr/include/$(DIAG_MARCH)/asm $(@D)/asm
	ln -sfn /usr/include/asm-generic $(@D)/asm-generic
	@test -f $(@D)/linux/inet_diag.h && test -f $(@D)/asm/types.h || \
	  { echo "diag.mk: kernel headers missing (Debian linux-libc-dev)" >&2; exit 1; }
	touch $@

build/unit-diag/%: tests/diag/%.c $(DIAG_SRC) $(DIAG_CORE) $(DIAG_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $< $(DIAG_SRC) $(DIAG_CORE) -ljansson -lcmocka

diag-unit: $(DIAG_UNIT_BIN)
	@set -e; for t in $(DIAG_UNIT_BIN); do echo "== $$t"; ./$$t; done

# Test launcher: runs a command with socket(AF_NETLINK) refused by seccomp.
build/diag/no-netlink: tests/diag/no_netlink.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $<

diag-integration: library/porttune build/host/porttune build/diag/no-netlink
	bash tests/diag/run.sh library/porttune
	bash tests/diag/run.sh build/host/porttune

# The shipped binary's front ends on the same traffic, against each other;
# the playbook step needs library/ as `make all` leaves it and .venv.
diag-front: library/porttune library/porttune_info library/linux/porttune_info \
            build/host/porttune build/diag/no-netlink venv
	bash tests/diag/front.sh library/porttune
	bash tests/diag/front.sh build/host/porttune

diag-test: diag-unit diag-integration diag-front

diag-bench: library/porttune build/host/porttune build/diag/measure build/diag/twgen
	bash bench/diag/run.sh

build/diag/measure: bench/diag/measure.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $<

build/diag/twgen: bench/diag/twgen.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $<

TESTS += diag-test
