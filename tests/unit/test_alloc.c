/* SPDX-License-Identifier: MIT */
/* Allocation failure: jansson's allocator fails on the Nth call, for every N
 * in turn; args parsing, result building and converge must fail cleanly
 * (an error or the complete result, never a crash, a leak or a partial result). */
#include "helpers.h"
#include "core/conf.h"
#include "core/plan.h"
#include "core/result.h"
#include "linux/internal.h"

static size_t alloc_calls, alloc_fail_at;

static void *failing_malloc(size_t size)
{
    if (++alloc_calls == alloc_fail_at)
        return NULL;
    return malloc(size);
}

/* Fails the nth jansson allocation from now on (0: never). */
static void fail_nth(size_t n)
{
    alloc_calls = 0;
    alloc_fail_at = n;
    json_set_alloc_funcs(failing_malloc, free);
}

/* Did the run that just ended reach the failing call? */
static bool injected(void)
{
    return alloc_fail_at != 0 && alloc_calls >= alloc_fail_at;
}

static int reset_alloc(void **state)
{
    (void)state;
    alloc_fail_at = 0;
    json_set_alloc_funcs(malloc, free);
    return 0;
}

/* Prints the paths where got and want differ (cmocka truncates long messages). */
static void print_differences(json_t *got, json_t *want, const char *path)
{
    const char *key;
    json_t *v;
    char sub[256];

    if (json_is_object(got) && json_is_object(want)) {
        json_object_foreach(want, key, v) {
            snprintf(sub, sizeof(sub), "%s.%s", path, key);
            print_differences(json_object_get(got, key), v, sub);
        }
        json_object_foreach(got, key, v)
            if (json_object_get(want, key) == NULL)
                print_message("  %s.%s: not expected\n", path, key);
    } else if (!json_equal(got, want)) {
        char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
        char *w = want ? json_dumps(want, JSON_ENCODE_ANY) : NULL;
        print_message("  %s: got %.200s, want %.200s\n", path, g ? g : "(missing)", w ? w : "(missing)");
        free(g);
        free(w);
    }
}

static void assert_same_json(json_t *got, json_t *want, size_t n)
{
    if (!json_equal(got, want)) {
        print_differences(got, want, "result");
        fail_msg("allocation %zu failed and the result differs (above)", n);
    }
}

static const char args_text[] =
    "{\"port_range\": [1024, \"65535\"], \"reserved_ports\": [\"9000-9100\", 8080, 8081], "
    "\"fin_timeout\": \"30\", \"tw_reuse\": 1, \"max_tw_buckets\": 0, \"apply\": \"yes\", "
    "\"persist\": true, \"backup\": \"on\", \"conflicts\": \"warn\", \"state\": \"present\", "
    "\"sysctl_file\": \"/etc/sysctl.d/61-x.conf\", \"state_file\": \"/var/lib/p/s.json\", "
    "\"_ansible_check_mode\": false, \"_ansible_diff\": true, \"_ansible_module_name\": \"porttune\", "
    "\"_ansible_verbosity\": 2}";

static void assert_same_options(const pt_options_t *a, const pt_options_t *b)
{
    int k;

    for (k = 0; k < PT_K__COUNT; k++) {
        assert_int_equal(a->has[k], b->has[k]);
        if (a->has[k])
            assert_true(pt_value_equal(&a->want[k], &b->want[k]));
    }
    assert_int_equal(a->apply, b->apply);
    assert_int_equal(a->persist, b->persist);
    assert_int_equal(a->backup, b->backup);
    assert_int_equal(a->check_mode, b->check_mode);
    assert_int_equal(a->diff, b->diff);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->conflicts, b->conflicts);
    assert_string_equal(a->sysctl_file, b->sysctl_file);
    assert_string_equal(a->state_file, b->state_file);
}

/* jansson 2.14 drops a byte when growing its token buffer fails and then
 * aborts (akheron/jansson#362): json_loads is only failure-safe for tokens
 * under 16 bytes, so this args text keeps every token short. */
static const char short_args[] =
    "{\"fin_timeout\": \"30\", \"tw_reuse\": 1, \"port_range\": [1024, 65535], "
    "\"apply\": \"yes\", \"state\": \"present\", \"backup\": \"off\", \"conflicts\": \"fail\"}";

