/* SPDX-License-Identifier: MIT */
/* Unit tests of the plan (desired - current) and the checks that need the host's state. */
#include "helpers.h"
#include "plan_fixture.h"

#define set_live(cur, k, text) pt_fixture_live(cur, k, text, false)
#include "core/conf.h"
#include "core/core.h"
#include "core/plan.h"

#define NC "Nothing was changed."
#define OURS PT_DEFAULT_SYSCTL_FILE

static void set_original(pt_current_t *cur, pt_key_t k, const char *text)
{
    cur->key[k].original = pt_test_value(k, text);
    cur->key[k].original_set = true;
}

/* Our sysctl_file holds text; persisted values are read from it the way the
 * backend does (an unparsable value counts as not persisted). */
static void set_file(pt_current_t *cur, const char *text)
{
    pt_error_t e;
    int k;

    pt_error_init(&e);
    cur->file_text = strdup(text);
    assert_non_null(cur->file_text);
    assert_int_equal(pt_conf_parse(text, strlen(text), OURS, &cur->file, &e), 0);
    cur->file_exists = true;
    for (k = 0; k < PT_K__COUNT; k++) {
        long at = pt_keys[k].linux_key ? pt_conf_find(cur->file, (pt_key_t)k) : -1;
        pt_error_t ignored;
        pt_error_init(&ignored);
        if (at >= 0 && pt_value_parse_sysctl((pt_key_t)k, cur->file->lines[at].value,
                                             &cur->key[k].persisted, OURS, &ignored) == 0)
            cur->key[k].persisted_set = true;
    }
}

static void add_conflict(pt_current_t *cur, pt_key_t k, const char *file, unsigned line,
                         const char *value, bool wins)
{
    pt_conflict_t *c = realloc(cur->conflicts, (cur->nconflicts + 1) * sizeof(*c));

    assert_non_null(c);
    cur->conflicts = c;
    c = &cur->conflicts[cur->nconflicts++];
    memset(c, 0, sizeof(*c));
    c->key = k;
    c->file = strdup(file);
    c->line = line;
    c->value = strdup(value != NULL ? value : "");
    c->wins = wins;
    c->unset = value == NULL;   /* a "-KEY" line */
    c->refused = value != NULL && pt_value_parse_kernel(k, value, NULL, &c->effect) != 0;
    assert_non_null(c->file);
    assert_non_null(c->value);
}

/* A Linux host with kernel defaults live, no file yet, our file read at boot. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    size_t i;

    if (f == NULL)
        return -1;
    pt_options_init(&f->opts);
    f->cur.os = PT_OS_LINUX;
    f->cur.unpriv_port_start = 1024;
    f->cur.file_at_boot = true;
    for (i = 0; i < PT_K__COUNT; i++)
        f->cur.key[i].supported = pt_keys[i].linux_key;
    set_live(&f->cur, PT_K_PORT_RANGE, "32768\t60999\n");
    set_live(&f->cur, PT_K_RESERVED_PORTS, "\n");
    set_live(&f->cur, PT_K_FIN_TIMEOUT, "60\n");
    set_live(&f->cur, PT_K_TW_REUSE, "2\n");
    set_live(&f->cur, PT_K_TW_REUSE_DELAY, "1000\n");
    set_live(&f->cur, PT_K_MAX_TW_BUCKETS, "262144\n");
    pt_error_init(&f->err);
    *state = f;
    return 0;
}

static void assert_untouched_except(const pt_plan_t *p, int k1, int k2)
{
    int k;

    for (k = 0; k < PT_K__COUNT; k++)
        if (k != k1 && k != k2)
            assert_false(p->change[k].live || p->change[k].persist || p->change[k].remove);
}

static void plan_first_run_changes_live_and_file(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"fin_timeout\": 30, \"port_range\": \"1024-65535\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].live);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].persist);
    assert_int_equal(f->plan.change[PT_K_FIN_TIMEOUT].target.num, 30);
    assert_true(f->plan.change[PT_K_PORT_RANGE].live);
    assert_untouched_except(&f->plan, PT_K_FIN_TIMEOUT, PT_K_PORT_RANGE);
    assert_true(f->plan.any_live);
    assert_true(f->plan.any_persist);
    assert_true(f->plan.file_write);
    assert_false(f->plan.file_unlink);
    assert_string_equal(f->plan.file_after, PT_CONF_HEADER "\n"
                        "net.ipv4.ip_local_port_range = 1024 65535\n"
                        "net.ipv4.tcp_fin_timeout = 30\n");
    assert_int_equal(f->opts.warnings.n, 0);
}

static void plan_nothing_to_do_when_live_and_file_agree(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_FIN_TIMEOUT, "30\n");
    set_file(&f->cur, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\n");
    opts(f, "{\"fin_timeout\": \"30\"}");
    assert_int_equal(make(f), 0);
    assert_untouched_except(&f->plan, -1, -1);
    assert_false(f->plan.any_live);
    assert_false(f->plan.any_persist);
    assert_false(f->plan.file_write);
    assert_false(f->plan.file_unlink);
}

static void plan_compares_parsed_values_not_text(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_RESERVED_PORTS, "8080-8081,9000-9100\n");
    set_file(&f->cur, "net.ipv4.ip_local_port_range=32768     60999\n"
                      "net.ipv4.ip_local_reserved_ports = 9000-9100, 8081,8080\n");
    opts(f, "{\"port_range\": [32768, 60999], \"reserved_ports\": [\"9000-9100\", 8081, 8080]}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.any_live);
    assert_false(f->plan.any_persist);
    assert_false(f->plan.file_write);
}

static void plan_live_only_drift_is_fixed_live(void **state)
{
    fixture_t *f = *state;

    set_file(&f->cur, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\n");
    opts(f, "{\"fin_timeout\": 30}");          /* live is still 60 */
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].live);
    assert_false(f->plan.change[PT_K_FIN_TIMEOUT].persist);
    assert_false(f->plan.any_persist);
    assert_false(f->plan.file_write);
}

