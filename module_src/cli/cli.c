/* SPDX-License-Identifier: MIT */
/* `porttune get|set|check|facts|diagnose`: command-line words to the module's options and back. */
#include "porttune.h"
#include "core/options.h"
#include "core/result.h"
#include "core/inspect.h"
#include "core/jsonio.h"
#include "cli/cli.h"
#include "cli/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum cmd { CMD_GET, CMD_SET, CMD_CHECK, CMD_FACTS } cmd_t;

typedef struct cli_args {
    cmd_t cmd;
    const char *name;
    bool json, noop, no_apply, no_persist;
    const char *file, *state_file;
    char **words;             /* KEY=VALUE, borrowed from argv */
    size_t nwords;
} cli_args_t;

static const char usage_text[] =
"usage: porttune get [--json] [--file PATH] [--state-file PATH]\n"
"       porttune set KEY=VALUE... [--no-apply] [--no-persist] [--file PATH]\n"
"                    [--state-file PATH] [--noop] [--json]\n"
"       porttune check KEY=VALUE... [same options as set]\n"
"       porttune facts [--file PATH] [--state-file PATH]\n"
"       porttune diagnose [--json] [--top N] [--threshold PCT]\n"
"                         [--source auto|netlink|proc]\n"
"       porttune metrics [--top N] [--output FILE] [--file PATH]\n"
"                        [--source auto|netlink|proc]\n"
"       porttune --help | --version\n"
"       porttune ARGS_FILE            (the Ansible module protocol)\n";

static const char help_text[] =
"\n"
"Keeps a host's client-port settings right: the ephemeral port range, reserved\n"
"ports and the TIME_WAIT knobs, live and persisted in one sysctl.d file.\n"
"\n"
"Commands:\n"
"  get      show every setting of this OS: live, persisted and at-boot values,\n"
"           conflicts with other sysctl files, and port capacity\n"
"  set      converge to KEY=VALUE settings, exactly as the Ansible module does\n"
"           (same validation, messages and file); prints what changed\n"
"  check    set --noop: report what set would change, change nothing\n"
"  facts    the state as JSON for a Facter executable external fact\n"
"  diagnose port pressure now, read-only (Linux): sockets by state, TIME_WAIT\n"
"           against tcp_max_tw_buckets, local ports each destination holds\n"
"           against the usable range, listeners inside the range\n"
"           (porttune diagnose --help)\n"
"  metrics  the settings and port pressure as Prometheus metrics, printed or\n"
"           written atomically for node_exporter's textfile collector\n"
"           (porttune metrics --help)\n"
"\n"
"Settings (KEY=VALUE; any option of the Ansible module, e.g. conflicts=fail,\n"
"backup=yes, state=absent; a sysctl name works as KEY too):\n"
"  port_range=START-END         net.ipv4.ip_local_port_range\n"
"  reserved_ports=8080,9000-9100  net.ipv4.ip_local_reserved_ports (empty: none)\n"
"  fin_timeout=SECONDS          net.ipv4.tcp_fin_timeout (1-300)\n"
"  tw_reuse=0|1|2               net.ipv4.tcp_tw_reuse\n"
"  tw_reuse_delay=MS            net.ipv4.tcp_tw_reuse_delay (1-60000)\n"
"  max_tw_buckets=N             net.ipv4.tcp_max_tw_buckets\n"
"\n"
"Options:\n"
"  --json             print JSON (the module's result object for set/check)\n"
"  --noop             report only; change nothing (set only)\n"
"  --no-apply         do not write live values (persist only, e.g. image builds)\n"
"  --no-persist       do not write the sysctl file (live values only)\n"
"  --file PATH        the sysctl file porttune owns\n"
"                     (default " PT_DEFAULT_SYSCTL_FILE ")\n"
"  --state-file PATH  where original live values are kept for state=absent\n"
"                     (default " PT_DEFAULT_STATE_FILE ")\n"
"\n"
"Exit codes (as puppet --detailed-exitcodes):\n"
"  0   success; nothing changed (in sync); diagnose: no warning\n"
"  2   changes made (with --noop or check: changes needed);\n"
"      diagnose: the report has warnings (a threshold crossed, ...)\n"
"  4   failure; nothing was changed (a value the module rejects, an OS error)\n"
"  6   failure after changes that could not be put back\n"
"  64  usage error: unknown command or option, a word that is not KEY=VALUE\n"
"\n"
"See porttune(1).\n";

