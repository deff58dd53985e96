# SPDX-License-Identifier: MIT
# Self-test of the static gate (tests/static/run.sh, targets cppcheck and
# clang-tidy in mk/fuzz.mk): it fails when its tool crashes, is missing or
# reports nothing, and when the mingw headers are missing.
#
#   make static-selftest

.PHONY: static-selftest
static-selftest: | fuzz-deps
	bash tests/static/selftest.sh

TESTS += static-selftest
