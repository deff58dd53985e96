/* SPDX-License-Identifier: MIT */
/* Port sets as bitmaps, and the kernel's port-range and reserved-ports text. No OS calls. */
#include "diag/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pt_portset_clear(pt_portset_t *set)
{
    memset(set, 0, sizeof(*set));
}

void pt_portset_add(pt_portset_t *set, unsigned port)
{
    if (port < 65536)
        set->bits[port / 64] |= UINT64_C(1) << (port % 64);
}

bool pt_portset_has(const pt_portset_t *set, unsigned port)
{
    return port < 65536 && (set->bits[port / 64] >> (port % 64)) & 1;
}

unsigned long pt_portset_count_range(const pt_portset_t *set, unsigned lo, unsigned hi)
{
    unsigned long n = 0;

    if (hi > 65535)
        hi = 65535;
    for (unsigned p = lo; p <= hi; p++) {
        if (p % 64 == 0 && p + 63 <= hi) {
            n += (unsigned long)__builtin_popcountll(set->bits[p / 64]);
            p += 63;
        } else if (pt_portset_has(set, p)) {
            n++;
        }
    }
    return n;
}

static int parse_port(const char *s, char **end, unsigned *out)
{
    unsigned long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, end, 10);
    if (errno != 0 || v > 65535)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

int pt_portset_parse(const char *text, pt_portset_t *set, const char *object,
                     pt_error_t *err)
{
    const char *s = skip_space(text);

    pt_portset_clear(set);
    while (*s != '\0') {
        unsigned lo, hi;
        char *end;

        if (parse_port(s, &end, &lo) != 0)
            goto bad;
        hi = lo;
        s = end;
        if (*s == '-') {
            if (parse_port(s + 1, &end, &hi) != 0 || hi < lo)
                goto bad;
            s = end;
        }
        for (unsigned p = lo; p <= hi; p++)
            pt_portset_add(set, p);
        s = skip_space(s);
        if (*s == ',')
            s = skip_space(s + 1);
        else if (*s != '\0')
            goto bad;
    }
    return 0;
bad:
    pt_portset_clear(set);
    return pt_error_set(err, PT_EINVAL, 0, object,
                        "%s: '%s' is not a list of ports and ranges "
                        "(like 8080-8081,9000, ports 0-65535).", object, text);
}

/* Writes the canonical form into buf (when not NULL); returns its length. */
static size_t portset_write(const pt_portset_t *set, char *buf)
{
    size_t len = 0;
    unsigned p = 0;

    while (p < 65536) {
        unsigned lo, hi;
        char tmp[16];
        int k;

        if (set->bits[p / 64] == 0 && p % 64 == 0) {
            p += 64;
            continue;
        }
        if (!pt_portset_has(set, p)) {
            p++;
            continue;
        }
        lo = p;
        while (p + 1 < 65536 && pt_portset_has(set, p + 1))
            p++;
        hi = p++;
        if (lo == hi)
            k = snprintf(tmp, sizeof(tmp), "%s%u", len ? "," : "", lo);
        else
            k = snprintf(tmp, sizeof(tmp), "%s%u-%u", len ? "," : "", lo, hi);
        if (buf)
            memcpy(buf + len, tmp, (size_t)k);
        len += (size_t)k;
    }
    return len;
}

char *pt_portset_format(const pt_portset_t *set)
{
    size_t len = portset_write(set, NULL);
    char *s = malloc(len + 1);

    if (s == NULL)
        return NULL;
    portset_write(set, s);
    s[len] = '\0';
    return s;
}

int pt_diag_parse_port_range(const char *text, unsigned *lo, unsigned *hi,
                             const char *object, pt_error_t *err)
{
    const char *s = skip_space(text);
    unsigned a, b;
    char *end;

    if (parse_port(s, &end, &a) != 0)
        goto bad;
    s = skip_space(end);
    if (*s == '-')
        s = skip_space(s + 1);
    if (parse_port(s, &end, &b) != 0)
        goto bad;
    if (*skip_space(end) != '\0' || a == 0 || a > b)
        goto bad;
    *lo = a;
    *hi = b;
    return 0;
bad:
    return pt_error_set(err, PT_EINVAL, 0, object,
                        "%s: '%s' is not a port range (two ports 1-65535, "
                        "start <= end).", object, text);
}