bool pt_cli_is_command(const char *word)
{
    static const char *const words[] = {
        "get", "set", "check", "facts", "diagnose", "metrics", "help", "--help", "-h", "--version", NULL
    };
    int i;

    for (i = 0; words[i] != NULL; i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    return false;
}

/* Out of memory before any work: exit 4 with the sentence on stderr and,
 * with --json, the failure object on stdout, written without allocating. */
static int oom_fail(bool json)
{
    static const char msg[] = "out of memory. Nothing was changed.";
    char buf[256];
    size_t n = json ? pt_json_failure(buf, sizeof(buf), false, msg) : 0;

    if (n > 0)
        fwrite(buf, 1, n, stdout);
    fprintf(stderr, "porttune: %s\n", msg);
    return PT_EXIT_FAILED;
}

/* Is --json among the flags (before any "--")? */
static bool wants_json(int argc, char **argv)
{
    int i;

    for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0)
            return true;
    return false;
}

/* A flag's value: "--file PATH" or "--file=PATH". Returns NULL when missing. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t n = strlen(flag);

    if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static bool is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);

    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Returns 0, a PT_EXIT_USAGE after printing, or -1 for --help. */
static int parse_args(int argc, char **argv, cli_args_t *a)
{
    bool takes_words, flags_done = false;
    int i;

    if (strcmp(argv[1], "get") == 0)
        a->cmd = CMD_GET;
    else if (strcmp(argv[1], "set") == 0)
        a->cmd = CMD_SET;
    else if (strcmp(argv[1], "check") == 0)
        a->cmd = CMD_CHECK;
    else if (strcmp(argv[1], "facts") == 0)
        a->cmd = CMD_FACTS;
    else
        return pt__cli_usage(usage_text, "unknown command '%s'%s.", argv[1], argc == 2
                           ? " (nor a file to read as Ansible arguments)" : "");
    a->name = argv[1];
    takes_words = a->cmd == CMD_SET || a->cmd == CMD_CHECK;
    a->words = calloc((size_t)argc, sizeof(*a->words));
    if (a->words == NULL)
        return oom_fail(a->cmd != CMD_FACTS && wants_json(argc, argv));
    for (i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!flags_done && strcmp(arg, "--") == 0) {
            flags_done = true;
        } else if (!flags_done && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
            return -1;
        } else if (!flags_done && arg[0] == '-') {
            bool ok = true;
            if (strcmp(arg, "--json") == 0 && a->cmd != CMD_FACTS)
                a->json = true;
            else if (is_flag(arg, "--file") && (a->file = flag_value(argc, argv, &i, "--file")) == NULL)
                return pt__cli_usage(usage_text, "%s needs a path.", "--file");
            else if (is_flag(arg, "--file"))
                ;
            else if (is_flag(arg, "--state-file") &&
                     (a->state_file = flag_value(argc, argv, &i, "--state-file")) == NULL)
                return pt__cli_usage(usage_text, "%s needs a path.", "--state-file");
            else if (is_flag(arg, "--state-file"))
                ;
            else if (takes_words && strcmp(arg, "--noop") == 0)
                a->noop = true;
            else if (takes_words && strcmp(arg, "--no-apply") == 0)
                a->no_apply = true;
            else if (takes_words && strcmp(arg, "--no-persist") == 0)
                a->no_persist = true;
            else
                ok = false;
            if (!ok)
                return pt__cli_usage(usage_text, "unknown option '%s' for '%s'.", arg, a->name);
        } else if (!takes_words) {
            return pt__cli_usage(usage_text, "'%s' takes no settings; got '%s'.", a->name, arg);
        } else {
            a->words[a->nwords++] = argv[i];
        }
    }
    if (a->cmd == CMD_CHECK)
        a->noop = true;
    if (takes_words && a->nwords == 0)
        return pt__cli_usage(usage_text, "'%s' needs at least one KEY=VALUE setting, such as "
                           "port_range=1024-65535.", a->name);
    return 0;
}