static void alloc_args_load_fails_cleanly(void **state)
{
    pt_options_t want, got;
    pt_error_t err;
    size_t n, failures = 0;
    json_t *args;

    (void)state;
    assert_int_equal(pt_test_options(short_args, &want, &err), 0);
    for (n = 1;; n++) {
        fail_nth(n);
        args = json_loads(short_args, 0, NULL);
        if (args == NULL) {
            failures++;
            assert_true(injected());
            continue;
        }
        pt_options_init(&got);
        pt_error_init(&err);
        if (pt_options_from_json(args, &got, &err) != 0)
            fail_msg("allocation %zu: options failed: %s", n, err.msg);
        assert_same_options(&got, &want);
        pt_options_free(&got);
        json_decref(args);
        if (!injected())
            break;
    }
    reset_alloc(NULL);
    pt_options_free(&want);
    assert_true(failures > 0);
    print_message("args: %zu allocations, each failed once\n", n - 1);
}

static void alloc_options_make_no_json_allocations(void **state)
{
    pt_options_t want, got;
    pt_error_t err;
    json_t *args;

    (void)state;
    assert_int_equal(pt_test_options(args_text, &want, &err), 0);
    args = json_loads(args_text, 0, NULL);
    assert_non_null(args);
    fail_nth(1);
    pt_options_init(&got);
    pt_error_init(&err);
    assert_int_equal(pt_options_from_json(args, &got, &err), 0);
    assert_int_equal(alloc_calls, 0);      /* so a jansson OOM cannot hit it */
    reset_alloc(NULL);
    assert_same_options(&got, &want);
    pt_options_free(&got);
    pt_options_free(&want);
    json_decref(args);
}

typedef struct built {
    pt_fake_t fake;
    pt_options_t opts;
    pt_current_t cur;
    pt_plan_t plan;
} built_t;

/* A host with a conflict, an existing file, warnings and diff on: every
 * part of the result gets built. */
static void build_host(built_t *b, const char *args)
{
    pt_error_t err;

    memset(b, 0, sizeof(*b));
    pt_fake_init(&b->fake);
    pt_test_write(b->fake.root, "/etc/sysctl.d/99-late.conf", "net.ipv4.tcp_fin_timeout = 45\n");
    pt_test_write(b->fake.root, PT_DEFAULT_SYSCTL_FILE,
                  "# Managed by porttune\nnet.ipv4.tcp_tw_reuse = 0\n");
    assert_int_equal(pt_test_options(args, &b->opts, &err), 0);
    b->cur.os = pt_backend_os;
    if (pt_backend_read(&b->fake.ctx, &b->opts, &b->cur, &err) != 0 ||
        pt_plan_make(&b->opts, &b->cur, &b->plan, &err) != 0)
        fail_msg("set-up failed: %s", err.msg);
}

static void free_host(built_t *b)
{
    pt_plan_free(&b->plan);
    pt_current_free(&b->cur);
    pt_options_free(&b->opts);
    pt_fake_free(&b->fake);
}

static void alloc_result_build_fails_cleanly(void **state)
{
    static const char args[] =
        "{\"port_range\": \"1024-65534\", \"reserved_ports\": \"80,8080-8081\", "
        "\"fin_timeout\": 20, \"tw_reuse\": 1, \"max_tw_buckets\": 0, \"_ansible_diff\": true}";
    built_t b;
    json_t *want, *got;
    size_t n, failures = 0;
    bool hit;

    (void)state;
    build_host(&b, args);
    want = pt_result_build(&b.opts, &b.cur, &b.plan, "/etc/sysctl.d/60-porttune.conf.1.x~");
    assert_non_null(want);
    assert_true(json_array_size(json_object_get(want, "conflicts")) == 1);
    assert_true(json_array_size(json_object_get(want, "warnings")) >= 4);
    for (n = 1;; n++) {
        fail_nth(n);
        got = pt_result_build(&b.opts, &b.cur, &b.plan, "/etc/sysctl.d/60-porttune.conf.1.x~");
        hit = injected();
        reset_alloc(NULL);
        if (got == NULL) {
            assert_true(hit);
            failures++;
            continue;
        }
        assert_same_json(got, want, n);
        json_decref(got);
        if (!hit)
            break;
    }
    print_message("result: %zu allocations, %zu of them fail the build\n", n - 1, failures);
    assert_true(failures > 0);
    json_decref(want);
    free_host(&b);
}

/* Converges a fresh host under the allocator failing at n; returns rc and
 * sets *result (NULL on failure). */
