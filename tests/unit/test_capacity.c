/* SPDX-License-Identifier: MIT */
/* Unit tests of the one capacity model (core/capacity.c) behind every output's `capacity`. */
#include "helpers.h"
#include "core/capacity.h"

static pt_capacity_t cap_of(uint32_t lo, uint32_t hi, const char *reserved, unsigned tw)
{
    pt_capacity_t c;
    pt_value_t r;

    if (reserved == NULL) {
        pt_capacity_compute(lo, hi, NULL, tw, &c);
        return c;
    }
    r = pt_test_value(PT_K_RESERVED_PORTS, reserved);
    pt_capacity_compute(lo, hi, &r, tw, &c);
    pt_value_free(&r);
    return c;
}

/* The object as the module prints it (JSON_REAL_PRECISION(10), compact). */
static char *dump(const pt_capacity_t *c)
{
    json_t *j = pt_capacity_json(c);
    char *s;

    assert_non_null(j);
    s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(j);
    assert_non_null(s);
    return s;
}

static void capacity_counts_only_reserved_ports_inside_the_range(void **state)
{
    /* 8080 and 41012-41020 lie outside 40000-41011: 1 + 10 + 1 inside. */
    pt_capacity_t c = cap_of(40000, 41011, "8080,40001,40500-40509,41011-41020", 60);
    char *s = dump(&c);

    (void)state;
    assert_int_equal(c.range_size, 1012);
    assert_int_equal(c.reserved_in_range, 12);
    assert_int_equal(c.usable_ports, 1000);
    assert_int_equal(c.time_wait_seconds, 60);
    /* 1000 / 60 = 16.666...: rounded down to hundredths, not to 16.67 nor 16.6. */
    assert_int_equal(c.rate_hundredths, 1666);
    assert_string_equal(s, "{\"port_range\":\"40000-41011\",\"range_size\":1012,"
                           "\"reserved_in_range\":12,\"usable_ports\":1000,"
                           "\"time_wait_seconds\":60,\"max_new_connections_per_second\":16.66}");
    free(s);
}

/* Field by field: the struct has padding, which memcmp would read. */
static void assert_capacity_equal(const pt_capacity_t *a, const pt_capacity_t *b)
{
    assert_int_equal(a->range_lo, b->range_lo);
    assert_int_equal(a->range_hi, b->range_hi);
    assert_int_equal(a->range_size, b->range_size);
    assert_int_equal(a->reserved_in_range, b->reserved_in_range);
    assert_int_equal(a->usable_ports, b->usable_ports);
    assert_int_equal(a->time_wait_seconds, b->time_wait_seconds);
    assert_int_equal(a->rate_hundredths, b->rate_hundredths);
}

static void capacity_reserved_outside_the_range_changes_nothing(void **state)
{
    pt_capacity_t c = cap_of(32768, 60999, "22,80,443,61000-65535", 60);
    pt_capacity_t none = cap_of(32768, 60999, NULL, 60);
    pt_capacity_t empty = cap_of(32768, 60999, "", 60);

    (void)state;
    assert_int_equal(c.reserved_in_range, 0);
    assert_int_equal(c.usable_ports, 28232);
    assert_int_equal(c.rate_hundredths, 47053);           /* 470.533... */
    assert_capacity_equal(&c, &none);
    assert_capacity_equal(&c, &empty);
}

static void capacity_reserved_covering_the_whole_range_leaves_nothing(void **state)
{
    pt_capacity_t exact = cap_of(1024, 65535, "1024-65535", 60);
    pt_capacity_t wider = cap_of(40000, 40999, "1-65535", 120);
    char *s = dump(&wider);

    (void)state;
    assert_int_equal(exact.range_size, 64512);
    assert_int_equal(exact.reserved_in_range, 64512);
    assert_int_equal(exact.usable_ports, 0);
    assert_int_equal(exact.rate_hundredths, 0);
    assert_int_equal(wider.reserved_in_range, 1000);
    assert_int_equal(wider.usable_ports, 0);
    assert_non_null(strstr(s, "\"usable_ports\":0,"));
    assert_non_null(strstr(s, "\"max_new_connections_per_second\":0.0}"));
    free(s);
}

