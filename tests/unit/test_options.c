/* SPDX-License-Identifier: MIT */
/* Unit tests of task arguments -> options: Ansible coercion and every validation message. */
#include "helpers.h"

#define NC "Nothing was changed."

/* Options from json over a start that is not the default: every bool set to
 * bools (apply and persist default to true, the others to false), conflicts
 * and state as given. A key that is read must overwrite the start, so a test
 * over the opposite start proves the key was read, not that the default held. */
static int options_over(const char *json, bool bools, pt_conflicts_mode_t conflicts,
                        pt_state_t st, pt_options_t *o, pt_error_t *e)
{
    json_error_t jerr;
    json_t *args = json_loads(json, 0, &jerr);
    int rc;

    if (args == NULL)
        fail_msg("bad test JSON %s: %s", json, jerr.text);
    pt_options_init(o);
    pt_error_init(e);
    o->apply = o->persist = o->backup = o->check_mode = o->diff = bools;
    o->conflicts = conflicts;
    o->state = st;
    rc = pt_options_from_json(args, o, e);
    json_decref(args);
    return rc;
}

static void options_defaults_when_only_a_key_is_given(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int k;

    (void)state;
    assert_int_equal(pt_test_options("{\"fin_timeout\": 30}", &o, &e), 0);
    assert_true(o.apply);
    assert_true(o.persist);
    assert_false(o.backup);
    assert_false(o.check_mode);
    assert_false(o.diff);
    assert_int_equal(o.state, PT_STATE_PRESENT);
    assert_int_equal(o.conflicts, PT_CONFLICTS_WARN);
    assert_string_equal(o.sysctl_file, PT_DEFAULT_SYSCTL_FILE);
    assert_string_equal(o.state_file, PT_DEFAULT_STATE_FILE);
    for (k = 0; k < PT_K__COUNT; k++)
        assert_int_equal(o.has[k], k == PT_K_FIN_TIMEOUT);
    assert_int_equal(o.want[PT_K_FIN_TIMEOUT].type, PT_T_INT);
    assert_int_equal(o.want[PT_K_FIN_TIMEOUT].num, 30);
    assert_int_equal(o.warnings.n, 0);
    pt_options_free(&o);
}

static void options_empty_object_is_valid(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int k;

    (void)state;
    assert_int_equal(pt_test_options("{}", &o, &e), 0);
    for (k = 0; k < PT_K__COUNT; k++)
        assert_false(o.has[k]);
    pt_options_free(&o);
}

static void options_int_accepts_strings_and_integral_floats(void **state)
{
    static const struct { const char *json; long long want; } cases[] = {
        { "{\"fin_timeout\": \"30\"}", 30 },
        { "{\"fin_timeout\": \" 45 \"}", 45 },
        { "{\"fin_timeout\": \"+50\"}", 50 },
        { "{\"fin_timeout\": 30.0}", 30 },
        { "{\"fin_timeout\": 300}", 300 },
        { "{\"fin_timeout\": 1}", 1 },
        { "{\"fin_timeout\": \"0x1e\"}", 30 },    /* DWORD-style hex */
        { "{\"fin_timeout\": \"0X3C\"}", 60 },
    };
    pt_options_t o;
    pt_error_t e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (pt_test_options(cases[i].json, &o, &e) != 0)
            fail_msg("%s: %s", cases[i].json, e.msg);
        assert_true(o.has[PT_K_FIN_TIMEOUT]);
        assert_int_equal(o.want[PT_K_FIN_TIMEOUT].num, cases[i].want);
        pt_options_free(&o);
    }
}

