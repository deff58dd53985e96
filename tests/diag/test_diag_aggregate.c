/* SPDX-License-Identifier: MIT */
/* Unit tests of the pure diagnosis: port bitmaps, aggregation and the report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag/diag.h"
#include "core/core.h"

static pt_diag_sock_t v4(uint8_t state, const char *laddr, unsigned lport,
                         const char *raddr, unsigned rport)
{
    pt_diag_sock_t s;
    unsigned a, b, c, d;

    memset(&s, 0, sizeof(s));
    s.family = PT_DIAG_AF_INET;
    s.state = state;
    s.lport = (uint16_t)lport;
    s.rport = (uint16_t)rport;
    assert_int_equal(sscanf(laddr, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    s.laddr[0] = (uint8_t)a; s.laddr[1] = (uint8_t)b; s.laddr[2] = (uint8_t)c; s.laddr[3] = (uint8_t)d;
    assert_int_equal(sscanf(raddr, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    s.raddr[0] = (uint8_t)a; s.raddr[1] = (uint8_t)b; s.raddr[2] = (uint8_t)c; s.raddr[3] = (uint8_t)d;
    return s;
}

/* IPv6 peer given as 8 words. */
static pt_diag_sock_t v6(uint8_t state, unsigned lport, const unsigned w[8], unsigned rport)
{
    pt_diag_sock_t s;

    memset(&s, 0, sizeof(s));
    s.family = PT_DIAG_AF_INET6;
    s.state = state;
    s.lport = (uint16_t)lport;
    s.rport = (uint16_t)rport;
    s.laddr[15] = 1;
    for (int i = 0; i < 8; i++) {
        s.raddr[2 * i] = (uint8_t)(w[i] >> 8);
        s.raddr[2 * i + 1] = (uint8_t)w[i];
    }
    return s;
}

static void add_n(pt_diag_t *d, pt_diag_sock_t s, unsigned n, unsigned first_lport)
{
    for (unsigned i = 0; i < n; i++) {
        s.lport = (uint16_t)(first_lport + i);
        assert_int_equal(pt_diag_add(d, &s), 0);
    }
}

static json_int_t geti(json_t *root, const char *path)
{
    char buf[256], *save = NULL, *tok;
    json_t *v = root;

    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(v))
            v = json_array_get(v, (size_t)atoi(tok));
        else
            v = json_object_get(v, tok);
        if (v == NULL)
            fail_msg("no %s in report (at %s)", path, tok);
    }
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", path);
    return json_integer_value(v);
}

static const char *gets_(json_t *root, const char *path)
{
    json_t *v = json_object_get(root, path);
    return json_string_value(v);
}

static pt_diag_t *new_diag(unsigned lo, unsigned hi, const char *reserved)
{
    pt_diag_config_t cfg;
    pt_error_t err;
    pt_diag_t *d;

    memset(&err, 0, sizeof(err));
    pt_diag_config_init(&cfg);
    cfg.range_lo = lo;
    cfg.range_hi = hi;
    assert_int_equal(pt_value_parse_sysctl(PT_K_RESERVED_PORTS, reserved, &cfg.reserved,
                                           "reserved", &err), 0);
    cfg.max_tw_buckets = 1000;
    d = pt_diag_new(&cfg, &err);
    /* The aggregator keeps a copy of its own. */
    pt_diag_config_free(&cfg);
    assert_non_null(d);
    return d;
}

static bool has_warning(json_t *r, const char *needle)
{
    json_t *w = json_object_get(r, "warnings"), *v;
    size_t i;

    json_array_foreach(w, i, v)
        if (strstr(json_string_value(v), needle) != NULL)
            return true;
    return false;
}

/* ---- port bitmaps ---- */

/* The core parses text into a port set; the bitmap filled from it holds the
 * same ports and is written back in the core's own canonical form. */
