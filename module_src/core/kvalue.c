/* SPDX-License-Identifier: MIT */
/* What the kernel makes of a value written to one of our /proc/sys files. */
#include "porttune.h"
#include "core.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

/* The kernel copies at most 21 characters of one number (TMPBUFLEN - 1). */
#define K_NUM_MAX 21

/* One number as the kernel's proc_get_long reads it: no leading blanks, an
 * optional '-', then digits in base 0 (0x hex, 0 octal, else decimal); the
 * next character must be one of seps or the end. Advances *p. Returns 0 or
 * PT_EINVAL. */
static int k_number(const char **p, const char *seps, bool *neg, unsigned long long *out)
{
    const char *s = *p, *start;
    unsigned long long n = 0;
    unsigned base = 10;

    *neg = false;
    if (*s == '-' && s[1] != '\0') {
        *neg = true;
        s++;
    }
    if (!isdigit((unsigned char)*s))
        return PT_EINVAL;
    start = *p;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
        base = 16;
        s += 2;
    } else if (s[0] == '0') {
        base = 8;
    }
    for (;; s++) {
        unsigned d;
        if (isdigit((unsigned char)*s))
            d = (unsigned)(*s - '0');
        else if (isxdigit((unsigned char)*s))
            d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
        else
            break;
        if (d >= base)
            break;
        if (n > (ULLONG_MAX - d) / base)
            return PT_EINVAL;
        n = n * base + d;
    }
    if (s - start > K_NUM_MAX)
        return PT_EINVAL;
    if (*s != '\0' && strchr(seps, *s) == NULL)
        return PT_EINVAL;
    *p = s;
    *out = n;
    return 0;
}

static const char *k_skip_spaces(const char *s)
{
    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    return s;
}

/* proc_dointvec and friends: up to max numbers separated by blanks; text
 * after them (past a blank) is ignored. Returns how many were read (>= 1),
 * or PT_EINVAL. */
static int k_ints(const char *text, long long *v, int max)
{
    const char *p = text;
    unsigned long long n;
    bool neg;
    int i;

    for (i = 0; i < max; i++) {
        p = k_skip_spaces(p);
        if (*p == '\0')
            break;
        if (k_number(&p, " \t\n", &neg, &n) != 0 || n > (unsigned long long)LLONG_MAX)
            return PT_EINVAL;
        v[i] = neg ? -(long long)n : (long long)n;
    }
    return i == 0 ? PT_EINVAL : i;
}

/* proc_do_large_bitmap: "a,b-c," with no blanks; ports 0-65535. */
static int k_portset(const char *text, pt_value_t *out)
{
    const char *p = text;
    unsigned long long a, b;
    bool neg;
    int rc;

    while (*p == '\n')
        p++;
    while (*p != '\0') {
        if (k_number(&p, "-,\n", &neg, &a) != 0 || neg || a > 65535)
            return PT_EINVAL;
        b = a;
        if (*p == '-') {
            p++;
            if (*p == '\0' || k_number(&p, ",\n", &neg, &b) != 0 || neg || b > 65535 || a > b)
                return PT_EINVAL;
        }
        if (*p != '\0')
            p++;
        while (*p == '\n')
            p++;
        rc = pt__portset_add(out, (uint32_t)a, (uint32_t)b);
        if (rc != 0)
            return rc;
    }
    pt__portset_canon(out);
    return 0;
}

int pt_value_parse_kernel(pt_key_t key, const char *text, const pt_value_t *prev,
                          pt_value_t *out)
{
    long long v[2];
    int n, rc;

    memset(out, 0, sizeof(*out));
    out->type = pt_keys[key].type;
    switch (key) {
    case PT_K_RESERVED_PORTS:
        rc = k_portset(text, out);
        if (rc != 0)
            pt_value_free(out);
        return rc;
    case PT_K_PORT_RANGE:
        /* Two ints, each 1-65535; one number keeps the previous end. The
         * start may not be below ip_unprivileged_port_start (1024 at boot). */
        n = k_ints(text, v, 2);
        if (n < 0)
            return n;
        if (n == 1)
            v[1] = prev != NULL ? prev->range.hi : PT_K_DEFAULT_RANGE_HI;
        if (v[0] < 1024 || v[0] > 65535 || v[1] < 1 || v[1] > 65535 || v[1] < v[0])
            return PT_EINVAL;
        out->range.lo = (uint32_t)v[0];
        out->range.hi = (uint32_t)v[1];
        return 0;
    default:
        break;
    }
    if (k_ints(text, v, 1) < 0)
        return PT_EINVAL;
    switch (key) {
    case PT_K_FIN_TIMEOUT:
        /* Seconds kept as jiffies: |v| <= INT_MAX / HZ. HZ is at least 100;
         * between INT_MAX/1000 and INT_MAX/100 the answer depends on the
         * kernel's HZ, which porttune cannot read, and it assumes "taken". */
        if (v[0] > INT_MAX / 100 || v[0] < -(INT_MAX / 100))
            return PT_EINVAL;
        break;
    case PT_K_MAX_TW_BUCKETS:
        if (v[0] > INT_MAX || v[0] < INT_MIN)
            return PT_EINVAL;
        break;
    case PT_K_TW_REUSE:
        if (v[0] < 0 || v[0] > 2 || text[strspn(text, " \t\n\r\v\f")] == '-')
            return PT_EINVAL;
        break;
    case PT_K_TW_REUSE_DELAY:
        if (v[0] < 1 || v[0] > 60000)
            return PT_EINVAL;
        break;
    default:
        return PT_EINVAL;
    }
    out->num = v[0];
    return 0;
}
