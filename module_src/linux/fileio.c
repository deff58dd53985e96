/* SPDX-License-Identifier: MIT */
/* Paths, file reads, directory listing and the safety checks of a managed file, for the Linux backend. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

char *pt__strjoin(const char *a, const char *b, const char *c)
{
    char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);

    if (s != NULL)
        stpcpy(stpcpy(stpcpy(s, a), b), c);
    return s;
}

char *pt__path_new(const pt_ctx_t *ctx, const char *path)
{
    return pt__strjoin(ctx && ctx->root ? ctx->root : "", path, "");
}

char *pt__proc_path(const pt_ctx_t *ctx, const char *sysctl)
{
    char *root = pt__path_new(ctx, ctx && ctx->proc_sys ? ctx->proc_sys : "/proc/sys");
    char *path = root ? pt__strjoin(root, "/", sysctl) : NULL;
    size_t i;

    free(root);
    for (i = path ? strlen(path) - strlen(sysctl) : 0; path && path[i] != '\0'; i++)
        if (path[i] == '.')
            path[i] = '/';
    return path;
}

/* Reads fd to the end and closes it. PT_RD_SHORT_END: a read that returns
 * less than it was asked for is the end (a regular file; or a /proc/sys
 * file, whose handler prints the whole value into the first read's buffer:
 * systemd reads those with a single read too). PT_RD_PREAD: read with
 * pread from offset 0 (the fd was written to first). */
/* pt__read_fd's loop: buf holds cap bytes; on_stack: it is the caller's
 * stack buffer, copied to the heap at its exact size at the end. */
static int read_loop(int fd, int flags, char *buf, size_t cap, bool on_stack,
                     char **out, size_t *len)
{
    size_t used = 0;
    char *nb;
    ssize_t n;
    int e;

    for (;;) {
        size_t want;
        if (used + 1 >= cap) {
            if (cap >= PT_MAX_FILE) {
                e = EFBIG;
                goto fail;
            }
            cap *= 2;
            nb = on_stack ? malloc(cap) : realloc(buf, cap);
            if (nb == NULL)
                goto nomem;
            if (on_stack)
                memcpy(nb, buf, used);
            buf = nb;
            on_stack = false;
        }
        want = cap - used - 1;
        n = (flags & PT_RD_PREAD) ? pread(fd, buf + used, want, (off_t)used)
                                  : read(fd, buf + used, want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            goto fail;
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if ((flags & PT_RD_SHORT_END) && (size_t)n < want)
            break;
    }
    close(fd);
    if (on_stack) {
        if ((nb = malloc(used + 1)) == NULL)
            return -ENOMEM;
        memcpy(nb, buf, used);
        buf = nb;
    }
    buf[used] = '\0';
    *out = buf;
    if (len)
        *len = used;
    return 0;
nomem:
    e = ENOMEM;
fail:
    if (!on_stack)
        free(buf);
    close(fd);
    return -e;
}

/* Files of unknown size are read into a stack buffer and get an exact-size
 * copy: the shipped build's bump allocator keeps every block until exit,
 * and a 4 KiB heap buffer per file read was most of what it handed out.
 * Not inlined: the boot-order scan reads files of known size, deep in the
 * stack, and must not reserve these 4 KiB below itself. */
__attribute__((noinline)) static int read_unsized(int fd, int flags, char **out, size_t *len)
{
    char stack[4096];

    return read_loop(fd, flags, stack, sizeof(stack), true, out, len);
}

int pt__read_fd(int fd, int flags, size_t size, char **out, size_t *len)
{
    char *buf;

    *out = NULL;
    if (size == 0 || size >= PT_MAX_FILE - 2)
        return read_unsized(fd, flags, out, len);
    /* A known size (fstat) gets its buffer at once: + 1 so that one read
     * sees the end, + 1 for the NUL. */
    if ((buf = malloc(size + 2)) == NULL) {
        close(fd);
        return -ENOMEM;
    }
    return read_loop(fd, flags, buf, size + 2, false, out, len);
}

int pt__read_file(const char *path, char **out, size_t *len)
{
    int fd = pt__open(path, O_RDONLY | O_CLOEXEC, 0);

    *out = NULL;
    if (fd < 0)
        return -errno;
    return pt__read_fd(fd, 0, 0, out, len);
}

/* O_NONBLOCK: a FIFO put where a file should be must not hang the run.
 * st (may be NULL) receives the file's fstat when it could be opened. */
static int read_regular(const char *path, int flags, char **out, size_t *len, struct stat *st)
{
    int fd = pt__open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags, 0);
    struct stat own;

    *out = NULL;
    if (st == NULL)
        st = &own;
    if (fd < 0)
        return -errno;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -EINVAL;
    }
    return pt__read_fd(fd, PT_RD_SHORT_END, (size_t)st->st_size, out, len);
}

int pt__read_file_nofollow(const char *path, char **out, size_t *len, struct stat *st)
{
    return read_regular(path, O_NOFOLLOW, out, len, st);
}

