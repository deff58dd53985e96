/* SPDX-License-Identifier: MIT */
/* Leaves N client-side TIME_WAIT sockets towards D loopback destinations 127.0.0.1..D:PORT. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* usage: twgen N D PORT
 * Loopback completes the handshake inside connect(), so one thread can
 * connect, close the client first (client -> FIN_WAIT, then TIME_WAIT), and
 * accept and close the server end right away; no accept queue fills up. */
int main(int argc, char **argv)
{
    long n, dests, port;
    int *lfd;

    if (argc != 4 || (n = atol(argv[1])) < 1 || (dests = atol(argv[2])) < 1 || dests > 250 ||
        (port = atol(argv[3])) < 1 || port > 65535) {
        fprintf(stderr, "usage: twgen N D(1-250) PORT\n");
        return 2;
    }
    lfd = calloc((size_t)dests, sizeof(*lfd));
    if (lfd == NULL)
        return 1;
    for (long d = 0; d < dests; d++) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        int one = 1;

        a.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)d);
        lfd[d] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (lfd[d] < 0 || setsockopt(lfd[d], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
            bind(lfd[d], (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd[d], 4096) != 0) {
            perror("twgen: listener");
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        long d = i % dests;
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s;

        a.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)d);
        if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) != 0) {
            fprintf(stderr, "twgen: connect #%ld: %s\n", i, strerror(errno));
            return 1;
        }
        close(c);
        while ((s = accept4(lfd[d], NULL, NULL, SOCK_CLOEXEC)) >= 0)
            close(s);
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            perror("twgen: accept");
            return 1;
        }
    }
    for (long d = 0; d < dests; d++)
        close(lfd[d]);
    free(lfd);
    return 0;
}
