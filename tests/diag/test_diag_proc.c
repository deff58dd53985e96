/* SPDX-License-Identifier: MIT */
/* Unit tests of the /proc/net/tcp line parser, the /proc reader and the sysctl reader on temp trees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag/diag.h"

/* The kernel prints each address word as the host integer whose memory
 * holds the network bytes; build lines the same way so the tests hold on
 * any byte order. */
static void word_hex(const uint8_t *bytes, char *out)
{
    uint32_t w;

    memcpy(&w, bytes, 4);
    snprintf(out, 9, "%08X", w);
}

static void addr_hex(const uint8_t *a, int words, char *out)
{
    for (int i = 0; i < words; i++)
        word_hex(a + 4 * i, out + 8 * i);
}

static const uint8_t lo4[4] = { 127, 0, 0, 1 };
static const uint8_t peer4[4] = { 192, 0, 2, 7 };
static const uint8_t lo6[16] = { [15] = 1 };
static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 };

static void line4(char *buf, size_t size, const uint8_t *l, unsigned lport,
                  const uint8_t *r, unsigned rport, unsigned st)
{
    char la[9], ra[9];

    addr_hex(l, 1, la);
    addr_hex(r, 1, ra);
    snprintf(buf, size, "   7: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 "
             "00000000     0        0 31337 1 0000000000000000 100 0 0 10 0\n",
             la, lport, ra, rport, st);
}

static void line6(char *buf, size_t size, const uint8_t *l, unsigned lport,
                  const uint8_t *r, unsigned rport, unsigned st)
{
    char la[33], ra[33];

    addr_hex(l, 4, la);
    addr_hex(r, 4, ra);
    snprintf(buf, size, "  12: %s:%04X %s:%04X %02X 00000000:00000000 03:00000F2B "
             "00000000     0        0 0 3 0000000000000000\n", la, lport, ra, rport, st);
}

static void proc_parses_ipv4_line(void **state)
{
    char buf[256];
    pt_diag_sock_t s;

    (void)state;
    line4(buf, sizeof(buf), lo4, 45678, peer4, 443, PT_TCP_TIME_WAIT);
    assert_int_equal(pt_diag_proc_parse_line(buf, PT_DIAG_AF_INET, &s), 1);
    assert_int_equal(s.family, PT_DIAG_AF_INET);
    assert_int_equal(s.state, PT_TCP_TIME_WAIT);
    assert_int_equal(s.lport, 45678);
    assert_int_equal(s.rport, 443);
    assert_memory_equal(s.laddr, lo4, 4);
    assert_memory_equal(s.raddr, peer4, 4);
}

static void proc_parses_ipv6_line(void **state)
{
    char buf[256];
    pt_diag_sock_t s;

    (void)state;
    line6(buf, sizeof(buf), lo6, 8081, peer6, 65535, PT_TCP_LISTEN);
    assert_int_equal(pt_diag_proc_parse_line(buf, PT_DIAG_AF_INET6, &s), 1);
    assert_int_equal(s.family, PT_DIAG_AF_INET6);
    assert_int_equal(s.state, PT_TCP_LISTEN);
    assert_int_equal(s.lport, 8081);
    assert_int_equal(s.rport, 65535);
    assert_memory_equal(s.laddr, lo6, 16);
    assert_memory_equal(s.raddr, peer6, 16);
}

static void proc_parses_real_little_endian_sample(void **state)
{
    static const uint8_t one = 1;
    const char *line = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
                       "00:00000000 00000000     0        0 20462 1 0000000000000000 "
                       "100 0 0 10 0";
    pt_diag_sock_t s;

    (void)state;
    if (*(const uint8_t *)&one != 1) {
        print_message("skipped: the sample line was produced on a little-endian host\n");
        skip();
    }
    assert_int_equal(pt_diag_proc_parse_line(line, PT_DIAG_AF_INET, &s), 1);
    assert_memory_equal(s.laddr, lo4, 4);
    assert_int_equal(s.lport, 8080);
    assert_int_equal(s.state, PT_TCP_LISTEN);
}

