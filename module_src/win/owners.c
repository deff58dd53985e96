/* SPDX-License-Identifier: MIT */
/* The processes that hold client ports, counted per PID for the diagnosis; no Windows headers. */
#include "internal.h"
#include "diag/diag.h"

#include <stdlib.h>
#include <string.h>

int pt__owners_add(pt_owners_t *o, uint32_t pid, int state)
{
    pt_owner_t *e = NULL;
    size_t i;

    if (pid == 0) {
        o->without_owner++;
        return 0;
    }
    /* Few processes hold many sockets each: the last one found is the
     * likely next one, and a linear search over the rest is cheap. */
    for (i = o->n; i-- > 0;)
        if (o->v[i].pid == pid) {
            e = &o->v[i];
            break;
        }
    if (e == NULL) {
        if (o->n == o->cap) {
            size_t cap = o->cap ? o->cap * 2 : 16;
            pt_owner_t *grown = realloc(o->v, cap * sizeof(*grown));

            if (grown == NULL)
                return PT_ENOMEM;
            o->v = grown;
            o->cap = cap;
        }
        e = &o->v[o->n++];
        memset(e, 0, sizeof(*e));
        e->pid = pid;
    }
    e->held++;
    if (state == PT_TCP_ESTABLISHED)
        e->established++;
    else if (state == PT_TCP_TIME_WAIT)
        e->time_wait++;
    else
        e->other++;
    return 0;
}

void pt__owners_free(pt_owners_t *o)
{
    if (o == NULL)
        return;
    free(o->v);
    memset(o, 0, sizeof(*o));
}

static int cmp_owner(const void *pa, const void *pb)
{
    const pt_owner_t *a = pa, *b = pb;

    if (a->held != b->held)
        return a->held < b->held ? 1 : -1;
    return a->pid < b->pid ? -1 : a->pid > b->pid;
}

json_t *pt__owners_json(pt_owners_t *o, unsigned top, pt_owner_name_fn name, void *arg)
{
    json_t *obj = NULL, *list = json_array();
    size_t i;

    if (list == NULL)
        return NULL;
    if (o->n > 1)
        qsort(o->v, o->n, sizeof(o->v[0]), cmp_owner);
    for (i = 0; i < o->n && i < top; i++) {
        const pt_owner_t *e = &o->v[i];
        char *image = name != NULL ? name(e->pid, arg) : NULL;
        json_t *row = json_pack("{s:I, s:o, s:I, s:I, s:I, s:I}",
                                "pid", (json_int_t)e->pid,
                                "image", image ? json_string(image) : json_null(),
                                "ports_held", (json_int_t)e->held,
                                "established", (json_int_t)e->established,
                                "time_wait", (json_int_t)e->time_wait,
                                "other", (json_int_t)e->other);

        free(image);
        if (row == NULL || json_array_append_new(list, row) != 0)
            goto fail;
    }
    obj = json_pack("{s:I, s:I, s:o}", "total", (json_int_t)o->n,
                    "sockets_without_owner", (json_int_t)o->without_owner, "top", list);
    return obj;
fail:
    json_decref(list);
    return NULL;
}
