/* SPDX-License-Identifier: MIT */
/* The floor: the least a program can do to converge the four benchmarked keys. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* usage: floor FIN_TIMEOUT TW_REUSE MAX_TW_BUCKETS START-END
 * Reads each of the four /proc/sys/net/ipv4 files, compares the parsed value
 * and writes the wanted one when it differs; exits 1 on any error. No stdio,
 * no JSON, no sysctl file: only the work every tool has to do. */

static const char *const paths[4] = {
    "/proc/sys/net/ipv4/tcp_fin_timeout",
    "/proc/sys/net/ipv4/tcp_tw_reuse",
    "/proc/sys/net/ipv4/tcp_max_tw_buckets",
    "/proc/sys/net/ipv4/ip_local_port_range",
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

int main(int argc, char **argv)
{
    char buf[64], out[64];
    long want[2], have[2];
    int i, fd, nw, nh;
    ssize_t len;

    if (argc != 5)
        return 2;
    for (i = 0; i < 4; i++) {
        fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 1;
        len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (len <= 0)
            return 1;
        buf[len] = '\0';
        nw = parse(argv[i + 1], want);
        nh = parse(buf, have);
        if (nw < 1 || nw != nh)
            return 1;
        if (want[0] == have[0] && (nw == 1 || want[1] == have[1]))
            continue;
        /* Build "N\n" or "LO HI\n" by hand: no printf in the floor. */
        len = 0;
        for (int j = 0; j < nw; j++) {
            char tmp[24];
            int t = 0;
            long x = want[j];
            if (x < 0)
                return 1;
            do {
                tmp[t++] = (char)('0' + x % 10);
                x /= 10;
            } while (x > 0);
            if (j > 0)
                out[len++] = ' ';
            while (t > 0)
                out[len++] = tmp[--t];
        }
        out[len++] = '\n';
        fd = open(paths[i], O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
            return 1;
        if (write(fd, out, (size_t)len) != len) {
            close(fd);
            return 1;
        }
        if (close(fd) != 0)
            return 1;
    }
    return 0;
}
