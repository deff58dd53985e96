/* SPDX-License-Identifier: MIT */
/* The floor: the least a program can do to converge the four benchmarked keys. */
#include <fcntl.h>
#include <stdio.h>      /* rename */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* usage: floor [-p FILE] FIN_TIMEOUT TW_REUSE MAX_TW_BUCKETS START-END
 *
 * Reads each of the four /proc/sys/net/ipv4 files, compares the parsed value
 * and writes the wanted one when it differs; exits 1 on any error. No stdio,
 * no JSON, no O_CLOEXEC (it never execs; musl's open() adds an fcntl for it).
 *
 * -p FILE (floor-persist) also persists the four keys the way issue 2
 * requires of the module: the "key = value" lines are compared with FILE and,
 * when they differ, written to a temp file in the same directory, fsync'ed,
 * renamed over FILE, and the directory fsync'ed. Nothing more: no header, no
 * lock, no link or ownership checks, no boot-order scan, no state file. */

static const char *const paths[4] = {
    "/proc/sys/net/ipv4/tcp_fin_timeout",
    "/proc/sys/net/ipv4/tcp_tw_reuse",
    "/proc/sys/net/ipv4/tcp_max_tw_buckets",
    "/proc/sys/net/ipv4/ip_local_port_range",
};
static const char *const keys[4] = {
    "net.ipv4.tcp_fin_timeout = ",
    "net.ipv4.tcp_tw_reuse = ",
    "net.ipv4.tcp_max_tw_buckets = ",
    "net.ipv4.ip_local_port_range = ",
};

/* Parses up to two whitespace-separated numbers (the kernel prints the range
 * with a tab; the argument uses '-'). Returns how many it found. */
static int parse(const char *s, long v[2])
{
    char *end;
    int n = 0;

    while (n < 2) {
        while (*s == ' ' || *s == '\t' || *s == '-' || *s == '\n')
            s++;
        if (*s == '\0')
            break;
        v[n++] = strtol(s, &end, 10);
        if (end == s)
            return -1;
        s = end;
    }
    return n;
}

/* Appends "N" or "LO HI" and a newline at out (no printf in the floor);
 * returns the new end, or NULL for a negative number. */
static char *format(char *out, const long *v, int n)
{
    for (int j = 0; j < n; j++) {
        char tmp[24];
        int t = 0;
        long x = v[j];
        if (x < 0)
            return NULL;
        do {
            tmp[t++] = (char)('0' + x % 10);
            x /= 10;
        } while (x > 0);
        if (j > 0)
            *out++ = ' ';
        while (t > 0)
            *out++ = tmp[--t];
    }
    *out++ = '\n';
    return out;
}

/* Replaces file with text[0..len) unless it already holds exactly that. */
static int persist(const char *file, const char *text, size_t len)
{
    char old[512], tmp[4096], dir[4096];
    size_t n = strlen(file);
    const char *slash = strrchr(file, '/');
    ssize_t got;
    int fd;

    if (slash == NULL || n + 5 > sizeof(tmp))
        return 1;
    fd = open(file, O_RDONLY);
    if (fd >= 0) {
        got = read(fd, old, sizeof(old));
        close(fd);
        if (got == (ssize_t)len && memcmp(old, text, len) == 0)
            return 0;
    }
    memcpy(tmp, file, n);
    memcpy(tmp + n, ".tmp", 5);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return 1;
    if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
        close(fd);
        return 1;
    }
    if (close(fd) != 0 || rename(tmp, file) != 0)
        return 1;
    memcpy(dir, file, (size_t)(slash - file));
    dir[slash - file] = '\0';
    fd = open(slash == file ? "/" : dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return 1;
    if (fsync(fd) != 0) {
        close(fd);
        return 1;
    }
    return close(fd) != 0;
}

int main(int argc, char **argv)
{
    char buf[64], out[64], text[512], *t = text;
    const char *file = NULL;
    long want[2], have[2];
    int i, fd, nw, nh;
    ssize_t len;

    if (argc == 7 && strcmp(argv[1], "-p") == 0) {
        file = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc != 5)
        return 2;
    for (i = 0; i < 4; i++) {
        char *end;
        nw = parse(argv[i + 1], want);
        if (nw < 1)
            return 1;
        if (file != NULL) {   /* this key's line of the persisted text */
            size_t k = strlen(keys[i]);
            memcpy(t, keys[i], k);
            if ((t = format(t + k, want, nw)) == NULL)
                return 1;
        }
        fd = open(paths[i], O_RDONLY);
        if (fd < 0)
            return 1;
        len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (len <= 0)
            return 1;
        buf[len] = '\0';
        nh = parse(buf, have);
        if (nw != nh)
            return 1;
        if (want[0] == have[0] && (nw == 1 || want[1] == have[1]))
            continue;
        if ((end = format(out, want, nw)) == NULL)
            return 1;
        len = end - out;
        fd = open(paths[i], O_WRONLY | O_TRUNC);
        if (fd < 0)
            return 1;
        if (write(fd, out, (size_t)len) != len) {
            close(fd);
            return 1;
        }
        if (close(fd) != 0)
            return 1;
    }
    return file != NULL ? persist(file, text, (size_t)(t - text)) : 0;
}
