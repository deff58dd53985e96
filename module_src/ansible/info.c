/* SPDX-License-Identifier: MIT */
/* porttune_info: the port-pressure diagnosis as an Ansible info module; reads, never changes. */
#include "porttune.h"
#include "core/options.h"
#include "diag/diag.h"
#include "ansible/ansible.h"

#include <string.h>

#define TOP_MAX 100000

bool pt__ansible_is_info(const json_t *args)
{
    const char *name = json_string_value(json_object_get(args, "_ansible_module_name"));
    size_t n = name ? strlen(name) : 0;

    /* "porttune_info", or a collection's "ns.coll.porttune_info". */
    return n >= 13 && strcmp(name + n - 13, "porttune_info") == 0 &&
           (n == 13 || name[n - 14] == '.');
}

/* An int option as Ansible coerces it, within [min, max]; null keeps *out. */
static int int_option(json_t *args, const char *name, long long min, long long max,
                      long long *out, pt_error_t *err)
{
    const json_t *v = json_object_get(args, name);
    long long n;

    if (v == NULL || json_is_null(v))
        return 0;
    if (pt__coerce_int(v, name, &n, err) != 0)
        return err->code;
    if (n < min || n > max)
        return pt_error_set(err, PT_EINVAL, 0, name,
                            "%s: %lld is out of range; allowed values are %lld-%lld. "
                            "Nothing was changed.", name, n, min, max);
    *out = n;
    return 0;
}

int pt__ansible_info(json_t *args, json_t **result, pt_error_t *err)
{
    const char *names[] = { "source", "threshold", "top" };
    const json_t *v;
    const char *source = "auto";
    long long top = PT_DIAG_DEFAULT_TOP, threshold = (long long)PT_DIAG_DEFAULT_THRESHOLD;
    json_t *report = NULL;
    int rc;

    *result = NULL;
    if (pt__reject_unknown(args, "porttune_info", names, sizeof(names) / sizeof(names[0]),
                           err) != 0 ||
        int_option(args, "top", 0, TOP_MAX, &top, err) != 0 ||
        int_option(args, "threshold", 1, 100, &threshold, err) != 0)
        return err->code;
    v = json_object_get(args, "source");
    if (v != NULL && !json_is_null(v)) {
        source = json_is_string(v) ? json_string_value(v) : "";
        if (strcmp(source, "auto") != 0 && strcmp(source, "netlink") != 0 &&
            strcmp(source, "proc") != 0)
            return pt_error_set(err, PT_EINVAL, 0, "source",
                                "value of source must be one of: auto, netlink, proc, "
                                "got: %.80s. Nothing was changed.",
                                json_is_string(v) ? source : "a non-string");
    }
    /* Check mode changes nothing here either: the run is the same. */
    rc = pt_diag_run("", source, (unsigned)top, (double)threshold, &report, err);
    if (rc != 0)
        return rc;
    *result = json_pack("{s:b, s:o}", "changed", 0, "port_pressure", report);
    if (*result == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, "porttune_info", "out of memory. Nothing was changed.");
    return 0;
}
