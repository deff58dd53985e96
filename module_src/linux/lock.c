/* SPDX-License-Identifier: MIT */
/* Linux: one run at a time per sysctl.d directory (flock), and cleanup of what a killed run left. */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
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

/* A run killed between writing its temp file and the rename leaves the temp
 * file behind (boot ignores it: the name does not end in .conf). Under the
 * lock no other run is writing one, so every such file is stale. Returns how
 * many were removed; failures to remove are left for the next run. */
static int remove_stale_temps(int dirfd, const char *full)
{
    const char *base = strrchr(full, '/') ? strrchr(full, '/') + 1 : full;
    struct dirent *de;
    struct stat st;
    int fd = dup(dirfd), n = 0;
    DIR *d;

    if (fd < 0)
        return 0;
    d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        if (!is_our_temp(de->d_name, base) ||
            fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != geteuid())
            continue;
        if (unlinkat(dirfd, de->d_name, 0) == 0)
            n++;
    }
    closedir(d);
    if (n > 0)
        (void)fsync(dirfd);
    return n;
}

int pt_backend_lock(const pt_ctx_t *ctx, const pt_options_t *opts, pt_lock_t **lock,
                    pt_error_t *err)
{
    char full[4200], dir[4200];
    struct stat st;
    int fd, rc;

    *lock = NULL;
    if (!opts->persist)
        return 0;
    if (pt__path(ctx, opts->sysctl_file, full, sizeof(full)) != 0 ||
        pt__dir_of(full, dir, sizeof(dir)) != 0)
        return pt_error_set(err, PT_EINVAL, 0, "sysctl_file", "sysctl_file: path too long");
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
        return pt_error_set(err, PT_ENOMEM, 0, opts->sysctl_file, "out of memory");
    }
    (*lock)->fd = fd;
    return remove_stale_temps(fd, full);
}

void pt_backend_unlock(pt_lock_t *lock)
{
    if (lock == NULL)
        return;
    close(lock->fd);   /* releases the flock */
    free(lock);
}
