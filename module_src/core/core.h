/* SPDX-License-Identifier: MIT */
/* Helpers shared by the core's files (pt__ names); not for front ends. */
#ifndef PT_CORE_H
#define PT_CORE_H

#include "porttune.h"

/* The kernel has no such limit; ours keeps one value's text under 1 MiB. */
#define PT_PORTSET_MAX 32768

int pt__portset_add(pt_value_t *v, uint32_t lo, uint32_t hi);
void pt__portset_canon(pt_value_t *v);
int pt__portset_parse(const char *text, pt_value_t *out, const char *object,
                      pt_error_t *err);
int pt__range_parse(const char *text, bool allow_dash, pt_value_t *out,
                    const char *object, pt_error_t *err);
int pt__parse_num(const char **p, unsigned long long max, unsigned long long *out);
int pt__int_parse(const char *text, long long *out);
/* Owned text of v in sysctl form (true) or user form (false); NULL on ENOMEM. */
char *pt__value_strdup(const pt_value_t *v, bool sysctl_form);

#endif
