# SPDX-License-Identifier: MIT
# What ships, and the test build that is not shipped.
#
#   make shipped-test   tests/shipped/run.sh: library/porttune is a static ELF,
#                       library/porttune.exe imports only Windows' own DLLs,
#                       neither (nor the role tarball's copies) contains a
#                       PORTTUNE_TEST string; each check first refuses a
#                       known-bad binary
#   build/test/porttune the shipped binary's code built with -DPT_TEST_HOOKS
#                       (PORTTUNE_TEST_PAUSE_BEFORE_RENAME), for the kill and
#                       exit-6 tests of tests/faults and tests/cli only
#
# The host build (build/host/porttune) is a test build too and has the hooks.

TEST_BIN := build/test/porttune

$(TEST_BIN): $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(LINUX_ARENA) $(APP_SRC) $(DIAG_SRC) $(HDRS) \
             $(MUSL_JANSSON) $(DIAG_KINC)/.done
	@mkdir -p $(@D)
	$(MUSLCC) $(CSTD) $(WARN) $(OPT) -DPT_TEST_HOOKS -Imodule_src -Ibuild/deps/musl/include \
	  -isystem $(DIAG_KINC) -static -s -ffunction-sections -fdata-sections -Wl,--gc-sections \
	  -o $@ $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(LINUX_ARENA) $(APP_SRC) $(DIAG_SRC) $(MUSL_JANSSON)

build/host/porttune: HOSTFLAGS += -DPT_TEST_HOOKS
build/host/porttune: mk/release.mk

.PHONY: shipped-test
shipped-test: library/porttune library/porttune.exe $(TEST_BIN) role-dist
	bash tests/shipped/run.sh library/porttune library/porttune.exe $(ROLE_DIST) $(TEST_BIN)

ARTIFACTS += $(TEST_BIN)
TESTS += shipped-test
