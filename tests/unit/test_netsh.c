/* SPDX-License-Identifier: MIT */
/* Unit tests of the Windows backend's pure parts: netsh output parser,
 * registry value meaning, and the fnmatch shim of the mingw build. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porttune.h"
#include "win/internal.h"

/* module_src/win/fnmatch.c, built here as pt_win_fnmatch next to glibc's. */
int pt_win_fnmatch(const char *pattern, const char *string, int flags);

#define HEADER4 "\r\nProtocol tcp Dynamic Port Range\r\n---------------------------------\r\n"

static void parse_ok(const char *text, unsigned long start, unsigned long count)
{
    unsigned long s = 7, c = 7;

    if (pt__netsh_parse_dynamicport(text, &s, &c) != 0)
        fail_msg("did not parse:\n%s", text);
    assert_int_equal(s, start);
    assert_int_equal(c, count);
}

static void parse_bad(const char *text)
{
    unsigned long s = 7, c = 7;

    assert_int_equal(pt__netsh_parse_dynamicport(text, &s, &c), PT_EINVAL);
    assert_int_equal(s, 7);        /* untouched on failure */
    assert_int_equal(c, 7);
}

static void netsh_parses_english_crlf(void **state)
{
    (void)state;
    parse_ok(HEADER4 "Start Port      : 49152\r\nNumber of Ports : 16384\r\n\r\n", 49152, 16384);
}

static void netsh_parses_ipv6_and_lf(void **state)
{
    (void)state;
    parse_ok("\nProtocol tcp Dynamic Port Range\n---------------------------------\n"
             "Start Port      : 10000\nNumber of Ports : 55536\n", 10000, 55536);
}

static void netsh_parses_odd_spacing_and_case(void **state)
{
    (void)state;
    parse_ok("Start Port:1025\r\n\tNUMBER   OF\tPORTS   :   255   \r\n", 1025, 255);
    parse_ok("  start port  :\t20000\r\r\nnumber of ports:30000", 20000, 30000);
}

static void netsh_parses_any_line_order(void **state)
{
    (void)state;
    parse_ok("Number of Ports : 16384\r\nStart Port : 49152\r\n", 49152, 16384);
}

static void netsh_parses_localized_by_order(void **state)
{
    (void)state;
    /* German and French Windows print their own labels, in the same order. */
    parse_ok("\r\nProtokoll tcp Dynamischer Portbereich\r\n---------------------\r\n"
             "Startport       : 49152\r\nAnzahl der Ports : 16384\r\n", 49152, 16384);
    parse_ok("Port de d\xc3\xa9marrage : 5000\r\nNombre de ports : 1000\r\n", 5000, 1000);
}

static void netsh_rejects_error_output(void **state)
{
    (void)state;
    parse_bad("");
    parse_bad("The following command was not found: int ipv4 show dynamicport tcp.\r\n");
    parse_bad("The parameter is incorrect.\r\n");
    parse_bad(HEADER4 "Start Port      : 49152\r\n");                    /* no count */
    parse_bad(HEADER4 "Number of Ports : 16384\r\n");                    /* no start */
    parse_bad(HEADER4 "Start Port : 49152x\r\nNumber of Ports : 16384\r\n");
    parse_bad(HEADER4 "Start Port : -1\r\nNumber of Ports : 16384\r\n");
    parse_bad(HEADER4 "Start Port : \r\nNumber of Ports : 16384\r\n");
    parse_bad("a : 1\r\nb : 2\r\nc : 3\r\n");          /* unknown labels, not two lines */
}

static void netsh_rejects_out_of_range(void **state)
{
    (void)state;
    parse_bad("Start Port : 0\r\nNumber of Ports : 16384\r\n");
    parse_bad("Start Port : 65536\r\nNumber of Ports : 1\r\n");
    parse_bad("Start Port : 49152\r\nNumber of Ports : 16385\r\n");   /* ends at 65536 */
    parse_bad("Start Port : 49152\r\nNumber of Ports : 0\r\n");
    parse_bad("Start Port : 99999999999999999999\r\nNumber of Ports : 1\r\n");
    parse_ok("Start Port : 49152\r\nNumber of Ports : 16384\r\n", 49152, 16384);  /* ends 65535 */
}

