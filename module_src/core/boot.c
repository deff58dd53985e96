/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's rules applied to sysctl.d texts: what each key is after boot. */
#include "boot.h"
#include "core.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One entry of systemd-sysctl's ordered table (our keys and globs only:
 * other keys cannot change ours). */
typedef struct bentry {
    char *key;                /* normal form, owned */
    char *value;              /* owned; NULL: "-KEY" */
    bool glob, dead;
    size_t file;
    unsigned line;
} bentry_t;

/* The last explicit line for a key in the files after ours. */
typedef struct blast {
    bool have;
    char *value;              /* owned; NULL: "-KEY" */
    size_t file;
    unsigned line;
} blast_t;

typedef struct bstate {
    bentry_t *e;
    size_t n, cap;
    blast_t last[PT_K__COUNT];
    char *ourkey[PT_K__COUNT];
} bstate_t;

#define WS " \t\n\r"

static void strip(const char **s, size_t *n)
{
    while (*n > 0 && strchr(WS, **s) != NULL) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && strchr(WS, (*s)[*n - 1]) != NULL)
        (*n)--;
}

char *pt_boot_key_normalize(const char *key, size_t len)
{
    char *s = malloc(len + 1), *out;
    size_t i, o = 0, first;

    if (s == NULL)
        return NULL;
    memcpy(s, key, len);
    s[len] = '\0';
    first = strcspn(s, "./");
    if (s[first] == '.')
        for (i = first; s[i] != '\0'; i++) {
            if (s[i] == '.')
                s[i] = '/';
            else if (s[i] == '/')
                s[i] = '.';
        }
    out = s;   /* in place: the normal form is never longer */
    for (i = 0; s[i] != '\0';) {
        size_t seg = strcspn(s + i, "/");
        if (seg > 0 && !(seg == 1 && s[i] == '.')) {
            if (o > 0)
                out[o++] = '/';
            memmove(out + o, s + i, seg);
            o += seg;
        }
        i += seg;
        if (s[i] == '/')
            i++;
    }
    out[o] = '\0';
    return out;
}

