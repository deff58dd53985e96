/* SPDX-License-Identifier: MIT */
/* Unit tests of reserved_ports on Windows without Windows: the parser of
 * `netsh int ipv4 show excludedportrange protocol=tcp` and the port-set steps
 * that decide which ranges are porttune's and what to delete and add. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porttune.h"
#include "win/internal.h"
#include "portset_fixture.h"

/* Real English output (Windows 10 with Hyper-V), CRLF as netsh writes it. */
#define HYPERV_TEXT \
    "\r\nProtocol tcp Port Exclusion Ranges\r\n\r\n" \
    "Start Port    End Port\r\n" \
    "----------    --------\r\n" \
    "      5357        5357\r\n" \
    "     49671       49770\r\n" \
    "     50000       50059     *\r\n" \
    "     61117       61216\r\n" \
    "\r\n* - Administered port exclusions.\r\n\r\n"

static void assert_set(const pt_value_t *v, const char *want)
{
    char buf[512];

    assert_int_equal(pt_value_format_sysctl(v, buf, sizeof(buf)), 0);
    assert_string_equal(buf, want);
}

static void excluded_parses_english_table(void **state)
{
    pt_exrange_t *rows = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(pt__netsh_parse_excluded(HYPERV_TEXT, &rows, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(rows[0].lo, 5357);
    assert_int_equal(rows[0].hi, 5357);
    assert_false(rows[0].admin);
    assert_int_equal(rows[2].lo, 50000);
    assert_int_equal(rows[2].hi, 50059);
    assert_true(rows[2].admin);
    assert_false(rows[3].admin);
    free(rows);
}

static void excluded_parses_empty_table(void **state)
{
    pt_exrange_t *rows = (pt_exrange_t *)&rows;
    size_t n = 9;

    (void)state;
    assert_int_equal(pt__netsh_parse_excluded(
        "\nProtocol tcp Port Exclusion Ranges\n\nStart Port    End Port\n"
        "----------    --------\n\n* - Administered port exclusions.\n", &rows, &n), 0);
    assert_int_equal(n, 0);
    assert_null(rows);
}

/* Headers and footer in the system's language; only the rule and the rows'
 * shape matter. Tabs, LF only, trailing spaces. */
static void excluded_parses_localized_table(void **state)
{
    pt_exrange_t *rows = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(pt__netsh_parse_excluded(
        "Protocole tcp Plages d'exclusion de ports\n\n"
        "Port de d\xc3\xa9" "but Port de fin\n------------- -----------\n"
        "\t1802\t1901 \n 50000 50059 *  \n\n"
        "* - Exclusions de ports administr\xc3\xa9" "s.\n", &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].lo, 1802);
    assert_int_equal(rows[0].hi, 1901);
    assert_false(rows[0].admin);
    assert_true(rows[1].admin);
    free(rows);
}

static void excluded_rejects_error_and_odd_rows(void **state)
{
    static const char *const bad[] = {
        "",
        "The following command was not found: interface ipv4 show excludedportrange.\r\n",
        "The requested operation requires elevation (Run as administrator).\r\n",
        "Start Port End Port\n---------- --------\n 5000 4000\n",         /* inverted */
        "Start Port End Port\n---------- --------\n 0 10\n",             /* port 0 */
        "Start Port End Port\n---------- --------\n 5000 70000\n",       /* > 65535 */
        "Start Port End Port\n---------- --------\n 5000\n",             /* one number */
        "Start Port End Port\n---------- --------\n 5000 5001 x\n",      /* not '*' */
        "Start Port End Port\n---------- --------\n 5000 5001 * *\n",
        "Start Port End Port\n---------- --------\n 5000 50a1\n",
        "Start Port End Port\n---------- --------\n 0000005000 5001\n",   /* 10 digits */
    };
    pt_exrange_t *rows = NULL;
    size_t i, n = 0;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pt__netsh_parse_excluded(bad[i], &rows, &n) != PT_EINVAL)
            fail_msg("accepted: %s", bad[i]);
        assert_null(rows);
        assert_int_equal(n, 0);
    }
}

static void excluded_ours_is_administered_and_recorded(void **state)
{
    pt_exrange_t rows[] = {
        { 5357, 5357, false }, { 8080, 8080, true }, { 9000, 9049, true },
        { 9050, 9100, true }, { 50000, 50059, true }, { 9101, 9101, false },
    };
    pt_value_t rec = set_of("8080,9000-9101"), all, others;

    (void)state;
    assert_true(pt__excl_is_ours(&rows[1], &rec));
    assert_true(pt__excl_is_ours(&rows[2], &rec));     /* pieces added in two runs */
    assert_true(pt__excl_is_ours(&rows[3], &rec));
    assert_false(pt__excl_is_ours(&rows[0], &rec));    /* not recorded */
    assert_false(pt__excl_is_ours(&rows[4], &rec));    /* someone else's administered one */
    assert_false(pt__excl_is_ours(&rows[5], &rec));    /* recorded port, system range */
    assert_int_equal(pt__excl_split(rows, 6, &rec, &all, &others), 0);
    assert_set(&all, "5357,8080,9000-9101,50000-50059");
    assert_set(&others, "5357,9101,50000-50059");
    pt_value_free(&all);
    pt_value_free(&others);
    pt_value_free(&rec);
}