static void options_int_keys_all_coerce_from_strings(void **state)
{
    pt_options_t o;
    pt_error_t e;

    (void)state;
    assert_int_equal(pt_test_options("{\"tw_reuse\": \"1\", \"tw_reuse_delay\": \"500\", "
                                     "\"max_tw_buckets\": \"0\", \"time_wait_delay\": \"30\", "
                                     "\"max_user_port\": \"65534\"}", &o, &e), 0);
    assert_int_equal(o.want[PT_K_TW_REUSE].num, 1);
    assert_int_equal(o.want[PT_K_TW_REUSE_DELAY].num, 500);
    assert_int_equal(o.want[PT_K_MAX_TW_BUCKETS].num, 0);
    assert_true(o.has[PT_K_MAX_TW_BUCKETS]);
    assert_int_equal(o.want[PT_K_TIME_WAIT_DELAY].num, 30);
    assert_int_equal(o.want[PT_K_MAX_USER_PORT].num, 65534);
    pt_options_free(&o);
}

static void options_int_rejects_words(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int rc;

    (void)state;
    rc = pt_test_options("{\"fin_timeout\": \"thirty\"}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "fin_timeout",
        "argument 'fin_timeout' is of type str and we were unable to convert to int",
        "'thirty' is not a whole number", NC, NULL);
    pt_options_free(&o);
    rc = pt_test_options("{\"fin_timeout\": \"30s\"}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "fin_timeout", "'30s'", NC, NULL);
    pt_options_free(&o);
    rc = pt_test_options("{\"fin_timeout\": \"0x\"}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "fin_timeout", "'0x'", NC, NULL);
    pt_options_free(&o);
    rc = pt_test_options("{\"fin_timeout\": \"0x1g\"}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "fin_timeout", "'0x1g'", NC, NULL);
    pt_options_free(&o);
    rc = pt_test_options("{\"max_tw_buckets\": \"\"}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "max_tw_buckets", "of type str", NC, NULL);
    pt_options_free(&o);
}

static void options_int_rejects_fractions_lists_and_bools(void **state)
{
    static const struct { const char *json; const char *type; } cases[] = {
        { "{\"tw_reuse\": 1.5}", "of type float" },
        { "{\"tw_reuse\": [1]}", "of type list" },
        { "{\"tw_reuse\": {\"a\": 1}}", "of type dict" },
        { "{\"tw_reuse\": true}", "of type bool" },
    };
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = pt_test_options(cases[i].json, &o, &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, "tw_reuse", "argument 'tw_reuse'",
                             cases[i].type, "unable to convert to int", NC, NULL);
        assert_false(o.has[PT_K_TW_REUSE]);
        pt_options_free(&o);
    }
}

static void options_int_out_of_range_names_bounds(void **state)
{
    static const struct { const char *json, *object, *value, *bounds; } cases[] = {
        { "{\"fin_timeout\": 0}", "fin_timeout", "0 is out of range", "1-300" },
        { "{\"fin_timeout\": \"301\"}", "fin_timeout", "301 is out of range", "1-300" },
        { "{\"fin_timeout\": -1}", "fin_timeout", "-1 is out of range", "1-300" },
        { "{\"tw_reuse\": 3}", "tw_reuse", "3 is out of range", "0-2" },
        { "{\"tw_reuse\": -1}", "tw_reuse", "-1 is out of range", "0-2" },
        { "{\"tw_reuse_delay\": 0}", "tw_reuse_delay", "0 is out of range", "1-60000" },
        { "{\"tw_reuse_delay\": 60001}", "tw_reuse_delay", "60001 is out of range", "1-60000" },
        { "{\"max_tw_buckets\": -5}", "max_tw_buckets", "-5 is out of range", "0-16777216" },
        { "{\"max_tw_buckets\": 16777217}", "max_tw_buckets", "16777217 is out of range", "0-16777216" },
        { "{\"time_wait_delay\": 29}", "time_wait_delay", "29 is out of range", "30-300" },
        { "{\"max_user_port\": 65535}", "max_user_port", "65535 is out of range", "5000-65534" },
    };
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = pt_test_options(cases[i].json, &o, &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, cases[i].object, cases[i].value,
                             cases[i].bounds, NC, NULL);
        pt_options_free(&o);
    }
}

static void options_bool_true_spellings(void **state)
{
    static const char *const spellings[] = {
        "true", "\"yes\"", "\"on\"", "\"1\"", "\"true\"", "\"True\"", "\"YES\"", "\"y\"",
        "\"t\"", "\"On\"", "1", "1.0",
    };
    char json[300];
    pt_options_t o;
    pt_error_t e;
    size_t i;
    const char *s;

    (void)state;
    for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        s = spellings[i];
        /* every bool starts false (apply and persist against their default) */
        snprintf(json, sizeof(json), "{\"apply\": %s, \"persist\": %s, \"backup\": %s, "
                 "\"_ansible_check_mode\": %s, \"_ansible_diff\": %s}", s, s, s, s, s);
        if (options_over(json, false, PT_CONFLICTS_WARN, PT_STATE_PRESENT, &o, &e) != 0)
            fail_msg("%s: %s", json, e.msg);
        if (!(o.apply && o.persist && o.backup && o.check_mode && o.diff))
            fail_msg("%s: apply %d persist %d backup %d check_mode %d diff %d, want all 1", json,
                     o.apply, o.persist, o.backup, o.check_mode, o.diff);
        pt_options_free(&o);
    }
}

static void options_bool_false_spellings(void **state)
{
    static const char *const spellings[] = {
        "false", "\"no\"", "\"off\"", "\"0\"", "\"false\"", "\"False\"", "\"NO\"", "\"n\"",
        "\"f\"", "\"Off\"", "0", "0.0",
    };
    char json[300];
    pt_options_t o;
    pt_error_t e;
    size_t i;
    const char *s;

    (void)state;
    for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        s = spellings[i];
        /* every bool starts true (backup, check mode, diff against their default) */
        snprintf(json, sizeof(json), "{\"apply\": %s, \"persist\": %s, \"backup\": %s, "
                 "\"_ansible_check_mode\": %s, \"_ansible_diff\": %s}", s, s, s, s, s);
        if (options_over(json, true, PT_CONFLICTS_WARN, PT_STATE_PRESENT, &o, &e) != 0)
            fail_msg("%s: %s", json, e.msg);
        if (o.apply || o.persist || o.backup || o.check_mode || o.diff)
            fail_msg("%s: apply %d persist %d backup %d check_mode %d diff %d, want all 0", json,
                     o.apply, o.persist, o.backup, o.check_mode, o.diff);
        pt_options_free(&o);
    }
}

