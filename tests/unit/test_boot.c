/* SPDX-License-Identifier: MIT */
/* Unit tests of the boot-order model (core/boot.c) and the kernel's value grammar (core/kvalue.c). */
#include "helpers.h"
#include "core/boot.h"
#include "core/core.h"

#define ALL ((1u << PT_K__COUNT) - 1)

typedef struct model {
    pt_current_t cur;
    pt_error_t err;
} model_t;

static int setup(void **state)
{
    model_t *m = calloc(1, sizeof(*m));

    *state = m;
    return m == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    model_t *m = *state;

    pt_current_free(&m->cur);
    free(m);
    return 0;
}

/* Runs the model over up to four texts named a.conf, b.conf, ... in order. */
static void run(model_t *m, long ours, const char *t0, const char *t1, const char *t2)
{
    const char *texts[] = { t0, t1, t2 };
    static const char *const names[] = { "/a.conf", "/b.conf", "/c.conf" };
    pt_boot_file_t files[3];
    size_t n = 0, i;

    pt_current_free(&m->cur);
    for (i = 0; i < 3 && texts[i] != NULL; i++, n++) {
        files[i].path = names[i];
        files[i].text = texts[i];
        files[i].len = strlen(texts[i]);
        files[i].masked_by_ours = false;
    }
    pt_error_init(&m->err);
    assert_int_equal(pt_boot_model(files, n, ours, ALL, &m->cur, &m->err), 0);
}

static void assert_boot(const model_t *m, pt_key_t k, long long num, const char *source)
{
    const pt_keystate_t *ks = &m->cur.key[k];

    if (!ks->boot_set)
        fail_msg("%s: not set at boot (expected %lld from %s)", pt_keys[k].option, num, source);
    assert_int_equal(ks->boot.num, num);
    assert_string_equal(ks->boot_source, source);
}

static void boot_glob_never_overrides_explicit(void **state)
{
    model_t *m = *state;

    run(m, 0, "net.ipv4.tcp_fin_timeout = 30\n", "net.ipv4.tcp_fin_* = 45\n", NULL);
    assert_boot(m, PT_K_FIN_TIMEOUT, 30, "/a.conf:1");
    assert_int_equal(m->cur.nconflicts, 0);
    run(m, 1, "net.ipv4.tcp_fin_* = 45\n", "net.ipv4.tcp_fin_timeout = 30\n", NULL);
    assert_boot(m, PT_K_FIN_TIMEOUT, 30, "/b.conf:1");
    /* the glob still sets what nobody sets explicitly */
    run(m, -1, "net.ipv4.tcp_tw_* = 1\n", NULL, NULL);
    assert_boot(m, PT_K_TW_REUSE, 1, "/a.conf:1");
    assert_boot(m, PT_K_TW_REUSE_DELAY, 1, "/a.conf:1");
}

static void boot_same_text_keeps_its_place(void **state)
{
    model_t *m = *state;

    run(m, -1, "net.ipv4.tcp_fin_* = 45\nnet.ipv4.tcp_fin_time* = 50\n",
        "net.ipv4.tcp_fin_* = 45\n", NULL);
    assert_boot(m, PT_K_FIN_TIMEOUT, 50, "/a.conf:2");
    run(m, -1, "net.ipv4.tcp_fin_* = 45\nnet.ipv4.tcp_fin_time* = 50\n",
        "net.ipv4.tcp_fin_* = 46\n", NULL);
    assert_boot(m, PT_K_FIN_TIMEOUT, 46, "/b.conf:1");
    /* an explicit key keeps the first line of its text as the source */
    run(m, -1, "net.ipv4.tcp_tw_reuse = 1\n", "net.ipv4.tcp_tw_reuse = 1\n", NULL);
    assert_boot(m, PT_K_TW_REUSE, 1, "/a.conf:1");
}

