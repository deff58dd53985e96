# SPDX-License-Identifier: MIT
# Sidecar docs of the binary module (library/porttune.yml): ansible-doc
# renders them; options, types, choices, bounds and defaults match what the
# built binary accepts (asked in throwaway network namespaces); RETURN covers
# every result key; EXAMPLES parse, use accepted options and run. The role's
# README table, defaults/main.yml and meta/argument_specs.yml agree; the
# sidecars' platform attribute names what is built (x86_64 Linux and Windows).

.PHONY: docs-test
docs-test: venv library/porttune
	bash tests/docs/check_docs.sh

TESTS += docs-test
