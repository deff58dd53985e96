#!/bin/bash
# SPDX-License-Identifier: MIT
# The README's claims about what ships, checked on the built binaries (and
# on the copies in the role tarball): library/porttune is a static ELF (no
# program interpreter, no dynamic section), library/porttune.exe imports only
# Windows' own DLLs, and neither contains a PORTTUNE_TEST string (ASCII or
# UTF-16LE): test hooks exist only in test builds (-DPT_TEST_HOOKS).
# Each check first proves it can fail, on a binary known to be bad.
#
#   tests/shipped/run.sh ELF EXE ROLE_TARBALL HOOKED_ELF
#     HOOKED_ELF   the test build with hooks (build/test/porttune)
# The known-bad ELFs (dynamic, static-pie) and .exe (importing a DLL of its
# own) are built here with gcc and mingw.
# Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

[ $# -eq 4 ] || { echo "usage: $0 ELF EXE ROLE_TARBALL HOOKED_ELF" >&2; exit 2; }
ELF=$1 EXE=$2 TARBALL=$3 HOOKED=$4
HOSTCC=${HOSTCC:-gcc}
MINGW=${MINGWCC:-x86_64-w64-mingw32-gcc}
OBJDUMP=x86_64-w64-mingw32-objdump
# Windows' own DLLs (lower case): what Windows itself installs in System32.
WINDOWS_DLLS=" kernel32.dll advapi32.dll msvcrt.dll ntdll.dll iphlpapi.dll ws2_32.dll
  psapi.dll user32.dll shell32.dll shlwapi.dll ole32.dll oleaut32.dll bcrypt.dll
  crypt32.dll secur32.dll userenv.dll version.dll netapi32.dll "

PASS=0 FAIL=0
die() { echo "tests/shipped: FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }
for c in readelf "$OBJDUMP" "$MINGW" "$HOSTCC" tar iconv grep; do
    command -v "$c" >/dev/null || die "$c is not installed (make deps: scripts/deps.sh build windows)"
done
for f in "$ELF" "$EXE" "$TARBALL" "$HOOKED"; do
    [ -f "$f" ] || die "no $f (make test builds it first; alone: make shipped-test)"
done
T=$(mktemp -d /tmp/pt-shipped.XXXXXX)
trap 'rm -rf "$T"' EXIT

# ok NAME CMD...: passes when CMD succeeds; its output says why it failed.
ok() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then PASS=$((PASS + 1)); echo "PASS $name"
    else FAIL=$((FAIL + 1)); echo "FAIL $name"; sed 's/^/    /' <<<"$out"; fi
}
# rejects NAME WHY CMD...: passes when CMD fails saying WHY (a checker
# refusing a bad binary for the reason it was made bad).
rejects() {
    local name=$1 why=$2 out
    shift 2
    if out=$("$@" 2>&1); then FAIL=$((FAIL + 1)); echo "FAIL $name: the check accepted it"
    elif ! grep -qF -- "$why" <<<"$out"; then
        FAIL=$((FAIL + 1)); echo "FAIL $name: refused, but not for '$why':"; sed 's/^/    /' <<<"$out"
    else PASS=$((PASS + 1)); echo "PASS $name ($(head -n 1 <<<"$out"))"; fi
}

# static_elf FILE: an x86-64 executable with no PT_INTERP and no PT_DYNAMIC.
static_elf() {
    local h l d
    h=$(readelf -h "$1") || { echo "$1: not an ELF file"; return 1; }
    l=$(readelf -lW "$1") && d=$(readelf -dW "$1") || return 1
    ! grep -qE '^ *INTERP ' <<<"$l" ||
        { echo "$1: has a program interpreter: $(grep -o 'interpreter: [^]]*' <<<"$l")"; return 1; }
    grep -q 'There is no dynamic section in this file' <<<"$d" && ! grep -qE '^ *DYNAMIC ' <<<"$l" ||
        { echo "$1: has a dynamic section: $(grep -m1 '^Dynamic section' <<<"$d")"; return 1; }
    grep -q 'Machine: *Advanced Micro Devices X86-64' <<<"$h" || { echo "$1: not x86-64"; return 1; }
    grep -q 'Type: *EXEC' <<<"$h" || { echo "$1: not a plain executable: $(grep Type: <<<"$h")"; return 1; }
}

# windows_imports FILE: a PE32+ x86-64 image whose DLL imports are all
# Windows' own (and at least one: objdump must really have read the table).
windows_imports() {
    local p dlls dll bad=""
    p=$("$OBJDUMP" -p "$1") || return 1
    grep -q 'file format pei-x86-64' <<<"$p" || { echo "$1: not a PE32+ x86-64 image"; return 1; }
    dlls=$(awk '/DLL Name:/ { print tolower($3) }' <<<"$p" | sort -u)
    [ -n "$dlls" ] || { echo "$1: no import table found"; return 1; }
    for dll in $dlls; do
        case "$WINDOWS_DLLS" in *" $dll "*) ;; *)
            case "$dll" in api-ms-win-*.dll) ;; *) bad="$bad $dll" ;; esac ;;
        esac
    done
    [ -z "$bad" ] || { echo "$1 imports DLLs that are not Windows' own:$bad (all: $(echo $dlls))"; return 1; }
    echo "$1 imports: $(echo $dlls)"
}

