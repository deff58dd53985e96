/* SPDX-License-Identifier: MIT */
/* The result object both front ends print, and the converge driver. */
#ifndef PT_RESULT_H
#define PT_RESULT_H

#include <jansson.h>
#include "porttune.h"
#include "plan.h"

/* Builds the result (changed, settings, conflicts, capacity, diff, warnings).
 * Returns a new reference, or NULL on ENOMEM. */
json_t *pt_result_build(const pt_options_t *opts, const pt_current_t *cur,
                        const pt_plan_t *plan, const char *backup_path);
/* The value as JSON: ints as numbers, ranges "LO-HI", port sets "a,b-c". */
json_t *pt_value_json(const pt_value_t *v);
/* One conflict as reported: key, sysctl, file, line, value as written, wins,
 * effect ("set", "unset" for a "-KEY" line, "refused" for a value the kernel
 * refuses) and boot (the key's value after that line; null: the default).
 * NULL on ENOMEM. */
json_t *pt_conflict_json(const pt_conflict_t *c);

/* Reads, plans, applies and persists (unless check mode) and builds the
 * result. Returns 0 with *result set, or an error code with err set (and
 * *result NULL). Live values are rolled back when persisting fails. */
int pt_converge(const pt_ctx_t *ctx, pt_options_t *opts, json_t **result, pt_error_t *err);

#endif
