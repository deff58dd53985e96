/* SPDX-License-Identifier: MIT */
/* Linux backend: live values in /proc/sys, persisted ones in a sysctl.d file. */
#include "internal.h"
#include "core/conf.h"
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const pt_os_t pt_backend_os = PT_OS_LINUX;

/* The directory of the last /proc/sys file opened (all our keys live in
 * net/ipv4), opened O_PATH once per read or apply: the next values are
 * opened relative to it instead of walking /proc/sys/net/ipv4 again, which
 * costs about 1.2 us per open here. */
typedef struct procdir {
    char *dir;                /* owned; NULL: none */
    int fd;
} procdir_t;

static void procdir_close(procdir_t *pd)
{
    if (pd->fd >= 0)
        close(pd->fd);
    free(pd->dir);
    pd->dir = NULL;
    pd->fd = -1;
}

/* Opens path like pt__open, relative to pd's directory when it is path's. */
static int proc_open(procdir_t *pd, const char *path, int flags)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;

    if (slash == NULL || n == 0)
        return pt__open(path, flags, 0);
    if (pd->dir == NULL || strncmp(pd->dir, path, n) != 0 || pd->dir[n] != '\0') {
        procdir_close(pd);
        if ((pd->dir = strndup(path, n)) != NULL)
            pd->fd = pt__open(pd->dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    }
    return pd->fd >= 0 ? openat(pd->fd, slash + 1, flags) : pt__open(path, flags, 0);
}

static int read_proc(procdir_t *pd, const char *path, char **text)
{
    int fd = proc_open(pd, path, O_RDONLY | O_CLOEXEC);

    *text = NULL;
    if (fd < 0)
        return -errno;
    return pt__read_fd(fd, PT_RD_SHORT_END, 0, text, NULL);
}

static int read_live(const pt_ctx_t *ctx, procdir_t *pd, pt_key_t k, pt_keystate_t *ks,
                     pt_error_t *err)
{
    char *path = pt__proc_path(ctx, pt_keys[k].sysctl);
    char *text = NULL;
    int rc;

    if (path == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, pt_keys[k].sysctl, "out of memory. Nothing was changed.");
    rc = read_proc(pd, path, &text);
    if (rc == -ENOENT) {
        ks->supported = false;
        rc = 0;
    } else if (rc != 0) {
        rc = pt_error_set(err, PT_EIO, -rc, pt_keys[k].sysctl,
            "cannot read %s: %s. Nothing was changed.", path, strerror(-rc));
    } else {
        ks->supported = true;
        rc = pt_value_parse_sysctl(k, text, &ks->live, path, err);
        ks->live_set = rc == 0;
    }
    free(text);
    free(path);
    return rc;
}

/* st receives the file's fstat; cur->file_exists says whether it is valid. */
static int read_file(const pt_ctx_t *ctx, const pt_options_t *opts, pt_current_t *cur,
                     struct stat *st, pt_error_t *err)
{
    char *path = pt__path_new(ctx, opts->sysctl_file);
    size_t len;
    int k, rc;

    if (path == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, "sysctl_file", "out of memory. Nothing was changed.");
    if (pt__check_managed(path, opts->sysctl_file, err) != 0) {
        free(path);
        return err->code;
    }
    rc = pt__read_file_nofollow(path, &cur->file_text, &len, st);
    free(path);
    if (rc == -ENOENT)
        return 0;
    if (rc == -ELOOP || rc == -EINVAL)
        return pt_error_set(err, PT_EUNSAFE, -rc, opts->sysctl_file,
            "refusing to manage %s: it was replaced by a symbolic link or a special "
            "file while porttune read it. Nothing was changed.", opts->sysctl_file);
    if (rc != 0)
        return pt_error_set(err, PT_EIO, -rc, opts->sysctl_file,
            "cannot read %s: %s. Nothing was changed.", opts->sysctl_file, strerror(-rc));
    cur->file_exists = true;
    rc = pt_conf_parse(cur->file_text, len, opts->sysctl_file, &cur->file, err);
    if (rc != 0)
        return rc;
    for (k = 0; k < PT_K__COUNT; k++) {
        long at;
        pt_error_t ignored;
        if (!pt_keys[k].linux_key || (at = pt_conf_find(cur->file, (pt_key_t)k)) < 0)
            continue;
        /* A value the kernel would refuse counts as not persisted: it gets rewritten. */
        pt_error_init(&ignored);
        if (pt_value_parse_sysctl((pt_key_t)k, cur->file->lines[at].value,
                                  &cur->key[k].persisted, opts->sysctl_file, &ignored) == 0)
            cur->key[k].persisted_set = true;
    }
    return 0;
}