/* glob(3) over /proc/sys: '*' and '?' stay within one path segment. */
static bool glob_matches(const char *pattern, const char *key)
{
    char p[256], k[256];

    for (;;) {
        size_t pl = strcspn(pattern, "/"), kl = strcspn(key, "/");
        if (pl >= sizeof(p) || kl >= sizeof(k))
            return false;
        memcpy(p, pattern, pl);
        p[pl] = '\0';
        memcpy(k, key, kl);
        k[kl] = '\0';
        if (fnmatch(p, k, 0) != 0)
            return false;
        pattern += pl;
        key += kl;
        if (*pattern == '\0' || *key == '\0')
            return *pattern == *key;
        pattern++;
        key++;
    }
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static char *dup_or_null(const char *s, size_t n, bool *nomem)
{
    char *r;

    if (s == NULL)
        return NULL;
    r = malloc(n + 1);
    if (r == NULL) {
        *nomem = true;
        return NULL;
    }
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* The table's update rule: the same text keeps the earlier entry and its
 * place; another text replaces it at the end. Takes key and value. */
static int table_put(bstate_t *st, char *key, char *value, bool glob, size_t file,
                     unsigned line)
{
    size_t i;

    for (i = 0; i < st->n; i++) {
        bentry_t *e = &st->e[i];
        if (e->dead || strcmp(e->key, key) != 0)
            continue;
        if (same_text(e->value, value)) {
            free(key);
            free(value);
            return 0;
        }
        e->dead = true;
        break;
    }
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        bentry_t *e = realloc(st->e, cap * sizeof(*e));
        if (e == NULL) {
            free(key);
            free(value);
            return PT_ENOMEM;
        }
        st->e = e;
        st->cap = cap;
    }
    st->e[st->n++] = (bentry_t){ key, value, glob, false, file, line };
    return 0;
}

/* One line (without its end): systemd-sysctl's parse_file for one line. */
static int parse_line(bstate_t *st, const char *s, size_t n, size_t file, unsigned line,
                      bool track)
{
    const char *eq, *val = NULL;
    size_t vlen = 0;
    char *key, *value;
    bool glob, nomem = false;
    int k, ourk = -1;

    strip(&s, &n);
    if (n == 0 || *s == '#' || *s == ';')
        return 0;
    eq = memchr(s, '=', n);
    if (eq == NULL && *s != '-')
        return 0;   /* "Line is not an assignment, ignoring" */
    if (*s == '-') {
        s++;
        n--;
    }
    if (eq != NULL) {
        val = eq + 1;
        vlen = n - (size_t)(val - s);
        strip(&val, &vlen);
        n = (size_t)(eq - s);
    }
    strip(&s, &n);
    if ((key = pt_boot_key_normalize(s, n)) == NULL)
        return PT_ENOMEM;
    glob = strpbrk(key, "*?[") != NULL;
    for (k = 0; k < PT_K__COUNT; k++)
        if (st->ourkey[k] != NULL && strcmp(st->ourkey[k], key) == 0)
            ourk = k;
    if (!glob && ourk < 0) {
        free(key);
        return 0;
    }
    value = dup_or_null(val, vlen, &nomem);
    if (!nomem && ourk >= 0 && track) {
        blast_t *l = &st->last[ourk];
        /* The first line of the trailing run with one text is where
         * systemd-sysctl keeps the entry. */
        if (!l->have || !same_text(l->value, value)) {
            free(l->value);
            l->value = dup_or_null(value, vlen, &nomem);
            l->have = true;
            l->file = file;
            l->line = line;
        }
    }
    if (nomem) {
        free(key);
        free(value);
        return PT_ENOMEM;
    }
    return table_put(st, key, value, glob, file, line);
}

static int parse_file(bstate_t *st, const pt_boot_file_t *f, size_t file, long ours)
{
    size_t pos = 0;
    unsigned line = 0;
    int rc = 0;

    while (pos < f->len && rc == 0) {
        size_t start = pos;
        unsigned seen = 0;
        while (pos < f->len && f->text[pos] != '\n' && f->text[pos] != '\r' && f->text[pos] != '\0')
            pos++;
        rc = parse_line(st, f->text + start, pos - start, file, ++line,
                        ours >= 0 && (long)file > ours && !f->masked_by_ours);
        /* One line end is a run of \n, \r and NUL with no kind twice and
         * nothing after a NUL (systemd's read_line). */
        while (pos < f->len) {
            char c = f->text[pos];
            unsigned kind = c == '\n' ? 1u : c == '\r' ? 2u : c == '\0' ? 4u : 0u;
            if (kind == 0 || (seen & 4u) || (seen & kind))
                break;
            seen |= kind;
            pos++;
        }
    }
    return rc;
}

/* Appends the line that decides k; effect: what it leaves (NULL: what its
 * value alone makes). */
static int add_conflict(pt_current_t *cur, pt_key_t k, const char *file, unsigned line,
                        const char *value, const pt_value_t *effect)
{
    pt_conflict_t *c = realloc(cur->conflicts, (cur->nconflicts + 1) * sizeof(*c));

    if (c == NULL)
        return PT_ENOMEM;
    cur->conflicts = c;
    c = &cur->conflicts[cur->nconflicts];
    memset(c, 0, sizeof(*c));
    c->key = k;
    c->line = line;
    c->wins = true;
    c->unset = value == NULL;
    c->file = strdup(file);
    c->value = strdup(value != NULL ? value : "");
    if (c->file == NULL || c->value == NULL) {
        free(c->file);
        free(c->value);
        return PT_ENOMEM;
    }
    if (!c->unset) {
        int rc = effect != NULL ? pt_value_copy(&c->effect, effect)
                                : pt_value_parse_kernel(k, value, NULL, &c->effect);
        if (rc == PT_ENOMEM) {
            free(c->file);
            free(c->value);
            return rc;
        }
        c->refused = rc != 0;
    }
    cur->nconflicts++;
    return 0;
}

static char *source_of(const pt_boot_file_t *files, size_t file, unsigned line)
{
    return pt_strdup_printf("%s:%u", files[file].path, line);
}

/* The value key k has after boot, as the table stands. */
static int decide(const bstate_t *st, const pt_boot_file_t *files, pt_key_t k,
                  long ours, pt_current_t *cur)
{
    pt_keystate_t *ks = &cur->key[k];
    const bentry_t *explicit = NULL, *by = NULL;
    pt_value_t v;
    size_t i;
    int rc;

    for (i = 0; i < st->n; i++)
        if (!st->e[i].dead && !st->e[i].glob && strcmp(st->e[i].key, st->ourkey[k]) == 0)
            explicit = &st->e[i];
    for (i = 0; i < st->n; i++) {
        const bentry_t *e = explicit != NULL ? explicit : &st->e[i];
        if (explicit == NULL && (e->dead || !e->glob || !glob_matches(e->key, st->ourkey[k])))
            continue;
        if (e->value != NULL) {
            rc = pt_value_parse_kernel(k, e->value, ks->boot_set ? &ks->boot : NULL, &v);
            if (rc == PT_ENOMEM)
                return rc;
            if (rc == 0) {
                pt_value_free(&ks->boot);
                ks->boot = v;
                ks->boot_set = true;
                by = e;
            }
        }
        if (explicit != NULL)
            break;
    }
    if (by != NULL && (ks->boot_source = source_of(files, by->file, by->line)) == NULL)
        return PT_ENOMEM;
    if (ours < 0 && explicit != NULL)
        return add_conflict(cur, k, files[explicit->file].path, explicit->line,
                            explicit->value, NULL);
    if (ours < 0 && by != NULL)
        return add_conflict(cur, k, files[by->file].path, by->line, by->value, &ks->boot);
    if (ours >= 0 && st->last[k].have)
        return add_conflict(cur, k, files[st->last[k].file].path, st->last[k].line,
                            st->last[k].value, NULL);
    return 0;
}

int pt_boot_model(const pt_boot_file_t *files, size_t n, long ours, unsigned supported,
                  pt_current_t *cur, pt_error_t *err)
{
    bstate_t st;
    size_t i;
    int k, rc = 0;

    memset(&st, 0, sizeof(st));
    for (k = 0; k < PT_K__COUNT && rc == 0; k++) {
        if (!pt_keys[k].linux_key || !(supported & (1u << k)))
            continue;
        if ((st.ourkey[k] = pt_boot_key_normalize(pt_keys[k].sysctl,
                                                  strlen(pt_keys[k].sysctl))) == NULL)
            rc = PT_ENOMEM;
    }
    for (i = 0; i < n && rc == 0; i++)
        if (files[i].text != NULL)
            rc = parse_file(&st, &files[i], i, ours);
    for (k = 0; k < PT_K__COUNT && rc == 0; k++)
        if (st.ourkey[k] != NULL)
            rc = decide(&st, files, (pt_key_t)k, ours, cur);
    for (i = 0; i < st.n; i++) {
        free(st.e[i].key);
        free(st.e[i].value);
    }
    free(st.e);
    for (k = 0; k < PT_K__COUNT; k++) {
        free(st.last[k].value);
        free(st.ourkey[k]);
    }
    if (rc != 0)
        return pt_error_set(err, PT_ENOMEM, 0, "sysctl.d", "out of memory while reading sysctl.d. Nothing was changed.");
    return 0;
}
