/* SPDX-License-Identifier: MIT */
/* `porttune metrics`: reads the settings and the diagnosis, prints or atomically writes Prometheus text. */
#include "porttune.h"
#include "core/options.h"
#include "core/inspect.h"
#include "cli/cli.h"
#include "cli/metrics.h"
#include "diag/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char metrics_usage[] =
"usage: porttune metrics [--top N] [--output FILE] [--file PATH]\n"
"                        [--source auto|netlink|proc]\n";

static const char metrics_help[] =
"\n"
"The settings (as `porttune get`) and port pressure (as `porttune diagnose`)\n"
"as Prometheus metrics, in the text exposition format node_exporter's\n"
"textfile collector reads.\n"
"\n"
"Options:\n"
"  --top N            destinations named in porttune_destination_* (default 10);\n"
"                     the rest are summed as destination=\"other\"\n"
"  --output FILE      write FILE atomically (a temporary file in its directory,\n"
"                     flushed, then renamed over it) instead of printing; for the\n"
"                     textfile collector, a name ending in .prom\n"
"  --file PATH        the sysctl file porttune owns\n"
"                     (default " PT_DEFAULT_SYSCTL_FILE ")\n"
"  --source SRC       socket source of the diagnosis: auto, netlink or proc\n"
"\n"
"Exit codes:\n"
"  0   the metrics were written (on an OS without a diagnosis, the settings\n"
"      part only, with porttune_up{part=\"diagnosis\"} 0)\n"
"  4   a part could not be read (what was read is still written, with\n"
"      porttune_up 0 for the failed part), or FILE could not be written\n"
"  64  usage error\n"
"\n"
"See porttune(1).\n";

#define TOP_MAX 100000

typedef struct metrics_args {
    unsigned top;
    const char *output, *file, *source;
} metrics_args_t;

static int usage_error(const char *fmt, ...) PT_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = pt__cli_vusage(metrics_usage, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t n = strlen(flag);

    if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

static bool is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);

    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Returns 0, -1 for --help, or PT_EXIT_USAGE after printing. */
static int parse(int argc, char **argv, metrics_args_t *a)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return -1;
        if (is_flag(arg, "--top")) {
            unsigned long n;
            char *end;

            if ((v = flag_value(argc, argv, &i, "--top")) == NULL)
                return usage_error("--top needs a number.");
            errno = 0;
            n = strtoul(v, &end, 10);
            if (v[0] < '0' || v[0] > '9' || errno != 0 || *end != '\0' || n > TOP_MAX)
                return usage_error("--top '%s' is not a whole number 0-%d.", v, TOP_MAX);
            a->top = (unsigned)n;
        } else if (is_flag(arg, "--output")) {
            if ((v = flag_value(argc, argv, &i, "--output")) == NULL || v[0] == '\0')
                return usage_error("--output needs a file name.");
            a->output = v;
        } else if (is_flag(arg, "--file")) {
            if ((v = flag_value(argc, argv, &i, "--file")) == NULL || v[0] == '\0')
                return usage_error("--file needs a path.");
            a->file = v;
        } else if (is_flag(arg, "--source")) {
            if ((v = flag_value(argc, argv, &i, "--source")) == NULL)
                return usage_error("--source needs auto, netlink or proc.");
            if (strcmp(v, "auto") != 0 && strcmp(v, "netlink") != 0 && strcmp(v, "proc") != 0)
                return usage_error("--source '%s' is not one of auto, netlink, proc.", v);
            a->source = v;
        } else if (arg[0] == '-') {
            return usage_error("unknown option '%s' for 'metrics'.", arg);
        } else {
            return usage_error("'metrics' takes no settings; got '%s'.", arg);
        }
    }
    return 0;
}

/* `porttune get`'s object, with the options get uses; NULL with err set. */
static json_t *read_state(const metrics_args_t *a, pt_error_t *err)
{
    pt_ctx_t ctx = { "", "/proc/sys" };
    pt_options_t opts;
    json_t *args = json_object(), *state = NULL;

    pt_options_init(&opts);
    if (args == NULL || (a->file != NULL &&
                         json_object_set_new(args, "sysctl_file", json_string(a->file)) != 0)) {
        pt_error_set(err, PT_ENOMEM, 0, "metrics", "out of memory");
    } else if (pt_options_from_json(args, &opts, err) == 0 &&
               pt_inspect(&ctx, &opts, &state, err) != 0) {
        state = NULL;
    }
    json_decref(args);
    pt_options_free(&opts);
    return state;
}

int pt__cli_metrics(int argc, char **argv)
{
    metrics_args_t a = { PT_DIAG_DEFAULT_TOP, NULL, NULL, "auto" };
    pt_metrics_meta_t meta;
    pt_error_t serr, derr, werr;
    json_t *state, *report = NULL;
    char *text;
    int rc = parse(argc, argv, &a);

    if (rc == -1) {
        fputs(metrics_usage, stdout);
        fputs(metrics_help, stdout);
        return PT_EXIT_OK;
    }
    if (rc != 0)
        return rc;
    pt_error_init(&serr);
    pt_error_init(&derr);
    pt_error_init(&werr);
    memset(&meta, 0, sizeof(meta));
    meta.timestamp = pt_os_time_now();
    state = read_state(&a, &serr);
    if (pt_diag_run("", a.source, a.top, PT_DIAG_DEFAULT_THRESHOLD, &report, &derr) != 0)
        report = NULL;
    meta.duration = pt_os_time_now() - meta.timestamp;
    if (meta.duration < 0)
        meta.duration = 0;
    meta.settings_ok = state != NULL;
    meta.diagnosis_ok = report != NULL;
    text = pt_metrics_format(state, report, &meta);
    json_decref(state);
    json_decref(report);
    if (state == NULL)
        fprintf(stderr, "porttune: %s\n", serr.msg);
    if (derr.code == PT_ENOTSUP)
        fprintf(stderr, "porttune: warning: %s The metrics have the settings part only.\n",
                derr.msg);
    else if (derr.code != 0)
        fprintf(stderr, "porttune: %s\n", derr.msg);
    rc = meta.settings_ok && (meta.diagnosis_ok || derr.code == PT_ENOTSUP)
         ? PT_EXIT_OK : PT_EXIT_FAILED;
    if (text == NULL) {
        fputs("porttune: out of memory formatting the metrics; nothing was written.\n", stderr);
        return PT_EXIT_FAILED;
    }
    if (a.output != NULL) {
        if (pt_os_write_file_atomic(a.output, text, "output", &werr) != 0) {
            fprintf(stderr, "porttune: %s\n", werr.msg);
            rc = PT_EXIT_FAILED;
        }
    } else if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "porttune: cannot write the metrics to stdout: %s.\n", strerror(errno));
        rc = PT_EXIT_FAILED;
    }
    free(text);
    return rc;
}