static void capacity_zero_time_wait_has_no_rate(void **state)
{
    pt_capacity_t c = cap_of(32768, 60999, "40000", 0);
    char *s = dump(&c);

    (void)state;
    assert_int_equal(c.usable_ports, 28231);
    assert_int_equal(c.time_wait_seconds, 0);
    assert_int_equal(c.rate_hundredths, -1);
    assert_non_null(strstr(s, "\"time_wait_seconds\":0,\"max_new_connections_per_second\":null}"));
    free(s);
}

static void capacity_rounds_down_to_hundredths(void **state)
{
    static const struct {
        uint32_t lo, hi;
        unsigned tw;
        long long want;
        const char *text;
    } cases[] = {
        { 40000, 40998, 60, 1665, "16.65" },         /* 999 / 60 = 16.65 exactly */
        { 40000, 40988, 60, 1648, "16.48" },         /* 989 / 60 = 16.4833 */
        { 40000, 40000, 120, 0, "0.0" },             /* 1 / 120 = 0.0083 */
        { 1, 65535, 1, 6553500, "65535.0" },         /* the largest: no overflow */
        { 49152, 65535, 240, 6826, "68.26" },        /* Windows XP's default TIME_WAIT */
        { 1024, 65535, 30, 215040, "2150.4" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pt_capacity_t c = cap_of(cases[i].lo, cases[i].hi, NULL, cases[i].tw);
        json_t *j = pt_capacity_json(&c);
        char *s = json_dumps(json_object_get(j, "max_new_connections_per_second"),
                             JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));

        assert_int_equal(c.rate_hundredths, cases[i].want);
        assert_string_equal(s, cases[i].text);
        free(s);
        json_decref(j);
    }
}

static void capacity_reversed_range_is_empty(void **state)
{
    pt_capacity_t c = cap_of(5000, 4000, "4500", 60);

    (void)state;
    assert_int_equal(c.range_size, 0);
    assert_int_equal(c.reserved_in_range, 0);
    assert_int_equal(c.usable_ports, 0);
}

static void capacity_time_wait_per_os(void **state)
{
    pt_keystate_t ks;

    (void)state;
    memset(&ks, 0, sizeof(ks));
    assert_int_equal(pt_capacity_time_wait(PT_OS_LINUX, NULL), 60);
    assert_int_equal(pt_capacity_time_wait(PT_OS_WINDOWS, NULL), 120);
    assert_int_equal(pt_capacity_time_wait(PT_OS_WINDOWS, &ks), 120);   /* not read */
    ks.live = pt_test_value(PT_K_TIME_WAIT_DELAY, "30");
    ks.live_set = true;
    assert_int_equal(pt_capacity_time_wait(PT_OS_WINDOWS, &ks), 30);
    /* Linux: TIME_WAIT is fixed, whatever a Windows-only key says. */
    assert_int_equal(pt_capacity_time_wait(PT_OS_LINUX, &ks), 60);
    pt_value_free(&ks.live);
}

static void capacity_json_is_null_without_a_range(void **state)
{
    pt_value_t range = pt_test_value(PT_K_PORT_RANGE, "32768 60999");
    pt_value_t fin = pt_test_value(PT_K_FIN_TIMEOUT, "60");
    json_t *j;

    (void)state;
    j = pt_capacity_value_json(NULL, NULL, 60);
    assert_true(json_is_null(j));
    json_decref(j);
    j = pt_capacity_json(NULL);
    assert_true(json_is_null(j));
    json_decref(j);
    j = pt_capacity_value_json(&fin, NULL, 60);
    assert_true(json_is_null(j));
    json_decref(j);
    j = pt_capacity_value_json(&range, NULL, 60);
    assert_int_equal(json_integer_value(json_object_get(j, "usable_ports")), 28232);
    assert_string_equal(json_string_value(json_object_get(j, "port_range")), "32768-60999");
    assert_int_equal(json_object_size(j), 6);
    json_decref(j);
    pt_value_free(&range);
    pt_value_free(&fin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capacity_counts_only_reserved_ports_inside_the_range),
        cmocka_unit_test(capacity_reserved_outside_the_range_changes_nothing),
        cmocka_unit_test(capacity_reserved_covering_the_whole_range_leaves_nothing),
        cmocka_unit_test(capacity_zero_time_wait_has_no_rate),
        cmocka_unit_test(capacity_rounds_down_to_hundredths),
        cmocka_unit_test(capacity_reversed_range_is_empty),
        cmocka_unit_test(capacity_time_wait_per_os),
        cmocka_unit_test(capacity_json_is_null_without_a_range),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
