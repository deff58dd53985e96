#!/bin/bash
# SPDX-License-Identifier: MIT
# Static checks of module_src: cppcheck, and clang-tidy with a chosen set of
# checks. Any finding fails.
#
#   tests/static/run.sh cppcheck
#   tests/static/run.sh clang-tidy [FILE...]     (default: every module_src .c)
#
# Choices (each excluded check was noise here, not a finding ignored):
#   cppcheck variableScope      the house style (libuv, jansson) declares at
#                               the top of a block
#   cppcheck unusedStructMember diag/internal.h's 'pad' byte keeps pt__dest_t at
#                               32 bytes on purpose
#   clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
#                               wants Annex K *_s functions, which neither
#                               glibc nor musl has
#   clang-analyzer-optin.performance.Padding   layout advice, not defects
#   clang-analyzer-optin.portability.UnixAPI   flags malloc(0), which the
#                               musl build's own allocator (linux/arena.c)
#                               defines
#   performance-no-int-to-ptr   an optimizer hint; the allocator must round
#                               addresses to pages
#   bugprone-easily-swappable-parameters       flags most C APIs
#   bugprone-implicit-widening-of-multiplication-result
#                               flags constants such as 1024 * 1024
#   bugprone-branch-clone       flags the CLI's deliberate empty branches
#   cert-err33-c                unchecked printf/fputs/snprintf results of
#                               output and truncation-safe formatting
# clang-tidy runs one file per process: clang-tidy 14 reports false
# "uninitialized va_list" findings when one process analyses several files.
# Windows files that need <windows.h> are analysed for the mingw target; the
# mingw headers are required (scripts/deps.sh windows), never skipped.
#
# The gate trusts neither silence nor a count alone: each tool must be
# installed, must exit 0 (cppcheck: 0, or 1 with findings) on every file, and
# must first report the known defect in tests/static/canary/ (so a tool that
# crashes, is missing, or runs and analyses nothing fails the gate).
# tests/static/selftest.sh proves that with fake tools on PATH.
set -uo pipefail
cd "$(dirname "$0")/../.."

CHECKS='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-optin.performance.Padding,-clang-analyzer-optin.portability.UnixAPI,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-implicit-widening-of-multiplication-result,-bugprone-branch-clone,cert-*,-cert-err33-c,misc-*,performance-*,-performance-no-int-to-ptr,portability-*'
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
WINRE='include "(winsys|windows)\.h"|<windows\.h>'

fail() { echo "$1: FAIL: $2" >&2; exit 1; }
need() {  # need TOOL GROUP
    command -v "$1" >/dev/null 2>&1 ||
        fail "$1" "$1 is not installed or not on PATH (sh scripts/deps.sh $2)"
}

# module_src/porttune.h stops with #error unless the build passes PT_VERSION
# (the Makefile does, from VERSION). cppcheck gets it from a forced include:
# a -D would limit cppcheck to that one preprocessor configuration.
version=$(cat VERSION) || exit 1
mkdir -p build/static
printf '#define PT_VERSION "%s"\n' "$version" >build/static/version.h

case "${1:-}" in
cppcheck)
    need cppcheck fuzz
    mkdir -p build/static
    log=build/static/cppcheck.log
    # The canary: exit 1 and its arrayIndexOutOfBounds, or the tool is broken.
    cppcheck -q --std=c11 --error-exitcode=1 --template='{id} {file}:{line}' \
        tests/static/canary/cppcheck.c >"$log" 2>&1
    rc=$?
    if [ "$rc" -ne 1 ] || ! grep -q '^arrayIndexOutOfBounds ' "$log"; then
        cat "$log" >&2
        fail cppcheck "cppcheck exited $rc on tests/static/canary/cppcheck.c and did not report its arrayIndexOutOfBounds; the tool is not working"
    fi
    cppcheck -q --std=c11 --enable=warning,style,performance,portability \
        --error-exitcode=1 --inline-suppr --suppress=variableScope \
        --suppress=unusedStructMember:module_src/diag/internal.h \
        --include=build/static/version.h \
        --library=tests/static/jansson.cfg -Imodule_src module_src
    rc=$?
    case $rc in
    0) echo "cppcheck: module_src clean" ;;
    1) fail cppcheck "findings above" ;;
    *) fail cppcheck "cppcheck exited $rc (crashed or could not run); nothing was checked" ;;
    esac
    ;;