# no_test_strings FILE: no PORTTUNE_TEST in ASCII or UTF-16LE (wide strings
# of the .exe such as L"PORTTUNE_TEST_NETSH").
no_test_strings() {
    local wide
    wide=$(printf 'PORTTUNE_TEST' | iconv -f ASCII -t UTF-16LE | od -An -v -tx1 | tr -s ' \n' ' ')
    wide=$(sed 's/ *$//; s/^ //; s/ /\\x/g; s/^/\\x/' <<<"$wide")
    if LC_ALL=C grep -aoE 'PORTTUNE_TEST[A-Z_]*' "$1" | sort -u | grep .; then
        echo "$1: contains the test hook strings above"; return 1
    fi
    if LC_ALL=C grep -qaP "$wide" "$1"; then
        echo "$1: contains PORTTUNE_TEST as a UTF-16LE (wide) string"; return 1
    fi
}

# ---- each check refuses a binary known to be bad ----
echo 'int main(void) { return 0; }' >"$T/main.c"
"$HOSTCC" -no-pie -o "$T/dynamic" "$T/main.c" && "$HOSTCC" -static-pie -o "$T/static-pie" "$T/main.c" ||
  die "could not build the sample dynamic and static-pie ELFs"
rejects "static ELF check refuses a dynamically linked ELF" "has a program interpreter" static_elf "$T/dynamic"
rejects "static ELF check refuses a static-pie ELF (dynamic section, no interpreter)" \
    "has a dynamic section" static_elf "$T/static-pie"
# An .exe that imports a DLL of its own making.
cat >"$T/lib.c" <<'C'
__declspec(dllexport) int pt_fake(void);
int pt_fake(void) { return 0; }
C
cat >"$T/use.c" <<'C'
__declspec(dllimport) int pt_fake(void);
int main(void) { return pt_fake(); }
C
"$MINGW" -shared -o "$T/libptfake.dll" "$T/lib.c" -Wl,--out-implib,"$T/libptfake.a" &&
  "$MINGW" -o "$T/use.exe" "$T/use.c" -L"$T" -lptfake ||
  die "could not build the sample .exe that imports libptfake.dll"
rejects "import check refuses an .exe importing libptfake.dll" "not Windows' own: libptfake.dll" \
    windows_imports "$T/use.exe"
rejects "test-string check finds the hook in the test build ($HOOKED)" \
    PORTTUNE_TEST_PAUSE_BEFORE_RENAME no_test_strings "$HOOKED"
printf 'MZ\0\0' >"$T/wide.bin"
printf 'PORTTUNE_TEST_NETSH' | iconv -f ASCII -t UTF-16LE >>"$T/wide.bin"
rejects "test-string check finds a UTF-16LE PORTTUNE_TEST_NETSH" "as a UTF-16LE (wide) string" \
    no_test_strings "$T/wide.bin"

# ---- what ships ----
mkdir "$T/role"
tar -xzf "$TARBALL" -C "$T/role" || die "cannot unpack $TARBALL"
ROLE_ELF=$T/role/porttune/library/porttune
ROLE_EXE=$T/role/porttune/library/porttune_win.exe
ok "$ELF is a static ELF (no interpreter, no dynamic section)" static_elf "$ELF"
ok "$EXE imports only Windows' own DLLs" windows_imports "$EXE"
ok "$ELF has no PORTTUNE_TEST string" no_test_strings "$ELF"
ok "$EXE has no PORTTUNE_TEST string" no_test_strings "$EXE"
ok "the role tarball ships porttune and porttune_win.exe, the same files" \
    cmp "$ELF" "$ROLE_ELF"
ok "the role tarball's porttune_win.exe is library/porttune.exe" cmp "$EXE" "$ROLE_EXE"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
