/* SPDX-License-Identifier: MIT */
/* Current state without a plan: what `get` and `facts` report. */
#include "inspect.h"
#include "result.h"
#include "capacity.h"
#include "winmup.h"

#include <stdio.h>
#include <string.h>

static bool key_on_os(pt_key_t k, pt_os_t os)
{
    return os == PT_OS_LINUX ? pt_keys[k].linux_key : pt_keys[k].windows_key;
}

static const char *key_name(const pt_current_t *cur, pt_key_t k)
{
    if (cur->os == PT_OS_LINUX)
        return pt_keys[k].sysctl;
    if (pt_keys[k].regvalue != NULL)
        return pt_keys[k].regvalue;
    return k == PT_K_RESERVED_PORTS ? "ExcludedPortRange" : "DynamicPortRange";
}

/* Another file overrides ours at boot only for a key our file sets, and only
 * when its value is not the one we persist. */
static bool overrides(const pt_current_t *cur, const pt_conflict_t *c)
{
    const pt_keystate_t *ks = &cur->key[c->key];

    if (!c->wins || !ks->persisted_set)
        return false;
    return c->unset || c->refused || !pt_value_equal(&c->effect, &ks->persisted);
}

static json_t *opt_value(bool set, const pt_value_t *v)
{
    return set ? pt_value_json(v) : json_null();
}

static json_t *setting_json(const pt_current_t *cur, pt_key_t k)
{
    const pt_keystate_t *ks = &cur->key[k];
    bool drift = ks->live_set && ks->boot_set && !pt_value_equal(&ks->live, &ks->boot);

    return json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:b}",
        cur->os == PT_OS_LINUX ? "sysctl" : "name", key_name(cur, k),
        "supported", ks->supported,
        "live", opt_value(ks->live_set, &ks->live),
        "persisted", opt_value(ks->persisted_set, &ks->persisted),
        "boot", opt_value(ks->boot_set, &ks->boot),
        "boot_source", ks->boot_set && ks->boot_source ? json_string(ks->boot_source) : json_null(),
        "original", opt_value(ks->original_set, &ks->original),
        "drift", drift);
}

/* Windows only: the backend's notes and the MaxUserPort risk as `warnings`,
 * and the risk as data in `max_user_port_risk` (null when there is none). */
static int windows_risks(const pt_current_t *cur, json_t *res)
{
    json_t *w = json_array(), *risk = json_null();
    long long v;
    char text[1024];
    size_t i;

    if (w == NULL)
        return -1;
    for (i = 0; i < cur->notes.n; i++)
        json_array_append_new(w, json_string(cur->notes.items[i]));
    if (pt_mup_risk(cur, &v)) {
        pt_mup_risk_text(v, cur->windows_major, cur->windows_minor, text, sizeof(text));
        json_array_append_new(w, json_string(text));
        risk = pt_mup_risk_json(v);
    }
    if (risk == NULL) {
        json_decref(w);
        return -1;
    }
    json_object_set_new(res, "warnings", w);
    json_object_set_new(res, "max_user_port_risk", risk);
    return 0;
}

json_t *pt_inspect_json(const pt_options_t *opts, const pt_current_t *cur)
{
    json_t *res = json_object(), *settings = json_object(), *conflicts = json_array();
    json_t *cap;
    const pt_keystate_t *range = &cur->key[PT_K_PORT_RANGE];
    const pt_keystate_t *resv = &cur->key[PT_K_RESERVED_PORTS];
    size_t i;
    int k, ok;

    if (res == NULL || settings == NULL || conflicts == NULL)
        goto error;
    for (k = 0; k < PT_K__COUNT; k++) {
        json_t *s;
        if (!key_on_os((pt_key_t)k, cur->os))
            continue;
        s = setting_json(cur, (pt_key_t)k);
        if (s == NULL || json_object_set_new(settings, pt_keys[k].option, s) != 0)
            goto error;
    }
    for (i = 0; i < cur->nconflicts; i++) {
        const pt_conflict_t *c = &cur->conflicts[i];
        if (!overrides(cur, c))
            continue;
        if (json_array_append_new(conflicts, pt_conflict_json(c)) != 0)
            goto error;
    }
    cap = pt_capacity_value_json(range->live_set ? &range->live : NULL,
        resv->live_set ? &resv->live : NULL,   /* Windows: the excluded ranges */
        pt_capacity_time_wait(cur->os, &cur->key[PT_K_TIME_WAIT_DELAY]));
    if (cap == NULL)
        goto error;
    /* json_object_set_new takes the value even when it fails */
    ok = json_object_set_new(res, "os",
                             json_string(cur->os == PT_OS_LINUX ? "linux" : "windows")) == 0;
    if (cur->os == PT_OS_LINUX) {
        ok &= json_object_set_new(res, "sysctl_file", json_string(opts->sysctl_file)) == 0;
        ok &= json_object_set_new(res, "sysctl_file_exists", json_boolean(cur->file_exists)) == 0;
        ok &= json_object_set_new(res, "sysctl_file_at_boot", json_boolean(cur->file_at_boot)) == 0;
        ok &= json_object_set_new(res, "sysctl_file_masked_by", cur->file_masked_by
            ? json_string(cur->file_masked_by) : json_null()) == 0;
    }
    ok &= json_object_set_new(res, "settings", settings) == 0;
    ok &= json_object_set_new(res, "conflicts", conflicts) == 0;
    ok &= json_object_set_new(res, "capacity", cap) == 0;
    if (ok && cur->os == PT_OS_WINDOWS && windows_risks(cur, res) != 0)
        ok = 0;
    ok &= json_object_set_new(res, "porttune_version", json_string(PT_VERSION)) == 0;
    if (ok)
        return res;
    json_decref(res);
    return NULL;
error:
    json_decref(res);
    json_decref(settings);
    json_decref(conflicts);
    return NULL;
}

int pt_inspect(const pt_ctx_t *ctx, const pt_options_t *opts, json_t **out,
               pt_error_t *err)
{
    pt_current_t cur;
    int rc;

    *out = NULL;
    memset(&cur, 0, sizeof(cur));
    cur.os = pt_backend_os;
    rc = pt_backend_read(ctx, opts, &cur, err);
    if (rc == 0) {
        *out = pt_inspect_json(opts, &cur);
        if (*out == NULL)
            rc = pt_error_set(err, PT_ENOMEM, 0, "state", "out of memory. Nothing was changed.");
    }
    pt_current_free(&cur);
    return rc;
}
