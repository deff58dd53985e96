/* SPDX-License-Identifier: MIT */
/* Windows backend: the contract's read, apply, persist and remember over
 * TcpTimedWaitDelay and MaxUserPort in the registry (here), the TCP dynamic
 * port range (portrange.c) and excluded port ranges (excluded.c). */
#include "winsys.h"
#include "core/core.h"
#include "core/plan.h"
#include "core/winmup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const pt_os_t pt_backend_os = PT_OS_WINDOWS;

#define STATE_KEY PT_STATE_KEY
#define STATE_TEXT PT_STATE_TEXT
/* Recorded when the registry had no value: state=absent deletes it again. */
#define ABSENT_MARK "absent"

typedef struct winver {
    unsigned major, minor;
} winver_t;

/* Each registry value as read, kept for this process (one process is one
 * run) so remember, which runs after apply, records the value from before it. */
static struct {
    bool reg_read[PT_K__COUNT];
    pt_reg_kind_t reg_kind[PT_K__COUNT];
    unsigned long reg_dword[PT_K__COUNT];
} seen;

static void get_version(winver_t *v);

void pt__win_version(unsigned *major, unsigned *minor)
{
    winver_t v;

    get_version(&v);
    *major = v.major;
    *minor = v.minor;
}

static void get_version(winver_t *v)
{
    typedef LONG (WINAPI *rtl_get_version_fn)(PRTL_OSVERSIONINFOW);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    rtl_get_version_fn fn = NULL;
    RTL_OSVERSIONINFOW info;
    OSVERSIONINFOW old;

    /* GetVersionEx reports 6.2 to programs without a compatibility manifest;
     * RtlGetVersion tells the truth. */
    if (ntdll != NULL)
        fn = (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "RtlGetVersion");
    memset(&info, 0, sizeof(info));
    info.dwOSVersionInfoSize = sizeof(info);
    if (fn != NULL && fn(&info) == 0) {
        v->major = info.dwMajorVersion;
        v->minor = info.dwMinorVersion;
        return;
    }
    memset(&old, 0, sizeof(old));
    old.dwOSVersionInfoSize = sizeof(old);
    if (GetVersionExW(&old)) {
        v->major = old.dwMajorVersion;
        v->minor = old.dwMinorVersion;
        return;
    }
    v->major = 10;
    v->minor = 0;
}

static const wchar_t *reg_wname(pt_key_t k)
{
    return k == PT_K_TIME_WAIT_DELAY ? L"TcpTimedWaitDelay" : L"MaxUserPort";
}

static const wchar_t *state_wname(pt_key_t k)
{
    switch (k) {
    case PT_K_PORT_RANGE: return L"port_range";
    case PT_K_TIME_WAIT_DELAY: return L"time_wait_delay";
    default: return L"max_user_port";
    }
}

static LONG reg_put_dword(const wchar_t *name, DWORD v)
{
    pt_regraw_t r = { true, REG_DWORD, (BYTE *)&v, sizeof(v) };

    return pt__reg_put(TCPIP_KEY, name, &r);
}

static bool state_is_absent(pt_key_t k)
{
    char *s = pt__state_get(state_wname(k));
    bool absent = s != NULL && strcmp(s, ABSENT_MARK) == 0;

    free(s);
    return absent;
}

/* ---- read ---- */

static int read_reg_key(const pt_options_t *opts, const winver_t *v, pt_key_t k,
                        pt_current_t *cur, bool *absent, pt_error_t *err)
{
    pt_regraw_t r;
    DWORD d = 0;
    pt_reg_kind_t kind;
    char what[300];
    LONG e = pt__reg_get(TCPIP_KEY, reg_wname(k), &r);
    int rc;

    if (e != ERROR_SUCCESS) {
        snprintf(what, sizeof(what), "cannot read %s under %s", pt_keys[k].regvalue, TCPIP_TEXT);
        rc = pt__reg_error(e, pt_keys[k].option, what, err);
        return rc;
    }
    kind = !r.present ? PT_REG_ABSENT : pt__regraw_dword(&r, &d) ? PT_REG_DWORD : PT_REG_OTHER;
    *absent = !r.present;
    seen.reg_read[k] = true;
    seen.reg_kind[k] = kind;
    seen.reg_dword[k] = d;
    rc = pt__reg_interpret(k, kind, d, r.present ? pt__reg_type_name(r.type) : NULL,
                           v->major, v->minor, pt_plan_in_scope(opts, PT_OS_WINDOWS, k),
                           &cur->key[k], &cur->notes);
    pt__regraw_free(&r);
    return rc == 0 ? 0 : pt_error_set(err, PT_ENOMEM, 0, pt_keys[k].option, "out of memory");
}

