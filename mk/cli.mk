# SPDX-License-Identifier: MIT
# The native helper CLI (module_src/cli), its man page, the Puppet module on
# top of it, and their tests.
#
#   make install PREFIX=/usr/local   bin/porttune and share/man/man1/porttune.1
#   make cli-test                    CLI in network namespaces (musl and host builds)
#   make puppet-test                 puppet apply/resource and facter (Debian's puppet)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CLI_MAN := module_src/cli/porttune.1

.PHONY: install cli-test puppet-test
install: library/porttune $(CLI_MAN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 library/porttune $(DESTDIR)$(BINDIR)/porttune
	install -m 0644 $(CLI_MAN) $(DESTDIR)$(MANDIR)/man1/porttune.1

# The shipped binary, with its test build (mk/release.mk) for the one case
# that needs a test hook; the host build has the hooks itself.
cli-test: library/porttune build/test/porttune build/host/porttune
	bash tests/cli/run.sh library/porttune build/test/porttune
	bash tests/cli/run.sh build/host/porttune

puppet-test: library/porttune
	sh scripts/deps.sh puppet
	bash tests/puppet/run.sh library/porttune

TESTS += cli-test puppet-test