static void plan_persisted_only_drift_is_fixed_in_file(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_FIN_TIMEOUT, "30\n");
    set_file(&f->cur, PT_CONF_HEADER "\n# keep me\nnet.ipv4.tcp_fin_timeout = 60\n");
    opts(f, "{\"fin_timeout\": 30}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.change[PT_K_FIN_TIMEOUT].live);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].persist);
    assert_false(f->plan.any_live);
    assert_true(f->plan.file_write);
    assert_string_equal(f->plan.file_after, PT_CONF_HEADER "\n# keep me\nnet.ipv4.tcp_fin_timeout = 30\n");
}

static void plan_unparsable_persisted_value_is_rewritten(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_FIN_TIMEOUT, "30\n");
    set_file(&f->cur, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = thirty\n");
    opts(f, "{\"fin_timeout\": 30}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].persist);
    assert_string_equal(f->plan.file_after, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\n");
}

static void plan_apply_false_persists_only(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"fin_timeout\": 30, \"apply\": \"no\"}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.change[PT_K_FIN_TIMEOUT].live);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].persist);
    assert_false(f->plan.any_live);
    assert_true(f->plan.file_write);
}

static void plan_persist_false_applies_only(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"fin_timeout\": 30, \"persist\": false}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].live);
    assert_false(f->plan.change[PT_K_FIN_TIMEOUT].persist);
    assert_false(f->plan.any_persist);
    assert_false(f->plan.file_write);
    assert_null(f->plan.file_after);
}

static void plan_absent_restores_originals_and_unlinks_our_empty_file(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_FIN_TIMEOUT, "30\n");
    set_live(&f->cur, PT_K_TW_REUSE, "1\n");
    set_original(&f->cur, PT_K_FIN_TIMEOUT, "60");
    set_file(&f->cur, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_tw_reuse = 1\n");
    opts(f, "{\"state\": \"absent\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].restore);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].live);
    assert_int_equal(f->plan.change[PT_K_FIN_TIMEOUT].target.num, 60);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].remove);
    assert_true(f->plan.change[PT_K_TW_REUSE].remove);
    assert_false(f->plan.change[PT_K_TW_REUSE].live);    /* no recorded original */
    assert_untouched_except(&f->plan, PT_K_FIN_TIMEOUT, PT_K_TW_REUSE);
    assert_true(f->plan.file_unlink);
    assert_false(f->plan.file_write);
}

static void plan_absent_keeps_live_already_at_original(void **state)
{
    fixture_t *f = *state;

    set_original(&f->cur, PT_K_FIN_TIMEOUT, "60");   /* live is 60 */
    opts(f, "{\"state\": \"absent\"}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.any_live);
    assert_false(f->plan.any_persist);
    assert_false(f->plan.file_unlink);               /* no file to remove */
}

static void plan_absent_limited_to_given_keys(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_FIN_TIMEOUT, "30\n");
    set_live(&f->cur, PT_K_TW_REUSE, "1\n");
    set_original(&f->cur, PT_K_FIN_TIMEOUT, "60");
    set_original(&f->cur, PT_K_TW_REUSE, "2");
    set_file(&f->cur, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_tw_reuse = 1\n");
    opts(f, "{\"state\": \"absent\", \"fin_timeout\": 30}");
    assert_int_equal(make(f), 0);
    assert_true(pt_plan_in_scope(&f->opts, PT_OS_LINUX, PT_K_FIN_TIMEOUT));
    assert_false(pt_plan_in_scope(&f->opts, PT_OS_LINUX, PT_K_TW_REUSE));
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].restore);
    assert_false(f->plan.change[PT_K_TW_REUSE].restore);
    assert_false(f->plan.file_unlink);
    assert_string_equal(f->plan.file_after, PT_CONF_HEADER "\nnet.ipv4.tcp_tw_reuse = 1\n");
}

