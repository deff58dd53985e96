/* SPDX-License-Identifier: MIT */
/* `porttune diagnose`: port pressure now, as tables or JSON; exit 2 when the report warns. */
#include "porttune.h"
#include "core/jsonio.h"
#include "cli/cli.h"
#include "diag/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char diag_usage[] =
"usage: porttune diagnose [--json] [--top N] [--threshold PCT]\n"
"                         [--source auto|netlink|proc]\n";

static const char diag_help[] =
"\n"
"Port pressure now, read-only: TCP sockets by state, TIME_WAIT against\n"
"tcp_max_tw_buckets, the local ports each destination (remote address and\n"
"port) holds against the usable ephemeral range, the sustainable rate of new\n"
"connections, and listeners inside the range that reserved_ports should protect.\n"
"On Windows also the processes holding ports, the excluded port ranges against\n"
"the dynamic port range, and advice.\n"
"\n"
"Options:\n"
"  --json             print the report as JSON\n"
"  --top N            destinations listed, most ports held first (default 10)\n"
"  --threshold PCT    warn when a destination holds, or TIME_WAIT sockets fill,\n"
"                     at least PCT % (above 0, at most 100; default 80)\n"
"  --source SRC       netlink (sock_diag), proc (/proc/net/tcp and tcp6), or\n"
"                     auto: netlink, then proc when netlink is unavailable\n"
"                     (Windows: auto only, GetExtendedTcpTable)\n"
"\n"
"Exit codes:\n"
"  0   no warning\n"
"  2   the report warns: a threshold crossed, tcp_max_tw_buckets 0, a listener\n"
"      in the range not reserved, every port reserved, destinations untracked\n"
"  4   failure (nothing to read here, an OS error)\n"
"  64  usage error\n"
"\n"
"See porttune(1).\n";

typedef struct diag_args {
    bool json;
    unsigned top;
    double threshold;
    const char *source;
} diag_args_t;

/* Returns 0, -1 for --help, or PT_EXIT_USAGE after printing. */
static int parse(int argc, char **argv, diag_args_t *a)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        char *end;
        int rc;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return -1;
        rc = pt__cli_diag_flag(diag_usage, argc, argv, &i, &a->top, &a->source);
        if (rc == PT_EXIT_USAGE)
            return rc;
        if (rc == 1)
            continue;
        if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (pt__cli_is_flag(arg, "--threshold")) {
            if ((v = pt__cli_flag_value(argc, argv, &i, "--threshold")) == NULL)
                return pt__cli_usage(diag_usage, "--threshold needs a percentage.");
            errno = 0;
            a->threshold = strtod(v, &end);
            if (end == v || *end != '\0' || errno != 0 ||
                !(a->threshold > 0 && a->threshold <= 100))
                return pt__cli_usage(diag_usage, "--threshold '%s' is not a percentage above 0 "
                                     "and at most 100.", v);
        } else if (arg[0] == '-') {
            return pt__cli_usage(diag_usage, "unknown option '%s' for 'diagnose'.", arg);
        } else {
            return pt__cli_usage(diag_usage, "'diagnose' takes no settings; got '%s'.", arg);
        }
    }
    return 0;
}

static long long num(const json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

static double real(const json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s ? s : "";
}

/* ---- tables: cells formatted twice (widths, then output), never stored,
 * so --top 100000 costs no memory ---- */

typedef int (*cell_fn)(const json_t *row, size_t col, char *buf, size_t size);

static void print_table(FILE *out, const char *const *head, size_t ncols,
                        const json_t *rows, size_t nrows, cell_fn cell)
{
    size_t w[7] = { 0 };  /* the widest table has 7 columns */
    char buf[128];

    for (size_t c = 0; c < ncols; c++)
        w[c] = strlen(head[c]);
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < ncols; c++) {
            int n = cell(json_array_get(rows, r), c, buf, sizeof(buf));

            if (n > 0 && (size_t)n > w[c])
                w[c] = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
        }
    for (size_t r = 0; r <= nrows; r++)
        for (size_t c = 0; c < ncols; c++) {
            const char *s = head[c];

            if (r > 0) {
                cell(json_array_get(rows, r - 1), c, buf, sizeof(buf));
                s = buf;
            }
            if (c + 1 < ncols)
                fprintf(out, "%-*s  ", (int)w[c], s);
            else
                fprintf(out, "%s\n", s);
        }
}

