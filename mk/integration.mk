# SPDX-License-Identifier: MIT
# Integration tests of the built module (issue 2), as root, in throwaway
# network namespaces; nothing of the machine's own settings or /etc is written.
#
#   make integration   the binary with JSON args files: converge, idempotence,
#                      check/diff, drift, files, rollback, conflicts, bad input
#                      (tests/integration/run.sh [BINARY] [PATTERN])
#   make playbook      a real ansible-playbook run with the module from library/

.PHONY: integration playbook
integration: library/porttune
	bash tests/integration/run.sh library/porttune

# library/ as `make` leaves it, the .exe included: the playbook checks
# which binary a Linux host gets from it.
playbook: all venv
	bash tests/integration/playbook.sh

TESTS += integration playbook
