/* SPDX-License-Identifier: MIT */
/* Setting values in canonical form: parse, compare, format. */
#include "porttune.h"
#include "core.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pt_value_free(pt_value_t *v)
{
    if (v == NULL)
        return;
    free(v->set);
    v->set = NULL;
    v->nset = 0;
}

int pt_value_copy(pt_value_t *dst, const pt_value_t *src)
{
    *dst = *src;
    dst->set = NULL;
    if (src->nset == 0)
        return 0;
    dst->set = malloc(src->nset * sizeof(*src->set));
    if (dst->set == NULL) {
        dst->nset = 0;
        return PT_ENOMEM;
    }
    memcpy(dst->set, src->set, src->nset * sizeof(*src->set));
    return 0;
}

bool pt_value_equal(const pt_value_t *a, const pt_value_t *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case PT_T_INT:
        return a->num == b->num;
    case PT_T_RANGE:
        return a->range.lo == b->range.lo && a->range.hi == b->range.hi;
    case PT_T_PORTSET:
        return a->nset == b->nset &&
               (a->nset == 0 || memcmp(a->set, b->set, a->nset * sizeof(*a->set)) == 0);
    }
    return false;
}

int pt__portset_add(pt_value_t *v, uint32_t lo, uint32_t hi)
{
    pt_range_t *set;

    if (v->nset >= PT_PORTSET_MAX)
        return PT_EINVAL;
    set = realloc(v->set, (v->nset + 1) * sizeof(*set));
    if (set == NULL)
        return PT_ENOMEM;
    set[v->nset].lo = lo;
    set[v->nset].hi = hi;
    v->set = set;
    v->nset++;
    return 0;
}

static int range_cmp(const void *a, const void *b)
{
    const pt_range_t *x = a, *y = b;

    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    return 0;
}

/* The kernel keeps reserved ports as a bitmap, so overlapping and adjacent
 * ranges read back merged; do the same to compare like with like. */
void pt__portset_canon(pt_value_t *v)
{
    size_t i, out = 0;

    if (v->nset == 0)
        return;
    qsort(v->set, v->nset, sizeof(*v->set), range_cmp);
    for (i = 1; i < v->nset; i++) {
        if (v->set[i].lo <= v->set[out].hi + 1) {
            if (v->set[i].hi > v->set[out].hi)
                v->set[out].hi = v->set[i].hi;
        } else {
            v->set[++out] = v->set[i];
        }
    }
    v->nset = out + 1;
}

unsigned long pt_portset_count_in(const pt_value_t *set, uint32_t lo, uint32_t hi)
{
    unsigned long n = 0;
    size_t i;

    for (i = 0; i < set->nset; i++) {
        uint32_t a = set->set[i].lo > lo ? set->set[i].lo : lo;
        uint32_t b = set->set[i].hi < hi ? set->set[i].hi : hi;
        if (a <= b)
            n += (unsigned long)(b - a) + 1;
    }
    return n;
}