static void portset_round_trips_core_sets(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        { "9000-9100, 8081,8080\n", "8080-8081,9000-9100" },
        { "1,63-65,127-128,65535", "1,63-65,127-128,65535" },
        { " \n", "" },
    };
    pt_portset_t set;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pt_value_t v;
        pt_error_t err;
        char *s;

        memset(&err, 0, sizeof(err));
        assert_int_equal(pt_value_parse_sysctl(PT_K_RESERVED_PORTS, cases[i].in, &v, "r",
                                               &err), 0);
        pt_portset_from_value(&set, &v);
        s = pt_portset_format(&set);
        assert_string_equal(s, cases[i].out);
        free(s);
        for (unsigned p = 0; p < 65536; p++)
            if (pt_portset_has(&set, p) != (pt_portset_count_in(&v, p, p) == 1))
                fail_msg("%s: port %u differs between the core set and the bitmap",
                         cases[i].in, p);
        pt_value_free(&v);
    }
}

/* The largest set: every other port, 32768 ranges. */
static void portset_formats_like_the_core(void **state)
{
    pt_portset_t set;
    pt_value_t v = { .type = PT_T_PORTSET };
    char *mine, *core;

    (void)state;
    pt_portset_clear(&set);
    for (unsigned p = 1; p < 65536; p += 2) {
        pt_portset_add(&set, p);
        assert_int_equal(pt__portset_add(&v, p, p), 0);
    }
    mine = pt_portset_format(&set);
    core = pt__value_strdup(&v, true);
    assert_non_null(mine);
    assert_non_null(core);
    assert_string_equal(mine, core);
    assert_int_equal(strncmp(mine, "1,3,5,", 6), 0);
    free(mine);
    free(core);
    pt_value_free(&v);
}

/* ---- aggregation ---- */

static void diag_counts_states_and_destinations(void **state)
{
    static const unsigned loop6[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
    pt_diag_t *d = new_diag(40000, 40999, "40001,40500-40509");
    pt_error_t err;
    json_t *r;

    (void)state;
    memset(&err, 0, sizeof(err));
    add_n(d, v4(PT_TCP_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0), 1, 8080);
    add_n(d, v4(PT_TCP_ESTABLISHED, "127.0.0.1", 0, "127.0.0.1", 8080), 50, 40010);
    add_n(d, v4(PT_TCP_TIME_WAIT, "127.0.0.1", 0, "127.0.0.1", 8080), 30, 40100);
    /* The accepted (server) side sits on 8080, outside the pool. */
    add_n(d, v4(PT_TCP_ESTABLISHED, "127.0.0.1", 8080, "127.0.0.1", 40010), 1, 8080);
    add_n(d, v6(PT_TCP_ESTABLISHED, 0, loop6, 8081), 20, 40200);
    add_n(d, v6(PT_TCP_TIME_WAIT, 0, loop6, 8081), 40, 40300);
    add_n(d, v6(PT_TCP_FIN_WAIT2, 0, loop6, 8081), 2, 40400);
    r = pt_diag_report(d, &err);
    assert_non_null(r);
    assert_int_equal(geti(r, "sockets"), 1 + 50 + 30 + 1 + 20 + 40 + 2);
    assert_int_equal(geti(r, "states.ESTABLISHED"), 71);
    assert_int_equal(geti(r, "states.TIME_WAIT"), 70);
    assert_int_equal(geti(r, "states.FIN_WAIT2"), 2);
    assert_int_equal(geti(r, "states.LISTEN"), 1);
    assert_int_equal(geti(r, "time_wait.total"), 70);
    assert_int_equal(geti(r, "time_wait.headroom"), 930);
    assert_int_equal(geti(r, "capacity.range_size"), 1000);
    assert_int_equal(geti(r, "capacity.usable_ports"), 989);
    assert_int_equal(geti(r, "destinations.total"), 2);
    assert_int_equal(geti(r, "destinations.sockets_outside_range"), 1);
    assert_int_equal(geti(r, "destinations.top.0.port"), 8080);
    assert_int_equal(geti(r, "destinations.top.0.ports_held"), 80);
    assert_int_equal(geti(r, "destinations.top.0.established"), 50);
    assert_int_equal(geti(r, "destinations.top.0.time_wait"), 30);
    assert_int_equal(geti(r, "destinations.top.1.ports_held"), 62);
    assert_int_equal(geti(r, "destinations.top.1.other"), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json_object_get(r, "destinations"),
                                                           "top"), 1), "address")), "::1");
    assert_false(has_warning(r, "Destination"));
    json_decref(r);
    pt_diag_free(d);
}

