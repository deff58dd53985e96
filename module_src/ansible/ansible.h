/* SPDX-License-Identifier: MIT */
/* The Ansible front end's entry point, for main() and the CLI dispatcher. */
#ifndef PT_ANSIBLE_H
#define PT_ANSIBLE_H

#include <stdbool.h>
#include <jansson.h>

#include "porttune.h"

/* Runs the module on a JSON arguments file; prints one JSON object.
 * Returns the exit code (0, or 1 when failed). */
int pt_ansible_main(const char *args_path);

/* Chooses the front end from argv (Ansible args file, CLI words). Returns
 * the exit code. Called by the per-OS entry point. */
int pt_main(int argc, char **argv);

/* True when the args file is for porttune_info (_ansible_module_name). */
bool pt__ansible_is_info(const json_t *args);
/* Runs porttune_info on its args: *result is {changed: false, port_pressure}
 * (caller json_decref's it). Returns 0, or an error code with err set. */
int pt__ansible_info(json_t *args, json_t **result, pt_error_t *err);

#endif
