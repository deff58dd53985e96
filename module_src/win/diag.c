/* SPDX-License-Identifier: MIT */
/* The port-pressure diagnosis on Windows: not there yet, said plainly (the Linux one reads sock_diag and /proc/net/tcp). */
#include "diag/diag.h"

int pt_diag_run(const char *root, const char *source, unsigned top_n,
                double threshold_pct, json_t **report, pt_error_t *err)
{
    (void)root;
    (void)source;
    (void)top_n;
    (void)threshold_pct;
    *report = NULL;
    return pt_error_set(err, PT_ENOTSUP, 0, "diagnosis",
                        "The port-pressure diagnosis is not supported on Windows yet "
                        "(it reads the Linux kernel's socket table); nothing was read "
                        "or changed.");
}