static void options_bool_rejects_other_values(void **state)
{
    static const struct { const char *json, *object, *type; } cases[] = {
        { "{\"apply\": \"maybe\"}", "apply", "of type str" },
        { "{\"persist\": 2}", "persist", "of type int" },
        { "{\"backup\": []}", "backup", "of type list" },
        { "{\"backup\": \"\"}", "backup", "of type str" },
        { "{\"apply\": {}}", "apply", "of type dict" },
        { "{\"_ansible_check_mode\": \"perhaps\"}", "_ansible_check_mode", "of type str" },
        { "{\"_ansible_diff\": 7}", "_ansible_diff", "of type int" },
    };
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;
    char arg[64];

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = pt_test_options(cases[i].json, &o, &e);
        snprintf(arg, sizeof(arg), "argument '%s'", cases[i].object);
        pt_test_assert_error(rc, &e, PT_EINVAL, cases[i].object, arg, cases[i].type,
                             "unable to convert to bool",
                             "valid booleans include: yes, no, true, false, on, off, 1, 0",
                             NC, NULL);
        pt_options_free(&o);
    }
}

static void options_null_means_unset(void **state)
{
    static const char json[] =
        "{\"fin_timeout\": null, \"port_range\": null, \"reserved_ports\": null, "
        "\"apply\": null, \"persist\": null, \"backup\": null, \"state\": null, "
        "\"conflicts\": null, \"sysctl_file\": null, \"state_file\": null, "
        "\"_ansible_check_mode\": null, \"_ansible_diff\": null, \"tw_reuse\": 1}";
    pt_options_t o;
    pt_error_t e;
    bool b;

    (void)state;
    /* null leaves each option where it was: from either start, against the
     * default in one of them */
    for (b = false;; b = true) {
        assert_int_equal(options_over(json, b, b ? PT_CONFLICTS_FAIL : PT_CONFLICTS_IGNORE,
                                      b ? PT_STATE_ABSENT : PT_STATE_PRESENT, &o, &e), 0);
        assert_false(o.has[PT_K_FIN_TIMEOUT]);
        assert_false(o.has[PT_K_PORT_RANGE]);
        assert_false(o.has[PT_K_RESERVED_PORTS]);
        assert_true(o.has[PT_K_TW_REUSE]);
        assert_int_equal(o.apply, b);
        assert_int_equal(o.persist, b);
        assert_int_equal(o.backup, b);
        assert_int_equal(o.check_mode, b);
        assert_int_equal(o.diff, b);
        assert_int_equal(o.state, b ? PT_STATE_ABSENT : PT_STATE_PRESENT);
        assert_int_equal(o.conflicts, b ? PT_CONFLICTS_FAIL : PT_CONFLICTS_IGNORE);
        assert_string_equal(o.sysctl_file, PT_DEFAULT_SYSCTL_FILE);
        assert_string_equal(o.state_file, PT_DEFAULT_STATE_FILE);
        pt_options_free(&o);
        if (b)
            break;
    }
}

