/* SPDX-License-Identifier: MIT */
/* The state file: live values as they were before porttune first changed them. */
#include "internal.h"
#include "core/core.h"
#include "core/jsonio.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* *j is NULL when there is no state file. Fails when the file exists but
 * cannot be loaded: unreadable, corrupt or out of memory; starting afresh
 * then would lose the recorded originals. One read of the whole file (no
 * stat first, no stdio FILE); like json_load_file, links are followed. */
static int load_file(const char *full, json_t **j, json_error_t *jerr)
{
    char *text;
    size_t len;
    bool oom;
    int rc;

    *j = NULL;
    memset(jerr, 0, sizeof(*jerr));
    rc = pt__read_file_regular(full, &text, &len, NULL);
    if (rc == -ENOENT)
        return 0;
    if (rc != 0) {
        snprintf(jerr->text, sizeof(jerr->text), "cannot read it: %s",
                 rc == -EINVAL ? "not a regular file" : strerror(-rc));
        return -1;
    }
    *j = pt_json_loadb(text, len, 0, jerr, &oom);
    free(text);
    if (oom)
        jerr->text[0] = '\0';   /* why() says: out of memory */
    return *j != NULL ? 0 : -1;
}

/* jansson 2.14 drops an object key it cannot buffer and goes on
 * (akheron/jansson#655): write only a text that reads back as what was dumped. */
static bool reads_back(const char *text, const json_t *j)
{
    bool oom;
    json_t *back = pt_json_loadb(text, strlen(text), 0, NULL, &oom);
    bool same = back != NULL && json_equal(back, j);

    json_decref(back);
    return same;
}

static const char *why(const json_error_t *jerr)
{
    return jerr->text[0] != '\0' ? jerr->text : "out of memory";
}

int pt__state_load(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                   pt_error_t *err)
{
    char *full = pt__path_new(ctx, opts->state_file);
    json_error_t jerr;
    json_t *j, *orig;
    int k, rc;

    if (full == NULL)
        return 0;
    rc = load_file(full, &j, &jerr);
    free(full);
    if (rc != 0) {
        if (opts->state != PT_STATE_ABSENT)
            return 0;   /* only absent needs the record; remember reports it */
        return pt_error_set(err, PT_EIO, 0, opts->state_file,
            "cannot load %s, which records the values to put back (%s); fix or remove "
            "it. Nothing was changed.", opts->state_file, why(&jerr));
    }
    orig = json_object_get(j, "original");
    for (k = 0; k < PT_K__COUNT && json_is_object(orig); k++) {
        json_t *v = json_object_get(orig, pt_keys[k].option);
        pt_error_t e;
        pt_error_init(&e);
        if (json_is_string(v) &&
            pt_value_parse_sysctl((pt_key_t)k, json_string_value(v), &cur->key[k].original,
                                  opts->state_file, &e) == 0)
            cur->key[k].original_set = true;
    }
    json_decref(j);
    return 0;
}

static int mkdir_parent(const char *full)
{
    const char *slash = strrchr(full, '/');
    char *dir;
    int rc = 0;

    if (slash == NULL || slash == full)
        return 0;
    if ((dir = strndup(full, (size_t)(slash - full))) == NULL)
        return -ENOMEM;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        rc = -errno;
    free(dir);
    return rc;
}

/* The state file is a side record: its failure becomes a warning. */
static int state_oom(const pt_options_t *opts, pt_error_t *err)
{
    return pt_error_set(err, PT_ENOMEM, 0, "state_file",
        "cannot record the original values in %s: out of memory.", opts->state_file);
}

/* pt_backend_remember with the state file at full (under root). */
static int remember(const char *full, const pt_options_t *opts, const pt_current_t *cur,
                    const pt_plan_t *plan, pt_error_t *err)
{
    char *text = NULL, *val;
    json_error_t jerr;
    json_t *j, *orig;
    bool dirty = false;
    int k, rc = 0;

    if (load_file(full, &j, &jerr) != 0)
        return pt_error_set(err, PT_EIO, 0, opts->state_file,
            "cannot load %s (%s), so it was left as it was.", opts->state_file, why(&jerr));
    if (j == NULL || !json_is_object(json_object_get(j, "original"))) {
        json_decref(j);
        j = json_pack("{s:i, s:{}}", "version", 1, "original");
    }
    if (j == NULL)
        return state_oom(opts, err);
    orig = json_object_get(j, "original");
    for (k = 0; k < PT_K__COUNT; k++) {
        const pt_change_t *c = &plan->change[k];
        if (!c->live && !c->forget)
            continue;
        if (opts->state == PT_STATE_ABSENT && c->forget) {
            dirty = json_object_del(orig, pt_keys[k].option) == 0 || dirty;
        } else if (opts->state == PT_STATE_PRESENT && cur->key[k].live_set &&
                   json_object_get(orig, pt_keys[k].option) == NULL) {
            val = pt__value_strdup(&cur->key[k].live, true);
            if (val == NULL) {
                json_decref(j);
                return state_oom(opts, err);
            }
            rc = json_object_set_new(orig, pt_keys[k].option, json_string(val));
            free(val);
            if (rc != 0) {
                json_decref(j);
                return state_oom(opts, err);
            }
            dirty = true;
        }
    }
    if (dirty && json_object_size(orig) == 0) {
        rc = pt__unlink_synced(full, opts->state_file, err);
    } else if (dirty) {
        text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (text == NULL || !reads_back(text, j))
            rc = state_oom(opts, err);
        else if ((rc = mkdir_parent(full)) == -ENOMEM)
            rc = state_oom(opts, err);
        else if (rc != 0)
            rc = pt_error_set(err, PT_EIO, -rc, opts->state_file,
                              "cannot create the directory of %s: %s.", opts->state_file,
                              strerror(-rc));
        else if ((rc = pt__write_atomic(full, text, 0600, opts->state_file, err)) == PT_ENOMEM) {
            pt_error_init(err);
            rc = state_oom(opts, err);
        }
    }
    free(text);
    json_decref(j);
    return rc;
}

int pt_backend_remember(const pt_ctx_t *ctx, const pt_options_t *opts,
                        const pt_current_t *cur, const pt_plan_t *plan,
                        pt_error_t *err)
{
    char *full = pt__path_new(ctx, opts->state_file);
    int rc;

    if (full == NULL)
        return state_oom(opts, err);
    rc = remember(full, opts, cur, plan, err);
    free(full);
    return rc;
}
