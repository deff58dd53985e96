#!/bin/bash
# SPDX-License-Identifier: MIT
# The foreign-architecture binaries under Debian's qemu-user-static: the
# integration suite (tests/integration/run.sh) and the diagnosis on generated
# traffic (tests/diag/run.sh, emulated mode), in network namespaces.
#
#   run.sh [ARCH...]   default: aarch64 armv7 riscv64 ppc64le s390x
#                      (binaries in build/arch/ARCH/porttune, `make arches`)
#
# Each binary runs as BINARY through a two-line wrapper that execs
# qemu-ARCH-static on it; binfmt_misc is never registered. Before that the
# binary must be an ELF of ARCH that this x86_64 machine cannot exec itself,
# so a run can only pass on the emulated code.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(aarch64 armv7 riscv64 ppc64le s390x)

die() { echo "FAIL arch run.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"

tmp=$(mktemp -d /tmp/pt-arch.XXXXXX) || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

failed=()
for a in "${arches[@]}"; do
  case $a in
    aarch64) q=aarch64 m="AArch64" ;;
    armv7)   q=arm     m="ARM" ;;
    riscv64) q=riscv64 m="RISC-V" ;;
    ppc64le) q=ppc64le m="PowerPC64" ;;
    s390x)   q=s390x   m="IBM S/390" ;;
    *) die "unknown architecture '$a' (want aarch64 armv7 riscv64 ppc64le s390x)" ;;
  esac
  bin=$root/build/arch/$a/porttune
  qemu=/usr/bin/qemu-$q-static
  [ -x "$bin" ] || die "no binary $bin (make arches)"
  [ -x "$qemu" ] || die "no $qemu (sh scripts/deps.sh arch)"
  echo "== $a: $bin ($(stat -c %s "$bin") bytes) under $qemu"
  machine=$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')
  case $machine in
    "$m"*) ;;
    *) echo "FAIL $a: ELF machine '$machine', want '$m'"; failed+=("$a:elf"); continue ;;
  esac
  if "$bin" --version >/dev/null 2>&1; then
    echo "FAIL $a: the binary runs natively; not a foreign binary"; failed+=("$a:native"); continue
  fi
  w=$tmp/porttune-$a
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$qemu" "$bin" >"$w"
  chmod +x "$w"
  start=$(date +%s)
  bash "$root/tests/integration/run.sh" "$w" >"$tmp/it-$a.log" 2>&1
  rc=$?
  grep -E '^ *FAIL|^[0-9]+ passed' "$tmp/it-$a.log"
  [ "$rc" = 0 ] || failed+=("$a:integration")
  # s390x is big-endian, this kernel little-endian: /proc/net/tcp's
  # host-order address words read the other way round (tests/diag/run.sh).
  swapped=0
  [ "$a" = s390x ] && swapped=1
  PT_DIAG_EMULATED=1 PT_DIAG_PROC_SWAPPED=$swapped bash "$root/tests/diag/run.sh" "$w" >"$tmp/diag-$a.log" 2>&1
  rc=$?
  grep -cE '^ok ' "$tmp/diag-$a.log" | sed "s/^/diag checks ok: /"
  grep -E '^FAIL|^diag run.sh' "$tmp/diag-$a.log"
  [ "$rc" = 0 ] || failed+=("$a:diag")
  echo "   $a: $(( $(date +%s) - start )) s"
done
[ ${#failed[@]} -eq 0 ] || die "failed: ${failed[*]}"
echo "arch run.sh: all passed (${arches[*]})"