static void options_check_mode_and_diff_honoured(void **state)
{
    pt_options_t o;
    pt_error_t e;

    (void)state;
    assert_int_equal(options_over("{\"_ansible_check_mode\": true, \"_ansible_diff\": \"yes\"}",
                                  false, PT_CONFLICTS_WARN, PT_STATE_PRESENT, &o, &e), 0);
    assert_true(o.check_mode);
    assert_true(o.diff);
    pt_options_free(&o);
    /* false over a start of true: the default (false) would prove nothing */
    assert_int_equal(options_over("{\"_ansible_check_mode\": \"no\", \"_ansible_diff\": false}",
                                  true, PT_CONFLICTS_WARN, PT_STATE_PRESENT, &o, &e), 0);
    assert_false(o.check_mode);
    assert_false(o.diff);
    pt_options_free(&o);
}

static void options_other_ansible_keys_ignored(void **state)
{
    pt_options_t o;
    pt_error_t e;

    (void)state;
    assert_int_equal(pt_test_options(
        "{\"_ansible_module_name\": \"porttune\", \"_ansible_verbosity\": 3, "
        "\"_ansible_no_log\": false, \"_ansible_debug\": \"not a bool\", "
        "\"_ansible_remote_tmp\": \"~/.ansible/tmp\", \"_ansible_future_key\": {\"x\": [1]}, "
        "\"fin_timeout\": 40}", &o, &e), 0);
    assert_int_equal(o.want[PT_K_FIN_TIMEOUT].num, 40);
    assert_false(o.check_mode);
    assert_int_equal(o.warnings.n, 0);
    pt_options_free(&o);
}

static void options_unknown_key_rejected_in_ansible_words(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int rc;

    (void)state;
    rc = pt_test_options("{\"fin_timeout\": 30, \"bogus\": 1}", &o, &e);
    assert_int_equal(rc, PT_EINVAL);
    assert_int_equal(e.code, PT_EINVAL);
    assert_string_equal(e.object, "bogus");
    assert_string_equal(e.msg,
        "Unsupported parameters for (porttune) module: bogus. Supported parameters include: "
        "apply, backup, conflicts, fin_timeout, max_tw_buckets, max_user_port, persist, "
        "port_range, reserved_ports, state, state_file, sysctl_file, time_wait_delay, "
        "tw_reuse, tw_reuse_delay.");
    pt_options_free(&o);
}

