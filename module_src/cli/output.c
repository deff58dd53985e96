/* SPDX-License-Identifier: MIT */
/* Human output of the CLI: aligned tables drawn from the JSON objects the core builds. */
#include "porttune.h"
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int pt__cli_print_json(const json_t *j, size_t flags)
{
    char stack[8192], *heap = NULL;
    const char *buf = stack;
    size_t n = json_dumpb(j, stack, sizeof(stack), flags);

    if (n == 0)
        return -1;
    if (n > sizeof(stack)) {
        if ((heap = malloc(n)) == NULL || json_dumpb(j, heap, n, flags) != n) {
            free(heap);
            return -1;
        }
        buf = heap;
    }
    fwrite(buf, 1, n, stdout);
    fputc('\n', stdout);
    free(heap);
    return 0;
}

#define MAX_COLS 6
#define MAX_ROWS (PT_K__COUNT + 1)

typedef struct table {
    char *cell[MAX_ROWS][MAX_COLS];   /* owned; NULL prints as "" */
    size_t rows, cols;
} table_t;

/* A setting value as people read it: "-" unknown, "(none)" an empty port set. */
static char *value_text(const json_t *v)
{
    if (json_is_integer(v))
        return pt_strdup_printf("%lld", (long long)json_integer_value(v));
    if (json_is_string(v))
        return pt_strdup_printf("%s", json_string_length(v) ? json_string_value(v) : "(none)");
    return pt_strdup_printf("-");
}

/* "a -> b" when changed, else "a". */
static char *change_text(const json_t *before, const json_t *after, bool changed)
{
    char *b = value_text(before), *a = value_text(after), *s = NULL;

    if (b != NULL && a != NULL)
        s = changed ? pt_strdup_printf("%s -> %s", b, a) : pt_strdup_printf("%s", b);
    free(b);
    free(a);
    return s;
}

static void table_print(FILE *out, table_t *t)
{
    size_t w[MAX_COLS] = { 0 }, r, c, last;

    for (r = 0; r < t->rows; r++)
        for (c = 0; c < t->cols; c++)
            if (t->cell[r][c] != NULL && strlen(t->cell[r][c]) > w[c])
                w[c] = strlen(t->cell[r][c]);
    for (r = 0; r < t->rows; r++) {
        last = 0;
        for (c = 0; c < t->cols; c++)
            if (t->cell[r][c] != NULL && t->cell[r][c][0] != '\0')
                last = c;
        for (c = 0; c <= last; c++) {
            const char *s = t->cell[r][c] ? t->cell[r][c] : "";
            if (c == last)
                fprintf(out, "%s\n", s);
            else
                fprintf(out, "%-*s  ", (int)w[c], s);
        }
    }
    for (r = 0; r < t->rows; r++)
        for (c = 0; c < t->cols; c++)
            free(t->cell[r][c]);
}

static void print_capacity(FILE *out, const json_t *cap)
{
    if (!json_is_object(cap)) {
        fputs("capacity: unknown (no port range was read)\n", out);
        return;
    }
    fprintf(out, "capacity: %lld usable ports in %s (%lld reserved); TIME_WAIT %lld s; ",
            (long long)json_integer_value(json_object_get(cap, "usable_ports")),
            json_string_value(json_object_get(cap, "port_range")),
            (long long)json_integer_value(json_object_get(cap, "reserved_in_range")),
            (long long)json_integer_value(json_object_get(cap, "time_wait_seconds")));
    pt__cli_print_rate(out, json_object_get(cap, "max_new_connections_per_second"));
}

void pt__cli_print_rate(FILE *out, const json_t *rate)
{
    if (json_is_number(rate))
        fprintf(out, "at most %.2f new connections/s to one destination\n",
                json_number_value(rate));
    else
        fputs("no TIME_WAIT bound on new connections to one destination\n", out);
}

static void print_conflicts(FILE *out, const json_t *conflicts, const char *file)
{
    const json_t *c;
    size_t i;

    json_array_foreach((json_t *)conflicts, i, c) {
        const char *effect = json_string_value(json_object_get(c, "effect"));
        const char *sysctl = json_string_value(json_object_get(c, "sysctl"));
        fprintf(out, "conflict: %s:%lld ", json_string_value(json_object_get(c, "file")),
                (long long)json_integer_value(json_object_get(c, "line")));
        if (effect != NULL && strcmp(effect, "unset") == 0)
            fprintf(out, "removes %s", sysctl);
        else
            fprintf(out, "sets %s = %s%s", sysctl,
                    json_string_value(json_object_get(c, "value")),
                    effect != NULL && strcmp(effect, "refused") == 0
                        ? ", which the kernel refuses," : "");
        fprintf(out, " and is read after %s at boot; %s at next boot\n",
                file ? file : "the sysctl file",
                effect != NULL && strcmp(effect, "set") != 0
                    ? "the key keeps the kernel's default" : "that value wins");
    }
}

static bool has_conflict(const json_t *conflicts, const char *key)
{
    const json_t *c;
    size_t i;

    json_array_foreach((json_t *)conflicts, i, c)
        if (strcmp(json_string_value(json_object_get(c, "key")), key) == 0)
            return true;
    return false;
}

