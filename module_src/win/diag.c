/* SPDX-License-Identifier: MIT */
/* The port-pressure diagnosis on Windows: the dynamic and excluded port ranges
 * (netsh), TcpTimedWaitDelay (registry), the TCP tables (GetExtendedTcpTable)
 * through the OS-free aggregation and report, plus owners, exclusions, advice. */
#include "winsys.h"
#include "core/core.h"
#include "core/capacity.h"
#include "core/winmup.h"
#include "diag/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
    pt_diag_t *d;
    pt_owners_t owners;
} run_t;

static int count_row(const pt_diag_sock_t *s, uint32_t pid, void *arg)
{
    run_t *r = arg;

    if (pt_diag_holds(r->d, s) && pt__owners_add(&r->owners, pid, s->state) != 0)
        return PT_ENOMEM;
    return pt_diag_add(r->d, s);
}

typedef BOOL (WINAPI *image_name_fn)(HANDLE, DWORD, LPWSTR, PDWORD);

/* Looked up, not imported: Windows before Vista lacks it, and the .exe
 * must still start there (the backend serves MaxUserPort on those hosts). */
static image_name_fn image_name_api(void)
{
    HMODULE k32 = GetModuleHandleW(L"kernel32.dll");

    if (k32 == NULL)
        return NULL;
    return (image_name_fn)(void (*)(void))GetProcAddress(k32, "QueryFullProcessImageNameW");
}

static char *image_name(uint32_t pid, void *arg)
{
    image_name_fn query = *(const image_name_fn *)arg;
    wchar_t path[1024];
    DWORD n = sizeof(path) / sizeof(path[0]);
    HANDLE h;
    char *out = NULL;

    /* Limited information is what a standard user may ask of others'
     * processes; protected and system processes still refuse (image null). */
    if (query == NULL ||
        (h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)) == NULL)
        return NULL;
    if (query(h, 0, path, &n))
        out = pt__wide_to_utf8(path);
    CloseHandle(h);
    return out;
}

/* TIME_WAIT seconds: TcpTimedWaitDelay as Windows reads it (absent or not a
 * DWORD: its default), through the backend's own interpretation. */
static unsigned time_wait_seconds(void)
{
    pt_keystate_t ks;
    pt_strlist_t notes;
    pt_regraw_t raw;
    DWORD d = 0;
    unsigned major, minor, secs;
    pt_reg_kind_t kind;

    memset(&ks, 0, sizeof(ks));
    memset(&notes, 0, sizeof(notes));
    pt__win_version(&major, &minor);
    if (pt__reg_get(TCPIP_KEY, L"TcpTimedWaitDelay", &raw) != ERROR_SUCCESS)
        return pt_capacity_time_wait(PT_OS_WINDOWS, NULL);
    kind = !raw.present ? PT_REG_ABSENT : pt__regraw_dword(&raw, &d) ? PT_REG_DWORD
                                                                    : PT_REG_OTHER;
    pt__regraw_free(&raw);
    if (pt__reg_interpret(PT_K_TIME_WAIT_DELAY, kind, d, NULL, major, minor, false, &ks,
                          &notes) != 0)
        ks.live_set = false;
    secs = pt_capacity_time_wait(PT_OS_WINDOWS, &ks);
    pt_value_free(&ks.live);
    pt_strlist_free(&notes);
    return secs;
}

typedef struct ranges {
    unsigned long start[2], count[2];
    pt_exrange_t *rows[2];
    size_t nrows[2];
    pt_value_t record[2];
    pt_value_t both;              /* excluded for IPv4 and IPv6: reserved_ports */
    pt_value_t any;               /* excluded for either */
    pt_strlist_t notes;
} ranges_t;

static void ranges_free(ranges_t *r)
{
    int f;

    for (f = 0; f < 2; f++) {
        free(r->rows[f]);
        pt_value_free(&r->record[f]);
    }
    pt_value_free(&r->both);
    pt_value_free(&r->any);
    pt_strlist_free(&r->notes);
}

static int read_ranges(ranges_t *r, pt_error_t *err)
{
    pt_value_t all[2], others;
    int f, rc = 0;

    memset(all, 0, sizeof(all));
    for (f = 0; f < 2 && rc == 0; f++) {
        rc = pt__portrange_show(f, &r->start[f], &r->count[f], err);
        if (rc == 0)
            rc = pt__excluded_show(f, &r->rows[f], &r->nrows[f], err);
        if (rc == 0 && pt__excluded_record(f, &r->record[f], &r->notes) != 0)
            rc = PT_ENOMEM;
        if (rc == 0 && pt__excl_split(r->rows[f], r->nrows[f], &r->record[f], &all[f],
                                      &others) != 0)
            rc = PT_ENOMEM;
        if (rc == 0)
            pt_value_free(&others);
    }
    if (rc == 0 && (pt__exset_intersect(&all[0], &all[1], &r->both) != 0 ||
                    pt__exset_union(&all[0], &all[1], &r->any) != 0))
        rc = PT_ENOMEM;
    pt_value_free(&all[0]);
    pt_value_free(&all[1]);
    if (rc == PT_ENOMEM)
        pt_error_set(err, PT_ENOMEM, ENOMEM, "diagnosis", "Out of memory reading the "
                     "excluded port ranges.");
    return rc;
}

/* An existing MaxUserPort on Vista or later: the same warning and
 * max_user_port_risk object as `porttune get` (null when there is none). */
