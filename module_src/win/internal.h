/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Windows backend's files that need no Windows headers,
 * so they are unit-tested on every platform. */
#ifndef PT_WIN_INTERNAL_H
#define PT_WIN_INTERNAL_H

#include "porttune.h"

/* ---- netsh.c: `netsh int ipv4|ipv6 show dynamicport tcp` output ---- */

/* Parses the output into *start and *count (both set only on success).
 * Returns 0, or PT_EINVAL when no start/count pair is found or the range
 * leaves 1-65535. */
int pt__netsh_parse_dynamicport(const char *text, unsigned long *start,
                                unsigned long *count);
/* netsh's message ("The parameter is incorrect.") as one line in buf for a
 * sentence of ours: whitespace runs collapsed, trimmed, final periods dropped;
 * "no output" when there is none. */
void pt__netsh_message(const char *text, char *buf, size_t size);

/* ---- regvalue.c: what a registry value read means ---- */

typedef enum pt_reg_kind {
    PT_REG_ABSENT,            /* the value does not exist */
    PT_REG_DWORD,             /* a REG_DWORD (4 bytes) */
    PT_REG_OTHER              /* another type or size: Windows ignores it */
} pt_reg_kind_t;

/* Windows' own value of registry key k when the registry has none (Microsoft:
 * TcpTimedWaitDelay 240 s on 2000/XP, 120 s from Server 2003 (5.2) on;
 * MaxUserPort 5000 before Vista). Returns false when there is none (MaxUserPort
 * from Vista on, where Windows ignores it). */
bool pt__reg_default(pt_key_t k, unsigned major, unsigned minor, long long *out);
/* Fills ks from one read of key k's registry value: live (or the OS default,
 * with live_default), supported. type_name names a PT_REG_OTHER type. When
 * note is true, an out-of-range or wrongly typed value adds a sentence to
 * notes. Returns 0 or PT_ENOMEM. */
int pt__reg_interpret(pt_key_t k, pt_reg_kind_t kind, unsigned long dword,
                      const char *type_name, unsigned major, unsigned minor,
                      bool note, pt_keystate_t *ks, pt_strlist_t *notes);

#endif