static void options_unknown_keys_listed_sorted(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int rc;

    (void)state;
    rc = pt_test_options("{\"zeta\": 1, \"ansible_check_mode\": true, \"alpha\": 2}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "alpha",
        "Unsupported parameters for (porttune) module: alpha, ansible_check_mode, zeta. "
        "Supported parameters include: apply, ", NULL);
    pt_options_free(&o);
}

static void options_unknown_key_checked_before_values(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int rc;

    (void)state;
    /* Ansible reports unsupported parameters before it coerces any value. */
    rc = pt_test_options("{\"fin_timeout\": \"x\", \"Fin_Timeout\": 30}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "Fin_Timeout",
                         "Unsupported parameters for (porttune) module: Fin_Timeout.", NULL);
    pt_options_free(&o);
}

static void options_args_must_be_an_object(void **state)
{
    static const char *const cases[] = { "[]", "\"fin_timeout\"", "42", "null" };
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *args = json_loads(cases[i], JSON_DECODE_ANY, NULL);
        assert_non_null(args);
        pt_options_init(&o);
        pt_error_init(&e);
        rc = pt_options_from_json(args, &o, &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, "args", "must be a JSON object", NC, NULL);
        json_decref(args);
        pt_options_free(&o);
    }
}

static void options_port_range_forms_are_equal(void **state)
{
    static const char *const cases[] = {
        "\"1024-65535\"", "\"1024 65535\"", "[1024, 65535]", "[\"1024\", \"65535\"]",
        "\" 1024 - 65535 \"", "\"1024\\t65535\"", "[1024.0, 65535]",
    };
    char json[200];
    pt_options_t o;
    pt_error_t e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(json, sizeof(json), "{\"port_range\": %s}", cases[i]);
        if (pt_test_options(json, &o, &e) != 0)
            fail_msg("%s: %s", json, e.msg);
        assert_int_equal(o.want[PT_K_PORT_RANGE].type, PT_T_RANGE);
        assert_int_equal(o.want[PT_K_PORT_RANGE].range.lo, 1024);
        assert_int_equal(o.want[PT_K_PORT_RANGE].range.hi, 65535);
        pt_options_free(&o);
    }
}

static void options_port_range_rejections(void **state)
{
    static const struct { const char *json; const char *parts[3]; } cases[] = {
        { "\"60999-32768\"", { "the range 60999-32768 ends before it starts", NULL } },
        { "[60999, 32768]", { "the range 60999-32768 ends before it starts", NULL } },
        { "\"0-100\"", { "0 is not a port", "ports are 1-65535" } },
        { "\"1024-65536\"", { "65536 is not a port", "ports are 1-65535" } },
        { "[1024, 70000]", { "70000 is not a port", NULL } },
        { "[-5, 100]", { "-5 is not a port", NULL } },
        { "\"abc\"", { "'abc' is not a port range", "such as '1024-65535'" } },
        { "\"1024-\"", { "'1024-' is not a port range", NULL } },
        { "\"1024\"", { "'1024' is not a port range", NULL } },
        { "\"1024-2048-4096\"", { "is not a port range", NULL } },
        { "\"-1024-2048\"", { "is not a port range", NULL } },
        { "\"99999999999-1\"", { "is not a port range", NULL } },
        { "{\"a\": 1}", { "expected \"START-END\", \"START END\" or [START, END], got a dict", NULL } },
        { "[1, 2, 3]", { "got a list", NULL } },
        { "1024", { "expected \"START-END\"", "int" } },
        { "[\"x\", 2]", { "argument 'port_range' is of type str", "'x' is not a whole number" } },
    };
    char json[200];
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(json, sizeof(json), "{\"port_range\": %s}", cases[i].json);
        rc = pt_test_options(json, &o, &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, "port_range", cases[i].parts[0],
                             cases[i].parts[1] ? cases[i].parts[1] : NC, NC, NULL);
        pt_options_free(&o);
    }
}

