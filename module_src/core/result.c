/* SPDX-License-Identifier: MIT */
/* Result JSON: per-key before/after, conflicts, capacity and diff. */
#include "result.h"
#include "capacity.h"
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *pt_value_json(const pt_value_t *v)
{
    char *s;
    json_t *j;

    if (v == NULL)
        return json_null();
    if (v->type == PT_T_INT)
        return json_integer(v->num);
    s = pt__value_strdup(v, false);
    if (s == NULL)
        return NULL;
    j = json_string(s);
    free(s);
    return j;
}

json_t *pt_conflict_json(const pt_conflict_t *c)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:s, s:b, s:s, s:o}",
        "key", pt_keys[c->key].option, "sysctl", pt_keys[c->key].sysctl,
        "file", c->file, "line", (json_int_t)c->line, "value", c->value, "wins", c->wins,
        "effect", c->unset ? "unset" : c->refused ? "refused" : "set",
        "boot", c->unset || c->refused ? json_null() : pt_value_json(&c->effect));
}

static const char *key_name(const pt_current_t *cur, pt_key_t k)
{
    if (cur->os == PT_OS_LINUX)
        return pt_keys[k].sysctl;
    if (k == PT_K_RESERVED_PORTS)
        return "ExcludedPortRange";
    return pt_keys[k].regvalue ? pt_keys[k].regvalue : "DynamicPortRange";
}

static const pt_conflict_t *winner(const pt_current_t *cur, pt_key_t k)
{
    size_t i;

    for (i = 0; i < cur->nconflicts; i++)
        if (cur->conflicts[i].key == k && cur->conflicts[i].wins)
            return &cur->conflicts[i];
    return NULL;
}

static json_t *boot_json(const pt_options_t *opts, const pt_current_t *cur,
                         const pt_plan_t *plan, pt_key_t k, json_t **source)
{
    const pt_conflict_t *w = winner(cur, k);
    const pt_keystate_t *ks = &cur->key[k];
    char buf[1100];

    *source = json_null();
    if (cur->os != PT_OS_LINUX)
        return json_null();
    if (w != NULL) {
        /* A removed or refused value leaves the kernel's default: null. */
        snprintf(buf, sizeof(buf), "%s:%u", w->file, w->line);
        *source = json_string(buf);
        return w->unset || w->refused ? json_null() : pt_value_json(&w->effect);
    }
    if (opts->state == PT_STATE_PRESENT && opts->has[k] &&
        (plan->change[k].persist || ks->persisted_set) && cur->file_at_boot) {
        *source = json_string(opts->sysctl_file);
        return pt_value_json(plan->change[k].persist ? &opts->want[k] : &ks->persisted);
    }
    if (ks->boot_set && !plan->change[k].remove) {
        *source = ks->boot_source ? json_string(ks->boot_source) : json_null();
        return pt_value_json(&ks->boot);
    }
    return json_null();
}

static json_t *setting_json(const pt_options_t *opts, const pt_current_t *cur,
                            const pt_plan_t *plan, pt_key_t k)
{
    const pt_keystate_t *ks = &cur->key[k];
    const pt_change_t *c = &plan->change[k];
    const pt_value_t *pafter = NULL;
    json_t *src = NULL, *boot = boot_json(opts, cur, plan, k, &src), *j;

    if (opts->state == PT_STATE_PRESENT)
        pafter = c->persist ? &opts->want[k] : (ks->persisted_set ? &ks->persisted : NULL);
    else if (!c->remove && ks->persisted_set)
        pafter = &ks->persisted;
    j = json_pack("{s:s, s:o, s:o, s:b, s:o, s:o, s:b, s:o, s:o, s:b}",
        cur->os == PT_OS_LINUX ? "sysctl" : "name", key_name(cur, k),
        "before", ks->live_set ? pt_value_json(&ks->live) : json_null(),
        "after", pt_value_json(pt_plan_live_after(opts, cur, plan, k)),
        "live_changed", c->live,
        "persisted_before", ks->persisted_set ? pt_value_json(&ks->persisted) : json_null(),
        "persisted_after", pt_value_json(pafter),
        "persisted_changed", c->persist,
        "boot", boot, "boot_source", src,
        "changed", c->live || c->persist);
    if (j != NULL && cur->os == PT_OS_WINDOWS &&
        json_object_set_new(j, "before_is_default", json_boolean(ks->live_default)) != 0) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

static int append(char **buf, size_t *len, const char *name, const pt_value_t *v)
{
    char *val = pt__value_strdup(v, true);
    size_t need;
    char *nb;

    if (val == NULL)
        return PT_ENOMEM;
    need = *len + strlen(name) + strlen(val) + 5;
    nb = realloc(*buf, need + 1);
    if (nb == NULL) {
        free(val);
        return PT_ENOMEM;
    }
    *buf = nb;
    *len += (size_t)snprintf(nb + *len, need + 1 - *len, "%s = %s\n", name, val);
    free(val);
    return 0;
}

static json_t *diff_json(const pt_options_t *opts, const pt_current_t *cur, const pt_plan_t *plan)
{
    char *before = calloc(1, 1), *after = calloc(1, 1);
    size_t blen = 0, alen = 0;
    json_t *list = json_array();
    int k, rc = 0;

    if (before == NULL || after == NULL || list == NULL)
        goto error;
    for (k = 0; k < PT_K__COUNT && rc == 0; k++) {
        const pt_value_t *a = pt_plan_live_after(opts, cur, plan, (pt_key_t)k);
        if (!pt_plan_in_scope(opts, cur->os, (pt_key_t)k) || !cur->key[k].live_set)
            continue;
        rc = append(&before, &blen, key_name(cur, (pt_key_t)k), &cur->key[k].live);
        if (rc == 0 && a != NULL)
            rc = append(&after, &alen, key_name(cur, (pt_key_t)k), a);
    }
    if (rc != 0 || json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}",
        "before_header", cur->os == PT_OS_LINUX ? "live values (/proc/sys)" : "live values",
        "after_header", cur->os == PT_OS_LINUX ? "live values (/proc/sys)" : "live values",
        "before", before, "after", after)) != 0)
        goto error;
    if (cur->os == PT_OS_LINUX && opts->persist) {
        const char *fb = cur->file_text ? cur->file_text : "";
        const char *fa = plan->file_unlink ? "" : (plan->file_after ? plan->file_after : fb);
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}",
                "before_header", opts->sysctl_file, "after_header", opts->sysctl_file,
                "before", fb, "after", fa)) != 0)
            goto error;
    }
    free(before);
    free(after);
    return list;