void pt__cli_print_state(FILE *out, const json_t *state)
{
    const json_t *settings = json_object_get(state, "settings");
    const json_t *conflicts = json_object_get(state, "conflicts");
    const char *file = json_string_value(json_object_get(state, "sysctl_file"));
    const char *masked = json_string_value(json_object_get(state, "sysctl_file_masked_by"));
    bool linux_host = file != NULL;
    table_t t;
    const char *key;
    json_t *s;

    memset(&t, 0, sizeof(t));
    t.cols = 6;
    t.cell[0][0] = pt_strdup_printf("SETTING");
    t.cell[0][1] = pt_strdup_printf(linux_host ? "SYSCTL" : "NAME");
    t.cell[0][2] = pt_strdup_printf("LIVE");
    t.cell[0][3] = pt_strdup_printf("PERSISTED");
    t.cell[0][4] = pt_strdup_printf("AT BOOT");
    t.cell[0][5] = pt_strdup_printf("NOTE");
    t.rows = 1;
    json_object_foreach((json_t *)settings, key, s) {
        const char *src = json_string_value(json_object_get(s, "boot_source"));
        char *boot;
        if (t.rows == MAX_ROWS)
            break;
        boot = value_text(json_object_get(s, "boot"));
        t.cell[t.rows][0] = pt_strdup_printf("%s", key);
        t.cell[t.rows][1] = value_text(json_object_get(s, linux_host ? "sysctl" : "name"));
        t.cell[t.rows][2] = value_text(json_object_get(s, "live"));
        t.cell[t.rows][3] = value_text(json_object_get(s, "persisted"));
        t.cell[t.rows][4] = src && boot ? pt_strdup_printf("%s (%s)", boot, src) : boot;
        if (src && boot)
            free(boot);
        if (!json_is_true(json_object_get(s, "supported")))
            t.cell[t.rows][5] = pt_strdup_printf("not on this host");
        else if (has_conflict(conflicts, key))
            t.cell[t.rows][5] = pt_strdup_printf("overridden at boot");
        else if (json_is_true(json_object_get(s, "drift")))
            t.cell[t.rows][5] = pt_strdup_printf("drift: live differs from boot");
        t.rows++;
    }
    table_print(out, &t);
    if (linux_host) {
        bool exists = json_is_true(json_object_get(state, "sysctl_file_exists"));
        bool at_boot = json_is_true(json_object_get(state, "sysctl_file_at_boot"));
        fprintf(out, "\nsysctl file: %s (%s; ", file, exists ? "present" : "absent");
        if (masked != NULL)
            fprintf(out, "masked by %s)\n", masked);
        else
            fprintf(out, "%s)\n", at_boot ? "read at boot" : "not read at boot");
    } else {
        fputc('\n', out);
    }
    print_conflicts(out, conflicts, file);
    print_capacity(out, json_object_get(state, "capacity"));
}

void pt__cli_print_result(FILE *out, const json_t *result, bool noop)
{
    const json_t *settings = json_object_get(result, "settings");
    const char *file = json_string_value(json_object_get(result, "sysctl_file"));
    size_t nchanged = 0, n = 0;
    table_t t;
    const char *key;
    json_t *s;

    memset(&t, 0, sizeof(t));
    t.cols = 4;
    t.cell[0][0] = pt_strdup_printf("SETTING");
    t.cell[0][1] = pt_strdup_printf("LIVE");
    t.cell[0][2] = pt_strdup_printf(file ? "PERSISTED" : "");
    t.cell[0][3] = pt_strdup_printf("RESULT");
    t.rows = 1;
    json_object_foreach((json_t *)settings, key, s) {
        bool changed = json_is_true(json_object_get(s, "changed"));
        if (t.rows == MAX_ROWS)
            break;
        n++;
        nchanged += changed;
        t.cell[t.rows][0] = pt_strdup_printf("%s", key);
        t.cell[t.rows][1] = change_text(json_object_get(s, "before"), json_object_get(s, "after"),
                                        json_is_true(json_object_get(s, "live_changed")));
        t.cell[t.rows][2] = file ? change_text(json_object_get(s, "persisted_before"),
                                               json_object_get(s, "persisted_after"),
                                               json_is_true(json_object_get(s, "persisted_changed")))
                                 : NULL;
        t.cell[t.rows][3] = pt_strdup_printf("%s", !changed ? "in sync"
                                       : noop ? "would change" : "changed");
        t.rows++;
    }
    table_print(out, &t);
    fputc('\n', out);
    if (file != NULL)
        fprintf(out, "sysctl file: %s\n", file);
    print_conflicts(out, json_object_get(result, "conflicts"), file);
    print_capacity(out, json_object_get(result, "capacity"));
    if (nchanged == 0)
        fprintf(out, "in sync: %zu of %zu settings need no change\n", n, n);
    else
        fprintf(out, "%s: %zu of %zu settings\n", noop ? "would change" : "changed",
                nchanged, n);
}
