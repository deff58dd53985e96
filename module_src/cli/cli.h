/* SPDX-License-Identifier: MIT */
/* The native helper CLI: get, set, check, facts, diagnose; Puppet-style exit codes. */
#ifndef PT_CLI_H
#define PT_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

/* Exit codes, as `puppet apply --detailed-exitcodes` plus sysexits' EX_USAGE. */
#define PT_EXIT_OK 0          /* in sync, nothing changed */
#define PT_EXIT_CHANGED 2     /* changes made (or needed, with --noop) */
#define PT_EXIT_WARN 2        /* diagnose: the report warns */
#define PT_EXIT_FAILED 4      /* failure; nothing changed */
#define PT_EXIT_PARTIAL 6     /* failure after some change stayed */
#define PT_EXIT_USAGE 64      /* the command line could not be parsed */

/* True when word is a CLI command or --help/--version (the dispatcher sends
 * everything else with one argument to the Ansible front end). */
bool pt_cli_is_command(const char *word);
/* Runs the CLI on argv; prints to stdout/stderr; returns the exit code. */
int pt_cli_main(int argc, char **argv);

/* `porttune diagnose ...` (cli/diagnose.c); returns the exit code. */
int pt__cli_diagnose(int argc, char **argv);
/* Prints "porttune: MESSAGE" and usage to stderr; returns PT_EXIT_USAGE
 * (cli/flags.c, as the three below). */
int pt__cli_vusage(const char *usage, const char *fmt, va_list ap) PT_PRINTF(2, 0);
int pt__cli_usage(const char *usage, const char *fmt, ...) PT_PRINTF(2, 3);
/* Whether arg is flag, alone or as "flag=VALUE". */
bool pt__cli_is_flag(const char *arg, const char *flag);
/* The value of the flag at argv[*i] ("--top N", *i moves on, or "--top=N"):
 * NULL when argv ends. */
const char *pt__cli_flag_value(int argc, char **argv, int *i, const char *flag);
/* Whether s is UTF-8 as JSON strings must be (no overlong forms, no
 * surrogates, at most U+10FFFF): what jansson refuses for json_string. */
bool pt__cli_utf8_valid(const char *s);
/* --top N (0-100000) and --source auto|netlink|proc, which diagnose and
 * metrics share: 1 when argv[*i] was one of them (*top or *source set), 0
 * when it was not, PT_EXIT_USAGE after printing the error and usage. */
int pt__cli_diag_flag(const char *usage, int argc, char **argv, int *i, unsigned *top,
                      const char **source);

/* Prints j and a newline with json_dumpb flags, or nothing: the text is
 * made in full first (in memory, which may run short), so stdout never gets
 * half an object. Returns 0 or -1 (cli/output.c). */
int pt__cli_print_json(const json_t *j, size_t flags);

/* Human output (cli/output.c). */
void pt__cli_print_state(FILE *out, const json_t *state);
void pt__cli_print_result(FILE *out, const json_t *result, bool noop);
/* The end of a capacity line: "at most R new connections/s to one
 * destination" (R as the JSON has it, two decimals), or that there is no
 * bound when capacity.max_new_connections_per_second is null. */
void pt__cli_print_rate(FILE *out, const json_t *rate);

#endif