error:
    free(before);
    free(after);
    json_decref(list);
    return NULL;
}

/* json_object_set_new / json_array_append_new that remember a failure (a NULL
 * value is one): a result with a key missing must not be printed as a success. */
static void put(json_t *obj, const char *key, json_t *v, bool *ok)
{
    if (json_object_set_new(obj, key, v) != 0)
        *ok = false;
}

static void push(json_t *arr, json_t *v, bool *ok)
{
    if (json_array_append_new(arr, v) != 0)
        *ok = false;
}

json_t *pt_result_build(const pt_options_t *opts, const pt_current_t *cur,
                        const pt_plan_t *plan, const char *backup_path)
{
    json_t *res = json_object(), *settings = json_object(), *conflicts = json_array();
    json_t *warnings = json_array();
    bool changed = plan->any_live || plan->file_write || plan->file_unlink, ok = true;
    size_t i;
    int k;
    char buf[64];

    if (res == NULL || settings == NULL || conflicts == NULL || warnings == NULL ||
        opts->warnings.lost)
        goto error;
    for (k = 0; k < PT_K__COUNT; k++)
        if (pt_plan_in_scope(opts, cur->os, (pt_key_t)k) && cur->key[k].supported)
            put(settings, pt_keys[k].option, setting_json(opts, cur, plan, (pt_key_t)k), &ok);
    for (i = 0; i < cur->nconflicts; i++) {
        const pt_conflict_t *c = &cur->conflicts[i];
        if (!plan->conflict[c->key])
            continue;
        push(conflicts, pt_conflict_json(c), &ok);
    }
    for (i = 0; i < opts->warnings.n; i++)
        push(warnings, json_string(opts->warnings.items[i]), &ok);
    put(res, "changed", json_boolean(changed), &ok);
    put(res, "settings", settings, &ok);
    put(res, "conflicts", conflicts, &ok);
    put(res, "warnings", warnings, &ok);
    put(res, "state", json_string(opts->state == PT_STATE_PRESENT ? "present" : "absent"), &ok);
    if (cur->os == PT_OS_LINUX)
        put(res, "sysctl_file", json_string(opts->sysctl_file), &ok);
    else
        put(res, "reboot_required", json_boolean(plan->reboot_required), &ok);
    /* TcpTimedWaitDelay takes effect at reboot: today's value counts. */
    put(res, "capacity", pt_capacity_value_json(
        pt_plan_live_after(opts, cur, plan, PT_K_PORT_RANGE),
        pt_plan_live_after(opts, cur, plan, PT_K_RESERVED_PORTS),
        pt_capacity_time_wait(cur->os, &cur->key[PT_K_TIME_WAIT_DELAY])), &ok);
    if (backup_path != NULL)
        put(res, "backup_file", json_string(backup_path), &ok);
    if (opts->diff)
        put(res, "diff", diff_json(opts, cur, plan), &ok);
    snprintf(buf, sizeof(buf), "%s", PT_VERSION);
    put(res, "porttune_version", json_string(buf), &ok);
    if (!ok)
        goto error_res;
    return res;
error:
    json_decref(settings);
    json_decref(conflicts);
    json_decref(warnings);
error_res:
    json_decref(res);
    return NULL;
}
