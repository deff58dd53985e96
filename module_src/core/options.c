/* SPDX-License-Identifier: MIT */
/* Task arguments (JSON) to typed, validated options, coerced as Ansible does. */
#include "porttune.h"
#include "core.h"
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const general_options[] = {
    "apply", "backup", "conflicts", "persist", "state", "state_file", "sysctl_file", NULL
};

void pt_options_init(pt_options_t *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->apply = true;
    opts->persist = true;
    opts->state = PT_STATE_PRESENT;
    opts->conflicts = PT_CONFLICTS_WARN;
}

void pt_options_free(pt_options_t *opts)
{
    int k;

    for (k = 0; k < PT_K__COUNT; k++)
        pt_value_free(&opts->want[k]);
    free(opts->sysctl_file);
    free(opts->state_file);
    pt_strlist_free(&opts->warnings);
    memset(opts, 0, sizeof(*opts));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int pt__reject_unknown(json_t *args, const char *module, const char **names,
                       size_t nnames, pt_error_t *err)
{
    const char *bad[64];
    size_t nbad = 0, i, j;
    char list[1024] = "", badlist[512] = "";
    const char *key;
    json_t *val;

    json_object_foreach(args, key, val) {
        (void)val;
        for (j = 0; j < nnames && strcmp(names[j], key) != 0; j++)
            ;
        if (strncmp(key, "_ansible_", 9) == 0 || j < nnames)
            continue;
        if (nbad < sizeof(bad) / sizeof(bad[0]))
            bad[nbad++] = key;
    }
    if (nbad == 0)
        return 0;
    qsort(names, nnames, sizeof(names[0]), cmp_str);
    qsort(bad, nbad, sizeof(bad[0]), cmp_str);
    for (i = 0; i < nnames; i++) {
        strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
        strncat(list, names[i], sizeof(list) - strlen(list) - 1);
    }
    for (i = 0; i < nbad; i++) {
        strncat(badlist, i ? ", " : "", sizeof(badlist) - strlen(badlist) - 1);
        strncat(badlist, bad[i], sizeof(badlist) - strlen(badlist) - 1);
    }
    return pt_error_set(err, PT_EINVAL, 0, bad[0],
        "Unsupported parameters for (%s) module: %s. Supported parameters "
        "include: %s.", module, badlist, list);
}

static int reject_unknown(json_t *args, pt_error_t *err)
{
    const char *names[PT_K__COUNT + 8];
    size_t nnames = 0, i;
    int k;

    for (k = 0; k < PT_K__COUNT; k++)
        names[nnames++] = pt_keys[k].option;
    for (i = 0; general_options[i] != NULL; i++)
        names[nnames++] = general_options[i];
    return pt__reject_unknown(args, "porttune", names, nnames, err);
}

/* "a list", "an int": for messages that say what was given instead. */
static const char *json_type_phrase(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "a dict";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a str";
    case JSON_INTEGER: return "an int";
    case JSON_REAL: return "a float";
    case JSON_TRUE:
    case JSON_FALSE: return "a bool";
    case JSON_NULL: return "None";
    }
    return "an unknown type";
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "dict";
    case JSON_ARRAY: return "list";
    case JSON_STRING: return "str";
    case JSON_INTEGER: return "int";
    case JSON_REAL: return "float";
    case JSON_TRUE:
    case JSON_FALSE: return "bool";
    case JSON_NULL: return "NoneType";
    }
    return "unknown";
}

int pt__coerce_bool(const json_t *v, const char *name, bool *out, pt_error_t *err)
{
    static const char *const yes[] = { "y", "yes", "on", "1", "true", "t", NULL };
    static const char *const no[] = { "n", "no", "off", "0", "false", "f", NULL };
    int i;

    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        *out = json_integer_value(v) == 1;
        return 0;
    }
    if (json_is_real(v) && (json_real_value(v) == 0.0 || json_real_value(v) == 1.0)) {
        *out = json_real_value(v) == 1.0;   /* Ansible's BOOLEANS include 1.0 and 0.0 */
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        for (i = 0; yes[i]; i++)
            if (strcasecmp(s, yes[i]) == 0) {
                *out = true;
                return 0;
            }
        for (i = 0; no[i]; i++)
            if (strcasecmp(s, no[i]) == 0) {
                *out = false;
                return 0;
            }
    }
    return pt_error_set(err, PT_EINVAL, 0, name,
        "argument '%s' is of type %s and we were unable to convert to bool: "
        "the value is not a valid boolean; valid booleans include: yes, no, "
        "true, false, on, off, 1, 0. Nothing was changed.", name, json_type_name(v));
}

