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
/* The kernel's default end of ip_local_port_range, kept when a write gives
 * only the start. */
#define PT_K_DEFAULT_RANGE_HI 60999

/* What the kernel makes of text written to key's /proc/sys file (as
 * systemd-sysctl writes it: trimmed, then a newline): base prefixes, blanks
 * and trailing text after a blank as proc_dointvec reads them, the limits it
 * checks. prev is the value before the write (NULL: the kernel default).
 * Returns 0 with *out set (free it), PT_EINVAL when the kernel refuses the
 * write (the key keeps prev), or PT_ENOMEM. */
int pt_value_parse_kernel(pt_key_t key, const char *text, const pt_value_t *prev,
                          pt_value_t *out);
/* Owned text of v in sysctl form (true) or user form (false); NULL on ENOMEM. */
char *pt__value_strdup(const pt_value_t *v, bool sysctl_form);

#endif
