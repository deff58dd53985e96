/* SPDX-License-Identifier: MIT */
/* One binary, several front ends: choose by the command line. */
#include "ansible/ansible.h"
#include "cli/cli.h"

#include <string.h>

/* Ansible always passes one absolute path (its temporary directory joined
 * with "args": /... on POSIX, C:\... on Windows). A bare word that names no
 * existing file is a mistyped command, for the CLI's usage error, not an
 * arguments file to fail on with JSON. */
static bool is_args_file(const char *arg)
{
    if (arg[0] == '-' || strchr(arg, '=') != NULL)
        return false;
    return strchr(arg, '/') != NULL || strchr(arg, '\\') != NULL || pt_os_file_exists(arg);
}

/* The CLI's words come first, so an args file named like a command must be
 * given as ./get. */
int pt_main(int argc, char **argv)
{
    if (argc >= 2 && pt_cli_is_command(argv[1]))
        return pt_cli_main(argc, argv);
    if (argc == 2 && is_args_file(argv[1]))
        return pt_ansible_main(argv[1]);
    return pt_cli_main(argc, argv);
}
