/* SPDX-License-Identifier: MIT */
/* The diagnosis' view of TCP excluded port ranges: who owns each, how it cuts
 * the dynamic range, the largest free block, and the advice; no Windows headers. */
#include "internal.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pt__excl_position(uint32_t lo, uint32_t hi, uint32_t rlo, uint32_t rhi)
{
    if (hi < rlo || lo > rhi)
        return "outside";
    if (lo <= rlo && hi >= rhi)
        return "whole";
    if (lo <= rlo)
        return "start";
    if (hi >= rhi)
        return "end";
    return "inside";
}

unsigned long pt__excl_largest_free(uint32_t rlo, uint32_t rhi, const pt_value_t *excluded,
                                    uint32_t *blo, uint32_t *bhi, unsigned *nblocks)
{
    unsigned long best = 0;
    uint32_t next = rlo;      /* first port not yet looked at */
    size_t i;

    *nblocks = 0;
    if (rhi < rlo)
        return 0;
    /* excluded is canonical: sorted, merged ranges. */
    for (i = 0; i <= excluded->nset; i++) {
        uint32_t end = i < excluded->nset ? excluded->set[i].lo : rhi + 1;

        if (i < excluded->nset && excluded->set[i].hi < next)
            continue;
        if (end > rhi + 1)
            end = rhi + 1;
        if (end > next) {
            (*nblocks)++;
            if (end - next > best) {
                best = end - next;
                *blo = next;
                *bhi = end - 1;
            }
        }
        if (i == excluded->nset || excluded->set[i].hi >= rhi)
            break;
        next = excluded->set[i].hi + 1;
    }
    return best;
}

/* Whether lo-hi holds no excluded port. */
static bool all_free(const pt_value_t *excluded, uint32_t lo, uint32_t hi)
{
    return pt_portset_count_in(excluded, lo, hi) == 0;
}

bool pt__excl_range_advice(uint32_t rlo, uint32_t rhi, const pt_value_t *excluded,
                           unsigned long need, uint32_t *lo, uint32_t *hi)
{
    uint32_t first = 0, last = 0, blo, bhi;
    unsigned nblocks;
    size_t i;

    if (need == 0 || rhi < rlo ||
        pt__excl_largest_free(rlo, rhi, excluded, &blo, &bhi, &nblocks) >= need)
        return false;
    for (i = 0; i < excluded->nset; i++) {
        if (excluded->set[i].hi < rlo || excluded->set[i].lo > rhi)
            continue;
        if (first == 0)
            first = excluded->set[i].lo < rlo ? rlo : excluded->set[i].lo;
        last = excluded->set[i].hi > rhi ? rhi : excluded->set[i].hi;
    }
    if (first == 0) {
        /* Nothing excluded inside: the range itself is too small. Grow it
         * downwards, the way `netsh set dynamicport` counts from start. */
        first = rhi + 1;
    }
    /* Lower the start: the block ends below the first excluded port. */
    if (first >= 1025 + need && all_free(excluded, first - (uint32_t)need, first - 1)) {
        *lo = first - (uint32_t)need < rlo ? first - (uint32_t)need : rlo;
        *hi = rhi;
        return true;
    }
    /* Raise the end: the block starts above the last excluded port. */
    if (last != 0 && (unsigned long)last + need <= 65535 &&
        all_free(excluded, last + 1, last + (uint32_t)need)) {
        *lo = rlo;
        *hi = last + (uint32_t)need > rhi ? last + (uint32_t)need : rhi;
        return true;
    }
    return false;
}

static const char *owner_of(const pt_exrange_t *row, const pt_value_t *record)
{
    if (pt__excl_is_ours(row, record))
        return "porttune";
    return row->admin ? "administrator" : "system";
}

/* Index of the row of fam[1] equal to row (same ports and mark), or -1. */
static long twin(const pt_exclfam_t *f, const pt_exrange_t *row, const char *owner)
{
    size_t i;

    for (i = 0; i < f->nrows; i++)
        if (f->rows[i].lo == row->lo && f->rows[i].hi == row->hi &&
            f->rows[i].admin == row->admin && strcmp(owner_of(&f->rows[i], f->record), owner) == 0)
            return (long)i;
    return -1;
}

