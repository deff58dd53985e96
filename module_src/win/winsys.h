/* SPDX-License-Identifier: MIT */
/* Helpers of the Windows backend that wrap Win32 calls: processes
 * (process.c), the registry (registry.c), the dynamic port range and netsh
 * (portrange.c), excluded port ranges (excluded.c). */
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

/* ---- registry.c ---- */

#define PT_STATE_KEY L"SOFTWARE\\porttune"
#define PT_STATE_TEXT "HKLM\\SOFTWARE\\porttune"

/* A registry value as found, kept whole so a failed run can put it back. */
typedef struct pt_regraw {
    bool present;
    DWORD type;
    BYTE *data;               /* owned */
    DWORD size;
} pt_regraw_t;

void pt__regraw_free(pt_regraw_t *r);
/* Reads HKLM\sub\name whole into r (free with pt__regraw_free); an absent key
 * or value is !present and ERROR_SUCCESS. Returns a Win32 error code. */
LONG pt__reg_get(const wchar_t *sub, const wchar_t *name, pt_regraw_t *r);
/* Writes (or, when !r->present, deletes) HKLM\sub\name. */
LONG pt__reg_put(const wchar_t *sub, const wchar_t *name, const pt_regraw_t *r);
/* True with *out set when r is a 4-byte REG_DWORD. */
bool pt__regraw_dword(const pt_regraw_t *r, DWORD *out);
const char *pt__reg_type_name(DWORD type);
/* Sets err to "OBJECT: WHAT: <Windows' message>." (plus a hint on access
 * denied); returns PT_EIO. */
int pt__reg_error(LONG e, const char *object, const char *what, pt_error_t *err);
/* porttune's record under HKLM\SOFTWARE\porttune: value name as owned UTF-8
 * text (NULL when absent or not a REG_SZ); set it; forget it (and the key
 * once it is empty). */
char *pt__state_get(const wchar_t *name);
LONG pt__state_set(const wchar_t *name, const char *text);
void pt__state_forget(const wchar_t *name);

/* ---- backend.c ---- */

/* The MaxUserPort risk, read on its own (read-only, no lock) for the
 * diagnosis: returns 1 when this Windows is Vista or later and the registry
 * holds a MaxUserPort REG_DWORD, with *value, the dynamic range it implies at
 * the next boot in *lo-*hi (both 0 when not predictable) and the warning
 * sentence in text; 0 when there is no such risk (or it cannot be read). */
int pt__win_mup_risk(long long *value, uint32_t *lo, uint32_t *hi, char *text, size_t size);

/* ---- portrange.c ---- */

extern const wchar_t *const pt__family_w[2];     /* L"ipv4", L"ipv6" */
extern const char *const pt__family_name[2];     /* "IPv4", "IPv6" */

/* Runs %SystemRoot%\System32\netsh.exe (full path, no search) with args; as
 * pt__win_run, errors naming object. */
int pt__netsh_run(const wchar_t *args, char **out, DWORD *code, const char *object,
                  pt_error_t *err);
/* Fills cur's port_range from both families' dynamic ranges. */
int pt__portrange_read(const pt_options_t *opts, pt_current_t *cur, pt_error_t *err);

typedef struct pt_portrange_undo {
    int fam;
    unsigned long start, count;
} pt_portrange_undo_t;

/* Sets both families' range to target; undo[0..*nundo) receives what to put
 * back (also on failure), *written counts the sets that succeeded. */
int pt__portrange_apply(const pt_value_t *target, pt_portrange_undo_t undo[2], int *nundo,
                        int *written, pt_error_t *err);
int pt__portrange_undo(const pt_portrange_undo_t *u, pt_error_t *err);

/* ---- excluded.c: reserved_ports ---- */

/* Fills cur's reserved_ports when in scope: live = the ports excluded for
 * both families (anyone's), original = the same without porttune's ranges. */
int pt__excluded_read(const pt_options_t *opts, pt_current_t *cur, pt_error_t *err);
/* Deletes porttune's ranges outside target and adds what target lacks, for
 * both families, then checks what reads back. On failure puts its own steps
 * back (*undo_ok false when that failed too). *written counts netsh changes. */
int pt__excluded_apply(const pt_current_t *cur, const pt_value_t *target, int *written,
                       bool *undo_ok, pt_error_t *err);
/* After a successful apply: updates the record of porttune's ranges. */
int pt__excluded_remember(pt_error_t *err);

#endif
