/* SPDX-License-Identifier: MIT */
/* Windows backend: TcpTimedWaitDelay and MaxUserPort in the registry, the TCP
 * dynamic port range through netsh, originals under HKLM\SOFTWARE\porttune. */
#include "winsys.h"
#include "core/core.h"
#include "core/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const pt_os_t pt_backend_os = PT_OS_WINDOWS;

#define TCPIP_KEY L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
#define TCPIP_TEXT "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
#define STATE_KEY L"SOFTWARE\\porttune"
#define STATE_TEXT "HKLM\\SOFTWARE\\porttune"
/* Recorded when the registry had no value: state=absent deletes it again. */
#define ABSENT_MARK "absent"
/* Tests only: run this program instead of %SystemRoot%\system32\netsh.exe. */
#define NETSH_ENV L"PORTTUNE_TEST_NETSH"

typedef struct winver {
    unsigned major, minor;
} winver_t;

/* A registry value as found, kept whole so a failed run can put it back. */
typedef struct regraw {
    bool present;
    DWORD type;
    BYTE *data;               /* owned */
    DWORD size;
} regraw_t;

static const wchar_t *const family_w[2] = { L"ipv4", L"ipv6" };

/* What read found, kept for this process (one process is one run): both
 * families' ranges, so apply need not start netsh again (a tenth of a second
 * or more each), and each registry value as it was, so remember, which runs
 * after apply, records the value from before it. */
static struct {
    bool known[2];
    unsigned long start[2], count[2];
    bool reg_read[PT_K__COUNT];
    pt_reg_kind_t reg_kind[PT_K__COUNT];
    unsigned long reg_dword[PT_K__COUNT];
} seen;
static const char *const family_name[2] = { "IPv4", "IPv6" };

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

static const char *reg_type_name(DWORD type)
{
    switch (type) {
    case REG_SZ: return "REG_SZ";
    case REG_EXPAND_SZ: return "REG_EXPAND_SZ";
    case REG_BINARY: return "REG_BINARY";
    case REG_DWORD: return "REG_DWORD of the wrong size";
    case REG_DWORD_BIG_ENDIAN: return "REG_DWORD_BIG_ENDIAN";
    case REG_MULTI_SZ: return "REG_MULTI_SZ";
    case REG_QWORD: return "REG_QWORD";
    default: return "value of another type";
    }
}

static void regraw_free(regraw_t *r)
{
    free(r->data);
    memset(r, 0, sizeof(*r));
}

/* Reads HKLM\sub\name whole; an absent key or value is !present. */
static LONG reg_get(const wchar_t *sub, const wchar_t *name, regraw_t *r)
{
    HKEY h;
    DWORD size = 0, type = 0, got;
    LONG e;

    memset(r, 0, sizeof(*r));
    e = RegOpenKeyExW(HKEY_LOCAL_MACHINE, sub, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h);
    if (e == ERROR_FILE_NOT_FOUND)
        return ERROR_SUCCESS;
    if (e != ERROR_SUCCESS)
        return e;
    for (;;) {
        e = RegQueryValueExW(h, name, NULL, &type, NULL, &size);
        if (e != ERROR_SUCCESS)
            break;
        free(r->data);
        r->data = malloc(size ? size : 1);
        if (r->data == NULL) {
            e = ERROR_NOT_ENOUGH_MEMORY;
            break;
        }
        got = size;
        e = RegQueryValueExW(h, name, NULL, &type, r->data, &got);
        if (e == ERROR_MORE_DATA)
            continue;   /* it grew between the two calls */
        if (e == ERROR_SUCCESS) {
            r->present = true;
            r->type = type;
            r->size = got;
        }
        break;
    }
    RegCloseKey(h);
    if (e == ERROR_FILE_NOT_FOUND) {
        regraw_free(r);
        return ERROR_SUCCESS;
    }
    if (e != ERROR_SUCCESS)
        regraw_free(r);
    return e;
}

static bool regraw_dword(const regraw_t *r, DWORD *out)
{
    if (!r->present || r->type != REG_DWORD || r->size != sizeof(DWORD))
        return false;
    memcpy(out, r->data, sizeof(DWORD));
    return true;
}

