/* SPDX-License-Identifier: MIT */
/* Parsers of netsh's dynamic port range and excluded port range output; no
 * Windows headers. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One "label : number" line: label trimmed, lower-cased, spaces collapsed. */
static int parse_line(const char *line, size_t len, char *label, size_t lsize,
                      unsigned long *num)
{
    const char *colon = memchr(line, ':', len), *p, *end = line + len;
    unsigned long n = 0;
    size_t used = 0;
    int digits = 0, space = 0;

    if (colon == NULL)
        return -1;
    for (p = colon + 1; p < end && isspace((unsigned char)*p); p++)
        ;
    for (; p < end && isdigit((unsigned char)*p); p++, digits++) {
        if (n > 999999)
            return -1;
        n = n * 10 + (unsigned long)(*p - '0');
    }
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (digits == 0 || p != end)
        return -1;
    for (p = line; p < colon; p++) {
        if (isspace((unsigned char)*p)) {
            space = used > 0;
            continue;
        }
        if (used + 2 >= lsize)
            break;
        if (space)
            label[used++] = ' ';
        space = 0;
        label[used++] = (char)tolower((unsigned char)*p);
    }
    label[used] = '\0';
    *num = n;
    return 0;
}

/* netsh prints labels in the system's language ("Startport", "Port de
 * démarrage"), so the English labels are preferred and otherwise the first
 * two "label : number" lines are taken in netsh's fixed order: start, count. */
int pt__netsh_parse_dynamicport(const char *text, unsigned long *start,
                                unsigned long *count)
{
    unsigned long nums[2] = { 0, 0 }, n, s = 0, c = 0;
    int nnums = 0, have_s = 0, have_c = 0;
    const char *line = text, *nl;
    char label[64];
    size_t len;

    while (line != NULL && *line != '\0') {
        nl = strchr(line, '\n');
        len = nl ? (size_t)(nl - line) : strlen(line);
        if (parse_line(line, len, label, sizeof(label), &n) == 0) {
            if (strcmp(label, "start port") == 0 && !have_s) {
                s = n;
                have_s = 1;
            } else if (strcmp(label, "number of ports") == 0 && !have_c) {
                c = n;
                have_c = 1;
            }
            if (nnums < 2)
                nums[nnums] = n;
            nnums++;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!(have_s && have_c)) {
        if (have_s || have_c || nnums != 2)
            return PT_EINVAL;
        s = nums[0];
        c = nums[1];
    }
    if (s < 1 || s > 65535 || c < 1 || s + c - 1 > 65535)
        return PT_EINVAL;
    *start = s;
    *count = c;
    return 0;
}

void pt__netsh_message(const char *text, char *buf, size_t size)
{
    size_t used = 0;
    int space = 0;
    const char *p;

    if (size == 0)
        return;
    for (p = text ? text : ""; *p != '\0'; p++) {
        if (isspace((unsigned char)*p)) {
            space = used > 0;
            continue;
        }
        if (used + (size_t)space + 1 >= size)
            break;
        if (space)
            buf[used++] = ' ';
        space = 0;
        buf[used++] = *p;
    }
    while (used > 0 && (buf[used - 1] == '.' || buf[used - 1] == ' '))
        used--;
    buf[used] = '\0';
    if (used == 0)
        snprintf(buf, size, "no output");
}

/* Splits line into at most 4 blank-separated tokens; returns how many. */
static int tokens(const char *line, size_t len, const char *tok[4], size_t tlen[4])
{
    const char *p = line, *end = line + len;
    int n = 0;

    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p == end)
            return n;
        if (n == 4)
            return 5;
        tok[n] = p;
        while (p < end && !isspace((unsigned char)*p))
            p++;
        tlen[n] = (size_t)(p - tok[n]);
        n++;
    }
}

static bool is_rule(const char *line, size_t len)
{
    size_t i, dashes = 0;

    for (i = 0; i < len; i++) {
        if (line[i] == '-')
            dashes++;
        else if (!isspace((unsigned char)line[i]))
            return false;
    }
    return dashes > 0;
}

static int port_token(const char *t, size_t len, uint32_t *out)
{
    unsigned long n = 0;
    size_t i;

    if (len == 0 || len > 5)
        return -1;
    for (i = 0; i < len; i++) {
        if (!isdigit((unsigned char)t[i]))
            return -1;
        n = n * 10 + (unsigned long)(t[i] - '0');
    }
    if (n < 1 || n > 65535)
        return -1;
    *out = (uint32_t)n;
    return 0;
}

/* Headers and the footer are localized ("Port de début", "* - Exclusions de
 * ports administrés."), so only the dashed rule under the column titles and
 * the rows' shape are relied on: two port numbers, then an optional "*". */
int pt__netsh_parse_excluded(const char *text, pt_exrange_t **rows, size_t *nrows)
{
    const char *line = text, *nl, *tok[4];
    size_t len, tlen[4], n = 0, cap = 0;
    pt_exrange_t *out = NULL, *grown;
    bool ruled = false;
    int nt;

    *rows = NULL;
    *nrows = 0;
    for (; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        len = nl ? (size_t)(nl - line) : strlen(line);
        if (!ruled) {
            ruled = is_rule(line, len);
            continue;
        }
        nt = tokens(line, len, tok, tlen);
        if (nt == 0 || !isdigit((unsigned char)tok[0][0]))
            continue;   /* blank line or the footer */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            grown = realloc(out, cap * sizeof(*out));
            if (grown == NULL) {
                free(out);
                return PT_ENOMEM;
            }
            out = grown;
        }
        if (nt < 2 || nt > 3 || port_token(tok[0], tlen[0], &out[n].lo) != 0 ||
            port_token(tok[1], tlen[1], &out[n].hi) != 0 || out[n].lo > out[n].hi ||
            (nt == 3 && !(tlen[2] == 1 && tok[2][0] == '*'))) {
            free(out);
            return PT_EINVAL;
        }
        out[n].admin = nt == 3;
        n++;
    }
    if (!ruled) {
        free(out);
        return PT_EINVAL;
    }
    *rows = out;
    *nrows = n;
    return 0;
}