static void netsh_message_is_one_line(void **state)
{
    char buf[64];

    (void)state;
    pt__netsh_message("\r\nThe parameter is incorrect.\r\n\r\n", buf, sizeof(buf));
    assert_string_equal(buf, "The parameter is incorrect");
    pt__netsh_message("  a\tb \r\n c  ", buf, sizeof(buf));
    assert_string_equal(buf, "a b c");
    pt__netsh_message("\r\n\r\n", buf, sizeof(buf));
    assert_string_equal(buf, "no output");
    pt__netsh_message(NULL, buf, sizeof(buf));
    assert_string_equal(buf, "no output");
    pt__netsh_message("0123456789 0123456789", buf, 8);
    assert_string_equal(buf, "0123456");
    pt__netsh_message("...", buf, sizeof(buf));
    assert_string_equal(buf, "no output");
    pt__netsh_message("Failed .", buf, sizeof(buf));
    assert_string_equal(buf, "Failed");
    pt__netsh_message("abc defgh", buf, 5);         /* no room for " d": stop */
    assert_string_equal(buf, "abc");
}

/* ---- registry values ---- */

static void interpret(pt_key_t k, pt_reg_kind_t kind, unsigned long dword, unsigned major,
                      unsigned minor, bool note, pt_keystate_t *ks, pt_strlist_t *notes)
{
    memset(ks, 0, sizeof(*ks));
    assert_int_equal(pt__reg_interpret(k, kind, dword, kind == PT_REG_OTHER ? "REG_SZ" : NULL,
                                       major, minor, note, ks, notes), 0);
}

static void regvalue_dword_is_live(void **state)
{
    pt_strlist_t notes = { 0 };
    pt_keystate_t ks;

    (void)state;
    interpret(PT_K_TIME_WAIT_DELAY, PT_REG_DWORD, 60, 10, 0, true, &ks, &notes);
    assert_true(ks.supported && ks.live_set && !ks.live_default);
    assert_int_equal(ks.live.type, PT_T_INT);
    assert_int_equal(ks.live.num, 60);
    assert_int_equal(notes.n, 0);
}

static void regvalue_absent_is_os_default(void **state)
{
    pt_strlist_t notes = { 0 };
    pt_keystate_t ks;
    long long d = 0;

    (void)state;
    interpret(PT_K_TIME_WAIT_DELAY, PT_REG_ABSENT, 0, 10, 0, true, &ks, &notes);
    assert_true(ks.live_set && ks.live_default);
    assert_int_equal(ks.live.num, 120);
    interpret(PT_K_TIME_WAIT_DELAY, PT_REG_ABSENT, 0, 5, 2, true, &ks, &notes);   /* 2003 */
    assert_int_equal(ks.live.num, 120);
    interpret(PT_K_TIME_WAIT_DELAY, PT_REG_ABSENT, 0, 5, 1, true, &ks, &notes);   /* XP */
    assert_int_equal(ks.live.num, 240);
    interpret(PT_K_MAX_USER_PORT, PT_REG_ABSENT, 0, 5, 2, true, &ks, &notes);
    assert_true(ks.live_set && ks.live_default);
    assert_int_equal(ks.live.num, 5000);
    /* From Vista on Windows ignores MaxUserPort: no default to report. */
    interpret(PT_K_MAX_USER_PORT, PT_REG_ABSENT, 0, 6, 0, true, &ks, &notes);
    assert_true(ks.supported && !ks.live_set && !ks.live_default);
    assert_false(pt__reg_default(PT_K_MAX_USER_PORT, 10, 0, &d));
    assert_false(pt__reg_default(PT_K_PORT_RANGE, 10, 0, &d));
    assert_int_equal(notes.n, 0);
}

