/* SPDX-License-Identifier: MIT */
/* TEST DOUBLE of netsh.exe for the Wine tests: Wine's netsh has no
 * `int ipv4|ipv6 show|set dynamicport` and no `show|add|delete
 * excludedportrange`. Prints real netsh's English output, keeps the ranges in
 * a state file, logs every call, fails on request.
 *
 *   FAKE_NETSH_STATE  state file (default C:\porttune-fake-netsh.txt):
 *                     lines "ipv4 START NUM" and "ipv6 START NUM"; after a
 *                     line "excl-list", lines "excl START END admin|system"
 *                     (without "excl-list": Windows-like defaults, 5357 held
 *                     by the system and an administered 50000-50059)
 *   FAKE_NETSH_LOG    append each call's arguments here (optional)
 *   FAKE_NETSH_SELF   write argv[0], the path the caller started, here
 *                     (optional): the tests install this double as the
 *                     prefix's C:\windows\system32\netsh.exe and check that
 *                     it, not Wine's builtin netsh, ran from that path
 *   FAKE_NETSH_FAIL   comma list of ipv4-show, ipv6-show, ipv4-set, ipv6-set,
 *                     ipv4-set-half, ipv6-set-half (write the range, then
 *                     fail), ipv4-exshow, ipv6-exshow, ipv4-add, ipv6-add,
 *                     ipv4-delete, ipv6-delete to fail on purpose; a "-once"
 *                     suffix fails only the first such call, "-after-once"
 *                     every one but the first.
 *
 * Excluded ranges: one TCP list for both families, as Windows keeps it (one
 * registry key under Nsi for IPv4 and IPv6); an add that overlaps a listed
 * range fails as Windows does, a delete must name an administered range
 * exactly, and system (non-administered) ranges refuse deletion. */
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

#define MAX_EXCL 256

typedef struct excl {
    unsigned long lo, hi;
    int admin;
} excl_t;

static excl_t excl[MAX_EXCL];
static int nexcl;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return v != NULL && *v != '\0' ? v : dflt;
}

static void load(const char *path, range_t r[2])
{
    FILE *f = fopen(path, "r");
    char line[128], fam[16], kind[16];
    unsigned long s, n;
    int listed_excl = 0;

    r[0].start = r[1].start = 49152;
    r[0].num = r[1].num = 16384;
    nexcl = 0;
    if (f != NULL) {
        while (fgets(line, sizeof(line), f) != NULL) {
            if (strncmp(line, "excl-list", 9) == 0) {
                listed_excl = 1;
            } else if (sscanf(line, "excl %lu %lu %15s", &s, &n, kind) == 3 &&
                       nexcl < MAX_EXCL) {
                excl[nexcl].lo = s;
                excl[nexcl].hi = n;
                excl[nexcl].admin = strcmp(kind, "admin") == 0;
                nexcl++;
            } else if (sscanf(line, "%15s %lu %lu", fam, &s, &n) == 3) {
                int i = strcmp(fam, "ipv6") == 0;
                r[i].start = s;
                r[i].num = n;
            }
        }
        fclose(f);
    }
    if (!listed_excl) {
        excl[0].lo = excl[0].hi = 5357;
        excl[0].admin = 0;
        excl[1].lo = 50000;
        excl[1].hi = 50059;
        excl[1].admin = 1;
        nexcl = 2;
    }
}

