/* SPDX-License-Identifier: MIT */
/* Unit tests of the sysctl.d parser and editor: order, comments, duplicates, globs, render. */
#include "helpers.h"
#include "core/conf.h"

static pt_conf_t *parse(const char *text)
{
    pt_conf_t *c = NULL;
    pt_error_t e;

    pt_error_init(&e);
    if (pt_conf_parse(text, strlen(text), "/etc/sysctl.d/test.conf", &c, &e) != 0)
        fail_msg("parse failed: %s", e.msg);
    assert_non_null(c);
    return c;
}

/* Renders conf, compares with want, frees conf. */
static void assert_render(pt_conf_t *c, const char *want)
{
    char *got = pt_conf_render(c);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    pt_conf_free(c);
}

static const char foreign[] =
    "# /etc/sysctl.conf - Configuration file for setting system variables\n"
    "\n"
    "; a semicolon comment\n"
    "kernel.printk = 3 4 1 3\n"
    "net.ipv4.tcp_fin_timeout = 60\n"
    "   # indented comment\n"
    "vm.swappiness=10\n"
    "net.ipv4.tcp_fin_timeout=45\n"
    "\tnet.ipv4.ip_local_port_range = 2000\t3000  \n"
    "not an assignment\n"
    "net.core.somaxconn = 4096\n";

