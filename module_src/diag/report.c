/* SPDX-License-Identifier: MIT */
/* The port-pressure report: the aggregator's counts as JSON, with warnings and advice. No OS calls. */
#include "diag/internal.h"
#include "core/core.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[PT_TCP__COUNT] = {
    NULL, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
    "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
    "NEW_SYN_RECV",
};

/* ---- addresses ---- */

/* RFC 5952 text, as ss and inet_ntop print it; kept here so the pure part
 * needs no socket headers. */
static void format_addr(int family, const uint8_t *a, char *out, size_t size)
{
    unsigned w[8];
    int best = -1, bestlen = 1, i;
    size_t n = 0;

    if (family == PT_DIAG_AF_INET) {
        snprintf(out, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return;
    }
    if (pt__diag_v4mapped(a)) {
        snprintf(out, size, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
        return;
    }
    for (i = 0; i < 8; i++)
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    for (i = 0; i < 8;) {
        int j = i;

        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    out[0] = '\0';
    for (i = 0; i < 8 && n < size; i++) {
        if (i == best) {
            n += (size_t)snprintf(out + n, size - n, "::");
            i += bestlen - 1;
            continue;
        }
        n += (size_t)snprintf(out + n, size - n, "%s%x",
                              (i == 0 || i == best + bestlen) ? "" : ":", w[i]);
    }
}

/* ---- the report ---- */

/* What the OS calls the pool of client ports. */
static const char *range_word(const pt_diag_t *d)
{
    return d->cfg.os == PT_OS_WINDOWS ? "TCP dynamic port range" : "ephemeral range";
}

static double round2(double x)
{
    return (double)(long long)(x * 100.0 + (x < 0 ? -0.5 : 0.5)) / 100.0;
}

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? round2(100.0 * (double)part / (double)whole) : 0.0;
}

static int cmp_dest(const void *pa, const void *pb)
{
    const pt__dest_t *a = *(const pt__dest_t *const *)pa, *b = *(const pt__dest_t *const *)pb;
    int c;

    if (a->held != b->held)
        return a->held < b->held ? 1 : -1;
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    c = memcmp(a->addr, b->addr, 16);
    if (c != 0)
        return c;
    return a->port < b->port ? -1 : a->port > b->port;
}

static void dest_name(const pt__dest_t *e, char *buf, size_t size)
{
    char addr[64];

    format_addr(e->family, e->addr, addr, sizeof(addr));
    if (e->family == PT_DIAG_AF_INET6)
        snprintf(buf, size, "[%s]:%u", addr, e->port);
    else
        snprintf(buf, size, "%s:%u", addr, e->port);
}

/* Adds a new value under key, consuming it; returns -1 when either failed. */
static int put(json_t *obj, const char *key, json_t *v)
{
    return v == NULL ? -1 : json_object_set_new(obj, key, v);
}

static int append(json_t *arr, json_t *v)
{
    return v == NULL ? -1 : json_array_append_new(arr, v);
}

/* The range's capacity is the report's own `capacity` object, not repeated
 * per destination; a destination adds what it holds and its observed rate. */
static json_t *dest_json(const pt_diag_t *d, const pt__dest_t *e)
{
    char addr[64];

    format_addr(e->family, e->addr, addr, sizeof(addr));
    return json_pack("{s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:f, s:f}",
                     "address", addr,
                     "port", (int)e->port,
                     "family", e->family == PT_DIAG_AF_INET ? "ipv4" : "ipv6",
                     "ports_held", (json_int_t)e->held,
                     "established", (json_int_t)e->established,
                     "time_wait", (json_int_t)e->time_wait,
                     "other", (json_int_t)(e->held - e->established - e->time_wait),
                     "pct", pct(e->held, d->capacity.usable_ports),
                     "observed_closes_per_second",
                     round2((double)e->time_wait / d->cfg.time_wait_secs));
}

static int add_warning(json_t *warnings, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int add_warning(json_t *warnings, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return append(warnings, json_string(buf));
}

static int report_states(const pt_diag_t *d, json_t *root)
{
    json_t *states = json_object();

    if (put(root, "states", states) != 0)
        return -1;
    for (unsigned i = 1; i < PT_TCP__COUNT; i++)
        if (put(states, state_names[i], json_integer((json_int_t)d->states[i])) != 0)
            return -1;
    if (d->states[0] && put(states, "UNKNOWN", json_integer((json_int_t)d->states[0])) != 0)
        return -1;
    return 0;
}

static int report_time_wait(const pt_diag_t *d, json_t *root, json_t *warnings)
{
    uint64_t tw = d->states[PT_TCP_TIME_WAIT];
    long long max = d->cfg.max_tw_buckets;
    json_t *o = json_object();

    if (put(root, "time_wait", o) != 0 ||
        put(o, "total", json_integer((json_int_t)tw)) != 0)
        return -1;
    if (max < 0)
        return put(o, "max_tw_buckets", json_null());
    if (put(o, "max_tw_buckets", json_integer(max)) != 0 ||
        put(o, "headroom", json_integer(max - (long long)tw)) != 0 ||
        put(o, "used_pct", json_real(pct(tw, (uint64_t)max))) != 0)
        return -1;
    if (max == 0)
        return add_warning(warnings,
                           "tcp_max_tw_buckets is 0: the kernel destroys TIME_WAIT "
                           "sockets at once, so late segments of old connections can "
                           "corrupt new ones.");
    if (100.0 * (double)tw / (double)max >= d->cfg.threshold_pct)
        return add_warning(warnings,
                           "%llu TIME_WAIT sockets are %.2f %% of tcp_max_tw_buckets "
                           "%lld (threshold %g %%); past it the kernel drops TIME_WAIT "
                           "state early.",
                           (unsigned long long)tw, pct(tw, (uint64_t)max), max,
                           d->cfg.threshold_pct);
    return 0;
}

/* port_range: the sysctls as read; capacity: the core's model of them, the
 * object `porttune get` and the module print. */
static int report_range(const pt_diag_t *d, json_t *root, json_t *warnings)
{
    char *reserved = pt__value_strdup(&d->cfg.reserved, true);
    json_t *o;

    if (reserved == NULL)
        return -1;
    o = json_pack("{s:i, s:i, s:s}",
                  "start", (int)d->cfg.range_lo, "end", (int)d->cfg.range_hi,
                  "reserved_ports", reserved);
    free(reserved);
    if (put(root, "port_range", o) != 0 ||
        put(root, "capacity", pt_capacity_json(&d->capacity)) != 0)
        return -1;
    if (d->capacity.usable_ports == 0)
        return add_warning(warnings,
                           "Every port of the %s %u-%u is reserved: "
                           "outgoing connections without an explicit bind fail.",
                           range_word(d), d->cfg.range_lo, d->cfg.range_hi);
    return 0;
}

static int report_destinations(const pt_diag_t *d, json_t *root, json_t *warnings)
{
    const pt__dest_t **all = NULL;
    json_t *o = json_object(), *top = json_array();
    uint64_t held = 0;
    size_t k = 0;
    int rc = -1;

    if (put(root, "destinations", o) != 0 ||
        put(o, "total", json_integer((json_int_t)d->n)) != 0 ||
        put(o, "sockets_untracked", json_integer((json_int_t)d->dropped)) != 0 ||
        put(o, "sockets_outside_range", json_integer((json_int_t)d->outside_pool)) != 0) {
        json_decref(top);
        return -1;
    }
    if (put(o, "top", top) != 0)
        return -1;
    if (d->n > 0) {
        all = malloc(d->n * sizeof(const pt__dest_t *));
        if (all == NULL)
            return -1;
    }
    /* k < d->n: never more slots than were counted, whatever the table says. */
    for (size_t i = 0; i < d->cap && k < d->n; i++)
        if (d->tab[i].family != 0)
            all[k++] = &d->tab[i];
    if (k > 1)
        qsort(all, k, sizeof(const pt__dest_t *), cmp_dest);
    /* The sum over every tracked destination, so a consumer of top alone
     * (the metrics' `other` series) knows what the rest hold. */
    for (size_t i = 0; i < k; i++)
        held += all[i]->held;
    if (put(o, "ports_held", json_integer((json_int_t)held)) != 0)
        goto out;
    for (size_t i = 0; i < k && i < d->cfg.top_n; i++)
        if (append(top, dest_json(d, all[i])) != 0)
            goto out;
    for (size_t i = 0; i < k; i++) {
        char name[80];
        unsigned long usable = d->capacity.usable_ports;
        double p = pct(all[i]->held, usable);

        if (usable == 0 || 100.0 * all[i]->held / (double)usable < d->cfg.threshold_pct)
            break;
        dest_name(all[i], name, sizeof(name));
        if (add_warning(warnings,
                        "Destination %s holds %u of %lu usable local ports (%.2f %%, "
                        "threshold %g %%): new connections to it start failing with "
                        "'Address already in use' when none is left; widen port_range, "
                        "%s or spread over more destination addresses.",
                        name, all[i]->held, usable, p, d->cfg.threshold_pct,
                        d->cfg.os == PT_OS_WINDOWS ? "lower time_wait_delay"
                                                   : "enable tw_reuse") != 0)
            goto out;
    }
    if (d->dropped > 0 &&
        add_warning(warnings,
                    "%llu sockets went to destinations beyond the %llu tracked; "
                    "they are counted by state but not per destination.",
                    (unsigned long long)d->dropped, (unsigned long long)d->cfg.max_destinations) != 0)
        goto out;
    rc = 0;
out:
    free(all);
    return rc;
}

static int report_listeners(const pt_diag_t *d, json_t *root, json_t *warnings)
{
    pt_portset_t exposed, advice;
    json_t *o = json_object(), *ports = json_array();
    char *exposed_s = NULL, *advice_s = NULL;
    int rc = -1;

    if (put(root, "listeners", o) != 0 ||
        put(o, "total", json_integer((json_int_t)d->listeners)) != 0) {
        json_decref(ports);
        return -1;
    }
    if (put(o, "in_ephemeral_range", ports) != 0)
        return -1;
    for (size_t i = 0; i < 65536 / 64; i++) {
        exposed.bits[i] = d->exposed[0].bits[i] | d->exposed[1].bits[i];
        advice.bits[i] = exposed.bits[i] | d->reserved.bits[i];
    }
    for (unsigned p = d->cfg.range_lo; p <= d->cfg.range_hi; p++) {
        json_t *entry, *fam;

        if (!pt_portset_has(&exposed, p))
            continue;
        entry = json_pack("{s:i}", "port", (int)p);
        fam = json_array();
        if (append(ports, entry) != 0) {
            json_decref(fam);
            return -1;
        }
        if (put(entry, "families", fam) != 0)
            return -1;
        if ((pt_portset_has(&d->exposed[0], p) && append(fam, json_string("ipv4")) != 0) ||
            (pt_portset_has(&d->exposed[1], p) && append(fam, json_string("ipv6")) != 0))
            return -1;
    }
    exposed_s = pt_portset_format(&exposed);
    advice_s = pt_portset_format(&advice);
    if (exposed_s == NULL || advice_s == NULL)
        goto out;
    if (put(o, "unprotected_ports", json_string(exposed_s)) != 0)
        goto out;
    if (exposed_s[0] == '\0') {
        rc = put(o, "reserved_ports_advice", json_null());
        goto out;
    }
    if (put(o, "reserved_ports_advice", json_string(advice_s)) != 0 ||
        add_warning(warnings,
                    "Listening ports %s lie inside the %s %u-%u and are "
                    "not reserved: an outgoing connection can take such a port while "
                    "its service is down, and the service then fails to start with "
                    "'Address already in use'. Set reserved_ports to %s.%s",
                    exposed_s, range_word(d), d->cfg.range_lo, d->cfg.range_hi, advice_s,
                    d->cfg.os == PT_OS_WINDOWS ?
                    " porttune adds them as excluded port ranges; Windows refuses to "
                    "exclude a port while it is in use, so apply it while the service "
                    "is stopped." : "") != 0)
        goto out;
    rc = 0;
out:
    free(exposed_s);
    free(advice_s);
    return rc;
}

json_t *pt_diag_report(const pt_diag_t *d, pt_error_t *err)
{
    json_t *root = json_object(), *warnings = json_array();

    if (root == NULL || warnings == NULL)
        goto nomem;
    if (put(root, "sockets", json_integer((json_int_t)d->total)) != 0 ||
        put(root, "threshold_pct", json_real(d->cfg.threshold_pct)) != 0 ||
        report_states(d, root) != 0 ||
        report_time_wait(d, root, warnings) != 0 ||
        report_range(d, root, warnings) != 0 ||
        report_destinations(d, root, warnings) != 0 ||
        report_listeners(d, root, warnings) != 0)
        goto nomem;
    if (json_object_set(root, "warnings", warnings) != 0)
        goto nomem;
    json_decref(warnings);
    return root;
nomem:
    json_decref(root);
    json_decref(warnings);
    pt_error_set(err, PT_ENOMEM, ENOMEM, "diagnosis",
                 "Out of memory building the diagnosis report.");
    return NULL;
}