static void boot_dash_key_drops_and_excludes(void **state)
{
    model_t *m = *state;

    run(m, 0, "net.ipv4.tcp_fin_timeout = 30\n",
        "net.ipv4.tcp_fin_* = 45\n-net.ipv4.tcp_fin_timeout\n", NULL);
    assert_false(m->cur.key[PT_K_FIN_TIMEOUT].boot_set);
    assert_int_equal(m->cur.nconflicts, 1);
    assert_true(m->cur.conflicts[0].unset);
    assert_string_equal(m->cur.conflicts[0].file, "/b.conf");
    assert_int_equal(m->cur.conflicts[0].line, 2);
    /* set again later: written again */
    run(m, 0, "net.ipv4.tcp_fin_timeout = 30\n", "-net.ipv4.tcp_fin_timeout\n",
        "net.ipv4.tcp_fin_timeout = 31\n");
    assert_boot(m, PT_K_FIN_TIMEOUT, 31, "/c.conf:1");
    /* "-KEY = V" is an assignment */
    run(m, 0, "", "-net.ipv4.tcp_fin_timeout = 44\n", NULL);
    assert_boot(m, PT_K_FIN_TIMEOUT, 44, "/b.conf:1");
    assert_false(m->cur.conflicts[0].unset);
}

/* Conflicts are decided as if ours set the key: the last explicit line after
 * ours, even where the same text appeared before ours. */
static void boot_conflict_is_last_line_after_ours(void **state)
{
    model_t *m = *state;

    run(m, 1, "net.ipv4.tcp_fin_timeout = 45\n", "", "net.ipv4.tcp_fin_timeout = 45\n");
    assert_int_equal(m->cur.nconflicts, 1);
    assert_string_equal(m->cur.conflicts[0].file, "/c.conf");
    assert_int_equal(m->cur.conflicts[0].effect.num, 45);
    /* lines before ours are no conflict */
    run(m, 2, "net.ipv4.tcp_fin_timeout = 45\n", "net.ipv4.tcp_fin_timeout = 46\n", "");
    assert_int_equal(m->cur.nconflicts, 0);
}

static void boot_refused_value_keeps_the_previous(void **state)
{
    model_t *m = *state;

    run(m, 0, "net.ipv4.ip_local_reserved_ports = 8080\n",
        "net.ipv4.ip_local_reserved_ports = 8080, 9000\n", NULL);
    assert_false(m->cur.key[PT_K_RESERVED_PORTS].boot_set);   /* the kernel default */
    assert_true(m->cur.conflicts[0].refused);
    /* globs: a refused write leaves the earlier glob's value */
    run(m, -1, "net.ipv4.tcp_fin_* = 45\nnet.ipv4.tcp_fin_time* = abc\n", NULL, NULL);
    assert_boot(m, PT_K_FIN_TIMEOUT, 45, "/a.conf:1");
    /* one number keeps the previous end of the range */
    run(m, -1, "net.ipv4.ip_local_* = 20000 30001\nnet.ipv4.ip_local_port_r* = 25000\n", NULL, NULL);
    assert_int_equal(m->cur.key[PT_K_PORT_RANGE].boot.range.lo, 25000);
    assert_int_equal(m->cur.key[PT_K_PORT_RANGE].boot.range.hi, 30001);
}

static void boot_spellings_line_ends_and_segments(void **state)
{
    model_t *m = *state;
    static const char nul[] = "a = 1\0net.ipv4.tcp_tw_reuse = 0\r\nnet.ipv4.tcp_fin_timeout = 7";
    pt_boot_file_t f = { "/nul.conf", nul, sizeof(nul) - 1, false };

    run(m, -1, "/net/ipv4/tcp_fin_timeout = 1\rnet..ipv4.tcp_tw_reuse. = 1\r"
        "net/ipv4//tcp_max_tw_buckets/ = 2\nnet.ipv4*fin_timeout = 9\nnet.ipv4/tcp_tw_reuse_delay = 5\n",
        NULL, NULL);
    assert_boot(m, PT_K_FIN_TIMEOUT, 1, "/a.conf:1");
    assert_boot(m, PT_K_TW_REUSE, 1, "/a.conf:2");
    assert_boot(m, PT_K_MAX_TW_BUCKETS, 2, "/a.conf:3");
    assert_false(m->cur.key[PT_K_TW_REUSE_DELAY].boot_set);   /* net/ipv4.tcp_... is another key */
    pt_current_free(&m->cur);
    assert_int_equal(pt_boot_model(&f, 1, -1, ALL, &m->cur, &m->err), 0);
    assert_boot(m, PT_K_TW_REUSE, 0, "/nul.conf:2");
    assert_boot(m, PT_K_FIN_TIMEOUT, 7, "/nul.conf:3");
}

