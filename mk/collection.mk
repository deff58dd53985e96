# SPDX-License-Identifier: MIT
# The Ansible collection porttune.porttune: `make collection` builds
# build/dist/ansible/porttune-porttune-VERSION.tar.gz with ansible-galaxy;
# `make collection-test` installs it and uses it only by FQCN on a simulated
# fleet with the newest and the oldest ansible-core claimed, then runs
# ansible-test sanity on the installed tree. Included by the top Makefile.

VERSION      ?= $(shell cat VERSION)
PROJECT_URL  ?= https://github.com/porttune/porttune
COLL_TREE    := build/collection/ansible_collections/porttune/porttune
# Galaxy's name for the artifact; the Puppet Forge's is the same, so the
# two must not share one directory.
COLL_DIST_DIR ?= build/dist/ansible
COLL_TARBALL := $(COLL_DIST_DIR)/porttune-porttune-$(VERSION).tar.gz
# The oldest ansible-core the collection (meta/runtime.yml) and the role
# (meta/main.yml) claim; its venv is built here, the newest is .venv's.
OLDEST_CORE  ?= ansible-core==2.15.13
OLDEST_VENV  := build/venv-oldest
COLL_SRC     := $(wildcard collection/*.in collection/*.md collection/meta/* collection/plugins/action/* \
                  collection/tests/sanity/*) roles/porttune/action_plugins/porttune.py \
                $(shell find roles/porttune -type f -not -path '*/__pycache__/*') playbooks/audit.yml playbooks/report.yml \
                playbooks/templates/porttune-report.html.j2 \
                library/porttune.yml library/porttune_info.yml LICENSE CHANGELOG.md VERSION
COLL_ENV     := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ANSIBLE_HOME="$(CURDIR)/build/ansible-home" \
                XDG_CACHE_HOME="$(CURDIR)/build/cache" ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0

DIST_TARGETS += collection
DIST_FILES   += ansible/porttune-porttune-$(VERSION).tar.gz

.PHONY: collection collection-test collection-fleet-test collection-sanity checkout-role-test

collection: $(COLL_TARBALL)

$(COLL_TARBALL): $(COLL_SRC) scripts/build-collection.sh library/porttune library/porttune.exe $(ARCH_LIB) $(VENV)/.done
	$(COLL_ENV) bash scripts/build-collection.sh $(VERSION) $(PROJECT_URL) $(COLL_TREE) $(@D)

$(OLDEST_VENV)/.done: mk/collection.mk
	rm -rf $(OLDEST_VENV)
	/usr/bin/python3 -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/pip install -q --disable-pip-version-check '$(OLDEST_CORE)'
	touch $@

# The tarball, installed with ansible-galaxy, on a simulated fleet: newest
# (.venv, requirements.txt) and oldest ansible-core.
collection-fleet-test: $(COLL_TARBALL) $(OLDEST_VENV)/.done
	$(COLL_ENV) bash tests/collection/collection-test.sh $(COLL_TARBALL) $(CURDIR)/$(VENV)/bin
	$(COLL_ENV) bash tests/collection/collection-test.sh $(COLL_TARBALL) $(CURDIR)/$(OLDEST_VENV)/bin

# ansible-test sanity on the tree ansible-galaxy installs from the tarball.
collection-sanity: $(COLL_TARBALL)
	$(COLL_ENV) bash tests/collection/sanity.sh $(COLL_TARBALL) $(CURDIR)/$(VENV)/bin

# The role from this checkout (issue 12, point 2): ansible.cfg's library path.
checkout-role-test: all venv
	$(COLL_ENV) bash tests/collection/checkout-test.sh

collection-test: collection-fleet-test collection-sanity checkout-role-test

TESTS += collection-test
