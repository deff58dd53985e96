/* SPDX-License-Identifier: MIT */
/* Port-pressure aggregation: sockets stream in, a bounded hash table counts them per destination. No OS calls. */
#include "diag/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- the table ---- */

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t hash_key(int family, unsigned port, const uint8_t *addr)
{
    uint64_t h = load64(addr) * UINT64_C(0x9e3779b97f4a7c15);

    h ^= (load64(addr + 8) + ((uint64_t)port << 8 | (unsigned)family)) *
         UINT64_C(0xc2b2ae3d27d4eb4f);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static pt__dest_t *slot_for(pt__dest_t *tab, size_t cap, int family, unsigned port,
                        const uint8_t *addr)
{
    size_t i = (size_t)hash_key(family, port, addr) & (cap - 1);

    for (;;) {
        pt__dest_t *e = &tab[i];

        if (e->family == 0 ||
            (e->family == family && e->port == port && memcmp(e->addr, addr, 16) == 0))
            return e;
        i = (i + 1) & (cap - 1);
    }
}

static int grow(pt_diag_t *d)
{
    size_t ncap = d->cap ? d->cap * 2 : 64;
    pt__dest_t *ntab = calloc(ncap, sizeof(*ntab));

    if (ntab == NULL)
        return PT_ENOMEM;
    for (size_t i = 0; i < d->cap; i++) {
        const pt__dest_t *e = &d->tab[i];

        if (e->family != 0)
            *slot_for(ntab, ncap, e->family, e->port, e->addr) = *e;
    }
    free(d->tab);
    d->tab = ntab;
    d->cap = ncap;
    return 0;
}

void pt_diag_config_init(pt_diag_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->range_lo = 32768;
    cfg->range_hi = 60999;
    cfg->reserved.type = PT_T_PORTSET;
    cfg->max_tw_buckets = -1;
    cfg->time_wait_secs = PT_LINUX_TIME_WAIT_SECONDS;
    cfg->threshold_pct = PT_DIAG_DEFAULT_THRESHOLD;
    cfg->top_n = PT_DIAG_DEFAULT_TOP;
    cfg->max_destinations = PT_DIAG_DEFAULT_MAX_DESTINATIONS;
    cfg->os = PT_OS_LINUX;
}

void pt_diag_config_free(pt_diag_config_t *cfg)
{
    if (cfg != NULL)
        pt_value_free(&cfg->reserved);
}

pt_diag_t *pt_diag_new(const pt_diag_config_t *cfg, pt_error_t *err)
{
    pt_diag_t *d = NULL;

    if (cfg->range_lo == 0 || cfg->range_lo > cfg->range_hi || cfg->range_hi > 65535) {
        pt_error_set(err, PT_EINVAL, 0, "port_range",
                     "port_range %u-%u is not a range of ports 1-65535 with "
                     "start <= end.", cfg->range_lo, cfg->range_hi);
        return NULL;
    }
    if (!(cfg->threshold_pct > 0 && cfg->threshold_pct <= 100)) {
        pt_error_set(err, PT_EINVAL, 0, "threshold",
                     "threshold %g is not a percentage above 0 and at most 100.",
                     cfg->threshold_pct);
        return NULL;
    }
    if (cfg->time_wait_secs == 0 || cfg->max_destinations == 0 ||
        cfg->max_destinations > ((size_t)1 << 28)) {
        pt_error_set(err, PT_EINVAL, 0, "max_destinations",
                     "time_wait_secs %u and max_destinations %zu must be above 0 "
                     "(max_destinations at most 2^28).",
                     cfg->time_wait_secs, cfg->max_destinations);
        return NULL;
    }
    if (cfg->reserved.type != PT_T_PORTSET) {
        pt_error_set(err, PT_EINVAL, 0, "reserved_ports",
                     "reserved_ports is not a port set (start from pt_diag_config_init).");
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL)
        goto nomem;
    d->cfg = *cfg;
    /* A copy of its own: the caller frees cfg's. */
    if (pt_value_copy(&d->cfg.reserved, &cfg->reserved) != 0)
        goto nomem;
    pt_portset_from_value(&d->reserved, &cfg->reserved);
    pt_capacity_compute(cfg->range_lo, cfg->range_hi, &cfg->reserved, cfg->time_wait_secs,
                        &d->capacity);
    /* Smallest power of two that holds max_destinations at 3/4 load. */
    d->max_cap = 64;
    while (d->max_cap / 4 * 3 < cfg->max_destinations)
        d->max_cap *= 2;
    if (grow(d) != 0)
        goto nomem;
    return d;
nomem:
    pt_diag_free(d);
    pt_error_set(err, PT_ENOMEM, ENOMEM, "diagnosis",
                 "Out of memory starting the diagnosis.");
    return NULL;
}

void pt_diag_free(pt_diag_t *d)
{
    if (d == NULL)
        return;
    pt_value_free(&d->cfg.reserved);
    free(d->tab);
    free(d);
}

static bool in_pool(const pt_diag_t *d, unsigned port)
{
    return port >= d->cfg.range_lo && port <= d->cfg.range_hi &&
           !pt_portset_has(&d->reserved, port);
}

int pt_diag_add(pt_diag_t *d, const pt_diag_sock_t *s)
{
    uint8_t addr[16] = { 0 };
    int family = s->family;
    pt__dest_t *e;

    d->total++;
    d->states[s->state < PT_TCP__COUNT ? s->state : 0]++;
    if (s->state == PT_TCP_LISTEN) {
        d->listeners++;
        if (in_pool(d, s->lport))
            pt_portset_add(&d->exposed[family == PT_DIAG_AF_INET6], s->lport);
        return 0;
    }
    if (s->rport == 0 || s->state == 0 || s->state >= PT_TCP__COUNT)
        return 0;
    /* Only ports connect() drew from the ephemeral pool count: the server
     * side of an accepted connection sits on the listener's port. */
    if (!in_pool(d, s->lport)) {
        d->outside_pool++;
        return 0;
    }
    /* A v4-mapped peer is the same IPv4 destination, drawing on the same pool. */
    if (family == PT_DIAG_AF_INET6 && pt__diag_v4mapped(s->raddr)) {
        family = PT_DIAG_AF_INET;
        memcpy(addr, s->raddr + 12, 4);
    } else {
        memcpy(addr, s->raddr, family == PT_DIAG_AF_INET ? 4 : 16);
    }
    e = slot_for(d->tab, d->cap, family, s->rport, addr);
    if (e->family == 0) {
        if ((d->n + 1) * 4 > d->cap * 3 || d->n >= d->cfg.max_destinations) {
            if (d->cap >= d->max_cap || d->n >= d->cfg.max_destinations) {
                d->dropped++;
                return 0;
            }
            if (grow(d) != 0) {
                d->dropped++;
                return PT_ENOMEM;
            }
            e = slot_for(d->tab, d->cap, family, s->rport, addr);
        }
        e->family = (uint8_t)family;
        e->port = s->rport;
        memcpy(e->addr, addr, 16);
        d->n++;
    }
    e->held++;
    if (s->state == PT_TCP_TIME_WAIT)
        e->time_wait++;
    else if (s->state == PT_TCP_ESTABLISHED)
        e->established++;
    return 0;
}

bool pt_diag_holds(const pt_diag_t *d, const pt_diag_sock_t *s)
{
    return s->state != PT_TCP_LISTEN && s->rport != 0 && s->state != 0 &&
           s->state < PT_TCP__COUNT && in_pool(d, s->lport);
}

int pt_diag_add_cb(const pt_diag_sock_t *s, void *arg)
{
    return pt_diag_add(arg, s);
}