static void boot_key_normalize(void **state)
{
    static const char *const cases[][2] = {
        { "net.ipv4.tcp_fin_timeout", "net/ipv4/tcp_fin_timeout" },
        { "/net/ipv4/tcp_fin_timeout", "net/ipv4/tcp_fin_timeout" },
        { "net..ipv4.tcp_fin_timeout.", "net/ipv4/tcp_fin_timeout" },
        { "net.ipv4.conf.eth0/100.rp_filter", "net/ipv4/conf/eth0.100/rp_filter" },
        { "net/ipv4/conf/eth0.100/rp_filter", "net/ipv4/conf/eth0.100/rp_filter" },
        { "net/./ipv4//x/", "net/ipv4/x" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *n = pt_boot_key_normalize(cases[i][0], strlen(cases[i][0]));
        assert_non_null(n);
        assert_string_equal(n, cases[i][1]);
        free(n);
    }
}

/* Every row was checked by writing the value to /proc/sys in a throwaway
 * network namespace (kernel 6.18): "" means refused. */
static void kernel_grammar_matches_proc_sys(void **state)
{
    static const struct {
        pt_key_t key;
        const char *in, *out;
    } rows[] = {
        { PT_K_FIN_TIMEOUT, "030", "24" }, { PT_K_FIN_TIMEOUT, "0x1e", "30" },
        { PT_K_FIN_TIMEOUT, "0X1E", "30" }, { PT_K_FIN_TIMEOUT, "30 abc", "30" },
        { PT_K_FIN_TIMEOUT, "30\t", "30" }, { PT_K_FIN_TIMEOUT, "30 40", "30" },
        { PT_K_FIN_TIMEOUT, "-1", "-1" }, { PT_K_FIN_TIMEOUT, "-0", "0" },
        { PT_K_FIN_TIMEOUT, "-0x10", "-16" }, { PT_K_FIN_TIMEOUT, "30abc", "" },
        { PT_K_FIN_TIMEOUT, "+1", "" }, { PT_K_FIN_TIMEOUT, "", "" },
        { PT_K_FIN_TIMEOUT, "0x", "" }, { PT_K_FIN_TIMEOUT, "08", "" },
        { PT_K_FIN_TIMEOUT, "30,40", "" }, { PT_K_FIN_TIMEOUT, "1e3", "" },
        { PT_K_FIN_TIMEOUT, "- 1", "" }, { PT_K_FIN_TIMEOUT, "--1", "" },
        { PT_K_FIN_TIMEOUT, "2147483647", "" },
        { PT_K_TW_REUSE, "01", "1" }, { PT_K_TW_REUSE, "0x2", "2" }, { PT_K_TW_REUSE, "1 x", "1" },
        { PT_K_TW_REUSE, "3", "" }, { PT_K_TW_REUSE, "-1", "" }, { PT_K_TW_REUSE, "1x", "" },
        { PT_K_TW_REUSE, "256", "" },
        { PT_K_TW_REUSE_DELAY, "0x10", "16" }, { PT_K_TW_REUSE_DELAY, "60000", "60000" },
        { PT_K_TW_REUSE_DELAY, "0", "" }, { PT_K_TW_REUSE_DELAY, "60001", "" },
        { PT_K_TW_REUSE_DELAY, "-5", "" },
        { PT_K_MAX_TW_BUCKETS, "-2147483648", "-2147483648" },
        { PT_K_MAX_TW_BUCKETS, "0x100", "256" }, { PT_K_MAX_TW_BUCKETS, "2147483648", "" },
        { PT_K_MAX_TW_BUCKETS, "-2147483649", "" },
        { PT_K_PORT_RANGE, "1024\t65535", "1024-65535" }, { PT_K_PORT_RANGE, "40000", "40000-60999" },
        { PT_K_PORT_RANGE, "0x400 0xffff", "1024-65535" }, { PT_K_PORT_RANGE, "1024 65535 7", "1024-65535" },
        { PT_K_PORT_RANGE, "1025 1025", "1025-1025" }, { PT_K_PORT_RANGE, "0x400", "1024-60999" },
        { PT_K_PORT_RANGE, "2000 1000", "" }, { PT_K_PORT_RANGE, "1023 2000", "" },
        { PT_K_PORT_RANGE, "1024,65535", "" }, { PT_K_PORT_RANGE, "1024 65536", "" },
        { PT_K_PORT_RANGE, "01024 65535", "" }, { PT_K_PORT_RANGE, "1024 65535x", "" },
        { PT_K_PORT_RANGE, "1024-65535", "" }, { PT_K_PORT_RANGE, "+1024 65535", "" },
        { PT_K_PORT_RANGE, "", "" }, { PT_K_PORT_RANGE, "-1 2", "" },
        { PT_K_RESERVED_PORTS, "8080,9000", "8080,9000" }, { PT_K_RESERVED_PORTS, "0x1f90", "8080" },
        { PT_K_RESERVED_PORTS, "010", "8" }, { PT_K_RESERVED_PORTS, "", "" },
        { PT_K_RESERVED_PORTS, "8080,", "8080" }, { PT_K_RESERVED_PORTS, "8080-9000,8500", "8080-9000" },
        { PT_K_RESERVED_PORTS, "1-2,3", "1-3" }, { PT_K_RESERVED_PORTS, "0", "0" },
        { PT_K_RESERVED_PORTS, "8080-8080", "8080" },
    }, refused_sets[] = {
        { PT_K_RESERVED_PORTS, "8080, 9000", NULL }, { PT_K_RESERVED_PORTS, "8080 ,9000", NULL },
        { PT_K_RESERVED_PORTS, "9000-8000", NULL }, { PT_K_RESERVED_PORTS, "70000", NULL },
        { PT_K_RESERVED_PORTS, " 8080", NULL }, { PT_K_RESERVED_PORTS, ",8080", NULL },
        { PT_K_RESERVED_PORTS, "8080 9000", NULL }, { PT_K_RESERVED_PORTS, "8080x", NULL },
        { PT_K_RESERVED_PORTS, "65536", NULL }, { PT_K_RESERVED_PORTS, "8080-", NULL },
        { PT_K_RESERVED_PORTS, "-8080", NULL }, { PT_K_RESERVED_PORTS, "8080,,9000", NULL },
        { PT_K_RESERVED_PORTS, "+8080", NULL }, { PT_K_RESERVED_PORTS, "8080-9000-9100", NULL },
        { PT_K_RESERVED_PORTS, "0x", NULL },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        pt_value_t v;
        int rc = pt_value_parse_kernel(rows[i].key, rows[i].in, NULL, &v);
        if (rows[i].out[0] == '\0' && rows[i].key != PT_K_RESERVED_PORTS) {
            if (rc != PT_EINVAL)
                fail_msg("%s '%s': taken as %s, the kernel refuses it", pt_keys[rows[i].key].option,
                         rows[i].in, pt_test_fmt(&v));
            continue;
        }
        if (rc != 0)
            fail_msg("%s '%s': refused, the kernel takes it as %s", pt_keys[rows[i].key].option,
                     rows[i].in, rows[i].out);
        assert_string_equal(pt_test_fmt(&v), rows[i].out);
        pt_value_free(&v);
    }
    for (i = 0; i < sizeof(refused_sets) / sizeof(refused_sets[0]); i++) {
        pt_value_t v;
        if (pt_value_parse_kernel(refused_sets[i].key, refused_sets[i].in, NULL, &v) != PT_EINVAL)
            fail_msg("reserved_ports '%s': taken, the kernel refuses it", refused_sets[i].in);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(boot_glob_never_overrides_explicit),
        T(boot_same_text_keeps_its_place),
        T(boot_dash_key_drops_and_excludes),
        T(boot_conflict_is_last_line_after_ours),
        T(boot_refused_value_keeps_the_previous),
        T(boot_spellings_line_ends_and_segments),
        cmocka_unit_test(boot_key_normalize),
        cmocka_unit_test(kernel_grammar_matches_proc_sys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
