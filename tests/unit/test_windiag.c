/* SPDX-License-Identifier: MIT */
/* Unit tests of the Windows diagnosis' pure parts without Windows: excluded
 * ranges against the dynamic range (position, largest free block, report),
 * the advice, and the table of owning processes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porttune.h"
#include "diag/diag.h"
#include "win/internal.h"
#include "portset_fixture.h"

static void assert_json(const json_t *got, const char *want_text)
{
    json_error_t jerr;
    json_t *want = json_loads(want_text, 0, &jerr);
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);

    if (want == NULL)
        fail_msg("bad JSON in test: %s", jerr.text);
    if (!json_equal(got, want))
        fail_msg("got  %s\nwant %s", g ? g : "(null)", want_text);
    free(g);
    json_decref(want);
}

static void windiag_position_of_each_case(void **state)
{
    (void)state;
    assert_string_equal(pt__excl_position(5357, 5357, 49152, 65535), "outside");
    assert_string_equal(pt__excl_position(49151, 49151, 49152, 65535), "outside");
    assert_string_equal(pt__excl_position(49671, 49770, 49152, 65535), "inside");
    assert_string_equal(pt__excl_position(49000, 49152, 49152, 65535), "start");
    assert_string_equal(pt__excl_position(49152, 49200, 49152, 65535), "start");
    assert_string_equal(pt__excl_position(65000, 65535, 49152, 65535), "end");
    assert_string_equal(pt__excl_position(1, 65535, 49152, 65535), "whole");
}

static void windiag_largest_free_block(void **state)
{
    pt_value_t none = set_of(""), hv = set_of("5357,49671-49770,50000-50059,61117-61216");
    pt_value_t edges = set_of("49000-49200,65000-65535"), all = set_of("1-65535");
    uint32_t lo = 0, hi = 0;
    unsigned n = 99;

    (void)state;
    assert_int_equal(pt__excl_largest_free(49152, 65535, &none, &lo, &hi, &n), 16384);
    assert_int_equal(lo, 49152);
    assert_int_equal(hi, 65535);
    assert_int_equal(n, 1);
    /* Hyper-V's ranges: 49152-49670, 49771-49999, 50060-61116, 61217-65535. */
    assert_int_equal(pt__excl_largest_free(49152, 65535, &hv, &lo, &hi, &n), 11057);
    assert_int_equal(lo, 50060);
    assert_int_equal(hi, 61116);
    assert_int_equal(n, 4);
    assert_int_equal(pt__excl_largest_free(49152, 65535, &edges, &lo, &hi, &n), 64999 - 49201 + 1);
    assert_int_equal(lo, 49201);
    assert_int_equal(hi, 64999);
    assert_int_equal(n, 1);
    lo = hi = 7;
    assert_int_equal(pt__excl_largest_free(49152, 65535, &all, &lo, &hi, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(lo, 7);
    pt_value_free(&hv);
    pt_value_free(&edges);
    pt_value_free(&all);
}

static void windiag_range_advice_lowers_or_raises(void **state)
{
    pt_value_t ex = set_of("5357,40500-40509,40600-40610,40800-40899");
    pt_value_t low = set_of("38000-38010,40500-40509");
    pt_value_t hv = set_of("49671-49770,50000-50059,61117-61216");
    uint32_t lo = 0, hi = 0;

    (void)state;
    /* Below the first excluded port: 36404-40499 is free. */
    assert_true(pt__excl_range_advice(40000, 40999, &ex, 4096, &lo, &hi));
    assert_int_equal(lo, 36404);
    assert_int_equal(hi, 40999);
    /* Below is taken: above the last one, 40510-44605. */
    assert_true(pt__excl_range_advice(40000, 40999, &low, 4096, &lo, &hi));
    assert_int_equal(lo, 40000);
    assert_int_equal(hi, 44605);
    /* A range that holds such a block already needs nothing. */
    assert_false(pt__excl_range_advice(49152, 65535, &hv, 4096, &lo, &hi));
    pt_value_free(&ex);
    pt_value_free(&low);
    pt_value_free(&hv);
}

static void windiag_report_classifies_owner_and_family(void **state)
{
    pt_exrange_t v4[] = { { 5357, 5357, false }, { 40500, 40509, true },
                          { 40600, 40610, true }, { 40800, 40899, false } };
    pt_exrange_t v6[] = { { 5357, 5357, false }, { 40600, 40610, true }, { 41000, 41999, true } };
    pt_value_t rec4 = set_of("40600-40610"), rec6 = set_of("");
    pt_exclfam_t fam[2] = { { v4, 4, &rec4 }, { v6, 3, &rec6 } };
    json_t *warnings = json_array(), *r;

    (void)state;
    r = pt__excl_report(40000, 40999, fam, warnings);
    assert_non_null(r);
    /* 40600-40610 is porttune's for IPv4 only: IPv6's row is another's. */
    assert_json(json_object_get(r, "ranges"),
        "[{\"start\":5357,\"end\":5357,\"ports\":1,\"families\":[\"ipv4\",\"ipv6\"],"
        "\"owner\":\"system\",\"administered\":false,\"position\":\"outside\"},"
        "{\"start\":40500,\"end\":40509,\"ports\":10,\"families\":[\"ipv4\"],"
        "\"owner\":\"administrator\",\"administered\":true,\"position\":\"inside\"},"
        "{\"start\":40600,\"end\":40610,\"ports\":11,\"families\":[\"ipv4\"],"
        "\"owner\":\"porttune\",\"administered\":true,\"position\":\"inside\"},"
        "{\"start\":40800,\"end\":40899,\"ports\":100,\"families\":[\"ipv4\"],"
        "\"owner\":\"system\",\"administered\":false,\"position\":\"inside\"},"
        "{\"start\":40600,\"end\":40610,\"ports\":11,\"families\":[\"ipv6\"],"
        "\"owner\":\"administrator\",\"administered\":true,\"position\":\"inside\"},"
        "{\"start\":41000,\"end\":41999,\"ports\":1000,\"families\":[\"ipv6\"],"
        "\"owner\":\"administrator\",\"administered\":true,\"position\":\"outside\"}]");
    assert_int_equal(json_array_size(json_object_get(r, "inside_dynamic_range")), 4);
    assert_int_equal(json_integer_value(json_object_get(r, "ports_in_dynamic_range")), 121);
    assert_int_equal(json_integer_value(json_object_get(r, "free_blocks")), 4);
    assert_json(json_object_get(r, "largest_free_block"),
                "{\"start\":40000,\"end\":40499,\"ports\":500}");
    assert_true(json_is_false(json_object_get(r, "wsl_mirrored_block_free")));
    assert_int_equal(json_array_size(warnings), 2);
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 0)),
                           "into 4 free blocks; the largest is 40000-40499 (500 ports)"));
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 1)),
                           "no free block of 4096 contiguous ports (largest: 500)"));
    json_decref(r);
    json_decref(warnings);
    pt_value_free(&rec4);
}

