# SPDX-License-Identifier: MIT
# porttune build and test entry points. `make` builds, `make test` runs everything.

SHELL := /bin/bash
.DEFAULT_GOAL := all

# The release version: VERSION is its one source (tests/version checks every
# place that repeats it). Every C compile gets it through CSTD.
VERSION  := $(strip $(file < VERSION))
ifeq ($(VERSION),)
$(error VERSION: the file is missing or empty; it holds the release version, e.g. 0.2.0)
endif
CSTD     := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -DPT_VERSION='"$(VERSION)"'
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror
OPT      ?= -Os
SAN      ?=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
endif
HOSTCC   ?= gcc
MUSLCC   ?= musl-gcc
MINGWCC  ?= x86_64-w64-mingw32-gcc
VENV     := .venv
PY       := $(VENV)/bin/python

CORE_SRC := $(wildcard module_src/core/*.c)
LINUX_SRC:= $(filter-out %/entry.c %/arena.c,$(wildcard module_src/linux/*.c))
# malloc for the static musl binary only (see the file); instrumented builds keep libc's
LINUX_ARENA := module_src/linux/arena.c
WIN_SRC  := $(filter-out %/entry.c,$(wildcard module_src/win/*.c))
# main()/wmain(): kept out of unit-test links
LINUX_ENTRY := module_src/linux/entry.c
WIN_ENTRY   := module_src/win/entry.c
ANS_SRC  := $(wildcard module_src/ansible/*.c)
CLI_SRC  := $(wildcard module_src/cli/*.c)
# Port-pressure diagnosis: Linux readers (module_src/win/diag.c stands in on
# Windows). musl-gcc finds <linux/inet_diag.h> only through DIAG_KINC, the
# kernel-UAPI header dir mk/diag.mk links up.
DIAG_SRC := $(wildcard module_src/diag/*.c)
# The OS-free part (aggregation, report): linked into the .exe too, which
# reads its sockets through module_src/win/tcptable.c.
DIAG_PURE_SRC := $(filter-out module_src/diag/linux_%,$(DIAG_SRC))
DIAG_KINC:= build/diag/kinc
HDRS     := $(shell find module_src -name '*.h')
# make compares timestamps, not flags: this stamp changes when SAN does, and
# every rule that lists $(HDRS) rebuilds, so `make test SAN=1` after a plain
# build really runs sanitized binaries (and the next plain build undoes it).
SAN_STAMP := build/.san-$(if $(filter 1,$(SAN)),on,off)
$(shell mkdir -p build; [ -e $(SAN_STAMP) ] || { rm -f build/.san-*; touch $(SAN_STAMP); })
HDRS     += $(SAN_STAMP) VERSION

MUSL_JANSSON  := build/deps/musl/lib/libjansson.a
MINGW_JANSSON := build/deps/mingw/lib/libjansson.a

# Shipped binaries are reproducible (tests/dist/repro.sh): no build path in
# them (they are stripped, and __FILE__ is relative), and no link time in the
# .exe's PE header. The ELF also loses the compilers' .comment notes, as
# dh_strip would take them out: the .deb's /usr/bin/porttune is this file.
REPRO_FLAGS := -ffile-prefix-map=$(CURDIR)/=

# Front-end sources of the one binary; the CLI adds itself when present.
APP_SRC := $(ANS_SRC) $(CLI_SRC)

.PHONY: all deps venv test artifacts unit clean demo windows
# Every shipped binary, the .exe included: without mingw-w64 this fails
# (make deps installs it) rather than quietly building less.
all: library/porttune library/linux/porttune library/porttune_info library/linux/porttune_info \
     library/porttune.exe library/porttune_info.exe

# Every package group scripts/deps.sh knows (.ci/run installs through this).
deps:
	sh scripts/deps.sh all

$(MUSL_JANSSON):
	sh scripts/build-jansson.sh musl

$(MINGW_JANSSON):
	sh scripts/build-jansson.sh mingw

# The shipped module: static, musl, stripped.
library/porttune: $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(LINUX_ARENA) $(APP_SRC) $(DIAG_SRC) $(HDRS) \
                  $(MUSL_JANSSON) $(DIAG_KINC)/.done
	$(MUSLCC) $(CSTD) $(WARN) $(OPT) $(REPRO_FLAGS) -Imodule_src -Ibuild/deps/musl/include -isystem $(DIAG_KINC) \
	  -static -s -ffunction-sections -fdata-sections -Wl,--gc-sections \
	  -o $@ $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(LINUX_ARENA) $(APP_SRC) $(DIAG_SRC) $(MUSL_JANSSON)
	objcopy --remove-section=.comment --remove-section=.note $@

# ansible-core files porttune and porttune.exe under one name in os.listdir
# order, so a POSIX host could get the .exe; subfolders of a configured
# library path are searched before the path itself, and a Windows connection
# looks for NAME.exe first, so this link makes both pick the right binary.
library/linux/porttune: library/porttune
	@mkdir -p $(@D)
	ln -sf ../porttune $@

# porttune_info (the diagnosis as an info module) is the same binary: it
# dispatches on _ansible_module_name. The .exe twin reads Windows' TCP
# tables (module_src/win/diag.c) for a Windows host.
library/porttune_info: library/porttune
	ln -sf porttune $@
library/linux/porttune_info: library/porttune
	@mkdir -p $(@D)
	ln -sf ../porttune $@
library/porttune_info.exe: library/porttune.exe
	ln -sf porttune.exe $@

windows: library/porttune.exe
library/porttune.exe: $(CORE_SRC) $(WIN_SRC) $(WIN_ENTRY) $(APP_SRC) $(DIAG_PURE_SRC) $(HDRS) $(MINGW_JANSSON)
	$(MINGWCC) $(CSTD) $(WARN) $(OPT) $(REPRO_FLAGS) -municode -Imodule_src -Ibuild/deps/mingw/include \
	  -static -s -Wl,--no-insert-timestamp -o $@ $(CORE_SRC) $(WIN_SRC) $(WIN_ENTRY) $(APP_SRC) \
	  $(DIAG_PURE_SRC) $(MINGW_JANSSON) -ladvapi32 -liphlpapi

# Host build (glibc, system jansson) for unit tests and sanitizers.
HOSTFLAGS := $(CSTD) $(WARN) -O1 -g $(SANFLAGS) -Imodule_src
build/host/porttune: $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(APP_SRC) $(DIAG_SRC) $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(APP_SRC) $(DIAG_SRC) -ljansson

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRC))
build/unit/%: tests/unit/%.c $(CORE_SRC) $(LINUX_SRC) $(HDRS) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -Itests/unit -o $@ $< $(CORE_SRC) $(LINUX_SRC) -ljansson -lcmocka

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done

$(VENV)/.done: requirements.txt
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@
venv: $(VENV)/.done

# Areas add their own test targets to TESTS in mk/*.mk, and what their
# suites run (test builds, doubles, tarballs) to ARTIFACTS.
TESTS := unit
ARTIFACTS := all build/host/porttune venv
-include mk/*.mk

# The tested path is the README's path: every package group installed and
# every artifact built before the first suite runs, so no suite finds less
# than a fresh machine after `make test` has (and a suite that cannot run
# fails, it never skips). Sub-makes: tools may only just have been installed.
artifacts: $(ARTIFACTS)

test: deps
	$(MAKE) artifacts
	$(MAKE) $(TESTS)
	@echo "make test: all suites passed ($(TESTS))"

demo:
	sh scripts/deps.sh build test
	$(MAKE) library/porttune venv
	bash scripts/demo.sh

clean:
	rm -rf build library/porttune library/porttune.exe library/porttune_info \
	  library/porttune_info.exe library/linux
