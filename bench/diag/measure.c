/* SPDX-License-Identifier: MIT */
/* Runs a command REPS times and prints median wall and CPU time and peak RSS (wait4 rusage). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* usage: measure REPS CMD [ARG...]
 * Prints "wall_ms cpu_ms maxrss_kib" (medians) on stdout; the command's
 * stdout goes to /dev/null. A pipeline is measured as `sh -c '...'`: wait4
 * then reports the largest RSS among the shell and the children it reaped. */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    double wall[101], cpu[101], rss[101];
    int reps;

    if (argc < 3 || (reps = atoi(argv[1])) < 1 || reps > 101) {
        fprintf(stderr, "usage: measure REPS(1-101) CMD [ARG...]\n");
        return 2;
    }
    for (int i = 0; i < reps; i++) {
        struct timespec t0, t1;
        struct rusage ru;
        int status;
        pid_t pid;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid = fork();
        if (pid < 0) {
            perror("measure: fork");
            return 1;
        }
        if (pid == 0) {
            int fd = open("/dev/null", O_WRONLY);

            if (fd < 0 || dup2(fd, 1) < 0)
                _exit(127);
            execvp(argv[2], argv + 2);
            fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
            _exit(127);
        }
        if (wait4(pid, &status, 0, &ru) < 0) {
            perror("measure: wait4");
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "measure: %s failed (status %d)\n", argv[2], status);
            return 1;
        }
        wall[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        rss[i] = (double)ru.ru_maxrss;
    }
    printf("%.2f %.2f %.0f\n", median(wall, reps), median(cpu, reps), median(rss, reps));
    return 0;
}
