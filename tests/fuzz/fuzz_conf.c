/* SPDX-License-Identifier: MIT */
/* libFuzzer: the sysctl.d parser, editor and renderer; edits keep every foreign line and round-trip. */
#include "fuzz.h"
#include "core/conf.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOPS 4

/* Two canonical values per key, as plan.c writes them. */
static const char *const values[PT_K__COUNT][2] = {
    [PT_K_PORT_RANGE] = { "1024 65535", "32768 60999" },
    [PT_K_RESERVED_PORTS] = { "8080,9000-9100", "" },
    [PT_K_FIN_TIMEOUT] = { "30", "60" },
    [PT_K_TW_REUSE] = { "1", "2" },
    [PT_K_TW_REUSE_DELAY] = { "1000", "1" },
    [PT_K_MAX_TW_BUCKETS] = { "0", "262144" },
};

/* Lines that set none of our keys exactly, in order: edits must keep them. */
static size_t foreign_lines(const pt_conf_t *c, const char **out, size_t max)
{
    size_t i, n = 0;

    for (i = 0; i < c->n; i++)
        if (c->lines[i].key < 0) {
            if (n < max)
                out[n] = c->lines[i].text;
            n++;
        }
    return n;
}

static pt_conf_t *reparse(const pt_conf_t *c, char **rendered)
{
    pt_conf_t *again = NULL;
    pt_error_t err;

    *rendered = pt_conf_render(c);
    FUZZ_CHECK(*rendered != NULL);
    pt_error_init(&err);
    FUZZ_CHECK(pt_conf_parse(*rendered, strlen(*rendered), "again", &again, &err) == 0);
    FUZZ_CHECK(again->n == c->n);
    return again;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char **before = NULL, **after = NULL;
    const char *want[PT_K__COUNT];
    bool touched[PT_K__COUNT] = { false };
    pt_conf_t *conf = NULL, *again = NULL;
    char *rendered = NULL, *text;
    size_t len, i, nb, na;
    pt_error_t err;
    int k, rc;

    if (size < NOPS)
        return 0;
    text = (char *)data + NOPS;
    len = size - NOPS;
    pt_error_init(&err);
    rc = pt_conf_parse(text, len, "fuzz.conf", &conf, &err);
    if (rc != 0) {
        FUZZ_CHECK(conf == NULL && rc == err.code && strcmp(err.object, "fuzz.conf") == 0);
        FUZZ_CHECK(rc == PT_ENOMEM || memchr(text, '\0', len) != NULL);
        return 0;
    }

    /* Rendering an unedited file gives back its bytes (plus a final newline). */
    rendered = pt_conf_render(conf);
    FUZZ_CHECK(rendered != NULL);
    FUZZ_CHECK(strlen(rendered) == len + (conf->missing_newline ? 1 : 0));
    FUZZ_CHECK(memcmp(rendered, text, len) == 0);
    free(rendered);

    for (k = 0; k < PT_K__COUNT; k++) {
        long at = pt_conf_find(conf, (pt_key_t)k);
        FUZZ_CHECK(at < 0 || conf->lines[at].key == k);
    }
    nb = foreign_lines(conf, NULL, 0);
    before = calloc(nb + 1, sizeof(*before));
    FUZZ_CHECK(before != NULL);
    foreign_lines(conf, before, nb);

    /* Edits chosen by the first bytes: set one of two values, or remove. */
    for (i = 0; i < NOPS; i++) {
        int key = data[i] % 8, op = (data[i] >> 3) % 3;
        if (!fuzz_linux_key(key))
            continue;
        touched[key] = true;
        if (op == 2) {
            pt_conf_remove(conf, (pt_key_t)key);
            want[key] = NULL;
        } else {
            FUZZ_CHECK(pt_conf_set(conf, (pt_key_t)key, values[key][op]) == 0);
            want[key] = values[key][op];
        }
    }

    again = reparse(conf, &rendered);
    for (i = 0; i < again->n; i++)
        FUZZ_CHECK(strcmp(again->lines[i].text, conf->lines[i].text) == 0);
    for (k = 0; k < PT_K__COUNT; k++) {
        long at;
        if (!touched[k])
            continue;
        at = pt_conf_find(again, (pt_key_t)k);
        if (want[k] == NULL) {
            FUZZ_CHECK(at < 0);
        } else {
            size_t j, count = 0;
            FUZZ_CHECK(at >= 0 && strcmp(again->lines[at].value, want[k]) == 0);
            for (j = 0; j < again->n; j++)
                count += again->lines[j].key == k;
            FUZZ_CHECK(count == 1);   /* one line per key for scanners */
        }
    }
    na = foreign_lines(again, NULL, 0);
    FUZZ_CHECK(na == nb);
    after = calloc(na + 1, sizeof(*after));
    FUZZ_CHECK(after != NULL);
    foreign_lines(again, after, na);
    for (i = 0; i < nb; i++)
        FUZZ_CHECK(strcmp(before[i], after[i]) == 0);
    FUZZ_CHECK(pt_conf_has_assignments(again) == pt_conf_has_assignments(conf));

    free(before);
    free(after);
    free(rendered);
    pt_conf_free(again);
    pt_conf_free(conf);
    return 0;
}