static void diag_warns_at_threshold(void **state)
{
    pt_diag_config_t cfg;
    pt_error_t err;
    pt_diag_t *d;
    json_t *r, *top;

    (void)state;
    memset(&err, 0, sizeof(err));
    pt_diag_config_init(&cfg);
    cfg.range_lo = 50000;
    cfg.range_hi = 50099;
    cfg.threshold_pct = 50;
    d = pt_diag_new(&cfg, &err);
    assert_non_null(d);
    add_n(d, v4(PT_TCP_TIME_WAIT, "10.0.0.1", 0, "10.0.0.9", 443), 50, 50000);
    add_n(d, v4(PT_TCP_TIME_WAIT, "10.0.0.1", 0, "10.0.0.9", 80), 49, 50000);
    r = pt_diag_report(d, &err);
    assert_non_null(r);
    top = json_object_get(json_object_get(r, "destinations"), "top");
    assert_true(json_real_value(json_object_get(json_array_get(top, 0), "pct")) == 50.0);
    assert_true(json_real_value(json_object_get(json_array_get(top, 1), "pct")) == 49.0);
    assert_true(has_warning(r, "Destination 10.0.0.9:443 holds 50 of 100 usable"));
    assert_false(has_warning(r, "10.0.0.9:80 "));
    /* 100 usable ports / 60 s: the core's model, rounded down (not 1.67). */
    assert_true(json_real_value(json_object_get(json_object_get(r, "capacity"),
                                                "max_new_connections_per_second")) == 1.66);
    assert_true(json_real_value(json_object_get(json_array_get(top, 0),
                                                "observed_closes_per_second")) == 0.83);
    assert_null(json_object_get(json_array_get(top, 0), "usable"));
    json_decref(r);
    pt_diag_free(d);
}

static void diag_top_n_sorted_by_pressure(void **state)
{
    pt_diag_config_t cfg;
    pt_error_t err;
    pt_diag_t *d;
    json_t *r, *top;

    (void)state;
    memset(&err, 0, sizeof(err));
    pt_diag_config_init(&cfg);
    cfg.top_n = 3;
    d = pt_diag_new(&cfg, &err);
    assert_non_null(d);
    for (unsigned i = 1; i <= 20; i++) {
        char addr[32];

        snprintf(addr, sizeof(addr), "192.0.2.%u", i);
        add_n(d, v4(PT_TCP_ESTABLISHED, "10.0.0.1", 0, addr, 80), (i * 7) % 20 + 1, 40000);
    }
    r = pt_diag_report(d, &err);
    top = json_object_get(json_object_get(r, "destinations"), "top");
    assert_int_equal(json_array_size(top), 3);
    assert_int_equal(geti(r, "destinations.top.0.ports_held"), 20);
    assert_int_equal(geti(r, "destinations.top.1.ports_held"), 19);
    assert_int_equal(geti(r, "destinations.top.2.ports_held"), 18);
    assert_int_equal(geti(r, "destinations.total"), 20);
    json_decref(r);
    pt_diag_free(d);
}

static void diag_merges_v4mapped_peers(void **state)
{
    static const unsigned mapped[8] = { 0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001 };
    pt_diag_t *d = new_diag(32768, 60999, "");
    pt_error_t err;
    json_t *r;

    (void)state;
    memset(&err, 0, sizeof(err));
    add_n(d, v4(PT_TCP_ESTABLISHED, "127.0.0.1", 0, "127.0.0.1", 8080), 3, 40000);
    add_n(d, v6(PT_TCP_TIME_WAIT, 0, mapped, 8080), 4, 41000);
    r = pt_diag_report(d, &err);
    assert_int_equal(geti(r, "destinations.total"), 1);
    assert_int_equal(geti(r, "destinations.top.0.ports_held"), 7);
    json_decref(r);
    pt_diag_free(d);
}

