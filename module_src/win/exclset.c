/* SPDX-License-Identifier: MIT */
/* Excluded port ranges as port sets: which rows are porttune's, and the netsh
 * deletes and adds that reach a target; no Windows headers. */
#include "internal.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static void empty(pt_value_t *v)
{
    memset(v, 0, sizeof(*v));
    v->type = PT_T_PORTSET;
}

/* Out of memory: out is emptied (and freed). */
static int nomem(pt_value_t *out)
{
    pt_value_free(out);
    empty(out);
    return PT_ENOMEM;
}

static int add_or_fail(pt_value_t *v, uint32_t lo, uint32_t hi)
{
    /* Merging as we go keeps the set short (PT_PORTSET_MAX is a cap on the
     * ranges a user writes, not on what a host holds). */
    if (v->nset >= PT_PORTSET_MAX)
        pt__portset_canon(v);
    return pt__portset_add(v, lo, hi) == 0 ? 0 : PT_ENOMEM;
}

bool pt__exset_covers(const pt_value_t *set, uint32_t lo, uint32_t hi)
{
    size_t i;

    for (i = 0; i < set->nset; i++)
        if (set->set[i].lo <= lo && hi <= set->set[i].hi)
            return true;
    return false;
}

int pt__exset_union(const pt_value_t *a, const pt_value_t *b, pt_value_t *out)
{
    size_t i;

    empty(out);
    for (i = 0; i < a->nset; i++)
        if (add_or_fail(out, a->set[i].lo, a->set[i].hi) != 0)
            return nomem(out);
    for (i = 0; i < b->nset; i++)
        if (add_or_fail(out, b->set[i].lo, b->set[i].hi) != 0)
            return nomem(out);
    pt__portset_canon(out);
    return 0;
}

int pt__exset_intersect(const pt_value_t *a, const pt_value_t *b, pt_value_t *out)
{
    size_t i = 0, j = 0;

    empty(out);
    while (i < a->nset && j < b->nset) {
        uint32_t lo = a->set[i].lo > b->set[j].lo ? a->set[i].lo : b->set[j].lo;
        uint32_t hi = a->set[i].hi < b->set[j].hi ? a->set[i].hi : b->set[j].hi;
        if (lo <= hi && add_or_fail(out, lo, hi) != 0)
            return nomem(out);
        if (a->set[i].hi < b->set[j].hi)
            i++;
        else
            j++;
    }
    pt__portset_canon(out);
    return 0;
}

int pt__exset_subtract(const pt_value_t *a, const pt_value_t *b, pt_value_t *out)
{
    size_t i, j = 0;

    empty(out);
    for (i = 0; i < a->nset; i++) {
        uint32_t lo = a->set[i].lo, hi = a->set[i].hi;
        while (j < b->nset && b->set[j].hi < lo)
            j++;
        for (size_t k = j; k < b->nset && b->set[k].lo <= hi && lo <= hi; k++) {
            if (b->set[k].lo > lo && add_or_fail(out, lo, b->set[k].lo - 1) != 0)
                return nomem(out);
            if (b->set[k].hi >= hi) {
                lo = 1;
                hi = 0;       /* nothing left of this range */
                break;
            }
            lo = b->set[k].hi + 1;
        }
        if (lo <= hi && add_or_fail(out, lo, hi) != 0)
            return nomem(out);
    }
    pt__portset_canon(out);
    return 0;
}

bool pt__excl_is_ours(const pt_exrange_t *row, const pt_value_t *record)
{
    return row->admin && pt__exset_covers(record, row->lo, row->hi);
}

int pt__excl_split(const pt_exrange_t *rows, size_t nrows, const pt_value_t *record,
                   pt_value_t *all, pt_value_t *others)
{
    size_t i;

    empty(all);
    empty(others);
    for (i = 0; i < nrows; i++) {
        if (add_or_fail(all, rows[i].lo, rows[i].hi) != 0 ||
            (!pt__excl_is_ours(&rows[i], record) &&
             add_or_fail(others, rows[i].lo, rows[i].hi) != 0)) {
            pt_value_free(all);
            pt_value_free(others);
            empty(all);
            empty(others);
            return PT_ENOMEM;
        }
    }
    pt__portset_canon(all);
    pt__portset_canon(others);
    return 0;
}

int pt__excl_steps(const pt_exrange_t *rows, size_t nrows, const pt_value_t *record,
                   const pt_value_t *target, size_t **dels, size_t *ndel, pt_value_t *adds)
{
    pt_value_t kept;
    size_t i;
    int rc = PT_ENOMEM;

    *dels = NULL;
    *ndel = 0;
    empty(adds);
    empty(&kept);
    if (nrows > 0 && (*dels = malloc(nrows * sizeof(**dels))) == NULL)
        return PT_ENOMEM;
    for (i = 0; i < nrows; i++) {
        if (pt__excl_is_ours(&rows[i], record) &&
            !pt__exset_covers(target, rows[i].lo, rows[i].hi))
            (*dels)[(*ndel)++] = i;
        else if (add_or_fail(&kept, rows[i].lo, rows[i].hi) != 0)
            goto out;
    }
    pt__portset_canon(&kept);
    rc = pt__exset_subtract(target, &kept, adds);
out:
    pt_value_free(&kept);
    if (rc != 0) {
        free(*dels);
        *dels = NULL;
        *ndel = 0;
    }
    return rc;
}
