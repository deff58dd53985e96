/* SPDX-License-Identifier: MIT */
/* Unit tests of Windows planning and the Windows result: what the core does
 * with what the Windows backend reads (registry values, dynamic port range). */
#include "helpers.h"
#include "plan_fixture.h"
#include "core/result.h"
#include "core/winmup.h"

#define set_live pt_fixture_live

#define NC "Nothing was changed."

/* Windows 10 as the backend reads a fresh one: no registry values (defaults),
 * dynamic port range 49152 + 16384 for IPv4 and IPv6. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    pt_options_init(&f->opts);
    f->cur.os = PT_OS_WINDOWS;
    f->cur.windows_major = 10;
    f->cur.windows_minor = 0;
    f->cur.unpriv_port_start = 1025;
    f->cur.key[PT_K_PORT_RANGE].supported = true;
    f->cur.key[PT_K_TIME_WAIT_DELAY].supported = true;
    f->cur.key[PT_K_MAX_USER_PORT].supported = true;
    set_live(&f->cur, PT_K_PORT_RANGE, "49152 65535", false);
    set_live(&f->cur, PT_K_TIME_WAIT_DELAY, "120", true);
    pt_error_init(&f->err);
    *state = f;
    return 0;
}

static void plan_windows_registry_change_needs_reboot_not_persist(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"time_wait_delay\": 30, \"max_user_port\": 65534}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_TIME_WAIT_DELAY].live);
    assert_int_equal(f->plan.change[PT_K_TIME_WAIT_DELAY].target.num, 30);
    assert_true(f->plan.change[PT_K_MAX_USER_PORT].live);     /* absent, no default on Vista+ */
    assert_false(f->plan.change[PT_K_PORT_RANGE].live);
    assert_true(f->plan.reboot_required);
    assert_false(f->plan.any_persist);
    assert_false(f->plan.file_write || f->plan.file_unlink);
    assert_null(f->plan.file_after);
}

static void plan_windows_nothing_to_do_when_equal(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_TIME_WAIT_DELAY, "60", false);
    set_live(&f->cur, PT_K_MAX_USER_PORT, "20000", false);
    opts(f, "{\"time_wait_delay\": \"60\", \"max_user_port\": 20000}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.any_live);
    assert_false(f->plan.reboot_required);
}

static void plan_windows_default_equals_request_is_no_change(void **state)
{
    fixture_t *f = *state;

    /* TcpTimedWaitDelay absent: Windows uses 120 already. */
    opts(f, "{\"time_wait_delay\": 120}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.change[PT_K_TIME_WAIT_DELAY].live);
    assert_false(f->plan.reboot_required);
}

static void plan_windows_port_range_needs_no_reboot(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"port_range\": \"10000-65535\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_PORT_RANGE].live);
    assert_int_equal(f->plan.change[PT_K_PORT_RANGE].target.range.lo, 10000);
    assert_false(f->plan.reboot_required);
    assert_false(pt_test_has_warning(&f->opts, "parity"));   /* a Linux kernel matter */
}

static void plan_windows_port_range_limits(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"port_range\": \"1000-5000\"}");
    pt_test_assert_error(make(f), &f->err, PT_EINVAL, "port_range", "1000-5000",
        "must start at 1025 or above and hold at least 255 ports", NC, NULL);
    assert_false(f->plan.any_live);
    opts(f, "{\"port_range\": \"50000-50253\"}");                  /* 254 ports */
    pt_test_assert_error(make(f), &f->err, PT_EINVAL, "port_range", "50000-50253", NC, NULL);
    opts(f, "{\"port_range\": \"1025-1279\"}");                    /* 255 ports from 1025 */
    assert_int_equal(make(f), 0);
    opts(f, "{\"port_range\": \"65281-65535\"}");                  /* S+N-1 = 65535 */
    assert_int_equal(make(f), 0);
}

static void plan_windows_linux_keys_skipped_with_warning(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"fin_timeout\": 30, \"tw_reuse\": 1, \"time_wait_delay\": 120}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts,
        "fin_timeout applies to Linux hosts only; skipped on this Windows host."));
    assert_true(pt_test_has_warning(&f->opts,
        "tw_reuse applies to Linux hosts only; skipped on this Windows host."));
    assert_false(pt_test_has_warning(&f->opts, "reserved_ports"));
    assert_false(pt_test_has_warning(&f->opts, "NAT"));   /* tw_reuse advice is Linux's */
    assert_false(f->plan.any_live);
}

