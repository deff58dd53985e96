# SPDX-License-Identifier: MIT
# Sourced by the Wine tests (run.sh, diag.sh): how a prefix gets its netsh.

# pt_wine_install_netsh FAKE_EXE C_DIR: makes the netsh test double
# (tests/win/fake_netsh.c) the netsh.exe the module runs in this WINEPREFIX.
# C_DIR is the prefix's C:\pt as a Linux path. The one place that knows how
# the module finds netsh: change it here when that changes.
pt_wine_install_netsh() {
  cp "$1" "$2/fake_netsh.exe" || return 1
  export PORTTUNE_TEST_NETSH='C:\pt\fake_netsh.exe'
}
