# SPDX-License-Identifier: MIT
# Windows module (library/porttune.exe): extra build flags, native unit tests
# of the Windows backend's pure parts, and the .exe under Wine.
#
#   make windows         library/porttune.exe (rule in the Makefile)
#   make windows-unit    cmocka: netsh parsers, excluded-range steps, registry
#                        value meaning, fnmatch shim, Windows planning (native,
#                        no Wine)
#   make windows-test    windows-unit + the .exe under Wine (tests/win/run.sh)
#                        + its port-pressure diagnosis on real sockets
#                        (tests/win/diag.sh)

# mingw has no <fnmatch.h>; the shim in module_src/win/compat stands in for
# it in the .exe only.
library/porttune.exe: CSTD += -Imodule_src/win/compat


WIN_PURE_SRC := module_src/win/netsh.c module_src/win/regvalue.c module_src/win/exclset.c
WIN_UNIT_BIN := build/unit/test_netsh build/unit/test_excluded build/unit/test_plan_windows \
                build/unit/test_windiag

# The generic unit rule links core + linux; the netsh test also needs the
# backend's pure files, and the fnmatch shim built under another name so it
# can be compared with glibc's.
build/unit/win_fnmatch.o: module_src/win/fnmatch.c module_src/win/compat/fnmatch.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -Dfnmatch=pt_win_fnmatch -c -o $@ $<

WIN_PURE_DEPS := module_src/core/error.c module_src/core/keys.c module_src/core/value.c
build/unit/test_netsh: tests/unit/test_netsh.c $(WIN_PURE_SRC) $(WIN_PURE_DEPS) \
                       build/unit/win_fnmatch.o $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $< $(WIN_PURE_SRC) $(WIN_PURE_DEPS) build/unit/win_fnmatch.o \
	  -lcmocka

# Excluded port ranges: the parser and the port-set steps (exclset.c).
build/unit/test_excluded: tests/unit/test_excluded.c tests/unit/portset_fixture.h $(WIN_PURE_SRC) $(WIN_PURE_DEPS) $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $< $(WIN_PURE_SRC) $(WIN_PURE_DEPS) -lcmocka

# The diagnosis' pure parts: excluded ranges, advice, owning processes.
WIN_DIAG_PURE := module_src/win/exclreport.c module_src/win/owners.c
build/unit/test_windiag: tests/unit/test_windiag.c tests/unit/portset_fixture.h $(WIN_PURE_SRC) $(WIN_DIAG_PURE) \
                         $(WIN_PURE_DEPS) $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -o $@ $< $(WIN_PURE_SRC) $(WIN_DIAG_PURE) $(WIN_PURE_DEPS) \
	  -ljansson -lcmocka

.PHONY: windows-unit windows-test windows-deps
windows-unit: $(WIN_UNIT_BIN)
	@set -e; for t in $(WIN_UNIT_BIN); do echo "== $$t"; ./$$t; done

# Test double of netsh.exe for the Wine tests (Wine's netsh has no dynamicport).
build/win/fake_netsh.exe: tests/win/fake_netsh.c
	@mkdir -p $(@D)
	$(MINGWCC) $(CSTD) $(WARN) $(OPT) -s -o $@ $<

# Holds the .exe's run lock (a named mutex) for the view-without-rights test.
build/win/hold_lock.exe: tests/win/hold_lock.c
	@mkdir -p $(@D)
	$(MINGWCC) $(CSTD) $(WARN) $(OPT) -s -o $@ $<

windows-deps:
	sh scripts/deps.sh windows

# Test program for the diagnosis test: a Windows process holding connections.
build/win/holder.exe: tests/win/holder.c
	@mkdir -p $(@D)
	$(MINGWCC) $(CSTD) $(WARN) $(OPT) -s -o $@ $< -lws2_32

# Sub-make: the cross compiler and Wine may only just have been installed.
# diag.sh: the diagnosis with real sockets in a network namespace of its own
# (needs root); it compares with the Linux binary on the same traffic.
windows-test: windows-deps
	$(MAKE) library/porttune.exe library/porttune build/win/fake_netsh.exe \
	  build/win/hold_lock.exe build/win/holder.exe windows-unit
	bash tests/win/run.sh library/porttune.exe build/win/fake_netsh.exe build/win/hold_lock.exe
	bash tests/win/diag.sh library/porttune.exe build/win/fake_netsh.exe \
	  build/win/holder.exe library/porttune

ARTIFACTS += build/win/fake_netsh.exe
TESTS += windows-test