static void diag_formats_ipv6_like_inet_ntop(void **state)
{
    static const struct { unsigned w[8]; const char *text; } cases[] = {
        { { 0x2001, 0xdb8, 0, 0, 1, 0, 0, 1 }, "2001:db8::1:0:0:1" },
        { { 0x2001, 0xdb8, 0, 1, 1, 1, 1, 1 }, "2001:db8:0:1:1:1:1:1" },
        { { 0, 0, 0, 0, 0, 0, 0, 0 }, "::" },
        { { 0xfe80, 0, 0, 0, 0, 0, 0, 0 }, "fe80::" },
        { { 0x2001, 0xdb8, 0, 0, 1, 0, 0, 0 }, "2001:db8:0:0:1::" },
        { { 0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201 }, "192.0.2.1" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pt_diag_t *d = new_diag(32768, 60999, "");
        pt_error_t err;
        json_t *r, *e;

        memset(&err, 0, sizeof(err));
        add_n(d, v6(PT_TCP_ESTABLISHED, 0, cases[i].w, 443), 1, 40000);
        r = pt_diag_report(d, &err);
        e = json_array_get(json_object_get(json_object_get(r, "destinations"), "top"), 0);
        assert_string_equal(json_string_value(json_object_get(e, "address")), cases[i].text);
        json_decref(r);
        pt_diag_free(d);
    }
}

static void diag_advises_reserved_ports_for_listeners(void **state)
{
    static const unsigned any6[8] = { 0 };
    pt_diag_t *d = new_diag(40000, 40999, "40001,40500-40509");
    pt_diag_sock_t s6 = v6(PT_TCP_LISTEN, 40002, any6, 0);
    pt_error_t err;
    json_t *r, *l, *p;

    (void)state;
    memset(&err, 0, sizeof(err));
    add_n(d, v4(PT_TCP_LISTEN, "0.0.0.0", 40000, "0.0.0.0", 0), 1, 40000);
    add_n(d, v4(PT_TCP_LISTEN, "127.0.0.1", 40001, "0.0.0.0", 0), 1, 40001);
    add_n(d, v4(PT_TCP_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0), 1, 8080);
    assert_int_equal(pt_diag_add(d, &s6), 0);
    s6.lport = 40000;
    assert_int_equal(pt_diag_add(d, &s6), 0);
    r = pt_diag_report(d, &err);
    l = json_object_get(r, "listeners");
    assert_int_equal(geti(r, "listeners.total"), 5);
    assert_string_equal(gets_(l, "unprotected_ports"), "40000,40002");
    assert_string_equal(gets_(l, "reserved_ports_advice"), "40000-40002,40500-40509");
    p = json_object_get(l, "in_ephemeral_range");
    assert_int_equal(json_array_size(p), 2);
    assert_int_equal(geti(r, "listeners.in_ephemeral_range.0.port"), 40000);
    assert_int_equal(json_array_size(json_object_get(json_array_get(p, 0), "families")), 2);
    assert_true(has_warning(r, "Set reserved_ports to 40000-40002,40500-40509."));
    json_decref(r);
    pt_diag_free(d);
}

static void diag_no_listener_advice_when_protected(void **state)
{
    pt_diag_t *d = new_diag(40000, 40999, "40000");
    pt_error_t err;
    json_t *r, *l;

    (void)state;
    memset(&err, 0, sizeof(err));
    add_n(d, v4(PT_TCP_LISTEN, "0.0.0.0", 40000, "0.0.0.0", 0), 1, 40000);
    r = pt_diag_report(d, &err);
    l = json_object_get(r, "listeners");
    assert_string_equal(gets_(l, "unprotected_ports"), "");
    assert_true(json_is_null(json_object_get(l, "reserved_ports_advice")));
    assert_int_equal(json_array_size(json_object_get(r, "warnings")), 0);
    json_decref(r);
    pt_diag_free(d);
}

static void diag_time_wait_headroom_warnings(void **state)
{
    pt_diag_config_t cfg;
    pt_error_t err;
    pt_diag_t *d;
    json_t *r;

    (void)state;
    memset(&err, 0, sizeof(err));
    pt_diag_config_init(&cfg);
    cfg.max_tw_buckets = 100;
    d = pt_diag_new(&cfg, &err);
    add_n(d, v4(PT_TCP_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80), 90, 40000);
    r = pt_diag_report(d, &err);
    assert_int_equal(geti(r, "time_wait.headroom"), 10);
    assert_true(has_warning(r, "90 TIME_WAIT sockets are 90.00 % of tcp_max_tw_buckets 100"));
    json_decref(r);
    pt_diag_free(d);

    cfg.max_tw_buckets = 0;
    d = pt_diag_new(&cfg, &err);
    r = pt_diag_report(d, &err);
    assert_true(has_warning(r, "tcp_max_tw_buckets is 0"));
    json_decref(r);
    pt_diag_free(d);

    cfg.max_tw_buckets = -1;
    d = pt_diag_new(&cfg, &err);
    r = pt_diag_report(d, &err);
    assert_true(json_is_null(json_object_get(json_object_get(r, "time_wait"), "max_tw_buckets")));
    json_decref(r);
    pt_diag_free(d);
}

static void diag_bounds_destinations(void **state)
{
    pt_diag_config_t cfg;
    pt_error_t err;
    pt_diag_t *d;
    json_t *r;

    (void)state;
    memset(&err, 0, sizeof(err));
    pt_diag_config_init(&cfg);
    cfg.max_destinations = 100;
    d = pt_diag_new(&cfg, &err);
    for (unsigned i = 0; i < 1000; i++) {
        pt_diag_sock_t s = v4(PT_TCP_ESTABLISHED, "10.0.0.1", 40000, "10.0.0.0", 443);

        s.raddr[2] = (uint8_t)(i >> 8);
        s.raddr[3] = (uint8_t)i;
        assert_int_equal(pt_diag_add(d, &s), 0);
        assert_int_equal(pt_diag_add(d, &s), 0);
    }
    r = pt_diag_report(d, &err);
    assert_int_equal(geti(r, "destinations.total"), 100);
    assert_int_equal(geti(r, "destinations.sockets_untracked"), 1800);
    assert_int_equal(geti(r, "states.ESTABLISHED"), 2000);
    assert_int_equal(geti(r, "destinations.top.0.ports_held"), 2);
    assert_true(has_warning(r, "1800 sockets went to destinations beyond the 100 tracked"));
    json_decref(r);
    pt_diag_free(d);
}

static void diag_many_sockets_few_destinations(void **state)
{
    pt_diag_t *d = new_diag(1024, 65535, "");
    pt_error_t err;
    json_t *r;

    (void)state;
    memset(&err, 0, sizeof(err));
    for (unsigned i = 0; i < 300000; i++) {
        pt_diag_sock_t s = v4(PT_TCP_TIME_WAIT, "127.0.0.1", 0, "127.0.0.1", 8080);

        s.raddr[3] = (uint8_t)(1 + i % 5);
        s.lport = (uint16_t)(1024 + i % 60000);
        assert_int_equal(pt_diag_add(d, &s), 0);
    }
    r = pt_diag_report(d, &err);
    assert_int_equal(geti(r, "destinations.total"), 5);
    assert_int_equal(geti(r, "destinations.top.0.ports_held"), 60000);
    assert_int_equal(geti(r, "time_wait.total"), 300000);
    json_decref(r);
    pt_diag_free(d);
}

static void diag_rejects_bad_config(void **state)
{
    pt_diag_config_t cfg;
    pt_error_t err;

    (void)state;
    pt_diag_config_init(&cfg);
    cfg.range_lo = 60999;
    cfg.range_hi = 32768;
    memset(&err, 0, sizeof(err));
    assert_null(pt_diag_new(&cfg, &err));
    assert_int_equal(err.code, PT_EINVAL);
    assert_string_equal(err.object, "port_range");
    assert_non_null(strstr(err.msg, "60999-32768"));

    pt_diag_config_init(&cfg);
    cfg.threshold_pct = 0;
    memset(&err, 0, sizeof(err));
    assert_null(pt_diag_new(&cfg, &err));
    assert_int_equal(err.code, PT_EINVAL);
    assert_string_equal(err.object, "threshold");

    cfg.threshold_pct = 100.5;
    memset(&err, 0, sizeof(err));
    assert_null(pt_diag_new(&cfg, &err));
    assert_string_equal(err.object, "threshold");

    pt_diag_config_init(&cfg);
    cfg.reserved.type = PT_T_INT;
    memset(&err, 0, sizeof(err));
    assert_null(pt_diag_new(&cfg, &err));
    assert_int_equal(err.code, PT_EINVAL);
    assert_string_equal(err.object, "reserved_ports");
}

static void diag_counts_unknown_states(void **state)
{
    pt_diag_t *d = new_diag(32768, 60999, "");
    pt_diag_sock_t s = v4(99, "10.0.0.1", 40000, "10.0.0.2", 80);
    pt_error_t err;
    json_t *r;

    (void)state;
    memset(&err, 0, sizeof(err));
    assert_int_equal(pt_diag_add(d, &s), 0);
    r = pt_diag_report(d, &err);
    assert_int_equal(geti(r, "states.UNKNOWN"), 1);
    assert_int_equal(geti(r, "destinations.total"), 0);
    json_decref(r);
    pt_diag_free(d);
}

/* ---- allocation failure in the report ---- */

static int alloc_countdown = -1;

static void *failing_malloc(size_t size)
{
    if (alloc_countdown == 0)
        return NULL;
    if (alloc_countdown > 0)
        alloc_countdown--;
    return malloc(size);
}

static void diag_report_survives_every_allocation_failure(void **state)
{
    static const unsigned any6[8] = { 0 };
    pt_diag_t *d = new_diag(40000, 40999, "40001");
    pt_diag_sock_t l6 = v6(PT_TCP_LISTEN, 40002, any6, 0);
    int n, failures = 0;

    (void)state;
    add_n(d, v4(PT_TCP_TIME_WAIT, "127.0.0.1", 0, "127.0.0.1", 8080), 990, 40002);
    add_n(d, v4(PT_TCP_LISTEN, "0.0.0.0", 40000, "0.0.0.0", 0), 1, 40000);
    assert_int_equal(pt_diag_add(d, &l6), 0);
    json_set_alloc_funcs(failing_malloc, free);
    for (n = 0; n < 10000; n++) {
        pt_error_t err;
        json_t *r;

        memset(&err, 0, sizeof(err));
        alloc_countdown = n;
        r = pt_diag_report(d, &err);
        alloc_countdown = -1;
        if (r != NULL) {
            json_decref(r);
            break;
        }
        failures++;
        assert_int_equal(err.code, PT_ENOMEM);
        assert_string_equal(err.object, "diagnosis");
    }
    json_set_alloc_funcs(malloc, free);
    assert_true(failures > 20);
    assert_true(n < 10000);
    pt_diag_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(portset_round_trips_core_sets),
        cmocka_unit_test(portset_formats_like_the_core),
        cmocka_unit_test(diag_counts_states_and_destinations),
        cmocka_unit_test(diag_warns_at_threshold),
        cmocka_unit_test(diag_top_n_sorted_by_pressure),
        cmocka_unit_test(diag_merges_v4mapped_peers),
        cmocka_unit_test(diag_formats_ipv6_like_inet_ntop),
        cmocka_unit_test(diag_advises_reserved_ports_for_listeners),
        cmocka_unit_test(diag_no_listener_advice_when_protected),
        cmocka_unit_test(diag_time_wait_headroom_warnings),
        cmocka_unit_test(diag_bounds_destinations),
        cmocka_unit_test(diag_many_sockets_few_destinations),
        cmocka_unit_test(diag_rejects_bad_config),
        cmocka_unit_test(diag_counts_unknown_states),
        cmocka_unit_test(diag_report_survives_every_allocation_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