static void plan_windows_max_user_port_warning_vista_only(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"max_user_port\": 30000}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts,
        "max_user_port: WARNING: setting MaxUserPort = 30000 on Windows 10.0 (Vista or "
        "later) is not ignored: at the next boot Windows sets the TCP dynamic port range "
        "to 1024-30000 (netsh: start=1024 num=28977)"));
    assert_true(pt_test_has_warning(&f->opts, "set port_range instead"));
    assert_false(pt_test_has_warning(&f->opts, "RISK"));   /* one warning, not two */
    f->cur.windows_pre_vista = true;
    f->cur.windows_major = 5;
    opts(f, "{\"max_user_port\": 30000}");
    assert_int_equal(make(f), 0);
    assert_false(pt_test_has_warning(&f->opts, "MaxUserPort"));
}

/* MaxUserPort replaces the dynamic range at boot: a task asking for both
 * must ask for the same range, else nothing is done. */
static void plan_windows_max_user_port_contradicts_port_range(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"max_user_port\": 65534, \"port_range\": \"10000-59999\", "
            "\"time_wait_delay\": 60}");
    pt_test_assert_error(make(f), &f->err, PT_EINVAL, "max_user_port",
        "max_user_port: 65534 contradicts port_range 10000-59999 in the same task: on "
        "Windows Vista and later (this host: 10.0) MaxUserPort = 65534 makes "
        "Windows replace the TCP dynamic port range with 1024-65534 at the next boot. "
        "Give only one of them: port_range (recommended) or max_user_port. " NC, NULL);
    assert_false(f->plan.any_live);
    /* Even the range it implies cannot be asked for: netsh starts at 1025. */
    opts(f, "{\"max_user_port\": 65534, \"port_range\": [1025, 65534]}");
    pt_test_assert_error(make(f), &f->err, PT_EINVAL, "max_user_port", "contradicts", NULL);
    /* Either one alone is planned. */
    opts(f, "{\"port_range\": [1025, 65534]}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_PORT_RANGE].live);
    opts(f, "{\"max_user_port\": 20000, \"port_range\": \"10000-59999\", "
            "\"state\": \"absent\"}");
    assert_int_equal(make(f), 0);       /* absent asks for no values */
    /* Before Vista there is no dynamic range: port_range fails on its own. */
    f->cur.windows_pre_vista = true;
    f->cur.windows_major = 5;
    opts(f, "{\"max_user_port\": 20000, \"port_range\": \"10000-59999\"}");
    assert_int_equal(make(f), 0);
    assert_false(pt_test_has_warning(&f->opts, "contradicts"));
}

/* A MaxUserPort already in the registry of a modern Windows: every run that
 * does not set it warns, with the range it implies. */
static void plan_windows_existing_max_user_port_is_a_risk(void **state)
{
    fixture_t *f = *state;
    long long v = 0;

    assert_false(pt_mup_risk(&f->cur, &v));
    set_live(&f->cur, PT_K_MAX_USER_PORT, "65534", false);
    assert_true(pt_mup_risk(&f->cur, &v));
    assert_int_equal(v, 65534);
    opts(f, "{\"port_range\": \"10000-59999\"}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts,
        "RISK: MaxUserPort is 65534 in the registry of this Windows 10.0 host. Windows "
        "Vista and later do not ignore it: at the next boot Windows sets the TCP dynamic "
        "port range to 1024-65534 (netsh: start=1024 num=64511)"));
    assert_true(pt_test_has_warning(&f->opts, "a port_range set now lasts only until then"));
    /* Before Vista it is the client port limit it was made for. */
    f->cur.windows_pre_vista = true;
    assert_false(pt_mup_risk(&f->cur, &v));
    /* The pre-Vista default (absent) is no risk either. */
    f->cur.windows_pre_vista = false;
    set_live(&f->cur, PT_K_MAX_USER_PORT, "5000", true);
    assert_false(pt_mup_risk(&f->cur, &v));
}

