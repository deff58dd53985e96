/* SPDX-License-Identifier: MIT */
/* fnmatch (flags 0) for the mingw build; see compat/fnmatch.h. */
#include "compat/fnmatch.h"

#include <stddef.h>

/* Matches the bracket expression at *pp against c; advances *pp past it.
 * Returns 1/0, or -1 when the bracket is not closed (then '[' is literal). */
static int bracket(const char **pp, unsigned char c)
{
    const char *p = *pp + 1;
    int neg = 0, match = 0;

    if (*p == '!' || *p == '^') {
        neg = 1;
        p++;
    }
    if (*p == ']') {
        match = c == ']';
        p++;
    }
    while (*p != ']') {
        unsigned char lo, hi;
        if (*p == '\0')
            return -1;
        if (*p == '\\' && p[1] != '\0')
            p++;
        lo = (unsigned char)*p++;
        hi = lo;
        if (*p == '-' && p[1] != ']' && p[1] != '\0') {
            p++;
            if (*p == '\\' && p[1] != '\0')
                p++;
            hi = (unsigned char)*p++;
        }
        if (lo <= c && c <= hi)
            match = 1;
    }
    *pp = p + 1;
    return match != neg;
}

int fnmatch(const char *pattern, const char *string, int flags)
{
    const char *p = pattern, *s = string, *star_p = NULL, *star_s = NULL;

    (void)flags;
    while (*s != '\0') {
        const char *q = p;
        int m = 0;

        if (*p == '*') {
            while (*p == '*')
                p++;
            star_p = p;
            star_s = s;
            continue;
        }
        if (*p == '?') {
            m = 1;
            q = p + 1;
        } else if (*p == '[') {
            q = p;
            m = bracket(&q, (unsigned char)*s);
            if (m < 0) {
                m = *s == '[';
                q = p + 1;
            }
        } else if (*p == '\\' && p[1] != '\0') {
            m = p[1] == *s;
            q = p + 2;
        } else if (*p != '\0') {
            m = *p == *s;
            q = p + 1;
        }
        if (m) {
            p = q;
            s++;
        } else if (star_p != NULL) {
            /* Backtrack: let the last star eat one more character. */
            p = star_p;
            s = ++star_s;
        } else {
            return FNM_NOMATCH;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0' ? 0 : FNM_NOMATCH;
}