/* "0x1E": registry DWORDs are often written in hex (regedit shows both). */
static int parse_hex(const char *s, long long *out)
{
    unsigned long long n = 0;
    size_t i;

    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s[2] == '\0' || strlen(s) > 10)
        return PT_EINVAL;
    for (i = 2; s[i] != '\0'; i++) {
        char c = s[i];
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0)
            return PT_EINVAL;
        n = n * 16 + (unsigned)d;
    }
    *out = (long long)n;
    return 0;
}

/* Ansible's int: a JSON integer, an integral float, or a string int() accepts. */
int pt__coerce_int(const json_t *v, const char *name, long long *out, pt_error_t *err)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d > -9e15 && d < 9e15 && d == (double)(long long)d) {
            *out = (long long)d;
            return 0;
        }
    }
    if (json_is_string(v) && pt__int_parse(json_string_value(v), out) == 0)
        return 0;
    if (json_is_string(v) && parse_hex(json_string_value(v), out) == 0)
        return 0;
    if (json_is_string(v))
        return pt_error_set(err, PT_EINVAL, 0, name,
            "argument '%s' is of type str and we were unable to convert to int: "
            "'%.80s' is not a whole number. Nothing was changed.",
            name, json_string_value(v));
    return pt_error_set(err, PT_EINVAL, 0, name,
        "argument '%s' is of type %s and we were unable to convert to int. "
        "Nothing was changed.", name, json_type_name(v));
}

int pt__check_range(const pt_value_t *v, const char *name, pt_error_t *err)
{
    if (v->range.lo < 1 || v->range.lo > 65535 || v->range.hi < 1 || v->range.hi > 65535)
        return pt_error_set(err, PT_EINVAL, 0, name,
            "%s: %u is not a port; ports are 1-65535. Nothing was changed.", name,
            (unsigned)((v->range.lo < 1 || v->range.lo > 65535) ? v->range.lo : v->range.hi));
    if (v->range.lo > v->range.hi)
        return pt_error_set(err, PT_EINVAL, 0, name,
            "%s: the range %u-%u ends before it starts; the first port must not be "
            "above the last. Nothing was changed.", name,
            (unsigned)v->range.lo, (unsigned)v->range.hi);
    return 0;
}

static int parse_range(const json_t *v, const char *name, pt_value_t *out, pt_error_t *err)
{
    long long a = 0, b = 0;

    memset(out, 0, sizeof(*out));
    out->type = PT_T_RANGE;
    if (json_is_string(v)) {
        if (pt__range_parse(json_string_value(v), true, out, name, err) != 0)
            return PT_EINVAL;
    } else if (json_is_array(v) && json_array_size(v) == 2) {
        if (pt__coerce_int(json_array_get(v, 0), name, &a, err) != 0 ||
            pt__coerce_int(json_array_get(v, 1), name, &b, err) != 0)
            return PT_EINVAL;
        if (a < 0 || b < 0 || a > 4294967295LL || b > 4294967295LL)
            return pt_error_set(err, PT_EINVAL, 0, name,
                "%s: %lld is not a port; ports are 1-65535. Nothing was changed.",
                name, (a < 0 || a > 4294967295LL) ? a : b);
        out->range.lo = (uint32_t)a;
        out->range.hi = (uint32_t)b;
    } else {
        return pt_error_set(err, PT_EINVAL, 0, name,
            "%s: expected \"START-END\", \"START END\" or [START, END], got %s. "
            "Nothing was changed.", name, json_type_phrase(v));
    }
    return pt__check_range(out, name, err);
}

