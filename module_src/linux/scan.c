/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's boot order: which file sets each of our keys last. */
#include "internal.h"
#include "core/conf.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Same order as systemd-sysctl and `sysctl --system`; a name in an earlier
 * directory masks the same name in later ones. */
static const char *const boot_dirs[] = {
    "/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
    "/usr/lib/sysctl.d", "/lib/sysctl.d", NULL
};

typedef struct entry {
    char name[256];
    char path[4096];          /* as seen by the host (without ctx root) */
    int dir;
} entry_t;

typedef struct entries {
    entry_t *e;
    size_t n, cap;
} entries_t;

static int ends_with_conf(const char *s)
{
    size_t n = strlen(s);
    return n > 5 && strcmp(s + n - 5, ".conf") == 0;
}

static entry_t *find_name(entries_t *l, const char *name)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(l->e[i].name, name) == 0)
            return &l->e[i];
    return NULL;
}

static int add_entry(entries_t *l, const char *dir, const char *name, int d)
{
    entry_t *e;

    if (find_name(l, name) != NULL)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        e = realloc(l->e, cap * sizeof(*e));
        if (e == NULL)
            return PT_ENOMEM;
        l->e = e;
        l->cap = cap;
    }
    e = &l->e[l->n];
    if (snprintf(e->name, sizeof(e->name), "%s", name) >= (int)sizeof(e->name) ||
        snprintf(e->path, sizeof(e->path), "%s/%s", dir, name) >= (int)sizeof(e->path))
        return 0;
    e->dir = d;
    l->n++;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry_t *)a)->name, ((const entry_t *)b)->name);
}

static int add_conflict(pt_current_t *cur, pt_key_t key, const char *file, unsigned line,
                        const char *value)
{
    pt_conflict_t *c = realloc(cur->conflicts, (cur->nconflicts + 1) * sizeof(*c));

    if (c == NULL)
        return PT_ENOMEM;
    cur->conflicts = c;
    c = &cur->conflicts[cur->nconflicts];
    memset(c, 0, sizeof(*c));
    c->key = key;
    c->line = line;
    c->file = strdup(file);
    c->value = strdup(value);
    if (c->file == NULL || c->value == NULL) {
        free(c->file);
        free(c->value);
        return PT_ENOMEM;
    }
    cur->nconflicts++;
    return 0;
}

/* Records every line of one file that sets one of our keys. */
static int scan_file(const pt_ctx_t *ctx, const char *path, bool after_ours, pt_current_t *cur)
{
    char full[4200], src[4300];
    char *text = NULL;
    size_t len, i;
    pt_conf_t *conf = NULL;
    pt_error_t e;
    int k, rc = 0;

    if (pt__path(ctx, path, full, sizeof(full)) != 0 || pt__read_file(full, &text, &len) != 0)
        return 0;   /* unreadable files cannot set anything at boot either */
    pt_error_init(&e);
    if (pt_conf_parse(text, len, path, &conf, &e) != 0) {
        free(text);
        return e.code == PT_ENOMEM ? PT_ENOMEM : 0;
    }
    for (i = 0; i < conf->n && rc == 0; i++) {
        for (k = 0; k < PT_K__COUNT && rc == 0; k++) {
            pt_keystate_t *ks = &cur->key[k];
            pt_value_t v;
            if (!pt_keys[k].linux_key || !pt_conf_line_sets(&conf->lines[i], (pt_key_t)k))
                continue;
            /* sysctl.d(5): keys assigned explicitly (ours are) are excluded from globs. */
            if (after_ours && !(conf->lines[i].glob && cur->file_at_boot))
                rc = add_conflict(cur, (pt_key_t)k, path, (unsigned)i + 1, conf->lines[i].value);
            pt_error_init(&e);
            if (rc != 0 || pt_value_parse_sysctl((pt_key_t)k, conf->lines[i].value, &v, path, &e) != 0)
                continue;
            pt_value_free(&ks->boot);
            free(ks->boot_source);
            ks->boot = v;
            ks->boot_set = true;
            snprintf(src, sizeof(src), "%s:%zu", path, i + 1);
            ks->boot_source = strdup(src);
        }
    }
    pt_conf_free(conf);
    free(text);
    return rc;
}

