/* SPDX-License-Identifier: MIT */
/* JSON in and out where memory may run short: loads that notice a failed
 * allocation, and a failure object written without allocating. */
#ifndef PT_JSONIO_H
#define PT_JSONIO_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* json_loadb, but *oom is set, and NULL returned, when any allocation failed
 * during the load: jansson 2.14 then may return a value with a byte missing
 * or report a syntax error that is not there. The caller owns the result. */
json_t *pt_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *jerr, bool *oom);

/* Writes {"failed": true, "changed": CHANGED, "msg": MSG} and a newline into
 * buf without allocating. Returns its length, or 0 when it does not fit. */
size_t pt_json_failure(char *buf, size_t size, bool changed, const char *msg);

#endif