static void plan_absent_edits_a_shared_file_in_place(void **state)
{
    fixture_t *f = *state;

    set_file(&f->cur, "# admin's file\nvm.swappiness = 10\nnet.ipv4.tcp_fin_timeout = 30\n"
                      "kernel.printk = 4\nnet.ipv4.tcp_fin_timeout=31\n");
    opts(f, "{\"state\": \"absent\", \"sysctl_file\": \"/etc/sysctl.conf\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].remove);
    assert_false(f->plan.file_unlink);
    assert_true(f->plan.file_write);
    assert_string_equal(f->plan.file_after, "# admin's file\nvm.swappiness = 10\nkernel.printk = 4\n");
}

static void plan_absent_respects_apply_and_persist(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_FIN_TIMEOUT, "30\n");
    set_original(&f->cur, PT_K_FIN_TIMEOUT, "60");
    set_file(&f->cur, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\n");
    opts(f, "{\"state\": \"absent\", \"apply\": false}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.any_live);
    assert_true(f->plan.file_unlink);
    opts(f, "{\"state\": \"absent\", \"persist\": false}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].restore);
    assert_false(f->plan.any_persist);
    assert_false(f->plan.file_unlink);
}

static void plan_conflict_warns(void **state)
{
    fixture_t *f = *state;

    add_conflict(&f->cur, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-late.conf", 3, "60", true);
    opts(f, "{\"fin_timeout\": 30}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.conflict[PT_K_FIN_TIMEOUT]);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].live);
    assert_true(pt_test_has_warning(&f->opts,
        "fin_timeout: /etc/sysctl.d/99-late.conf:3 sets net.ipv4.tcp_fin_timeout = 60 and is "
        "read after " OURS " at boot, so that value wins at next boot."));
}

static void plan_conflict_fail_stops_before_any_change(void **state)
{
    fixture_t *f = *state;
    int rc;

    add_conflict(&f->cur, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-late.conf", 3, "60", true);
    opts(f, "{\"fin_timeout\": 30, \"tw_reuse\": 1, \"conflicts\": \"fail\"}");
    rc = make(f);
    pt_test_assert_error(rc, &f->err, PT_ECONFLICT, "fin_timeout",
        "another file sets net.ipv4.tcp_fin_timeout at boot after " OURS,
        "/etc/sysctl.d/99-late.conf:3 sets 60", "conflicts=fail, so nothing was changed", NULL);
    assert_null(f->plan.file_after);
}

static void plan_conflict_ignore_neither_warns_nor_fails(void **state)
{
    fixture_t *f = *state;

    add_conflict(&f->cur, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-late.conf", 3, "60", true);
    opts(f, "{\"fin_timeout\": 30, \"conflicts\": \"ignore\"}");
    assert_int_equal(make(f), 0);
    assert_false(pt_test_has_warning(&f->opts, "99-late.conf"));
    assert_true(f->plan.file_write);
}

static void plan_conflict_only_when_winning_value_differs(void **state)
{
    fixture_t *f = *state;

    add_conflict(&f->cur, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/70-a.conf", 1, " 30 ", true);
    add_conflict(&f->cur, PT_K_TW_REUSE, "/etc/sysctl.d/70-a.conf", 2, "0", false);
    add_conflict(&f->cur, PT_K_TW_REUSE, "/etc/sysctl.d/80-b.conf", 1, "1", true);
    add_conflict(&f->cur, PT_K_PORT_RANGE, "/etc/sysctl.d/80-b.conf", 2, "1024-65535", true);
    add_conflict(&f->cur, PT_K_MAX_TW_BUCKETS, "/etc/sysctl.d/80-b.conf", 3, "5", true);
    opts(f, "{\"fin_timeout\": 30, \"tw_reuse\": 1, \"port_range\": \"1024-65535\", "
            "\"conflicts\": \"fail\"}");
    /* same value parsed: no conflict; a non-winning line: no conflict; a
     * value the kernel would refuse (dash form) still overrides: conflict;
     * a key we do not manage in this run: no conflict. */
    pt_test_assert_error(make(f), &f->err, PT_ECONFLICT, "port_range", "conflicts=fail", NULL);
    assert_false(f->plan.conflict[PT_K_FIN_TIMEOUT]);
    assert_false(f->plan.conflict[PT_K_TW_REUSE]);
    assert_true(f->plan.conflict[PT_K_PORT_RANGE]);
    assert_false(f->plan.conflict[PT_K_MAX_TW_BUCKETS]);
}

/* Equal values spelled differently are no conflict; a "-KEY" line and a
 * value the kernel refuses leave the kernel's default: conflicts, said so. */
static void plan_conflict_by_kernel_value(void **state)
{
    fixture_t *f = *state;

    add_conflict(&f->cur, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/70-a.conf", 1, "030", true);
    add_conflict(&f->cur, PT_K_MAX_TW_BUCKETS, "/etc/sysctl.d/70-a.conf", 2, "0x1388", true);
    add_conflict(&f->cur, PT_K_TW_REUSE, "/etc/sysctl.d/70-a.conf", 3, NULL, true);
    add_conflict(&f->cur, PT_K_RESERVED_PORTS, "/etc/sysctl.d/70-a.conf", 4, "8080, 9000", true);
    opts(f, "{\"fin_timeout\": 24, \"max_tw_buckets\": 5000, \"tw_reuse\": 1, "
            "\"reserved_ports\": \"8080,9000\"}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.conflict[PT_K_FIN_TIMEOUT]);
    assert_false(f->plan.conflict[PT_K_MAX_TW_BUCKETS]);
    assert_true(f->plan.conflict[PT_K_TW_REUSE]);
    assert_true(f->plan.conflict[PT_K_RESERVED_PORTS]);
    assert_true(pt_test_has_warning(&f->opts, "70-a.conf:3 removes net.ipv4.tcp_tw_reuse"));
    assert_true(pt_test_has_warning(&f->opts, "8080, 9000, which the kernel refuses"));
}

/* The warning for /etc/sysctl.conf without a link says why it is not read. */
static void plan_warns_sysctl_conf_not_read_without_link(void **state)
{
    fixture_t *f = *state;

    f->cur.file_at_boot = false;
    opts(f, "{\"fin_timeout\": 30, \"sysctl_file\": \"/etc/sysctl.conf\"}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts, "/etc/sysctl.conf is not read at boot: "
        "systemd-sysctl reads it only through a link in a sysctl.d directory"));
}

static void plan_no_conflicts_for_state_absent(void **state)
{
    fixture_t *f = *state;

    add_conflict(&f->cur, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-late.conf", 3, "60", true);
    opts(f, "{\"fin_timeout\": 30, \"state\": \"absent\", \"conflicts\": \"fail\"}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.conflict[PT_K_FIN_TIMEOUT]);
}

static void plan_warns_same_parity_range(void **state)
{
    static const struct { const char *range; bool warn; } cases[] = {
        { "1024-65534", true }, { "1025-65535", true }, { "1024-65535", false },
        { "32768-60999", false }, { "2000-2000", true },
    };
    fixture_t *f = *state;
    char json[100];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(json, sizeof(json), "{\"port_range\": \"%s\"}", cases[i].range);
        opts(f, json);
        assert_int_equal(make(f), 0);
        if (pt_test_has_warning(&f->opts, "same parity") != cases[i].warn)
            fail_msg("%s: parity warning %s expected", cases[i].range, cases[i].warn ? "" : "not");
    }
}

static void plan_warns_low_fin_timeout_and_zero_buckets_and_reuse_1(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"fin_timeout\": 29, \"max_tw_buckets\": 0, \"tw_reuse\": 1}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts, "fin_timeout 29 is below 30 s"));
    assert_true(pt_test_has_warning(&f->opts, "not the TIME_WAIT time"));
    assert_true(pt_test_has_warning(&f->opts, "max_tw_buckets 0 destroys TIME_WAIT sockets"));
    assert_true(pt_test_has_warning(&f->opts, "tw_reuse 1 needs TCP timestamps"));
    opts(f, "{\"fin_timeout\": 30, \"max_tw_buckets\": 1, \"tw_reuse\": 2}");
    assert_int_equal(make(f), 0);
    assert_int_equal(f->opts.warnings.n, 0);
}

static void plan_warns_reserved_ports_outside_range(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"port_range\": \"32768-60999\", \"reserved_ports\": \"8080,40000-40001\"}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts,
        "reserved_ports: 1 of 3 ports lie outside the port range 32768-60999"));
    /* without port_range: measured against the live range (32768-60999) */
    opts(f, "{\"reserved_ports\": [8080, 8081, 40000]}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts, "2 of 3 ports lie outside the port range 32768-60999"));
    opts(f, "{\"port_range\": \"1024-65535\", \"reserved_ports\": [8080, 8081, 40000]}");
    assert_int_equal(make(f), 0);
    assert_false(pt_test_has_warning(&f->opts, "outside the port range"));
}

static void plan_windows_only_keys_skipped_with_warning(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"time_wait_delay\": 60, \"max_user_port\": 6000, \"fin_timeout\": 30}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts,
        "time_wait_delay applies to Windows hosts only; skipped on this Linux host."));
    assert_true(pt_test_has_warning(&f->opts,
        "max_user_port applies to Windows hosts only; skipped on this Linux host."));
    assert_false(pt_plan_in_scope(&f->opts, PT_OS_LINUX, PT_K_TIME_WAIT_DELAY));
    assert_untouched_except(&f->plan, PT_K_FIN_TIMEOUT, -1);
    assert_string_equal(f->plan.file_after, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\n");
}

static void plan_missing_tw_reuse_delay_fails_clearly(void **state)
{
    fixture_t *f = *state;

    f->cur.key[PT_K_TW_REUSE_DELAY].supported = false;
    pt_value_free(&f->cur.key[PT_K_TW_REUSE_DELAY].live);
    f->cur.key[PT_K_TW_REUSE_DELAY].live_set = false;
    opts(f, "{\"fin_timeout\": 30, \"tw_reuse_delay\": 500}");
    pt_test_assert_error(make(f), &f->err, PT_ENOTSUP, "tw_reuse_delay",
        "this kernel has no net.ipv4.tcp_tw_reuse_delay (it appeared in Linux 6.13)",
        "leave the option out", NC, NULL);
    assert_false(f->plan.any_live);
    /* asking for other keys works; absent skips the missing knob */
    opts(f, "{\"fin_timeout\": 30}");
    assert_int_equal(make(f), 0);
    opts(f, "{\"state\": \"absent\", \"tw_reuse_delay\": 500}");
    assert_int_equal(make(f), 0);
}

static void plan_other_missing_knob_names_it(void **state)
{
    fixture_t *f = *state;

    f->cur.key[PT_K_MAX_TW_BUCKETS].supported = false;
    opts(f, "{\"max_tw_buckets\": 1000}");
    pt_test_assert_error(make(f), &f->err, PT_ENOTSUP, "max_tw_buckets",
        "max_tw_buckets: this host has no net.ipv4.tcp_max_tw_buckets", NC, NULL);
}

static void plan_port_range_below_unprivileged_start_fails(void **state)
{
    fixture_t *f = *state;

    f->cur.unpriv_port_start = 2000;
    opts(f, "{\"port_range\": \"1500-65535\"}");
    pt_test_assert_error(make(f), &f->err, PT_EINVAL, "port_range",
        "port_range: 1500-65535 starts below net.ipv4.ip_unprivileged_port_start (2000)",
        "start at 2000 or above", NC, NULL);
    assert_null(f->plan.file_after);
    opts(f, "{\"port_range\": \"2000-65535\"}");
    assert_int_equal(make(f), 0);
}

static void plan_warns_when_our_file_is_not_read_at_boot(void **state)
{
    fixture_t *f = *state;

    f->cur.file_at_boot = false;
    opts(f, "{\"fin_timeout\": 30, \"sysctl_file\": \"/opt/x.conf\"}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts, "/opt/x.conf is not read at boot"));
    opts(f, "{\"fin_timeout\": 30, \"persist\": false}");
    assert_int_equal(make(f), 0);
    assert_false(pt_test_has_warning(&f->opts, "not read at boot"));
    f->cur.file_masked_by = strdup("/etc/sysctl.d/60-porttune.conf");
    assert_non_null(f->cur.file_masked_by);
    opts(f, "{\"fin_timeout\": 30, \"sysctl_file\": \"/usr/lib/sysctl.d/60-porttune.conf\"}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts,
        "/usr/lib/sysctl.d/60-porttune.conf is masked by /etc/sysctl.d/60-porttune.conf"));
}

static void plan_live_after(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"fin_timeout\": 30}");
    assert_int_equal(make(f), 0);
    assert_int_equal(pt_plan_live_after(&f->opts, &f->cur, &f->plan, PT_K_FIN_TIMEOUT)->num, 30);
    assert_int_equal(pt_plan_live_after(&f->opts, &f->cur, &f->plan, PT_K_TW_REUSE)->num, 2);
    assert_null(pt_plan_live_after(&f->opts, &f->cur, &f->plan, PT_K_TIME_WAIT_DELAY));
}

static void plan_make_leaves_current_untouched(void **state)
{
    static const char text[] = PT_CONF_HEADER "\n# note\nnet.ipv4.tcp_fin_timeout = 30\n";
    fixture_t *f = *state;
    char *again, *now;

    set_live(&f->cur, PT_K_FIN_TIMEOUT, "30\n");
    set_original(&f->cur, PT_K_FIN_TIMEOUT, "60");
    set_file(&f->cur, text);
    opts(f, "{\"fin_timeout\": 45}");
    assert_int_equal(make(f), 0);
    assert_non_null(f->plan.file_after);
    again = strdup(f->plan.file_after);
    assert_non_null(again);
    now = pt_conf_render(f->cur.file);          /* cur is const to the plan */
    assert_string_equal(now, text);
    free(now);
    assert_int_equal(make(f), 0);                /* so planning twice agrees */
    assert_string_equal(f->plan.file_after, again);
    free(again);
    opts(f, "{\"state\": \"absent\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.file_unlink);
    assert_int_equal(make(f), 0);
    assert_true(f->plan.file_unlink);
    assert_true(f->plan.change[PT_K_FIN_TIMEOUT].remove);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(plan_first_run_changes_live_and_file),
        T(plan_nothing_to_do_when_live_and_file_agree),
        T(plan_compares_parsed_values_not_text),
        T(plan_live_only_drift_is_fixed_live),
        T(plan_persisted_only_drift_is_fixed_in_file),
        T(plan_unparsable_persisted_value_is_rewritten),
        T(plan_apply_false_persists_only),
        T(plan_persist_false_applies_only),
        T(plan_absent_restores_originals_and_unlinks_our_empty_file),
        T(plan_absent_keeps_live_already_at_original),
        T(plan_absent_limited_to_given_keys),
        T(plan_absent_edits_a_shared_file_in_place),
        T(plan_absent_respects_apply_and_persist),
        T(plan_conflict_warns),
        T(plan_conflict_fail_stops_before_any_change),
        T(plan_conflict_ignore_neither_warns_nor_fails),
        T(plan_conflict_only_when_winning_value_differs),
        T(plan_no_conflicts_for_state_absent),
        T(plan_conflict_by_kernel_value),
        T(plan_warns_sysctl_conf_not_read_without_link),
        T(plan_warns_same_parity_range),
        T(plan_warns_low_fin_timeout_and_zero_buckets_and_reuse_1),
        T(plan_warns_reserved_ports_outside_range),
        T(plan_windows_only_keys_skipped_with_warning),
        T(plan_missing_tw_reuse_delay_fails_clearly),
        T(plan_other_missing_knob_names_it),
        T(plan_port_range_below_unprivileged_start_fails),
        T(plan_warns_when_our_file_is_not_read_at_boot),
        T(plan_live_after),
        T(plan_make_leaves_current_untouched),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
