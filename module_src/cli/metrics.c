/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition of `porttune get` and `porttune diagnose` objects. No OS calls. */
#include "porttune.h"
#include "cli/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text grows in one buffer; the first failed allocation sticks, so
 * callers append without checking and look at failed once at the end. */
typedef struct buf {
    char *s;
    size_t len, cap;
    bool failed;
    const char *family;       /* HELP/TYPE not yet written for this family */
    const char *help;
} buf_t;

static void append(buf_t *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;

        while (b->len + n + 1 > cap)
            cap *= 2;
        p = realloc(b->s, cap);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void appendf(buf_t *b, const char *fmt, ...) PT_PRINTF(2, 3);
static void appendf(buf_t *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        b->failed = true;       /* only numbers and fixed names come here */
    else
        append(b, tmp, (size_t)n);
}

char *pt_metrics_escape(const char *value)
{
    size_t n = 1;
    const char *p;
    char *out, *o;

    for (p = value; *p; p++)
        n += (*p == '\\' || *p == '"' || *p == '\n') ? 2 : 1;
    if ((out = malloc(n)) == NULL)
        return NULL;
    for (p = value, o = out; *p; p++) {
        if (*p == '\\' || *p == '"' || *p == '\n') {
            *o++ = '\\';
            *o++ = *p;
            if (*p == '\n')
                o[-1] = 'n';
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* Starts a family: its HELP and TYPE lines go out with its first sample,
 * so a family without samples (a value this host lacks) leaves no trace. */
static void family(buf_t *b, const char *name, const char *help)
{
    b->family = name;
    b->help = help;
}

/* One sample of the current family, with n label pairs (name, value, ...);
 * the values are escaped here. A whole number prints as one, anything else
 * with %.15g. */
static void sample_n(buf_t *b, double value, const char *const *labels, size_t n)
{
    const char *name = b->family;
    char num[64];
    size_t i;

    if (b->help != NULL) {
        appendf(b, "# HELP %s ", name);
        append(b, b->help, strlen(b->help));
        appendf(b, "\n# TYPE %s gauge\n", name);
        b->help = NULL;
    }
    append(b, name, strlen(name));
    for (i = 0; i < n; i++) {
        char *e = pt_metrics_escape(labels[2 * i + 1]);

        if (e == NULL) {
            b->failed = true;
            return;
        }
        appendf(b, "%s%s=\"", i == 0 ? "{" : ",", labels[2 * i]);
        append(b, e, strlen(e));
        append(b, "\"", 1);
        free(e);
    }
    if (n > 0)
        append(b, "}", 1);
    if (value == (double)(long long)value && value > -1e15 && value < 1e15)
        snprintf(num, sizeof(num), " %lld\n", (long long)value);
    else
        snprintf(num, sizeof(num), " %.15g\n", value);
    append(b, num, strlen(num));
}

static void sample(buf_t *b, double value)
{
    sample_n(b, value, NULL, 0);
}

static void sample1(buf_t *b, double value, const char *label, const char *v)
{
    const char *const l[] = { label, v };

    sample_n(b, value, l, 1);
}

static void sample2(buf_t *b, double value, const char *label1, const char *v1,
                    const char *label2, const char *v2)
{
    const char *const l[] = { label1, v1, label2, v2 };

    sample_n(b, value, l, 2);
}

static const json_t *get(const json_t *obj, const char *key)
{
    return json_object_get(obj, key);
}

/* Samples a number under key of obj; nothing when it is absent or null. */
static void sample_num(buf_t *b, const char *name, const char *help,
                       const json_t *obj, const char *key)
{
    const json_t *v = get(obj, key);

    family(b, name, help);
    if (json_is_number(v))
        sample(b, json_number_value(v));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of obj, sorted: label order must not hang on how the JSON was
 * built (a Windows report, a file read back). NULL when empty or on ENOMEM
 * (*n 0; *failed set for ENOMEM). */
static const char **sorted_keys(const json_t *obj, size_t *n, bool *failed)
{
    const char **keys, *k;
    const json_t *v;
    size_t i = 0;

    *n = json_object_size(obj);
    if (*n == 0)
        return NULL;
    if ((keys = malloc(*n * sizeof(*keys))) == NULL) {
        *n = 0;
        *failed = true;
        return NULL;
    }
    json_object_foreach((json_t *)obj, k, v)
        keys[i++] = k;
    qsort(keys, *n, sizeof(*keys), cmp_str);
    return keys;
}

static void collection(buf_t *b, const json_t *state, const pt_metrics_meta_t *m)
{
    family(b, "porttune_up",
           "1 when porttune read this part (settings, diagnosis), 0 when it failed or "
           "is not supported on this OS.");
    sample1(b, m->diagnosis_ok, "part", "diagnosis");
    sample1(b, m->settings_ok, "part", "settings");
    family(b, "porttune_scrape_timestamp_seconds",
           "Unix time when porttune collected these metrics.");
    sample(b, m->timestamp);
    family(b, "porttune_scrape_duration_seconds",
           "Seconds porttune took to read the settings and the sockets.");
    sample(b, m->duration);
    family(b, "porttune_build_info", "Always 1: porttune's version and the OS it ran on.");
    if (json_is_string(get(state, "porttune_version")) && json_is_string(get(state, "os")))
        sample2(b, 1, "os", json_string_value(get(state, "os")),
                "version", json_string_value(get(state, "porttune_version")));
}

static void capacity(buf_t *b, const json_t *cap, const json_t *range)
{
    family(b, "porttune_ephemeral_port_range_start",
           "First port of the ephemeral (local) port range.");
    if (json_is_number(get(range, "start")))
        sample(b, json_number_value(get(range, "start")));
    else if (json_is_string(get(cap, "port_range")))
        sample(b, strtod(json_string_value(get(cap, "port_range")), NULL));
    family(b, "porttune_ephemeral_port_range_end",
           "Last port of the ephemeral (local) port range.");
    if (json_is_number(get(range, "end")))
        sample(b, json_number_value(get(range, "end")));
    else if (json_is_string(get(cap, "port_range")) &&
             strchr(json_string_value(get(cap, "port_range")), '-') != NULL)
        sample(b, strtod(strchr(json_string_value(get(cap, "port_range")), '-') + 1, NULL));
    sample_num(b, "porttune_ephemeral_ports", "Ports in the ephemeral port range.",
               cap, "range_size");
    sample_num(b, "porttune_ephemeral_ports_reserved",
               "Reserved ports inside the ephemeral port range.", cap, "reserved_in_range");
    sample_num(b, "porttune_ephemeral_ports_usable",
               "Ephemeral ports connect() can draw: range size minus reserved ports; the "
               "most connections one destination can hold.", cap, "usable_ports");
    sample_num(b, "porttune_time_wait_duration_seconds",
               "Seconds a closed connection keeps its port in TIME_WAIT.",
               cap, "time_wait_seconds");
    sample_num(b, "porttune_destination_max_new_connections_per_second",
               "New connections per second one destination sustains: usable ports / "
               "TIME_WAIT seconds (absent when TIME_WAIT sets no bound).",
               cap, "max_new_connections_per_second");
}

static void settings(buf_t *b, const json_t *state)
{
    const json_t *set = get(state, "settings");
    const char **keys;
    size_t n, i;

    keys = sorted_keys(set, &n, &b->failed);
    family(b, "porttune_setting_managed",
           "1 when porttune's persisted settings (sysctl file or registry) set this "
           "setting, else 0.");
    for (i = 0; i < n; i++) {
        const json_t *s = get(set, keys[i]);

        if (json_is_true(get(s, "supported")))
            sample1(b, get(s, "persisted") != NULL && !json_is_null(get(s, "persisted")),
                    "setting", keys[i]);
    }
    family(b, "porttune_setting_drift",
           "1 when porttune manages this setting and its live value differs from the "
           "persisted one, else 0.");
    for (i = 0; i < n; i++) {
        const json_t *s = get(set, keys[i]), *p = get(s, "persisted");

        if (json_is_true(get(s, "supported")))
            sample1(b, p != NULL && !json_is_null(p) && !json_equal(p, get(s, "live")),
                    "setting", keys[i]);
    }
    free(keys);
    family(b, "porttune_boot_order_conflicts",
           "Settings another file sets after porttune's at boot, so its value wins at "
           "next boot.");
    if (json_is_array(get(state, "conflicts")))
        sample(b, (double)json_array_size(get(state, "conflicts")));
}

static void sockets(buf_t *b, const json_t *r)
{
    const json_t *states = get(r, "states"), *tw = get(r, "time_wait");
    const char **keys;
    size_t n, i;

    keys = sorted_keys(states, &n, &b->failed);
    family(b, "porttune_tcp_sockets", "TCP sockets of this network namespace by state.");
    for (i = 0; i < n; i++)
        if (json_is_number(get(states, keys[i])))
            sample1(b, json_number_value(get(states, keys[i])), "state", keys[i]);
    free(keys);
    sample_num(b, "porttune_tcp_time_wait_sockets", "TCP sockets in TIME_WAIT.", tw, "total");
    sample_num(b, "porttune_tcp_max_tw_buckets",
               "tcp_max_tw_buckets: the most TIME_WAIT sockets the kernel keeps.",
               tw, "max_tw_buckets");
}

static void destinations(buf_t *b, const json_t *r)
{
    static const char *const st_key[] = { "established", "time_wait", "other" };
    static const char *const st_label[] = { "ESTABLISHED", "TIME_WAIT", "other" };
    const json_t *d = get(r, "destinations"), *top = get(d, "top"), *e;
    double shown = 0;
    size_t i, k;
    char name[128];

    sample_num(b, "porttune_destinations",
               "Destinations (remote address and port) holding ports of the usable range.",
               d, "total");
    family(b, "porttune_destination_ports_held",
           "Local ports of the usable range held per destination: the top destinations "
           "by name, the rest summed as destination=\"other\".");
    json_array_foreach(top, i, e) {
        const char *a = json_string_value(get(e, "address"));
        const char *fam = json_string_value(get(e, "family"));
        long long port = (long long)json_integer_value(get(e, "port"));

        if (a == NULL || !json_is_number(get(e, "ports_held")))
            continue;
        snprintf(name, sizeof(name), fam && strcmp(fam, "ipv6") == 0 ? "[%s]:%lld" : "%s:%lld",
                 a, port);
        shown += json_number_value(get(e, "ports_held"));
        sample1(b, json_number_value(get(e, "ports_held")), "destination", name);
    }
    if (json_is_number(get(d, "ports_held")))
        sample1(b, json_number_value(get(d, "ports_held")) - shown, "destination", "other");
    family(b, "porttune_destination_sockets",
           "Sockets of the top destinations by state (ESTABLISHED, TIME_WAIT, other).");
    json_array_foreach(top, i, e) {
        const char *a = json_string_value(get(e, "address"));
        const char *fam = json_string_value(get(e, "family"));

        if (a == NULL)
            continue;
        snprintf(name, sizeof(name), fam && strcmp(fam, "ipv6") == 0 ? "[%s]:%lld" : "%s:%lld",
                 a, (long long)json_integer_value(get(e, "port")));
        for (k = 0; k < 3; k++)
            if (json_is_number(get(e, st_key[k])))
                sample2(b, json_number_value(get(e, st_key[k])),
                        "destination", name, "state", st_label[k]);
    }
    sample_num(b, "porttune_destination_untracked_sockets",
               "Sockets to destinations beyond the tracked maximum, counted by state only.",
               d, "sockets_untracked");
}

static void listeners(buf_t *b, const json_t *r)
{
    const json_t *l = get(r, "listeners");

    sample_num(b, "porttune_listeners", "Listening TCP sockets.", l, "total");
    family(b, "porttune_listeners_in_ephemeral_range",
           "Listening ports inside the ephemeral range and not reserved: an outgoing "
           "connection can take such a port while its service is down.");
    if (json_is_array(get(l, "in_ephemeral_range")))
        sample(b, (double)json_array_size(get(l, "in_ephemeral_range")));
}

char *pt_metrics_format(const json_t *state, const json_t *report,
                        const pt_metrics_meta_t *meta)
{
    buf_t b;

    memset(&b, 0, sizeof(b));
    collection(&b, state, meta);
    /* The report's capacity is the core's model of the ranges it read; the
     * state's is the same model, for when there is no diagnosis. */
    capacity(&b, report ? get(report, "capacity") : get(state, "capacity"),
             report ? get(report, "port_range") : NULL);
    if (state != NULL)
        settings(&b, state);
    if (report != NULL) {
        sockets(&b, report);
        destinations(&b, report);
        listeners(&b, report);
    }
    append(&b, "", 0);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
