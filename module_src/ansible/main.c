/* SPDX-License-Identifier: MIT */
/* Ansible binary-module front end: `porttune ARGS_FILE`, one JSON object out. */
#include "porttune.h"
#include "core/options.h"
#include "core/result.h"
#include "core/jsonio.h"
#include "ansible/ansible.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes len bytes to stdout with write(2): one JSON object and nothing
 * else goes out, so stdio's buffering (and its isatty probe) buys nothing. */
static int write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The failure object, built without allocating (memory may be what ran out). */
static int emit_failure(bool changed, const char *msg)
{
    char buf[8192];
    size_t n = pt_json_failure(buf, sizeof(buf), changed, msg);

    return n > 0 ? write_all(buf, n) : -1;
}

/* Prints the result and a newline; reals as 8.09, not 8.0899999999999999.
 * The text is formatted into a stack buffer (a module result is about
 * 1.5 KiB) and goes out in one write. */
static int emit(const json_t *out)
{
    const size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(10);
    char stack[4096], *buf = stack;
    size_t n;
    int rc;

    n = json_dumpb(out, stack, sizeof(stack) - 1, flags);
    if (n == 0)
        return -1;
    if (n >= sizeof(stack)) {
        if ((buf = malloc(n + 1)) == NULL || json_dumpb(out, buf, n, flags) != n) {
            free(buf);
            return -1;
        }
    }
    buf[n] = '\n';
    rc = write_all(buf, n + 1);
    if (buf != stack)
        free(buf);
    return rc;
}

static int fail(const pt_error_t *err, const pt_options_t *opts)
{
    json_t *out = json_pack("{s:b, s:b, s:s}", "failed", 1, "changed", err->changed, "msg", err->msg);
    json_t *w = json_array();
    bool whole = out != NULL && w != NULL;
    size_t i;

    for (i = 0; whole && opts != NULL && i < opts->warnings.n; i++)
        whole = json_array_append_new(w, json_string(opts->warnings.items[i])) == 0;
    if (whole)
        whole = json_object_set_new(out, "warnings", w) == 0;
    else
        json_decref(w);
    if (whole && err->object[0] != '\0')
        whole = json_object_set_new(out, "object", json_string(err->object)) == 0;
    /* Without memory for the whole object, the message alone. */
    if (!whole || emit(out) != 0)
        emit_failure(err->changed, err->msg);
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
    bool info, oom = false;
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
        args = pt_json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr, &oom);
        if (oom)
            pt_error_set(&err, PT_ENOMEM, 0, args_path, "out of memory while reading the "
                         "arguments file %s. Nothing was changed.", args_path);
        else if (args == NULL)
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
    if (info) {
        rc = pt__ansible_info(args, &result, &err);
    } else {
        /* The options own copies of what they keep: the arguments' blocks
         * go back to the allocator before the converge needs its own. */
        rc = pt_options_from_json(args, &opts, &err);
        json_decref(args);
        args = NULL;
        if (rc == 0)
            rc = pt_converge(&ctx, &opts, &result, &err);
    }
    if (rc != 0) {
        rc = fail(&err, &opts);
    } else if (emit(result) != 0) {
        /* stdout is gone (then nothing can tell it), or memory ran out */
        rc = 1;
        if (json_is_true(json_object_get(result, "changed")))
            emit_failure(true, "out of memory while reporting the result; the settings "
                         "were applied.");
        else
            emit_failure(false, "out of memory. Nothing was changed.");
    }
    json_decref(result);
    json_decref(args);
    pt_options_free(&opts);
    return rc;
}
