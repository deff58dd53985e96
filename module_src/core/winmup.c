/* SPDX-License-Identifier: MIT */
/* MaxUserPort on Windows Vista and later: the dynamic range it implies at the
 * next boot and the warnings that say so; no Windows headers, unit-tested. */
#include "winmup.h"

#include <stdio.h>

bool pt_mup_next_range(long long value, uint32_t *lo, uint32_t *hi)
{
    if (value < pt_keys[PT_K_MAX_USER_PORT].min || value > pt_keys[PT_K_MAX_USER_PORT].max)
        return false;
    *lo = 1024;
    *hi = (uint32_t)value;
    return true;
}

bool pt_mup_risk(const pt_current_t *cur, long long *value)
{
    const pt_keystate_t *ks = &cur->key[PT_K_MAX_USER_PORT];

    if (cur->os != PT_OS_WINDOWS || cur->windows_pre_vista || !ks->live_set ||
        ks->live_default)
        return false;
    *value = ks->live.num;
    return true;
}

/* "1024-N (netsh: start=1024 num=M)" or the admission that it is unknown. */
static void next_range_text(long long value, char *buf, size_t size)
{
    uint32_t lo, hi;

    if (pt_mup_next_range(value, &lo, &hi))
        snprintf(buf, size, "%u-%u (netsh: start=%u num=%u)", (unsigned)lo,
                 (unsigned)hi, (unsigned)lo, (unsigned)(hi - lo + 1));
    else
        snprintf(buf, size, "a range porttune cannot predict (%lld is outside "
                 "5000-65534, the values Microsoft documents)", value);
}

void pt_mup_risk_text(long long value, unsigned major, unsigned minor, char *buf,
                      size_t size)
{
    char range[160];

    next_range_text(value, range, sizeof(range));
    snprintf(buf, size,
        "RISK: MaxUserPort is %lld in the registry of this Windows %u.%u host. "
        "Windows Vista and later do not ignore it: at the next boot Windows sets "
        "the TCP dynamic port range to %s, so client ports are handed out across "
        "nearly the whole port space (into ports services listen on) and software "
        "that needs a contiguous block of free ports (WSL2 mirrored networking) "
        "fails; a port_range set now lasts only until then. Remove the value "
        "(porttune state=absent removes one porttune set; otherwise "
        "`reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters "
        "/v MaxUserPort`) and set port_range instead.",
        value, major, minor, range);
}

void pt_mup_set_text(long long value, unsigned major, unsigned minor, char *buf,
                     size_t size)
{
    char range[160];

    next_range_text(value, range, sizeof(range));
    snprintf(buf, size,
        "max_user_port: WARNING: setting MaxUserPort = %lld on Windows %u.%u (Vista "
        "or later) is not ignored: at the next boot Windows sets the TCP dynamic "
        "port range to %s, so client ports are handed out across nearly the whole "
        "port space (into ports services listen on) and software that needs a "
        "contiguous block of free ports (WSL2 mirrored networking) fails. Leave "
        "max_user_port out and set port_range instead (state=absent removes the "
        "value porttune set).", value, major, minor, range);
}

json_t *pt_mup_risk_json(long long value)
{
    uint32_t lo, hi;
    char r[32];

    if (!pt_mup_next_range(value, &lo, &hi))
        return json_pack("{s:I, s:n, s:n, s:n}", "max_user_port", (json_int_t)value,
                         "dynamic_port_range_at_next_boot", "start", "num");
    snprintf(r, sizeof(r), "%u-%u", (unsigned)lo, (unsigned)hi);
    return json_pack("{s:I, s:s, s:I, s:I}", "max_user_port", (json_int_t)value,
                     "dynamic_port_range_at_next_boot", r, "start", (json_int_t)lo,
                     "num", (json_int_t)hi - (json_int_t)lo + 1);
}
