/* SPDX-License-Identifier: MIT */
/* Atomic replacement and synced removal of a managed file, for the Linux backend. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fsync_dir(const char *path)
{
    char *dir = pt__dir_new(path);
    int fd, rc;

    if (dir == NULL)
        return -ENOMEM;
    fd = pt__open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    rc = fd < 0 ? -errno : 0;
    free(dir);
    if (rc != 0)
        return rc;
    rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

#ifdef PT_TEST_HOOKS
/* Test builds only (-DPT_TEST_HOOKS, build/test/porttune and the host
 * build; never library/porttune): tests/faults and tests/cli stop a run
 * between the temp write and the rename with
 * PORTTUNE_TEST_PAUSE_BEFORE_RENAME=SECONDS (fractions allowed, at most 600),
 * which holds the written temp file that long. */
static void test_pause_before_rename(void)
{
    const char *s = getenv("PORTTUNE_TEST_PAUSE_BEFORE_RENAME");
    struct timespec ts;
    char *end;
    double sec;

    if (s == NULL || *s == '\0')
        return;
    errno = 0;
    sec = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !(sec > 0.0) || sec > 600.0)
        return;
    ts.tv_sec = (time_t)sec;
    ts.tv_nsec = (long)((sec - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
#else
static void test_pause_before_rename(void)
{
}
#endif

/* Opens the directory dir of the file path without following links and
 * checks it (pt__check_dir_stat); the locked directory's own descriptor
 * when pt_backend_lock holds it (*owned false). Returns the fd, or -1 with
 * err set. */
static int open_dir_checked(const char *dir, const char *path, const char *object,
                            bool *owned, pt_error_t *err)
{
    struct stat st;
    int fd = pt__locked_dirfd(dir), e;

    *owned = fd < 0;
    if (fd >= 0)
        return fd;   /* opened O_NOFOLLOW and checked when it was locked */
    fd = pt__open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0) {
        e = errno;
        if (lstat(dir, &st) != 0)
            pt_error_set(err, PT_EIO, errno, object,
                "cannot write %s: the directory %s does not exist; create it first. "
                "Nothing was changed.", path, dir);
        else if (pt__check_dir_stat(&st, dir, path, object, err) == 0)
            pt_error_set(err, PT_EIO, e, object,
                "cannot open the directory %s: %s. Nothing was changed.", dir, strerror(e));
        return -1;
    }
    if (fstat(fd, &st) != 0 || pt__check_dir_stat(&st, dir, path, object, err) != 0) {
        if (err->code == 0)
            pt_error_set(err, PT_EIO, errno, object,
                "cannot inspect the directory %s: %s. Nothing was changed.", dir, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Creates ".BASE.porttune-XXXXXX" (a name that never ends in .conf, so boot
 * ignores a leftover) in dirfd, exclusively; name receives it. */
static int create_temp(int dirfd, const char *base, char **name)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    unsigned long r;
    char *tmp, *x;
    int tries, i, fd = -1;

    *name = NULL;
    if ((tmp = pt__strjoin(".", base, ".porttune-XXXXXX")) == NULL) {
        errno = ENOMEM;
        return -1;
    }
    x = tmp + strlen(tmp) - 6;
    clock_gettime(CLOCK_REALTIME, &ts);
    r = (unsigned long)ts.tv_nsec * 65537UL ^ (unsigned long)ts.tv_sec ^
        (unsigned long)(uintptr_t)&ts;   /* the stack address: ASLR differs per process */
    for (tries = 0; tries < 100; tries++) {
        for (i = 0; i < 6; i++, r /= 62)
            x[i] = chars[r % 62];
        r = r * 6364136223846793005UL + 1442695040888963407UL + (unsigned long)tries;
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0)
        free(tmp);
    else
        *name = tmp;
    return fd;
}

int pt__write_atomic(const char *path, const char *text, unsigned mode,
                     const char *object, pt_error_t *err)
{
    char *dir = pt__dir_new(path), *copy = strdup(path), *tmp = NULL;
    const char *base;
    struct stat st;
    bool owned = false;
    int dirfd = -1, fd, rc;

    if (dir == NULL || copy == NULL) {
        rc = pt_error_set(err, PT_ENOMEM, 0, object, "out of memory. Nothing was changed.");
        goto out;
    }
    base = basename(copy);
    /* Everything below is relative to the checked directory's descriptor. */
    if ((dirfd = open_dir_checked(dir, path, object, &owned, err)) < 0) {
        rc = err->code;
        goto out;
    }
    if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
            rc = pt_error_set(err, PT_EUNSAFE, 0, object,
                "refusing to manage %s: it is a symbolic link, and porttune does not write "
                "through links; point the option at the real file. Nothing was changed.", path);
            goto out;
        }
        if (!S_ISREG(st.st_mode)) {
            rc = pt_error_set(err, PT_EUNSAFE, 0, object,
                "refusing to manage %s: it is not a regular file. Nothing was changed.", path);
            goto out;
        }
        mode = st.st_mode & 07777;
    } else if (errno != ENOENT) {
        rc = pt_error_set(err, PT_EIO, errno, object,
            "cannot inspect %s: %s. Nothing was changed.", path, strerror(errno));
        goto out;
    }
    fd = create_temp(dirfd, base, &tmp);
    if (fd < 0 && errno == ENOMEM) {
        rc = pt_error_set(err, PT_ENOMEM, 0, object, "out of memory. Nothing was changed.");
        goto out;
    }
    if (fd < 0) {
        rc = pt_error_set(err, PT_EIO, errno, object,
            "cannot create a temporary file in %s: %s. Nothing was changed.", dir, strerror(errno));
        goto out;
    }
    rc = fchmod(fd, mode) == 0 ? 0 : -errno;
    if (rc == 0)
        rc = write_all(fd, text, strlen(text));
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0)
        test_pause_before_rename();
    if (rc == 0 && renameat(dirfd, tmp, dirfd, base) != 0)
        rc = -errno;
    if (rc != 0) {
        unlinkat(dirfd, tmp, 0);
        rc = pt_error_set(err, PT_EIO, -rc, object,
            "cannot write %s: %s. The file was left as it was.", path, strerror(-rc));
        goto out;
    }
    /* The new file is in place: the caller must not act as if it were not. */
    if (fsync(dirfd) != 0) {
        rc = pt_error_set(err, PT_EIO, errno, object,
            "wrote %s, but syncing its directory failed: %s; the new file may be lost "
            "if the host crashes before the file system writes it out.", path, strerror(errno));
        err->changed = true;
    }
out:
    if (owned && dirfd >= 0)
        close(dirfd);
    free(tmp);
    free(copy);
    free(dir);
    return rc;
}

int pt__unlink_synced(const char *path, const char *object, pt_error_t *err)
{
    int rc;

    if (unlink(path) != 0 && errno != ENOENT)
        return pt_error_set(err, PT_EIO, errno, object,
            "cannot remove %s: %s. The file was left as it was.", path, strerror(errno));
    rc = fsync_dir(path);
    if (rc != 0) {
        rc = pt_error_set(err, PT_EIO, -rc, object,
            "removed %s, but syncing its directory failed: %s; the file may come back "
            "if the host crashes before the file system writes it out.", path, strerror(-rc));
        err->changed = true;
        return rc;
    }
    return 0;
}
