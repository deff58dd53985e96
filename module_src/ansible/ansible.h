/* SPDX-License-Identifier: MIT */
/* The Ansible front end's entry point, for main() and the CLI dispatcher. */
#ifndef PT_ANSIBLE_H
#define PT_ANSIBLE_H

/* Runs the module on a JSON arguments file; prints one JSON object.
 * Returns the exit code (0, or 1 when failed). */
int pt_ansible_main(const char *args_path);

/* Chooses the front end from argv (Ansible args file, CLI words). Returns
 * the exit code. Called by the per-OS entry point. */
int pt_main(int argc, char **argv);

#endif
