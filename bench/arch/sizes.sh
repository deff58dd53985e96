#!/bin/sh
# SPDX-License-Identifier: MIT
# Size of the module binary per architecture, as a Markdown table (make arches first).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
echo "| architecture | ELF | bytes | KiB |"
echo "|---|---|---:|---:|"
for a in x86_64 aarch64 armv7 riscv64 ppc64le s390x; do
  f=$root/build/arch/$a/porttune
  [ -f "$f" ] || { echo "sizes.sh: no $f (make arches)" >&2; exit 1; }
  elf=$(readelf -h "$f" | awk -F: '/Class:/ {c=$2} /Data:/ {d=$2} /Machine:/ {m=$2}
        END {gsub(/^ +/, "", c); gsub(/^ +/, "", m); sub(/.*little endian/, "LE", d); sub(/.*big endian/, "BE", d);
             print m ", " c ", " d}')
  n=$(stat -c %s "$f")
  printf '| %s | %s | %d | %d |\n' "$a" "$elf" "$n" $(( (n + 1023) / 1024 ))
done