static void options_reserved_ports_forms_are_canonical(void **state)
{
    static const char *const cases[] = {
        "\"8081,8080,9000-9100\"", "\"8080-8081,9000-9100\"", "[8080, 8081, \"9000-9100\"]",
        "[\"9000-9100\", \"8081\", 8080]", "[\"8080-8081\", \"9000-9050\", \"9040-9100\"]",
        "\" 8080 , 8081,9000 - 9100 \"", "[\"8080,8081\", \"9000-9100\"]",
    };
    char json[200];
    pt_options_t o;
    pt_error_t e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(json, sizeof(json), "{\"reserved_ports\": %s}", cases[i]);
        if (pt_test_options(json, &o, &e) != 0)
            fail_msg("%s: %s", json, e.msg);
        assert_true(o.has[PT_K_RESERVED_PORTS]);
        assert_string_equal(pt_test_fmt(&o.want[PT_K_RESERVED_PORTS]), "8080-8081,9000-9100");
        pt_options_free(&o);
    }
}

static void options_reserved_ports_single_and_empty(void **state)
{
    pt_options_t o;
    pt_error_t e;

    (void)state;
    assert_int_equal(pt_test_options("{\"reserved_ports\": 8080}", &o, &e), 0);
    assert_string_equal(pt_test_fmt(&o.want[PT_K_RESERVED_PORTS]), "8080");
    pt_options_free(&o);
    assert_int_equal(pt_test_options("{\"reserved_ports\": \"\"}", &o, &e), 0);
    assert_true(o.has[PT_K_RESERVED_PORTS]);   /* "" clears the set: it is not "unset" */
    assert_int_equal(o.want[PT_K_RESERVED_PORTS].nset, 0);
    pt_options_free(&o);
    assert_int_equal(pt_test_options("{\"reserved_ports\": []}", &o, &e), 0);
    assert_true(o.has[PT_K_RESERVED_PORTS]);
    assert_int_equal(o.want[PT_K_RESERVED_PORTS].nset, 0);
    pt_options_free(&o);
}

static void options_reserved_ports_rejections(void **state)
{
    static const struct { const char *json; const char *part; } cases[] = {
        { "\"0\"", "0 is not a port; ports are 1-65535" },
        { "\"8080,65536\"", "65536 is not a port" },
        { "\"9100-9000\"", "the range '9100-9000' ends before it starts" },
        { "\"8080,,9000\"", "'8080,,9000' is not a list of ports" },
        { "\"8080,\"", "'8080,' is not a list of ports" },
        { "\"8080;9000\"", "is not a list of ports" },
        { "\"http\"", "'http' is not a list of ports" },
        { "70000", "70000 is not a port" },
        { "0", "0 is not a port" },
        { "[8080, 0]", "0 is not a port" },
        { "[8080, \"x\"]", "'x' is not a list of ports" },
        { "[true]", "item 1 is a bool; list items must be ports or \"START-END\" ranges" },
        { "[8080, [9000]]", "item 2 is a list" },
        { "[8080, null]", "item 2 is a NoneType" },
        { "{\"a\": 1}", "expected a list of ports and ranges or a string such as \"8080,9000-9100\", got a dict" },
        { "true", "got a bool" },
        { "8080.5", "argument 'reserved_ports' is of type float" },
    };
    char json[200];
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(json, sizeof(json), "{\"reserved_ports\": %s}", cases[i].json);
        rc = pt_test_options(json, &o, &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, "reserved_ports", cases[i].part, NC, NULL);
        assert_int_equal(o.want[PT_K_RESERVED_PORTS].nset, 0);
        assert_null(o.want[PT_K_RESERVED_PORTS].set);
        pt_options_free(&o);
    }
}

