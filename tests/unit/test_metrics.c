/* SPDX-License-Identifier: MIT */
/* Unit tests of the Prometheus formatter (cli/metrics.c): golden cases, escaping, stable order. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/metrics.h"

#define CASES "tests/unit/metrics/"

static const pt_metrics_meta_t meta_ok = { 1700000000.5, 0.25, true, true };

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static json_t *load(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);

    if (j == NULL)
        fail_msg("%s:%d: %s", path, e.line, e.text);
    return j;
}

/* A deep copy with every object's keys inserted in reverse order. */
static json_t *reversed(const json_t *j)
{
    if (json_is_object(j)) {
        const char *keys[64], *k;
        json_t *out = json_object(), *v;
        size_t n = 0;

        json_object_foreach((json_t *)j, k, v)
            keys[n++] = k;
        while (n > 0) {
            n--;
            json_object_set_new(out, keys[n], reversed(json_object_get(j, keys[n])));
        }
        return out;
    }
    if (json_is_array(j)) {
        json_t *out = json_array(), *v;
        size_t i;

        json_array_foreach((json_t *)j, i, v)
            json_array_append_new(out, reversed(v));
        return out;
    }
    return json_deep_copy(j);
}

static void golden(const char *dir, bool with_report, const pt_metrics_meta_t *meta)
{
    char path[256];
    json_t *state, *report = NULL;
    char *want, *got;

    snprintf(path, sizeof(path), CASES "%s/state.json", dir);
    state = load(path);
    if (with_report) {
        snprintf(path, sizeof(path), CASES "%s/report.json", dir);
        report = load(path);
    }
    snprintf(path, sizeof(path), CASES "%s/expect.prom", dir);
    want = slurp(path);
    got = pt_metrics_format(state, report, meta);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    free(want);
    json_decref(state);
    json_decref(report);
}

static void metrics_linux_golden(void **unused)
{
    (void)unused;
    golden("linux", true, &meta_ok);
}

/* A host without a diagnosis (Windows today): the capacity comes from the
 * settings' own model, the range bounds from its port_range text. */
static void metrics_windows_settings_only_golden(void **unused)
{
    static const pt_metrics_meta_t meta = { 1700000000.5, 0.25, true, false };

    (void)unused;
    golden("windows", false, &meta);
}

static void metrics_order_does_not_follow_json_order(void **unused)
{
    json_t *state = load(CASES "linux/state.json"), *report = load(CASES "linux/report.json");
    json_t *rstate = reversed(state), *rreport = reversed(report);
    char *a = pt_metrics_format(state, report, &meta_ok);
    char *b = pt_metrics_format(rstate, rreport, &meta_ok);

    (void)unused;
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(state);
    json_decref(report);
    json_decref(rstate);
    json_decref(rreport);
}

static void metrics_escape_backslash_quote_newline(void **unused)
{
    char *e = pt_metrics_escape("a\\b\"c\nd\te");

    (void)unused;
    assert_non_null(e);
    assert_string_equal(e, "a\\\\b\\\"c\\nd\te");
    free(e);
    e = pt_metrics_escape("");
    assert_string_equal(e, "");
    free(e);
}

/* Label values that come from the host (a setting name, a version) are
 * escaped on the way out, so one odd name cannot break the whole file. */
static void metrics_escapes_label_values(void **unused)
{
    json_t *state = json_pack("{s:s, s:s, s:{s:{s:b, s:i, s:i}}, s:[]}",
                              "os", "li\"nux", "porttune_version", "1\\2\n3",
                              "settings", "we\"ird\\key\n",
                              "supported", 1, "live", 1, "persisted", 2,
                              "conflicts");
    char *got;

    (void)unused;
    assert_non_null(state);
    got = pt_metrics_format(state, NULL, &meta_ok);
    assert_non_null(got);
    assert_non_null(strstr(got, "\nporttune_build_info{os=\"li\\\"nux\",version=\"1\\\\2\\n3\"} 1\n"));
    assert_non_null(strstr(got, "\nporttune_setting_drift{setting=\"we\\\"ird\\\\key\\n\"} 1\n"));
    assert_non_null(strstr(got, "\nporttune_setting_managed{setting=\"we\\\"ird\\\\key\\n\"} 1\n"));
    free(got);
    json_decref(state);
}

