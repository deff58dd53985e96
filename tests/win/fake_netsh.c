/* SPDX-License-Identifier: MIT */
/* TEST DOUBLE of netsh.exe for the Wine tests: Wine's netsh has no
 * `int ipv4|ipv6 show|set dynamicport`. Prints real netsh's English output,
 * keeps the ranges in a state file, logs every call, fails on request.
 *
 *   FAKE_NETSH_STATE  state file (default C:\porttune-fake-netsh.txt):
 *                     lines "ipv4 START NUM" and "ipv6 START NUM"
 *   FAKE_NETSH_LOG    append each call's arguments here (optional)
 *   FAKE_NETSH_FAIL   comma list of ipv4-show, ipv6-show, ipv4-set, ipv6-set,
 *                     ipv4-set-half, ipv6-set-half (write the range, then
 *                     fail) to fail on purpose; a "-once" suffix fails only
 *                     the first such call */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int main(int argc, char **argv);

typedef struct range {
    unsigned long start, num;
} range_t;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return v != NULL && *v != '\0' ? v : dflt;
}

static void load(const char *path, range_t r[2])
{
    FILE *f = fopen(path, "r");
    char fam[8];
    unsigned long s, n;

    r[0].start = r[1].start = 49152;
    r[0].num = r[1].num = 16384;
    if (f == NULL)
        return;
    while (fscanf(f, "%7s %lu %lu", fam, &s, &n) == 3) {
        int i = strcmp(fam, "ipv6") == 0;
        r[i].start = s;
        r[i].num = n;
    }
    fclose(f);
}

static int save(const char *path, const range_t r[2])
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return -1;
    fprintf(f, "ipv4 %lu %lu\nipv6 %lu %lu\n", r[0].start, r[0].num, r[1].start, r[1].num);
    return fclose(f);
}

static int listed(const char *what)
{
    const char *list = env_or("FAKE_NETSH_FAIL", ""), *p = list;
    size_t n = strlen(what);

    while ((p = strstr(p, what)) != NULL) {
        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return 1;
        p += n;
    }
    return 0;
}

/* "X" fails every X call; "X-once" only the first, remembered in a marker
 * file beside the state file (STATE.failed-X). */
static int told_to_fail(const char *what, const char *state)
{
    char once[64], marker[600];
    FILE *f;

    if (listed(what))
        return 1;
    snprintf(once, sizeof(once), "%s-once", what);
    if (!listed(once))
        return 0;
    snprintf(marker, sizeof(marker), "%s.failed-%s", state, what);
    if ((f = fopen(marker, "r")) != NULL) {
        fclose(f);
        return 0;
    }
    if ((f = fopen(marker, "w")) != NULL)
        fclose(f);
    return 1;
}

static int parse_kv(const char *arg, const char *key, unsigned long *out)
{
    size_t n = strlen(key);
    char *end;

    if (strncasecmp(arg, key, n) != 0 || arg[n] != '=')
        return -1;
    *out = strtoul(arg + n + 1, &end, 10);
    return *end == '\0' && end != arg + n + 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *state = env_or("FAKE_NETSH_STATE", "C:\\porttune-fake-netsh.txt");
    const char *log = getenv("FAKE_NETSH_LOG");
    char what[32];
    range_t r[2];
    unsigned long s = 0, n = 0;
    int i, fam;

    /* Real netsh writes "\r\n"; text mode would make it "\r\r\n". */
    _setmode(_fileno(stdout), _O_BINARY);
    if (log != NULL && *log != '\0') {
        FILE *f = fopen(log, "a");
        if (f != NULL) {
            for (i = 1; i < argc; i++)
                fprintf(f, "%s%s", i > 1 ? " " : "", argv[i]);
            fputc('\n', f);
            fclose(f);
        }
    }
    if (argc < 6 || (strcasecmp(argv[1], "int") != 0 && strcasecmp(argv[1], "interface") != 0) ||
        (strcasecmp(argv[2], "ipv4") != 0 && strcasecmp(argv[2], "ipv6") != 0) ||
        strcasecmp(argv[4], "dynamicport") != 0 || strcasecmp(argv[5], "tcp") != 0) {
        printf("The following command was not found: %s.\r\n", argc > 1 ? argv[1] : "");
        return 1;
    }
    fam = strcasecmp(argv[2], "ipv6") == 0;
    load(state, r);
    if (strcasecmp(argv[3], "show") == 0 && argc == 6) {
        snprintf(what, sizeof(what), "%s-show", fam ? "ipv6" : "ipv4");
        if (told_to_fail(what, state)) {
            printf("An internal error occurred (fake netsh told to fail: %s).\r\n\r\n", what);
            return 1;
        }
        printf("\r\nProtocol tcp Dynamic Port Range\r\n"
               "---------------------------------\r\n"
               "Start Port      : %lu\r\n"
               "Number of Ports : %lu\r\n\r\n", r[fam].start, r[fam].num);
        return 0;
    }
    if (strcasecmp(argv[3], "set") == 0 && argc == 8 && parse_kv(argv[6], "start", &s) == 0 &&
        parse_kv(argv[7], "num", &n) == 0) {
        snprintf(what, sizeof(what), "%s-set", fam ? "ipv6" : "ipv4");
        if (told_to_fail(what, state)) {
            printf("An internal error occurred (fake netsh told to fail: %s).\r\n\r\n", what);
            return 1;
        }
        /* Windows' own limits. */
        if (s < 1025 || n < 255 || s + n - 1 > 65535) {
            printf("The parameter is incorrect.\r\n\r\n");
            return 1;
        }
        r[fam].start = s;
        r[fam].num = n;
        if (save(state, r) != 0) {
            printf("The system cannot write to the specified device.\r\n\r\n");
            return 1;
        }
        snprintf(what, sizeof(what), "%s-set-half", fam ? "ipv6" : "ipv4");
        if (told_to_fail(what, state)) {
            printf("An internal error occurred (fake netsh told to fail: %s).\r\n\r\n", what);
            return 1;
        }
        printf("Ok.\r\n\r\n");
        return 0;
    }
    printf("The syntax supplied for this command is not valid. Check help for the correct syntax.\r\n\r\n");
    return 1;
}