clang-tidy)
    shift
    need clang-tidy fuzz
    [ -d /usr/x86_64-w64-mingw32/include ] ||
        fail clang-tidy "no mingw headers in /usr/x86_64-w64-mingw32/include, so the Windows API files cannot be analysed (sh scripts/deps.sh windows)"
    # jansson.h alone, for the mingw target (the host's /usr/include would
    # shadow mingw's C library headers).
    jinc=build/static/jinc
    mkdir -p "$jinc"
    ln -sfn /usr/include/jansson.h "$jinc/jansson.h"
    ln -sfn /usr/include/jansson_config.h "$jinc/jansson_config.h"
    files=("$@")
    [ ${#files[@]} -gt 0 ] || mapfile -t files < <(find module_src -name '*.c' | sort)
    [ ${#files[@]} -gt 0 ] || fail clang-tidy "no files to analyse"
    out=build/static/clang-tidy.log
    errs=build/static/clang-tidy.err
    status=build/static/clang-tidy.status
    rm -rf "$errs"; mkdir -p "$errs"
    : >"$out"; : >"$status"
    # One line "RC FILE" per analysed file in $status; stderr per file in $errs.
    printf '%s\n' tests/static/canary/tidy.c "${files[@]}" | xargs -P "$JOBS" -I{} sh -c '
        f=$1 checks=$2 jinc=$3 errs=$4 status=$5 winre=$6 version=$7
        if grep -qE "$winre" "$f"; then
            set -- --target=x86_64-w64-mingw32 -municode -Imodule_src/win/compat \
                   -isystem "$jinc" -isystem /usr/x86_64-w64-mingw32/include
        else
            set -- -D_DEFAULT_SOURCE -D_GNU_SOURCE
        fi
        e=$errs/$(printf "%s" "$f" | tr / _).txt
        clang-tidy -quiet --checks="$checks" "$f" -- -std=c11 -Imodule_src "-DPT_VERSION=\"$version\"" "$@" \
            >"$e.out" 2>"$e"
        echo "$? $f" >>"$status"
    ' _ {} "$CHECKS" "$jinc" "$errs" "$status" "$WINRE" "$version"
    canary=$(cat "$errs/tests_static_canary_tidy.c.txt.out" 2>/dev/null)
    for f in "${files[@]}"; do
        cat "$errs/$(printf '%s' "$f" | tr / _).txt.out" >>"$out" 2>/dev/null
    done
    # Every file analysed, every run exited 0.
    bad=$(awk '$1 != 0' "$status")
    ran=$(wc -l <"$status")
    if [ -n "$bad" ]; then
        while read -r rc f; do
            echo "clang-tidy exited $rc on $f:" >&2
            tail -n 5 "$errs/$(printf '%s' "$f" | tr / _).txt" >&2
        done <<<"$bad"
        grep -E -A3 '(warning|error): ' "$out"
        fail clang-tidy "clang-tidy exited non-zero (crashed, could not run or found compiler errors) on $(wc -l <<<"$bad") of $ran files"
    fi
    [ "$ran" -eq $(( ${#files[@]} + 1 )) ] ||
        fail clang-tidy "clang-tidy ran on $ran of $(( ${#files[@]} + 1 )) files (the canary included)"
    grep -q 'warning: .*\[clang-analyzer-core.uninitialized.UndefReturn\]' <<<"$canary" ||
        fail clang-tidy "clang-tidy did not report the known defect in tests/static/canary/tidy.c; the tool is not working"
    findings=$(grep -cE '(warning|error): ' "$out")
    grep -E -A3 '(warning|error): ' "$out"
    echo "clang-tidy: ${#files[@]} files, $findings findings"
    [ "$findings" -eq 0 ]
    ;;
*)
    echo "usage: $0 cppcheck | clang-tidy [FILE...]" >&2
    exit 2
    ;;
esac
