/* SPDX-License-Identifier: MIT */
/* Fallback socket reader over /proc/net/tcp{,6}, and the few sysctls the diagnosis needs. */
#include "diag/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Reads a small /proc/sys file into buf; returns 0, PT_ENOTSUP (missing)
 * or PT_EIO. */
static int read_small(const char *path, char *buf, size_t size, pt_error_t *err)
{
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? PT_ENOTSUP
                               : pt_error_set(err, PT_EIO, errno, path,
                                              "Cannot open %s: %s.", path, strerror(errno));
    while (n + 1 < size) {
        ssize_t r = read(fd, buf + n, size - 1 - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;

            close(fd);
            return pt_error_set(err, PT_EIO, e, path, "Cannot read %s: %s.", path,
                                strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n + 1 == size)
        return pt_error_set(err, PT_EIO, 0, path,
                            "%s is longer than the %zu bytes expected.", path, size - 1);
    return 0;
}

static int read_sysctls(const char *root, pt_diag_config_t *cfg, char *buf, size_t size,
                        char *path, size_t pathsize, pt_error_t *err)
{
    unsigned lo, hi;
    int rc;

    snprintf(path, pathsize, "%s/proc/sys/net/ipv4/ip_local_port_range", root);
    rc = read_small(path, buf, size, err);
    if (rc == PT_ENOTSUP)
        return pt_error_set(err, PT_EIO, ENOENT, path, "Cannot open %s: %s.", path,
                            strerror(ENOENT));
    if (rc != 0 || (rc = pt_diag_parse_port_range(buf, &lo, &hi, path, err)) != 0)
        return rc;
    cfg->range_lo = lo;
    cfg->range_hi = hi;

    snprintf(path, pathsize, "%s/proc/sys/net/ipv4/ip_local_reserved_ports", root);
    rc = read_small(path, buf, size, err);
    if (rc == 0)
        rc = pt_portset_parse(buf, &cfg->reserved, path, err);
    if (rc != 0 && rc != PT_ENOTSUP)
        return rc;

    snprintf(path, pathsize, "%s/proc/sys/net/ipv4/tcp_max_tw_buckets", root);
    rc = read_small(path, buf, size, err);
    if (rc == 0) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(buf, &end, 10);
        while (*end == '\n' || *end == ' ')
            end++;
        if (errno != 0 || end == buf || *end != '\0' || v < 0)
            return pt_error_set(err, PT_EINVAL, 0, path,
                                "%s: '%s' is not a count of sockets.", path, buf);
        cfg->max_tw_buckets = v;
    } else if (rc != PT_ENOTSUP) {
        return rc;
    }
    return 0;
}

int pt_diag_read_sysctls(const char *root, pt_diag_config_t *cfg, pt_error_t *err)
{
    /* The worst reserved-ports text (every other port) is ~200 KB; only
     * the pages a real, short list touches are ever mapped. */
    const size_t size = 256 * 1024;
    char path[4096];
    char *buf = NULL;
    int rc;

    if (strlen(root) > 3000)
        return pt_error_set(err, PT_EINVAL, 0, "root", "Root path %.64s... is too long.",
                            root);
    buf = malloc(size);
    if (buf == NULL)
        return pt_error_set(err, PT_ENOMEM, ENOMEM, "sysctls",
                            "Out of memory reading the port sysctls.");
    rc = read_sysctls(root, cfg, buf, size, path, sizeof(path), err);
    free(buf);
    return rc;
}
