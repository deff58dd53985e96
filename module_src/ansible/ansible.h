/* SPDX-License-Identifier: MIT */
/* The Ansible front end's entry point, for main() and the CLI dispatcher. */
#ifndef PT_ANSIBLE_H
#define PT_ANSIBLE_H

/* Runs the module on a JSON arguments file; prints one JSON object.
 * Returns the exit code (0, or 1 when failed). */
int pt_ansible_main(const char *args_path);

#endif
