/* SPDX-License-Identifier: MIT */
/* Test program for the Wine diagnosis test: a Windows process that holds N
 * TCP connections to ADDR:PORT, so the TCP table has rows with its PID.
 *
 *   holder.exe ADDR PORT N READY_FILE
 *
 * Writes its PID to READY_FILE once all are connected, then sleeps. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv);

int main(int argc, char **argv)
{
    struct addrinfo hints, *ai = NULL;
    WSADATA wsa;
    FILE *f;
    int i, n;

    if (argc != 5) {
        fprintf(stderr, "usage: holder.exe ADDR PORT N READY_FILE\n");
        return 64;
    }
    n = atoi(argv[3]);
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return 1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0 || ai == NULL) {
        fprintf(stderr, "holder: bad address %s %s\n", argv[1], argv[2]);
        return 1;
    }
    for (i = 0; i < n; i++) {
        SOCKET s = socket(ai->ai_family, SOCK_STREAM, IPPROTO_TCP);

        if (s == INVALID_SOCKET || connect(s, ai->ai_addr, (int)ai->ai_addrlen) != 0) {
            fprintf(stderr, "holder: connect %d failed: %d\n", i, WSAGetLastError());
            return 1;
        }
        /* Wine's server makes the connection; the process gets the Unix
         * socket (and so its PID in the table) only once it uses it. */
        if (send(s, "x", 1, 0) != 1) {
            fprintf(stderr, "holder: send %d failed: %d\n", i, WSAGetLastError());
            return 1;
        }
    }
    f = fopen(argv[4], "w");
    if (f == NULL)
        return 1;
    fprintf(f, "%lu\n", (unsigned long)GetCurrentProcessId());
    fclose(f);
    for (;;)
        Sleep(3600 * 1000);
}