static int save(const char *path, const range_t r[2])
{
    FILE *f = fopen(path, "w");
    int i;

    if (f == NULL)
        return -1;
    fprintf(f, "ipv4 %lu %lu\nipv6 %lu %lu\nexcl-list\n", r[0].start, r[0].num,
            r[1].start, r[1].num);
    for (i = 0; i < nexcl; i++)
        fprintf(f, "excl %lu %lu %s\n", excl[i].lo, excl[i].hi,
                excl[i].admin ? "admin" : "system");
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
 * file beside the state file (STATE.failed-X); "X-after-once" every call
 * but the first (marker STATE.passed-X). */
/* Whether the marker STATE.KIND-WHAT was there; it is afterwards. */
static int seen_before(const char *state, const char *kind, const char *what)
{
    char marker[600];
    FILE *f;

    snprintf(marker, sizeof(marker), "%s.%s-%s", state, kind, what);
    if ((f = fopen(marker, "r")) != NULL) {
        fclose(f);
        return 1;
    }
    if ((f = fopen(marker, "w")) != NULL)
        fclose(f);
    return 0;
}

static int told_to_fail(const char *what, const char *state)
{
    char once[64];

    if (listed(what))
        return 1;
    snprintf(once, sizeof(once), "%s-after-once", what);
    if (listed(once))
        return seen_before(state, "passed", what);
    snprintf(once, sizeof(once), "%s-once", what);
    return listed(once) && !seen_before(state, "failed", what);
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

static int excl_cmp(const void *a, const void *b)
{
    const excl_t *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int fail_now(const char *verb, int fam, const char *state)
{
    char what[32];

    snprintf(what, sizeof(what), "%s-%s", fam ? "ipv6" : "ipv4", verb);
    if (!told_to_fail(what, state))
        return 0;
    printf("An internal error occurred (fake netsh told to fail: %s).\r\n\r\n", what);
    return 1;
}

/* show|add|delete excludedportrange protocol=tcp [startport=N numberofports=M
 * [store=active|persistent]] */
static int excluded(int argc, char **argv, const char *state, int fam)
{
    range_t r[2];
    unsigned long s = 0, n = 0;
    const char *verb = argv[3];
    int i, add, found;

    if (strcasecmp(argv[5], "protocol=tcp") != 0 && strcasecmp(argv[5], "tcp") != 0) {
        printf("The syntax supplied for this command is not valid. Check help for the correct syntax.\r\n\r\n");
        return 1;
    }
    load(state, r);
    if (strcasecmp(verb, "show") == 0 && argc == 6) {
        if (fail_now("exshow", fam, state))
            return 1;
        qsort(excl, (size_t)nexcl, sizeof(excl[0]), excl_cmp);
        printf("\r\nProtocol tcp Port Exclusion Ranges\r\n\r\n"
               "Start Port    End Port\r\n"
               "----------    --------\r\n");
        for (i = 0; i < nexcl; i++)
            printf("%10lu  %10lu%s\r\n", excl[i].lo, excl[i].hi, excl[i].admin ? "     *" : "");
        printf("\r\n* - Administered port exclusions.\r\n\r\n");
        return 0;
    }
    add = strcasecmp(verb, "add") == 0;
    if ((!add && strcasecmp(verb, "delete") != 0) || argc < 8 || argc > 9 ||
        parse_kv(argv[6], "startport", &s) != 0 || parse_kv(argv[7], "numberofports", &n) != 0 ||
        (argc == 9 && strcasecmp(argv[8], "store=persistent") != 0 &&
         strcasecmp(argv[8], "store=active") != 0)) {
        printf("The syntax supplied for this command is not valid. Check help for the correct syntax.\r\n\r\n");
        return 1;
    }
    if (fail_now(add ? "add" : "delete", fam, state))
        return 1;
    if (s < 1 || n < 1 || s + n - 1 > 65535) {
        printf("The parameter is incorrect.\r\n\r\n");
        return 1;
    }
    for (i = 0, found = 0; i < nexcl && !found; i++) {
        int overlap = excl[i].lo <= s + n - 1 && s <= excl[i].hi;
        int exact = excl[i].lo == s && excl[i].hi == s + n - 1;
        if (add && overlap) {
            printf("The process cannot access the file because it is being used by another process.\r\n\r\n");
            return 1;
        }
        if (!add && exact) {
            if (!excl[i].admin) {
                printf("Access is denied.\r\n\r\n");
                return 1;
            }
            excl[i] = excl[--nexcl];
            found = 1;
        }
    }
    if (!add && !found) {
        printf("Element not found.\r\n\r\n");
        return 1;
    }
    if (add) {
        if (nexcl == MAX_EXCL) {
            printf("Not enough memory resources are available to process this command.\r\n\r\n");
            return 1;
        }
        excl[nexcl].lo = s;
        excl[nexcl].hi = s + n - 1;
        excl[nexcl].admin = 1;
        nexcl++;
    }
    if (save(state, r) != 0) {
        printf("The system cannot write to the specified device.\r\n\r\n");
        return 1;
    }
    printf("Ok.\r\n\r\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *state = env_or("FAKE_NETSH_STATE", "C:\\porttune-fake-netsh.txt");
    const char *log = getenv("FAKE_NETSH_LOG");
    const char *self = getenv("FAKE_NETSH_SELF");
    char what[32];
    range_t r[2];
    unsigned long s = 0, n = 0;
    int i, fam;

    /* Real netsh writes "\r\n"; text mode would make it "\r\r\n". */
    _setmode(_fileno(stdout), _O_BINARY);
    if (self != NULL && *self != '\0' && argc > 0) {
        FILE *f = fopen(self, "w");
        if (f != NULL) {
            fprintf(f, "%s\n", argv[0]);
            fclose(f);
        }
    }
    if (log != NULL && *log != '\0') {
        FILE *f = fopen(log, "a");
        if (f != NULL) {
            for (i = 1; i < argc; i++)
                fprintf(f, "%s%s", i > 1 ? " " : "", argv[i]);
            fputc('\n', f);
            fclose(f);
        }
    }
    if (argc >= 6 && (strcasecmp(argv[1], "int") == 0 || strcasecmp(argv[1], "interface") == 0) &&
        (strcasecmp(argv[2], "ipv4") == 0 || strcasecmp(argv[2], "ipv6") == 0) &&
        strcasecmp(argv[4], "excludedportrange") == 0)
        return excluded(argc, argv, state, strcasecmp(argv[2], "ipv6") == 0);
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
