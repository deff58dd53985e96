/* SPDX-License-Identifier: MIT */
/* Usable client ports and the sustainable new-connection rate, computed once for every output. */
#include "capacity.h"

#include <stdio.h>

void pt_capacity_compute(uint32_t lo, uint32_t hi, const pt_value_t *reserved,
                         unsigned time_wait_seconds, pt_capacity_t *out)
{
    out->range_lo = lo;
    out->range_hi = hi;
    out->range_size = hi >= lo ? (unsigned long)(hi - lo) + 1 : 0;
    out->reserved_in_range = 0;
    if (reserved != NULL && reserved->type == PT_T_PORTSET && hi >= lo)
        out->reserved_in_range = pt_portset_count_in(reserved, lo, hi);
    /* A port set is merged, so this cannot exceed the size; stay safe anyway. */
    if (out->reserved_in_range > out->range_size)
        out->reserved_in_range = out->range_size;
    out->usable_ports = out->range_size - out->reserved_in_range;
    out->time_wait_seconds = time_wait_seconds;
    /* Integer division: rounded down, the same on every platform. */
    out->rate_hundredths = time_wait_seconds == 0 ? -1
        : (long long)((unsigned long long)out->usable_ports * 100u / time_wait_seconds);
}

unsigned pt_capacity_time_wait(pt_os_t os, const pt_keystate_t *time_wait_delay)
{
    if (os == PT_OS_LINUX)
        return PT_LINUX_TIME_WAIT_SECONDS;
    if (time_wait_delay != NULL && time_wait_delay->live_set && time_wait_delay->live.num >= 0)
        return (unsigned)time_wait_delay->live.num;
    return PT_WINDOWS_TIME_WAIT_DEFAULT;
}

json_t *pt_capacity_json(const pt_capacity_t *cap)
{
    char range[32];

    if (cap == NULL)
        return json_null();
    snprintf(range, sizeof(range), "%lu-%lu", (unsigned long)cap->range_lo,
             (unsigned long)cap->range_hi);
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}",
        "port_range", range,
        "range_size", (json_int_t)cap->range_size,
        "reserved_in_range", (json_int_t)cap->reserved_in_range,
        "usable_ports", (json_int_t)cap->usable_ports,
        "time_wait_seconds", (json_int_t)cap->time_wait_seconds,
        "max_new_connections_per_second", cap->rate_hundredths < 0 ? json_null()
            : json_real((double)cap->rate_hundredths / 100.0));
}

json_t *pt_capacity_value_json(const pt_value_t *range, const pt_value_t *reserved,
                               unsigned time_wait_seconds)
{
    pt_capacity_t cap;

    if (range == NULL || range->type != PT_T_RANGE)
        return json_null();
    pt_capacity_compute(range->range.lo, range->range.hi, reserved, time_wait_seconds, &cap);
    return pt_capacity_json(&cap);
}
