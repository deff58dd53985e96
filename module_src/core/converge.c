/* SPDX-License-Identifier: MIT */
/* The one converge sequence both front ends run: read, plan, apply, persist. */
#include "result.h"
#include "conf.h"

#include <stdlib.h>
#include <string.h>

void pt_current_free(pt_current_t *cur)
{
    size_t i;
    int k;

    for (k = 0; k < PT_K__COUNT; k++) {
        pt_value_free(&cur->key[k].live);
        pt_value_free(&cur->key[k].persisted);
        pt_value_free(&cur->key[k].boot);
        pt_value_free(&cur->key[k].original);
        free(cur->key[k].boot_source);
    }
    for (i = 0; i < cur->nconflicts; i++) {
        free(cur->conflicts[i].file);
        free(cur->conflicts[i].value);
        pt_value_free(&cur->conflicts[i].effect);
    }
    free(cur->conflicts);
    pt_conf_free(cur->file);
    free(cur->file_text);
    free(cur->file_masked_by);
    pt_strlist_free(&cur->notes);
    memset(cur, 0, sizeof(*cur));
}

/* Puts back the live values a successful apply wrote, after a later step failed. */
static void roll_back(const pt_ctx_t *ctx, const pt_options_t *opts, const pt_current_t *cur,
                      const pt_plan_t *plan, pt_error_t *err)
{
    pt_plan_t back;
    pt_error_t e2;
    size_t len = strlen(err->msg);
    int k;

    memset(&back, 0, sizeof(back));
    for (k = 0; k < PT_K__COUNT; k++) {
        if (!plan->change[k].live || !cur->key[k].live_set)
            continue;
        back.change[k].live = true;
        back.change[k].target = cur->key[k].live;
        back.any_live = true;
    }
    if (!back.any_live)
        return;
    pt_error_init(&e2);
    if (pt_backend_apply(ctx, opts, cur, &back, &e2) == 0) {
        strncat(err->msg, " The live values written by this run were put back.",
                sizeof(err->msg) - len - 1);
    } else {
        /* "Nothing was changed" no longer holds: the file was not. */
        static const char nc[] = " Nothing was changed.";
        if (len >= sizeof(nc) - 1 && strcmp(err->msg + len - (sizeof(nc) - 1), nc) == 0) {
            len -= sizeof(nc) - 1;
            err->msg[len] = '\0';
            strncat(err->msg, " The file was not changed.", sizeof(err->msg) - len - 1);
            len = strlen(err->msg);
        }
        strncat(err->msg, " Putting back the live values failed too; check them by hand.",
                sizeof(err->msg) - len - 1);
        err->changed = true;
    }
}

/* With state=present a run looks at the live values of the keys it was
 * given, and always at the port range and, on Linux, the reserved ports (the
 * capacity report, the reserved-ports warning; Windows' excluded ranges take
 * two netsh runs, read only when asked for); state=absent may touch every key. */
static unsigned live_not_needed(const pt_options_t *opts, pt_os_t os)
{
    unsigned skip = 0;
    int k;

    if (opts->state != PT_STATE_PRESENT)
        return 0;
    for (k = 0; k < PT_K__COUNT; k++)
        if (!opts->has[k] && k != PT_K_PORT_RANGE &&
            (k != PT_K_RESERVED_PORTS || os == PT_OS_WINDOWS))
            skip |= 1u << k;
    if (!opts->has[PT_K_PORT_RANGE])
        skip |= PT_SKIP_UNPRIV;
    return skip;
}

int pt_converge(const pt_ctx_t *ctx, pt_options_t *opts, json_t **result, pt_error_t *err)
{
    pt_current_t cur;
    pt_plan_t plan;
    pt_error_t soft;
    pt_lock_t *lock = NULL;
    char *backup = NULL;
    int rc;

    *result = NULL;
    memset(&cur, 0, sizeof(cur));
    memset(&plan, 0, sizeof(plan));
    cur.os = pt_backend_os;
    cur.skip_originals = opts->state == PT_STATE_PRESENT;
    cur.skip_live = live_not_needed(opts, cur.os);
    /* Check mode writes nothing, so it neither waits for nor blocks others. */
    if (!opts->check_mode) {
        rc = pt_backend_lock(ctx, opts, &lock, err);
        if (rc < 0)
            goto out;
        if (rc > 0)
            pt_strlist_add(&opts->warnings, "removed %d temporary file(s) next to %s "
                           "that an interrupted run had left.", rc, opts->sysctl_file);
    }
    rc = pt_backend_read(ctx, opts, &cur, err);
    if (rc == 0)
        rc = pt_plan_make(opts, &cur, &plan, err);
    if (rc != 0 || opts->check_mode)
        goto out;
    if (plan.any_live)
        rc = pt_backend_apply(ctx, opts, &cur, &plan, err);
    if (rc == 0 && (plan.file_write || plan.file_unlink)) {
        rc = pt_backend_persist(ctx, opts, &cur, &plan, &backup, err);
        /* A file that was replaced (only its directory's sync failed)
         * matches the new live values: they stay. */
        if (rc != 0 && !err->changed)
            roll_back(ctx, opts, &cur, &plan, err);
        else if (rc != 0 && plan.any_live)
            strncat(err->msg, " The live values were set to match it.",
                    sizeof(err->msg) - strlen(err->msg) - 1);
    }
    /* Recorded when live values changed and stayed, so that a failed run
     * that changed nothing leaves no state behind either, and state=absent
     * can undo what a failed run could not put back. A failed absent run
     * forgets nothing: which originals it really put back is not known; the
     * next absent run finds them at their originals and forgets them. */
    if ((plan.any_live || plan.any_forget) &&
        (rc == 0 || (err->changed && opts->state == PT_STATE_PRESENT))) {
        pt_error_init(&soft);
        if (pt_backend_remember(ctx, opts, &cur, &plan, &soft) != 0)
            pt_strlist_add(&opts->warnings, "%s%s", soft.msg,
                           opts->state == PT_STATE_PRESENT ? " state=absent will not be "
                           "able to put the original values back." : "");
    }
out:
    if (rc == 0) {
        *result = pt_result_build(opts, &cur, &plan, backup);
        if (*result == NULL) {
            /* Whatever was written stays: the failure must say so. */
            err->changed = !opts->check_mode &&
                           (plan.any_live || plan.file_write || plan.file_unlink);
            rc = pt_error_set(err, PT_ENOMEM, 0, "result", "%s", err->changed
                              ? "out of memory while reporting the result; the settings "
                                "were applied." : "out of memory. Nothing was changed.");
        }
    }
    free(backup);
    pt_plan_free(&plan);
    pt_current_free(&cur);
    pt_backend_unlock(lock);
    return rc;
}
