/* SPDX-License-Identifier: MIT */
/* reserved_ports on Windows: TCP excluded port ranges through netsh, with the
 * ranges porttune added recorded under HKLM\SOFTWARE\porttune. */
#include "winsys.h"
#include "core/core.h"
#include "core/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT "reserved_ports"

/* Per family: the ports porttune added, so that it deletes its own ranges
 * and no one else's (Hyper-V, WinNAT, Docker, an administrator). */
static const wchar_t *const record_w[2] = { L"reserved_ports_ipv4", L"reserved_ports_ipv6" };

/* What read found and apply did, kept for this process (one process is one
 * run): apply starts from read's rows, remember updates the record. */
static struct {
    bool known[2];
    pt_exrange_t *rows[2];
    size_t nrows[2];
    pt_value_t record[2];
    bool touched[2];
    pt_value_t added[2], deleted[2];
} ex;

static void set_rows(int fam, pt_exrange_t *rows, size_t n)
{
    free(ex.rows[fam]);
    ex.rows[fam] = rows;
    ex.nrows[fam] = n;
    ex.known[fam] = true;
}

int pt__excluded_show(int fam, pt_exrange_t **rows, size_t *n, pt_error_t *err)
{
    wchar_t args[80];
    char *out = NULL, msg[300];
    DWORD code = 0;
    int rc;

    swprintf(args, sizeof(args) / sizeof(args[0]),
             L"interface %ls show excludedportrange protocol=tcp", pt__family_w[fam]);
    rc = pt__netsh_run(args, &out, &code, OPT, err);
    if (rc != 0)
        return rc;
    rc = code == 0 ? pt__netsh_parse_excluded(out, rows, n) : PT_EINVAL;
    if (rc == 0 || rc == PT_ENOMEM) {
        free(out);
        return rc == 0 ? 0 : pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    }
    pt__netsh_message(out, msg, sizeof(msg));
    free(out);
    return pt_error_set(err, PT_EIO, (int)code, OPT,
        OPT ": cannot read the TCP excluded port ranges for %s: `netsh int %ls show "
        "excludedportrange protocol=tcp` exited with %lu and said: %s.",
        pt__family_name[fam], pt__family_w[fam], (unsigned long)code, msg);
}

/* One `add` or `delete` of lo-hi; store=persistent: the exclusion outlives a
 * reboot (store=active would not). */
static int change(int fam, bool add, uint32_t lo, uint32_t hi, pt_error_t *err)
{
    wchar_t args[160];
    char *out = NULL, msg[300];
    const char *verb = add ? "add" : "delete";
    const wchar_t *wverb = add ? L"add" : L"delete";
    DWORD code = 0;
    int rc;

    swprintf(args, sizeof(args) / sizeof(args[0]),
             L"interface %ls %ls excludedportrange protocol=tcp startport=%lu "
             L"numberofports=%lu store=persistent", pt__family_w[fam], wverb,
             (unsigned long)lo, (unsigned long)hi - lo + 1);
    rc = pt__netsh_run(args, &out, &code, OPT, err);
    if (rc != 0)
        return rc;
    pt__netsh_message(out, msg, sizeof(msg));
    free(out);
    if (code == 0)
        return 0;
    return pt_error_set(err, PT_EIO, (int)code, OPT,
        OPT ": cannot %s the excluded port range %lu-%lu for %s: `netsh int %ls %s "
        "excludedportrange protocol=tcp startport=%lu numberofports=%lu store=persistent` "
        "exited with %lu and said: %s.%s", verb, (unsigned long)lo, (unsigned long)hi,
        pt__family_name[fam], pt__family_w[fam], verb, (unsigned long)lo,
        (unsigned long)hi - lo + 1, (unsigned long)code, msg,
        add ? " Windows refuses to exclude ports that are in use or that another "
        "exclusion already holds (Hyper-V and WinNAT take ranges at boot); free "
        "those ports or list others." : "");
}

