# SPDX-License-Identifier: MIT
"""The sidecars' platform attribute says what is built and tested, no more.

Reads the machine type of the built binaries (ELF e_machine of
library/porttune, PE Machine of library/porttune.exe) and checks that each
sidecar's attributes.platform names exactly those OSes (linux, and windows
for both modules) and that its details name the architecture, so a claim like
"posix" (every POSIX system, any CPU) cannot come back unnoticed.
Usage: check_platforms.py LIBRARY_DIR
"""
import os
import struct
import sys

import yaml

LIB = sys.argv[1] if len(sys.argv) > 1 else "library"
ELF_MACHINES = {62: "x86_64", 183: "aarch64", 3: "i386"}
PE_MACHINES = {0x8664: "x86_64", 0xAA64: "aarch64", 0x14C: "i386"}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def elf_arch(path):
    with open(path, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF":
        sys.exit("check_platforms: %s is not an ELF file" % path)
    return ELF_MACHINES.get(struct.unpack_from("<H", head, 18)[0], "unknown")


def pe_arch(path):
    with open(path, "rb") as f:
        data = f.read(4096)
    off = struct.unpack_from("<I", data, 0x3C)[0]
    if data[:2] != b"MZ" or data[off:off + 4] != b"PE\0\0":
        sys.exit("check_platforms: %s is not a PE file" % path)
    return PE_MACHINES.get(struct.unpack_from("<H", data, off + 4)[0], "unknown")


linux = elf_arch(os.path.join(LIB, "porttune"))
exe = os.path.join(LIB, "porttune.exe")
if not os.path.exists(exe):
    sys.exit("check_platforms: %s is not built (make all needs mingw: make windows-deps)" % exe)
windows = pe_arch(exe)
print("built: Linux %s, Windows %s" % (linux, windows))

# Both modules ship as the ELF and the .exe (porttune_info.exe is a link to
# porttune.exe: the diagnosis reads GetExtendedTcpTable there).
for sidecar, want in (("porttune.yml", ["linux", "windows"]),
                      ("porttune_info.yml", ["linux", "windows"])):
    with open(os.path.join(LIB, sidecar)) as f:
        doc = yaml.safe_load(f)["DOCUMENTATION"]
    if "windows" in want and sidecar == "porttune_info.yml":
        info_exe = os.path.join(LIB, "porttune_info.exe")
        if not os.path.exists(info_exe) or os.path.realpath(info_exe) != os.path.realpath(exe):
            fail("%s claims windows, but %s is not the built porttune.exe" % (sidecar, info_exe))
    plat = doc.get("attributes", {}).get("platform", {})
    platforms = plat.get("platforms")
    platforms = [platforms] if isinstance(platforms, str) else platforms
    if platforms != want:
        fail("%s: platforms %r, but what is built and tested is %r" % (sidecar, platforms, want))
    details = plat.get("details", "")
    for arch in {linux, windows} if "windows" in want else {linux}:
        if arch not in details:
            fail("%s: the platform details do not name the architecture built (%s): %r"
                 % (sidecar, arch, details))
    if plat.get("support") == "full":
        fail("%s: platform support 'full' although only %s is built" % (sidecar, linux))

print("check_platforms: %s" % ("FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)