static void load_originals(const winver_t *v, const bool absent[PT_K__COUNT],
                           pt_current_t *cur)
{
    int k;

    for (k = 0; k < PT_K__COUNT; k++) {
        pt_keystate_t *ks = &cur->key[k];
        pt_error_t ignored;
        long long def;
        char *s;

        if (!pt_keys[k].windows_key || k == PT_K_RESERVED_PORTS ||
            (s = pt__state_get(state_wname((pt_key_t)k))) == NULL)
            continue;
        pt_error_init(&ignored);
        if (strcmp(s, ABSENT_MARK) == 0) {
            /* Restoring "absent" deletes the value; when it is absent already
             * there is nothing to put back. */
            if (pt_keys[k].regvalue != NULL && !absent[k]) {
                ks->original.type = PT_T_INT;
                ks->original.num = pt__reg_default((pt_key_t)k, v->major, v->minor, &def)
                                   ? def : pt_keys[k].min;
                ks->original_set = true;
            }
        } else if (pt_value_parse_sysctl((pt_key_t)k, s, &ks->original, STATE_TEXT,
                                         &ignored) == 0) {
            ks->original_set = true;
        }
        free(s);
    }
}

int pt_backend_read(const pt_ctx_t *ctx, const pt_options_t *opts,
                    pt_current_t *cur, pt_error_t *err)
{
    bool absent[PT_K__COUNT] = { false };
    winver_t v;
    int rc;

    (void)ctx;
    get_version(&v);
    cur->os = PT_OS_WINDOWS;
    cur->windows_pre_vista = v.major < 6;
    cur->windows_major = v.major;
    cur->windows_minor = v.minor;
    cur->unpriv_port_start = 1025;
    rc = read_reg_key(opts, &v, PT_K_TIME_WAIT_DELAY, cur, &absent[PT_K_TIME_WAIT_DELAY], err);
    if (rc == 0)
        rc = read_reg_key(opts, &v, PT_K_MAX_USER_PORT, cur, &absent[PT_K_MAX_USER_PORT], err);
    if (rc == 0)
        rc = pt__portrange_read(opts, cur, err);
    if (rc == 0)
        rc = pt__excluded_read(opts, cur, err);
    if (rc == 0)
        load_originals(&v, absent, cur);
    return rc;
}

/* ---- the MaxUserPort risk, for the diagnosis ---- */

int pt__win_mup_risk(long long *value, uint32_t *lo, uint32_t *hi, char *text, size_t size)
{
    pt_regraw_t r;
    winver_t v;
    DWORD d;
    int risk;

    get_version(&v);
    if (v.major < 6 || pt__reg_get(TCPIP_KEY, L"MaxUserPort", &r) != ERROR_SUCCESS)
        return 0;
    risk = pt__regraw_dword(&r, &d);
    pt__regraw_free(&r);
    if (!risk)
        return 0;
    *value = (long long)d;
    if (!pt_mup_next_range(*value, lo, hi))
        *lo = *hi = 0;
    pt_mup_risk_text(*value, v.major, v.minor, text, size);
    return 1;
}

/* ---- apply ---- */

typedef struct undo {
    pt_key_t key;
    pt_regraw_t raw;          /* the value as it was */
} undo_t;

static int apply_reg(const pt_plan_t *plan, pt_key_t k, undo_t *u, pt_error_t *err)
{
    const pt_change_t *c = &plan->change[k];
    bool del = c->restore && state_is_absent(k);
    pt_regraw_t back;
    DWORD d = 0;
    char what[400];
    LONG e;

    u->key = k;
    e = pt__reg_get(TCPIP_KEY, reg_wname(k), &u->raw);
    if (e != ERROR_SUCCESS) {
        snprintf(what, sizeof(what), "cannot read %s under %s", pt_keys[k].regvalue, TCPIP_TEXT);
        return pt__reg_error(e, pt_keys[k].option, what, err);
    }
    if (del) {
        pt_regraw_t none = { false, 0, NULL, 0 };
        e = pt__reg_put(TCPIP_KEY, reg_wname(k), &none);
        snprintf(what, sizeof(what), "cannot delete %s under %s", pt_keys[k].regvalue, TCPIP_TEXT);
    } else {
        e = reg_put_dword(reg_wname(k), (DWORD)c->target.num);
        snprintf(what, sizeof(what), "cannot write %s = %lld (REG_DWORD) under %s",
                 pt_keys[k].regvalue, c->target.num, TCPIP_TEXT);
    }
    if (e != ERROR_SUCCESS)
        return pt__reg_error(e, pt_keys[k].option, what, err);
    e = pt__reg_get(TCPIP_KEY, reg_wname(k), &back);
    if (e == ERROR_SUCCESS && (del ? back.present
                               : !(pt__regraw_dword(&back, &d) && d == (DWORD)c->target.num))) {
        pt__regraw_free(&back);
        return pt_error_set(err, PT_EIO, 0, pt_keys[k].option,
            "%s: wrote %s under %s but it reads back differently.", pt_keys[k].option,
            pt_keys[k].regvalue, TCPIP_TEXT);
    }
    pt__regraw_free(&back);
    return 0;
}

