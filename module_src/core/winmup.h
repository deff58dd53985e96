/* SPDX-License-Identifier: MIT */
/* MaxUserPort on Windows Vista and later: the dynamic port range it makes
 * Windows set at the next boot, and the sentences that say so (pure). */
#ifndef PT_WINMUP_H
#define PT_WINMUP_H

#include <stddef.h>
#include <jansson.h>
#include "porttune.h"

/* The TCP dynamic port range Windows Vista and later set at boot when the
 * registry holds MaxUserPort = value: start 1024, end value (netsh: start=1024
 * num=value-1023). Measured on Windows 11 for 65534 (nmap/nmap PR #3499:
 * start=1024 num=64511). Returns false (lo, hi untouched) for a value outside
 * 5000-65534, where what Windows does is not known. */
bool pt_mup_next_range(long long value, uint32_t *lo, uint32_t *hi);

/* Whether cur (a Windows host as read) holds a MaxUserPort REG_DWORD that
 * Windows Vista or later turns into a dynamic range at the next boot; its
 * value in *value. */
bool pt_mup_risk(const pt_current_t *cur, long long *value);

/* The warning about MaxUserPort = value found in the registry of Windows
 * major.minor (Vista or later): what it does at the next boot, what breaks,
 * how to remove it. Always NUL-terminated. */
void pt_mup_risk_text(long long value, unsigned major, unsigned minor, char *buf,
                      size_t size);

/* The warning when a task sets max_user_port = value on Windows major.minor
 * (Vista or later). */
void pt_mup_set_text(long long value, unsigned major, unsigned minor, char *buf,
                     size_t size);

/* The max_user_port_risk object of `get`, `facts` and the diagnosis:
 * max_user_port, dynamic_port_range_at_next_boot ("LO-HI"), start, num
 * (the last three null when the range is not known). NULL on ENOMEM. */
json_t *pt_mup_risk_json(long long value);

#endif
