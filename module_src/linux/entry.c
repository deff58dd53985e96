/* SPDX-License-Identifier: MIT */
/* Process entry point on Linux (Windows has its own wide-character one). */
#include "ansible/ansible.h"

int main(int argc, char **argv)
{
    return pt_main(argc, argv);
}