static int parse_portset(const json_t *v, const char *name, pt_value_t *out, pt_error_t *err)
{
    pt_value_t part;
    size_t i, j;
    json_t *item;
    long long n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    out->type = PT_T_PORTSET;
    if (json_is_string(v))
        return pt__portset_parse(json_string_value(v), out, name, err);
    if (json_is_integer(v) || json_is_real(v)) {
        if (pt__coerce_int(v, name, &n, err) != 0)
            return PT_EINVAL;
        if (n < 1 || n > 65535)
            return pt_error_set(err, PT_EINVAL, 0, name,
                "%s: %lld is not a port; ports are 1-65535. Nothing was changed.", name, n);
        return pt__portset_add(out, (uint32_t)n, (uint32_t)n) == 0 ? 0
               : pt_error_set(err, PT_ENOMEM, 0, name, "out of memory. Nothing was changed.");
    }
    if (!json_is_array(v))
        return pt_error_set(err, PT_EINVAL, 0, name,
            "%s: expected a list of ports and ranges or a string such as "
            "\"8080,9000-9100\", got %s. Nothing was changed.", name, json_type_phrase(v));
    json_array_foreach(v, i, item) {
        if (json_is_string(item)) {
            if (pt__portset_parse(json_string_value(item), &part, name, err) != 0)
                goto error;
        } else if (json_is_integer(item) || json_is_real(item)) {
            memset(&part, 0, sizeof(part));
            part.type = PT_T_PORTSET;
            if (pt__coerce_int(item, name, &n, err) != 0)
                goto error;
            if (n < 1 || n > 65535) {
                pt_error_set(err, PT_EINVAL, 0, name,
                    "%s: %lld is not a port; ports are 1-65535. Nothing was changed.", name, n);
                goto error;
            }
            if (pt__portset_add(&part, (uint32_t)n, (uint32_t)n) != 0) {
                pt_error_set(err, PT_ENOMEM, 0, name, "out of memory. Nothing was changed.");
                goto error;
            }
        } else {
            pt_error_set(err, PT_EINVAL, 0, name,
                "%s: item %zu is a %s; list items must be ports or \"START-END\" "
                "ranges. Nothing was changed.", name, i + 1, json_type_name(item));
            goto error;
        }
        for (j = 0; j < part.nset; j++) {
            rc = pt__portset_add(out, part.set[j].lo, part.set[j].hi);
            if (rc != 0) {
                pt_value_free(&part);
                pt_error_set(err, rc, 0, name, "%s: too many ranges (at most %d). "
                             "Nothing was changed.", name, PT_PORTSET_MAX);
                goto error;
            }
        }
        pt_value_free(&part);
    }
    pt__portset_canon(out);
    return 0;
error:
    pt_value_free(out);
    return err->code ? err->code : PT_EINVAL;
}

int pt__parse_key_value(pt_key_t key, const json_t *v, pt_value_t *out, pt_error_t *err)
{
    const pt_keyinfo_t *ki = &pt_keys[key];
    long long n = 0;

    switch (ki->type) {
    case PT_T_RANGE:
        return parse_range(v, ki->option, out, err);
    case PT_T_PORTSET:
        return parse_portset(v, ki->option, out, err);
    case PT_T_INT:
        memset(out, 0, sizeof(*out));
        out->type = PT_T_INT;
        if (json_is_boolean(v))
            return pt_error_set(err, PT_EINVAL, 0, ki->option,
                "argument '%s' is of type bool and we were unable to convert to int. "
                "Nothing was changed.", ki->option);
        if (pt__coerce_int(v, ki->option, &n, err) != 0)
            return PT_EINVAL;
        if (n < ki->min || n > ki->max)
            return pt_error_set(err, PT_EINVAL, 0, ki->option,
                "%s: %lld is out of range; allowed values are %lld-%lld. "
                "Nothing was changed.", ki->option, n, ki->min, ki->max);
        out->num = n;
        return 0;
    }
    return PT_EINVAL;
}

static int choice(const json_t *v, const char *name, const char *const *choices,
                  int *out, pt_error_t *err)
{
    int i;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;

    for (i = 0; s != NULL && choices[i] != NULL; i++)
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    return pt_error_set(err, PT_EINVAL, 0, name,
        "value of %s must be one of: %s, %s%s%s, got: %.80s. Nothing was changed.",
        name, choices[0], choices[1], choices[2] ? ", " : "",
        choices[2] ? choices[2] : "", s ? s : json_type_name(v));
}

