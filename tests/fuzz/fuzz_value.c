/* SPDX-License-Identifier: MIT */
/* libFuzzer: the range, port-set and integer parsers; parse -> format -> parse is the identity. */
#include "fuzz.h"
#include "core/core.h"
#include "core/options.h"

#include <jansson.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* min_port: 0 for what the kernel prints (its bitmap has port 0), 1 for a user's value. */
static void check_canonical(const pt_value_t *v, uint32_t min_port)
{
    size_t i;

    switch (v->type) {
    case PT_T_RANGE:
        break;
    case PT_T_PORTSET:
        FUZZ_CHECK((v->nset == 0) == (v->set == NULL));
        for (i = 0; i < v->nset; i++) {
            FUZZ_CHECK(v->set[i].lo >= min_port && v->set[i].hi <= 65535);
            FUZZ_CHECK(v->set[i].lo <= v->set[i].hi);
            /* sorted, merged and not adjacent: the kernel's read-back form */
            FUZZ_CHECK(i == 0 || v->set[i].lo > v->set[i - 1].hi + 1);
        }
        break;
    case PT_T_INT:
        break;
    }
}

static void round_trip(pt_key_t key, const pt_value_t *v)
{
    pt_value_t again;
    pt_error_t err;
    char *sys = pt__value_strdup(v, true), *user = pt__value_strdup(v, false);
    int rc;

    FUZZ_CHECK(sys != NULL && user != NULL);
    FUZZ_CHECK(fuzz_safe_value_text(sys) && fuzz_safe_value_text(user));
    pt_error_init(&err);
    rc = pt_value_parse_sysctl(key, sys, &again, "again", &err);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(pt_value_equal(v, &again));
    pt_value_free(&again);
    pt_error_init(&err);
    if (v->type == PT_T_RANGE)
        rc = pt__range_parse(user, true, &again, "again", &err);
    else
        rc = pt_value_parse_sysctl(key, user, &again, "again", &err);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(pt_value_equal(v, &again));
    pt_value_free(&again);
    free(sys);
    free(user);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pt_value_t v, copy;
    pt_error_t err;
    pt_key_t key;
    json_t *js;
    char *text;
    int rc;

    if (size < 1)
        return 0;
    key = (pt_key_t)(data[0] % PT_K__COUNT);
    text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    /* The kernel's / a sysctl file's text form. */
    pt_error_init(&err);
    rc = pt_value_parse_sysctl(key, text, &v, "fuzz", &err);
    if (rc != 0) {
        FUZZ_CHECK(rc == err.code && (rc == PT_EINVAL || rc == PT_ENOMEM));
        FUZZ_CHECK(strcmp(err.object, "fuzz") == 0 && err.msg[0] != '\0');
        FUZZ_CHECK(v.nset == 0 && v.set == NULL);
    } else {
        FUZZ_CHECK(v.type == pt_keys[key].type);
        check_canonical(&v, 0);
        round_trip(key, &v);
        FUZZ_CHECK(pt_value_copy(&copy, &v) == 0 && pt_value_equal(&copy, &v));
        if (v.type == PT_T_PORTSET) {
            unsigned long total = 0;
            size_t i;
            for (i = 0; i < v.nset; i++)
                total += v.set[i].hi - v.set[i].lo + 1;
            FUZZ_CHECK(pt_portset_count_in(&v, 0, 65535) == total);
            FUZZ_CHECK(pt_portset_count_in(&v, 2, 1) == 0);
        }
        pt_value_free(&copy);
        pt_value_free(&v);
    }

    /* The user-facing form, as a task argument string: validated ranges. */
    js = json_string(text);
    if (js != NULL) {
        pt_error_init(&err);
        rc = pt__parse_key_value(key, js, &v, &err);
        if (rc == 0) {
            if (v.type == PT_T_INT)
                FUZZ_CHECK(v.num >= pt_keys[key].min && v.num <= pt_keys[key].max);
            if (v.type == PT_T_RANGE)
                FUZZ_CHECK(v.range.lo >= 1 && v.range.lo <= v.range.hi && v.range.hi <= 65535);
            check_canonical(&v, 1);
            round_trip(key, &v);
        } else {
            FUZZ_CHECK(err.code == rc && err.msg[0] != '\0');
            FUZZ_CHECK(strcmp(err.object, pt_keys[key].option) == 0);
        }
        pt_value_free(&v);
        json_decref(js);
    }
    free(text);
    return 0;
}