int pt_backend_read(const pt_ctx_t *ctx, const pt_options_t *opts,
                    pt_current_t *cur, pt_error_t *err)
{
    char *path, *text = NULL;
    procdir_t pd = { NULL, -1 };
    struct stat st;
    long long n;
    int k, rc = 0;

    cur->os = PT_OS_LINUX;
    cur->unpriv_port_start = 1024;
    if (!(cur->skip_live & PT_SKIP_UNPRIV)) {
        path = pt__proc_path(ctx, "net.ipv4.ip_unprivileged_port_start");
        if (path == NULL)
            return pt_error_set(err, PT_ENOMEM, 0, "ip_unprivileged_port_start", "out of memory. Nothing was changed.");
        if (read_proc(&pd, path, &text) == 0 && pt__int_parse(text, &n) == 0 && n >= 0)
            cur->unpriv_port_start = (unsigned)n;
        free(text);
        free(path);
    }
    for (k = 0; k < PT_K__COUNT && rc == 0; k++)
        if (pt_keys[k].linux_key && !(cur->skip_live & (1u << k)))
            rc = read_live(ctx, &pd, (pt_key_t)k, &cur->key[k], err);
    procdir_close(&pd);
    if (rc != 0)
        return rc;
    rc = read_file(ctx, opts, cur, &st, err);
    if (rc == 0)
        rc = pt__scan_boot_known(ctx, opts, cur, cur->file_exists ? &st : NULL, err);
    if (rc == 0 && !cur->skip_originals)
        rc = pt__state_load(ctx, opts, cur, err);
    return rc;
}

/* Writes one live value; returns 0 or -errno. The text and the path go on
 * the stack when they fit: putting values back after a failure must not need
 * memory, which may be what ran out. */
static int write_live(const pt_ctx_t *ctx, procdir_t *pd, pt_key_t k, const pt_value_t *v)
{
    char small[4096], path[PATH_MAX], *heap = NULL, *back = NULL;
    const char *text = small, *out;
    pt_value_t rb;
    pt_error_t e;
    size_t len, i;
    ssize_t n;
    int fd, rc = 0, w;

    if (pt_value_format_sysctl(v, small, sizeof(small)) != 0) {
        if ((heap = pt__value_strdup(v, true)) == NULL)
            return -ENOMEM;
        text = heap;
    }
    /* An empty write is a no-op for some handlers; a newline clears the set. */
    len = strlen(text);
    out = len > 0 ? text : "\n";
    len = len > 0 ? len : 1;
    w = snprintf(path, sizeof(path), "%s%s/", ctx && ctx->root ? ctx->root : "",
                 ctx && ctx->proc_sys ? ctx->proc_sys : "/proc/sys");
    if (w < 0 || (size_t)w + strlen(pt_keys[k].sysctl) >= sizeof(path)) {
        rc = -ENAMETOOLONG;
        goto out;
    }
    for (i = 0; pt_keys[k].sysctl[i] != '\0'; i++) {
        path[(size_t)w + i] = pt_keys[k].sysctl[i];
        if (path[(size_t)w + i] == '.')
            path[(size_t)w + i] = '/';
    }
    path[(size_t)w + i] = '\0';
    /* Read and write: the value is read back from the same fd. */
    fd = proc_open(pd, path, O_RDWR | O_CLOEXEC | O_TRUNC);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    n = write(fd, out, len);
    if (n < 0)
        rc = -errno;
    else if ((size_t)n != len)
        rc = -EIO;
    if (rc != 0) {
        close(fd);
        goto out;
    }
    /* Some handlers clamp silently; trust only what reads back (pread from
     * offset 0: the sysctl handler prints the value it now holds). */
    if (pt__read_fd(fd, PT_RD_PREAD | PT_RD_SHORT_END, 0, &back, NULL) == 0) {
        pt_error_init(&e);
        if (pt_value_parse_sysctl(k, back, &rb, path, &e) == 0) {
            if (!pt_value_equal(&rb, v))
                rc = -ERANGE;
            pt_value_free(&rb);
        }
        free(back);
    }
out:
    free(heap);
    return rc;
}