static int add_arg(json_t *args, const char *key, json_t *value, const char *shown, bool json)
{
    if (value == NULL)
        return oom_fail(json);
    if (json_object_get(args, key) != NULL) {
        json_decref(value);
        return pt__cli_usage(usage_text, "%s is given twice.", shown);
    }
    if (json_object_set_new(args, key, value) != 0)
        return oom_fail(json);
    return 0;
}

/* A string argument: text that is not UTF-8 cannot be a JSON string (a
 * usage error, not a lack of memory). */
static int add_str(json_t *args, const char *key, const char *text, const char *shown,
                   bool json)
{
    if (!pt__cli_utf8_valid(text))
        return pt__cli_usage(usage_text, "%s is not valid UTF-8.", shown);
    return add_arg(args, key, json_string(text), shown, json);
}

/* The module's arguments object from flags and KEY=VALUE words. Every value
 * goes in as a string, so the module's own coercion and messages apply. */
static int build_json(const cli_args_t *a, json_t **out)
{
    json_t *args = json_object();
    char key[256];
    size_t i;
    int rc = 0;

    *out = NULL;
    if (args == NULL)
        return oom_fail(a->json);
    for (i = 0; i < a->nwords && rc == 0; i++) {
        const char *w = a->words[i], *eq = strchr(w, '=');
        const pt_keyinfo_t *ki;
        size_t n = eq ? (size_t)(eq - w) : 0;

        if (eq == NULL || n == 0) {
            rc = pt__cli_usage(usage_text, "'%s' is not a KEY=VALUE setting.", w);
            break;
        }
        if (n >= sizeof(key)) {
            rc = pt__cli_usage(usage_text, "a setting name is too long: '%.60s...'.", w);
            break;
        }
        memcpy(key, w, n);
        key[n] = '\0';
        if (!pt__cli_utf8_valid(key)) {
            rc = pt__cli_usage(usage_text, "a setting name is not valid UTF-8.");
            break;
        }
        if (strncmp(key, "_ansible_", 9) == 0) {
            rc = pt__cli_usage(usage_text, "'%s' is internal to Ansible; use --noop for check mode.", key);
            break;
        }
        /* net.ipv4.tcp_fin_timeout=30 means fin_timeout=30. */
        ki = (strchr(key, '.') || strchr(key, '/')) ? pt_key_by_sysctl(key) : NULL;
        rc = add_str(args, ki ? ki->option : key, eq + 1, key, a->json);
    }
    if (rc == 0 && a->file != NULL)
        rc = add_str(args, "sysctl_file", a->file, "sysctl_file (--file)", a->json);
    if (rc == 0 && a->state_file != NULL)
        rc = add_str(args, "state_file", a->state_file, "state_file (--state-file)", a->json);
    if (rc == 0 && a->no_apply)
        rc = add_arg(args, "apply", json_false(), "apply (--no-apply)", a->json);
    if (rc == 0 && a->no_persist)
        rc = add_arg(args, "persist", json_false(), "persist (--no-persist)", a->json);
    if (rc == 0 && a->noop)
        rc = add_arg(args, "_ansible_check_mode", json_true(), "--noop", a->json);
    if (rc == 0 && (a->cmd == CMD_SET || a->cmd == CMD_CHECK))
        rc = add_arg(args, "_ansible_diff", json_true(), "--diff", a->json);
    if (rc != 0) {
        json_decref(args);
        return rc;
    }
    *out = args;
    return 0;
}

static void print_warnings(const pt_options_t *opts)
{
    size_t i;

    for (i = 0; i < opts->warnings.n; i++)
        fprintf(stderr, "porttune: warning: %s\n", opts->warnings.items[i]);
}