static void mark_winners(pt_current_t *cur)
{
    size_t i;
    int k;

    for (k = 0; k < PT_K__COUNT; k++)
        for (i = cur->nconflicts; i > 0; i--)
            if (cur->conflicts[i - 1].key == (pt_key_t)k) {
                cur->conflicts[i - 1].wins = true;
                break;
            }
}

static bool same_file(const pt_ctx_t *ctx, const char *a, const char *b)
{
    char fa[4200], fb[4200];
    struct stat sa, sb;

    if (strcmp(a, b) == 0)
        return true;
    if (pt__path(ctx, a, fa, sizeof(fa)) != 0 || pt__path(ctx, b, fb, sizeof(fb)) != 0)
        return false;
    return stat(fa, &sa) == 0 && stat(fb, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int pt__scan_boot(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                  pt_error_t *err)
{
    entries_t l = { NULL, 0, 0 };
    char full[4200], ourdir[4096], *slash;
    const char *ourname;
    long ours = -1;
    size_t i;
    int d, rc = 0;
    bool sysctl_conf_seen = false;

    snprintf(ourdir, sizeof(ourdir), "%s", opts->sysctl_file);
    slash = strrchr(ourdir, '/');
    *slash = '\0';
    ourname = opts->sysctl_file + (slash - ourdir) + 1;
    for (d = 0; boot_dirs[d] != NULL && rc == 0; d++) {
        DIR *dir;
        struct dirent *de;
        if (pt__path(ctx, boot_dirs[d], full, sizeof(full)) != 0)
            continue;
        if (strcmp(boot_dirs[d], ourdir) == 0 && ends_with_conf(ourname))
            rc = add_entry(&l, boot_dirs[d], ourname, d);   /* ours, even if not yet written */
        dir = opendir(full);
        if (dir == NULL)
            continue;
        while (rc == 0 && (de = readdir(dir)) != NULL)
            if (de->d_name[0] != '.' && ends_with_conf(de->d_name))
                rc = add_entry(&l, boot_dirs[d], de->d_name, d);
        closedir(dir);
    }
    if (rc != 0)
        goto nomem;
    if (l.n > 1)   /* qsort(NULL, 0, ...) is undefined behaviour (UBSan) */
        qsort(l.e, l.n, sizeof(*l.e), cmp_entry);
    for (i = 0; i < l.n; i++) {
        if (same_file(ctx, l.e[i].path, opts->sysctl_file))
            ours = (long)i;
        else if (strcmp(l.e[i].name, ourname) == 0 && strcmp(ourdir, boot_dirs[l.e[i].dir]) != 0 &&
                 ends_with_conf(ourname)) {
            /* Ours is masked only if it lives in a later boot directory. */
            for (d = l.e[i].dir + 1; boot_dirs[d] != NULL; d++)
                if (strcmp(boot_dirs[d], ourdir) == 0)
                    cur->file_masked_by = strdup(l.e[i].path);
        }
        if (same_file(ctx, l.e[i].path, "/etc/sysctl.conf"))
            sysctl_conf_seen = true;
    }
    if (!sysctl_conf_seen && strcmp(opts->sysctl_file, "/etc/sysctl.conf") == 0)
        ours = (long)l.n;
    cur->file_at_boot = ours >= 0 && cur->file_masked_by == NULL;
    for (i = 0; i < l.n && rc == 0; i++)
        if ((long)i != ours)
            rc = scan_file(ctx, l.e[i].path, !cur->file_at_boot || (long)i > ours, cur);
        else
            rc = scan_file(ctx, l.e[i].path, false, cur);
    if (rc == 0 && !sysctl_conf_seen)   /* sysctl --system reads it last */
        rc = scan_file(ctx, "/etc/sysctl.conf", ours != (long)l.n, cur);
    if (rc != 0)
        goto nomem;
    mark_winners(cur);
    free(l.e);
    return 0;
nomem:
    free(l.e);
    return pt_error_set(err, PT_ENOMEM, 0, "sysctl.d", "out of memory while reading sysctl.d");
}