static int state_cell(const json_t *row, size_t col, char *buf, size_t size)
{
    if (col == 0)
        return snprintf(buf, size, "%s", json_string_value(json_array_get(row, 0)));
    return snprintf(buf, size, "%lld", (long long)json_integer_value(json_array_get(row, 1)));
}

static int dest_cell(const json_t *d, size_t col, char *buf, size_t size)
{
    switch (col) {
    case 0:
        if (strcmp(str(d, "family"), "ipv6") == 0)
            return snprintf(buf, size, "[%s]:%lld", str(d, "address"), num(d, "port"));
        return snprintf(buf, size, "%s:%lld", str(d, "address"), num(d, "port"));
    case 1: return snprintf(buf, size, "%lld", num(d, "ports_held"));
    case 2: return snprintf(buf, size, "%.2f", real(d, "pct"));
    case 3: return snprintf(buf, size, "%lld", num(d, "established"));
    case 4: return snprintf(buf, size, "%lld", num(d, "time_wait"));
    case 5: return snprintf(buf, size, "%lld", num(d, "other"));
    default: return snprintf(buf, size, "%.2f", real(d, "observed_closes_per_second"));
    }
}

static void print_states(FILE *out, const json_t *report)
{
    static const char *const head[] = { "STATE", "SOCKETS" };
    json_t *rows = json_array(), *n;
    const char *name;

    json_object_foreach((json_t *)json_object_get(report, "states"), name, n)
        if (json_integer_value(n) != 0)
            json_array_append_new(rows, json_pack("[s, O]", name, n));
    json_array_append_new(rows, json_pack("[s, O]", "total", json_object_get(report, "sockets")));
    print_table(out, head, 2, rows, json_array_size(rows), state_cell);
    json_decref(rows);
}

static int proc_cell(const json_t *p, size_t col, char *buf, size_t size)
{
    switch (col) {
    case 0: return snprintf(buf, size, "%lld", num(p, "pid"));
    case 1: return snprintf(buf, size, "%lld", num(p, "ports_held"));
    case 2: return snprintf(buf, size, "%lld", num(p, "established"));
    case 3: return snprintf(buf, size, "%lld", num(p, "other") + num(p, "time_wait"));
    default: {
        const char *image = json_string_value(json_object_get(p, "image"));

        return snprintf(buf, size, "%s", image ? image : "?");
    }
    }
}

static int excl_cell(const json_t *r, size_t col, char *buf, size_t size)
{
    const json_t *fam = json_object_get(r, "families");

    switch (col) {
    case 0: return snprintf(buf, size, "%lld-%lld", num(r, "start"), num(r, "end"));
    case 1: return snprintf(buf, size, "%s", str(r, "owner"));
    case 2: return snprintf(buf, size, "%s", str(r, "position"));
    default:
        return snprintf(buf, size, "%s%s%s", json_string_value(json_array_get(fam, 0)),
                        json_array_size(fam) > 1 ? "," : "",
                        json_array_size(fam) > 1 ? json_string_value(json_array_get(fam, 1)) : "");
    }
}

/* What only the Windows report has: owning processes, excluded port ranges
 * and advice (absent keys print nothing). */
