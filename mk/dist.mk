# SPDX-License-Identifier: MIT
# Release artifacts (issue 12) in build/dist/, their version and their
# reproducibility.
#
#   make deb          build/dist/porttune_VERSION-1_ARCH.deb: Debian's own tools
#                     (debian/, dpkg-buildpackage) in a copy of the tree under
#                     build/deb (scripts/build-deb.sh)
#   make dist         every artifact in build/dist/ and build/dist/SHA256SUMS
#   make deb-test     lintian, then dpkg installs the .deb into a throwaway
#                     root, runs porttune from there and purges it
#   make version-test VERSION against every place that repeats it, the built
#                     binaries and the artifacts in build/dist
#   make repro-test   two clones of HEAD in different directories, make dist in
#                     each with one SOURCE_DATE_EPOCH: identical SHA256SUMS
#
# Layout of build/dist/ (SHA256SUMS lists paths relative to it):
#   porttune_VERSION-1_ARCH.deb                  this file
#   bin/porttune-VERSION-linux-amd64             this file (the static ELF)
#   bin/porttune-VERSION-windows-amd64.exe       this file
#   ansible/porttune-porttune-VERSION.tar.gz     the collection (mk/collection.mk)
#   puppet/porttune-porttune-VERSION.tar.gz      the Puppet module release
# Galaxy and the Forge both name their archives porttune-porttune-VERSION.tar.gz,
# hence the two subdirectories.
#
# Each mk file that makes an artifact adds its make target to DIST_TARGETS
# and the artifact's path (relative to build/dist) to DIST_FILES. make dist
# builds DIST_TARGETS, fails if a DIST_FILES entry is missing, deletes any
# other file in build/dist (stale versions) and writes SHA256SUMS over
# exactly DIST_FILES.
#
# SOURCE_DATE_EPOCH (the time stamped into archives) defaults to the date of
# debian/changelog's newest entry, the release date: the same on every
# clone and every commit of a release. Set it to override.

ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
ifneq ($(wildcard debian/changelog),)
SOURCE_DATE_EPOCH := $(shell date -d "$$(sed -n 's/^ -- .*>  //p' debian/changelog | head -n 1)" +%s 2>/dev/null)
endif
endif
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif

DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB_VERSION := $(shell head -n 1 debian/changelog 2>/dev/null | cut -d ' ' -f 2 | tr -d '()')
DEB_FILE    := porttune_$(DEB_VERSION)_$(DEB_ARCH).deb
DIST_BIN_LINUX   := bin/porttune-$(VERSION)-linux-amd64
DIST_BIN_WINDOWS := bin/porttune-$(VERSION)-windows-amd64.exe

DIST_TARGETS += deb dist-bin
DIST_FILES   += $(DEB_FILE) $(DIST_BIN_LINUX) $(DIST_BIN_WINDOWS)

.PHONY: deb dist dist-bin dist-deps deb-test version-test repro-test

# The tools of the release build (debhelper, lintian, ...), the Windows
# cross compiler; order-only, so an install never forces a rebuild.
dist-deps:
	sh scripts/deps.sh build windows dist

# What the package is built from: its copy of the tree holds these.
DEB_INPUTS := $(shell find module_src debian -type f 2>/dev/null) Makefile $(wildcard mk/*.mk) \
              VERSION CHANGELOG.md README.md LICENSE scripts/build-deb.sh scripts/build-jansson.sh
deb: build/dist/$(DEB_FILE)
build/dist/$(DEB_FILE): $(DEB_INPUTS) | dist-deps
	bash scripts/build-deb.sh

dist-bin: build/dist/$(DIST_BIN_LINUX) build/dist/$(DIST_BIN_WINDOWS)
build/dist/$(DIST_BIN_LINUX): library/porttune
	install -D -m 0755 $< $@
build/dist/$(DIST_BIN_WINDOWS): library/porttune.exe | dist-deps
	install -D -m 0755 $< $@

# Second expansion: mk files read after this one (puppet-module.mk) add to
# DIST_TARGETS too.
.SECONDEXPANSION:
dist: $$(DIST_TARGETS) | dist-deps
	@cd build/dist && missing=0 && \
	for f in $(DIST_FILES); do [ -f "$$f" ] || { echo "dist: missing build/dist/$$f" >&2; missing=1; }; done; \
	[ $$missing = 0 ]
	@cd build/dist && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort >.found && \
	printf '%s\n' $(DIST_FILES) | LC_ALL=C sort >.want && \
	LC_ALL=C comm -23 .found .want | grep -v '^\.\(found\|want\)$$' | while IFS= read -r f; do \
	  echo "dist: removing stale build/dist/$$f"; rm -f -- "$$f"; done; \
	rm -f .found .want; find . -type d -empty -delete
	cd build/dist && printf '%s\n' $(DIST_FILES) | LC_ALL=C sort | xargs sha256sum >SHA256SUMS.tmp && \
	  mv SHA256SUMS.tmp SHA256SUMS
	@cd build/dist && echo "dist (SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH)):" && \
	  while read -r sum f; do printf '  %-48s %8s bytes  %.16s\n' "$$f" "$$(stat -c %s "$$f")" "$$sum"; \
	  done <SHA256SUMS

deb-test: build/dist/$(DEB_FILE) library/porttune
	bash tests/deb/run.sh build/dist/$(DEB_FILE) library/porttune

version-test: dist library/porttune
	bash tests/version/run.sh

# Slow (two full release builds): REPRO_KEEP=1 keeps the clones for a look.
repro-test: | dist-deps
	bash tests/dist/repro.sh

TESTS += deb-test version-test repro-test
