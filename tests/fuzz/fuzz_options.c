/* SPDX-License-Identifier: MIT */
/* libFuzzer: task arguments (JSON, Ansible coercion) -> options -> plan -> file text and result. */
#include "fuzz.h"
#include "core/conf.h"
#include "core/core.h"
#include "core/options.h"
#include "core/plan.h"
#include "core/result.h"

#include <jansson.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A file an admin wrote, with a comment, a foreign key, a duplicate, a glob
 * and a slashed name: the plan edits it in place. */
static const char existing[] =
    "# tuned by hand\n"
    "net.core.somaxconn = 4096\n"
    "net.ipv4.tcp_fin_timeout = 40\n"
    "net/ipv4/tcp_fin_timeout = 50\n"
    "-net.ipv4.tcp_tw_reuse = 1\n"
    "net.ipv4.conf.*.rp_filter = 2\n"
    "kernel.sysrq=0";

static const char *const live[PT_K__COUNT] = {
    [PT_K_PORT_RANGE] = "32768\t60999",
    [PT_K_RESERVED_PORTS] = "8080-8081,9000-9100",
    [PT_K_FIN_TIMEOUT] = "60",
    [PT_K_TW_REUSE] = "2",
    [PT_K_TW_REUSE_DELAY] = "1000",
    [PT_K_MAX_TW_BUCKETS] = "262144",
};

/* The host as the Linux backend would read it, without touching the OS. */
static void fake_current(pt_current_t *cur)
{
    pt_error_t err;
    int k;

    memset(cur, 0, sizeof(*cur));
    cur->os = PT_OS_LINUX;
    cur->unpriv_port_start = 1024;
    cur->file_at_boot = true;
    for (k = 0; k < PT_K__COUNT; k++) {
        if (!fuzz_linux_key(k))
            continue;
        cur->key[k].supported = true;
        pt_error_init(&err);
        FUZZ_CHECK(pt_value_parse_sysctl((pt_key_t)k, live[k], &cur->key[k].live, "live", &err) == 0);
        cur->key[k].live_set = true;
        FUZZ_CHECK(pt_value_copy(&cur->key[k].original, &cur->key[k].live) == 0);
        cur->key[k].original_set = k == PT_K_FIN_TIMEOUT;
    }
    cur->file_text = strdup(existing);
    FUZZ_CHECK(cur->file_text != NULL);
    cur->file_exists = true;
    pt_error_init(&err);
    FUZZ_CHECK(pt_conf_parse(existing, strlen(existing), "f", &cur->file, &err) == 0);
    for (k = 0; k < PT_K__COUNT; k++) {
        long at = fuzz_linux_key(k) ? pt_conf_find(cur->file, (pt_key_t)k) : -1;
        if (at >= 0 && pt_value_parse_sysctl((pt_key_t)k, cur->file->lines[at].value,
                                             &cur->key[k].persisted, "f", &err) == 0)
            cur->key[k].persisted_set = true;
    }
}

static void check_path(const char *p)
{
    size_t i;

    FUZZ_CHECK(p != NULL && p[0] == '/');
    for (i = 0; p[i] != '\0'; i++)
        FUZZ_CHECK((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
    FUZZ_CHECK(strstr(p, "/../") == NULL && strstr(p, "/./") == NULL && strstr(p, "//") == NULL);
}

/* Every line the plan writes that was not in the file is one of ours, in
 * "name = value" form with a value made of digits, spaces, commas and dashes. */
static void check_file_after(const pt_options_t *opts, const pt_current_t *cur, const char *text)
{
    pt_conf_t *conf = NULL;
    pt_error_t err;
    size_t i, j;
    int k;

    pt_error_init(&err);
    FUZZ_CHECK(pt_conf_parse(text, strlen(text), "after", &conf, &err) == 0);
    for (i = 0; i < conf->n; i++) {
        const pt_conf_line_t *l = &conf->lines[i];
        bool old = false;
        for (j = 0; j < cur->file->n && !old; j++)
            old = strcmp(cur->file->lines[j].text, l->text) == 0;
        if (old)
            continue;
        FUZZ_CHECK(l->key >= 0 && fuzz_safe_value_text(l->value));
        FUZZ_CHECK(strncmp(l->text + (l->text[0] == '-'), pt_keys[l->key].sysctl,
                           strlen(pt_keys[l->key].sysctl)) == 0);
    }
    for (k = 0; k < PT_K__COUNT; k++) {
        long at;
        pt_value_t v;
        if (!opts->has[k] || !fuzz_linux_key(k) || opts->state != PT_STATE_PRESENT)
            continue;
        at = pt_conf_find(conf, (pt_key_t)k);
        FUZZ_CHECK(at >= 0);
        FUZZ_CHECK(pt_value_parse_sysctl((pt_key_t)k, conf->lines[at].value, &v, "after", &err) == 0);
        FUZZ_CHECK(pt_value_equal(&v, &opts->want[k]));
        pt_value_free(&v);
    }
    pt_conf_free(conf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pt_options_t opts;
    pt_current_t cur;
    pt_plan_t plan;
    pt_error_t err;
    json_error_t jerr;
    json_t *args, *result;
    int k, rc;

    args = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (args == NULL)
        return 0;
    pt_error_init(&err);
    pt_options_init(&opts);
    rc = pt_options_from_json(args, &opts, &err);
    if (rc != 0) {
        FUZZ_CHECK(rc == err.code && err.msg[0] != '\0');
        goto out;
    }
    check_path(opts.sysctl_file);
    check_path(opts.state_file);
    for (k = 0; k < PT_K__COUNT; k++) {
        char *text;
        if (!opts.has[k])
            continue;
        FUZZ_CHECK(opts.want[k].type == pt_keys[k].type);
        if (pt_keys[k].type == PT_T_INT)
            FUZZ_CHECK(opts.want[k].num >= pt_keys[k].min && opts.want[k].num <= pt_keys[k].max);
        text = pt__value_strdup(&opts.want[k], true);
        FUZZ_CHECK(text != NULL && fuzz_safe_value_text(text));
        free(text);
    }

    fake_current(&cur);
    rc = pt_plan_make(&opts, &cur, &plan, &err);
    if (rc == 0) {
        if (plan.file_after != NULL)
            check_file_after(&opts, &cur, plan.file_after);
        FUZZ_CHECK(!(plan.file_write && plan.file_unlink));
        result = pt_result_build(&opts, &cur, &plan, NULL);
        FUZZ_CHECK(result != NULL);
        FUZZ_CHECK(json_is_boolean(json_object_get(result, "changed")));
        json_decref(result);
    } else {
        FUZZ_CHECK(rc == err.code && err.msg[0] != '\0');
    }
    pt_plan_free(&plan);
    pt_current_free(&cur);
out:
    pt_options_free(&opts);
    json_decref(args);
    return 0;
}