static void load_record(int fam, pt_strlist_t *notes)
{
    pt_error_t ignored;
    char *s = pt__state_get(record_w[fam]);

    pt_value_free(&ex.record[fam]);
    memset(&ex.record[fam], 0, sizeof(ex.record[fam]));
    ex.record[fam].type = PT_T_PORTSET;
    if (s == NULL)
        return;
    pt_error_init(&ignored);
    /* Unreadable: then nothing counts as ours, so nothing of anyone's is deleted. */
    if (pt_value_parse_sysctl(PT_K_RESERVED_PORTS, s, &ex.record[fam], PT_STATE_TEXT,
                              &ignored) != 0) {
        ex.record[fam].type = PT_T_PORTSET;
        pt_strlist_add(notes, "%s\\%ls is not a port list ('%.60s'); porttune treats "
                       "no excluded port range as its own and deletes none.",
                       PT_STATE_TEXT, record_w[fam], s);
    }
    free(s);
}

int pt__excluded_record(int fam, pt_value_t *out, pt_strlist_t *notes)
{
    load_record(fam, notes);
    return pt_value_copy(out, &ex.record[fam]) == 0 ? 0 : PT_ENOMEM;
}

int pt__excluded_read(const pt_options_t *opts, pt_current_t *cur, pt_error_t *err)
{
    pt_keystate_t *ks = &cur->key[PT_K_RESERVED_PORTS];
    bool asked = opts->has[PT_K_RESERVED_PORTS];
    pt_value_t all[2], others[2];
    pt_exrange_t *rows = NULL;
    pt_error_t e;
    size_t n = 0;
    int fam, rc = 0;

    /* Not in scope: read anyway for a caller that reads everything
     * (porttune get, facts), skip for a converge that does not need it. */
    if (!pt_plan_in_scope(opts, PT_OS_WINDOWS, PT_K_RESERVED_PORTS) &&
        (cur->skip_live & (1u << PT_K_RESERVED_PORTS)))
        return 0;
    if (cur->windows_pre_vista) {
        if (asked && opts->state == PT_STATE_PRESENT)
            return pt_error_set(err, PT_ENOTSUP, 0, OPT,
                OPT ": Windows before Vista has no excluded port ranges; leave the "
                "option out for this host. Nothing was changed.");
        return 0;
    }
    memset(all, 0, sizeof(all));
    memset(others, 0, sizeof(others));
    for (fam = 0; fam < 2 && rc == 0; fam++) {
        pt_error_init(&e);
        if (pt__excluded_show(fam, &rows, &n, &e) != 0) {
            if (!asked)
                goto out;     /* state=absent of everything: skip what cannot be read */
            pt_error_set(err, e.code, e.os_code, e.object, "%s Nothing was changed.", e.msg);
            rc = err->code;
            goto out;
        }
        set_rows(fam, rows, n);
        load_record(fam, &cur->notes);
        if (pt__excl_split(rows, n, &ex.record[fam], &all[fam], &others[fam]) != 0)
            rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    }
    /* A port counts as excluded when it is excluded for both families; the
     * original value is what is left without porttune's ranges. */
    if (rc == 0 && (pt__exset_intersect(&all[0], &all[1], &ks->live) != 0 ||
                    pt__exset_intersect(&others[0], &others[1], &ks->original) != 0))
        rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    if (rc == 0) {
        ks->supported = ks->live_set = ks->original_set = true;
        if (!pt_value_equal(&all[0], &all[1]) &&
            pt_strlist_add(&cur->notes, "The TCP excluded port ranges differ between IPv4 "
                           "and IPv6; reserved_ports reports the ports excluded for both.") != 0)
            rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    }
out:
    for (fam = 0; fam < 2; fam++) {
        pt_value_free(&all[fam]);
        pt_value_free(&others[fam]);
    }
    return rc;
}

/* ---- apply ---- */

typedef struct step {
    int fam;
    bool add;
    uint32_t lo, hi;
} step_t;

typedef struct steplog {
    step_t *s;
    size_t n, cap;
} steplog_t;

static int log_step(steplog_t *l, int fam, bool add, uint32_t lo, uint32_t hi)
{
    step_t *grown;

    if (l->s == NULL || l->n == l->cap) {
        size_t cap = l->s == NULL ? 8 : l->cap * 2;
        grown = realloc(l->s, cap * sizeof(*grown));
        if (grown == NULL)
            return PT_ENOMEM;
        l->s = grown;
        l->cap = cap;
    }
    l->s[l->n].fam = fam;
    l->s[l->n].add = add;
    l->s[l->n].lo = lo;
    l->s[l->n].hi = hi;
    l->n++;
    return 0;
}

