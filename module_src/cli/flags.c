/* SPDX-License-Identifier: MIT */
/* Command-line flags the CLI's commands share: usage errors, "--flag V" and "--flag=V", --top and --source. */
#include "porttune.h"
#include "cli/cli.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TOP_MAX 100000

int pt__cli_vusage(const char *usage, const char *fmt, va_list ap)
{
    fputs("porttune: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    fputs(usage, stderr);
    return PT_EXIT_USAGE;
}

int pt__cli_usage(const char *usage, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = pt__cli_vusage(usage, fmt, ap);
    va_end(ap);
    return rc;
}

bool pt__cli_is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);

    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

const char *pt__cli_flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t n = strlen(flag);

    if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

int pt__cli_diag_flag(const char *usage, int argc, char **argv, int *i, unsigned *top,
                      const char **source)
{
    const char *arg = argv[*i], *v;

    if (pt__cli_is_flag(arg, "--top")) {
        unsigned long n;
        char *end;

        if ((v = pt__cli_flag_value(argc, argv, i, "--top")) == NULL)
            return pt__cli_usage(usage, "--top needs a number.");
        errno = 0;
        n = strtoul(v, &end, 10);
        if (v[0] < '0' || v[0] > '9' || errno != 0 || *end != '\0' || n > TOP_MAX)
            return pt__cli_usage(usage, "--top '%s' is not a whole number 0-%d.", v, TOP_MAX);
        *top = (unsigned)n;
        return 1;
    }
    if (pt__cli_is_flag(arg, "--source")) {
        if ((v = pt__cli_flag_value(argc, argv, i, "--source")) == NULL)
            return pt__cli_usage(usage, "--source needs auto, netlink or proc.");
        if (strcmp(v, "auto") != 0 && strcmp(v, "netlink") != 0 && strcmp(v, "proc") != 0)
            return pt__cli_usage(usage, "--source '%s' is not one of auto, netlink, proc.", v);
        *source = v;
        return 1;
    }
    return 0;
}

bool pt__cli_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != 0) {
        uint32_t c = *p++;
        int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 :
                (c & 0xF8) == 0xF0 ? 3 : -1;
        uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;

        if (n < 0)
            return false;
        if (n == 0)
            continue;
        c &= 0x3Fu >> n;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (*p & 0x3Fu);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
    }
    return true;
}
