/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Linux backend's files. */
#ifndef PT_LINUX_INTERNAL_H
#define PT_LINUX_INTERNAL_H

#include "porttune.h"

#include <fcntl.h>
#include <sys/stat.h>

#define PT_MAX_FILE (1024 * 1024)

/* open(2) by way of openat(2): musl's open() follows every O_CLOEXEC open
 * with an fcntl(F_SETFD) for kernels older than 2.6.23, which ignored the
 * flag; openat() only passes it on. One system call less per file opened. */
static inline int pt__open(const char *path, int flags, mode_t mode)
{
    return openat(AT_FDCWD, path, flags, mode);
}

/* Paths are built on the heap, at their length: a 4 KiB buffer per frame
 * made a run's stack 45 KiB deep, and on a VM every first touch of a stack
 * page is a fault that costs as much as a system call with a path lookup. */
/* a b c concatenated, a new string; NULL when out of memory. */
char *pt__strjoin(const char *a, const char *b, const char *c);
/* root + path, a new string; NULL when out of memory. */
char *pt__path_new(const pt_ctx_t *ctx, const char *path);
/* root + proc_sys + "/" + the sysctl name with dots as slashes, a new
 * string; NULL when out of memory. */
char *pt__proc_path(const pt_ctx_t *ctx, const char *sysctl);
/* The directory part of path (dirname(3)), a new string; NULL when out of memory. */
char *pt__dir_new(const char *path);
/* Reads a whole regular file (at most PT_MAX_FILE bytes) into an owned
 * NUL-terminated buffer. Returns 0, or -errno (-ENOENT when absent). */
int pt__read_file(const char *path, char **out, size_t *len);
/* Reads fd (see fileio.c for flags; size: its size when known, else 0) into
 * an owned NUL-terminated buffer and closes it. Returns 0 or -errno. */
#define PT_RD_SHORT_END 1
#define PT_RD_PREAD 2
int pt__read_fd(int fd, int flags, size_t size, char **out, size_t *len);
/* Same for a file porttune manages: refuses a symlink (-ELOOP) and anything
 * but a regular file (-EINVAL). st (may be NULL) receives its fstat. */
int pt__read_file_nofollow(const char *path, char **out, size_t *len, struct stat *st);
/* Follows links but refuses (-EINVAL) anything that is not a regular file. */
int pt__read_file_regular(const char *path, char **out, size_t *len, struct stat *st);
/* Calls fn(arg, name) for every entry of the open directory dirfd from its
 * current position ("." and ".." included), read with getdents64 into a
 * stack buffer: no DIR to allocate, no dup of a descriptor we keep. Returns
 * 0, the first non-zero return of fn, or -errno. */
int pt__dir_each(int dirfd, int (*fn)(void *arg, const char *name), void *arg);
/* Refuses (PT_EUNSAFE, err naming object) a directory that is a symlink, not
 * a directory, owned by neither root nor us, or writable by group/others
 * without the sticky bit. st is its lstat/fstat; path is the managed file. */
int pt__check_dir_stat(const struct stat *st, const char *dir, const char *path,
                       const char *object, pt_error_t *err);
/* Checks a file porttune replaces and its directory: the directory as above,
 * the file (when present) neither a symlink nor anything but a regular file.
 * A missing directory or file passes. Returns 0 or an error code. */
int pt__check_managed(const char *path, const char *object, pt_error_t *err);
/* ---- atomic.c ---- */
/* Replaces path with text atomically: temp file in the same directory,
 * fsync, rename, fsync the directory. mode applies to a new file. */
int pt__write_atomic(const char *path, const char *text, unsigned mode,
                     const char *object, pt_error_t *err);
/* Removes path and syncs its directory. */
int pt__unlink_synced(const char *path, const char *object, pt_error_t *err);

/* A directory's entry names, owned. */
typedef struct pt__names {
    char **v;
    size_t n, cap;
} pt__names_t;
/* The names not starting with '.' in dir (root-prefixed, as locked), listed
 * by pt_backend_lock; NULL unless that directory is locked and its listing
 * complete. */
const pt__names_t *pt__lock_listing(const char *dir);
/* The descriptor of dir (root-prefixed, as locked) while pt_backend_lock
 * holds it, else -1. */
int pt__locked_dirfd(const char *dir);
/* geteuid(), asked once. */
uid_t pt__euid(void);

/* Boot-order scan, for a caller that has just read sysctl_file: ours is its
 * fstat, or NULL when it does not exist; cur->file_text its bytes (reused,
 * not read again, when the scan meets the file under its own name). Fills
 * cur->conflicts, boot values, file_at_boot, file_masked_by; notes a host
 * without systemd-sysctl. Needs cur->key[k].supported. */
int pt__scan_boot_known(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                        const struct stat *ours, pt_error_t *err);
/* The state file of original live values. */
int pt__state_load(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                   pt_error_t *err);

#endif