static int converge_once(const char *args, bool prime, size_t n, json_t **result, pt_error_t *err)
{
    pt_fake_t fake;
    pt_options_t opts;
    int rc;

    pt_fake_init(&fake);
    pt_test_write(fake.root, "/etc/sysctl.d/99-late.conf", "net.ipv4.tcp_fin_timeout = 45\n");
    if (prime) {     /* what a first run with fin_timeout 30, tw_reuse 1 leaves */
        pt_fake_set_live(&fake, "net.ipv4.tcp_fin_timeout", "30");
        pt_fake_set_live(&fake, "net.ipv4.tcp_tw_reuse", "1");
        pt_test_write(fake.root, PT_DEFAULT_SYSCTL_FILE, PT_CONF_HEADER "\n"
                      "net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_tw_reuse = 1\n");
        pt_test_write(fake.root, PT_DEFAULT_STATE_FILE, "{\n  \"original\": {\n"
                      "    \"fin_timeout\": \"60\",\n    \"tw_reuse\": \"2\"\n  },\n"
                      "  \"version\": 1\n}");
    }
    assert_int_equal(pt_test_options(args, &opts, err), 0);
    fail_nth(n);
    rc = pt_converge(&fake.ctx, &opts, result, err);
    reset_alloc(NULL);
    pt_options_free(&opts);
    if (prime) {     /* whatever failed, the recorded originals are kept */
        char path[PATH_MAX];
        json_t *saved, *orig;
        pt_test_join(path, sizeof(path), fake.root, PT_DEFAULT_STATE_FILE);
        saved = json_load_file(path, 0, NULL);
        orig = json_object_get(saved, "original");
        if (json_object_get(orig, "fin_timeout") == NULL || json_object_get(orig, "tw_reuse") == NULL)
            fail_msg("allocation %zu: the recorded originals were lost (rc %d: %s): %s", n, rc, err->msg, pt_test_read(fake.root, PT_DEFAULT_STATE_FILE));
        assert_string_equal(json_string_value(json_object_get(orig, "fin_timeout")), "60");
        json_decref(saved);
    }
    pt_fake_free(&fake);
    return rc;
}

/* A run that cannot record originals goes on with this warning (by design);
 * every other difference is a failure. */
static void drop_state_warning(json_t *result)
{
    json_t *w = json_object_get(result, "warnings"), *item;
    size_t i;

    json_array_foreach(w, i, item)
        if (strstr(json_string_value(item), "will not be able to put the original values back")) {
            json_array_remove(w, i);
            return;
        }
}

static void converge_loop(const char *args, bool prime, const char *what)
{
    json_t *want = NULL, *got = NULL;
    pt_error_t err;
    size_t n, failures = 0;
    int rc;

    assert_int_equal(converge_once(args, prime, 0, &want, &err), 0);
    json_object_del(want, "backup_file");
    for (n = 1;; n++) {
        rc = converge_once(args, prime, n, &got, &err);
        if (rc != 0) {
            assert_null(got);
            /* ENOMEM, or EIO for a state file jansson could not load:
             * it cannot tell an allocation failure from a corrupt file */
            if ((rc != PT_ENOMEM && rc != PT_EIO) || err.code != rc || err.msg[0] == '\0')
                fail_msg("allocation %zu: rc %d, %s", n, rc, err.msg);
            failures++;
            continue;
        }
        assert_non_null(got);
        json_object_del(got, "backup_file");
        drop_state_warning(got);
        assert_same_json(got, want, n);
        json_decref(got);
        got = NULL;
        if (alloc_calls < n)
            break;
    }
    print_message("%s: %zu allocations, %zu of them fail the run\n", what, n - 1, failures);
    assert_true(failures > 0);
    json_decref(want);
}

static void alloc_converge_check_mode_fails_cleanly(void **state)
{
    (void)state;
    converge_loop("{\"port_range\": \"1024-65535\", \"fin_timeout\": 30, \"tw_reuse\": 1, "
                  "\"_ansible_check_mode\": true, \"_ansible_diff\": true}", false, "check mode");
}

static void alloc_converge_absent_fails_cleanly(void **state)
{
    (void)state;
    /* the recorded originals decide the result: losing them to a failed
     * allocation must fail the run, not report "nothing to restore" */
    converge_loop("{\"state\": \"absent\", \"_ansible_check_mode\": true}", true, "absent");
}

static void alloc_converge_real_run_fails_cleanly(void **state)
{
    (void)state;
    converge_loop("{\"port_range\": \"1024-65535\", \"fin_timeout\": 30, \"backup\": true}",
                  true, "real run");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(alloc_args_load_fails_cleanly, reset_alloc),
        cmocka_unit_test_teardown(alloc_options_make_no_json_allocations, reset_alloc),
        cmocka_unit_test_teardown(alloc_result_build_fails_cleanly, reset_alloc),
        cmocka_unit_test_teardown(alloc_converge_check_mode_fails_cleanly, reset_alloc),
        cmocka_unit_test_teardown(alloc_converge_absent_fails_cleanly, reset_alloc),
        cmocka_unit_test_teardown(alloc_converge_real_run_fails_cleanly, reset_alloc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
