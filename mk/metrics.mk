# SPDX-License-Identifier: MIT
# `porttune metrics` (module_src/cli/metrics*.c), the Prometheus alert rules
# in contrib/prometheus, and the role's collection timer, checked with the
# real tools: promtool (Debian's prometheus), prometheus-node-exporter and
# systemd-analyze.
#
#   make metrics-test    promtool check metrics on the output; node_exporter's
#                        textfile collector in a network namespace serves what
#                        the test's traffic made, read back over HTTP; promtool
#                        check/test rules; the role's units rendered by ansible
#                        and checked with systemd-analyze verify
#
# The formatter's unit test (tests/unit/test_metrics.c) runs with `make unit`;
# it links the formatter, which is not part of the core the other unit tests
# link, so it has its own rule here (an explicit rule wins over the pattern);
# --wrap lets it fail the formatter's allocations one by one.

METRICS_FMT := module_src/cli/metrics.c

build/unit/test_metrics: tests/unit/test_metrics.c $(METRICS_FMT) $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTFLAGS) -Itests/unit -Wl,--wrap=malloc,--wrap=realloc -o $@ $< $(METRICS_FMT) \
	  -ljansson -lcmocka

.PHONY: metrics-test
metrics-test: library/porttune build/host/porttune build/unit/test_metrics venv \
              library/porttune.exe build/win/fake_netsh.exe
	sh scripts/deps.sh metrics windows
	./build/unit/test_metrics
	bash tests/metrics/run.sh library/porttune
	bash tests/metrics/run.sh build/host/porttune
	bash tests/metrics/win.sh library/porttune.exe build/win/fake_netsh.exe
	bash tests/metrics/rules.sh
	bash tests/metrics/role.sh

TESTS += metrics-test