static void proc_skips_header(void **state)
{
    pt_diag_sock_t s;

    (void)state;
    assert_int_equal(pt_diag_proc_parse_line(
                         "  sl  local_address rem_address   st tx_queue rx_queue tr "
                         "tm->when retrnsmt   uid  timeout inode\n", PT_DIAG_AF_INET, &s), 0);
    assert_int_equal(pt_diag_proc_parse_line(
                         "  sl  local_address                         remote_address   "
                         "                     st tx_queue rx_queue\n", PT_DIAG_AF_INET6, &s), 0);
}

static void proc_rejects_malformed_lines(void **state)
{
    static const char *const bad[] = {
        "",
        "\n",
        "   0: 0100007F:1F90 00000000:0000",
        "   0: 0100007F:1F90 00000000:0000 0",
        "   0: 0100007G:1F90 00000000:0000 0A 0",
        "   0 0100007F:1F90 00000000:0000 0A 0",
        "   0: 0100007F1F90 00000000:0000 0A 0",
        "   0: 0100007F:1F9 00000000:0000 0A 0",
        "   0: 0100007F:1F90 00000000:0000 0AB 0",
        "   x: 0100007F:1F90 00000000:0000 0A 0",
    };
    char v6line[256];
    pt_diag_sock_t s;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(pt_diag_proc_parse_line(bad[i], PT_DIAG_AF_INET, &s), PT_EINVAL);
    /* An IPv6 line read as IPv4 and the reverse. */
    line6(v6line, sizeof(v6line), lo6, 1, peer6, 2, 1);
    assert_int_equal(pt_diag_proc_parse_line(v6line, PT_DIAG_AF_INET, &s), PT_EINVAL);
    line4(v6line, sizeof(v6line), lo4, 1, peer4, 2, 1);
    assert_int_equal(pt_diag_proc_parse_line(v6line, PT_DIAG_AF_INET6, &s), PT_EINVAL);
    assert_int_equal(pt_diag_proc_parse_line(v6line, 5, &s), PT_EINVAL);
}

/* ---- readers on a temporary tree ---- */

static char root[256];

static int make_root(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/pt-diag-test-XXXXXX");
    if (mkdtemp(root) == NULL)
        return -1;
    return 0;
}

static int remove_root(void **state)
{
    char cmd[512];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *rel, const char *text)
{
    char path[512], dir[512], *slash;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(dir, sizeof(dir), "%s", path);
    for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(dir, 0755);
        *slash = '/';
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *rel)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    unlink(path);
}

typedef struct counts {
    unsigned n, v4, v6, tw, listen;
} counts_t;

static int count_cb(const pt_diag_sock_t *s, void *arg)
{
    counts_t *c = arg;

    c->n++;
    c->v4 += s->family == PT_DIAG_AF_INET;
    c->v6 += s->family == PT_DIAG_AF_INET6;
    c->tw += s->state == PT_TCP_TIME_WAIT;
    c->listen += s->state == PT_TCP_LISTEN;
    return 0;
}

static int stop_cb(const pt_diag_sock_t *s, void *arg)
{
    (void)s;
    return ++*(int *)arg == 2 ? 42 : 0;
}

