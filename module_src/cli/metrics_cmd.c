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

typedef struct metrics_args {
    unsigned top;
    const char *output, *file, *source;
} metrics_args_t;

/* Returns 0, -1 for --help, or PT_EXIT_USAGE after printing. */
static int parse(int argc, char **argv, metrics_args_t *a)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        int rc;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return -1;
        rc = pt__cli_diag_flag(metrics_usage, argc, argv, &i, &a->top, &a->source);
        if (rc == PT_EXIT_USAGE)
            return rc;
        if (rc == 1)
            continue;
        if (pt__cli_is_flag(arg, "--output")) {
            if ((v = pt__cli_flag_value(argc, argv, &i, "--output")) == NULL || v[0] == '\0')
                return pt__cli_usage(metrics_usage, "--output needs a file name.");
            a->output = v;
        } else if (pt__cli_is_flag(arg, "--file")) {
            if ((v = pt__cli_flag_value(argc, argv, &i, "--file")) == NULL || v[0] == '\0')
                return pt__cli_usage(metrics_usage, "--file needs a path.");
            a->file = v;
        } else if (arg[0] == '-') {
            return pt__cli_usage(metrics_usage, "unknown option '%s' for 'metrics'.", arg);
        } else {
            return pt__cli_usage(metrics_usage, "'metrics' takes no settings; got '%s'.", arg);
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