static void mup_next_range_and_texts(void **state)
{
    uint32_t lo = 7, hi = 7;
    char buf[1024];

    (void)state;
    assert_true(pt_mup_next_range(65534, &lo, &hi));
    assert_int_equal(lo, 1024);
    assert_int_equal(hi, 65534);   /* nmap PR #3499: start=1024 num=64511 */
    assert_int_equal(hi - lo + 1, 64511);
    assert_true(pt_mup_next_range(5000, &lo, &hi));
    assert_int_equal(hi, 5000);
    lo = hi = 7;
    assert_false(pt_mup_next_range(4999, &lo, &hi));
    assert_false(pt_mup_next_range(70000, &lo, &hi));
    assert_int_equal(lo, 7);
    pt_mup_risk_text(70000, 6, 1, buf, sizeof(buf));
    assert_non_null(strstr(buf, "MaxUserPort is 70000 in the registry of this Windows 6.1 host"));
    assert_non_null(strstr(buf, "a range porttune cannot predict (70000 is outside 5000-65534"));
    pt_mup_set_text(20000, 6, 0, buf, sizeof(buf));
    assert_non_null(strstr(buf, "1024-20000 (netsh: start=1024 num=18977)"));
    pt_mup_risk_text(65534, 10, 0, buf, 40);   /* truncated, terminated */
    assert_int_equal(strlen(buf), 39);
}

static void plan_windows_backend_notes_become_warnings(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(pt_strlist_add(&f->cur.notes, "TcpTimedWaitDelay is 10 in the registry"), 0);
    opts(f, "{\"time_wait_delay\": 60}");
    assert_int_equal(make(f), 0);
    assert_true(pt_test_has_warning(&f->opts, "TcpTimedWaitDelay is 10 in the registry"));
}

