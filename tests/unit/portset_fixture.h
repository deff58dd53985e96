/* SPDX-License-Identifier: MIT */
/* Test fixture: a port set (pt_value_t) from its sysctl text, for the Windows unit tests. */
#ifndef PT_TEST_PORTSET_FIXTURE_H
#define PT_TEST_PORTSET_FIXTURE_H

/* Include after cmocka.h, <string.h> and porttune.h. "" is the empty set; a
 * text the parser refuses fails the test. */
static pt_value_t set_of(const char *text)
{
    pt_value_t v;
    pt_error_t err;

    pt_error_init(&err);
    memset(&v, 0, sizeof(v));
    v.type = PT_T_PORTSET;
    if (*text != '\0' && pt_value_parse_sysctl(PT_K_RESERVED_PORTS, text, &v, "test", &err) != 0)
        fail_msg("bad set in test: %s", text);
    return v;
}

#endif