/* Writes (or, when !r->present, deletes) HKLM\sub\name. */
static LONG reg_put(const wchar_t *sub, const wchar_t *name, const regraw_t *r)
{
    HKEY h;
    LONG e;

    e = RegCreateKeyExW(HKEY_LOCAL_MACHINE, sub, 0, NULL, 0,
                        KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &h, NULL);
    if (e != ERROR_SUCCESS)
        return e;
    if (r->present)
        e = RegSetValueExW(h, name, 0, r->type, r->data, r->size);
    else if ((e = RegDeleteValueW(h, name)) == ERROR_FILE_NOT_FOUND)
        e = ERROR_SUCCESS;
    RegCloseKey(h);
    return e;
}

static LONG reg_put_dword(const wchar_t *name, DWORD v)
{
    regraw_t r = { true, REG_DWORD, (BYTE *)&v, sizeof(v) };

    return reg_put(TCPIP_KEY, name, &r);
}

/* Our record of key k's original value as UTF-8 text; NULL when none. */
static char *state_get(pt_key_t k)
{
    regraw_t r;
    wchar_t *w;
    char *u = NULL;

    if (reg_get(STATE_KEY, state_wname(k), &r) != ERROR_SUCCESS || !r.present ||
        r.type != REG_SZ) {
        regraw_free(&r);
        return NULL;
    }
    w = calloc(r.size / sizeof(wchar_t) + 1, sizeof(wchar_t));
    if (w != NULL) {
        memcpy(w, r.data, r.size);
        u = pt__wide_to_utf8(w);
    }
    free(w);
    regraw_free(&r);
    return u;
}

static LONG state_set(pt_key_t k, const char *text)
{
    wchar_t *w = pt__utf8_to_wide(text);
    regraw_t r;
    LONG e;

    if (w == NULL)
        return ERROR_NOT_ENOUGH_MEMORY;
    r.present = true;
    r.type = REG_SZ;
    r.data = (BYTE *)w;
    r.size = (DWORD)((wcslen(w) + 1) * sizeof(wchar_t));
    e = reg_put(STATE_KEY, state_wname(k), &r);
    free(w);
    return e;
}

static bool state_is_absent(pt_key_t k)
{
    char *s = state_get(k);
    bool absent = s != NULL && strcmp(s, ABSENT_MARK) == 0;

    free(s);
    return absent;
}

/* ---- netsh ---- */

static int netsh_exe(wchar_t *buf, size_t size)
{
    DWORD n = GetEnvironmentVariableW(NETSH_ENV, buf, (DWORD)size);

    if (n > 0 && n < size)
        return 0;
    n = GetSystemDirectoryW(buf, (UINT)size);
    if (n == 0 || n + 12 >= size)
        return -1;
    memcpy(buf + n, L"\\netsh.exe", 11 * sizeof(wchar_t));
    return 0;
}

static int netsh(const wchar_t *args, char **out, DWORD *code, pt_error_t *err)
{
    wchar_t exe[MAX_PATH + 1];

    if (netsh_exe(exe, sizeof(exe) / sizeof(exe[0])) != 0)
        return pt_error_set(err, PT_EIO, (int)GetLastError(), "port_range",
                            "port_range: cannot find netsh.exe. Nothing was changed.");
    return pt__win_run(exe, args, out, code, "port_range", err);
}

static int range_show(int fam, unsigned long *start, unsigned long *count, pt_error_t *err)
{
    wchar_t args[64];
    char *out = NULL, msg[300];
    DWORD code = 0;
    int rc;

    swprintf(args, sizeof(args) / sizeof(args[0]), L"interface %ls show dynamicport tcp",
             family_w[fam]);
    rc = netsh(args, &out, &code, err);
    if (rc != 0)
        return rc;
    if (code == 0 && pt__netsh_parse_dynamicport(out, start, count) == 0) {
        free(out);
        return 0;
    }
    pt__netsh_message(out, msg, sizeof(msg));
    free(out);
    return pt_error_set(err, PT_EIO, (int)code, "port_range",
        "port_range: cannot read the TCP dynamic port range for %s: `netsh int %ls show "
        "dynamicport tcp` exited with %lu and said: %s.", family_name[fam], family_w[fam],
        (unsigned long)code, msg);
}