static void windiag_report_quiet_on_a_free_range(void **state)
{
    pt_exrange_t v4[] = { { 5357, 5357, false } };
    pt_value_t rec = set_of("");
    pt_exclfam_t fam[2] = { { v4, 1, &rec }, { v4, 1, &rec } };
    json_t *warnings = json_array(), *r;

    (void)state;
    r = pt__excl_report(49152, 65535, fam, warnings);
    assert_non_null(r);
    assert_int_equal(json_array_size(json_object_get(r, "ranges")), 1);
    assert_int_equal(json_array_size(json_object_get(r, "inside_dynamic_range")), 0);
    assert_true(json_is_true(json_object_get(r, "wsl_mirrored_block_free")));
    assert_int_equal(json_array_size(warnings), 0);
    json_decref(r);
    json_decref(warnings);
}

static json_t *report_of(const char *text)
{
    json_error_t jerr;
    json_t *r = json_loads(text, 0, &jerr);

    if (r == NULL)
        fail_msg("bad JSON in test: %s", jerr.text);
    return r;
}

static void windiag_advice_values(void **state)
{
    pt_value_t ex = set_of("5357,40500-40509");
    json_t *r = report_of(
        "{\"threshold_pct\": 5, \"port_range\": {\"start\": 40000, \"end\": 40999},"
        " \"capacity\": {\"usable_ports\": 990, \"time_wait_seconds\": 120},"
        " \"destinations\": {\"top\": [{\"ports_held\": 100}]},"
        " \"listeners\": {\"unprotected_ports\": \"40000\","
        "                 \"reserved_ports_advice\": \"5357,40000,40500-40509\"}}");
    json_t *a = pt__diag_advice(r, &ex);
    json_t *vals = json_array();
    size_t i;
    json_t *v;

    (void)state;
    assert_non_null(a);
    json_array_foreach(a, i, v)
        json_array_append_new(vals, json_pack("[O, O]", json_object_get(v, "setting"),
                                              json_object_get(v, "value")));
    assert_json(vals, "[[\"reserved_ports\", \"5357,40000,40500-40509\"],"
                      " [\"port_range\", \"39000-40999\"], [\"time_wait_delay\", 30],"
                      " [\"port_range\", \"36404-40999\"]]");
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(a, 0), "reason")),
                           "Windows refuses to exclude a port in use"));
    json_decref(vals);
    json_decref(a);
    json_decref(r);
    pt_value_free(&ex);
}