static void print_windows(FILE *out, const json_t *report)
{
    static const char *const phead[] = { "PID", "PORTS HELD", "ESTABLISHED", "OTHER", "IMAGE" };
    static const char *const xhead[] = { "EXCLUDED", "OWNER", "POSITION", "FAMILIES" };
    const json_t *procs = json_object_get(report, "processes");
    const json_t *excl = json_object_get(report, "excluded_ranges");
    const json_t *advice = json_object_get(report, "advice"), *v, *largest;
    size_t i;

    if (procs != NULL) {
        const json_t *top = json_object_get(procs, "top");

        fprintf(out, "\nprocesses holding ports: %lld; ports held without an owner "
                "(TIME_WAIT has none): %lld\n", num(procs, "total"),
                num(procs, "sockets_without_owner"));
        if (json_array_size(top) > 0)
            print_table(out, phead, 5, top, json_array_size(top), proc_cell);
    }
    if (excl != NULL) {
        const json_t *rows = json_object_get(excl, "ranges");

        fputc('\n', out);
        if (json_array_size(rows) > 0)
            print_table(out, xhead, 4, rows, json_array_size(rows), excl_cell);
        largest = json_object_get(excl, "largest_free_block");
        fprintf(out, "excluded ports in the dynamic range: %lld; %lld free blocks",
                num(excl, "ports_in_dynamic_range"), num(excl, "free_blocks"));
        if (json_is_object(largest))
            fprintf(out, ", largest free block %lld-%lld (%lld ports)", num(largest, "start"),
                    num(largest, "end"), num(largest, "ports"));
        fputc('\n', out);
    }
    json_array_foreach(advice, i, v) {
        const json_t *val = json_object_get(v, "value");

        if (i == 0)
            fputs("\nadvice:\n", out);
        if (json_is_integer(val))
            fprintf(out, "- %s=%lld: %s\n", str(v, "setting"),
                    (long long)json_integer_value(val), str(v, "reason"));
        else
            fprintf(out, "- %s=%s: %s\n", str(v, "setting"), json_string_value(val),
                    str(v, "reason"));
    }
}

static void print_report(FILE *out, const json_t *report)
{
    static const char *const head[] = {
        "DESTINATION", "PORTS HELD", "USED %", "ESTABLISHED", "TIME_WAIT", "OTHER", "CLOSES/S"
    };
    const json_t *tw = json_object_get(report, "time_wait");
    const json_t *range = json_object_get(report, "port_range");
    const json_t *cap = json_object_get(report, "capacity");
    const json_t *dests = json_object_get(report, "destinations");
    const json_t *top = json_object_get(dests, "top");
    const json_t *lst = json_object_get(report, "listeners");
    const json_t *warnings = json_object_get(report, "warnings"), *v;
    size_t i;

    fprintf(out, "TCP sockets (source: %s)\n", str(report, "source"));
    print_states(out, report);

    fprintf(out, "\nTIME_WAIT: %lld sockets, %lld s each; ", num(tw, "total"),
            num(cap, "time_wait_seconds"));
    if (json_is_null(json_object_get(tw, "max_tw_buckets")))
        fputs("tcp_max_tw_buckets unknown\n", out);
    else
        fprintf(out, "tcp_max_tw_buckets %lld (%.2f %% used, headroom %lld)\n",
                num(tw, "max_tw_buckets"), real(tw, "used_pct"), num(tw, "headroom"));
    fprintf(out, "ephemeral range: %lld-%lld, %lld ports, %lld reserved (%s), %lld usable: ",
            num(range, "start"), num(range, "end"), num(cap, "range_size"),
            num(cap, "reserved_in_range"),
            str(range, "reserved_ports")[0] ? str(range, "reserved_ports") : "none",
            num(cap, "usable_ports"));
    pt__cli_print_rate(out, json_object_get(cap, "max_new_connections_per_second"));

    fputc('\n', out);
    if (num(dests, "total") == 0) {
        fputs("destinations: none (no connected socket holds a port of the usable range)\n",
              out);
    } else {
        if (json_array_size(top) > 0) {
            print_table(out, head, 7, top, json_array_size(top), dest_cell);
            fputs("(USED %: ports held / usable ports; CLOSES/S: TIME_WAIT sockets / "
                  "TIME_WAIT seconds)\n", out);
        }
        fprintf(out, "destinations: %lld, %zu shown, most ports held first",
                num(dests, "total"), json_array_size(top));
        if (num(dests, "sockets_untracked") > 0)
            fprintf(out, "; %lld sockets to untracked destinations",
                    num(dests, "sockets_untracked"));
        fputc('\n', out);
    }
    if (num(dests, "sockets_outside_range") > 0)
        fprintf(out, "not counted: %lld connected sockets on local ports outside the usable "
                "range (server ends of accepted connections, explicit binds)\n",
                num(dests, "sockets_outside_range"));

    fprintf(out, "\nlisteners: %lld", num(lst, "total"));
    if (json_array_size(json_object_get(lst, "in_ephemeral_range")) == 0) {
        fputs("; none inside the ephemeral range without a reservation\n", out);
    } else {
        fputs("; inside the ephemeral range and not reserved:", out);
        json_array_foreach(json_object_get(lst, "in_ephemeral_range"), i, v) {
            const json_t *fam = json_object_get(v, "families");

            fprintf(out, "%s %lld (%s%s%s)", i ? "," : "", num(v, "port"),
                    json_string_value(json_array_get(fam, 0)),
                    json_array_size(fam) > 1 ? ", " : "",
                    json_array_size(fam) > 1 ? json_string_value(json_array_get(fam, 1)) : "");
        }
        fprintf(out, "\n  protect them: reserved_ports=%s\n",
                str(lst, "reserved_ports_advice"));
    }

    print_windows(out, report);

    if (json_array_size(warnings) == 0) {
        fprintf(out, "\nno warnings (threshold %g %%)\n", real(report, "threshold_pct"));
        return;
    }
    fprintf(out, "\nwarnings (threshold %g %%):\n", real(report, "threshold_pct"));
    json_array_foreach(warnings, i, v)
        fprintf(out, "- %s\n", json_string_value(v));
}