static int range_set(int fam, unsigned long start, unsigned long count, pt_error_t *err)
{
    wchar_t args[96];
    char *out = NULL, msg[300];
    unsigned long s = 0, c = 0;
    DWORD code = 0;
    int rc;

    swprintf(args, sizeof(args) / sizeof(args[0]),
             L"interface %ls set dynamicport tcp start=%lu num=%lu", family_w[fam], start, count);
    rc = netsh(args, &out, &code, err);
    if (rc != 0)
        return rc;
    pt__netsh_message(out, msg, sizeof(msg));
    free(out);
    if (code != 0)
        return pt_error_set(err, PT_EIO, (int)code, "port_range",
            "port_range: `netsh int %ls set dynamicport tcp start=%lu num=%lu` exited "
            "with %lu and said: %s.", family_w[fam], start, count, (unsigned long)code, msg);
    /* Trust only what reads back. */
    seen.known[fam] = false;
    rc = range_show(fam, &s, &c, err);
    if (rc == 0) {
        seen.known[fam] = true;
        seen.start[fam] = s;
        seen.count[fam] = c;
    }
    if (rc == 0 && (s != start || c != count))
        rc = pt_error_set(err, PT_EIO, 0, "port_range",
            "port_range: netsh accepted start=%lu num=%lu for %s but reads back "
            "start=%lu num=%lu.", start, count, family_name[fam], s, c);
    return rc;
}

/* ---- read ---- */

static int reg_error(LONG e, const char *object, const char *what, pt_error_t *err)
{
    char msg[256];

    pt__win_strerror((DWORD)e, msg, sizeof(msg));
    return pt_error_set(err, PT_EIO, (int)e, object, "%s: %s: %s.%s", object, what, msg,
        e == ERROR_ACCESS_DENIED ? " Run the task as an administrator (become, or an "
        "account in the Administrators group with an elevated token)." : "");
}

static int read_reg_key(const pt_options_t *opts, const winver_t *v, pt_key_t k,
                        pt_current_t *cur, bool *absent, pt_error_t *err)
{
    regraw_t r;
    DWORD d = 0;
    pt_reg_kind_t kind;
    char what[300];
    LONG e = reg_get(TCPIP_KEY, reg_wname(k), &r);
    int rc;

    if (e != ERROR_SUCCESS) {
        snprintf(what, sizeof(what), "cannot read %s under %s", pt_keys[k].regvalue, TCPIP_TEXT);
        rc = reg_error(e, pt_keys[k].option, what, err);
        return rc;
    }
    kind = !r.present ? PT_REG_ABSENT : regraw_dword(&r, &d) ? PT_REG_DWORD : PT_REG_OTHER;
    *absent = !r.present;
    seen.reg_read[k] = true;
    seen.reg_kind[k] = kind;
    seen.reg_dword[k] = d;
    rc = pt__reg_interpret(k, kind, d, r.present ? reg_type_name(r.type) : NULL,
                           v->major, v->minor, pt_plan_in_scope(opts, PT_OS_WINDOWS, k),
                           &cur->key[k], &cur->notes);
    regraw_free(&r);
    return rc == 0 ? 0 : pt_error_set(err, PT_ENOMEM, 0, pt_keys[k].option, "out of memory");
}

