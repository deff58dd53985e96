/* SPDX-License-Identifier: MIT */
/* Temporary front end for the diagnosis tests and bench: prints the JSON report. */
#include "diag/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs("usage: porttune-diag [--json] [--compact] [--source auto|netlink|proc]\n"
          "                     [--top N] [--threshold PCT] [--max-destinations N]\n"
          "                     [--root DIR]\n", out);
}

static int parse_ulong(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' || v > max) {
        fprintf(stderr, "porttune-diag: %s '%s' is not a number 0-%lu.\n", opt, s, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int run(const char *source, const char *root, const pt_diag_config_t *cfg,
               pt_diag_t **out, const char **used, pt_error_t *err)
{
    pt_diag_t *d = pt_diag_new(cfg, err);
    int rc;

    if (d == NULL)
        return err->code;
    if (strcmp(source, "proc") == 0) {
        *used = "proc";
        rc = pt_diag_read_proc(root, pt_diag_add_cb, d, err);
    } else {
        *used = "netlink";
        rc = pt_diag_read_netlink(pt_diag_add_cb, d, err);
        if (rc == PT_ENOTSUP && strcmp(source, "auto") == 0) {
            pt_diag_free(d);
            memset(err, 0, sizeof(*err));
            return run("proc", root, cfg, out, used, err);
        }
    }
    if (rc != 0) {
        if (rc == PT_ENOMEM)
            pt_error_set(err, rc, ENOMEM, "diagnosis", "Out of memory counting sockets.");
        pt_diag_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int main(int argc, char **argv)
{
    const char *source = "auto", *root = "", *used = NULL;
    pt_diag_config_t cfg;
    pt_error_t err;
    pt_diag_t *d = NULL;
    json_t *report = NULL;
    size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(10);
    unsigned long top = PT_DIAG_DEFAULT_TOP, maxd = PT_DIAG_DEFAULT_MAX_DESTINATIONS;
    double threshold = PT_DIAG_DEFAULT_THRESHOLD;
    int rc;

    memset(&err, 0, sizeof(err));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--json") == 0)
            continue;
        if (strcmp(a, "--compact") == 0) {
            flags = JSON_COMPACT | JSON_REAL_PRECISION(10);
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (v == NULL) {
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "--source") == 0 && (strcmp(v, "auto") == 0 ||
                                           strcmp(v, "netlink") == 0 ||
                                           strcmp(v, "proc") == 0)) {
            source = v;
        } else if (strcmp(a, "--root") == 0) {
            root = v;
        } else if (strcmp(a, "--top") == 0) {
            if (parse_ulong(a, v, 100000, &top) != 0)
                return 2;
        } else if (strcmp(a, "--max-destinations") == 0) {
            if (parse_ulong(a, v, (1UL << 28), &maxd) != 0)
                return 2;
        } else if (strcmp(a, "--threshold") == 0) {
            char *end;

            errno = 0;
            threshold = strtod(v, &end);
            if (errno != 0 || end == v || *end != '\0') {
                fprintf(stderr, "porttune-diag: --threshold '%s' is not a number.\n", v);
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }

    pt_diag_config_init(&cfg);
    cfg.top_n = (unsigned)top;
    cfg.threshold_pct = threshold;
    cfg.max_destinations = maxd;
    rc = pt_diag_read_sysctls(root, &cfg, &err);
    if (rc == 0)
        rc = run(source, root, &cfg, &d, &used, &err);
    if (rc == 0) {
        report = pt_diag_report(d, &err);
        rc = report ? 0 : err.code;
    }
    if (rc == 0 && json_object_set_new(report, "source", json_string(used)) != 0)
        rc = PT_ENOMEM;
    if (rc == 0 && (json_dumpf(report, stdout, flags) != 0 || fputc('\n', stdout) == EOF ||
                    fflush(stdout) != 0))
        rc = PT_EIO;
    json_decref(report);
    pt_diag_free(d);
    pt_diag_config_free(&cfg);
    if (rc != 0) {
        fprintf(stderr, "porttune-diag: %s\n", err.msg[0] ? err.msg : "failed.");
        return 1;
    }
    return 0;
}