static int family_apply(int fam, const pt_value_t *target, steplog_t *log, int *written,
                        pt_error_t *err)
{
    pt_value_t adds;
    size_t *dels = NULL, ndel = 0, i;
    int rc;

    if (pt__excl_steps(ex.rows[fam], ex.nrows[fam], &ex.record[fam], target, &dels, &ndel,
                       &adds) != 0)
        return pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    rc = 0;
    /* dels index rows (ex.rows[fam] is not NULL when ndel > 0). */
    /* Each step is logged before netsh runs, so that a step that went
     * through is always undone on failure (and dropped again if it did not). */
    for (i = 0; i < ndel && rc == 0 && ex.rows[fam] != NULL; i++) {
        const pt_exrange_t *r = &ex.rows[fam][dels[i]];
        if (log_step(log, fam, false, r->lo, r->hi) != 0)
            rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
        else if ((rc = change(fam, false, r->lo, r->hi, err)) != 0)
            log->n--;
        else if ((*written)++, ex.touched[fam] = true,
                 pt__portset_add(&ex.deleted[fam], r->lo, r->hi) != 0)
            rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    }
    for (i = 0; i < adds.nset && rc == 0; i++) {
        if (log_step(log, fam, true, adds.set[i].lo, adds.set[i].hi) != 0)
            rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
        else if ((rc = change(fam, true, adds.set[i].lo, adds.set[i].hi, err)) != 0)
            log->n--;
        else if ((*written)++, ex.touched[fam] = true,
                 pt__portset_add(&ex.added[fam], adds.set[i].lo, adds.set[i].hi) != 0)
            rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    }
    free(dels);
    pt_value_free(&adds);
    return rc;
}

/* Reads both families again: trust only what reads back. */
static int verify(const pt_value_t *target, pt_error_t *err)
{
    pt_value_t all[2], others[2], now;
    pt_exrange_t *rows = NULL;
    size_t n = 0;
    char *want = NULL, *got = NULL;
    int fam, rc = 0;

    memset(all, 0, sizeof(all));
    memset(others, 0, sizeof(others));
    memset(&now, 0, sizeof(now));
    for (fam = 0; fam < 2 && rc == 0; fam++) {
        if ((rc = pt__excluded_show(fam, &rows, &n, err)) != 0)
            break;
        set_rows(fam, rows, n);
        if (pt__excl_split(rows, n, &ex.record[fam], &all[fam], &others[fam]) != 0)
            rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    }
    if (rc == 0 && pt__exset_intersect(&all[0], &all[1], &now) != 0)
        rc = pt_error_set(err, PT_ENOMEM, 0, OPT, "out of memory");
    if (rc == 0 && !pt_value_equal(&now, target)) {
        want = pt__value_strdup(target, true);
        got = pt__value_strdup(&now, true);
        rc = pt_error_set(err, PT_EIO, 0, OPT,
            OPT ": netsh accepted the changes, but the ports excluded for both IPv4 and "
            "IPv6 read back as '%.300s' instead of '%.300s'.", got ? got : "?",
            want ? want : "?");
    }
    free(want);
    free(got);
    pt_value_free(&now);
    for (fam = 0; fam < 2; fam++) {
        pt_value_free(&all[fam]);
        pt_value_free(&others[fam]);
    }
    return rc;
}