static void conf_render_round_trips_unchanged(void **state)
{
    static const char *const texts[] = {
        foreign, "", "\n", "a=1\n", "# only a comment\n", "x = 1\r\ny = 2\r\n",
        "net/ipv4/tcp_fin_timeout=30\n-net.ipv4.tcp_tw_reuse = 1\n",
        PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\n",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        assert_render(parse(texts[i]), texts[i]);
}

static void conf_parse_recognises_our_keys(void **state)
{
    pt_conf_t *c = parse(foreign);

    (void)state;
    assert_int_equal(c->n, 11);
    assert_false(c->owned);
    assert_false(c->missing_newline);
    assert_null(c->lines[0].name);             /* comment */
    assert_null(c->lines[1].name);             /* blank */
    assert_null(c->lines[2].name);             /* ; comment */
    assert_string_equal(c->lines[3].name, "kernel.printk");
    assert_string_equal(c->lines[3].value, "3 4 1 3");
    assert_int_equal(c->lines[3].key, -1);
    assert_int_equal(c->lines[4].key, PT_K_FIN_TIMEOUT);
    assert_string_equal(c->lines[4].value, "60");
    assert_null(c->lines[5].name);             /* indented comment */
    assert_int_equal(c->lines[7].key, PT_K_FIN_TIMEOUT);
    assert_string_equal(c->lines[7].value, "45");
    assert_int_equal(c->lines[8].key, PT_K_PORT_RANGE);
    assert_string_equal(c->lines[8].value, "2000\t3000");   /* trimmed, inner tab kept */
    assert_null(c->lines[9].name);             /* no '=' */
    assert_int_equal(c->lines[10].key, -1);
    pt_conf_free(c);
}

static void conf_duplicate_keys_last_one_wins(void **state)
{
    pt_conf_t *c = parse(foreign);

    (void)state;
    assert_int_equal(pt_conf_find(c, PT_K_FIN_TIMEOUT), 7);
    assert_int_equal(pt_conf_find(c, PT_K_PORT_RANGE), 8);
    assert_int_equal(pt_conf_find(c, PT_K_TW_REUSE), -1);
    pt_conf_free(c);
}

static void conf_set_rewrites_deciding_line_and_drops_dead_duplicates(void **state)
{
    pt_conf_t *c = parse(foreign);

    (void)state;
    assert_int_equal(pt_conf_set(c, PT_K_FIN_TIMEOUT, "30"), 0);
    assert_int_equal(pt_conf_find(c, PT_K_FIN_TIMEOUT), 6);
    assert_render(c,
        "# /etc/sysctl.conf - Configuration file for setting system variables\n"
        "\n"
        "; a semicolon comment\n"
        "kernel.printk = 3 4 1 3\n"
        "   # indented comment\n"
        "vm.swappiness=10\n"
        "net.ipv4.tcp_fin_timeout = 30\n"
        "\tnet.ipv4.ip_local_port_range = 2000\t3000  \n"
        "not an assignment\n"
        "net.core.somaxconn = 4096\n");
}

static void conf_set_appends_missing_key(void **state)
{
    pt_conf_t *c = parse("# mine\nvm.swappiness = 1\n");

    (void)state;
    assert_int_equal(pt_conf_set(c, PT_K_RESERVED_PORTS, "8080-8081,9000"), 0);
    assert_int_equal(pt_conf_set(c, PT_K_PORT_RANGE, "1024 65535"), 0);
    assert_int_equal(pt_conf_find(c, PT_K_RESERVED_PORTS), 2);
    assert_render(c, "# mine\nvm.swappiness = 1\n"
                     "net.ipv4.ip_local_reserved_ports = 8080-8081,9000\n"
                     "net.ipv4.ip_local_port_range = 1024 65535\n");
}

static void conf_set_keeps_dash_prefix(void **state)
{
    pt_conf_t *c = parse("  -net.ipv4.tcp_tw_reuse = 2\n");

    (void)state;
    assert_int_equal(c->lines[0].key, PT_K_TW_REUSE);
    assert_string_equal(c->lines[0].name, "net.ipv4.tcp_tw_reuse");
    assert_int_equal(pt_conf_set(c, PT_K_TW_REUSE, "1"), 0);
    assert_int_equal(c->lines[0].key, PT_K_TW_REUSE);
    assert_string_equal(c->lines[0].value, "1");
    assert_render(c, "-net.ipv4.tcp_tw_reuse = 1\n");
}

static void conf_slash_form_names(void **state)
{
    pt_conf_t *c = parse("net/ipv4/tcp_fin_timeout=20\n"
                         "net/ipv4/conf/enp3s0.200/forwarding = 1\n"
                         "net.ipv4.conf.enp3s0/200.rp_filter = 2\n"
                         "net/ipv4.tcp_tw_reuse = 1\n"
                         "net.ipv4/tcp_tw_reuse = 1\n");

    (void)state;
    assert_int_equal(c->lines[0].key, PT_K_FIN_TIMEOUT);
    /* The first separator decides: after a '/', a dot belongs to the name
     * (a key "ipv4.tcp_tw_reuse" under net), and after a '.', a slash does;
     * neither is ours. */
    assert_int_equal(c->lines[3].key, -1);
    assert_int_equal(c->lines[4].key, -1);
    assert_null(pt_key_by_sysctl("net.ipv4/tcp_tw_reuse"));
    assert_non_null(pt_key_by_sysctl("net/ipv4/tcp_tw_reuse"));
    assert_non_null(pt_key_by_sysctl("net.ipv4.tcp_tw_reuse"));
    assert_string_equal(c->lines[0].name, "net.ipv4.tcp_fin_timeout");
    /* sysctl.d(5): a first '/' swaps '/' and '.', so the dotted form keeps
     * the interface's dot as '/'. */
    assert_string_equal(c->lines[1].name, "net.ipv4.conf.enp3s0/200.forwarding");
    assert_string_equal(c->lines[2].name, "net.ipv4.conf.enp3s0/200.rp_filter");
    assert_int_equal(pt_conf_set(c, PT_K_FIN_TIMEOUT, "30"), 0);
    assert_string_equal(c->lines[0].text, "net.ipv4.tcp_fin_timeout = 30");
    pt_conf_free(c);
}

static void conf_globs_are_not_edited(void **state)
{
    pt_conf_t *c = parse("net.ipv4.tcp_* = 5\n"
                         "net.ipv4.ip_local_*_range = 1 2\n"
                         "net/ipv4/tcp_?w_reuse = 0\n"
                         "net.ipv4.tcp_fin_timeout = 60\n");

    (void)state;
    assert_int_equal(c->lines[0].key, -1);
    assert_int_equal(c->lines[1].key, -1);
    assert_int_equal(c->lines[2].key, -1);
    assert_int_equal(c->lines[3].key, PT_K_FIN_TIMEOUT);
    /* Editing touches the exact line only; the glob keeps its meaning. */
    assert_int_equal(pt_conf_find(c, PT_K_FIN_TIMEOUT), 3);
    assert_int_equal(pt_conf_remove(c, PT_K_FIN_TIMEOUT), 1);
    assert_int_equal(pt_conf_set(c, PT_K_TW_REUSE, "1"), 0);
    assert_render(c, "net.ipv4.tcp_* = 5\n"
                     "net.ipv4.ip_local_*_range = 1 2\n"
                     "net/ipv4/tcp_?w_reuse = 0\n"
                     "net.ipv4.tcp_tw_reuse = 1\n");
}

static void conf_owned_header(void **state)
{
    pt_conf_t *c = pt_conf_new_owned(), *p;
    char *text;

    (void)state;
    assert_non_null(c);
    assert_true(c->owned);
    assert_false(pt_conf_has_assignments(c));
    assert_int_equal(pt_conf_set(c, PT_K_FIN_TIMEOUT, "30"), 0);
    text = pt_conf_render(c);
    assert_non_null(text);
    assert_string_equal(text, PT_CONF_HEADER "\nnet.ipv4.tcp_fin_timeout = 30\n");
    assert_true(strncmp(text, "# Managed by porttune", 21) == 0);
    p = parse(text);
    assert_true(p->owned);
    pt_conf_free(p);
    free(text);
    pt_conf_free(c);
    p = parse("# hello\n" PT_CONF_HEADER "\n");   /* header not first: not ours */
    assert_false(p->owned);
    pt_conf_free(p);
}

static void conf_remove_drops_every_line_of_the_key(void **state)
{
    pt_conf_t *c = parse(foreign);

    (void)state;
    assert_int_equal(pt_conf_remove(c, PT_K_FIN_TIMEOUT), 2);
    assert_int_equal(pt_conf_remove(c, PT_K_FIN_TIMEOUT), 0);
    assert_int_equal(pt_conf_find(c, PT_K_FIN_TIMEOUT), -1);
    assert_int_equal(pt_conf_remove(c, PT_K_PORT_RANGE), 1);
    assert_true(pt_conf_has_assignments(c));    /* other keys stay */
    assert_render(c,
        "# /etc/sysctl.conf - Configuration file for setting system variables\n"
        "\n"
        "; a semicolon comment\n"
        "kernel.printk = 3 4 1 3\n"
        "   # indented comment\n"
        "vm.swappiness=10\n"
        "not an assignment\n"
        "net.core.somaxconn = 4096\n");
}

static void conf_remove_last_key_leaves_owned_file_empty(void **state)
{
    pt_conf_t *c = parse(PT_CONF_HEADER "\n-net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_tw_reuse = 1\n");

    (void)state;
    assert_true(c->owned);
    assert_int_equal(pt_conf_remove(c, PT_K_FIN_TIMEOUT), 1);   /* "-" lines count too */
    assert_true(pt_conf_has_assignments(c));
    assert_int_equal(pt_conf_remove(c, PT_K_TW_REUSE), 1);
    assert_false(pt_conf_has_assignments(c));
    assert_render(c, PT_CONF_HEADER "\n");
}

static void conf_missing_final_newline(void **state)
{
    pt_conf_t *c = parse("a = 1\nnet.ipv4.tcp_fin_timeout = 60");

    (void)state;
    assert_true(c->missing_newline);
    assert_int_equal(c->n, 2);
    assert_int_equal(pt_conf_find(c, PT_K_FIN_TIMEOUT), 1);
    assert_string_equal(c->lines[1].value, "60");
    pt_conf_free(c);
}

static void conf_value_may_hold_equals_and_be_empty(void **state)
{
    pt_conf_t *c = parse("kernel.x = a=b\nnet.ipv4.ip_local_reserved_ports =\n");

    (void)state;
    assert_string_equal(c->lines[0].name, "kernel.x");
    assert_string_equal(c->lines[0].value, "a=b");
    assert_int_equal(c->lines[1].key, PT_K_RESERVED_PORTS);
    assert_string_equal(c->lines[1].value, "");
    pt_conf_free(c);
}

static void conf_parse_rejects_nul_bytes(void **state)
{
    static const char text[] = "a = 1\n\0b = 2\n";
    pt_conf_t *c = (pt_conf_t *)1;
    pt_error_t e;
    int rc;

    (void)state;
    pt_error_init(&e);
    rc = pt_conf_parse(text, sizeof(text) - 1, "/etc/sysctl.d/bin.conf", &c, &e);
    pt_test_assert_error(rc, &e, PT_EINVAL, "/etc/sysctl.d/bin.conf",
                         "/etc/sysctl.d/bin.conf holds NUL bytes", "Nothing was changed.", NULL);
    assert_null(c);
}

static void conf_many_lines(void **state)
{
    /* More lines than the first allocation, so the line array grows. */
    char text[4096] = "";
    size_t used = 0;
    pt_conf_t *c;
    int i;

    (void)state;
    for (i = 0; i < 100; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "k.n%d = %d\n", i, i);
    used += (size_t)snprintf(text + used, sizeof(text) - used, "net.ipv4.tcp_fin_timeout = 1\n");
    c = parse(text);
    assert_int_equal(c->n, 101);
    assert_int_equal(pt_conf_find(c, PT_K_FIN_TIMEOUT), 100);
    assert_int_equal(pt_conf_set(c, PT_K_FIN_TIMEOUT, "2"), 0);
    assert_string_equal(c->lines[100].text, "net.ipv4.tcp_fin_timeout = 2");
    assert_string_equal(c->lines[99].text, "k.n99 = 99");
    pt_conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conf_render_round_trips_unchanged),
        cmocka_unit_test(conf_parse_recognises_our_keys),
        cmocka_unit_test(conf_duplicate_keys_last_one_wins),
        cmocka_unit_test(conf_set_rewrites_deciding_line_and_drops_dead_duplicates),
        cmocka_unit_test(conf_set_appends_missing_key),
        cmocka_unit_test(conf_set_keeps_dash_prefix),
        cmocka_unit_test(conf_slash_form_names),
        cmocka_unit_test(conf_globs_are_not_edited),
        cmocka_unit_test(conf_owned_header),
        cmocka_unit_test(conf_remove_drops_every_line_of_the_key),
        cmocka_unit_test(conf_remove_last_key_leaves_owned_file_empty),
        cmocka_unit_test(conf_missing_final_newline),
        cmocka_unit_test(conf_value_may_hold_equals_and_be_empty),
        cmocka_unit_test(conf_parse_rejects_nul_bytes),
        cmocka_unit_test(conf_many_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
