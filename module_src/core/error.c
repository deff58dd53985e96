/* SPDX-License-Identifier: MIT */
/* First-error-wins error records and owned string lists. */
#include "porttune.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pt_error_init(pt_error_t *err)
{
    memset(err, 0, sizeof(*err));
}

int pt_error_set(pt_error_t *err, int code, int os_code, const char *object,
                 const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    err->os_code = os_code;
    snprintf(err->object, sizeof(err->object), "%s", object ? object : "");
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

char *pt_vstrdup_printf(const char *fmt, va_list ap)
{
    va_list copy;
    char *s;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *pt_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = pt_vstrdup_printf(fmt, ap);
    va_end(ap);
    return s;
}

int pt_strlist_add(pt_strlist_t *l, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = pt_vstrdup_printf(fmt, ap);
    va_end(ap);
    if (s == NULL) {
        l->lost = true;
        return PT_ENOMEM;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **items = realloc(l->items, cap * sizeof(*items));
        if (items == NULL) {
            free(s);
            l->lost = true;
            return PT_ENOMEM;
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = s;
    return 0;
}

void pt_strlist_free(pt_strlist_t *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}
