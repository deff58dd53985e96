/* SPDX-License-Identifier: MIT */
/* Header-only helpers for the unit tests: temp trees standing in for / and
 * /proc/sys, file helpers, options from JSON text, error assertions. The
 * Makefile compiles each test_*.c alone, so everything here is static. */
#ifndef PT_TEST_HELPERS_H
#define PT_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "porttune.h"
#include "core/options.h"

#define PT_TEST_PREFIX "porttune-unit-"

/* ---- temp directories ---- */

/* Creates a fresh directory under $TMPDIR (or /tmp) into buf. */
static inline void pt_test_mkdtemp(char *buf, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    int n;

    if (tmp == NULL || tmp[0] != '/')
        tmp = "/tmp";
    n = snprintf(buf, size, "%s/" PT_TEST_PREFIX "XXXXXX", tmp);
    assert_true(n > 0 && (size_t)n < size);
    if (mkdtemp(buf) == NULL)
        fail_msg("mkdtemp(%s): %s", buf, strerror(errno));
}

static inline void pt_test_rmtree_at(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    char child[PATH_MAX];

    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        d = opendir(path);
        if (d != NULL) {
            while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                    continue;
                if (snprintf(child, sizeof(child), "%s/%s", path, de->d_name) < (int)sizeof(child))
                    pt_test_rmtree_at(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Removes a tree this process made with pt_test_mkdtemp; refuses anything else. */
static inline void pt_test_rmtree(const char *path)
{
    if (path == NULL || path[0] != '/' || strstr(path, "/" PT_TEST_PREFIX) == NULL)
        fail_msg("refusing to remove %s: not a test temp dir", path ? path : "(null)");
    pt_test_rmtree_at(path);
}

/* mkdir -p of the directory part of full (a file path). */
static inline void pt_test_mkparents(const char *full)
{
    char buf[PATH_MAX];
    size_t i;

    assert_true(strlen(full) < sizeof(buf));
    snprintf(buf, sizeof(buf), "%s", full);
    for (i = 1; buf[i] != '\0'; i++) {
        if (buf[i] != '/')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            fail_msg("mkdir(%s): %s", buf, strerror(errno));
        buf[i] = '/';
    }
}

static inline void pt_test_join(char *buf, size_t size, const char *root, const char *rel)
{
    int n = snprintf(buf, size, "%s%s", root, rel);

    assert_true(n > 0 && (size_t)n < size);
}

/* Writes text to root+rel, creating parent directories. */
static inline void pt_test_write(const char *root, const char *rel, const char *text)
{
    char full[PATH_MAX];
    FILE *f;

    pt_test_join(full, sizeof(full), root, rel);
    pt_test_mkparents(full);
    f = fopen(full, "w");
    if (f == NULL)
        fail_msg("fopen(%s): %s", full, strerror(errno));
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static inline void pt_test_mkdir(const char *root, const char *rel)
{
    char full[PATH_MAX];

    pt_test_join(full, sizeof(full), root, rel);
    pt_test_mkparents(full);
    if (mkdir(full, 0755) != 0 && errno != EEXIST)
        fail_msg("mkdir(%s): %s", full, strerror(errno));
}

static inline void pt_test_symlink(const char *root, const char *rel, const char *target)
{
    char full[PATH_MAX];

    pt_test_join(full, sizeof(full), root, rel);
    pt_test_mkparents(full);
    if (symlink(target, full) != 0)
        fail_msg("symlink(%s -> %s): %s", full, target, strerror(errno));
}

/* Owned contents of root+rel, or NULL when it does not exist. */
static inline char *pt_test_read(const char *root, const char *rel)
{
    char full[PATH_MAX];
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;

    pt_test_join(full, sizeof(full), root, rel);
    f = fopen(full, "r");
    if (f == NULL)
        return NULL;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static inline bool pt_test_exists(const char *root, const char *rel)
{
    char full[PATH_MAX];
    struct stat st;

    pt_test_join(full, sizeof(full), root, rel);
    return lstat(full, &st) == 0;
}

static inline void pt_test_stat(const char *root, const char *rel, struct stat *st)
{
    char full[PATH_MAX];

    pt_test_join(full, sizeof(full), root, rel);
    if (stat(full, st) != 0)
        fail_msg("stat(%s): %s", full, strerror(errno));
}

/* Sets the mtime of root+rel to a fixed old time, so that any rewrite shows. */
static inline void pt_test_age(const char *root, const char *rel)
{
    char full[PATH_MAX];
    struct timespec ts[2] = { { 946684800, 0 }, { 946684800, 0 } };

    pt_test_join(full, sizeof(full), root, rel);
    if (utimensat(AT_FDCWD, full, ts, AT_SYMLINK_NOFOLLOW) != 0)
        fail_msg("utimensat(%s): %s", full, strerror(errno));
}

/* ---- snapshot of a whole tree: names, modes, mtimes, contents ---- */

typedef struct pt_test_buf {
    char *s;
    size_t n, cap;
} pt_test_buf_t;

static inline void pt_test_buf_add(pt_test_buf_t *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static inline void pt_test_snap_at(pt_test_buf_t *b, const char *root, const char *rel)
{
    char full[PATH_MAX], line[PATH_MAX + 200], child[PATH_MAX], link[PATH_MAX];
    struct dirent **list = NULL;
    struct stat st;
    char *text;
    int i, n;
    ssize_t ln;

    pt_test_join(full, sizeof(full), root, rel);
    if (lstat(full, &st) != 0)
        return;
    n = snprintf(line, sizeof(line), "%s mode=%o mtime=%lld.%09ld size=%lld\n", rel[0] ? rel : "/",
                 (unsigned)st.st_mode, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                 (long long)st.st_size);
    pt_test_buf_add(b, line, (size_t)n);
    if (S_ISLNK(st.st_mode)) {
        ln = readlink(full, link, sizeof(link) - 1);
        assert_true(ln >= 0);
        link[ln] = '\0';
        pt_test_buf_add(b, link, (size_t)ln);
        pt_test_buf_add(b, "\n", 1);
    } else if (S_ISREG(st.st_mode)) {
        text = pt_test_read(root, rel);
        assert_non_null(text);
        pt_test_buf_add(b, text, strlen(text));
        pt_test_buf_add(b, "\n", 1);
        free(text);
    } else if (S_ISDIR(st.st_mode)) {
        n = scandir(full, &list, NULL, alphasort);
        assert_true(n >= 0);
        for (i = 0; i < n; i++) {
            if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0) {
                snprintf(child, sizeof(child), "%s/%s", rel, list[i]->d_name);
                pt_test_snap_at(b, root, child);
            }
            free(list[i]);
        }
        free(list);
    }
}

/* Owned text describing every entry below root (check mode must not move it). */
static inline char *pt_test_snapshot(const char *root)
{
    pt_test_buf_t b = { NULL, 0, 0 };

    pt_test_buf_add(&b, "", 0);
    pt_test_snap_at(&b, root, "");
    return b.s;
}

/* ---- a fake host: root for / and root/proc/sys for live values ---- */

typedef struct pt_fake {
    char root[PATH_MAX];
    pt_ctx_t ctx;
} pt_fake_t;

/* Kernel defaults as the kernel prints them (note the TAB in the range). */
static const struct {
    const char *sysctl;
    const char *text;
} pt_test_kernel_defaults[] = {
    { "net.ipv4.ip_local_port_range", "32768\t60999\n" },
    { "net.ipv4.ip_local_reserved_ports", "\n" },
    { "net.ipv4.tcp_fin_timeout", "60\n" },
    { "net.ipv4.tcp_tw_reuse", "2\n" },
    { "net.ipv4.tcp_tw_reuse_delay", "1000\n" },
    { "net.ipv4.tcp_max_tw_buckets", "262144\n" },
    { "net.ipv4.ip_unprivileged_port_start", "1024\n" },
};

static inline void pt_test_proc_rel(char *buf, size_t size, const char *sysctl)
{
    size_t i, start;
    int n = snprintf(buf, size, "/proc/sys/%s", sysctl);

    assert_true(n > 0 && (size_t)n < size);
    for (start = strlen("/proc/sys/"), i = start; buf[i] != '\0'; i++)
        if (buf[i] == '.')
            buf[i] = '/';
}

static inline void pt_fake_set_live(pt_fake_t *f, const char *sysctl, const char *text)
{
    char rel[512];

    pt_test_proc_rel(rel, sizeof(rel), sysctl);
    pt_test_write(f->root, rel, text);
}

/* Owned live text of sysctl, or NULL when the knob is missing. */
static inline char *pt_fake_live(const pt_fake_t *f, const char *sysctl)
{
    char rel[512];

    pt_test_proc_rel(rel, sizeof(rel), sysctl);
    return pt_test_read(f->root, rel);
}

static inline void pt_fake_remove_live(pt_fake_t *f, const char *sysctl)
{
    char rel[512], full[PATH_MAX];

    pt_test_proc_rel(rel, sizeof(rel), sysctl);
    pt_test_join(full, sizeof(full), f->root, rel);
    assert_int_equal(unlink(full), 0);
}

/* A host with kernel-default live values, an empty /etc/sysctl.d and
 * /var/lib. Never "" as root: the backend would then see the real host. */
static inline void pt_fake_init(pt_fake_t *f)
{
    size_t i;

    memset(f, 0, sizeof(*f));
    pt_test_mkdtemp(f->root, sizeof(f->root));
    f->ctx.root = f->root;
    f->ctx.proc_sys = "/proc/sys";
    for (i = 0; i < sizeof(pt_test_kernel_defaults) / sizeof(pt_test_kernel_defaults[0]); i++)
        pt_fake_set_live(f, pt_test_kernel_defaults[i].sysctl, pt_test_kernel_defaults[i].text);
    pt_test_mkdir(f->root, "/etc/sysctl.d");
    pt_test_mkdir(f->root, "/usr/lib/sysctl.d");
    pt_test_mkdir(f->root, "/var/lib");
}

static inline void pt_fake_free(pt_fake_t *f)
{
    if (f->root[0] != '\0')
        pt_test_rmtree(f->root);
    memset(f, 0, sizeof(*f));
}

/* ---- options ---- */

/* Parses json (must be valid JSON) into opts (initialised here). Returns the
 * rc of pt_options_from_json; opts must be freed by the caller. */
static inline int pt_test_options(const char *json, pt_options_t *opts, pt_error_t *err)
{
    json_error_t jerr;
    json_t *args = json_loads(json, 0, &jerr);
    int rc;

    if (args == NULL)
        fail_msg("bad test JSON %s: %s", json, jerr.text);
    pt_options_init(opts);
    pt_error_init(err);
    rc = pt_options_from_json(args, opts, err);
    json_decref(args);
    return rc;
}

/* ---- assertions ---- */

/* The message holds every NULL-terminated part. */
static inline void pt_test_assert_contains(const char *text, ...)
{
    va_list ap;
    const char *part;

    assert_non_null(text);
    va_start(ap, text);
    while ((part = va_arg(ap, const char *)) != NULL)
        if (strstr(text, part) == NULL) {
            va_end(ap);
            fail_msg("expected \"%s\" in:\n  %s", part, text);
        }
    va_end(ap);
}

/* rc and err->code are code, err names object, and the message holds every
 * NULL-terminated part. */
static inline void pt_test_assert_error(int rc, const pt_error_t *err, int code,
                                        const char *object, ...)
{
    va_list ap;
    const char *part;

    if (rc != code || err->code != code)
        fail_msg("expected code %d, got rc %d / err.code %d (msg: %s)", code, rc,
                 err->code, err->msg);
    assert_string_equal(err->object, object);
    va_start(ap, object);
    while ((part = va_arg(ap, const char *)) != NULL)
        if (strstr(err->msg, part) == NULL) {
            va_end(ap);
            fail_msg("expected \"%s\" in the message:\n  %s", part, err->msg);
        }
    va_end(ap);
}

/* Does the warnings list hold one warning containing part? */
static inline bool pt_test_has_warning(const pt_options_t *opts, const char *part)
{
    size_t i;

    for (i = 0; i < opts->warnings.n; i++)
        if (strstr(opts->warnings.items[i], part) != NULL)
            return true;
    return false;
}

/* Parses a value in sysctl text form; fails the test if it does not parse. */
static inline pt_value_t pt_test_value(pt_key_t key, const char *text)
{
    pt_value_t v;
    pt_error_t err;

    pt_error_init(&err);
    if (pt_value_parse_sysctl(key, text, &v, "test", &err) != 0)
        fail_msg("test value '%s' does not parse: %s", text, err.msg);
    return v;
}

/* Value in user form into a static buffer (for assert_string_equal). */
static inline const char *pt_test_fmt(const pt_value_t *v)
{
    static char buf[8192];

    assert_int_equal(pt_value_format_user(v, buf, sizeof(buf)), 0);
    return buf;
}

#endif
