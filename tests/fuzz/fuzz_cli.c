/* SPDX-License-Identifier: MIT */
/* libFuzzer: the CLI's command line (flags and KEY=VALUE words) -> args object -> options. */
#include "fuzz.h"
#include "core/core.h"

/* The parser is static in cli.c; the target compiles it in rather than
 * widening the CLI's interface for a test. */
#include "../../module_src/cli/cli.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 64

static void check_args(const cli_args_t *a, const json_t *args)
{
    const char *key;
    json_t *v;
    size_t i;

    FUZZ_CHECK(json_is_object(args));
    json_object_foreach((json_t *)args, key, v) {
        if (strcmp(key, "_ansible_check_mode") == 0 || strcmp(key, "_ansible_diff") == 0)
            FUZZ_CHECK(json_is_true(v));
        else
            FUZZ_CHECK(strncmp(key, "_ansible_", 9) != 0);
        FUZZ_CHECK(json_is_string(v) || json_is_boolean(v));
    }
    /* Every KEY=VALUE word is in the object, its value verbatim (as a string). */
    for (i = 0; i < a->nwords; i++) {
        const char *eq = strchr(a->words[i], '=');
        char name[256];
        const pt_keyinfo_t *ki;
        json_t *got;
        FUZZ_CHECK(eq != NULL && eq > a->words[i] && (size_t)(eq - a->words[i]) < sizeof(name));
        memcpy(name, a->words[i], (size_t)(eq - a->words[i]));
        name[eq - a->words[i]] = '\0';
        ki = (strchr(name, '.') || strchr(name, '/')) ? pt_key_by_sysctl(name) : NULL;
        got = json_object_get(args, ki ? ki->option : name);
        FUZZ_CHECK(json_is_string(got) && strcmp(json_string_value(got), eq + 1) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cmds[] = { "set", "check", "get", "facts" };
    char *buf, *p, *argv[MAX_WORDS + 3];
    int argc = 0, k, rc;
    cli_args_t a;
    pt_options_t opts;
    pt_error_t err;
    json_t *args = NULL;

    if (size < 1)
        return 0;
    buf = malloc(size);
    if (buf == NULL)
        return 0;
    /* Byte 0 picks the command; the rest are words separated by NUL. */
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    argv[argc++] = (char *)"porttune";
    argv[argc++] = (char *)cmds[data[0] % 4];
    for (p = buf; size > 1 && p < buf + size && argc < MAX_WORDS + 2; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;

    memset(&a, 0, sizeof(a));
    rc = parse_args(argc, argv, &a);
    FUZZ_CHECK(rc == 0 || rc == -1 || rc == PT_EXIT_USAGE);
    if (rc == 0) {
        FUZZ_CHECK(a.nwords < (size_t)argc);
        rc = build_json(&a, &args);
        FUZZ_CHECK(rc == 0 || rc == PT_EXIT_USAGE);
        FUZZ_CHECK((rc == 0) == (args != NULL));
    }
    if (args != NULL) {
        check_args(&a, args);
        pt_error_init(&err);
        pt_options_init(&opts);
        if (pt_options_from_json(args, &opts, &err) == 0) {
            for (k = 0; k < PT_K__COUNT; k++) {
                char *text;
                if (!opts.has[k])
                    continue;
                text = pt__value_strdup(&opts.want[k], true);
                FUZZ_CHECK(text != NULL && fuzz_safe_value_text(text));
                free(text);
            }
            FUZZ_CHECK(opts.sysctl_file[0] == '/' && opts.state_file[0] == '/');
        } else {
            FUZZ_CHECK(err.code != 0 && err.msg[0] != '\0');
        }
        pt_options_free(&opts);
        json_decref(args);
    }
    free(a.words);
    free(buf);
    return 0;
}