static int read_port_range(const pt_options_t *opts, pt_current_t *cur, pt_error_t *err)
{
    pt_keystate_t *ks = &cur->key[PT_K_PORT_RANGE];
    bool asked = opts->has[PT_K_PORT_RANGE];
    bool scope = pt_plan_in_scope(opts, PT_OS_WINDOWS, PT_K_PORT_RANGE);
    unsigned long s[2] = { 0, 0 }, c[2] = { 0, 0 };
    pt_error_t e;
    int fam;

    if (cur->windows_pre_vista) {
        if (asked && opts->state == PT_STATE_PRESENT)
            return pt_error_set(err, PT_ENOTSUP, 0, "port_range",
                "port_range: Windows before Vista has no dynamic port range (client "
                "ports run from 1025 to MaxUserPort); set max_user_port instead. "
                "Nothing was changed.");
        return 0;
    }
    /* Out of scope, IPv4 alone feeds the capacity report: one netsh run less. */
    for (fam = 0; fam < (scope ? 2 : 1); fam++) {
        pt_error_init(&e);
        if (range_show(fam, &s[fam], &c[fam], &e) != 0) {
            if (!asked)
                return 0;
            pt_error_set(err, e.code, e.os_code, e.object, "%s Nothing was changed.", e.msg);
            return err->code;
        }
        seen.known[fam] = true;
        seen.start[fam] = s[fam];
        seen.count[fam] = c[fam];
    }
    ks->supported = true;
    ks->live.type = PT_T_RANGE;
    ks->live.range.lo = (uint32_t)s[0];
    ks->live.range.hi = (uint32_t)(s[0] + c[0] - 1);
    if (!scope || (s[0] == s[1] && c[0] == c[1])) {
        ks->live_set = true;
        return 0;
    }
    /* The two differ: no one live value, so a requested range rewrites both. */
    if (pt_strlist_add(&cur->notes,
            "The TCP dynamic port range differs between IPv4 (%lu-%lu) and IPv6 "
            "(%lu-%lu); porttune manages both as one port_range.",
            s[0], s[0] + c[0] - 1, s[1], s[1] + c[1] - 1) != 0)
        return pt_error_set(err, PT_ENOMEM, 0, "port_range", "out of memory");
    return 0;
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

        if (!pt_keys[k].windows_key || (s = state_get((pt_key_t)k)) == NULL)
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
    cur->unpriv_port_start = 1025;
    rc = read_reg_key(opts, &v, PT_K_TIME_WAIT_DELAY, cur, &absent[PT_K_TIME_WAIT_DELAY], err);
    if (rc == 0)
        rc = read_reg_key(opts, &v, PT_K_MAX_USER_PORT, cur, &absent[PT_K_MAX_USER_PORT], err);
    if (rc == 0)
        rc = read_port_range(opts, cur, err);
    if (rc == 0)
        load_originals(&v, absent, cur);
    return rc;
}

/* ---- apply ---- */

typedef struct undo {
    pt_key_t key;
    regraw_t raw;             /* registry keys: the value as it was */
    int fam;                  /* port_range: the family and its old range */
    unsigned long start, count;
} undo_t;

static int apply_reg(const pt_current_t *cur, const pt_plan_t *plan, pt_key_t k,
                     undo_t *u, pt_error_t *err)
{
    const pt_change_t *c = &plan->change[k];
    bool del = c->restore && state_is_absent(k);
    regraw_t back;
    DWORD d = 0;
    char what[400];
    LONG e;

    (void)cur;
    u->key = k;
    e = reg_get(TCPIP_KEY, reg_wname(k), &u->raw);
    if (e != ERROR_SUCCESS) {
        snprintf(what, sizeof(what), "cannot read %s under %s", pt_keys[k].regvalue, TCPIP_TEXT);
        return reg_error(e, pt_keys[k].option, what, err);
    }
    if (del) {
        regraw_t none = { false, 0, NULL, 0 };
        e = reg_put(TCPIP_KEY, reg_wname(k), &none);
        snprintf(what, sizeof(what), "cannot delete %s under %s", pt_keys[k].regvalue, TCPIP_TEXT);
    } else {
        e = reg_put_dword(reg_wname(k), (DWORD)c->target.num);
        snprintf(what, sizeof(what), "cannot write %s = %lld (REG_DWORD) under %s",
                 pt_keys[k].regvalue, c->target.num, TCPIP_TEXT);
    }
    if (e != ERROR_SUCCESS)
        return reg_error(e, pt_keys[k].option, what, err);
    e = reg_get(TCPIP_KEY, reg_wname(k), &back);
    if (e == ERROR_SUCCESS && (del ? back.present
                               : !(regraw_dword(&back, &d) && d == (DWORD)c->target.num))) {
        regraw_free(&back);
        return pt_error_set(err, PT_EIO, 0, pt_keys[k].option,
            "%s: wrote %s under %s but it reads back differently.", pt_keys[k].option,
            pt_keys[k].regvalue, TCPIP_TEXT);
    }
    regraw_free(&back);
    return 0;
}

/* Puts one family's range back, unless it never changed (a set that failed
 * cleanly): then there is nothing to undo and no second failure to report. */
static int range_undo(const undo_t *u, pt_error_t *err)
{
    unsigned long s = 0, c = 0;

    seen.known[u->fam] = false;
    if (range_show(u->fam, &s, &c, err) == 0 && s == u->start && c == u->count)
        return 0;
    return range_set(u->fam, u->start, u->count, err);
}

