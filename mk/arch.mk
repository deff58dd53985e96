# SPDX-License-Identifier: MIT
# The module for every Linux architecture Debian and RHEL ship (issue 13):
# static, stripped, each with its own jansson, tested under qemu-user.
#
#   make zig         the pinned C cross compiler: Zig's `zig cc` from the
#                    ziglang PyPI wheel in build/zig-venv, and the wrappers
#                    build/zig/bin/{cc-ARCH,ar,ranlib} that CMake and make call
#   make arches      build/arch/ARCH/porttune for ARCH in $(ARCHES)
#                    (x86_64 is library/porttune as musl-gcc builds it)
#   make arch-test   each foreign binary under qemu-ARCH-static, in network
#                    namespaces: tests/arch/run.sh (integration + diagnosis)
#
# Why zig cc: one pinned download (pip) cross-compiles C for all five foreign
# targets with musl and the Linux UAPI headers built in; Debian's cross gcc
# has no riscv64 musl and its musl-gcc specs hide the UAPI headers. x86_64
# keeps musl-gcc: it is the binary bench/module measures (size and speed).

ZIG_VERSION := 0.14.1
ZIG_VENV    := build/zig-venv
ZIGBIN      := build/zig/bin
ARCHES      := x86_64 aarch64 armv7 riscv64 ppc64le s390x
FOREIGN_ARCHES := $(filter-out x86_64,$(ARCHES))
ARCH_BINS   := $(patsubst %,build/arch/%/porttune,$(ARCHES))
# Each target is what the oldest hardware of that Debian port runs: armhf is
# ARMv7-A with VFPv3-D16 and Thumb-2, no NEON (zig's default has NEON).
ZIGTARGET_aarch64 := -target aarch64-linux-musl
ZIGTARGET_armv7   := -target arm-linux-musleabihf -mcpu=generic+v7a+vfp3d16+thumb2-neon-d32
ZIGTARGET_riscv64 := -target riscv64-linux-musl
ZIGTARGET_ppc64le := -target powerpc64le-linux-musl
ZIGTARGET_s390x   := -target s390x-linux-musl
# Largest binary we ship for any architecture (the issue's bound).
ARCH_MAX_BYTES := 524288

.PHONY: zig arches arch-test
zig: $(ZIGBIN)/.done

$(ZIG_VENV)/.done:
	/usr/bin/python3 -m venv $(ZIG_VENV)
	$(ZIG_VENV)/bin/pip install -q --disable-pip-version-check ziglang==$(ZIG_VERSION)
	touch $@

# zig keeps its caches (musl's libc per target, built once) under build/;
# ZIG_CACHE may name another (repro-test's clones share the checkout's).
ZIG_CACHE ?= $(CURDIR)/build/zig-cache
$(ZIGBIN)/.done: $(ZIG_VENV)/.done
	@mkdir -p $(@D)
	@set -e; zig=$$($(ZIG_VENV)/bin/python -c 'import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))'); \
	cache=$(ZIG_CACHE); \
	w() { printf '#!/bin/sh\n# Written by mk/arch.mk.\nZIG_GLOBAL_CACHE_DIR=%s ZIG_LOCAL_CACHE_DIR=%s exec %s %s "$$@"\n' \
	        "$$cache" "$$cache" "$$zig" "$$2" >$(@D)/$$1; chmod +x $(@D)/$$1; }; \
	w ar ar; w ranlib ranlib; \
	$(foreach a,$(FOREIGN_ARCHES),w cc-$(a) "cc $(ZIGTARGET_$(a))";) \
	test "$$($$zig version)" = "$(ZIG_VERSION)"
	touch $@

# Kept: make would delete it as an intermediate of the pattern rule below.
.PRECIOUS: build/deps/%/lib/libjansson.a
build/deps/%/lib/libjansson.a: | $(ZIGBIN)/.done
	sh scripts/build-jansson.sh $*

arches: $(ARCH_BINS)

# x86_64 is the shipped library/porttune, copied so build/arch is complete.
build/arch/x86_64/porttune: library/porttune
	@mkdir -p $(@D)
	cp $< $@