static void windiag_advice_none_when_all_is_well(void **state)
{
    pt_value_t ex = set_of("5357");
    json_t *r = report_of(
        "{\"threshold_pct\": 80, \"port_range\": {\"start\": 49152, \"end\": 65535},"
        " \"capacity\": {\"usable_ports\": 16384, \"time_wait_seconds\": 120},"
        " \"destinations\": {\"top\": [{\"ports_held\": 100}]},"
        " \"listeners\": {\"unprotected_ports\": \"\", \"reserved_ports_advice\": null}}");
    json_t *a = pt__diag_advice(r, &ex);

    (void)state;
    assert_non_null(a);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    json_decref(r);
    pt_value_free(&ex);
}

static char *name_of(uint32_t pid, void *arg)
{
    char buf[64];

    (*(int *)arg)++;
    if (pid == 42)
        return NULL;
    snprintf(buf, sizeof(buf), "C:\\app\\%u.exe", (unsigned)pid);
    return strdup(buf);
}

static void windiag_owners_most_ports_first(void **state)
{
    pt_owners_t o;
    json_t *j;
    int asked = 0, i;

    (void)state;
    memset(&o, 0, sizeof(o));
    for (i = 0; i < 5; i++)
        assert_int_equal(pt__owners_add(&o, 7, PT_TCP_ESTABLISHED), 0);
    for (i = 0; i < 9; i++)
        assert_int_equal(pt__owners_add(&o, 42, i % 3 ? PT_TCP_ESTABLISHED : PT_TCP_SYN_SENT), 0);
    assert_int_equal(pt__owners_add(&o, 3, PT_TCP_CLOSE_WAIT), 0);
    for (i = 0; i < 4; i++)
        assert_int_equal(pt__owners_add(&o, 0, PT_TCP_TIME_WAIT), 0);
    j = pt__owners_json(&o, 2, name_of, &asked);
    assert_non_null(j);
    assert_json(j, "{\"total\": 3, \"sockets_without_owner\": 4, \"top\": ["
                   "{\"pid\": 42, \"image\": null, \"ports_held\": 9, \"established\": 6,"
                   " \"time_wait\": 0, \"other\": 3},"
                   "{\"pid\": 7, \"image\": \"C:\\\\app\\\\7.exe\", \"ports_held\": 5,"
                   " \"established\": 5, \"time_wait\": 0, \"other\": 0}]}");
    assert_int_equal(asked, 2);   /* names only for the rows shown */
    json_decref(j);
    pt__owners_free(&o);
    pt__owners_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windiag_position_of_each_case),
        cmocka_unit_test(windiag_largest_free_block),
        cmocka_unit_test(windiag_range_advice_lowers_or_raises),
        cmocka_unit_test(windiag_report_classifies_owner_and_family),
        cmocka_unit_test(windiag_report_quiet_on_a_free_range),
        cmocka_unit_test(windiag_advice_values),
        cmocka_unit_test(windiag_advice_none_when_all_is_well),
        cmocka_unit_test(windiag_owners_most_ports_first),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
