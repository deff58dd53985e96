/* SPDX-License-Identifier: MIT */
/* The aggregator's state, shared by the counting (aggregate.c) and the report (report.c). */
#ifndef PT_DIAG_INTERNAL_H
#define PT_DIAG_INTERNAL_H

#include "diag/diag.h"
#include "core/capacity.h"

#include <string.h>

/* One destination: 32 bytes, so a table of 65536 slots is 2 MiB. */
typedef struct pt__dest {
    uint32_t held;                /* sockets holding a local port towards it */
    uint32_t time_wait;
    uint32_t established;
    uint16_t port;
    uint8_t family;               /* 0 marks an empty slot */
    uint8_t pad;
    uint8_t addr[16];
} pt__dest_t;

struct pt_diag {
    pt_diag_config_t cfg;         /* cfg.reserved is the aggregator's own copy */
    pt_portset_t reserved;        /* cfg.reserved as a bitmap, for per-socket lookups */
    pt_capacity_t capacity;       /* the core's model of the range: usable ports, rate */
    uint64_t total;
    uint64_t states[PT_TCP__COUNT]; /* [0] counts unknown states */
    pt__dest_t *tab;
    size_t cap, n, max_cap;
    uint64_t dropped;             /* sockets whose destination was not tracked */
    uint64_t outside_pool;        /* connected sockets on a non-ephemeral port */
    uint64_t listeners;
    pt_portset_t exposed[2];      /* in-range, unreserved listener ports: v4, v6 */
};

/* True when the 16 bytes at a are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
static inline bool pt__diag_v4mapped(const uint8_t *a)
{
    static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

    return memcmp(a, prefix, sizeof(prefix)) == 0;
}

#endif