/* Reads an unsigned decimal number at *p (no sign, no spaces); advances *p. */
int pt__parse_num(const char **p, unsigned long long max, unsigned long long *out)
{
    const char *s = *p;
    unsigned long long n = 0;

    if (!isdigit((unsigned char)*s))
        return PT_EINVAL;
    while (isdigit((unsigned char)*s)) {
        n = n * 10 + (unsigned)(*s - '0');
        if (n > max)
            return PT_EINVAL;
        s++;
    }
    *p = s;
    *out = n;
    return 0;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

/* Parses "8080,9000-9100" (spaces tolerated) into a canonical set of ports
 * from min (0 or 1) to 65535. */
static int portset_parse(const char *text, unsigned min, pt_value_t *out, const char *object,
                         pt_error_t *err)
{
    const char *p = skip_ws(text);
    unsigned long long lo, hi;
    int rc;

    memset(out, 0, sizeof(*out));
    out->type = PT_T_PORTSET;
    while (*p != '\0') {
        const char *start = p;
        if (pt__parse_num(&p, UINT32_MAX, &lo) != 0)
            goto bad;
        hi = lo;
        p = skip_ws(p);
        if (*p == '-') {
            p = skip_ws(p + 1);
            if (pt__parse_num(&p, UINT32_MAX, &hi) != 0)
                goto bad;
        }
        if (lo < min || hi > 65535 || lo > 65535) {
            pt_value_free(out);
            return pt_error_set(err, PT_EINVAL, 0, object,
                "%s: %llu is not a port; ports are 1-65535. Nothing was changed.",
                object, (lo < min || lo > 65535) ? lo : hi);
        }
        {
            if (hi < lo) {
                pt_value_free(out);
                return pt_error_set(err, PT_EINVAL, 0, object,
                    "%s: the range '%.*s' ends before it starts; write START-END "
                    "with START <= END. Nothing was changed.", object,
                    (int)(strcspn(start, ",")), start);
            }
        }
        rc = pt__portset_add(out, (uint32_t)lo, (uint32_t)hi);
        if (rc == PT_ENOMEM) {
            pt_value_free(out);
            return pt_error_set(err, PT_ENOMEM, 0, object, "out of memory. Nothing was changed.");
        }
        if (rc != 0) {
            pt_value_free(out);
            return pt_error_set(err, PT_EINVAL, 0, object,
                "%s: more than %d separate ranges; merge them. Nothing was changed.",
                object, PT_PORTSET_MAX);
        }
        p = skip_ws(p);
        if (*p == ',') {
            p = skip_ws(p + 1);
            if (*p == '\0')
                goto bad;
        } else if (*p != '\0') {
            goto bad;
        }
    }
    pt__portset_canon(out);
    return 0;
bad:
    pt_value_free(out);
    return pt_error_set(err, PT_EINVAL, 0, object,
        "%s: '%.80s' is not a list of ports; expected ports 1-65535 and ranges "
        "separated by commas, such as '8080,9000-9100'. Nothing was changed.",
        object, text);
}

/* What a user asks for: ports 1-65535. */
int pt__portset_parse(const char *text, pt_value_t *out, const char *object,
                      pt_error_t *err)
{
    return portset_parse(text, 1, out, object, err);
}

/* A range "START END" (sysctl) or "START-END" / "START END" (user). */
int pt__range_parse(const char *text, bool allow_dash, pt_value_t *out,
                    const char *object, pt_error_t *err)
{
    const char *p = skip_ws(text);
    unsigned long long lo, hi;

    memset(out, 0, sizeof(*out));
    out->type = PT_T_RANGE;
    if (pt__parse_num(&p, UINT32_MAX, &lo) != 0)
        goto bad;
    if (*p != ' ' && *p != '\t' && !(allow_dash && *p == '-'))
        goto bad;
    p = skip_ws(p);
    if (allow_dash && *p == '-')
        p = skip_ws(p + 1);
    if (pt__parse_num(&p, UINT32_MAX, &hi) != 0)
        goto bad;
    p = skip_ws(p);
    if (*p != '\0')
        goto bad;
    out->range.lo = (uint32_t)lo;
    out->range.hi = (uint32_t)hi;
    return 0;
bad:
    return pt_error_set(err, PT_EINVAL, 0, object,
        "%s: '%.80s' is not a port range; expected START-END with ports "
        "1-65535, such as '1024-65535'. Nothing was changed.", object, text);
}

int pt__int_parse(const char *text, long long *out)
{
    const char *p = skip_ws(text);
    char *end;
    long long n;

    errno = 0;
    n = strtoll(p, &end, 10);
    if (end == p || errno != 0)
        return PT_EINVAL;
    if (*skip_ws(end) != '\0')
        return PT_EINVAL;
    *out = n;
    return 0;
}

int pt_value_parse_sysctl(pt_key_t key, const char *text, pt_value_t *out,
                          const char *object, pt_error_t *err)
{
    long long n;

    switch (pt_keys[key].type) {
    case PT_T_RANGE:
        return pt__range_parse(text, false, out, object, err);
    case PT_T_PORTSET:
        /* The kernel's bitmap has a bit for port 0 and lists it when set
         * ("echo 0 >" is a common belief about clearing the list): a host
         * like that must still be read, and converging then drops it. */
        return portset_parse(text, 0, out, object, err);
    case PT_T_INT:
        memset(out, 0, sizeof(*out));
        out->type = PT_T_INT;
        if (pt__int_parse(text, &n) != 0)
            return pt_error_set(err, PT_EINVAL, 0, object,
                "%s: '%.80s' is not a whole number. Nothing was changed.",
                object, text);
        out->num = n;
        return 0;
    }
    return PT_EINVAL;
}

static int format_set(const pt_value_t *v, char *buf, size_t size)
{
    size_t i, used = 0;
    int n;

    if (size == 0)
        return PT_ENOMEM;
    buf[0] = '\0';
    for (i = 0; i < v->nset; i++) {
        if (v->set[i].lo == v->set[i].hi)
            n = snprintf(buf + used, size - used, "%s%u", i ? "," : "",
                         (unsigned)v->set[i].lo);
        else
            n = snprintf(buf + used, size - used, "%s%u-%u", i ? "," : "",
                         (unsigned)v->set[i].lo, (unsigned)v->set[i].hi);
        if (n < 0 || (size_t)n >= size - used)
            return PT_ENOMEM;
        used += (size_t)n;
    }
    return 0;
}

static int format_value(const pt_value_t *v, char sep, char *buf, size_t size)
{
    int n = 0;

    switch (v->type) {
    case PT_T_INT:
        n = snprintf(buf, size, "%lld", v->num);
        break;
    case PT_T_RANGE:
        n = snprintf(buf, size, "%u%c%u", (unsigned)v->range.lo, sep,
                     (unsigned)v->range.hi);
        break;
    case PT_T_PORTSET:
        return format_set(v, buf, size);
    }
    return (n < 0 || (size_t)n >= size) ? PT_ENOMEM : 0;
}

int pt_value_format_sysctl(const pt_value_t *v, char *buf, size_t size)
{
    return format_value(v, ' ', buf, size);
}

int pt_value_format_user(const pt_value_t *v, char *buf, size_t size)
{
    return format_value(v, '-', buf, size);
}

char *pt__value_strdup(const pt_value_t *v, bool sysctl_form)
{
    size_t size = 64 + v->nset * 12;
    char *buf = malloc(size);

    if (buf == NULL)
        return NULL;
    if ((sysctl_form ? pt_value_format_sysctl(v, buf, size)
                     : pt_value_format_user(v, buf, size)) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
