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
# Windows files that need <windows.h> are analysed for the mingw target.
set -uo pipefail
cd "$(dirname "$0")/../.."

CHECKS='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-optin.performance.Padding,-clang-analyzer-optin.portability.UnixAPI,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-implicit-widening-of-multiplication-result,-bugprone-branch-clone,cert-*,-cert-err33-c,misc-*,performance-*,-performance-no-int-to-ptr,portability-*'
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
# module_src/porttune.h stops with #error unless the build passes PT_VERSION
# (the Makefile does, from VERSION). cppcheck gets it from a forced include:
# a -D would limit cppcheck to that one preprocessor configuration.
version=$(cat VERSION) || exit 1
mkdir -p build/static
printf '#define PT_VERSION "%s"\n' "$version" >build/static/version.h

case "${1:-}" in
cppcheck)
    exec cppcheck -q --std=c11 --enable=warning,style,performance,portability \
        --error-exitcode=1 --inline-suppr --suppress=variableScope \
        --suppress=unusedStructMember:module_src/diag/internal.h \
        --include=build/static/version.h \
        --library=tests/static/jansson.cfg -Imodule_src module_src
    ;;
clang-tidy)
    shift
    # jansson.h alone, for the mingw target (the host's /usr/include would
    # shadow mingw's C library headers).
    jinc=build/static/jinc
    mkdir -p "$jinc"
    ln -sfn /usr/include/jansson.h "$jinc/jansson.h"
    ln -sfn /usr/include/jansson_config.h "$jinc/jansson_config.h"
    files=("$@")
    [ ${#files[@]} -gt 0 ] || mapfile -t files < <(find module_src -name '*.c' | sort)
    if [ ! -d /usr/x86_64-w64-mingw32/include ]; then
        echo "clang-tidy: SKIP Windows API files: no mingw headers (scripts/deps.sh windows)"
        mapfile -t files < <(printf '%s\n' "${files[@]}" |
            xargs grep -LE 'include "(winsys|windows)\.h"|<windows\.h>')
    fi
    out=build/static/clang-tidy.log
    : >"$out"
    printf '%s\n' "${files[@]}" | xargs -P "$JOBS" -I{} sh -c '
        f=$1 checks=$2 jinc=$3 version=$4
        if grep -qE "include \"(winsys|windows)\.h\"|<windows\.h>" "$f"; then
            set -- --target=x86_64-w64-mingw32 -municode -Imodule_src/win/compat \
                   -isystem "$jinc" -isystem /usr/x86_64-w64-mingw32/include
        else
            set -- -D_DEFAULT_SOURCE -D_GNU_SOURCE
        fi
        clang-tidy -quiet --checks="$checks" "$f" -- -std=c11 -Imodule_src \
            "-DPT_VERSION=\"$version\"" "$@" 2>/dev/null
    ' _ {} "$CHECKS" "$jinc" "$version" >>"$out"
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
