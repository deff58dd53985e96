/* SPDX-License-Identifier: MIT */
/* The whole diagnosis on Linux: sysctls, one socket reader (netlink, or /proc as the fallback), the report. */
#include "diag/diag.h"

#include <errno.h>
#include <string.h>

/* Counts the sockets of one reader into a fresh aggregator. */
static int count(const char *root, bool proc, const pt_diag_config_t *cfg,
                 pt_diag_t **out, pt_error_t *err)
{
    pt_diag_t *d = pt_diag_new(cfg, err);
    int rc;

    if (d == NULL)
        return err->code;
    rc = proc ? pt_diag_read_proc(root, pt_diag_add_cb, d, err)
              : pt_diag_read_netlink(pt_diag_add_cb, d, err);
    /* The callback's own error (ENOMEM) comes back without a message. */
    if (rc == PT_ENOMEM)
        pt_error_set(err, rc, ENOMEM, "diagnosis", "Out of memory counting sockets.");
    if (rc != 0) {
        pt_diag_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int pt_diag_run(const char *root, const char *source, unsigned top_n,
                double threshold_pct, json_t **report, pt_error_t *err)
{
    bool automatic = strcmp(source, "auto") == 0;
    bool proc = strcmp(source, "proc") == 0;
    pt_diag_config_t cfg;
    pt_diag_t *d = NULL;
    int rc;

    *report = NULL;
    if (!automatic && !proc && strcmp(source, "netlink") != 0)
        return pt_error_set(err, PT_EINVAL, 0, "source",
                            "source '%.80s' is not one of auto, netlink, proc.", source);
    pt_diag_config_init(&cfg);
    cfg.top_n = top_n;
    cfg.threshold_pct = threshold_pct;
    rc = pt_diag_read_sysctls(root, &cfg, err);
    if (rc == 0) {
        rc = count(root, proc, &cfg, &d, err);
        if (rc == PT_ENOTSUP && automatic) {
            /* No sock_diag (module absent, or refused by a sandbox): the
             * slower /proc table gives the same numbers. */
            pt_error_init(err);
            proc = true;
            rc = count(root, proc, &cfg, &d, err);
        }
    }
    pt_diag_config_free(&cfg);
    if (rc != 0)
        return rc;
    *report = pt_diag_report(d, err);
    pt_diag_free(d);
    if (*report == NULL)
        return err->code;
    if (json_object_set_new(*report, "source", json_string(proc ? "proc" : "netlink")) != 0) {
        json_decref(*report);
        *report = NULL;
        return pt_error_set(err, PT_ENOMEM, ENOMEM, "diagnosis",
                            "Out of memory building the diagnosis report.");
    }
    return 0;
}
