/* SPDX-License-Identifier: MIT */
/* Port bitmaps for per-socket lookups, filled from and written back as the core's port sets. */
#include "diag/diag.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

void pt_portset_clear(pt_portset_t *set)
{
    memset(set, 0, sizeof(*set));
}

void pt_portset_add(pt_portset_t *set, unsigned port)
{
    if (port < 65536)
        set->bits[port / 64] |= UINT64_C(1) << (port % 64);
}

bool pt_portset_has(const pt_portset_t *set, unsigned port)
{
    return port < 65536 && (set->bits[port / 64] >> (port % 64)) & 1;
}

void pt_portset_from_value(pt_portset_t *set, const pt_value_t *ports)
{
    pt_portset_clear(set);
    for (size_t i = 0; i < ports->nset; i++)
        for (uint32_t p = ports->set[i].lo; p <= ports->set[i].hi && p < 65536; p++)
            pt_portset_add(set, p);
}

/* Writes each run of consecutive ports in set, in order, into out (when not
 * NULL); returns the number of runs. */
static size_t portset_runs(const pt_portset_t *set, pt_range_t *out)
{
    size_t n = 0;
    unsigned p = 0;

    while (p < 65536) {
        if (p % 64 == 0 && set->bits[p / 64] == 0) {
            p += 64;
            continue;
        }
        if (!pt_portset_has(set, p)) {
            p++;
            continue;
        }
        if (out != NULL)
            out[n].lo = p;
        while (p + 1 < 65536 && pt_portset_has(set, p + 1))
            p++;
        if (out != NULL)
            out[n].hi = p;
        n++;
        p++;
    }
    return n;
}

/* The ports of set as a core port set in *out (pt_value_free). The runs are
 * counted first so that the set is allocated once: growing it range by
 * range copies it over and over in the shipped build's allocator once it
 * passes 64 KiB. */
static int portset_to_value(const pt_portset_t *set, pt_value_t *out)
{
    size_t n = portset_runs(set, NULL);

    memset(out, 0, sizeof(*out));
    out->type = PT_T_PORTSET;
    if (n == 0)
        return 0;
    out->set = malloc(n * sizeof(*out->set));
    if (out->set == NULL)
        return PT_ENOMEM;
    out->nset = portset_runs(set, out->set);
    return 0;
}

char *pt_portset_format(const pt_portset_t *set)
{
    pt_value_t v;
    char *s;

    if (portset_to_value(set, &v) != 0)
        return NULL;
    s = pt__value_strdup(&v, true);
    pt_value_free(&v);
    return s;
}