int pt_backend_apply(const pt_ctx_t *ctx, const pt_options_t *opts,
                     const pt_current_t *cur, const pt_plan_t *plan,
                     pt_error_t *err)
{
    static const pt_key_t regkeys[2] = { PT_K_TIME_WAIT_DELAY, PT_K_MAX_USER_PORT };
    undo_t undo[2];
    pt_portrange_undo_t rundo[2];
    pt_error_t e;
    bool undo_ok = true;
    int nundo = 0, nrundo = 0, written = 0, i, rc = 0;
    size_t len;

    (void)ctx;
    (void)opts;
    memset(undo, 0, sizeof(undo));
    /* Registry first, netsh after: a netsh failure is the likelier one, and
     * registry values are cheap to put back. Excluded ranges come last and
     * put back their own steps when they fail. */
    for (i = 0; i < 2 && rc == 0; i++) {
        if (!plan->change[regkeys[i]].live)
            continue;
        rc = apply_reg(plan, regkeys[i], &undo[nundo], err);
        if (rc == 0)
            written++, nundo++;
        else
            pt__regraw_free(&undo[nundo].raw);
    }
    if (rc == 0 && plan->change[PT_K_PORT_RANGE].live)
        rc = pt__portrange_apply(&plan->change[PT_K_PORT_RANGE].target, rundo, &nrundo,
                                 &written, err);
    if (rc == 0 && plan->change[PT_K_RESERVED_PORTS].live)
        rc = pt__excluded_apply(cur, &plan->change[PT_K_RESERVED_PORTS].target, &written,
                                &undo_ok, err);
    if (rc == 0) {
        for (i = 0; i < nundo; i++)
            pt__regraw_free(&undo[i].raw);
        return 0;
    }
    for (i = nrundo - 1; i >= 0; i--) {
        pt_error_init(&e);
        undo_ok = pt__portrange_undo(&rundo[i], &e) == 0 && undo_ok;
    }
    for (i = nundo - 1; i >= 0; i--) {
        undo_ok = pt__reg_put(TCPIP_KEY, reg_wname(undo[i].key), &undo[i].raw) == ERROR_SUCCESS
                  && undo_ok;
        pt__regraw_free(&undo[i].raw);
    }
    len = strlen(err->msg);
    snprintf(err->msg + len, sizeof(err->msg) - len, " %s",
             !undo_ok ? "Putting back the values this run wrote failed too; check them by hand."
             : written > 0 ? "The values this run wrote were put back."
             : "Nothing was changed.");
    err->changed = !undo_ok;
    return rc;
}

int pt_backend_persist(const pt_ctx_t *ctx, const pt_options_t *opts,
                       const pt_current_t *cur, const pt_plan_t *plan,
                       char **backup_path, pt_error_t *err)
{
    /* The registry and netsh's settings persist by themselves. */
    (void)ctx;
    (void)opts;
    (void)cur;
    (void)plan;
    (void)backup_path;
    (void)err;
    return 0;
}

/* ---- originals ---- */

static int remember_one(const pt_current_t *cur, pt_key_t k, pt_error_t *err)
{
    char text[64], *owned = NULL, msg[256];
    const char *val = NULL;
    LONG e;

    if ((owned = pt__state_get(state_wname(k))) != NULL) {
        free(owned);
        return 0;   /* the first original is the one to keep */
    }
    if (pt_keys[k].regvalue != NULL) {
        /* A value of another type cannot be put back as a number: not recorded. */
        if (seen.reg_read[k] && seen.reg_kind[k] == PT_REG_ABSENT)
            val = ABSENT_MARK;
        else if (seen.reg_read[k] && seen.reg_kind[k] == PT_REG_DWORD &&
                 snprintf(text, sizeof(text), "%lu", seen.reg_dword[k]) > 0)
            val = text;
    } else if (cur->key[k].live_set) {
        owned = pt__value_strdup(&cur->key[k].live, true);
        if (owned == NULL)
            return pt_error_set(err, PT_ENOMEM, 0, "state", "out of memory");
        val = owned;
    }
    if (val == NULL)
        return 0;
    e = pt__state_set(state_wname(k), val);
    free(owned);
    if (e == ERROR_SUCCESS)
        return 0;
    pt__win_strerror((DWORD)e, msg, sizeof(msg));
    return pt_error_set(err, PT_EIO, (int)e, STATE_TEXT,
                        "cannot record the original values under %s: %s.", STATE_TEXT, msg);
}

int pt_backend_remember(const pt_ctx_t *ctx, const pt_options_t *opts,
                        const pt_current_t *cur, const pt_plan_t *plan,
                        pt_error_t *err)
{
    int k, rc;

    (void)ctx;
    for (k = 0; k < PT_K__COUNT; k++) {
        const pt_change_t *c = &plan->change[k];
        if (!pt_keys[k].windows_key || (!c->live && !c->forget))
            continue;
        if (k == PT_K_RESERVED_PORTS) {
            if (c->live && (rc = pt__excluded_remember(err)) != 0)
                return rc;
        } else if (opts->state == PT_STATE_ABSENT) {
            if (c->forget)
                pt__state_forget(state_wname((pt_key_t)k));
        } else if ((rc = remember_one(cur, (pt_key_t)k, err)) != 0) {
            return rc;
        }
    }
    return 0;
}