static int print_json(const json_t *j)
{
    return pt__cli_print_json(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
}

/* stderr always gets the sentence; with --json, stdout gets the module's
 * failure object too, so a driver parses one format. */
static int fail(const cli_args_t *a, const pt_options_t *opts, const pt_error_t *err,
                int code)
{
    if (a->json) {
        json_t *out = json_pack("{s:b, s:b, s:s, s:[]}", "failed", 1,
                                "changed", code == PT_EXIT_PARTIAL, "msg", err->msg, "warnings");
        json_t *w = out ? json_object_get(out, "warnings") : NULL;
        bool whole = w != NULL;
        char buf[8192];
        size_t i, n;
        for (i = 0; whole && i < opts->warnings.n; i++)
            whole = json_array_append_new(w, json_string(opts->warnings.items[i])) == 0;
        if (whole && err->object[0] != '\0')
            whole = json_object_set_new(out, "object", json_string(err->object)) == 0;
        if (!whole || print_json(out) != 0) {   /* short of memory: the message alone */
            n = pt_json_failure(buf, sizeof(buf), code == PT_EXIT_PARTIAL, err->msg);
            fwrite(buf, 1, n, stdout);
        }
        json_decref(out);
    } else {
        print_warnings(opts);
    }
    fprintf(stderr, "porttune: %s\n", err->msg);
    return code;
}

/* The facts object: live values flat under settings, so that
 * `facter porttune.settings.port_range` is a plain value. */
static json_t *facts_json(const json_t *state)
{
    json_t *f = json_object(), *live = json_object(), *persisted = json_object();
    json_t *boot = json_object(), *drift = json_array(), *s;
    const char *k;

    if (f == NULL || live == NULL || persisted == NULL || boot == NULL || drift == NULL)
        goto error;
    json_object_foreach((json_t *)json_object_get(state, "settings"), k, s) {
        if (!json_is_true(json_object_get(s, "supported")))
            continue;
        json_object_set(live, k, json_object_get(s, "live"));
        if (!json_is_null(json_object_get(s, "persisted")))
            json_object_set(persisted, k, json_object_get(s, "persisted"));
        if (!json_is_null(json_object_get(s, "boot")))
            json_object_set(boot, k, json_object_get(s, "boot"));
        if (json_is_true(json_object_get(s, "drift")))
            json_array_append_new(drift, json_string(k));
    }
    json_object_set(f, "version", json_object_get(state, "porttune_version"));
    json_object_set(f, "os", json_object_get(state, "os"));
    if (json_object_get(state, "sysctl_file") != NULL) {
        json_object_set(f, "sysctl_file", json_object_get(state, "sysctl_file"));
        json_object_set(f, "sysctl_file_at_boot", json_object_get(state, "sysctl_file_at_boot"));
    }
    json_object_set_new(f, "settings", live);
    json_object_set_new(f, "persisted", persisted);
    json_object_set_new(f, "boot", boot);
    json_object_set_new(f, "drift", drift);
    json_object_set(f, "conflicts", json_object_get(state, "conflicts"));
    json_object_set(f, "capacity", json_object_get(state, "capacity"));
    /* Windows: what the host's settings risk (MaxUserPort on Vista and later). */
    if (json_object_get(state, "warnings") != NULL) {
        json_object_set(f, "warnings", json_object_get(state, "warnings"));
        json_object_set(f, "max_user_port_risk", json_object_get(state, "max_user_port_risk"));
    }
    return json_pack("{s:o}", "porttune", f);
error:
    json_decref(f);
    json_decref(live);
    json_decref(persisted);
    json_decref(boot);
    json_decref(drift);
    return NULL;
}

static int run_read(const cli_args_t *a, pt_options_t *opts)
{
    pt_ctx_t ctx = { "", "/proc/sys" };
    pt_error_t err;
    json_t *state = NULL;
    int rc;

    pt_error_init(&err);
    rc = pt_inspect(&ctx, opts, &state, &err);
    if (rc != 0)
        return fail(a, opts, &err, PT_EXIT_FAILED);
    if (a->cmd == CMD_FACTS) {
        json_t *facts = facts_json(state);
        if (facts == NULL) {
            json_decref(state);
            pt_error_set(&err, PT_ENOMEM, 0, "facts", "out of memory. Nothing was changed.");
            return fail(a, opts, &err, PT_EXIT_FAILED);
        }
        rc = pt__cli_print_json(facts, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        json_decref(facts);
    } else if (a->json) {
        rc = print_json(state);
    } else {
        const json_t *w = json_object_get(state, "warnings");
        size_t i;
        for (i = 0; i < json_array_size(w); i++)
            fprintf(stderr, "porttune: warning: %s\n",
                    json_string_value(json_array_get(w, i)));
        pt__cli_print_state(stdout, state);
    }
    json_decref(state);
    if (rc != 0) {
        pt_error_set(&err, PT_ENOMEM, 0, "stdout", "out of memory. Nothing was changed.");
        return fail(a, opts, &err, PT_EXIT_FAILED);
    }
    return PT_EXIT_OK;
}

/* A failure is told apart by what the run left: nothing changed (4), or a
 * change stayed because putting it back failed (6); the converge says which. */
static int run_set(const cli_args_t *a, pt_options_t *opts)
{
    pt_ctx_t ctx = { "", "/proc/sys" };
    pt_error_t err;
    json_t *result = NULL;
    int rc, code;

    pt_error_init(&err);
    rc = pt_converge(&ctx, opts, &result, &err);
    if (rc != 0)
        return fail(a, opts, &err, err.changed ? PT_EXIT_PARTIAL : PT_EXIT_FAILED);
    code = json_is_true(json_object_get(result, "changed")) ? PT_EXIT_CHANGED : PT_EXIT_OK;
    if (a->json && (json_object_set_new(result, "noop", json_boolean(opts->check_mode)) != 0 ||
                    print_json(result) != 0)) {
        /* What was written stays: the failure must say so. */
        json_decref(result);
        if (code == PT_EXIT_CHANGED && !opts->check_mode) {
            err.changed = true;
            pt_error_set(&err, PT_ENOMEM, 0, "result", "out of memory while reporting the result; "
                         "the settings were applied.");
            return fail(a, opts, &err, PT_EXIT_PARTIAL);
        }
        pt_error_set(&err, PT_ENOMEM, 0, "result", "out of memory. Nothing was changed.");
        return fail(a, opts, &err, PT_EXIT_FAILED);
    }
    if (!a->json) {
        print_warnings(opts);
        pt__cli_print_result(stdout, result, opts->check_mode);
    }
    json_decref(result);
    return code;
}

int pt_cli_main(int argc, char **argv)
{
    cli_args_t a;
    pt_options_t opts;
    pt_error_t err;
    json_t *args = NULL;
    int rc;

    if (argc < 2)
        return pt__cli_usage(usage_text, "a command is needed.");
    if (strcmp(argv[1], "--version") == 0) {
        printf("porttune %s\n", PT_VERSION);
        return PT_EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        fputs(help_text, stdout);
        return PT_EXIT_OK;
    }
    if (strcmp(argv[1], "diagnose") == 0)
        return pt__cli_diagnose(argc, argv);
    if (strcmp(argv[1], "metrics") == 0)
        return pt__cli_metrics(argc, argv);
    memset(&a, 0, sizeof(a));
    rc = parse_args(argc, argv, &a);
    if (rc == -1) {
        fputs(usage_text, stdout);
        fputs(help_text, stdout);
        free(a.words);
        return PT_EXIT_OK;
    }
    if (rc == 0)
        rc = build_json(&a, &args);
    free(a.words);
    a.words = NULL;
    if (rc != 0)
        return rc;
    pt_error_init(&err);
    pt_options_init(&opts);
    if (pt_options_from_json(args, &opts, &err) != 0)
        rc = fail(&a, &opts, &err, PT_EXIT_FAILED);
    else if (a.cmd == CMD_SET || a.cmd == CMD_CHECK)
        rc = run_set(&a, &opts);
    else
        rc = run_read(&a, &opts);
    json_decref(args);
    pt_options_free(&opts);
    return rc;
}
