/* SPDX-License-Identifier: MIT */
/* The TCP dynamic port range (port_range) through netsh, and the netsh runner
 * the Windows backend's netsh-driven settings share. */
#include "winsys.h"
#include "core/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const wchar_t *const pt__family_w[2] = { L"ipv4", L"ipv6" };
const char *const pt__family_name[2] = { "IPv4", "IPv6" };

/* What read found, kept for this process (one process is one run): both
 * families' ranges, so apply need not start netsh again (a tenth of a second
 * or more each). */
static struct {
    bool known[2];
    unsigned long start[2], count[2];
} seen;

/* The full path %SystemRoot%\System32\netsh.exe, from the system directory
 * Windows reports: never a search path nor anything the environment names,
 * since this runs as administrator. */
static int netsh_exe(wchar_t *buf, size_t size)
{
    UINT n = GetSystemDirectoryW(buf, (UINT)size);

    if (n == 0 || n + 12 >= size)
        return -1;
    memcpy(buf + n, L"\\netsh.exe", 11 * sizeof(wchar_t));
    return 0;
}

int pt__netsh_run(const wchar_t *args, char **out, DWORD *code, const char *object,
                  pt_error_t *err)
{
    wchar_t exe[MAX_PATH + 1];

    if (netsh_exe(exe, sizeof(exe) / sizeof(exe[0])) != 0)
        return pt_error_set(err, PT_EIO, (int)GetLastError(), object,
                            "%s: cannot find netsh.exe. Nothing was changed.", object);
    return pt__win_run(exe, args, out, code, object, err);
}

int pt__portrange_show(int fam, unsigned long *start, unsigned long *count, pt_error_t *err)
{
    wchar_t args[64];
    char *out = NULL, msg[300];
    DWORD code = 0;
    int rc;

    swprintf(args, sizeof(args) / sizeof(args[0]), L"interface %ls show dynamicport tcp",
             pt__family_w[fam]);
    rc = pt__netsh_run(args, &out, &code, "port_range", err);
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
        "dynamicport tcp` exited with %lu and said: %s.", pt__family_name[fam],
        pt__family_w[fam], (unsigned long)code, msg);
}

static int range_set(int fam, unsigned long start, unsigned long count, pt_error_t *err)
{
    wchar_t args[96];
    char *out = NULL, msg[300];
    unsigned long s = 0, c = 0;
    DWORD code = 0;
    int rc;

    swprintf(args, sizeof(args) / sizeof(args[0]),
             L"interface %ls set dynamicport tcp start=%lu num=%lu", pt__family_w[fam],
             start, count);
    rc = pt__netsh_run(args, &out, &code, "port_range", err);
    if (rc != 0)
        return rc;
    pt__netsh_message(out, msg, sizeof(msg));
    free(out);
    if (code != 0)
        return pt_error_set(err, PT_EIO, (int)code, "port_range",
            "port_range: `netsh int %ls set dynamicport tcp start=%lu num=%lu` exited "
            "with %lu and said: %s.", pt__family_w[fam], start, count,
            (unsigned long)code, msg);
    /* Trust only what reads back. */
    seen.known[fam] = false;
    rc = pt__portrange_show(fam, &s, &c, err);
    if (rc == 0) {
        seen.known[fam] = true;
        seen.start[fam] = s;
        seen.count[fam] = c;
    }
    if (rc == 0 && (s != start || c != count))
        rc = pt_error_set(err, PT_EIO, 0, "port_range",
            "port_range: netsh accepted start=%lu num=%lu for %s but reads back "
            "start=%lu num=%lu.", start, count, pt__family_name[fam], s, c);
    return rc;
}

int pt__portrange_read(const pt_options_t *opts, pt_current_t *cur, pt_error_t *err)
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
        if (pt__portrange_show(fam, &s[fam], &c[fam], &e) != 0) {
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

int pt__portrange_apply(const pt_value_t *target, pt_portrange_undo_t undo[2], int *nundo,
                        int *written, pt_error_t *err)
{
    unsigned long want_s = target->range.lo, want_c = target->range.hi - target->range.lo + 1;
    int fam, rc = 0;

    *nundo = 0;
    for (fam = 0; fam < 2 && rc == 0; fam++) {
        unsigned long s = seen.start[fam], c = seen.count[fam];
        if (!seen.known[fam])
            rc = pt__portrange_show(fam, &s, &c, err);
        if (rc != 0 || (s == want_s && c == want_c))
            continue;
        rc = range_set(fam, want_s, want_c, err);
        *written += rc == 0;
        /* A failed set may have half-happened: it is put back too. */
        undo[*nundo].fam = fam;
        undo[*nundo].start = s;
        undo[*nundo].count = c;
        (*nundo)++;
    }
    return rc;
}

/* Unless the range never changed (a set that failed cleanly): then there is
 * nothing to undo and no second failure to report. */
int pt__portrange_undo(const pt_portrange_undo_t *u, pt_error_t *err)
{
    unsigned long s = 0, c = 0;

    seen.known[u->fam] = false;
    if (pt__portrange_show(u->fam, &s, &c, err) == 0 && s == u->start && c == u->count)
        return 0;
    return range_set(u->fam, u->start, u->count, err);
}
