/* SPDX-License-Identifier: MIT */
/* sysctl.d(5) text, parsed line by line so that edits keep everything else. */
#include "conf.h"
#include "boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void line_free(pt_conf_line_t *l)
{
    free(l->text);
    free(l->name);
    free(l->value);
}

void pt_conf_free(pt_conf_t *conf)
{
    size_t i;

    if (conf == NULL)
        return;
    for (i = 0; i < conf->n; i++)
        line_free(&conf->lines[i]);
    free(conf->lines);
    free(conf);
}

static char *strndup_trim(const char *s, size_t n)
{
    char *r;

    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    r = malloc(n + 1);
    if (r == NULL)
        return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* sysctl.d(5): when the first separator is '/', '/' and '.' swap meaning. */
static void normalize_name(char *name)
{
    size_t i, first = strcspn(name, "./");

    if (name[first] != '/')
        return;
    for (i = 0; name[i] != '\0'; i++) {
        if (name[i] == '/')
            name[i] = '.';
        else if (name[i] == '.')
            name[i] = '/';
    }
}

/* Fills the parsed fields of l from l->text. */
static int line_parse(pt_conf_line_t *l)
{
    const char *s = l->text, *eq;
    const pt_keyinfo_t *ki;
    char *name, *norm;

    l->key = -1;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '#' || *s == ';')
        return 0;
    eq = strchr(s, '=');
    if (eq == NULL)
        return 0;
    if (*s == '-')   /* "-key = v": ignore a failure to set it */
        s++;
    name = strndup_trim(s, (size_t)(eq - s));
    if (name == NULL)
        return PT_ENOMEM;
    l->value = strndup_trim(eq + 1, strlen(eq + 1));
    if (l->value == NULL) {
        free(name);
        return PT_ENOMEM;
    }
    normalize_name(name);
    l->name = name;
    /* Recognise our keys in every spelling systemd-sysctl accepts
     * (/net/ipv4/x, net..ipv4.x.). */
    norm = pt_boot_key_normalize(name, strlen(name));
    if (norm == NULL)
        return PT_ENOMEM;
    ki = strpbrk(norm, "*?[") == NULL ? pt_key_by_sysctl(norm) : NULL;
    free(norm);
    if (ki != NULL)
        l->key = (int)ki->key;
    return 0;
}

static int add_line(pt_conf_t *conf, const char *text, size_t len, size_t at)
{
    pt_conf_line_t l;
    int rc;

    if (conf->n == conf->cap) {
        size_t cap = conf->cap ? conf->cap * 2 : 16;
        pt_conf_line_t *lines = realloc(conf->lines, cap * sizeof(*lines));
        if (lines == NULL)
            return PT_ENOMEM;
        conf->lines = lines;
        conf->cap = cap;
    }
    memset(&l, 0, sizeof(l));
    l.text = malloc(len + 1);
    if (l.text == NULL)
        return PT_ENOMEM;
    memcpy(l.text, text, len);
    l.text[len] = '\0';
    rc = line_parse(&l);
    if (rc != 0) {
        line_free(&l);
        return rc;
    }
    memmove(&conf->lines[at + 1], &conf->lines[at], (conf->n - at) * sizeof(l));
    conf->lines[at] = l;
    conf->n++;
    return 0;
}

int pt_conf_parse(const char *text, size_t len, const char *path, pt_conf_t **out,
                  pt_error_t *err)
{
    pt_conf_t *conf;
    size_t pos = 0;

    *out = NULL;
    if (memchr(text, '\0', len) != NULL)
        return pt_error_set(err, PT_EINVAL, 0, path,
            "%s holds NUL bytes and is not a sysctl text file; fix or remove it. "
            "Nothing was changed.", path);
    conf = calloc(1, sizeof(*conf));
    if (conf == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, path, "out of memory. Nothing was changed.");
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (add_line(conf, text + pos, n, conf->n) != 0) {
            pt_conf_free(conf);
            return pt_error_set(err, PT_ENOMEM, 0, path, "out of memory. Nothing was changed.");
        }
        pos += n + (nl ? 1 : 0);
    }
    conf->missing_newline = len > 0 && text[len - 1] != '\n';
    conf->owned = conf->n > 0 &&
        strncmp(conf->lines[0].text, "# Managed by porttune", 21) == 0;
    *out = conf;
    return 0;
}

pt_conf_t *pt_conf_new_owned(void)
{
    pt_conf_t *conf = calloc(1, sizeof(*conf));

    if (conf == NULL)
        return NULL;
    if (add_line(conf, PT_CONF_HEADER, strlen(PT_CONF_HEADER), 0) != 0) {
        pt_conf_free(conf);
        return NULL;
    }
    conf->owned = true;
    return conf;
}

long pt_conf_find(const pt_conf_t *conf, pt_key_t key)
{
    size_t i;

    for (i = conf->n; i > 0; i--)
        if (conf->lines[i - 1].key == (int)key)
            return (long)(i - 1);
    return -1;
}

static void remove_at(pt_conf_t *conf, size_t i)
{
    line_free(&conf->lines[i]);
    memmove(&conf->lines[i], &conf->lines[i + 1], (conf->n - i - 1) * sizeof(conf->lines[0]));
    conf->n--;
}

int pt_conf_set(pt_conf_t *conf, pt_key_t key, const char *value)
{
    const char *name = pt_keys[key].sysctl;
    long at = pt_conf_find(conf, key);
    size_t i, len = strlen(name) + strlen(value) + 4;
    char *text = malloc(len + 1);
    int rc;

    if (text == NULL)
        return PT_ENOMEM;
    /* Keep a "-" prefix the admin wrote: it only softens boot-time errors. */
    snprintf(text, len + 1, "%s%s = %s",
             (at >= 0 && conf->lines[at].text[strspn(conf->lines[at].text, " \t")] == '-')
                 ? "-" : "", name, value);
    if (at >= 0) {
        /* Earlier duplicates are dead lines under last-one-wins; drop them so
         * that scanners grepping the file see one value. */
        for (i = (size_t)at; i > 0; i--)
            if (conf->lines[i - 1].key == (int)key) {
                remove_at(conf, i - 1);
                at--;
            }
        remove_at(conf, (size_t)at);
        rc = add_line(conf, text, strlen(text), (size_t)at);
    } else {
        rc = add_line(conf, text, strlen(text), conf->n);
    }
    free(text);
    return rc;
}

size_t pt_conf_remove(pt_conf_t *conf, pt_key_t key)
{
    size_t i = conf->n, removed = 0;

    while (i > 0) {
        i--;
        if (conf->lines[i].key == (int)key) {
            remove_at(conf, i);
            removed++;
        }
    }
    return removed;
}

bool pt_conf_has_assignments(const pt_conf_t *conf)
{
    size_t i;

    for (i = 0; i < conf->n; i++)
        if (conf->lines[i].name != NULL)
            return true;
    return false;
}

char *pt_conf_render(const pt_conf_t *conf)
{
    size_t i, len = 1, pos = 0;
    char *out;

    for (i = 0; i < conf->n; i++)
        len += strlen(conf->lines[i].text) + 1;
    out = malloc(len);
    if (out == NULL)
        return NULL;
    for (i = 0; i < conf->n; i++) {
        size_t n = strlen(conf->lines[i].text);
        memcpy(out + pos, conf->lines[i].text, n);
        pos += n;
        out[pos++] = '\n';
    }
    out[pos] = '\0';
    return out;
}