int pt__read_file_regular(const char *path, char **out, size_t *len, struct stat *st)
{
    return read_regular(path, 0, out, len, st);
}

/* getdents64's records (linux_dirent64): u64 d_ino, s64 d_off, u16 d_reclen,
 * u8 d_type, then the NUL-terminated name. */
#define PT_DIRENT_RECLEN 16
#define PT_DIRENT_NAME 19

int pt__dir_each(int dirfd, int (*fn)(void *arg, const char *name), void *arg)
{
    /* long: getdents64 records are 8-byte aligned within the buffer */
    long buf[2048 / sizeof(long)];
    long n;
    int rc;

    for (;;) {
        size_t at = 0;
        n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return 0;
        while (at < (size_t)n) {
            const char *rec = (const char *)buf + at;
            unsigned short reclen;
            memcpy(&reclen, rec + PT_DIRENT_RECLEN, sizeof(reclen));
            if (reclen == 0)
                return -EIO;
            at += reclen;
            if ((rc = fn(arg, rec + PT_DIRENT_NAME)) != 0)
                return rc;
        }
    }
}

char *pt__dir_new(const char *path)
{
    char *copy = strdup(path), *dir;

    if (copy == NULL)
        return NULL;
    dir = dirname(copy);   /* copy, or a static "." or "/" */
    if (dir != copy) {
        free(copy);
        return strdup(dir);
    }
    return copy;
}

uid_t pt__euid(void)
{
    static uid_t euid;
    static bool known;

    if (!known) {
        euid = geteuid();
        known = true;
    }
    return euid;
}

/* Another user who can write the directory can swap the file between our
 * read and our rename, or plant a link we would follow; the sticky bit stops
 * them from renaming or removing what is ours. */
int pt__check_dir_stat(const struct stat *st, const char *dir, const char *path,
                       const char *object, pt_error_t *err)
{
    uid_t me = pt__euid();

    if (S_ISLNK(st->st_mode))
        return pt_error_set(err, PT_EUNSAFE, 0, object,
            "refusing to manage %s: its directory %s is a symbolic link, and porttune "
            "does not write through links; use the real directory. Nothing was changed.",
            path, dir);
    if (!S_ISDIR(st->st_mode))
        return pt_error_set(err, PT_EUNSAFE, 0, object,
            "refusing to manage %s: %s is not a directory. Nothing was changed.", path, dir);
    if (st->st_uid != 0 && st->st_uid != me)
        return pt_error_set(err, PT_EUNSAFE, 0, object,
            "refusing to manage %s: its directory %s belongs to uid %u, not to root or "
            "to the user porttune runs as (uid %u), so that user could replace the "
            "file. Nothing was changed.", path, dir, (unsigned)st->st_uid, (unsigned)me);
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st->st_mode & S_ISVTX) == 0)
        return pt_error_set(err, PT_EUNSAFE, 0, object,
            "refusing to manage %s: its directory %s is writable by %s (mode %04o) "
            "without the sticky bit, so another user could replace the file; run "
            "chmod go-w %s. Nothing was changed.", path, dir,
            (st->st_mode & S_IWOTH) ? "others" : "its group",
            (unsigned)(st->st_mode & 07777), dir);
    return 0;
}

int pt__check_managed(const char *path, const char *object, pt_error_t *err)
{
    char *dir = pt__dir_new(path);
    const char *base = strrchr(path, '/');
    struct stat st;
    int dirfd, rc = 0;

    if (dir == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, object, "out of memory. Nothing was changed.");
    /* The locked directory was opened without following links and checked
     * when it was locked; its descriptor also spares a path walk. */
    dirfd = pt__locked_dirfd(dir);
    if (dirfd < 0) {
        if (lstat(dir, &st) != 0) {
            if (errno != ENOENT)
                rc = pt_error_set(err, PT_EIO, errno, object,
                    "cannot inspect the directory %s: %s. Nothing was changed.", dir, strerror(errno));
            free(dir);
            return rc;
        }
        if (pt__check_dir_stat(&st, dir, path, object, err) != 0) {
            free(dir);
            return err->code;
        }
    }
    free(dir);
    if ((dirfd >= 0 && base != NULL ? fstatat(dirfd, base + 1, &st, AT_SYMLINK_NOFOLLOW)
                                    : lstat(path, &st)) != 0)
        return errno == ENOENT ? 0 : pt_error_set(err, PT_EIO, errno, object,
            "cannot inspect %s: %s. Nothing was changed.", path, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return pt_error_set(err, PT_EUNSAFE, 0, object,
            "refusing to manage %s: it is a symbolic link, and porttune does not write "
            "through links; point the option at the real file. Nothing was changed.", path);
    if (!S_ISREG(st.st_mode))
        return pt_error_set(err, PT_EUNSAFE, 0, object,
            "refusing to manage %s: it is not a regular file. Nothing was changed.", path);
    return 0;
}
