/* SPDX-License-Identifier: MIT */
/* `porttune metrics`: the settings and the diagnosis in Prometheus' text exposition format. */
#ifndef PT_CLI_METRICS_H
#define PT_CLI_METRICS_H

#include <stdbool.h>
#include <jansson.h>

/* What the collection itself measured. */
typedef struct pt_metrics_meta {
    double timestamp;         /* Unix time of the collection, seconds */
    double duration;          /* seconds it took */
    bool settings_ok;         /* state was read */
    bool diagnosis_ok;        /* report was built */
} pt_metrics_meta_t;

/* Formats the metrics of state (`porttune get --json`'s object, NULL when it
 * could not be read) and report (`porttune diagnose --json`'s, NULL when
 * unavailable) as Prometheus text, version 0.0.4: families in a fixed order,
 * HELP and TYPE before each, label values escaped and sorted where the
 * input has no order of its own. Pure: no OS calls. Returns a malloc'ed
 * string the caller frees, or NULL when out of memory. */
char *pt_metrics_format(const json_t *state, const json_t *report,
                        const pt_metrics_meta_t *meta);

/* value as a label value: backslash, double quote and newline written as
 * two characters each (\\ \" \n), everything else as is. Returns a
 * malloc'ed string the caller frees, or NULL when out of memory. */
char *pt_metrics_escape(const char *value);

/* `porttune metrics ...` (cli/metrics_cmd.c); returns the exit code. */
int pt__cli_metrics(int argc, char **argv);

#endif
