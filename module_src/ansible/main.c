/* SPDX-License-Identifier: MIT */
/* Ansible binary-module front end: `porttune ARGS_FILE`, one JSON object out. */
#include "porttune.h"
#include "core/options.h"
#include "core/result.h"
#include "ansible/ansible.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const pt_error_t *err, const pt_options_t *opts)
{
    json_t *out = json_pack("{s:b, s:b, s:s}", "failed", 1, "changed", 0, "msg", err->msg);
    json_t *w = json_array();
    size_t i;

    for (i = 0; opts != NULL && i < opts->warnings.n; i++)
        json_array_append_new(w, json_string(opts->warnings.items[i]));
    if (out != NULL) {
        json_object_set_new(out, "warnings", w);
        if (err->object[0] != '\0')
            json_object_set_new(out, "object", json_string(err->object));
        json_dumpf(out, stdout, JSON_COMPACT);
    } else {
        json_decref(w);
        fputs("{\"failed\": true, \"msg\": \"out of memory\"}", stdout);
    }
    fputc('\n', stdout);
    json_decref(out);
    return 1;
}

int pt_ansible_main(const char *args_path)
{
    pt_ctx_t ctx = { "", "/proc/sys" };
    pt_options_t opts;
    pt_error_t err;
    json_error_t jerr;
    json_t *args = NULL, *result = NULL;
    char *text = NULL;
    const char *body;
    size_t len = 0;
    bool info;
    int rc;

    pt_error_init(&err);
    pt_options_init(&opts);
    /* The backend opens the path (wide API on Windows); a UTF-8 BOM, which
     * Windows editors and PowerShell write, is skipped. */
    rc = pt_os_read_file(args_path, &text, &len, &err);
    if (rc == 0) {
        body = text;
        if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
            body += 3;
            len -= 3;
        }
        args = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (args == NULL)
            pt_error_set(&err, PT_EINVAL, 0, args_path,
                "cannot parse the arguments file %s: %s (line %d, column %d). "
                "Nothing was changed.", args_path, jerr.text, jerr.line, jerr.column);
    } else {
        snprintf(err.msg + strlen(err.msg), sizeof(err.msg) - strlen(err.msg),
                 ". Nothing was changed.");
    }
    free(text);
    if (args == NULL) {
        rc = fail(&err, &opts);
        pt_options_free(&opts);
        return rc;
    }
    info = pt__ansible_is_info(args);
    if (info)
        rc = pt__ansible_info(args, &result, &err);
    else if ((rc = pt_options_from_json(args, &opts, &err)) == 0)
        rc = pt_converge(&ctx, &opts, &result, &err);
    if (rc != 0) {
        rc = fail(&err, &opts);
    } else {
        /* The report's percentages and rates print as 8.09, not 8.0899999999999999. */
        json_dumpf(result, stdout, info ? JSON_COMPACT | JSON_REAL_PRECISION(10) : JSON_COMPACT);
        fputc('\n', stdout);
    }
    json_decref(result);
    json_decref(args);
    pt_options_free(&opts);
    return rc;
}