# Same sources and flags as library/porttune; zig's musl has the UAPI headers.
build/arch/%/porttune: $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(LINUX_ARENA) $(APP_SRC) $(DIAG_SRC) \
                       $(HDRS) build/deps/%/lib/libjansson.a | $(ZIGBIN)/.done
	@mkdir -p $(@D)
	$(ZIGBIN)/cc-$* $(CSTD) $(WARN) $(OPT) -Imodule_src -Ibuild/deps/$*/include \
	  -static -s -ffunction-sections -fdata-sections -Wl,--gc-sections \
	  -o $@ $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(LINUX_ARENA) $(APP_SRC) $(DIAG_SRC) \
	  build/deps/$*/lib/libjansson.a
	@size=$$(stat -c %s $@); [ $$size -le $(ARCH_MAX_BYTES) ] || \
	  { echo "arch.mk: $@ is $$size bytes, more than $(ARCH_MAX_BYTES)" >&2; rm -f $@; exit 1; }

ARTIFACTS += arches

# Byte order of the sock_diag parser: tests/diag/endian_check.c (no cmocka)
# natively and as an s390x (big-endian) binary under qemu-s390x-static. It
# links only the parser and the error helpers.
ENDIAN_SRC := tests/diag/endian_check.c module_src/diag/linux_sockdiag.c module_src/core/error.c
build/unit-diag/endian_check: $(ENDIAN_SRC) $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $(ENDIAN_SRC)
build/arch/s390x/endian_check: $(ENDIAN_SRC) $(HDRS) build/deps/s390x/lib/libjansson.a | $(ZIGBIN)/.done
	@mkdir -p $(@D)
	$(ZIGBIN)/cc-s390x $(CSTD) $(WARN) $(OPT) -Imodule_src -Ibuild/deps/s390x/include -static -o $@ $(ENDIAN_SRC)

.PHONY: endian-test
endian-test: build/unit-diag/endian_check build/arch/s390x/endian_check
	./build/unit-diag/endian_check
	/usr/bin/qemu-s390x-static build/arch/s390x/endian_check

arch-test: arches endian-test library/porttune build/diag/no-netlink
	bash tests/arch/run.sh

TESTS += arch-test

# Beside library/linux/porttune, where the action plugin looks for the
# binary of a host's architecture (roles/porttune/action_plugins/porttune.py).
ARCH_LIB := $(patsubst %,library/linux/porttune-%,$(FOREIGN_ARCHES))
library/linux/porttune-%: build/arch/%/porttune
	@mkdir -p $(@D)
	cp $< $@
arch-lib: $(ARCH_LIB)
ARTIFACTS += arch-lib
.PHONY: arch-lib

# The action plugin's choice of binary per host (python unittest).
.PHONY: arch-select-test
arch-select-test: venv
	$(PY) -m unittest -v tests/arch/test_select.py
TESTS += arch-select-test

# A mixed fleet over SSH: x86_64, aarch64, s390x and riscv64 hosts (their own
# binfmt_misc in a user namespace each, kernel >= 6.7) and a mips64 host.
.PHONY: arch-fleet-test
# Also the collection's FQCN module: its own tarball here, built by the same
# script (build/dist's name is shared by the Puppet module's tarball today).
ARCH_COLL := build/arch-coll/dist/porttune-porttune-$(shell cat VERSION).tar.gz
$(ARCH_COLL): $(ARCH_LIB) library/porttune library/porttune.exe scripts/build-collection.sh \
              roles/porttune/action_plugins/porttune.py $(VENV)/.done
	rm -rf build/arch-coll
	$(COLL_ENV) bash scripts/build-collection.sh $(VERSION) $(PROJECT_URL) \
	  build/arch-coll/ansible_collections/porttune/porttune $(@D)
arch-fleet-test: all arch-lib venv $(ARCH_COLL)
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH bash tests/fleet/arch-test.sh $(ARCH_COLL)
TESTS += arch-fleet-test