static json_t *row_json(const pt_exrange_t *r, const char *owner, bool v4, bool v6,
                        uint32_t rlo, uint32_t rhi)
{
    json_t *fams = json_array();

    if (fams == NULL)
        return NULL;
    if ((v4 && json_array_append_new(fams, json_string("ipv4")) != 0) ||
        (v6 && json_array_append_new(fams, json_string("ipv6")) != 0)) {
        json_decref(fams);
        return NULL;
    }
    return json_pack("{s:I, s:I, s:I, s:o, s:s, s:b, s:s}",
                     "start", (json_int_t)r->lo, "end", (json_int_t)r->hi,
                     "ports", (json_int_t)r->hi - (json_int_t)r->lo + 1, "families", fams,
                     "owner", owner, "administered", r->admin,
                     "position", pt__excl_position(r->lo, r->hi, rlo, rhi));
}

static int warn(json_t *warnings, const char *text)
{
    return json_array_append_new(warnings, json_string(text));
}

json_t *pt__excl_report(uint32_t rlo, uint32_t rhi, const pt_exclfam_t fam[2],
                        json_t *warnings)
{
    json_t *obj = NULL, *rows = json_array(), *inside = json_array(), *largest;
    bool *paired = NULL;
    pt_value_t all;
    uint32_t blo = 0, bhi = 0;
    unsigned nblocks = 0;
    unsigned long best, in_range;
    char buf[600];
    size_t i;
    int f;

    memset(&all, 0, sizeof(all));
    all.type = PT_T_PORTSET;
    if (rows == NULL || inside == NULL)
        goto fail;
    if (fam[1].nrows > 0 && (paired = calloc(fam[1].nrows, sizeof(*paired))) == NULL)
        goto fail;
    for (f = 0; f < 2; f++)
        for (i = 0; i < fam[f].nrows; i++) {
            const pt_exrange_t *r = &fam[f].rows[i];
            const char *owner = owner_of(r, fam[f].record);
            long t = f == 0 ? twin(&fam[1], r, owner) : -1;
            json_t *row;

            if (f == 1 && paired[i])
                continue;
            if (t >= 0)
                paired[t] = true;
            if (pt__portset_add(&all, r->lo, r->hi) != 0)
                goto fail;
            row = row_json(r, owner, f == 0, f == 1 || t >= 0, rlo, rhi);
            if (row == NULL || json_array_append_new(rows, row) != 0)
                goto fail;
            if (strcmp(pt__excl_position(r->lo, r->hi, rlo, rhi), "outside") != 0 &&
                json_array_append(inside, row) != 0)
                goto fail;
        }
    pt__portset_canon(&all);
    in_range = rhi >= rlo ? pt_portset_count_in(&all, rlo, rhi) : 0;
    best = pt__excl_largest_free(rlo, rhi, &all, &blo, &bhi, &nblocks);
    largest = best ? json_pack("{s:I, s:I, s:I}", "start", (json_int_t)blo,
                               "end", (json_int_t)bhi, "ports", (json_int_t)best)
                   : json_null();
    obj = json_pack("{s:o, s:I, s:o, s:I, s:o, s:I, s:b}",
                    "ranges", rows, "ports_in_dynamic_range", (json_int_t)in_range,
                    "inside_dynamic_range", inside, "free_blocks", (json_int_t)nblocks,
                    "largest_free_block", largest, "wsl_mirrored_block",
                    (json_int_t)PT_WSL_BLOCK, "wsl_mirrored_block_free", best >= PT_WSL_BLOCK);
    rows = inside = NULL;
    if (obj == NULL)
        goto fail;
    if (nblocks > 1) {
        snprintf(buf, sizeof(buf),
                 "Excluded port ranges cut the TCP dynamic port range %lu-%lu into %u "
                 "free blocks; the largest is %lu-%lu (%lu ports).", (unsigned long)rlo,
                 (unsigned long)rhi, nblocks, (unsigned long)blo, (unsigned long)bhi, best);
        if (warn(warnings, buf) != 0)
            goto fail;
    }
    if (best < PT_WSL_BLOCK) {
        snprintf(buf, sizeof(buf),
                 "The TCP dynamic port range %lu-%lu has no free block of %d contiguous "
                 "ports (largest: %lu); WSL's mirrored networking needs one and fails to "
                 "start without it.", (unsigned long)rlo, (unsigned long)rhi, PT_WSL_BLOCK,
                 best);
        if (warn(warnings, buf) != 0)
            goto fail;
    }
    free(paired);
    pt_value_free(&all);
    return obj;
fail:
    free(paired);
    pt_value_free(&all);
    json_decref(rows);
    json_decref(inside);
    json_decref(obj);
    return NULL;
}

