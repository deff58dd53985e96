/* SPDX-License-Identifier: MIT */
/* Fallback socket reader over /proc/net/tcp{,6}, and the few sysctls the diagnosis needs. */
#include "diag/diag.h"
#include "core/options.h"
#include "linux/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads exactly n hex digits; returns the end or NULL. */
static const char *hexn(const char *s, int n, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < n; i++) {
        int h = hexdigit(s[i]);

        if (h < 0)
            return NULL;
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return s + n;
}

/* "ADDR:PORT": the kernel prints each 32-bit word of the address as %08X
 * of its in-memory (network-order) value read as a host integer, so
 * copying the parsed words back to memory restores the network bytes. */
static const char *endpoint(const char *s, int words, uint8_t *addr, uint16_t *port)
{
    uint32_t w, p;

    for (int i = 0; i < words; i++) {
        s = hexn(s, 8, &w);
        if (s == NULL)
            return NULL;
        memcpy(addr + 4 * i, &w, 4);
    }
    if (*s++ != ':' || (s = hexn(s, 4, &p)) == NULL)
        return NULL;
    *port = (uint16_t)p;
    return s;
}

int pt_diag_proc_parse_line(const char *line, int family, pt_diag_sock_t *out)
{
    int words = family == PT_DIAG_AF_INET6 ? 4 : 1;
    const char *s = line;
    uint32_t st;

    if (family != PT_DIAG_AF_INET && family != PT_DIAG_AF_INET6)
        return PT_EINVAL;
    while (*s == ' ')
        s++;
    if (strncmp(s, "sl ", 3) == 0)
        return 0;
    if (*s < '0' || *s > '9')
        return PT_EINVAL;
    while (*s >= '0' && *s <= '9')
        s++;
    if (*s++ != ':' || *s++ != ' ')
        return PT_EINVAL;
    memset(out, 0, sizeof(*out));
    out->family = (uint8_t)family;
    if ((s = endpoint(s, words, out->laddr, &out->lport)) == NULL || *s++ != ' ' ||
        (s = endpoint(s, words, out->raddr, &out->rport)) == NULL || *s++ != ' ' ||
        (s = hexn(s, 2, &st)) == NULL || (*s != ' ' && *s != '\n' && *s != '\0'))
        return PT_EINVAL;
    out->state = (uint8_t)st;
    return 1;
}

static int read_one(const char *path, int family, pt_diag_sock_fn fn, void *arg,
                    pt_error_t *err)
{
    char iobuf[32768], line[512];
    unsigned long lineno = 0;
    FILE *f = fopen(path, "re");
    int rc = 0;

    if (f == NULL)
        return errno == ENOENT ? PT_ENOTSUP
                               : pt_error_set(err, PT_EIO, errno, path,
                                              "Cannot open %s: %s.", path, strerror(errno));
    /* /proc seq files fill as much of a read as asked: fewer, larger reads. */
    setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
    while (fgets(line, sizeof(line), f) != NULL) {
        pt_diag_sock_t s;
        int r;

        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            int c;

            while ((c = getc(f)) != EOF && c != '\n')
                ;
        }
        r = pt_diag_proc_parse_line(line, family, &s);
        if (r < 0) {
            rc = pt_error_set(err, PT_EINVAL, 0, path,
                              "%s line %lu is not a socket line: '%.80s'.",
                              path, lineno, line);
            break;
        }
        if (r == 1 && (rc = fn(&s, arg)) != 0)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = pt_error_set(err, PT_EIO, errno, path, "Cannot read %s: %s.", path,
                          strerror(errno));
    fclose(f);
    return rc;
}

int pt_diag_read_proc(const char *root, pt_diag_sock_fn fn, void *arg, pt_error_t *err)
{
    char path[4096];
    int rc;

    if (snprintf(path, sizeof(path), "%s/proc/net/tcp6", root) >= (int)sizeof(path))
        return pt_error_set(err, PT_EINVAL, 0, "root", "Root path %.64s... is too long.",
                            root);
    snprintf(path, sizeof(path), "%s/proc/net/tcp", root);
    rc = read_one(path, PT_DIAG_AF_INET, fn, arg, err);
    if (rc == PT_ENOTSUP)
        return pt_error_set(err, PT_ENOTSUP, ENOENT, path,
                            "%s does not exist: no procfs socket table here.", path);
    if (rc != 0)
        return rc;
    snprintf(path, sizeof(path), "%s/proc/net/tcp6", root);
    rc = read_one(path, PT_DIAG_AF_INET6, fn, arg, err);
    return rc == PT_ENOTSUP ? 0 : rc;
}

/* Reads key's live value from ROOT/proc/sys with the Linux backend's file
 * reader and parses it with the core's parser. Returns 0, PT_ENOTSUP when
 * the file does not exist and may be absent (err untouched), or an error
 * code with err naming the file. */
static int read_key(const char *root, pt_key_t key, bool needed, pt_value_t *out,
                    pt_error_t *err)
{
    const pt_ctx_t ctx = { root, "/proc/sys" };
    const char *name = pt_keys[key].sysctl;
    char *path = pt__proc_path(&ctx, name), *text = NULL;
    size_t len = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (path == NULL)
        return pt_error_set(err, PT_ENOMEM, ENOMEM, name,
                            "Out of memory reading the port sysctls.");
    rc = pt__read_file(path, &text, &len);
    if (rc == -ENOENT && !needed) {
        rc = PT_ENOTSUP;
    } else if (rc != 0) {
        rc = pt_error_set(err, rc == -ENOMEM ? PT_ENOMEM : PT_EIO, -rc, path,
                          "Cannot read %s: %s. Nothing was changed.", path, strerror(-rc));
    } else {
        /* The parser skips the kernel's newline; a message quoting the
         * value should not show it either. */
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
            text[--len] = '\0';
        rc = pt_value_parse_sysctl(key, text, out, path, err);
    }
    /* The core's checks of a port range, and a count that cannot be negative. */
    if (rc == 0 && key == PT_K_PORT_RANGE)
        rc = pt__check_range(out, path, err);
    if (rc == 0 && key == PT_K_MAX_TW_BUCKETS && out->num < 0)
        rc = pt_error_set(err, PT_EINVAL, 0, path,
                          "%s: %lld is not a count of sockets. Nothing was changed.",
                          path, out->num);
    free(text);
    free(path);
    return rc;
}

int pt_diag_read_sysctls(const char *root, pt_diag_config_t *cfg, pt_error_t *err)
{
    pt_value_t v;
    int rc;

    rc = read_key(root, PT_K_PORT_RANGE, true, &v, err);
    if (rc != 0)
        return rc;
    cfg->range_lo = v.range.lo;
    cfg->range_hi = v.range.hi;

    rc = read_key(root, PT_K_RESERVED_PORTS, false, &v, err);
    if (rc == 0) {
        pt_value_free(&cfg->reserved);
        cfg->reserved = v;
    } else if (rc != PT_ENOTSUP) {
        return rc;
    }

    rc = read_key(root, PT_K_MAX_TW_BUCKETS, false, &v, err);
    if (rc == 0)
        cfg->max_tw_buckets = v.num;
    return rc == PT_ENOTSUP ? 0 : rc;
}
