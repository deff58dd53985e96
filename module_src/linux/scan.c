/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's boot order on this host: which sysctl.d files it reads,
 * handed to the core's model (core/boot.c) of what it makes of them. */
#include "internal.h"
#include "core/boot.h"
#include "core/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* systemd-sysctl's directories (systemd 252); a name in an earlier directory
 * masks the same name in later ones. /etc/sysctl.conf is not among them: it
 * is read only through a link in one of them (Debian's and RHEL's
 * /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf). */
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
    bool ghost;               /* sysctl_file's name, the file not written yet */
    bool shadowed;            /* same name as the ghost in a later directory: read
                                 now, masked once ours is written */
    bool has_shadow;
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

static int add_entry(entries_t *l, const char *name, int d, bool ghost)
{
    entry_t *e = find_name(l, name);
    bool shadowed = false;

    if (e != NULL && (!e->ghost || e->has_shadow))
        return 0;
    if (e != NULL) {
        e->has_shadow = true;
        shadowed = true;
    }
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
    e->ghost = ghost;
    e->shadowed = shadowed;
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

    return name[0] != '.' && ends_with_conf(name) ? add_entry(c->l, name, c->dir, false) : 0;
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

/* Is path a link whose target, taken lexically, is want? (99-sysctl.conf ->
 * ../sysctl.conf before porttune writes /etc/sysctl.conf.) */
static bool links_to(const pt_ctx_t *ctx, const char *path, const char *want)
{
    char *full = pt__path_new(ctx, path), target[PATH_MAX], joined[2 * PATH_MAX + 2];
    char *seg[PATH_MAX / 2];
    size_t nseg = 0, i, used = 0;
    ssize_t n;
    char *p, *save = NULL;

    if (full == NULL)
        return false;
    n = readlink(full, target, sizeof(target) - 1);
    free(full);
    if (n <= 0)
        return false;
    target[n] = '\0';
    if (target[0] == '/')
        snprintf(joined, sizeof(joined), "%s", target);
    else
        snprintf(joined, sizeof(joined), "%.*s/%s",
                 (int)(strrchr(path, '/') - path), path, target);
    for (p = strtok_r(joined, "/", &save); p != NULL; p = strtok_r(NULL, "/", &save)) {
        if (strcmp(p, "..") == 0)
            nseg -= nseg > 0;
        else if (strcmp(p, ".") != 0 && nseg < sizeof(seg) / sizeof(seg[0]))
            seg[nseg++] = p;
    }
    for (i = 0; i < nseg; i++) {
        size_t len = strlen(seg[i]);
        if (used + 1 + len > strlen(want) || want[used] != '/' ||
            strncmp(want + used + 1, seg[i], len) != 0)
            return false;
        used += 1 + len;
    }
    return used == strlen(want) && nseg > 0;
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
    return known && b != NULL && a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Is systemd-sysctl the program that applies sysctl.d at boot here? */
static bool has_systemd_sysctl(const pt_ctx_t *ctx)
{
    static const char *const paths[] = {
        "/usr/lib/systemd/systemd-sysctl", "/lib/systemd/systemd-sysctl", NULL
    };
    struct stat st;
    int i;

    for (i = 0; paths[i] != NULL; i++)
        if (file_id(ctx, paths[i], &st) && S_ISREG(st.st_mode))
            return true;
    return false;
}

/* The files systemd-sysctl reads, in its order, with ours among them (or
 * masked, or not read at all), handed to the boot-order model. */
int pt__scan_boot_known(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                        const struct stat *ours, pt_error_t *err)
{
    entries_t l = { NULL, 0, 0 };
    pt_boot_file_t *files = NULL;
    char *full, *ourdir, *path = NULL;
    const char *ourname = strrchr(opts->sysctl_file, '/') + 1;
    long ours_at = -1;
    size_t i;
    unsigned supported = 0;
    int d, k, rc = 0, nseen = 0;
    struct stat seen[sizeof(boot_dirs) / sizeof(boot_dirs[0])];

    ourdir = strndup(opts->sysctl_file, (size_t)(ourname - 1 - opts->sysctl_file));
    if (ourdir == NULL)
        goto nomem;
    for (d = 0; boot_dirs[d] != NULL && rc == 0; d++) {
        if ((full = pt__path_new(ctx, boot_dirs[d])) == NULL) {
            rc = PT_ENOMEM;
            break;
        }
        if (strcmp(boot_dirs[d], ourdir) == 0 && ends_with_conf(ourname))
            rc = add_entry(&l, ourname, d, ours == NULL);   /* ours, even if not yet written */
        if (rc == 0)
            rc = list_dir(&l, d, full, seen, &nseen);
        free(full);
    }
    if (rc != 0)
        goto nomem;
    if (l.n > 1)   /* qsort(NULL, 0, ...) is undefined behaviour (UBSan) */
        qsort(l.e, l.n, sizeof(*l.e), cmp_entry);
    files = calloc(l.n + 1, sizeof(*files));
    if (files == NULL)
        goto nomem;
    for (i = 0; i < l.n; i++) {
        entry_t *e = &l.e[i];
        bool by_name;
        if ((path = entry_path(e)) == NULL)
            goto nomem;
        by_name = strcmp(path, opts->sysctl_file) == 0;
        files[i].path = path;   /* freed with files */
        path = NULL;
        /* Our own file was read a moment ago: its text is cur->file_text. */
        if (by_name && ours != NULL && cur->file_text != NULL) {
            e->known = true;
            e->st = *ours;
            files[i].text = cur->file_text;
            files[i].len = strlen(cur->file_text);
        } else if (open_entry(ctx, files[i].path, e) != 0) {
            goto nomem;
        } else {
            files[i].text = e->text;
            files[i].len = e->len;
        }
        /* /etc/sysctl.conf as ours counts where a link such as 99-sysctl.conf
         * leads to it: compare identities. */
        files[i].masked_by_ours = e->shadowed;
        if (by_name || same_id(e->known && ours != NULL, &e->st, ours) ||
            (ours == NULL && !e->known && links_to(ctx, files[i].path, opts->sysctl_file)))
            ours_at = (long)i;
        else if (strcmp(e->name, ourname) == 0 && strcmp(ourdir, boot_dirs[e->dir]) != 0 &&
                 ends_with_conf(ourname)) {
            /* Ours is masked only if it lives in a later boot directory. */
            for (d = e->dir + 1; boot_dirs[d] != NULL; d++)
                if (strcmp(boot_dirs[d], ourdir) == 0 && cur->file_masked_by == NULL &&
                    (cur->file_masked_by = strdup(files[i].path)) == NULL)
                    goto nomem;
        }
    }
    cur->file_at_boot = ours_at >= 0 && cur->file_masked_by == NULL;
    for (k = 0; k < PT_K__COUNT; k++)
        if (cur->key[k].supported)
            supported |= 1u << k;
    rc = pt_boot_model(files, l.n, cur->file_at_boot ? ours_at : -1, supported, cur, err);
    if (rc == 0 && !has_systemd_sysctl(ctx))
        rc = pt_strlist_add(&cur->notes, "this host has no systemd-sysctl; porttune's boot "
            "values and conflicts follow systemd-sysctl's rules, and whatever applies "
            "sysctl.d here at boot may read the files differently.");
    for (i = 0; i < l.n; i++)
        free((char *)files[i].path);
    free(files);
    entries_free(&l);
    free(ourdir);
    if (rc != 0 && err->code == 0)   /* the note's allocation: the model set err itself */
        rc = pt_error_set(err, PT_ENOMEM, 0, "sysctl.d", "out of memory while reading sysctl.d. Nothing was changed.");
    return rc;
nomem:
    free(path);
    if (files != NULL)
        for (i = 0; i < l.n; i++)
            free((char *)files[i].path);
    free(files);
    entries_free(&l);
    free(ourdir);
    return pt_error_set(err, PT_ENOMEM, 0, "sysctl.d", "out of memory while reading sysctl.d. Nothing was changed.");
}