static void regvalue_out_of_range_is_reported(void **state)
{
    pt_strlist_t notes = { 0 };
    pt_keystate_t ks;

    (void)state;
    interpret(PT_K_TIME_WAIT_DELAY, PT_REG_DWORD, 10, 10, 0, true, &ks, &notes);
    assert_true(ks.live_set);
    assert_int_equal(ks.live.num, 10);
    assert_int_equal(notes.n, 1);
    assert_string_equal(notes.items[0], "TcpTimedWaitDelay is 10 in the registry, outside the "
        "range Windows documents (30-300); set time_wait_delay to replace it.");
    interpret(PT_K_MAX_USER_PORT, PT_REG_DWORD, 70000, 10, 0, true, &ks, &notes);
    assert_int_equal(notes.n, 2);
    assert_non_null(strstr(notes.items[1], "MaxUserPort is 70000 in the registry"));
    /* not asked about: no note */
    interpret(PT_K_MAX_USER_PORT, PT_REG_DWORD, 70000, 10, 0, false, &ks, &notes);
    assert_int_equal(notes.n, 2);
    pt_strlist_free(&notes);
}

static void regvalue_wrong_type_is_reported_and_rewritten(void **state)
{
    pt_strlist_t notes = { 0 };
    pt_keystate_t ks;

    (void)state;
    interpret(PT_K_TIME_WAIT_DELAY, PT_REG_OTHER, 0, 10, 0, true, &ks, &notes);
    assert_true(ks.supported && !ks.live_set);   /* any requested value rewrites it */
    assert_int_equal(notes.n, 1);
    assert_string_equal(notes.items[0], "TcpTimedWaitDelay in the registry is a REG_SZ, not a "
        "REG_DWORD; Windows ignores it and uses its default (120); set time_wait_delay to "
        "replace it.");
    interpret(PT_K_MAX_USER_PORT, PT_REG_OTHER, 0, 10, 0, true, &ks, &notes);
    assert_string_equal(notes.items[1], "MaxUserPort in the registry is a REG_SZ, not a "
        "REG_DWORD; Windows ignores it; set max_user_port to replace it.");
    pt_strlist_free(&notes);
}

/* ---- fnmatch shim against glibc ---- */

static void fnmatch_shim_matches_glibc(void **state)
{
    static const char *const pat[] = {
        "net.ipv4.*", "net.ipv4.tcp_*", "net.*.ip_local_port_range", "net.ipv?.tcp_fin_timeout",
        "net.ipv4.tcp_[ft]*", "net.ipv4.tcp_[!f]*", "net.ipv4.tcp_[^f]*", "*", "**", "*range",
        "net.ipv4.ip_local_[a-q]*", "net.ipv4.\\*", "net.ipv4.[", "net.ipv4.[]]", "*_*_*_*",
        "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_tw_reuse?", "", "?", "[]-]*", "net/ipv4/*",
        "net.ipv4.tcp_fin_timeou[t-z]", "a*b*c", "*.*.*.*",
    };
    static const char *const str[] = {
        "net.ipv4.ip_local_port_range", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_tw_reuse",
        "net.ipv4.tcp_tw_reuse_delay", "net.ipv6.tcp_fin_timeout", "net.ipv4.*", "net.ipv4.[",
        "net.ipv4.]", "", "x", "-", "abc", "aXbYc", "acb",
    };
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(pat) / sizeof(pat[0]); i++)
        for (j = 0; j < sizeof(str) / sizeof(str[0]); j++) {
            int want = fnmatch(pat[i], str[j], 0) == 0;
            int got = pt_win_fnmatch(pat[i], str[j], 0) == 0;
            if (want != got)
                fail_msg("pattern '%s' on '%s': glibc %d, shim %d", pat[i], str[j], want, got);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(netsh_parses_english_crlf),
        cmocka_unit_test(netsh_parses_ipv6_and_lf),
        cmocka_unit_test(netsh_parses_odd_spacing_and_case),
        cmocka_unit_test(netsh_parses_any_line_order),
        cmocka_unit_test(netsh_parses_localized_by_order),
        cmocka_unit_test(netsh_rejects_error_output),
        cmocka_unit_test(netsh_rejects_out_of_range),
        cmocka_unit_test(netsh_message_is_one_line),
        cmocka_unit_test(regvalue_dword_is_live),
        cmocka_unit_test(regvalue_absent_is_os_default),
        cmocka_unit_test(regvalue_out_of_range_is_reported),
        cmocka_unit_test(regvalue_wrong_type_is_reported_and_rewritten),
        cmocka_unit_test(fnmatch_shim_matches_glibc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
