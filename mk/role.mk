# SPDX-License-Identifier: MIT
# The Ansible role: its tarball, molecule scenarios on a simulated fleet,
# lint, and the fleet benchmark. Included by the top Makefile.

ROLE_DIST     := build/porttune-role.tar.gz
MOLECULE_SCENARIOS ?= default python-less drift
BENCH_VENV    := build/bench-venv
BENCH_SIZES   ?= 10 50
# Keep Ansible's and molecule's state under build/, not in the user's home.
ROLE_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
  ANSIBLE_HOME="$(CURDIR)/build/ansible-home" \
  XDG_CACHE_HOME="$(CURDIR)/build/cache" \
  ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0
YAMLLINT_CONF := {extends: default, rules: {line-length: {max: 160}, \
  comments: {min-spaces-from-content: 1}, comments-indentation: false, \
  braces: {max-spaces-inside: 1}, octal-values: {forbid-implicit-octal: true, \
  forbid-explicit-octal: true}}}
LINT_PATHS := roles/porttune molecule playbooks

.PHONY: role-dist role-dist-test molecule-test lint bench-fleet

# The role alone with its module in its own library/ (the role in git has
# none: a checkout configures library = CHECKOUT/library, and the collection
# carries the module in plugins/modules). `make collection` is the usual way.
role-dist: library/porttune library/porttune.exe
	rm -rf build/role-dist
	mkdir -p build/role-dist
	cp -a roles/porttune build/role-dist/porttune
	rm -rf build/role-dist/porttune/action_plugins/__pycache__
	mkdir -p build/role-dist/porttune/library
	cp library/porttune build/role-dist/porttune/library/porttune
	if [ -f library/porttune.yml ]; then cp library/porttune.yml build/role-dist/porttune/library/; fi
	# Not porttune.exe: beside porttune it could be picked for Linux hosts;
	# the role's action plugin sends Windows hosts to porttune_win.
	cp library/porttune.exe build/role-dist/porttune/library/porttune_win.exe
	tar -C build/role-dist --owner=0 --group=0 --numeric-owner --sort=name \
	  -czf $(ROLE_DIST) porttune
	@echo "role-dist: $(ROLE_DIST)"; tar -tzvf $(ROLE_DIST) | grep library/

# The tarball's role, alone in another project's roles path, on a simulated fleet.
role-dist-test: role-dist venv
	$(ROLE_ENV) bash tests/fleet/role-dist-test.sh $(ROLE_DIST)

molecule-test: all venv
	@pass=0; fail=0; failed=""; \
	for s in $(MOLECULE_SCENARIOS); do \
	  echo "== molecule test -s $$s"; \
	  if $(ROLE_ENV) MOLECULE_EPHEMERAL_DIRECTORY="$(CURDIR)/build/molecule/$$s" \
	       molecule test -s $$s; then pass=$$((pass+1)); \
	  else fail=$$((fail+1)); failed="$$failed $$s"; fi; \
	done; \
	echo "== role-dist-test"; \
	if $(MAKE) --no-print-directory role-dist-test; then pass=$$((pass+1)); \
	else fail=$$((fail+1)); failed="$$failed role-dist-test"; fi; \
	[ -z "$$failed" ] || echo "molecule-test: failed:$$failed"; \
	echo "molecule-test: $$pass passed, $$fail failed"; \
	[ $$fail = 0 ]

lint: all venv
	$(ROLE_ENV) ANSIBLE_LIBRARY="$(CURDIR)/library" ansible-lint --profile production $(LINT_PATHS)
	$(ROLE_ENV) yamllint -s -d "$(YAMLLINT_CONF)" $(LINT_PATHS)
	$(ROLE_ENV) ansible-doc -M library porttune >/dev/null
	$(ROLE_ENV) ansible-doc -t role -r roles porttune >/dev/null
	@echo "lint: ansible-lint (production), yamllint and ansible-doc clean"

$(BENCH_VENV)/.done: bench/requirements.txt
	/usr/bin/python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
	touch $@

# The role vs ansible.posix.sysctl vs raw: /bin/true on N simulated hosts.
bench-fleet: all $(BENCH_VENV)/.done
	PATH="$(CURDIR)/$(BENCH_VENV)/bin:$$PATH" ANSIBLE_HOME="$(CURDIR)/build/ansible-home" \
	  $(BENCH_VENV)/bin/python bench/fleet/bench.py --sizes "$(BENCH_SIZES)" \
	  --out build/bench-fleet.md

ARTIFACTS += role-dist
TESTS += lint molecule-test