static void write_tables(unsigned n4, unsigned n6, bool with6)
{
    static char text[65536];
    size_t len;
    char line[256];

    len = (size_t)snprintf(text, sizeof(text), "  sl  local_address rem_address   st "
                           "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
    line4(line, sizeof(line), lo4, 8080, peer4, 0, PT_TCP_LISTEN);
    len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", line);
    for (unsigned i = 1; i < n4; i++) {
        line4(line, sizeof(line), lo4, 40000 + i, peer4, 443, PT_TCP_TIME_WAIT);
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", line);
    }
    write_file("proc/net/tcp", text);
    if (!with6) {
        remove_file("proc/net/tcp6");
        return;
    }
    len = (size_t)snprintf(text, sizeof(text), "  sl  local_address                         "
                           "remote_address                        st tx_queue\n");
    for (unsigned i = 0; i < n6; i++) {
        line6(line, sizeof(line), lo6, 50000 + i, peer6, 443, PT_TCP_ESTABLISHED);
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", line);
    }
    write_file("proc/net/tcp6", text);
}

static void proc_reader_streams_both_tables(void **state)
{
    counts_t c = { 0 };
    pt_error_t err;

    (void)state;
    memset(&err, 0, sizeof(err));
    write_tables(100, 30, true);
    assert_int_equal(pt_diag_read_proc(root, count_cb, &c, &err), 0);
    assert_int_equal(c.n, 130);
    assert_int_equal(c.v4, 100);
    assert_int_equal(c.v6, 30);
    assert_int_equal(c.tw, 99);
    assert_int_equal(c.listen, 1);
}

static void proc_reader_without_ipv6(void **state)
{
    counts_t c = { 0 };
    pt_error_t err;

    (void)state;
    memset(&err, 0, sizeof(err));
    write_tables(5, 0, false);
    assert_int_equal(pt_diag_read_proc(root, count_cb, &c, &err), 0);
    assert_int_equal(c.n, 5);
}

static void proc_reader_stops_on_callback(void **state)
{
    pt_error_t err;
    int seen = 0;

    (void)state;
    memset(&err, 0, sizeof(err));
    write_tables(5, 5, true);
    assert_int_equal(pt_diag_read_proc(root, stop_cb, &seen, &err), 42);
    assert_int_equal(seen, 2);
}

static void proc_reader_names_bad_file(void **state)
{
    counts_t c = { 0 };
    pt_error_t err;
    char expect[512];

    (void)state;
    memset(&err, 0, sizeof(err));
    write_tables(3, 0, false);
    write_file("proc/net/tcp6", "  sl  local\n   0: garbage\n");
    assert_int_equal(pt_diag_read_proc(root, count_cb, &c, &err), PT_EINVAL);
    snprintf(expect, sizeof(expect), "%s/proc/net/tcp6", root);
    assert_string_equal(err.object, expect);
    assert_non_null(strstr(err.msg, "line 2"));

    remove_file("proc/net/tcp");
    memset(&err, 0, sizeof(err));
    assert_int_equal(pt_diag_read_proc(root, count_cb, &c, &err), PT_ENOTSUP);
}

static void sysctls_read_kernel_forms(void **state)
{
    pt_diag_config_t cfg;
    pt_error_t err;
    char buf[64];

    (void)state;
    memset(&err, 0, sizeof(err));
    pt_diag_config_init(&cfg);
    write_file("proc/sys/net/ipv4/ip_local_port_range", "40000\t40999\n");
    write_file("proc/sys/net/ipv4/ip_local_reserved_ports", "40001,40500-40509\n");
    write_file("proc/sys/net/ipv4/tcp_max_tw_buckets", "262144\n");
    assert_int_equal(pt_diag_read_sysctls(root, &cfg, &err), 0);
    assert_int_equal(cfg.range_lo, 40000);
    assert_int_equal(cfg.range_hi, 40999);
    assert_int_equal(cfg.max_tw_buckets, 262144);
    assert_int_equal(cfg.reserved.type, PT_T_PORTSET);
    assert_int_equal(pt_value_format_sysctl(&cfg.reserved, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "40001,40500-40509");

    /* Read again into the same config: the old set is replaced, not leaked.
     * Empty reserved list; no tw buckets file (an old or odd kernel). */
    write_file("proc/sys/net/ipv4/ip_local_reserved_ports", "\n");
    remove_file("proc/sys/net/ipv4/tcp_max_tw_buckets");
    cfg.max_tw_buckets = -1;
    assert_int_equal(pt_diag_read_sysctls(root, &cfg, &err), 0);
    assert_int_equal(cfg.max_tw_buckets, -1);
    assert_int_equal(cfg.reserved.nset, 0);

    /* No reserved-ports file: the default (none) stays. */
    remove_file("proc/sys/net/ipv4/ip_local_reserved_ports");
    pt_diag_config_free(&cfg);
    pt_diag_config_init(&cfg);
    assert_int_equal(pt_diag_read_sysctls(root, &cfg, &err), 0);
    assert_int_equal(cfg.reserved.nset, 0);
    assert_int_equal(err.code, 0);
    pt_diag_config_free(&cfg);
}

/* Each bad value fails with the file as the object and a message that
 * quotes what was read and says that nothing was changed. */
static void sysctls_name_bad_file(void **state)
{
    static const struct { pt_key_t key; const char *text, *part; } cases[] = {
        { PT_K_PORT_RANGE, "40999\t40000\n", "the range 40999-40000 ends before it starts" },
        { PT_K_PORT_RANGE, "0\t40000\n", "0 is not a port; ports are 1-65535" },
        { PT_K_PORT_RANGE, "40000\t70000\n", "70000 is not a port; ports are 1-65535" },
        { PT_K_PORT_RANGE, "40000-40999\n", "'40000-40999' is not a port range" },
        { PT_K_RESERVED_PORTS, "8080,,9000\n", "'8080,,9000' is not a list of ports" },
        { PT_K_RESERVED_PORTS, "9000-8080\n", "the range '9000-8080' ends before it starts" },
        { PT_K_MAX_TW_BUCKETS, "many\n", "'many' is not a whole number" },
        { PT_K_MAX_TW_BUCKETS, "-1\n", "-1 is not a count of sockets" },
    };
    pt_diag_config_t cfg;
    pt_error_t err;
    char expect[512];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* "net.ipv4.NAME" is the file proc/sys/net/ipv4/NAME */
        const char *name = strrchr(pt_keys[cases[i].key].sysctl, '.') + 1;

        write_file("proc/sys/net/ipv4/ip_local_port_range", "40000\t40999\n");
        write_file("proc/sys/net/ipv4/ip_local_reserved_ports", "\n");
        write_file("proc/sys/net/ipv4/tcp_max_tw_buckets", "262144\n");
        snprintf(expect, sizeof(expect), "proc/sys/net/ipv4/%s", name);
        write_file(expect, cases[i].text);
        pt_diag_config_init(&cfg);
        memset(&err, 0, sizeof(err));
        assert_int_equal(pt_diag_read_sysctls(root, &cfg, &err), PT_EINVAL);
        snprintf(expect, sizeof(expect), "%s/proc/sys/net/ipv4/%s", root, name);
        assert_string_equal(err.object, expect);
        if (strncmp(err.msg, expect, strlen(expect)) != 0 ||
            strstr(err.msg, cases[i].part) == NULL ||
            strstr(err.msg, "Nothing was changed.") == NULL)
            fail_msg("case %zu: '%s'", i, err.msg);
        pt_diag_config_free(&cfg);
    }

    remove_file("proc/sys/net/ipv4/ip_local_port_range");
    pt_diag_config_init(&cfg);
    memset(&err, 0, sizeof(err));
    assert_int_equal(pt_diag_read_sysctls(root, &cfg, &err), PT_EIO);
    snprintf(expect, sizeof(expect), "Cannot read %s/proc/sys/net/ipv4/ip_local_port_range: "
             "No such file or directory. Nothing was changed.", root);
    assert_string_equal(err.msg, expect);
    pt_diag_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proc_parses_ipv4_line),
        cmocka_unit_test(proc_parses_ipv6_line),
        cmocka_unit_test(proc_parses_real_little_endian_sample),
        cmocka_unit_test(proc_skips_header),
        cmocka_unit_test(proc_rejects_malformed_lines),
        cmocka_unit_test_setup_teardown(proc_reader_streams_both_tables, make_root, remove_root),
        cmocka_unit_test_setup_teardown(proc_reader_without_ipv6, make_root, remove_root),
        cmocka_unit_test_setup_teardown(proc_reader_stops_on_callback, make_root, remove_root),
        cmocka_unit_test_setup_teardown(proc_reader_names_bad_file, make_root, remove_root),
        cmocka_unit_test_setup_teardown(sysctls_read_kernel_forms, make_root, remove_root),
        cmocka_unit_test_setup_teardown(sysctls_name_bad_file, make_root, remove_root),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