static void options_choices(void **state)
{
    static const struct {
        const char *json;
        pt_conflicts_mode_t start_c, want_c;
        pt_state_t start_s, want_s;
    } cases[] = {   /* each from a start that is not what it asks for */
        { "{\"conflicts\": \"fail\", \"state\": \"absent\"}",
          PT_CONFLICTS_WARN, PT_CONFLICTS_FAIL, PT_STATE_PRESENT, PT_STATE_ABSENT },
        { "{\"conflicts\": \"ignore\", \"state\": \"present\"}",
          PT_CONFLICTS_FAIL, PT_CONFLICTS_IGNORE, PT_STATE_ABSENT, PT_STATE_PRESENT },
        { "{\"conflicts\": \"warn\", \"state\": \"present\"}",
          PT_CONFLICTS_IGNORE, PT_CONFLICTS_WARN, PT_STATE_ABSENT, PT_STATE_PRESENT },
        { "{\"conflicts\": \"warn\"}",
          PT_CONFLICTS_FAIL, PT_CONFLICTS_WARN, PT_STATE_ABSENT, PT_STATE_ABSENT },
    };
    pt_options_t o;
    pt_error_t e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(options_over(cases[i].json, false, cases[i].start_c, cases[i].start_s,
                                      &o, &e), 0);
        if (o.conflicts != cases[i].want_c || o.state != cases[i].want_s)
            fail_msg("%s: conflicts %d state %d, want %d %d", cases[i].json, o.conflicts, o.state,
                     cases[i].want_c, cases[i].want_s);
        pt_options_free(&o);
    }
}

static void options_choice_rejections(void **state)
{
    static const struct { const char *json, *object, *part; } cases[] = {
        { "{\"conflicts\": \"maybe\"}", "conflicts",
          "value of conflicts must be one of: warn, fail, ignore, got: maybe. " NC },
        { "{\"conflicts\": \"Warn\"}", "conflicts", "got: Warn" },
        { "{\"conflicts\": 1}", "conflicts", "value of conflicts must be one of: warn, fail, ignore, got: int" },
        { "{\"state\": \"gone\"}", "state", "value of state must be one of: present, absent, got: gone. " NC },
        { "{\"state\": true}", "state", "got: bool" },
    };
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = pt_test_options(cases[i].json, &o, &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, cases[i].object, cases[i].part, NC, NULL);
        pt_options_free(&o);
    }
}

static void options_paths(void **state)
{
    pt_options_t o;
    pt_error_t e;

    (void)state;
    assert_int_equal(pt_test_options("{\"sysctl_file\": \"/etc/sysctl.conf\", "
                                     "\"state_file\": \"/tmp/s.json\"}", &o, &e), 0);
    assert_string_equal(o.sysctl_file, "/etc/sysctl.conf");
    assert_string_equal(o.state_file, "/tmp/s.json");
    pt_options_free(&o);
}

static void options_path_rejections(void **state)
{
    static const struct { const char *json, *object, *part; } cases[] = {
        { "{\"sysctl_file\": \"etc/sysctl.d/x.conf\"}", "sysctl_file",
          "sysctl_file must be an absolute path of at most 1024 characters" },
        { "{\"sysctl_file\": \"\"}", "sysctl_file", "must be an absolute path" },
        { "{\"sysctl_file\": 5}", "sysctl_file", "must be an absolute path" },
        { "{\"sysctl_file\": \"/etc/sysctl.d/a\\nb.conf\"}", "sysctl_file",
          "sysctl_file must not contain control characters" },
        { "{\"state_file\": \"state.json\"}", "state_file",
          "state_file must be an absolute path" },
        { "{\"state_file\": \"/var/\\u007f\"}", "state_file",
          "state_file must not contain control characters" },
        { "{\"sysctl_file\": \"/etc/sysctl.d/../x.conf\"}", "sysctl_file",
          "no '.', '..' or empty components" },
        { "{\"sysctl_file\": \"/etc//sysctl.d/x.conf\"}", "sysctl_file", "empty components" },
        { "{\"sysctl_file\": \"/etc/./x.conf\"}", "sysctl_file", "got '/etc/./x.conf'" },
        { "{\"sysctl_file\": \"/etc/sysctl.d/\"}", "sysctl_file", "no trailing '/'" },
        { "{\"state_file\": \"/var/lib/..\"}", "state_file", "must be a plain path to a file" },
    };
    pt_options_t o;
    pt_error_t e;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = pt_test_options(cases[i].json, &o, &e);
        pt_test_assert_error(rc, &e, PT_EINVAL, cases[i].object, cases[i].part, NC, NULL);
        pt_options_free(&o);
    }
}