int pt_backend_apply(const pt_ctx_t *ctx, const pt_options_t *opts,
                     const pt_current_t *cur, const pt_plan_t *plan,
                     pt_error_t *err)
{
    static const pt_key_t regkeys[2] = { PT_K_TIME_WAIT_DELAY, PT_K_MAX_USER_PORT };
    undo_t undo[4];
    const pt_value_t *t = &plan->change[PT_K_PORT_RANGE].target;
    unsigned long want_s, want_c;
    pt_error_t e;
    bool undo_ok = true;
    int nundo = 0, written = 0, i, fam, rc = 0;
    size_t len;

    (void)ctx;
    (void)opts;
    memset(undo, 0, sizeof(undo));
    /* Registry first: a netsh failure is the likelier one, and these are
     * cheap to put back. */
    for (i = 0; i < 2 && rc == 0; i++) {
        if (!plan->change[regkeys[i]].live)
            continue;
        rc = apply_reg(cur, plan, regkeys[i], &undo[nundo], err);
        if (rc == 0)
            written++, nundo++;
        else
            regraw_free(&undo[nundo].raw);
    }
    if (rc == 0 && plan->change[PT_K_PORT_RANGE].live) {
        want_s = t->range.lo;
        want_c = t->range.hi - t->range.lo + 1;
        for (fam = 0; fam < 2 && rc == 0; fam++) {
            unsigned long s = seen.start[fam], c = seen.count[fam];
            if (!seen.known[fam])
                rc = range_show(fam, &s, &c, err);
            if (rc != 0 || (s == want_s && c == want_c))
                continue;
            rc = range_set(fam, want_s, want_c, err);
            written += rc == 0;
            /* A failed set may have half-happened: it is put back too. */
            undo[nundo].key = PT_K_PORT_RANGE;
            undo[nundo].fam = fam;
            undo[nundo].start = s;
            undo[nundo].count = c;
            nundo++;
        }
    }
    if (rc == 0) {
        for (i = 0; i < nundo; i++)
            regraw_free(&undo[i].raw);
        return 0;
    }
    for (i = nundo - 1; i >= 0; i--) {
        pt_error_init(&e);
        if (undo[i].key == PT_K_PORT_RANGE)
            undo_ok = range_undo(&undo[i], &e) == 0 && undo_ok;
        else
            undo_ok = reg_put(TCPIP_KEY, reg_wname(undo[i].key), &undo[i].raw) == ERROR_SUCCESS
                      && undo_ok;
        regraw_free(&undo[i].raw);
    }
    len = strlen(err->msg);
    snprintf(err->msg + len, sizeof(err->msg) - len, " %s",
             !undo_ok ? "Putting back the values this run wrote failed too; check them by hand."
             : written > 0 ? "The values this run wrote were put back."
             : "Nothing was changed.");
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

    if ((owned = state_get(k)) != NULL) {
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
    e = state_set(k, val);
    free(owned);
    if (e == ERROR_SUCCESS)
        return 0;
    pt__win_strerror((DWORD)e, msg, sizeof(msg));
    return pt_error_set(err, PT_EIO, (int)e, STATE_TEXT,
                        "cannot record the original values under %s: %s.", STATE_TEXT, msg);
}

static void forget_one(pt_key_t k)
{
    HKEY h;
    DWORD nvalues = 1, nkeys = 1;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, STATE_KEY, 0,
                      KEY_SET_VALUE | KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h) != ERROR_SUCCESS)
        return;
    RegDeleteValueW(h, state_wname(k));
    RegQueryInfoKeyW(h, NULL, NULL, NULL, &nkeys, NULL, NULL, &nvalues, NULL, NULL, NULL, NULL);
    RegCloseKey(h);
    if (nvalues == 0 && nkeys == 0)
        RegDeleteKeyW(HKEY_LOCAL_MACHINE, STATE_KEY);
}

int pt_backend_remember(const pt_ctx_t *ctx, const pt_options_t *opts,
                        const pt_current_t *cur, const pt_plan_t *plan,
                        pt_error_t *err)
{
    int k, rc;

    (void)ctx;
    for (k = 0; k < PT_K__COUNT; k++) {
        const pt_change_t *c = &plan->change[k];
        if (!pt_keys[k].windows_key || !c->live)
            continue;
        if (opts->state == PT_STATE_ABSENT) {
            if (c->restore)
                forget_one((pt_key_t)k);
        } else if ((rc = remember_one(cur, (pt_key_t)k, err)) != 0) {
            return rc;
        }
    }
    return 0;
}
