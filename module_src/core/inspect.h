/* SPDX-License-Identifier: MIT */
/* The host's current settings as data, for `porttune get` and `porttune facts`. */
#ifndef PT_INSPECT_H
#define PT_INSPECT_H

#include <jansson.h>
#include "porttune.h"

/* Reads every key of this OS (live, persisted in opts->sysctl_file, value at
 * boot, recorded original) and builds the state object: os, sysctl_file and
 * its boot status, settings per key, conflicts, capacity. Changes nothing.
 * Returns 0 with *out set (a new reference), or an error code with err set. */
int pt_inspect(const pt_ctx_t *ctx, const pt_options_t *opts, json_t **out,
               pt_error_t *err);
/* The same object from a state already read; NULL on ENOMEM. */
json_t *pt_inspect_json(const pt_options_t *opts, const pt_current_t *cur);

#endif
