/* SPDX-License-Identifier: MIT */
/* Process entry point on Windows: wide arguments to UTF-8, binary stdout. */
#include "winsys.h"
#include "ansible/ansible.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>

int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv)
{
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    int i, rc;

    /* Text mode would turn "\n" into "\r\n" and is no help for UTF-8 JSON. */
    _setmode(_fileno(stdout), _O_BINARY);
    if (args == NULL) {
        fputs("{\"failed\": true, \"msg\": \"out of memory\"}\n", stdout);
        return 1;
    }
    for (i = 0; i < argc; i++) {
        args[i] = pt__wide_to_utf8(argv[i]);
        if (args[i] == NULL) {
            fputs("{\"failed\": true, \"msg\": \"out of memory\"}\n", stdout);
            while (i > 0)
                free(args[--i]);
            free(args);
            return 1;
        }
    }
    rc = pt_main(argc, args);
    for (i = 0; i < argc; i++)
        free(args[i]);
    free(args);
    return rc;
}
