# SPDX-License-Identifier: MIT
# The Puppet module release (puppet/porttune as a Forge archive) and its
# tests. Included by the top Makefile.
#
#   make puppet-module        build/dist/puppet/porttune-porttune-VERSION.tar.gz
#   make puppet-module-test   puppet-lint, rspec-puppet, then the archive
#                             installed with `puppet module install` and
#                             applied in network + mount namespaces

PUPPET_VERSION := $(shell cat VERSION)
PUPPET_MODULE  := build/dist/puppet/porttune-porttune-$(PUPPET_VERSION).tar.gz
PUPPET_SRC     := $(shell find puppet/porttune -type f -not -path '*/spec/*' 2>/dev/null)

# The Forge and Galaxy both name their archives porttune-porttune-VERSION.tar.gz:
# each gets its own folder of build/dist (mk/dist.mk).
DIST_TARGETS += puppet-module
DIST_FILES   += puppet/porttune-porttune-$(PUPPET_VERSION).tar.gz

.PHONY: puppet-module puppet-module-test puppet-lint puppet-rspec
puppet-module: $(PUPPET_MODULE)
$(PUPPET_MODULE): library/porttune library/porttune.exe $(PUPPET_SRC) module_src/cli/porttune.1 VERSION LICENSE CHANGELOG.md \
                  scripts/puppet-module.sh
	bash scripts/puppet-module.sh library/porttune library/porttune.exe

puppet-lint:
	sh scripts/deps.sh puppet
	puppet-lint --fail-on-warnings puppet/porttune/manifests
	puppet parser validate puppet/porttune/manifests/*.pp
	puppet epp validate puppet/porttune/templates/porttune_fact.sh.epp
	@echo "puppet-lint: clean"

puppet-rspec:
	sh scripts/deps.sh puppet
	bash tests/puppet/rspec.sh puppet/porttune

puppet-module-test: $(PUPPET_MODULE) puppet-lint puppet-rspec
	bash tests/puppet/module.sh $(PUPPET_MODULE) library/porttune library/porttune.exe

TESTS += puppet-module-test
