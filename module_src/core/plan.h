/* SPDX-License-Identifier: MIT */
/* The plan: desired minus current, plus the checks that need the host's state. */
#ifndef PT_PLAN_H
#define PT_PLAN_H

#include "porttune.h"

/* Validates opts against cur (kernel limits, missing knobs), adds warnings to
 * opts->warnings and fills plan. Pure: no OS calls. Returns 0, or PT_EINVAL /
 * PT_ENOTSUP / PT_ECONFLICT with err set; free plan with pt_plan_free either way. */
int pt_plan_make(pt_options_t *opts, const pt_current_t *cur, pt_plan_t *plan,
                 pt_error_t *err);
void pt_plan_free(pt_plan_t *plan);
/* Keys this run looks at: the ones given, or for state=absent with none
 * given, every key of this OS. */
bool pt_plan_in_scope(const pt_options_t *opts, pt_os_t os, pt_key_t k);
/* The value a key has after the run (target, else live); NULL if unknown. */
const pt_value_t *pt_plan_live_after(const pt_options_t *opts, const pt_current_t *cur,
                                     const pt_plan_t *plan, pt_key_t k);

#endif