/* With --json a failure is also the module's failure object on stdout, as
 * for the other commands, so a driver parses one format. */
static int fail(bool json, const pt_error_t *err)
{
    if (json) {
        json_t *out = json_pack("{s:b, s:b, s:s}", "failed", 1, "changed", 0, "msg", err->msg);
        char buf[8192];
        size_t n;

        if (out != NULL && err->object[0] != '\0' &&
            json_object_set_new(out, "object", json_string(err->object)) != 0) {
            json_decref(out);
            out = NULL;
        }
        if (out != NULL) {
            json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
        } else {   /* without memory for the object, the message alone */
            n = pt_json_failure(buf, sizeof(buf), false, err->msg);
            fwrite(buf, 1, n, stdout);
        }
        json_decref(out);
    }
    fprintf(stderr, "porttune: %s\n", err->msg);
    return PT_EXIT_FAILED;
}

int pt__cli_diagnose(int argc, char **argv)
{
    diag_args_t a = { false, PT_DIAG_DEFAULT_TOP, PT_DIAG_DEFAULT_THRESHOLD, "auto" };
    json_t *report = NULL;
    pt_error_t err;
    int rc = parse(argc, argv, &a);

    if (rc == -1) {
        fputs(diag_usage, stdout);
        fputs(diag_help, stdout);
        return PT_EXIT_OK;
    }
    if (rc != 0)
        return rc;
    pt_error_init(&err);
    if (pt_diag_run("", a.source, a.top, a.threshold, &report, &err) != 0)
        return fail(a.json, &err);
    if (a.json) {
        if (pt__cli_print_json(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(10)) != 0) {
            json_decref(report);
            pt_error_set(&err, PT_ENOMEM, 0, "report", "out of memory. Nothing was changed.");
            return fail(true, &err);
        }
    } else {
        print_report(stdout, report);
    }
    rc = json_array_size(json_object_get(report, "warnings")) > 0 ? PT_EXIT_WARN : PT_EXIT_OK;
    json_decref(report);
    if (fflush(stdout) != 0) {
        pt_error_set(&err, PT_EIO, errno, "stdout", "Cannot write the report: %s.",
                     strerror(errno));
        return fail(false, &err);
    }
    return rc;
}
