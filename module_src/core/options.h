/* SPDX-License-Identifier: MIT */
/* Options from task arguments; shared by the Ansible and CLI front ends. */
#ifndef PT_OPTIONS_H
#define PT_OPTIONS_H

#include <jansson.h>
#include "porttune.h"

void pt_options_init(pt_options_t *opts);
void pt_options_free(pt_options_t *opts);
/* Fills opts from a JSON object of task arguments (options plus _ansible_*
 * keys). Returns 0, or PT_EINVAL with err naming the option; opts must still
 * be freed. */
int pt_options_from_json(json_t *args, pt_options_t *opts, pt_error_t *err);

/* Ansible's wording for keys of args that are neither _ansible_* nor in
 * names: "Unsupported parameters for (MODULE) module: x. Supported parameters
 * include: a, b." Sorts names in place. Returns 0 or PT_EINVAL with err
 * naming the first unknown key. */
int pt__reject_unknown(json_t *args, const char *module, const char **names,
                       size_t nnames, pt_error_t *err);
int pt__coerce_bool(const json_t *v, const char *name, bool *out, pt_error_t *err);
int pt__coerce_int(const json_t *v, const char *name, long long *out, pt_error_t *err);
int pt__check_range(const pt_value_t *v, const char *name, pt_error_t *err);
int pt__parse_key_value(pt_key_t key, const json_t *v, pt_value_t *out, pt_error_t *err);

#endif
