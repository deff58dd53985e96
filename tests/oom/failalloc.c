/* SPDX-License-Identifier: MIT */
/* Test build only (make oom-test): an allocator that fails on request. The
 * binary is linked with -Wl,--wrap for each function below, so every
 * allocation of porttune's code and of the static jansson linked with it
 * comes here. PT_OOM_FAIL_AT=N fails the Nth call (N counts from 1; unset or
 * 0: none fails); PT_OOM_PERSIST=1 fails every call from the Nth on, as a
 * host out of memory would. PT_OOM_REPORT=1 prints "pt-oom: N calls" on
 * stderr at exit, so a sweep knows when it has passed the last one. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
FILE *__real_fopen(const char *path, const char *mode);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
FILE *__wrap_fopen(const char *path, const char *mode);

static unsigned long calls, fail_at;
static bool persist, ready;

static void report(void)
{
    char line[64];
    int n = snprintf(line, sizeof(line), "pt-oom: %lu calls\n", calls);

    if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
        return;
}

/* Counts a call; true when it is to fail (errno ENOMEM, as libc sets it). */
static bool fail_now(void)
{
    const char *s;

    if (!ready) {
        ready = true;
        s = getenv("PT_OOM_FAIL_AT");
        fail_at = s != NULL ? strtoul(s, NULL, 10) : 0;
        s = getenv("PT_OOM_PERSIST");
        persist = s != NULL && strcmp(s, "1") == 0;
        s = getenv("PT_OOM_REPORT");
        if (s != NULL && strcmp(s, "1") == 0)
            atexit(report);
    }
    calls++;
    if (fail_at == 0 || calls < fail_at || (calls > fail_at && !persist))
        return false;
    errno = ENOMEM;
    return true;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { return fail_now() ? NULL : __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fail_now() ? NULL : __real_strndup(s, n); }
/* glibc's fopen allocates its FILE */
FILE *__wrap_fopen(const char *path, const char *mode) { return fail_now() ? NULL : __real_fopen(path, mode); }
