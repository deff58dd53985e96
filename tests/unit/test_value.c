/* SPDX-License-Identifier: MIT */
/* Unit tests of values in canonical form: ranges, port sets, ints; parse, compare, format. */
#include "helpers.h"
#include "core/core.h"

#define NC "Nothing was changed."

static void value_range_kernel_tab_form_equals_space_form(void **state)
{
    pt_value_t tab = pt_test_value(PT_K_PORT_RANGE, "32768\t60999\n");
    pt_value_t space = pt_test_value(PT_K_PORT_RANGE, "32768 60999");
    pt_value_t spaces = pt_test_value(PT_K_PORT_RANGE, "  32768   60999  ");
    pt_value_t other = pt_test_value(PT_K_PORT_RANGE, "32768 61000");

    (void)state;
    assert_int_equal(tab.type, PT_T_RANGE);
    assert_int_equal(tab.range.lo, 32768);
    assert_int_equal(tab.range.hi, 60999);
    assert_true(pt_value_equal(&tab, &space));
    assert_true(pt_value_equal(&tab, &spaces));
    assert_false(pt_value_equal(&tab, &other));
}

static void value_range_user_forms(void **state)
{
    static const char *const forms[] = { "1024-65535", "1024 - 65535", "1024 65535", "1024\t-\t65535" };
    pt_value_t v;
    pt_error_t e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        pt_error_init(&e);
        if (pt__range_parse(forms[i], true, &v, "port_range", &e) != 0)
            fail_msg("%s: %s", forms[i], e.msg);
        assert_int_equal(v.range.lo, 1024);
        assert_int_equal(v.range.hi, 65535);
    }
}

static void value_range_sysctl_form_refuses_dash(void **state)
{
    pt_value_t v;
    pt_error_t e;
    int rc;

    (void)state;
    /* The kernel refuses "1024-65535" in ip_local_port_range; so do we. */
    pt_error_init(&e);
    rc = pt_value_parse_sysctl(PT_K_PORT_RANGE, "1024-65535", &v, "/etc/sysctl.d/x.conf", &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "/etc/sysctl.d/x.conf",
                         "'1024-65535' is not a port range", NC, NULL);
}

static void value_range_rejects_malformed(void **state)
{
    static const char *const bad[] = {
        "", "1024", "1024 ", "1024 65535 1", "a b", "1024,65535", "-1 5", "1024 0x10",
        "4294967296 1", "1024 65535x",
    };
    pt_value_t v;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pt_error_init(&e);
        rc = pt_value_parse_sysctl(PT_K_PORT_RANGE, bad[i], &v, "obj", &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, "obj", "is not a port range",
                             "such as '1024-65535'", NC, NULL);
    }
}

