/* SPDX-License-Identifier: MIT */
/* JSON in and out where memory may run short (see jsonio.h). */
#include "core/jsonio.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jansson 2.14's lexer is not safe when an allocation fails: it drops a
 * byte when growing its token buffer fails and goes on (akheron/jansson#362),
 * so a path could lose a character and still parse, and it can read past the
 * end of that buffer. So no allocation fails inside a load: when malloc
 * does, jansson gets memory from a reserve here, and the load, noticed,
 * ends as out of memory once jansson has finished. */
#define RESERVE_SIZE (64 * 1024)
static _Alignas(max_align_t) unsigned char reserve[RESERVE_SIZE];
static size_t reserve_used;
static bool alloc_failed;
/* the allocator in place before the load (a test's may count calls) */
static json_malloc_t inner_malloc;
static json_free_t inner_free;

static void *watched_malloc(size_t n)
{
    void *p = inner_malloc(n);
    size_t need = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);

    if (p != NULL)
        return p;
    alloc_failed = true;
    if (need == 0 || need > RESERVE_SIZE - reserve_used)
        return NULL;
    p = reserve + reserve_used;
    reserve_used += need;
    return p;
}

static void watched_free(void *p)
{
    if ((unsigned char *)p >= reserve && (unsigned char *)p < reserve + RESERVE_SIZE)
        return;   /* the reserve is taken back whole, after the load */
    inner_free(p);
}

json_t *pt_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *jerr, bool *oom)
{
    json_t *j;

    json_get_alloc_funcs(&inner_malloc, &inner_free);
    json_set_alloc_funcs(watched_malloc, watched_free);
    alloc_failed = false;
    j = json_loadb(buf, len, flags, jerr);
    *oom = alloc_failed;
    if (*oom) {
        json_decref(j);   /* back to the reserve, or to inner_free */
        j = NULL;
    }
    json_set_alloc_funcs(inner_malloc, inner_free);
    reserve_used = 0;
    return j;
}

size_t pt_json_failure(char *buf, size_t size, bool changed, const char *msg)
{
    static const char hex[] = "0123456789abcdef";
    size_t n;
    int w = snprintf(buf, size, "{\"failed\": true, \"changed\": %s, \"msg\": \"",
                     changed ? "true" : "false");

    if (w < 0 || (size_t)w >= size)
        return 0;
    n = (size_t)w;
    for (; *msg != '\0'; msg++) {
        unsigned char c = (unsigned char)*msg;
        if (n + 8 >= size)
            return 0;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20) {
            buf[n] = '\\';
            buf[n + 1] = 'u';
            buf[n + 2] = '0';
            buf[n + 3] = '0';
            buf[n + 4] = hex[c >> 4];
            buf[n + 5] = hex[c & 15];
            n += 6;
        } else {
            buf[n++] = (char)c;
        }
    }
    if (n + 4 >= size)
        return 0;
    memcpy(buf + n, "\"}\n", 4);
    return n + 3;
}
