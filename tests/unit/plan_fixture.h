/* SPDX-License-Identifier: MIT */
/* The plan tests' fixture (Linux and Windows): options, a current state set
 * by hand, the plan, and the error; include after helpers.h. */
#ifndef PT_TEST_PLAN_FIXTURE_H
#define PT_TEST_PLAN_FIXTURE_H

#include "core/plan.h"

typedef struct fixture {
    pt_options_t opts;
    pt_current_t cur;
    pt_plan_t plan;
    pt_error_t err;
} fixture_t;

/* The live value of k, as the backend would have read it. */
static inline void pt_fixture_live(pt_current_t *cur, pt_key_t k, const char *text,
                                   bool is_default)
{
    pt_value_free(&cur->key[k].live);
    cur->key[k].live = pt_test_value(k, text);
    cur->key[k].live_set = true;
    cur->key[k].live_default = is_default;
}

static inline int teardown(void **state)
{
    fixture_t *f = *state;

    pt_plan_free(&f->plan);
    pt_current_free(&f->cur);
    pt_options_free(&f->opts);
    free(f);
    return 0;
}

static inline void opts(fixture_t *f, const char *json)
{
    pt_options_free(&f->opts);
    if (pt_test_options(json, &f->opts, &f->err) != 0)
        fail_msg("%s: %s", json, f->err.msg);
}

static inline int make(fixture_t *f)
{
    pt_plan_free(&f->plan);
    pt_error_init(&f->err);
    return pt_plan_make(&f->opts, &f->cur, &f->plan, &f->err);
}

#endif
