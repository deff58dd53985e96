#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the Puppet module release build/dist/puppet/porttune-porttune-VERSION.tar.gz
# in the Forge's format (one top folder NAME-VERSION/ with metadata.json,
# checksums.json, lib/, manifests/, ...), deterministically: sorted names,
# every mtime SOURCE_DATE_EPOCH (default: the last commit's time), owner
# 0/0, fixed modes, gzip without name or time.
#
# Ships both helpers: files/porttune (the static musl ELF, for the class on
# Linux) and files/porttune.exe (the mingw build, for the class on Windows),
# and both facts: facts.d/porttune.sh and facts.d/porttune.bat (pluginsync
# copies facts.d to every agent; Facter on Linux never runs a .bat and
# Facter on Windows runs only .bat/.cmd/.com/.exe/.ps1), the .bat also as
# files/porttune.bat for the class to install.
#
#   bash scripts/puppet-module.sh HELPER_BINARY WINDOWS_HELPER_EXE
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:?usage: puppet-module.sh HELPER_BINARY WINDOWS_HELPER_EXE}
EXE=${2:?usage: puppet-module.sh HELPER_BINARY WINDOWS_HELPER_EXE}
VERSION=$(cat "$ROOT/VERSION")
NAME=porttune-porttune-$VERSION
SRC=$ROOT/puppet/porttune
STAGE=$ROOT/build/puppet-module
DIST=$ROOT/build/dist/puppet
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
fi
[ -x "$BIN" ] || { echo "puppet-module: no helper binary $BIN (run make)" >&2; exit 1; }
if readelf -l "$BIN" | grep -q INTERP; then
  echo "puppet-module: $BIN is dynamically linked; the module ships the static musl build" >&2; exit 1
fi
[ -f "$EXE" ] || { echo "puppet-module: no Windows helper $EXE (run make)" >&2; exit 1; }
if ! objdump -f "$EXE" 2>/dev/null | grep -q 'file format pei-x86-64'; then
  echo "puppet-module: $EXE is not a 64-bit Windows executable (objdump -f: $(objdump -f "$EXE" 2>&1 | grep -m1 format))" >&2
  exit 1
fi

rm -rf "$STAGE"
D=$STAGE/$NAME
put() { install -D -m "$1" "$2" "$D/$3"; }   # MODE SOURCE DEST
put 0644 "$SRC/lib/puppet/type/porttune.rb" lib/puppet/type/porttune.rb
put 0644 "$SRC/lib/puppet/provider/porttune/helper.rb" lib/puppet/provider/porttune/helper.rb
put 0644 "$SRC/lib/puppet_x/porttune/value.rb" lib/puppet_x/porttune/value.rb
put 0644 "$SRC/manifests/init.pp" manifests/init.pp
put 0644 "$SRC/manifests/windows.pp" manifests/windows.pp
put 0644 "$SRC/templates/porttune_fact.sh.epp" templates/porttune_fact.sh.epp
put 0755 "$SRC/facts.d/porttune.sh" facts.d/porttune.sh
put 0644 "$SRC/facts.d/porttune.bat" facts.d/porttune.bat
put 0755 "$BIN" files/porttune
put 0755 "$EXE" files/porttune.exe
put 0644 "$SRC/facts.d/porttune.bat" files/porttune.bat
put 0644 "$ROOT/module_src/cli/porttune.1" files/porttune.1
put 0644 "$SRC/README.md" README.md
put 0644 "$SRC/REFERENCE.md" REFERENCE.md
put 0644 "$ROOT/LICENSE" LICENSE
put 0644 "$ROOT/CHANGELOG.md" CHANGELOG.md
# metadata.json: the source's, with the version from VERSION.
python3 - "$SRC/metadata.json" "$D/metadata.json" "$VERSION" <<'PY'
import json, sys
meta = json.load(open(sys.argv[1]))
meta["version"] = sys.argv[3]
with open(sys.argv[2], "w") as f:
    json.dump(meta, f, indent=2)
    f.write("\n")
PY
chmod 0644 "$D/metadata.json"
# checksums.json as the Forge writes it: MD5 of every file but itself.
python3 - "$D" <<'PY'
import hashlib, json, os, sys
top = sys.argv[1]
sums = {}
for d, dirs, files in os.walk(top):
    for f in files:
        p = os.path.join(d, f)
        sums[os.path.relpath(p, top)] = hashlib.md5(open(p, "rb").read()).hexdigest()
with open(os.path.join(top, "checksums.json"), "w") as f:
    json.dump(dict(sorted(sums.items())), f, indent=2)
    f.write("\n")
PY
chmod 0644 "$D/checksums.json"
find "$D" -type d -exec chmod 0755 {} +

mkdir -p "$DIST"
OUT=$DIST/$NAME.tar.gz
tar -C "$STAGE" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  --format=ustar -cf - "$NAME" | gzip -n -9 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "puppet-module: $OUT ($(stat -c %s "$OUT") bytes)"