/* ---- advice ---- */

static long long num(const json_t *o, const char *path1, const char *path2)
{
    const json_t *v = json_object_get(o, path1);

    if (path2 != NULL)
        v = json_object_get(v, path2);
    return (long long)json_integer_value(v);
}

static int advise(json_t *list, const char *setting, json_t *value, const char *reason)
{
    json_t *a = json_pack("{s:s, s:o, s:s}", "setting", setting, "value", value,
                          "reason", reason);

    return a == NULL ? -1 : json_array_append_new(list, a);
}

json_t *pt__diag_advice(const json_t *report, const pt_value_t *excluded)
{
    const json_t *cap = json_object_get(report, "capacity");
    const json_t *top = json_object_get(json_object_get(report, "destinations"), "top");
    const json_t *lst = json_object_get(report, "listeners");
    const json_t *adv = json_object_get(lst, "reserved_ports_advice");
    const json_t *first = json_array_get(top, 0);
    double threshold = json_number_value(json_object_get(report, "threshold_pct"));
    long long rlo = num(report, "port_range", "start"), rhi = num(report, "port_range", "end");
    long long usable = num(cap, "usable_ports", NULL), tw = num(cap, "time_wait_seconds", NULL);
    json_t *list = json_array();
    uint32_t lo, hi;
    char buf[700], val[32];

    if (list == NULL)
        return NULL;
    if (json_is_string(adv)) {
        snprintf(buf, sizeof(buf),
                 "Listeners %s sit inside the dynamic range without an exclusion; "
                 "reserved_ports %s excludes them (Windows refuses to exclude a port in "
                 "use: apply it while those services are stopped).",
                 json_string_value(json_object_get(lst, "unprotected_ports")),
                 json_string_value(adv));
        if (advise(list, "reserved_ports", json_string(json_string_value(adv)), buf) != 0)
            goto fail;
    }
    if (first != NULL && usable > 0 &&
        100.0 * (double)num(first, "ports_held", NULL) / (double)usable >= threshold) {
        long long size = rhi - rlo + 1, nlo = rhi + 1 - 2 * size;

        if (nlo < 1025)
            nlo = 1025;
        if (nlo < rlo) {
            snprintf(val, sizeof(val), "%lld-%lld", nlo, rhi);
            snprintf(buf, sizeof(buf),
                     "A destination holds %lld of %lld usable ports; port_range %s "
                     "doubles the pool (check that no service listens there).",
                     num(first, "ports_held", NULL), usable, val);
            if (advise(list, "port_range", json_string(val), buf) != 0)
                goto fail;
        }
        if (tw > 30) {
            snprintf(buf, sizeof(buf),
                     "TIME_WAIT holds each closed connection's port %lld s; "
                     "time_wait_delay 30 (TcpTimedWaitDelay, after a reboot) frees them "
                     "%lld times sooner.", tw, tw / 30);
            if (advise(list, "time_wait_delay", json_integer(30), buf) != 0)
                goto fail;
        }
    }
    if (rhi >= rlo && rlo > 0 &&
        pt__excl_range_advice((uint32_t)rlo, (uint32_t)rhi, excluded, PT_WSL_BLOCK, &lo, &hi)) {
        snprintf(val, sizeof(val), "%lu-%lu", (unsigned long)lo, (unsigned long)hi);
        snprintf(buf, sizeof(buf),
                 "port_range %s holds a free block of %d contiguous ports beside the "
                 "excluded ranges (WSL's mirrored networking needs one); Hyper-V and "
                 "WinNAT take their ranges at boot, so check again after the reboot.",
                 val, PT_WSL_BLOCK);
        if (advise(list, "port_range", json_string(val), buf) != 0)
            goto fail;
    }
    return list;
fail:
    json_decref(list);
    return NULL;
}
