# SPDX-License-Identifier: MIT
# Sourced by the Wine tests (run.sh, diag.sh) and bench/windiag: how a prefix
# gets its netsh.

# pt_wine_install_netsh FAKE_EXE C_DIR: makes the netsh test double
# (tests/win/fake_netsh.c) the netsh.exe the module runs in this WINEPREFIX.
# The module runs netsh only as GetSystemDirectoryW()\netsh.exe, which is
# C:\windows\system32 in a 64-bit prefix: the double replaces that file, and
# netsh.exe=n makes Wine run the file instead of its builtin. C_DIR (the
# prefix's C:\pt as a Linux path) is unused now and kept for the callers.
# The one place that knows how the module finds netsh.
pt_wine_install_netsh() {
  local sys32="$WINEPREFIX/drive_c/windows/system32"
  [ -f "$sys32/netsh.exe" ] || { echo "wineboot left no $sys32/netsh.exe to replace" >&2; return 1; }
  cp "$1" "$sys32/netsh.exe" || return 1
  case ";${WINEDLLOVERRIDES:-};" in
    *";netsh.exe=n;"*) ;;
    *) export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:+$WINEDLLOVERRIDES;}netsh.exe=n" ;;
  esac
}
