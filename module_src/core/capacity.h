/* SPDX-License-Identifier: MIT */
/* Client-port capacity: the one model behind every output's `capacity` object. */
#ifndef PT_CAPACITY_H
#define PT_CAPACITY_H

#include <jansson.h>
#include "porttune.h"

/* TIME_WAIT is fixed on Linux; Windows uses TcpTimedWaitDelay, and without
 * it the default Microsoft documents from Server 2003 on. */
#define PT_LINUX_TIME_WAIT_SECONDS 60
#define PT_WINDOWS_TIME_WAIT_DEFAULT 120

/* What a port range sustains. usable_ports = range_size - reserved_in_range;
 * the rate of new connections to one destination (address and port) is
 * usable_ports / time_wait_seconds per second, kept in hundredths rounded
 * down (a ceiling to stay under, never overstated); rate_hundredths is -1
 * when time_wait_seconds is 0 (TIME_WAIT sets no bound). Early reuse of
 * TIME_WAIT ports (tcp_tw_reuse) is not counted. */
typedef struct pt_capacity {
    uint32_t range_lo, range_hi;
    unsigned long range_size;     /* 0 when range_hi < range_lo */
    unsigned long reserved_in_range;
    unsigned long usable_ports;
    unsigned time_wait_seconds;
    long long rate_hundredths;
} pt_capacity_t;

/* Fills out for the inclusive range lo-hi minus reserved (a port set, or
 * NULL for none); only reserved ports inside the range count. Pure. */
void pt_capacity_compute(uint32_t lo, uint32_t hi, const pt_value_t *reserved,
                         unsigned time_wait_seconds, pt_capacity_t *out);

/* TIME_WAIT seconds on os: Linux's fixed 60; on Windows the live
 * TcpTimedWaitDelay (time_wait_delay, may be NULL) or the default 120. */
unsigned pt_capacity_time_wait(pt_os_t os, const pt_keystate_t *time_wait_delay);

/* The `capacity` object every front end prints: port_range ("LO-HI"),
 * range_size, reserved_in_range, usable_ports, time_wait_seconds,
 * max_new_connections_per_second (a number with at most two decimals, or
 * null when time_wait_seconds is 0). cap NULL (no range known) gives JSON
 * null. Returns a new reference, or NULL on ENOMEM. */
json_t *pt_capacity_json(const pt_capacity_t *cap);

/* pt_capacity_compute + pt_capacity_json for a range value (NULL: null). */
json_t *pt_capacity_value_json(const pt_value_t *range, const pt_value_t *reserved,
                               unsigned time_wait_seconds);

#endif
