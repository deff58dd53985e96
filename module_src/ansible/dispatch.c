/* SPDX-License-Identifier: MIT */
/* One binary, several front ends: choose by the command line. */
#include "ansible/ansible.h"

#include <stdio.h>
#include <string.h>

int pt_main(int argc, char **argv)
{
    if (argc == 2 && argv[1][0] != '-' && strchr(argv[1], '=') == NULL)
        return pt_ansible_main(argv[1]);
    fprintf(stderr, "usage: %s ARGS_FILE\n(an Ansible module: Ansible runs it with the "
            "path of a JSON arguments file)\n", argc > 0 ? argv[0] : "porttune");
    return 2;
}
