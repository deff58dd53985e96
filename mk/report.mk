# SPDX-License-Identifier: MIT
# The fleet report (issue 15, point 2): `make report-test` runs
# playbooks/report.yml on a simulated fleet (tests/fleet/fleet.sh) and reads
# the HTML back in headless Chromium (scripts/deps.sh group `report`):
# rendered DOM against the JSON results, no network request, a screenshot in
# build/report/report.png. Needs root (network namespaces). Included by the
# top Makefile.

REPORT_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_HOME="$(CURDIR)/build/ansible-home" \
              XDG_CACHE_HOME="$(CURDIR)/build/cache"

.PHONY: report-test

report-test: all venv
	$(REPORT_ENV) bash tests/report/run.sh build/report

TESTS += report-test
