# SPDX-License-Identifier: MIT
# Allocation failure beyond jansson's allocator (issue 11): a test build of
# the module and CLI whose every allocation (porttune's and the static
# jansson's, the release build the binaries ship) goes through
# tests/oom/failalloc.c, which fails the Nth on request; tests/oom/sweep.py
# runs it for every N until a run succeeds over a converging module run with
# diff, the CLI (set, get, check) and porttune diagnose --json, in network
# and mount namespaces of its own, with ASan, UBSan and LeakSanitizer.
#
#   make oom-test       every sweep, each in both modes (the Nth call
#                       fails; every call from the Nth fails)

HOST_JANSSON := build/deps/host/lib/libjansson.a
OOM_WRAP     := malloc calloc realloc strdup strndup fopen
OOM_FLAGS    := $(CSTD) $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer -Imodule_src -Ibuild/deps/host/include

$(HOST_JANSSON):
	sh scripts/build-jansson.sh host

build/oom/porttune: tests/oom/failalloc.c $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(APP_SRC) \
                    $(DIAG_SRC) $(HDRS) $(HOST_JANSSON)
	@mkdir -p $(@D)
	$(HOSTCC) $(OOM_FLAGS) -o $@ $(CORE_SRC) $(LINUX_SRC) $(LINUX_ENTRY) $(APP_SRC) $(DIAG_SRC) \
	  tests/oom/failalloc.c $(HOST_JANSSON) $(OOM_WRAP:%=-Wl,--wrap=%)

.PHONY: oom-test
oom-test: build/oom/porttune
	python3 tests/oom/sweep.py build/oom/porttune

TESTS += oom-test