/* Nothing read at all: the collection's own gauges still say so. */
static void metrics_nothing_read(void **unused)
{
    static const pt_metrics_meta_t meta = { 12.0, 0.5, false, false };
    const char *want =
        "# HELP porttune_up 1 when porttune read this part (settings, diagnosis), 0 when it "
        "failed or is not supported on this OS.\n"
        "# TYPE porttune_up gauge\n"
        "porttune_up{part=\"diagnosis\"} 0\n"
        "porttune_up{part=\"settings\"} 0\n"
        "# HELP porttune_scrape_timestamp_seconds Unix time when porttune collected these "
        "metrics.\n"
        "# TYPE porttune_scrape_timestamp_seconds gauge\n"
        "porttune_scrape_timestamp_seconds 12\n"
        "# HELP porttune_scrape_duration_seconds Seconds porttune took to read the settings "
        "and the sockets.\n"
        "# TYPE porttune_scrape_duration_seconds gauge\n"
        "porttune_scrape_duration_seconds 0.5\n";
    char *got = pt_metrics_format(NULL, NULL, &meta);

    (void)unused;
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* Without destinations.ports_held (an older or partial report) there is no
 * `other` series rather than a wrong one. */
static void metrics_other_needs_the_sum(void **unused)
{
    json_t *report = load(CASES "linux/report.json");
    char *got;

    (void)unused;
    json_object_del(json_object_get(report, "destinations"), "ports_held");
    got = pt_metrics_format(NULL, report, &meta_ok);
    assert_non_null(got);
    assert_null(strstr(got, "_held{destination=\"other\"}"));
    assert_non_null(strstr(got, "\nporttune_destination_ports_held{destination=\"10.0.0.1:80\"} 70\n"));
    free(got);
    json_decref(report);
}

/* The formatter's own allocations (this binary links with --wrap=malloc,
 * --wrap=realloc; jansson's are not wrapped): fail the Nth, for every N
 * until a run needs no more; each failure must give NULL, never a cut text. */
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
static long alloc_countdown = -1;   /* -1: never fail */

static bool alloc_fails(void)
{
    if (alloc_countdown < 0)
        return false;
    return alloc_countdown-- == 0;
}

void *__wrap_malloc(size_t n)
{
    return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return alloc_fails() ? NULL : __real_realloc(p, n);
}

static void metrics_every_allocation_failure_gives_null(void **unused)
{
    json_t *state = load(CASES "linux/state.json"), *report = load(CASES "linux/report.json");
    char *want = pt_metrics_format(state, report, &meta_ok), *got;
    long n;

    (void)unused;
    assert_non_null(want);
    for (n = 0;; n++) {
        alloc_countdown = n;
        got = pt_metrics_format(state, report, &meta_ok);
        if (alloc_countdown >= 0) {      /* the run made fewer than n + 1 calls */
            alloc_countdown = -1;
            assert_non_null(got);
            assert_string_equal(got, want);
            free(got);
            break;
        }
        alloc_countdown = -1;
        if (got != NULL)
            fail_msg("allocation %ld failed, yet the formatter returned text", n);
    }
    assert_true(n > 3);
    free(want);
    json_decref(state);
    json_decref(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metrics_linux_golden),
        cmocka_unit_test(metrics_windows_settings_only_golden),
        cmocka_unit_test(metrics_order_does_not_follow_json_order),
        cmocka_unit_test(metrics_escape_backslash_quote_newline),
        cmocka_unit_test(metrics_escapes_label_values),
        cmocka_unit_test(metrics_nothing_read),
        cmocka_unit_test(metrics_other_needs_the_sum),
        cmocka_unit_test(metrics_every_allocation_failure_gives_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
