/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Windows backend's files that need no Windows headers,
 * so they are unit-tested on every platform. */
#ifndef PT_WIN_INTERNAL_H
#define PT_WIN_INTERNAL_H

#include "porttune.h"

#include <jansson.h>

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

/* ---- exclreport.c: excluded ranges against the dynamic range (diagnosis) ---- */

/* Ports WSL's mirrored networking needs in one contiguous free block. */
#define PT_WSL_BLOCK 4096

/* Where an excluded range lo-hi lies against the dynamic range rlo-rhi:
 * "outside", "inside" (splits it in two), "start" or "end" (cuts it short
 * there), "whole" (covers all of it). */
const char *pt__excl_position(uint32_t lo, uint32_t hi, uint32_t rlo, uint32_t rhi);
/* The largest run of ports in rlo-rhi that excluded (a canonical port set)
 * leaves free: *blo-*bhi, its size returned (0: none, blo and bhi untouched);
 * *nblocks receives the number of free runs. */
unsigned long pt__excl_largest_free(uint32_t rlo, uint32_t rhi, const pt_value_t *excluded,
                                    uint32_t *blo, uint32_t *bhi, unsigned *nblocks);
/* The port_range that would hold a free block of need ports: the range
 * lowered below the first excluded port in it, or raised above the last,
 * without taking in an excluded port. Returns true with *lo-*hi set; false
 * when neither works (or the range already holds such a block). */
bool pt__excl_range_advice(uint32_t rlo, uint32_t rhi, const pt_value_t *excluded,
                           unsigned long need, uint32_t *lo, uint32_t *hi);

/* One family's table, for the report. */
typedef struct pt_exclfam {
    const pt_exrange_t *rows;
    size_t nrows;
    const pt_value_t *record;     /* porttune's record for this family */
} pt_exclfam_t;

/* The `excluded_ranges` object: every row of both families (a row listed by
 * both once, families ["ipv4", "ipv6"]) with owner porttune / administrator /
 * system and its position, ports_in_dynamic_range, inside_dynamic_range (the
 * rows that fragment or overlap it), free_blocks, largest_free_block
 * {start, end, ports} (null when none) and wsl_mirrored_block_free; the
 * union of both families' ports counts. Adds warnings for a range cut into
 * pieces and for no free 4096-port block. Returns a new reference, NULL on
 * ENOMEM. */
json_t *pt__excl_report(uint32_t rlo, uint32_t rhi, const pt_exclfam_t fam[2],
                        json_t *warnings);

/* The `advice` list from a finished report (its capacity, destinations,
 * listeners, excluded_ranges and threshold_pct): objects {setting, value,
 * reason} with the port_range / reserved_ports / time_wait_delay values
 * porttune would set. Returns a new reference, NULL on ENOMEM. */
json_t *pt__diag_advice(const json_t *report, const pt_value_t *excluded);

/* ---- owners.c: the processes that hold ports (diagnosis) ---- */

typedef struct pt_owner {
    uint32_t pid;
    uint32_t held, established, time_wait, other;
} pt_owner_t;

typedef struct pt_owners {
    pt_owner_t *v;                /* owned */
    size_t n, cap;
    uint64_t without_owner;       /* held ports with PID 0 (TIME_WAIT has none) */
} pt_owners_t;

/* Counts one held port of pid in state (pt_tcp_state_t). Returns 0 or PT_ENOMEM. */
int pt__owners_add(pt_owners_t *o, uint32_t pid, int state);
void pt__owners_free(pt_owners_t *o);
/* Image name of pid as owned UTF-8, or NULL when unknown. */
typedef char *(*pt_owner_name_fn)(uint32_t pid, void *arg);
/* The `processes` object: total (owners), sockets_without_owner, top [{pid,
 * image (null when unknown), ports_held, established, time_wait, other}],
 * most ports first, at most top of them; name is asked only for those.
 * Sorts o. Returns a new reference, NULL on ENOMEM. */
json_t *pt__owners_json(pt_owners_t *o, unsigned top, pt_owner_name_fn name, void *arg);

#endif
