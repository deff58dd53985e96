/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's boot order: which file sets each of our keys last. */
#include "internal.h"
#include "core/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Same order as systemd-sysctl and `sysctl --system`; a name in an earlier
 * directory masks the same name in later ones. */
static const char *const boot_dirs[] = {
    "/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
    "/usr/lib/sysctl.d", "/lib/sysctl.d", NULL
};

typedef struct entry {
    char *name;               /* owned */
    int dir;                  /* index in boot_dirs */
    bool known;               /* st is the file's (links followed) */
    struct stat st;
    char *text;               /* owned: a regular file's bytes; NULL: unreadable */
    size_t len;
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

static int add_entry(entries_t *l, const char *name, int d)
{
    entry_t *e;

    if (find_name(l, name) != NULL)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        e = realloc(l->e, cap * sizeof(*e));
        if (e == NULL)
            return PT_ENOMEM;
        l->e = e;
        l->cap = cap;
    }
    e = &l->e[l->n];
    if (strlen(name) > 255)   /* NAME_MAX: no such file */
        return 0;
    memset(e, 0, sizeof(*e));
    if ((e->name = strdup(name)) == NULL)
        return PT_ENOMEM;
    e->dir = d;
    l->n++;
    return 0;
}

struct collect {
    entries_t *l;
    int dir;
};

static int collect_entry(void *arg, const char *name)
{
    struct collect *c = arg;

    return name[0] != '.' && ends_with_conf(name) ? add_entry(c->l, name, c->dir) : 0;
}

/* Adds the *.conf names of boot directory d (full: its path under root).
 * A directory already read under another name (/lib/sysctl.d is
 * /usr/lib/sysctl.d on a merged-/usr system) adds nothing: its names are
 * all masked already. Unreadable directories add nothing either. */
static int list_dir(entries_t *l, int d, const char *full, struct stat *seen, int *nseen)
{
    const pt__names_t *names = pt__lock_listing(full);
    struct collect c = { l, d };
    struct stat st;
    size_t i;
    int fd, k, rc;

    if (names != NULL) {   /* the locked directory, listed by pt_backend_lock */
        for (i = 0, rc = 0; i < names->n && rc == 0; i++)
            rc = collect_entry(&c, names->v[i]);
        return rc;
    }
    fd = pt__open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0) {
        for (k = 0; k < *nseen; k++)
            if (seen[k].st_dev == st.st_dev && seen[k].st_ino == st.st_ino) {
                close(fd);
                return 0;
            }
        seen[(*nseen)++] = st;
    }
    rc = pt__dir_each(fd, collect_entry, &c);
    close(fd);
    return rc == PT_ENOMEM ? rc : 0;
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

struct scan_arg {
    const char *path;
    bool after_ours;
    pt_current_t *cur;
};

/* Records one line (lineno in path) if it sets one of our keys. */
static int scan_line(void *arg, const pt_conf_line_t *l, unsigned lineno)
{
    const struct scan_arg *a = arg;
    pt_current_t *cur = a->cur;
    char num[24];
    pt_error_t e;
    int k, rc = 0;

    for (k = 0; k < PT_K__COUNT && rc == 0; k++) {
        pt_keystate_t *ks = &cur->key[k];
        pt_value_t v;
        if (!pt_keys[k].linux_key || !pt_conf_line_sets(l, (pt_key_t)k))
            continue;
        /* sysctl.d(5): keys assigned explicitly (ours are) are excluded from globs. */
        if (a->after_ours && !(l->glob && cur->file_at_boot))
            rc = add_conflict(cur, (pt_key_t)k, a->path, lineno, l->value);
        pt_error_init(&e);
        if (rc != 0)
            continue;
        if (pt_value_parse_sysctl((pt_key_t)k, l->value, &v, a->path, &e) != 0) {
            if (e.code == PT_ENOMEM)   /* not a value the kernel refuses: ours to report */
                rc = PT_ENOMEM;
            continue;
        }
        pt_value_free(&ks->boot);
        free(ks->boot_source);
        ks->boot = v;
        ks->boot_set = true;
        snprintf(num, sizeof(num), ":%u", lineno);
        if ((ks->boot_source = pt__strjoin(a->path, num, "")) == NULL)
            rc = PT_ENOMEM;
    }
    return rc;
}

