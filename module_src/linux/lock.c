/* SPDX-License-Identifier: MIT */
/* Linux: one run at a time per sysctl.d directory (flock), and cleanup of what a killed run left. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Long enough for any real run queue; a run stuck longer is a bug to report,
 * not something to wait out forever under Ansible. */
#define PT_LOCK_WAIT_MS 120000

struct pt_lock {
    int fd;
};

/* Locking the directory rather than a lock file leaves nothing behind and
 * works on a read-only file system, where the write then fails clearly. */
static int wait_flock(int fd)
{
    struct timespec ts = { 0, 2 * 1000 * 1000 };
    long waited = 0;

    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -errno;
        if (waited >= PT_LOCK_WAIT_MS)
            return -ETIMEDOUT;
        nanosleep(&ts, NULL);
        waited += ts.tv_nsec / 1000000;
        if (ts.tv_nsec < 50 * 1000 * 1000)
            ts.tv_nsec *= 2;
    }
    return 0;
}

/* pt__write_atomic's temp names: ".NAME.porttune-XXXXXX" (and
 * ".NAME.<backup suffix>.porttune-XXXXXX" for backups). */
static bool is_our_temp(const char *entry, const char *base)
{
    size_t n = strlen(entry), b = strlen(base), i;
    static const char tag[] = ".porttune-";
    const size_t t = sizeof(tag) - 1;

    if (n < 1 + b + t + 6 || entry[0] != '.' || strncmp(entry + 1, base, b) != 0 ||
        strncmp(entry + n - 6 - t, tag, t) != 0)
        return false;
    for (i = n - 6; i < n; i++)
        if (!isalnum((unsigned char)entry[i]))
            return false;
    return true;
}

/* The names (not starting with '.') in the locked directory, listed while
 * looking for stale temp files: the boot-order scan takes them from here
 * when that directory is one it reads (the default /etc/sysctl.d) instead of
 * reading it a second time. Valid while the lock is held. */
static struct {
    char *dir;                /* owned; NULL: no listing */
    pt__names_t names;
} listing;

/* The directory this process holds the lock on, and its descriptor: the
 * atomic replace of a file in it works relative to this fd, which was
 * opened without following links and checked, instead of opening the
 * directory by name again. */
static struct {
    int fd;
    char *dir;                /* owned; NULL: no lock held */
} held = { -1, NULL };

int pt__locked_dirfd(const char *dir)
{
    return held.dir != NULL && strcmp(held.dir, dir) == 0 ? held.fd : -1;
}

static void listing_free(void)
{
    size_t i;

    for (i = 0; i < listing.names.n; i++)
        free(listing.names.v[i]);
    free(listing.names.v);
    free(listing.dir);
    memset(&listing, 0, sizeof(listing));
}

const pt__names_t *pt__lock_listing(const char *dir)
{
    return listing.dir != NULL && strcmp(listing.dir, dir) == 0 ? &listing.names : NULL;
}

struct sweep {
    int dirfd, removed;
    const char *base;
    bool nomem;
};

/* A run killed between writing its temp file and the rename leaves the temp
 * file behind (boot ignores it: the name does not end in .conf). Under the
 * lock no other run is writing one, so every such file is stale; failures
 * to remove are left for the next run. Other names go to the listing. */
static int sweep_entry(void *arg, const char *name)
{
    struct sweep *sw = arg;
    struct stat st;
    char **v, *copy;

    if (name[0] != '.') {
        if (listing.names.n == listing.names.cap) {
            size_t cap = listing.names.cap ? listing.names.cap * 2 : 16;
            v = realloc(listing.names.v, cap * sizeof(*v));
            if (v == NULL) {
                sw->nomem = true;
                return 0;
            }
            listing.names.v = v;
            listing.names.cap = cap;
        }
        if ((copy = strdup(name)) == NULL)
            sw->nomem = true;
        else
            listing.names.v[listing.names.n++] = copy;
        return 0;
    }
    if (!is_our_temp(name, sw->base) ||
        fstatat(sw->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode) || st.st_uid != pt__euid())
        return 0;
    if (unlinkat(sw->dirfd, name, 0) == 0)
        sw->removed++;
    return 0;
}

