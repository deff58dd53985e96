/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Windows backend's files that need no Windows headers,
 * so they are unit-tested on every platform. */
#ifndef PT_WIN_INTERNAL_H
#define PT_WIN_INTERNAL_H

#include "porttune.h"

/* ---- netsh.c: netsh output ---- */

/* Parses the output into *start and *count (both set only on success).
 * Returns 0, or PT_EINVAL when no start/count pair is found or the range
 * leaves 1-65535. */
int pt__netsh_parse_dynamicport(const char *text, unsigned long *start,
                                unsigned long *count);
/* netsh's message ("The parameter is incorrect.") as one line in buf for a
 * sentence of ours: whitespace runs collapsed, trimmed, final periods dropped;
 * "no output" when there is none. */
void pt__netsh_message(const char *text, char *buf, size_t size);

/* One row of `netsh int ipv4|ipv6 show excludedportrange protocol=tcp`. */
typedef struct pt_exrange {
    uint32_t lo, hi;          /* inclusive */
    bool admin;               /* marked "*": an administered port exclusion */
} pt_exrange_t;

/* Parses that output into an owned array *rows of *nrows rows, in netsh's
 * order (free it). Returns 0 (also for an empty table), PT_EINVAL when there is
 * no table or a row is not "START END [*]" with 1 <= START <= END <= 65535, or
 * PT_ENOMEM. */
int pt__netsh_parse_excluded(const char *text, pt_exrange_t **rows, size_t *nrows);

/* ---- exclset.c: excluded port ranges as port sets ---- */

/* Whether row is porttune's own: an administered exclusion inside record, the
 * ports porttune recorded adding for this family. */
bool pt__excl_is_ours(const pt_exrange_t *row, const pt_value_t *record);
/* The ports all rows exclude (*all) and those of rows not porttune's own
 * (*others), as canonical port sets (free both). Returns 0 or PT_ENOMEM. */
int pt__excl_split(const pt_exrange_t *rows, size_t nrows, const pt_value_t *record,
                   pt_value_t *all, pt_value_t *others);
/* The netsh steps that turn one family's rows into target: *dels (owned
 * array of *ndel row indexes) are porttune's rows not wholly inside target,
 * *adds the ranges of target the other rows do not exclude (canonical; free
 * it). Rows that are not porttune's are never deleted. Returns 0 or PT_ENOMEM. */
int pt__excl_steps(const pt_exrange_t *rows, size_t nrows, const pt_value_t *record,
                   const pt_value_t *target, size_t **dels, size_t *ndel, pt_value_t *adds);
/* Canonical set operations on port sets (out is overwritten; free it).
 * Return 0 or PT_ENOMEM. */
int pt__exset_union(const pt_value_t *a, const pt_value_t *b, pt_value_t *out);
int pt__exset_intersect(const pt_value_t *a, const pt_value_t *b, pt_value_t *out);
int pt__exset_subtract(const pt_value_t *a, const pt_value_t *b, pt_value_t *out);
/* Whether every port of lo-hi is in set (canonical). */
bool pt__exset_covers(const pt_value_t *set, uint32_t lo, uint32_t hi);

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