/* Records every line of one parsed file that sets one of our keys. */
static int scan_conf(const pt_conf_t *conf, const char *path, bool after_ours, pt_current_t *cur)
{
    struct scan_arg a = { path, after_ours, cur };
    size_t i;
    int rc = 0;

    for (i = 0; i < conf->n && rc == 0; i++)
        if (conf->lines[i].name != NULL)
            rc = scan_line(&a, &conf->lines[i], (unsigned)i + 1);
    return rc;
}

/* Same for a file's text, assignment lines only (unparsable files cannot set
 * anything at boot). */
static int scan_text(const char *text, size_t len, const char *path, bool after_ours,
                     pt_current_t *cur)
{
    struct scan_arg a = { path, after_ours, cur };
    pt_error_t e;
    int rc;

    pt_error_init(&e);
    rc = pt_conf_each_assignment(text, len, path, scan_line, &a, &e);
    /* A file with NUL bytes is not a sysctl file; anything else is ENOMEM. */
    return rc == 0 || e.code == PT_EINVAL ? 0 : PT_ENOMEM;
}

/* Same for a file read now: links are followed (Debian's 99-sysctl.conf is
 * one); a FIFO is skipped; unreadable files cannot set anything at boot. */
static int scan_file(const pt_ctx_t *ctx, const char *path, bool after_ours, pt_current_t *cur)
{
    char *full = pt__path_new(ctx, path);
    char *text = NULL;
    size_t len;
    int rc;

    if (full == NULL)
        return PT_ENOMEM;
    rc = pt__read_file_regular(full, &text, &len, NULL);
    free(full);
    if (rc != 0)
        return 0;
    rc = scan_text(text, len, path, after_ours, cur);
    free(text);
    return rc;
}

/* Opens a sysctl.d entry (links followed) once: its identity from fstat, and
 * the text of a regular file, read to be scanned later. Where it cannot be
 * opened, stat gives the identity, as before. Returns 0 or PT_ENOMEM. */
static int open_entry(const pt_ctx_t *ctx, const char *path, entry_t *e)
{
    char *full = pt__path_new(ctx, path);
    int fd;

    if (full == NULL)
        return PT_ENOMEM;
    fd = pt__open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
    if (fd < 0) {
        e->known = errno != ENOENT && stat(full, &e->st) == 0;
        free(full);
        return 0;
    }
    free(full);
    if (fstat(fd, &e->st) != 0) {
        close(fd);
        return 0;
    }
    e->known = true;
    if (!S_ISREG(e->st.st_mode)) {
        close(fd);
        return 0;
    }
    if (pt__read_fd(fd, PT_RD_SHORT_END, (size_t)e->st.st_size, &e->text, &e->len) == -ENOMEM)
        return PT_ENOMEM;
    return 0;
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

static char *entry_path(const entry_t *e)
{
    return pt__strjoin(boot_dirs[e->dir], "/", e->name);
}

/* dev/ino of a host path under ctx root; false when it cannot be stat'ed. */
static bool file_id(const pt_ctx_t *ctx, const char *path, struct stat *st)
{
    char *full = pt__path_new(ctx, path);
    bool ok = full != NULL && stat(full, st) == 0;

    free(full);
    return ok;
}

static void entries_free(entries_t *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        free(l->e[i].name);
        free(l->e[i].text);
    }
    free(l->e);
}