int pt__excluded_apply(const pt_current_t *cur, const pt_value_t *target, int *written,
                       bool *undo_ok, pt_error_t *err)
{
    steplog_t log = { NULL, 0, 0 };
    pt_exrange_t *rows = NULL;
    pt_error_t e;
    size_t n = 0, i;
    int fam, rc = 0;

    (void)cur;
    for (fam = 0; fam < 2; fam++) {
        pt_value_free(&ex.added[fam]);
        pt_value_free(&ex.deleted[fam]);
        ex.added[fam].type = ex.deleted[fam].type = PT_T_PORTSET;
        ex.touched[fam] = false;
    }
    for (fam = 0; fam < 2 && rc == 0; fam++) {
        /* Windows may keep one list for both families (the IPv6 command then
         * shows what the IPv4 one added): after any change, read afresh. */
        if (!ex.known[fam] || log.n > 0) {
            if ((rc = pt__excluded_show(fam, &rows, &n, err)) != 0)
                break;
            set_rows(fam, rows, n);
        }
        rc = family_apply(fam, target, &log, written, err);
    }
    if (rc == 0)
        rc = verify(target, err);
    if (rc != 0) {
        /* What stays after the undo is what the record must describe: a
         * range porttune added and could not delete again is still its
         * own, one it deleted and could not add back is gone. */
        for (fam = 0; fam < 2; fam++) {
            pt_value_free(&ex.added[fam]);
            pt_value_free(&ex.deleted[fam]);
            ex.added[fam].type = ex.deleted[fam].type = PT_T_PORTSET;
            ex.touched[fam] = false;
        }
        for (i = log.n; i-- > 0;) {
            const step_t *s = &log.s[i];
            pt_error_init(&e);
            if (change(s->fam, !s->add, s->lo, s->hi, &e) == 0)
                continue;
            *undo_ok = false;
            ex.touched[s->fam] = true;
            (void)pt__portset_add(s->add ? &ex.added[s->fam] : &ex.deleted[s->fam], s->lo, s->hi);
        }
        /* The record keeps only administered rows that are there: read them. */
        for (fam = 0; fam < 2; fam++) {
            pt_error_init(&e);
            if (!ex.touched[fam])
                continue;
            if (pt__excluded_show(fam, &rows, &n, &e) == 0)
                set_rows(fam, rows, n);
            else
                ex.touched[fam] = false;   /* unknown: the record stays as it was */
        }
    }
    free(log.s);
    return rc;
}

/* ---- the record ---- */

int pt__excluded_remember(pt_error_t *err)
{
    pt_value_t left, rec, mine;
    char *text, msg[256];
    size_t i;
    LONG e;
    int fam, rc = 0;

    for (fam = 0; fam < 2 && rc == 0; fam++) {
        if (!ex.touched[fam])
            continue;
        memset(&mine, 0, sizeof(mine));
        mine.type = PT_T_PORTSET;
        /* What porttune added and did not delete, still there as an
         * administered exclusion: stale entries would claim others' ranges. */
        if (pt__exset_subtract(&ex.record[fam], &ex.deleted[fam], &left) != 0)
            return pt_error_set(err, PT_ENOMEM, 0, PT_STATE_TEXT, "out of memory");
        pt__portset_canon(&ex.added[fam]);
        if (pt__exset_union(&left, &ex.added[fam], &rec) != 0) {
            pt_value_free(&left);
            return pt_error_set(err, PT_ENOMEM, 0, PT_STATE_TEXT, "out of memory");
        }
        pt_value_free(&left);
        for (i = 0; i < ex.nrows[fam]; i++)
            if (ex.rows[fam][i].admin &&
                pt__portset_add(&mine, ex.rows[fam][i].lo, ex.rows[fam][i].hi) != 0)
                rc = PT_ENOMEM;
        pt__portset_canon(&mine);
        if (rc == 0 && pt__exset_intersect(&rec, &mine, &left) != 0)
            rc = PT_ENOMEM;
        pt_value_free(&rec);
        pt_value_free(&mine);
        if (rc != 0)
            return pt_error_set(err, PT_ENOMEM, 0, PT_STATE_TEXT, "out of memory");
        if (left.nset == 0) {
            pt_value_free(&left);
            pt__state_forget(record_w[fam]);
            continue;
        }
        text = pt__value_strdup(&left, true);
        pt_value_free(&left);
        if (text == NULL)
            return pt_error_set(err, PT_ENOMEM, 0, PT_STATE_TEXT, "out of memory");
        e = pt__state_set(record_w[fam], text);
        free(text);
        if (e != ERROR_SUCCESS) {
            pt__win_strerror((DWORD)e, msg, sizeof(msg));
            return pt_error_set(err, PT_EIO, (int)e, PT_STATE_TEXT,
                "cannot record the excluded port ranges porttune added under %s: %s.",
                PT_STATE_TEXT, msg);
        }
    }
    return 0;
}
