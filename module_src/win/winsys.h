/* SPDX-License-Identifier: MIT */
/* Helpers of the Windows backend that wrap Win32 calls (process.c). */
#ifndef PT_WIN_WINSYS_H
#define PT_WIN_WINSYS_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "internal.h"

/* UTF-8 to an owned wide string; NULL on invalid UTF-8 or ENOMEM. */
wchar_t *pt__utf8_to_wide(const char *s);
/* Wide to an owned UTF-8 string; NULL on ENOMEM. */
char *pt__wide_to_utf8(const wchar_t *s);
/* GetLastError()-style code as a one-line message without the final period. */
void pt__win_strerror(DWORD code, char *buf, size_t size);
/* Runs exe with the command line `"exe" args`, no window, stdin from NUL,
 * stdout and stderr captured (at most 64 KiB) into an owned NUL-terminated
 * *out. Returns 0 with *exit_code set, or PT_EIO / PT_ENOMEM with err
 * naming object. */
int pt__win_run(const wchar_t *exe, const wchar_t *args, char **out,
                DWORD *exit_code, const char *object, pt_error_t *err);

#endif
