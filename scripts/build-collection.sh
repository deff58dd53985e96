#!/bin/bash
# SPDX-License-Identifier: MIT
# Assemble the collection porttune.porttune from the sources and the built
# modules (a build output, never committed), then build its tarball with the
# real ansible-galaxy.
#   build-collection.sh VERSION URL TREE OUTDIR
# TREE ends in ansible_collections/porttune/porttune (where ansible-test
# wants it); the tarball is OUTDIR/porttune-porttune-VERSION.tar.gz.
set -euo pipefail
[ $# = 4 ] || { echo "usage: $0 VERSION URL TREE OUTDIR" >&2; exit 2; }
version=$1 url=$2 tree=$3 out=$4
die() { echo "build-collection: $*" >&2; exit 1; }
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION must be X.Y.Z, got '$version'"
case "$tree" in */ansible_collections/porttune/porttune) ;; *) die "TREE must end in ansible_collections/porttune/porttune" ;; esac
for f in library/porttune library/porttune.exe library/porttune.yml library/porttune_info.yml \
         LICENSE CHANGELOG.md roles/porttune/action_plugins/porttune.py playbooks/audit.yml \
         playbooks/report.yml playbooks/templates/porttune-report.html.j2; do
  [ -f "$f" ] || die "$f is missing (run make, and make windows for the .exe)"
done
command -v ansible-galaxy >/dev/null || die "ansible-galaxy not found (make venv)"

rm -rf "$tree"
mkdir -p "$tree"/{meta,plugins/modules,plugins/action,roles,playbooks,tests/sanity}
sed -e "s|@VERSION@|$version|g" -e "s|@URL@|$url|g" collection/galaxy.yml.in >"$tree/galaxy.yml"
cp collection/README.md LICENSE CHANGELOG.md "$tree/"
cp collection/meta/runtime.yml "$tree/meta/"
cp collection/tests/sanity/*.txt "$tree/tests/sanity/" 2>/dev/null || true

# Modules: the ELF for POSIX hosts and, beside it, NAME.exe, which Windows
# connections ask for first (a collection is searched by exact name, so the
# two cannot be mixed up). porttune_info is the same binary (it dispatches on
# the module name): links inside the collection, kept as links by
# ansible-galaxy. Sidecar docs NAME.yml (ansible-core >= 2.14).
m="$tree/plugins/modules"
install -m 0755 library/porttune "$m/porttune"
install -m 0755 library/porttune.exe "$m/porttune.exe"
ln -s porttune "$m/porttune_info"
ln -s porttune.exe "$m/porttune_info.exe"
install -m 0644 library/porttune.yml library/porttune_info.yml "$m/"
# The other Linux architectures (make arch-lib), beside the module, where the
# action plugin looks for the binary of a host's CPU: porttune-ARCH.
for a in aarch64 armv7 riscv64 ppc64le s390x; do
  f=library/linux/porttune-$a
  [ -f "$f" ] || die "no $f (make arch-lib)"
  install -m 0755 "$f" "$m/porttune-$a"
done

# Action plugins named after the modules: the one-SSH-session path.
install -m 0644 roles/porttune/action_plugins/porttune.py "$tree/plugins/action/porttune.py"
install -m 0644 collection/plugins/action/porttune_info.py "$tree/plugins/action/porttune_info.py"

# The role without its checkout-only action_plugins/ (the collection's
# plugins/action serves it); its task's `porttune` resolves in this collection.
cp -r roles/porttune "$tree/roles/porttune"
rm -rf "$tree/roles/porttune/action_plugins" "$tree/roles/porttune/library"
cp playbooks/audit.yml playbooks/report.yml "$tree/playbooks/"
mkdir -p "$tree/playbooks/templates"
cp playbooks/templates/porttune-report.html.j2 "$tree/playbooks/templates/"
find "$tree" -name __pycache__ -prune -exec rm -rf {} +
find "$tree" -type d -exec chmod 0755 {} +

# With SOURCE_DATE_EPOCH (reproducible builds): every file dated then.
if [ -n "${SOURCE_DATE_EPOCH-}" ]; then
  find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
fi

mkdir -p "$out"
ansible-galaxy collection build "$tree" --output-path "$out" --force
tarball="$out/porttune-porttune-$version.tar.gz"
[ -f "$tarball" ] || die "ansible-galaxy did not write $tarball"
# ansible-galaxy dates MANIFEST.json, FILES.json and the gzip header with the
# build time; with SOURCE_DATE_EPOCH the same members (same order, same
# bytes, so FILES.json's checksums still hold) are rewritten with that date.
if [ -n "${SOURCE_DATE_EPOCH-}" ]; then
  python3 - "$tarball" "$SOURCE_DATE_EPOCH" <<'PY'
import gzip
import io
import sys
import tarfile
path, epoch = sys.argv[1], int(sys.argv[2])
buf = io.BytesIO()
with tarfile.open(path, "r:gz") as src, tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as dst:
    for m in src.getmembers():
        m.mtime = epoch
        m.uid = m.gid = 0
        m.uname = m.gname = ""
        m.pax_headers = {}
        dst.addfile(m, src.extractfile(m) if m.isfile() else None)
with open(path, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=epoch) as gz:
    gz.write(buf.getvalue())
PY
fi
# The build must keep the modules executable (a manifest build would drop them).
for f in porttune porttune.exe; do
  tar -tvzf "$tarball" "plugins/modules/$f" | grep -q '^-rwx' || die "plugins/modules/$f is not executable in $tarball"
done
echo "collection: $tarball ($(stat -c %s "$tarball") bytes)"
