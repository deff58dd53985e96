/* SPDX-License-Identifier: MIT */
/* Test tool for tests/faults: runs a command and kill -9s it DELAY_US
 * microseconds after it creates a file named PREFIX* in DIR (seen through
 * inotify), so the kill lands inside the atomic write, not at a random time.
 *
 *   kill_at_temp DIR PREFIX DELAY_US COMMAND [ARGS...]
 *
 * Prints one word: "killed" (the kill was sent after the file appeared),
 * "finished" (the file appeared, but the command ended before the kill),
 * "exited" (the command ended without making such a file), or "timeout" (no such file within 10 s; the command is killed). Whether the
 * kill landed before the rename is for the caller to see: the temp file is
 * then still there. Exit 0, or 2 on a usage or system error. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what)
{
    fprintf(stderr, "kill_at_temp: %s: %s\n", what, strerror(errno));
    return 2;
}

/* Reads queued events; returns 1 when one names a file starting with prefix. */
static int saw_prefix(int fd, const char *prefix)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n = read(fd, buf, sizeof(buf));
    char *p;

    for (p = buf; n > 0 && p < buf + n;) {
        const struct inotify_event *ev = (const struct inotify_event *)p;
        if (ev->len > 0 && strncmp(ev->name, prefix, strlen(prefix)) == 0)
            return 1;
        p += sizeof(*ev) + ev->len;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct timespec delay;
    struct pollfd pfd;
    long us;
    pid_t pid;
    int fd, status, devnull, found = 0, polls = 0;
    char *end;

    if (argc < 5) {
        fprintf(stderr, "usage: kill_at_temp DIR PREFIX DELAY_US COMMAND [ARGS...]\n");
        return 2;
    }
    us = strtol(argv[3], &end, 10);
    if (*end != '\0' || us < 0 || us > 10000000) {
        fprintf(stderr, "kill_at_temp: bad DELAY_US %s\n", argv[3]);
        return 2;
    }
    delay.tv_sec = us / 1000000;
    delay.tv_nsec = (us % 1000000) * 1000;
    if ((fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0)
        return die("inotify_init1");
    if (inotify_add_watch(fd, argv[1], IN_CREATE) < 0)
        return die(argv[1]);
    if ((pid = fork()) < 0)
        return die("fork");
    if (pid == 0) {
        devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execvp(argv[4], argv + 4);
        _exit(127);
    }
    pfd.fd = fd;
    pfd.events = POLLIN;
    while (!found) {
        int r = poll(&pfd, 1, 10);
        if (r > 0 && saw_prefix(fd, argv[2]))
            found = 1;
        else if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        else if (++polls > 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            puts("timeout");
            return 0;
        }
    }
    if (!found) {
        puts("exited");
        return 0;
    }
    if (us > 0)
        nanosleep(&delay, NULL);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    puts(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? "killed" : "finished");
    return 0;
}