int pt_backend_apply(const pt_ctx_t *ctx, const pt_options_t *opts,
                     const pt_current_t *cur, const pt_plan_t *plan,
                     pt_error_t *err)
{
    int done[PT_K__COUNT];
    int ndone = 0, k, rc = 0, i;
    procdir_t pd = { NULL, -1 };
    const char *back;
    bool back_ok = true;
    char *val;

    (void)opts;
    for (k = 0; k < PT_K__COUNT; k++) {
        if (!plan->change[k].live)
            continue;
        rc = write_live(ctx, &pd, (pt_key_t)k, &plan->change[k].target);
        if (rc != 0)
            break;
        done[ndone++] = k;
    }
    if (rc == 0) {
        procdir_close(&pd);
        return 0;
    }
    /* ERANGE: the kernel took the write but holds another value: put that
     * key back too. */
    if (rc == -ERANGE)
        done[ndone++] = k;
    for (i = ndone - 1; i >= 0; i--)
        if (cur->key[done[i]].live_set &&
            write_live(ctx, &pd, (pt_key_t)done[i], &cur->key[done[i]].live) != 0)
            back_ok = false;
    procdir_close(&pd);
    back = !back_ok ? "Putting back the values this run wrote failed too; check them by hand"
         : ndone ? "The values this run wrote were put back" : "Nothing was changed";
    /* ENOMEM is ours (a path or a value to format), not the kernel's. */
    val = rc == -ENOMEM ? NULL : pt__value_strdup(&plan->change[k].target, true);
    if (rc == -ENOMEM && back_ok && ndone == 0)
        pt_error_set(err, PT_ENOMEM, 0, pt_keys[k].option, "out of memory. Nothing was changed.");
    else if (rc == -ENOMEM)
        pt_error_set(err, PT_ENOMEM, 0, pt_keys[k].option,
            "out of memory while writing %s. %s; the file was not changed.",
            pt_keys[k].sysctl, back);
    else if (rc == -EROFS || rc == -EACCES || rc == -EPERM)
        pt_error_set(err, PT_EIO, -rc, pt_keys[k].option,
            "%s: cannot write %s = %s: %s (a container with a read-only /proc/sys?). "
            "Set apply: false to persist only, or change the value on the host. "
            "%s; the file was not changed.", pt_keys[k].option, pt_keys[k].sysctl,
            val ? val : "?", strerror(-rc), back);
    else if (rc == -ERANGE)
        pt_error_set(err, PT_EIO, ERANGE, pt_keys[k].option,
            "%s: the kernel accepted %s = %s but reads back a different value. "
            "%s; the file was not changed.", pt_keys[k].option, pt_keys[k].sysctl,
            val ? val : "?", back);
    else
        pt_error_set(err, PT_EIO, -rc, pt_keys[k].option,
            "%s: the kernel refused %s = %s: %s. %s; the file was not changed.",
            pt_keys[k].option, pt_keys[k].sysctl, val ? val : "?", strerror(-rc), back);
    free(val);
    err->changed = !back_ok;
    return PT_EIO;
}

static int backup(const char *full, const char *path, char **backup_path, pt_error_t *err)
{
    char suffix[96], *name;
    char *text = NULL;
    struct tm tm;
    time_t now = time(NULL);
    size_t len;
    int rc;

    rc = pt__read_file(full, &text, &len);
    if (rc == -ENOENT)
        return 0;
    if (rc != 0)
        return pt_error_set(err, PT_EIO, -rc, path, "cannot read %s for the backup: %s. "
                            "Nothing was changed.", path, strerror(-rc));
    localtime_r(&now, &tm);
    /* Ansible's backup name: PATH.PID.YYYY-MM-DD@HH:MM:SS~ (not *.conf, so boot skips it). */
    snprintf(suffix, sizeof(suffix), ".%ld.%04d-%02d-%02d@%02d:%02d:%02d~", (long)getpid(),
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    name = pt__strjoin(full, suffix, "");
    if (name == NULL) {
        free(text);
        return pt_error_set(err, PT_ENOMEM, 0, path, "out of memory. Nothing was changed.");
    }
    rc = pt__write_atomic(name, text, 0644, path, err);
    free(text);
    err->changed = false;   /* a backup changes nothing that matters; the file was not written */
    if (rc == 0 && (*backup_path = strdup(name + (strlen(full) - strlen(path)))) == NULL)
        rc = pt_error_set(err, PT_ENOMEM, 0, path, "out of memory. Nothing was changed.");
    free(name);
    return rc;
}

int pt_backend_persist(const pt_ctx_t *ctx, const pt_options_t *opts,
                       const pt_current_t *cur, const pt_plan_t *plan,
                       char **backup_path, pt_error_t *err)
{
    char *full = pt__path_new(ctx, opts->sysctl_file);
    int rc = 0;

    if (full == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, "sysctl_file", "out of memory. Nothing was changed.");
    if (opts->backup && cur->file_exists)
        rc = backup(full, opts->sysctl_file, backup_path, err);
    if (rc == 0 && plan->file_unlink)
        rc = pt__unlink_synced(full, opts->sysctl_file, err);
    else if (rc == 0 && plan->file_write)
        rc = pt__write_atomic(full, plan->file_after, 0644, opts->sysctl_file, err);
    free(full);
    return rc;
}
