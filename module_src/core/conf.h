/* SPDX-License-Identifier: MIT */
/* sysctl.d text: parse, look up, edit and render, keeping other lines as they are. */
#ifndef PT_CONF_H
#define PT_CONF_H

#include "porttune.h"

#define PT_CONF_HEADER "# Managed by porttune: do not edit; changes are overwritten on the next run."

typedef struct pt_conf_line {
    char *text;           /* the line as read or rendered, without newline */
    char *name;           /* the key as written, dotted; NULL if not an assignment */
    char *value;          /* trimmed value text; NULL if not an assignment */
    int key;              /* pt_key_t, or -1 for other keys and globs */
} pt_conf_line_t;

typedef struct pt_conf {
    pt_conf_line_t *lines;
    size_t n, cap;
    bool owned;           /* starts with PT_CONF_HEADER */
    bool missing_newline; /* the text did not end in a newline */
} pt_conf_t;

/* Parses text (len bytes, NULs refused). Returns 0, PT_ENOMEM, or PT_EINVAL
 * for binary content, naming path. *out is freed with pt_conf_free. */
int pt_conf_parse(const char *text, size_t len, const char *path, pt_conf_t **out,
                  pt_error_t *err);
pt_conf_t *pt_conf_new_owned(void);
void pt_conf_free(pt_conf_t *conf);
/* Index of the line that decides key (the last assignment), or -1. */
long pt_conf_find(const pt_conf_t *conf, pt_key_t key);
/* Sets key: rewrites the deciding line, drops earlier duplicates, or appends.
 * Returns 0 or PT_ENOMEM. */
int pt_conf_set(pt_conf_t *conf, pt_key_t key, const char *value);
/* Removes every line that sets key exactly. Returns the number removed. */
size_t pt_conf_remove(pt_conf_t *conf, pt_key_t key);
/* Any assignment left (any key)? */
bool pt_conf_has_assignments(const pt_conf_t *conf);
/* Renders to an owned NUL-terminated text; NULL on ENOMEM. */
char *pt_conf_render(const pt_conf_t *conf);

#endif
