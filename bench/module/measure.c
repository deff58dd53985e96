/* SPDX-License-Identifier: MIT */
/* Runs groups of commands side by side, round after round; prints medians of wall, CPU and peak RSS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* usage: measure SPEC ROUNDS WARMUP
 *
 * SPEC has one command per line: GROUP VARIANT PATH [ARG...] (split on
 * blanks; VARIANT 0 or 1). A group's run executes its commands for one
 * variant in order. Round r runs every group once with variant r % 2, the
 * group order rotating from round to round. Commands of the group named
 * "reset" are not measured: they run before every measured group with the
 * other variant, so each measured run really changes every value.
 * A group whose name ends in "_idem" then runs once more, untimed, before
 * its timed run: the timed run finds everything already right (the
 * idempotent run, the common case on a fleet).
 *
 * Per group run: wall = first fork to last wait4; CPU = user + sys of its
 * commands and everything they waited for (wait4's rusage).
 *
 * Peak RSS needs its own runs: wait4's ru_maxrss comes from the kernel's
 * per-CPU RSS counters, which lag by up to a batch of pages per CPU, so it
 * reads 0 for a small static program. Every RSS_EVERY-th measured round each
 * group runs once more, traced: stopped at exit (PTRACE_EVENT_EXIT), where
 * /proc/PID/status VmHWM is exact. Peak RSS = the largest of VmHWM and
 * ru_maxrss (which also covers the children a command waited for). Traced
 * runs are not part of the time figures.
 *
 * Output, tab-separated, one line per group after the WARMUP rounds:
 * group runs wall_med_ms cpu_med_ms user_med_ms sys_med_ms rss_med_kib rss_max_kib cpu_min_ms
 * and a last line "harness_peak_rss_kib N". */

#define MAX_GROUPS 12
#define MAX_CMDS 64
#define MAX_ARGS 16
#define MAX_ROUNDS 201
#define RSS_EVERY 4

struct cmd {
    int group, variant;
    char *argv[MAX_ARGS + 1];
};

static char spec_text[16384];
static struct cmd cmds[MAX_CMDS];
static int ncmds;
static char *groups[MAX_GROUPS];
static int ngroups;
static float wall[MAX_GROUPS][MAX_ROUNDS], cpu[MAX_GROUPS][MAX_ROUNDS];
static float usr[MAX_GROUPS][MAX_ROUNDS], sys_[MAX_GROUPS][MAX_ROUNDS];
static float rss[MAX_GROUPS][MAX_ROUNDS];
static int nrss[MAX_GROUPS];

static int group_id(char *name)
{
    int i;

    for (i = 0; i < ngroups; i++)
        if (strcmp(groups[i], name) == 0)
            return i;
    if (ngroups == MAX_GROUPS)
        return -1;
    groups[ngroups] = name;
    return ngroups++;
}

static int load_spec(const char *path)
{
    char *line, *save = NULL, *tok, *save2;
    ssize_t len;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    len = read(fd, spec_text, sizeof(spec_text) - 1);
    close(fd);
    if (len < 0 || len == (ssize_t)sizeof(spec_text) - 1)
        return -1;
    spec_text[len] = '\0';
    for (line = strtok_r(spec_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct cmd *c;
        int n = 0;

        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (ncmds == MAX_CMDS)
            return -1;
        c = &cmds[ncmds];
        tok = strtok_r(line, " \t", &save2);
        if (tok == NULL || (c->group = group_id(tok)) < 0)
            return -1;
        tok = strtok_r(NULL, " \t", &save2);
        if (tok == NULL || (tok[0] != '0' && tok[0] != '1') || tok[1] != '\0')
            return -1;
        c->variant = tok[0] - '0';
        while ((tok = strtok_r(NULL, " \t", &save2)) != NULL) {
            if (n == MAX_ARGS)
                return -1;
            c->argv[n++] = tok;
        }
        if (n == 0)
            return -1;
        c->argv[n] = NULL;
        ncmds++;
    }
    return 0;
}

static double ms(const struct timeval *tv)
{
    return (double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3;
}

static long status_kib(pid_t pid, const char *field)
{
    char path[64], buf[4096], *p;
    ssize_t len;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0)
        return -1;
    buf[len] = '\0';
    p = strstr(buf, field);
    return p ? strtol(p + strlen(field), NULL, 10) : -1;
}

/* Follows a traced child to its exit stop and reads VmHWM there; passes
 * other signals on. Returns VmHWM in KiB, or -1. */
static long traced_peak(pid_t pid)
{
    long peak = -1;
    int status;

    if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
        return -1;      /* the SIGTRAP of a successful execv */
    if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) != 0 ||
        ptrace(PTRACE_CONT, pid, 0, 0) != 0)
        return -1;
    for (;;) {
        if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
            return -1;
        if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
            peak = status_kib(pid, "VmHWM:");
            ptrace(PTRACE_CONT, pid, 0, 0);
            return peak;
        }
        if (ptrace(PTRACE_CONT, pid, 0, (void *)(long)WSTOPSIG(status)) != 0)
            return -1;
    }
}

