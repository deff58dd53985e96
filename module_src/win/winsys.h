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

#define TCPIP_KEY L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
#define TCPIP_TEXT "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"

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
/* The Windows version as RtlGetVersion reports it. */
void pt__win_version(unsigned *major, unsigned *minor);

/* ---- tcptable.c: the TCP tables (diagnosis) ---- */

/* Called once per row with the socket and its owning PID (0: none, as for
 * TIME_WAIT). Return 0 to go on; any other value stops the reader. */
struct pt_diag_sock;
typedef int (*pt_tcprow_fn)(const struct pt_diag_sock *s, uint32_t pid, void *arg);
/* Takes the TCP table of family fam (0 IPv4, 1 IPv6) from
 * GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL), listeners and TIME_WAIT
 * included, into an owned *table (free it; NULL when the family has no
 * stack). Returns 0, PT_ENOMEM or PT_EIO. */
int pt__tcptable_fetch(int fam, void **table, pt_error_t *err);
/* Calls fn for every row of a table pt__tcptable_fetch took (NULL: none).
 * Returns 0 or the callback's nonzero value. */
int pt__tcptable_walk(int fam, const void *table, pt_tcprow_fn fn, void *arg);

/* ---- portrange.c ---- */

extern const wchar_t *const pt__family_w[2];     /* L"ipv4", L"ipv6" */
extern const char *const pt__family_name[2];     /* "IPv4", "IPv6" */

/* Runs %SystemRoot%\System32\netsh.exe (full path, no search) with args; as
 * pt__win_run, errors naming object. */
int pt__netsh_run(const wchar_t *args, char **out, DWORD *code, const char *object,
                  pt_error_t *err);
/* One family's (0 IPv4, 1 IPv6) TCP dynamic port range through netsh. */
int pt__portrange_show(int fam, unsigned long *start, unsigned long *count, pt_error_t *err);
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

/* One family's TCP excluded port ranges through netsh: an owned array *rows
 * of *n rows (free it). */
int pt__excluded_show(int fam, pt_exrange_t **rows, size_t *n, pt_error_t *err);
/* A copy of the ports porttune recorded adding for fam into *out (free it;
 * empty when none); an unreadable record adds a sentence to notes. Returns 0
 * or PT_ENOMEM. */
int pt__excluded_record(int fam, pt_value_t *out, pt_strlist_t *notes);
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