static void options_path_length_limit(void **state)
{
    char path[1100], json[1200];
    pt_options_t o;
    pt_error_t e;
    int rc;

    (void)state;
    memset(path, 'a', sizeof(path));
    path[0] = '/';
    path[1024] = '\0';          /* exactly 1024 characters: allowed */
    snprintf(json, sizeof(json), "{\"sysctl_file\": \"%s\"}", path);
    assert_int_equal(pt_test_options(json, &o, &e), 0);
    assert_int_equal(strlen(o.sysctl_file), 1024);
    pt_options_free(&o);
    path[1024] = 'a';
    path[1025] = '\0';          /* 1025: refused */
    snprintf(json, sizeof(json), "{\"sysctl_file\": \"%s\"}", path);
    rc = pt_test_options(json, &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "sysctl_file", "at most 1024 characters", NC, NULL);
    pt_options_free(&o);
}

static void options_first_error_wins(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int rc;

    (void)state;
    /* jansson keeps insertion order; the first bad option is reported. */
    rc = pt_test_options("{\"tw_reuse\": 9, \"fin_timeout\": \"x\"}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "tw_reuse", "9 is out of range", NC, NULL);
    pt_options_free(&o);
}

static void options_error_leaves_no_leak_when_freed(void **state)
{
    pt_options_t o;
    pt_error_t e;
    int rc;

    (void)state;
    /* A valid set is parsed and owned before a later option fails. */
    rc = pt_test_options("{\"reserved_ports\": \"8080,9000-9100\", \"sysctl_file\": \"/x.conf\", "
                         "\"state\": \"nope\"}", &o, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "state", "got: nope", NULL);
    assert_int_equal(o.want[PT_K_RESERVED_PORTS].nset, 2);
    pt_options_free(&o);   /* ASan reports a leak if free misses an owned part */
    assert_null(o.sysctl_file);
    assert_null(o.want[PT_K_RESERVED_PORTS].set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_defaults_when_only_a_key_is_given),
        cmocka_unit_test(options_empty_object_is_valid),
        cmocka_unit_test(options_int_accepts_strings_and_integral_floats),
        cmocka_unit_test(options_int_keys_all_coerce_from_strings),
        cmocka_unit_test(options_int_rejects_words),
        cmocka_unit_test(options_int_rejects_fractions_lists_and_bools),
        cmocka_unit_test(options_int_out_of_range_names_bounds),
        cmocka_unit_test(options_bool_true_spellings),
        cmocka_unit_test(options_bool_false_spellings),
        cmocka_unit_test(options_bool_rejects_other_values),
        cmocka_unit_test(options_null_means_unset),
        cmocka_unit_test(options_check_mode_and_diff_honoured),
        cmocka_unit_test(options_other_ansible_keys_ignored),
        cmocka_unit_test(options_unknown_key_rejected_in_ansible_words),
        cmocka_unit_test(options_unknown_keys_listed_sorted),
        cmocka_unit_test(options_unknown_key_checked_before_values),
        cmocka_unit_test(options_args_must_be_an_object),
        cmocka_unit_test(options_port_range_forms_are_equal),
        cmocka_unit_test(options_port_range_rejections),
        cmocka_unit_test(options_reserved_ports_forms_are_canonical),
        cmocka_unit_test(options_reserved_ports_single_and_empty),
        cmocka_unit_test(options_reserved_ports_rejections),
        cmocka_unit_test(options_choices),
        cmocka_unit_test(options_choice_rejections),
        cmocka_unit_test(options_paths),
        cmocka_unit_test(options_path_rejections),
        cmocka_unit_test(options_path_length_limit),
        cmocka_unit_test(options_first_error_wins),
        cmocka_unit_test(options_error_leaves_no_leak_when_freed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