/* Runs one command, stdout to /dev/null; adds its rusage (and, traced, its
 * exact peak RSS to *maxrss). Returns 0 or -1. */
static int run(const struct cmd *c, int traced, double *u, double *s, double *maxrss)
{
    struct rusage ru;
    long peak = -1;
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(127);
        if (traced && ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
            _exit(127);
        execv(c->argv[0], c->argv);
        _exit(127);
    }
    if (traced && (peak = traced_peak(pid)) < 0)
        fprintf(stderr, "measure: %s: no VmHWM at exit\n", c->argv[0]);
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    if ((double)peak > *maxrss)
        *maxrss = (double)peak;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "measure: %s (%s, variant %d) failed: status %d\n",
                c->argv[0], groups[c->group], c->variant, status);
        return -1;
    }
    *u += ms(&ru.ru_utime);
    *s += ms(&ru.ru_stime);
    if ((double)ru.ru_maxrss > *maxrss)
        *maxrss = (double)ru.ru_maxrss;
    return 0;
}

static int run_group(int g, int variant, int traced, double *w, double *u, double *s,
                     double *maxrss)
{
    struct timespec t0, t1;
    int i;

    *u = *s = *maxrss = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < ncmds; i++)
        if (cmds[i].group == g && cmds[i].variant == variant && run(&cmds[i], traced, u, s, maxrss) != 0)
            return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *w = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    return 0;
}

static int is_idem(int g)
{
    size_t n = strlen(groups[g]);

    return n > 5 && strcmp(groups[g] + n - 5, "_idem") == 0;
}

/* The reset before a measured run, and the untimed first run of an _idem group. */
static int prepare(int g, int reset, int variant)
{
    double dw, du, ds, dm;

    if (reset >= 0 && run_group(reset, !variant, 0, &dw, &du, &ds, &dm) != 0)
        return -1;
    if (is_idem(g) && run_group(g, variant, 0, &dw, &du, &ds, &dm) != 0)
        return -1;
    return 0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;

    return (x > y) - (x < y);
}

static double median(float *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_float);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int rounds, warmup, reset, r, k, g, n;

    if (argc != 4 || load_spec(argv[1]) != 0 || (rounds = atoi(argv[2])) < 1 ||
        (warmup = atoi(argv[3])) < 0 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: measure SPEC ROUNDS(1-%d) WARMUP (see measure.c)\n", MAX_ROUNDS);
        return 2;
    }
    reset = -1;
    for (g = 0; g < ngroups; g++)
        if (strcmp(groups[g], "reset") == 0)
            reset = g;
    for (r = 0; r < warmup + rounds; r++) {
        int v = r % 2;
        for (k = 0; k < ngroups; k++) {
            double w, u, s, m, dw, du, ds;
            g = (k + r) % ngroups;
            if (g == reset)
                continue;
            if (prepare(g, reset, v) != 0)
                return 1;
            if (run_group(g, v, 0, &w, &u, &s, &m) != 0)
                return 1;
            if (r < warmup)
                continue;
            n = r - warmup;
            wall[g][n] = (float)w;
            usr[g][n] = (float)u;
            sys_[g][n] = (float)s;
            cpu[g][n] = (float)(u + s);
            if (n % RSS_EVERY == 0) {
                if (prepare(g, reset, v) != 0 || run_group(g, v, 1, &dw, &du, &ds, &m) != 0)
                    return 1;
                rss[g][nrss[g]++] = (float)m;
            }
        }
    }
    for (g = 0; g < ngroups; g++) {
        double mw, mc, mu, ms_, mr;
        if (g == reset)
            continue;
        mw = median(wall[g], rounds);
        mc = median(cpu[g], rounds);     /* sorts cpu[g]: [0] is the minimum */
        mu = median(usr[g], rounds);
        ms_ = median(sys_[g], rounds);
        mr = median(rss[g], nrss[g]);    /* sorts rss[g]: the last is the maximum */
        printf("%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%.0f\t%.3f\n", groups[g], rounds,
               mw, mc, mu, ms_, mr, (double)rss[g][nrss[g] - 1], (double)cpu[g][0]);
    }
    printf("harness_peak_rss_kib\t%ld\n", status_kib(getpid(), "VmHWM:"));
    return 0;
}