static int mup_risk(json_t *report, json_t *warnings)
{
    json_t *risk = json_null();
    long long v;
    uint32_t lo, hi;
    char text[1024];

    if (pt__win_mup_risk(&v, &lo, &hi, text, sizeof(text))) {
        if (json_array_append_new(warnings, json_string(text)) != 0)
            return -1;
        risk = pt_mup_risk_json(v);
    }
    return risk == NULL ? -1 : json_object_set_new(report, "max_user_port_risk", risk);
}

/* The Windows parts of the report: source, processes, excluded_ranges,
 * advice, and the notes as warnings. */
static int extend(json_t *report, run_t *run, ranges_t *r, unsigned top)
{
    json_t *warnings = json_object_get(report, "warnings");
    pt_exclfam_t fam[2];
    uint32_t lo = (uint32_t)r->start[0], hi = (uint32_t)(r->start[0] + r->count[0] - 1);
    json_t *procs, *excl, *advice;
    image_name_fn query = image_name_api();
    size_t i;
    int f;

    for (f = 0; f < 2; f++) {
        fam[f].rows = r->rows[f];
        fam[f].nrows = r->nrows[f];
        fam[f].record = &r->record[f];
    }
    if (r->start[0] != r->start[1] || r->count[0] != r->count[1]) {
        char buf[300];

        snprintf(buf, sizeof(buf), "The TCP dynamic port range differs between IPv4 "
                 "(%lu-%lu) and IPv6 (%lu-%lu); the report measures IPv4's.", r->start[0],
                 r->start[0] + r->count[0] - 1, r->start[1], r->start[1] + r->count[1] - 1);
        if (json_array_append_new(warnings, json_string(buf)) != 0)
            return -1;
    }
    for (i = 0; i < r->notes.n; i++)
        if (json_array_append_new(warnings, json_string(r->notes.items[i])) != 0)
            return -1;
    if (mup_risk(report, warnings) != 0)
        return -1;
    procs = pt__owners_json(&run->owners, top, image_name, &query);
    if (procs == NULL || json_object_set_new(report, "processes", procs) != 0)
        return -1;
    excl = pt__excl_report(lo, hi, fam, warnings);
    if (excl == NULL || json_object_set_new(report, "excluded_ranges", excl) != 0)
        return -1;
    if (json_object_set_new(report, "dynamic_port_range_ipv6",
                            json_pack("{s:I, s:I}", "start", (json_int_t)r->start[1], "end",
                                      (json_int_t)(r->start[1] + r->count[1] - 1))) != 0)
        return -1;
    advice = pt__diag_advice(report, &r->any);
    if (advice == NULL || json_object_set_new(report, "advice", advice) != 0)
        return -1;
    return json_object_set_new(report, "source", json_string("GetExtendedTcpTable"));
}

int pt_diag_run(const char *root, const char *source, unsigned top_n,
                double threshold_pct, json_t **report, pt_error_t *err)
{
    pt_diag_config_t cfg;
    void *table[2] = { NULL, NULL };
    ranges_t r;
    run_t run;
    unsigned major, minor;
    int rc;

    (void)root;
    *report = NULL;
    if (strcmp(source, "auto") != 0)
        return pt_error_set(err, PT_EINVAL, 0, "source",
                            "source '%.80s' is not available on Windows, which has one "
                            "TCP table (GetExtendedTcpTable); use auto. Nothing was read.",
                            source);
    pt__win_version(&major, &minor);
    if (major < 6)
        return pt_error_set(err, PT_ENOTSUP, 0, "diagnosis",
                            "The port-pressure diagnosis needs Windows Vista or later "
                            "(a dynamic port range); nothing was read or changed.");
    memset(&r, 0, sizeof(r));
    memset(&run, 0, sizeof(run));
    pt_diag_config_init(&cfg);
    /* The sockets first: they change by the second (TIME_WAIT ends), the
     * ranges netsh reads next do not, and each netsh run takes a while. */
    rc = pt__tcptable_fetch(0, &table[0], err);
    if (rc == 0)
        rc = pt__tcptable_fetch(1, &table[1], err);
    if (rc == 0)
        rc = read_ranges(&r, err);
    if (rc == 0) {
        cfg.os = PT_OS_WINDOWS;
        cfg.range_lo = (unsigned)r.start[0];
        cfg.range_hi = (unsigned)(r.start[0] + r.count[0] - 1);
        cfg.time_wait_secs = time_wait_seconds();
        cfg.top_n = top_n;
        cfg.threshold_pct = threshold_pct;
        pt_value_free(&cfg.reserved);
        if (pt_value_copy(&cfg.reserved, &r.both) != 0)
            rc = pt_error_set(err, PT_ENOMEM, ENOMEM, "diagnosis", "Out of memory.");
    }
    if (rc == 0 && (run.d = pt_diag_new(&cfg, err)) == NULL)
        rc = err->code;
    if (rc == 0)
        rc = pt__tcptable_walk(0, table[0], count_row, &run);
    if (rc == 0)
        rc = pt__tcptable_walk(1, table[1], count_row, &run);
    if (rc == PT_ENOMEM && err->code == 0)
        pt_error_set(err, rc, ENOMEM, "diagnosis", "Out of memory counting sockets.");
    if (rc == 0 && (*report = pt_diag_report(run.d, err)) == NULL)
        rc = err->code;
    if (rc == 0 && extend(*report, &run, &r, top_n) != 0) {
        json_decref(*report);
        *report = NULL;
        rc = pt_error_set(err, PT_ENOMEM, ENOMEM, "diagnosis",
                          "Out of memory building the diagnosis report.");
    }
    free(table[0]);
    free(table[1]);
    pt_diag_free(run.d);
    pt__owners_free(&run.owners);
    pt_diag_config_free(&cfg);
    ranges_free(&r);
    return rc;
}
