/* SPDX-License-Identifier: MIT */
/* One binary, several front ends: choose by the command line. */
#include "ansible/ansible.h"
#include "cli/cli.h"

#include <string.h>

/* Ansible runs `porttune ARGS_FILE` with one path; the CLI's words come first,
 * so an args file named like a command must be given as ./get. */
int pt_main(int argc, char **argv)
{
    if (argc >= 2 && pt_cli_is_command(argv[1]))
        return pt_cli_main(argc, argv);
    if (argc == 2 && argv[1][0] != '-' && strchr(argv[1], '=') == NULL)
        return pt_ansible_main(argv[1]);
    return pt_cli_main(argc, argv);
}