/* Lists the locked directory once (getdents64 on the lock's own fd, which
 * no one else reads): removes stale temp files and keeps the other names
 * for the boot-order scan. Returns how many temp files were removed. */
static int sweep_dir(int dirfd, const char *dir, const char *full)
{
    const char *slash = strrchr(full, '/');
    struct sweep sw = { dirfd, 0, slash ? slash + 1 : full, false };
    int rc;

    listing_free();
    rc = pt__dir_each(dirfd, sweep_entry, &sw);
    /* A listing we could not complete is not used; the scan reads itself. */
    if (rc != 0 || sw.nomem || (listing.dir = strdup(dir)) == NULL)
        listing_free();
    if (sw.removed > 0)
        (void)fsync(dirfd);
    return sw.removed;
}

/* pt_backend_lock for the file full (under root) in the directory dir. */
static int lock_dir(const char *full, const char *dir, const pt_options_t *opts,
                    pt_lock_t **lock, pt_error_t *err)
{
    struct stat st;
    int fd, rc;

    fd = pt__open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0 && errno == ENOENT)
        return 0;   /* nothing to read; a write fails with its own message */
    if (fd < 0 && errno != ELOOP && errno != ENOTDIR)
        return pt_error_set(err, PT_EIO, errno, opts->sysctl_file,
            "cannot open the directory %s: %s. Nothing was changed.", dir, strerror(errno));
    if (fd < 0) {
        if (lstat(dir, &st) != 0)
            return pt_error_set(err, PT_EIO, errno, opts->sysctl_file,
                "cannot inspect the directory %s: %s. Nothing was changed.", dir, strerror(errno));
        rc = pt__check_dir_stat(&st, dir, full, opts->sysctl_file, err);
        return rc != 0 ? rc : pt_error_set(err, PT_EUNSAFE, 0, opts->sysctl_file,
            "refusing to manage %s: %s is not a directory. Nothing was changed.", full, dir);
    }
    if (fstat(fd, &st) != 0 || pt__check_dir_stat(&st, dir, full, opts->sysctl_file, err) != 0) {
        rc = err->code ? err->code : pt_error_set(err, PT_EIO, errno, opts->sysctl_file,
            "cannot inspect the directory %s: %s. Nothing was changed.", dir, strerror(errno));
        close(fd);
        return rc;
    }
    rc = wait_flock(fd);
    if (rc != 0) {
        close(fd);
        if (rc == -ETIMEDOUT)
            return pt_error_set(err, PT_EIO, ETIMEDOUT, opts->sysctl_file,
                "another porttune run has held the lock on %s for %d s. Nothing was "
                "changed.", dir, PT_LOCK_WAIT_MS / 1000);
        return pt_error_set(err, PT_EIO, -rc, opts->sysctl_file,
            "cannot lock %s: %s. Nothing was changed.", dir, strerror(-rc));
    }
    *lock = malloc(sizeof(**lock));
    if (*lock == NULL) {
        close(fd);
        return pt_error_set(err, PT_ENOMEM, 0, opts->sysctl_file, "out of memory. Nothing was changed.");
    }
    (*lock)->fd = fd;
    if ((held.dir = strdup(dir)) != NULL)
        held.fd = fd;
    return sweep_dir(fd, dir, full);
}

int pt_backend_lock(const pt_ctx_t *ctx, const pt_options_t *opts, pt_lock_t **lock,
                    pt_error_t *err)
{
    char *full, *dir = NULL;
    int rc;

    /* Runs with persist: false take the same lock: they write live values
     * and the state file's record of the originals, which a concurrent run
     * may be writing too. */
    *lock = NULL;
    full = pt__path_new(ctx, opts->sysctl_file);
    if (full == NULL || (dir = pt__dir_new(full)) == NULL)
        rc = pt_error_set(err, PT_ENOMEM, 0, "sysctl_file", "out of memory. Nothing was changed.");
    else
        rc = lock_dir(full, dir, opts, lock, err);
    free(dir);
    free(full);
    return rc;
}

void pt_backend_unlock(pt_lock_t *lock)
{
    if (lock == NULL)
        return;
    close(lock->fd);   /* releases the flock */
    free(lock);
    listing_free();
    free(held.dir);
    held.dir = NULL;
    held.fd = -1;
}