/* First run: nothing recorded, the user asks for 8080 and 9000-9100 and
 * someone else holds 9050-9060: only the missing pieces are added. */
static void excluded_steps_add_only_missing_pieces(void **state)
{
    pt_exrange_t rows[] = { { 5357, 5357, false }, { 9050, 9060, true } };
    pt_value_t rec = set_of(""), target = set_of("5357,8080,9000-9100"), adds;
    size_t *dels = NULL, ndel = 9;

    (void)state;
    assert_int_equal(pt__excl_steps(rows, 2, &rec, &target, &dels, &ndel, &adds), 0);
    assert_int_equal(ndel, 0);
    assert_set(&adds, "8080,9000-9049,9061-9100");
    free(dels);
    pt_value_free(&adds);
    pt_value_free(&target);
    pt_value_free(&rec);
}

/* Nothing to do when every wanted port is excluded, whoever excluded it. */
static void excluded_steps_nothing_when_covered(void **state)
{
    pt_exrange_t rows[] = { { 8080, 8080, true }, { 9000, 9100, false } };
    pt_value_t rec = set_of("8080"), target = set_of("8080,9000-9100"), adds;
    size_t *dels = NULL, ndel = 9;

    (void)state;
    assert_int_equal(pt__excl_steps(rows, 2, &rec, &target, &dels, &ndel, &adds), 0);
    assert_int_equal(ndel, 0);
    assert_int_equal(adds.nset, 0);
    free(dels);
    pt_value_free(&adds);
    pt_value_free(&target);
    pt_value_free(&rec);
}

/* The list shrank from 9000-9100 to 9000-9050: porttune's whole range goes
 * (netsh deletes exact ranges only) and the smaller one is added. Someone
 * else's administered range outside the target stays. */
static void excluded_steps_replace_own_range_keep_others(void **state)
{
    pt_exrange_t rows[] = {
        { 5357, 5357, false }, { 9000, 9100, true }, { 50000, 50059, true },
    };
    pt_value_t rec = set_of("9000-9100"), target = set_of("5357,9000-9050,50000-50059"), adds;
    size_t *dels = NULL, ndel = 0;

    (void)state;
    assert_int_equal(pt__excl_steps(rows, 3, &rec, &target, &dels, &ndel, &adds), 0);
    assert_int_equal(ndel, 1);
    assert_int_equal(dels[0], 1);
    assert_set(&adds, "9000-9050");
    free(dels);
    pt_value_free(&adds);
    pt_value_free(&target);
    pt_value_free(&rec);
}

/* state=absent: the target is what others excluded; only porttune's rows go. */
static void excluded_steps_absent_deletes_only_ours(void **state)
{
    pt_exrange_t rows[] = {
        { 5357, 5357, false }, { 8080, 8080, true }, { 9000, 9049, true },
        { 9050, 9100, true }, { 50000, 50059, true },
    };
    pt_value_t rec = set_of("8080,9000-9100"), all, others, adds;
    size_t *dels = NULL, ndel = 0;

    (void)state;
    assert_int_equal(pt__excl_split(rows, 5, &rec, &all, &others), 0);
    assert_int_equal(pt__excl_steps(rows, 5, &rec, &others, &dels, &ndel, &adds), 0);
    assert_int_equal(ndel, 3);
    assert_int_equal(dels[0], 1);
    assert_int_equal(dels[1], 2);
    assert_int_equal(dels[2], 3);
    assert_int_equal(adds.nset, 0);
    free(dels);
    pt_value_free(&adds);
    pt_value_free(&all);
    pt_value_free(&others);
    pt_value_free(&rec);
}

static void exset_operations(void **state)
{
    pt_value_t a = set_of("1-10,20-30,40"), b = set_of("5-25,40-50"), out;

    (void)state;
    assert_int_equal(pt__exset_union(&a, &b, &out), 0);
    assert_set(&out, "1-30,40-50");
    pt_value_free(&out);
    assert_int_equal(pt__exset_intersect(&a, &b, &out), 0);
    assert_set(&out, "5-10,20-25,40");
    pt_value_free(&out);
    assert_int_equal(pt__exset_subtract(&a, &b, &out), 0);
    assert_set(&out, "1-4,26-30");
    pt_value_free(&out);
    assert_int_equal(pt__exset_subtract(&b, &a, &out), 0);
    assert_set(&out, "11-19,41-50");
    pt_value_free(&out);
    assert_int_equal(pt__exset_subtract(&a, &a, &out), 0);
    assert_int_equal(out.nset, 0);
    pt_value_free(&out);
    assert_true(pt__exset_covers(&a, 21, 29));
    assert_false(pt__exset_covers(&a, 9, 21));
    assert_false(pt__exset_covers(&a, 41, 41));
    pt_value_free(&a);
    pt_value_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(excluded_parses_english_table),
        cmocka_unit_test(excluded_parses_empty_table),
        cmocka_unit_test(excluded_parses_localized_table),
        cmocka_unit_test(excluded_rejects_error_and_odd_rows),
        cmocka_unit_test(excluded_ours_is_administered_and_recorded),
        cmocka_unit_test(excluded_steps_add_only_missing_pieces),
        cmocka_unit_test(excluded_steps_nothing_when_covered),
        cmocka_unit_test(excluded_steps_replace_own_range_keep_others),
        cmocka_unit_test(excluded_steps_absent_deletes_only_ours),
        cmocka_unit_test(exset_operations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