static void plan_windows_apply_false_changes_nothing(void **state)
{
    fixture_t *f = *state;

    opts(f, "{\"time_wait_delay\": 60, \"apply\": false, \"persist\": true}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.any_live || f->plan.any_persist || f->plan.reboot_required);
}

static void plan_windows_absent_restores_originals(void **state)
{
    fixture_t *f = *state;

    set_live(&f->cur, PT_K_TIME_WAIT_DELAY, "60", false);
    set_live(&f->cur, PT_K_PORT_RANGE, "10000 65535", false);
    f->cur.key[PT_K_TIME_WAIT_DELAY].original = pt_test_value(PT_K_TIME_WAIT_DELAY, "120");
    f->cur.key[PT_K_TIME_WAIT_DELAY].original_set = true;
    f->cur.key[PT_K_PORT_RANGE].original = pt_test_value(PT_K_PORT_RANGE, "49152 65535");
    f->cur.key[PT_K_PORT_RANGE].original_set = true;
    opts(f, "{\"state\": \"absent\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_TIME_WAIT_DELAY].restore);
    assert_int_equal(f->plan.change[PT_K_TIME_WAIT_DELAY].target.num, 120);
    assert_true(f->plan.change[PT_K_PORT_RANGE].restore);
    assert_false(f->plan.change[PT_K_MAX_USER_PORT].live);       /* nothing recorded */
    assert_false(f->plan.change[PT_K_FIN_TIMEOUT].live);         /* not a Windows key */
    assert_true(f->plan.reboot_required);
    assert_false(f->plan.any_persist);
}

static json_t *result(fixture_t *f)
{
    json_t *r = pt_result_build(&f->opts, &f->cur, &f->plan, NULL);

    assert_non_null(r);
    return r;
}

static void result_windows_keys(void **state)
{
    fixture_t *f = *state;
    json_t *r, *s;

    opts(f, "{\"time_wait_delay\": 60, \"port_range\": \"10000-65535\", \"_ansible_diff\": true}");
    assert_int_equal(make(f), 0);
    r = result(f);
    assert_true(json_is_true(json_object_get(r, "changed")));
    assert_true(json_is_true(json_object_get(r, "reboot_required")));
    assert_null(json_object_get(r, "sysctl_file"));
    s = json_object_get(json_object_get(r, "settings"), "time_wait_delay");
    assert_string_equal(json_string_value(json_object_get(s, "name")), "TcpTimedWaitDelay");
    assert_int_equal(json_integer_value(json_object_get(s, "before")), 120);
    assert_int_equal(json_integer_value(json_object_get(s, "after")), 60);
    assert_true(json_is_true(json_object_get(s, "before_is_default")));
    assert_true(json_is_false(json_object_get(s, "persisted_changed")));
    s = json_object_get(json_object_get(r, "settings"), "port_range");
    assert_string_equal(json_string_value(json_object_get(s, "name")), "DynamicPortRange");
    assert_string_equal(json_string_value(json_object_get(s, "after")), "10000-65535");
    assert_true(json_is_false(json_object_get(s, "before_is_default")));
    s = json_object_get(r, "capacity");
    assert_int_equal(json_integer_value(json_object_get(s, "usable_ports")), 55536);
    /* TcpTimedWaitDelay takes effect at reboot: capacity uses today's value */
    assert_int_equal(json_integer_value(json_object_get(s, "time_wait_seconds")), 120);
    s = json_array_get(json_object_get(r, "diff"), 0);
    assert_string_equal(json_string_value(json_object_get(s, "before")),
                        "DynamicPortRange = 49152 65535\nTcpTimedWaitDelay = 120\n");
    assert_string_equal(json_string_value(json_object_get(s, "after")),
                        "DynamicPortRange = 10000 65535\nTcpTimedWaitDelay = 60\n");
    assert_int_equal(json_array_size(json_object_get(r, "diff")), 1);   /* no file on Windows */
    json_decref(r);
}

static void result_windows_unchanged_no_reboot(void **state)
{
    fixture_t *f = *state;
    json_t *r;

    opts(f, "{\"time_wait_delay\": 120}");
    assert_int_equal(make(f), 0);
    r = result(f);
    assert_true(json_is_false(json_object_get(r, "changed")));
    assert_true(json_is_false(json_object_get(r, "reboot_required")));
    json_decref(r);
}

static void options_windows_bounds(void **state)
{
    pt_options_t o;
    pt_error_t err;

    (void)state;
    pt_test_assert_error(pt_test_options("{\"time_wait_delay\": 10}", &o, &err), &err,
        PT_EINVAL, "time_wait_delay", "time_wait_delay: 10 is out of range; allowed values "
        "are 30-300.", NC, NULL);
    pt_options_free(&o);
    pt_test_assert_error(pt_test_options("{\"time_wait_delay\": 301}", &o, &err), &err,
        PT_EINVAL, "time_wait_delay", "301 is out of range", NULL);
    pt_options_free(&o);
    pt_test_assert_error(pt_test_options("{\"max_user_port\": 70000}", &o, &err), &err,
        PT_EINVAL, "max_user_port", "70000 is out of range; allowed values are 5000-65534",
        NULL);
    pt_options_free(&o);
    pt_test_assert_error(pt_test_options("{\"max_user_port\": 4999}", &o, &err), &err,
        PT_EINVAL, "max_user_port", "4999", NULL);
    pt_options_free(&o);
    pt_test_assert_error(pt_test_options("{\"time_wait_delay\": \"soon\"}", &o, &err), &err,
        PT_EINVAL, "time_wait_delay", "unable to convert to int", NULL);
    pt_options_free(&o);
    assert_int_equal(pt_test_options("{\"time_wait_delay\": \"300\", \"max_user_port\": 65534}",
                                     &o, &err), 0);
    assert_int_equal(o.want[PT_K_TIME_WAIT_DELAY].num, 300);
    pt_options_free(&o);
}

/* ---- reserved_ports: excluded port ranges shared with other software ---- */

/* As the backend reads them: live = every excluded port, original = those
 * not porttune's. */
static void set_excluded(fixture_t *f, const char *live, const char *others)
{
    pt_keystate_t *ks = &f->cur.key[PT_K_RESERVED_PORTS];

    ks->supported = true;
    set_live(&f->cur, PT_K_RESERVED_PORTS, live, false);
    pt_value_free(&ks->original);
    ks->original = pt_test_value(PT_K_RESERVED_PORTS, others);
    ks->original_set = true;
}

static void plan_windows_reserved_adds_to_others_ranges(void **state)
{
    fixture_t *f = *state;

    set_excluded(f, "5357,50000-50059", "5357,50000-50059");
    opts(f, "{\"reserved_ports\": \"8080,50010-50020\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_RESERVED_PORTS].live);
    assert_string_equal(pt_test_fmt(&f->plan.change[PT_K_RESERVED_PORTS].target),
                        "5357,8080,50000-50059");
    assert_false(f->plan.reboot_required);
    assert_false(f->plan.any_persist);
    assert_false(pt_test_has_warning(&f->opts, "reserved_ports"));
}

static void plan_windows_reserved_covered_by_anyone_is_no_change(void **state)
{
    fixture_t *f = *state;

    set_excluded(f, "5357,8080,50000-50059", "5357,50000-50059");
    opts(f, "{\"reserved_ports\": [8080, \"50010-50020\", 5357]}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.change[PT_K_RESERVED_PORTS].live);
    assert_false(f->plan.any_live);
}

/* A range porttune added and the list no longer has goes; others' stay. */
static void plan_windows_reserved_drops_own_unlisted_ranges(void **state)
{
    fixture_t *f = *state;

    set_excluded(f, "5357,8080,9000-9100,50000-50059", "5357,50000-50059");
    opts(f, "{\"reserved_ports\": \"8080\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_RESERVED_PORTS].live);
    assert_string_equal(pt_test_fmt(&f->plan.change[PT_K_RESERVED_PORTS].target),
                        "5357,8080,50000-50059");
}

static void plan_windows_reserved_absent_keeps_others_ranges(void **state)
{
    fixture_t *f = *state;

    set_excluded(f, "5357,8080,50000-50059", "5357,50000-50059");
    opts(f, "{\"state\": \"absent\"}");
    assert_int_equal(make(f), 0);
    assert_true(f->plan.change[PT_K_RESERVED_PORTS].restore);
    assert_string_equal(pt_test_fmt(&f->plan.change[PT_K_RESERVED_PORTS].target),
                        "5357,50000-50059");
    set_excluded(f, "5357,50000-50059", "5357,50000-50059");
    opts(f, "{\"state\": \"absent\", \"reserved_ports\": \"1\"}");
    assert_int_equal(make(f), 0);
    assert_false(f->plan.any_live);
}

static void result_windows_reserved_name_and_capacity(void **state)
{
    fixture_t *f = *state;
    json_t *r, *s;

    set_excluded(f, "5357,50000-50059", "5357,50000-50059");
    opts(f, "{\"reserved_ports\": \"8080\", \"_ansible_diff\": true}");
    assert_int_equal(make(f), 0);
    r = pt_result_build(&f->opts, &f->cur, &f->plan, NULL);
    assert_non_null(r);
    s = json_object_get(json_object_get(r, "settings"), "reserved_ports");
    assert_string_equal(json_string_value(json_object_get(s, "name")), "ExcludedPortRange");
    assert_string_equal(json_string_value(json_object_get(s, "after")), "5357,8080,50000-50059");
    /* 50000-50059 lie in the dynamic range 49152-65535: 60 ports fewer. */
    s = json_object_get(r, "capacity");
    assert_int_equal(json_integer_value(json_object_get(s, "reserved_in_range")), 60);
    assert_int_equal(json_integer_value(json_object_get(s, "usable_ports")), 16384 - 60);
    /* 16324 ports / 120 s of TIME_WAIT (Windows' default) = 136.03 per second. */
    assert_true(json_real_value(json_object_get(s, "max_new_connections_per_second")) == 136.03);
    json_decref(r);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(plan_windows_registry_change_needs_reboot_not_persist),
        T(plan_windows_nothing_to_do_when_equal),
        T(plan_windows_default_equals_request_is_no_change),
        T(plan_windows_port_range_needs_no_reboot),
        T(plan_windows_port_range_limits),
        T(plan_windows_linux_keys_skipped_with_warning),
        T(plan_windows_max_user_port_warning_vista_only),
        T(plan_windows_max_user_port_contradicts_port_range),
        T(plan_windows_existing_max_user_port_is_a_risk),
        cmocka_unit_test(mup_next_range_and_texts),
        T(plan_windows_backend_notes_become_warnings),
        T(plan_windows_apply_false_changes_nothing),
        T(plan_windows_absent_restores_originals),
        T(plan_windows_reserved_adds_to_others_ranges),
        T(plan_windows_reserved_covered_by_anyone_is_no_change),
        T(plan_windows_reserved_drops_own_unlisted_ranges),
        T(plan_windows_reserved_absent_keeps_others_ranges),
        T(result_windows_reserved_name_and_capacity),
        T(result_windows_keys),
        T(result_windows_unchanged_no_reboot),
        cmocka_unit_test(options_windows_bounds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