/* A path that ends up in a file name and in messages: absolute, printable. */
static int parse_path(const json_t *v, const char *name, char **out, pt_error_t *err)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    size_t i;

    if (s == NULL || s[0] != '/' || strlen(s) > 1024)
        return pt_error_set(err, PT_EINVAL, 0, name,
            "%s must be an absolute path of at most 1024 characters. Nothing was changed.",
            name);
    for (i = 0; s[i] != '\0'; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return pt_error_set(err, PT_EINVAL, 0, name,
                "%s must not contain control characters. Nothing was changed.", name);
    /* The backend refuses a symlinked directory by looking at the last one;
     * "link/./file" or "link/x/../file" would slip past it. */
    if (strstr(s, "//") != NULL || strstr(s, "/./") != NULL || strstr(s, "/../") != NULL ||
        s[strlen(s) - 1] == '/' || (strlen(s) >= 2 && strcmp(s + strlen(s) - 2, "/.") == 0) ||
        (strlen(s) >= 3 && strcmp(s + strlen(s) - 3, "/..") == 0))
        return pt_error_set(err, PT_EINVAL, 0, name,
            "%s must be a plain path to a file: no '.', '..' or empty components and "
            "no trailing '/' (got '%.200s'). Nothing was changed.", name, s);
    free(*out);
    *out = strdup(s);
    return *out ? 0 : pt_error_set(err, PT_ENOMEM, 0, name, "out of memory. Nothing was changed.");
}

int pt_options_from_json(json_t *args, pt_options_t *opts, pt_error_t *err)
{
    static const char *const conflicts[] = { "warn", "fail", "ignore", NULL };
    static const char *const states[] = { "present", "absent", NULL };
    const char *key;
    json_t *v;
    int rc, c = 0;

    if (!json_is_object(args))
        return pt_error_set(err, PT_EINVAL, 0, "args",
            "the arguments must be a JSON object. Nothing was changed.");
    if (reject_unknown(args, err) != 0)
        return err->code;
    json_object_foreach(args, key, v) {
        const pt_keyinfo_t *ki;
        if (strcmp(key, "_ansible_check_mode") == 0) {
            if (!json_is_null(v) && pt__coerce_bool(v, key, &opts->check_mode, err) != 0)
                return err->code;
            continue;
        }
        if (strcmp(key, "_ansible_diff") == 0) {
            if (!json_is_null(v) && pt__coerce_bool(v, key, &opts->diff, err) != 0)
                return err->code;
            continue;
        }
        if (strncmp(key, "_ansible_", 9) == 0 || json_is_null(v))
            continue;   /* null is how Ansible passes an unset option */
        ki = pt_key_by_option(key);
        if (ki != NULL) {
            pt_value_free(&opts->want[ki->key]);
            rc = pt__parse_key_value(ki->key, v, &opts->want[ki->key], err);
            if (rc != 0)
                return rc;
            opts->has[ki->key] = true;
        } else if (strcmp(key, "apply") == 0) {
            rc = pt__coerce_bool(v, key, &opts->apply, err);
        } else if (strcmp(key, "persist") == 0) {
            rc = pt__coerce_bool(v, key, &opts->persist, err);
        } else if (strcmp(key, "backup") == 0) {
            rc = pt__coerce_bool(v, key, &opts->backup, err);
        } else if (strcmp(key, "conflicts") == 0) {
            rc = choice(v, key, conflicts, &c, err);
            opts->conflicts = (pt_conflicts_mode_t)c;
        } else if (strcmp(key, "state") == 0) {
            c = 0;
            rc = choice(v, key, states, &c, err);
            opts->state = (pt_state_t)c;
        } else if (strcmp(key, "sysctl_file") == 0) {
            rc = parse_path(v, key, &opts->sysctl_file, err);
        } else {
            rc = parse_path(v, key, &opts->state_file, err);
        }
        if (rc != 0)
            return rc;
    }
    if (opts->sysctl_file == NULL && (opts->sysctl_file = strdup(PT_DEFAULT_SYSCTL_FILE)) == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, "sysctl_file", "out of memory. Nothing was changed.");
    if (opts->state_file == NULL && (opts->state_file = strdup(PT_DEFAULT_STATE_FILE)) == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, "state_file", "out of memory. Nothing was changed.");
    return 0;
}