static void value_portset_canonical_merge_sort(void **state)
{
    pt_value_t v = pt_test_value(PT_K_RESERVED_PORTS, "8081,8080,9000-9100");
    char buf[64];

    (void)state;
    assert_int_equal(v.type, PT_T_PORTSET);
    assert_int_equal(v.nset, 2);
    assert_int_equal(v.set[0].lo, 8080);
    assert_int_equal(v.set[0].hi, 8081);
    assert_int_equal(v.set[1].lo, 9000);
    assert_int_equal(v.set[1].hi, 9100);
    assert_int_equal(pt_value_format_sysctl(&v, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "8080-8081,9000-9100");
    pt_value_free(&v);
}

static void value_portset_merges_overlaps_and_duplicates(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        { "9000-9100,9050-9200,9201", "9000-9201" },
        { "5,5,5", "5" },
        { "10-20,1-30", "1-30" },
        { "3,1,2", "1-3" },
        { "1,3,5", "1,3,5" },
        { "65535,1", "1,65535" },
        { "100-200,201-300,302", "100-300,302" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pt_value_t v = pt_test_value(PT_K_RESERVED_PORTS, cases[i].in);
        assert_string_equal(pt_test_fmt(&v), cases[i].out);
        pt_value_free(&v);
    }
}

static void value_portset_equal_ignores_written_order(void **state)
{
    pt_value_t a = pt_test_value(PT_K_RESERVED_PORTS, "9000-9100,8081,8080");
    pt_value_t b = pt_test_value(PT_K_RESERVED_PORTS, " 8080 , 8081,9000 - 9100\n");
    pt_value_t c = pt_test_value(PT_K_RESERVED_PORTS, "8080,9000-9100");

    (void)state;
    assert_true(pt_value_equal(&a, &b));
    assert_false(pt_value_equal(&a, &c));
    pt_value_free(&a);
    pt_value_free(&b);
    pt_value_free(&c);
}

static void value_portset_empty_forms(void **state)
{
    pt_value_t a = pt_test_value(PT_K_RESERVED_PORTS, "");
    pt_value_t b = pt_test_value(PT_K_RESERVED_PORTS, "\n");
    pt_value_t c = pt_test_value(PT_K_RESERVED_PORTS, "8080");
    char buf[8] = "x";

    (void)state;
    assert_int_equal(a.nset, 0);
    assert_null(a.set);
    assert_true(pt_value_equal(&a, &b));
    assert_false(pt_value_equal(&a, &c));
    assert_int_equal(pt_value_format_sysctl(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
    pt_value_free(&c);
}

static void value_portset_rejects_malformed(void **state)
{
    static const struct { const char *in, *part; } cases[] = {
        { "8080,", "'8080,' is not a list of ports" },
        { ",8080", "is not a list of ports" },
        { "8080;9000", "is not a list of ports" },
        { "8080 9000", "is not a list of ports" },
        { "1-2-3", "is not a list of ports" },
        { "-5", "is not a list of ports" },
        { "99999999999", "is not a list of ports" },
        { "10-65536", "65536 is not a port" },
        { "4294967295", "4294967295 is not a port" },
        { "100-50", "the range '100-50' ends before it starts" },
        { "7,100-50,9", "the range '100-50' ends before it starts" },
    };
    pt_value_t v;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pt_error_init(&e);
        rc = pt_value_parse_sysctl(PT_K_RESERVED_PORTS, cases[i].in, &v, "reserved_ports", &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, "reserved_ports", cases[i].part, NC, NULL);
        assert_null(v.set);
    }
}

/* The kernel lists port 0 when it is set (its bitmap has a bit for it), so
 * what it prints is read; a user's list must still be 1-65535. */
static void value_portset_kernel_port_zero(void **state)
{
    pt_value_t v;
    pt_error_t e;
    char buf[64];

    (void)state;
    pt_error_init(&e);
    assert_int_equal(pt_value_parse_sysctl(PT_K_RESERVED_PORTS, "0-2,8080\n", &v,
                                           "ip_local_reserved_ports", &e), 0);
    assert_int_equal(pt_value_format_sysctl(&v, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0-2,8080");
    pt_value_free(&v);
    pt_error_init(&e);
    pt_test_assert_error(pt__portset_parse("0", &v, "reserved_ports", &e), &e, PT_EINVAL,
                         "reserved_ports", "0 is not a port; ports are 1-65535", NC, NULL);
    pt_error_init(&e);
    pt_test_assert_error(pt__portset_parse("0-10", &v, "reserved_ports", &e), &e, PT_EINVAL,
                         "reserved_ports", "0 is not a port", NC, NULL);
}

static void value_portset_item_limit(void **state)
{
    /* 32768 odd ports: the most separate ranges there can be; one more raw
     * item is over the limit even though it would merge. */
    size_t cap = 32768 * 7 + 16, used = 0;
    char *text = malloc(cap), *s;
    pt_value_t v;
    pt_error_t e;
    unsigned p;
    int rc;

    (void)state;
    assert_non_null(text);
    for (p = 1; p <= 65535; p += 2)
        used += (size_t)snprintf(text + used, cap - used, "%s%u", p > 1 ? "," : "", p);
    pt_error_init(&e);
    assert_int_equal(pt_value_parse_sysctl(PT_K_RESERVED_PORTS, text, &v, "r", &e), 0);
    assert_int_equal(v.nset, 32768);
    assert_int_equal(pt_portset_count_in(&v, 1, 65535), 32768);
    s = pt__value_strdup(&v, true);
    assert_non_null(s);
    assert_string_equal(s, text);     /* the largest value still formats */
    free(s);
    pt_value_free(&v);
    snprintf(text + used, cap - used, ",2");
    pt_error_init(&e);
    rc = pt_value_parse_sysctl(PT_K_RESERVED_PORTS, text, &v, "r", &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "r", "more than 32768 separate ranges", NC, NULL);
    free(text);
}

static void value_int_parse(void **state)
{
    static const struct { const char *in; long long want; } ok[] = {
        { "60\n", 60 }, { " 60 ", 60 }, { "-1", -1 }, { "0", 0 }, { "262144\n", 262144 },
    };
    static const char *const bad[] = { "", "\n", "abc", "60 70", "6O", "1.5", "99999999999999999999" };
    pt_value_t v;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        pt_value_t x = pt_test_value(PT_K_FIN_TIMEOUT, ok[i].in);
        assert_int_equal(x.type, PT_T_INT);
        assert_int_equal(x.num, ok[i].want);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pt_error_init(&e);
        rc = pt_value_parse_sysctl(PT_K_MAX_TW_BUCKETS, bad[i], &v, "/proc/sys/x", &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, "/proc/sys/x", "is not a whole number", NC, NULL);
    }
}

static void value_equal_needs_same_type(void **state)
{
    pt_value_t i = { PT_T_INT, 5, { 0, 0 }, NULL, 0 };
    pt_value_t r = { PT_T_RANGE, 0, { 5, 5 }, NULL, 0 };
    pt_value_t j = { PT_T_INT, 6, { 0, 0 }, NULL, 0 };

    (void)state;
    assert_false(pt_value_equal(&i, &r));
    assert_false(pt_value_equal(&i, &j));
    assert_true(pt_value_equal(&i, &i));
}

static void value_format_sysctl_and_user_forms(void **state)
{
    pt_value_t r = pt_test_value(PT_K_PORT_RANGE, "1024\t65535");
    pt_value_t n = pt_test_value(PT_K_TW_REUSE, "2");
    pt_value_t s = pt_test_value(PT_K_RESERVED_PORTS, "9000-9100,8080");
    char buf[64];

    (void)state;
    assert_int_equal(pt_value_format_sysctl(&r, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "1024 65535");
    assert_int_equal(pt_value_format_user(&r, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "1024-65535");
    assert_int_equal(pt_value_format_sysctl(&n, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "2");
    assert_int_equal(pt_value_format_sysctl(&s, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "8080,9000-9100");
    assert_int_equal(pt_value_format_user(&s, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "8080,9000-9100");
    pt_value_free(&s);
}

static void value_format_round_trips_through_parse(void **state)
{
    static const struct { pt_key_t key; const char *text; } cases[] = {
        { PT_K_PORT_RANGE, "1 65535" }, { PT_K_RESERVED_PORTS, "1,3-5,65535" },
        { PT_K_FIN_TIMEOUT, "-1" }, { PT_K_MAX_TW_BUCKETS, "16777216" },
    };
    char buf[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pt_value_t a = pt_test_value(cases[i].key, cases[i].text), b;
        assert_int_equal(pt_value_format_sysctl(&a, buf, sizeof(buf)), 0);
        assert_string_equal(buf, cases[i].text);
        b = pt_test_value(cases[i].key, buf);
        assert_true(pt_value_equal(&a, &b));
        pt_value_free(&a);
        pt_value_free(&b);
    }
}

static void value_format_reports_short_buffer(void **state)
{
    pt_value_t r = pt_test_value(PT_K_PORT_RANGE, "1024 65535");
    pt_value_t s = pt_test_value(PT_K_RESERVED_PORTS, "8080,9000-9100");
    char buf[16];

    (void)state;
    assert_int_equal(pt_value_format_sysctl(&r, buf, 10), PT_ENOMEM);   /* needs 11 */
    assert_int_equal(pt_value_format_sysctl(&r, buf, 11), 0);
    assert_int_equal(pt_value_format_sysctl(&s, buf, 14), PT_ENOMEM);   /* needs 15 */
    assert_int_equal(pt_value_format_sysctl(&s, buf, 15), 0);
    assert_string_equal(buf, "8080,9000-9100");
    assert_int_equal(pt_value_format_sysctl(&s, buf, 0), PT_ENOMEM);
    pt_value_free(&s);
}

static void value_copy_is_deep(void **state)
{
    pt_value_t a = pt_test_value(PT_K_RESERVED_PORTS, "8080,9000-9100"), b;
    pt_value_t e = pt_test_value(PT_K_RESERVED_PORTS, ""), f;

    (void)state;
    assert_int_equal(pt_value_copy(&b, &a), 0);
    assert_ptr_not_equal(a.set, b.set);
    pt_value_free(&a);                      /* b must survive (ASan checks) */
    assert_string_equal(pt_test_fmt(&b), "8080,9000-9100");
    pt_value_free(&b);
    assert_int_equal(pt_value_copy(&f, &e), 0);
    assert_null(f.set);
    assert_int_equal(f.nset, 0);
}

static void value_count_in(void **state)
{
    pt_value_t s = pt_test_value(PT_K_RESERVED_PORTS, "8080-8081,9000-9100,40000");
    pt_value_t none = pt_test_value(PT_K_RESERVED_PORTS, "");

    (void)state;
    assert_int_equal(pt_portset_count_in(&s, 1024, 65535), 2 + 101 + 1);
    assert_int_equal(pt_portset_count_in(&s, 9050, 40000), 51 + 1);
    assert_int_equal(pt_portset_count_in(&s, 1, 100), 0);
    assert_int_equal(pt_portset_count_in(&s, 9100, 9100), 1);   /* inclusive ends */
    assert_int_equal(pt_portset_count_in(&s, 8081, 9000), 2);
    assert_int_equal(pt_portset_count_in(&s, 40001, 65535), 0);
    assert_int_equal(pt_portset_count_in(&none, 1, 65535), 0);
    pt_value_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(value_range_kernel_tab_form_equals_space_form),
        cmocka_unit_test(value_range_user_forms),
        cmocka_unit_test(value_range_sysctl_form_refuses_dash),
        cmocka_unit_test(value_range_rejects_malformed),
        cmocka_unit_test(value_portset_canonical_merge_sort),
        cmocka_unit_test(value_portset_merges_overlaps_and_duplicates),
        cmocka_unit_test(value_portset_equal_ignores_written_order),
        cmocka_unit_test(value_portset_empty_forms),
        cmocka_unit_test(value_portset_rejects_malformed),
        cmocka_unit_test(value_portset_kernel_port_zero),
        cmocka_unit_test(value_portset_item_limit),
        cmocka_unit_test(value_int_parse),
        cmocka_unit_test(value_equal_needs_same_type),
        cmocka_unit_test(value_format_sysctl_and_user_forms),
        cmocka_unit_test(value_format_round_trips_through_parse),
        cmocka_unit_test(value_format_reports_short_buffer),
        cmocka_unit_test(value_copy_is_deep),
        cmocka_unit_test(value_count_in),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