static bool same_id(bool known, const struct stat *a, const struct stat *b)
{
    return known && a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* ours_looked_up: ours is sysctl_file's fstat (NULL: it does not exist) and
 * cur->file its parsed text; otherwise both are found here. */
static int scan_boot(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                     bool ours_looked_up, const struct stat *ours, pt_error_t *err)
{
    entries_t l = { NULL, 0, 0 };
    char *full, *ourdir, *path = NULL;
    const char *ourname = strrchr(opts->sysctl_file, '/') + 1;
    long ours_at = -1;
    size_t i;
    int d, rc = 0, nseen = 0;
    bool sysctl_conf_seen = false, ours_known, conf_known;
    struct stat seen[sizeof(boot_dirs) / sizeof(boot_dirs[0])];
    struct stat ours_st, conf_st;

    ourdir = strndup(opts->sysctl_file, (size_t)(ourname - 1 - opts->sysctl_file));
    if (ourdir == NULL)
        goto nomem;
    for (d = 0; boot_dirs[d] != NULL && rc == 0; d++) {
        if ((full = pt__path_new(ctx, boot_dirs[d])) == NULL) {
            rc = PT_ENOMEM;
            break;
        }
        if (strcmp(boot_dirs[d], ourdir) == 0 && ends_with_conf(ourname))
            rc = add_entry(&l, ourname, d);   /* ours, even if not yet written */
        if (rc == 0)
            rc = list_dir(&l, d, full, seen, &nseen);
        free(full);
    }
    if (rc != 0)
        goto nomem;
    if (l.n > 1)   /* qsort(NULL, 0, ...) is undefined behaviour (UBSan) */
        qsort(l.e, l.n, sizeof(*l.e), cmp_entry);
    /* 99-sysctl.conf is usually a link to /etc/sysctl.conf: compare identities. */
    if (ours_looked_up) {
        ours_known = ours != NULL;
        if (ours_known)
            ours_st = *ours;
    } else {
        ours_known = file_id(ctx, opts->sysctl_file, &ours_st);
    }
    conf_known = file_id(ctx, "/etc/sysctl.conf", &conf_st);
    for (i = 0; i < l.n; i++) {
        entry_t *e = &l.e[i];
        bool by_name;
        if ((path = entry_path(e)) == NULL)
            goto nomem;
        by_name = strcmp(path, opts->sysctl_file) == 0;
        /* Our own file was read a moment ago: its text is cur->file. */
        if (by_name && ours_looked_up && ours_known && cur->file != NULL) {
            e->known = true;
            e->st = ours_st;
        } else if (open_entry(ctx, path, e) != 0) {
            goto nomem;
        }
        if (by_name || same_id(e->known && ours_known, &e->st, &ours_st))
            ours_at = (long)i;
        else if (strcmp(e->name, ourname) == 0 && strcmp(ourdir, boot_dirs[e->dir]) != 0 &&
                 ends_with_conf(ourname)) {
            /* Ours is masked only if it lives in a later boot directory. */
            for (d = e->dir + 1; boot_dirs[d] != NULL; d++)
                if (strcmp(boot_dirs[d], ourdir) == 0)
                    cur->file_masked_by = strdup(path);
        }
        if (strcmp(path, "/etc/sysctl.conf") == 0 || same_id(e->known && conf_known, &e->st, &conf_st))
            sysctl_conf_seen = true;
        free(path);
        path = NULL;
    }
    if (!sysctl_conf_seen && strcmp(opts->sysctl_file, "/etc/sysctl.conf") == 0)
        ours_at = (long)l.n;
    cur->file_at_boot = ours_at >= 0 && cur->file_masked_by == NULL;
    for (i = 0; i < l.n && rc == 0; i++) {
        entry_t *e = &l.e[i];
        bool after_ours = (long)i != ours_at && (!cur->file_at_boot || (long)i > ours_at);
        if ((path = entry_path(e)) == NULL)
            goto nomem;
        if (e->text != NULL)
            rc = scan_text(e->text, e->len, path, after_ours, cur);
        else if (strcmp(path, opts->sysctl_file) == 0 && ours_looked_up && cur->file != NULL)
            rc = scan_conf(cur->file, path, after_ours, cur);
        free(path);
        path = NULL;
    }
    if (rc == 0 && !sysctl_conf_seen)   /* sysctl --system reads it last */
        rc = scan_file(ctx, "/etc/sysctl.conf", ours_at != (long)l.n, cur);
    if (rc != 0)
        goto nomem;
    mark_winners(cur);
    entries_free(&l);
    free(ourdir);
    return 0;
nomem:
    free(path);
    entries_free(&l);
    free(ourdir);
    return pt_error_set(err, PT_ENOMEM, 0, "sysctl.d", "out of memory while reading sysctl.d. Nothing was changed.");
}

int pt__scan_boot(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                  pt_error_t *err)
{
    return scan_boot(ctx, opts, cur, false, NULL, err);
}

int pt__scan_boot_known(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                        const struct stat *ours, pt_error_t *err)
{
    return scan_boot(ctx, opts, cur, true, ours, err);
}
