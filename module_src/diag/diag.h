/* SPDX-License-Identifier: MIT */
/* porttune diagnosis: port pressure per destination from a stream of TCP sockets. */
#ifndef PT_DIAG_H
#define PT_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "porttune.h"

/* Kernel TCP states (include/net/tcp_states.h); /proc/net/tcp and
 * sock_diag both report these numbers. */
typedef enum pt_tcp_state {
    PT_TCP_ESTABLISHED = 1,
    PT_TCP_SYN_SENT,
    PT_TCP_SYN_RECV,
    PT_TCP_FIN_WAIT1,
    PT_TCP_FIN_WAIT2,
    PT_TCP_TIME_WAIT,
    PT_TCP_CLOSE,
    PT_TCP_CLOSE_WAIT,
    PT_TCP_LAST_ACK,
    PT_TCP_LISTEN,
    PT_TCP_CLOSING,
    PT_TCP_NEW_SYN_RECV,
    PT_TCP__COUNT                 /* one past the last state */
} pt_tcp_state_t;

#define PT_DIAG_AF_INET 4
#define PT_DIAG_AF_INET6 6

/* One socket, as a reader hands it over; the aggregator copies what it
 * needs and keeps nothing else. Ports in host order; addresses in network
 * order, IPv4 in the first 4 bytes of addr. */
typedef struct pt_diag_sock {
    uint8_t family;               /* PT_DIAG_AF_INET or PT_DIAG_AF_INET6 */
    uint8_t state;                /* pt_tcp_state_t */
    uint16_t lport, rport;
    uint8_t laddr[16], raddr[16];
} pt_diag_sock_t;

/* A set of ports 0..65535 as a bitmap, for per-socket lookups; the values
 * themselves are the core's port sets (pt_value_t, PT_T_PORTSET). */
typedef struct pt_portset {
    uint64_t bits[65536 / 64];
} pt_portset_t;

void pt_portset_clear(pt_portset_t *set);
void pt_portset_add(pt_portset_t *set, unsigned port);
bool pt_portset_has(const pt_portset_t *set, unsigned port);
/* Clears set and adds every port of ports, a core port set. */
void pt_portset_from_value(pt_portset_t *set, const pt_value_t *ports);
/* The canonical form ("8080-8081,9000", "" when empty), written by the
 * core's formatter. Returns a malloc'ed string the caller frees, NULL on
 * allocation failure. */
char *pt_portset_format(const pt_portset_t *set);

/* What the report is measured against. pt_diag_config_init sets the
 * kernel's defaults; pt_diag_read_sysctls fills in the host's values;
 * pt_diag_config_free releases reserved. */
typedef struct pt_diag_config {
    unsigned range_lo, range_hi;  /* ip_local_port_range, inclusive */
    pt_value_t reserved;          /* ip_local_reserved_ports: a core port set, owned */
    long long max_tw_buckets;     /* tcp_max_tw_buckets; -1 when unknown */
    unsigned time_wait_secs;      /* 60 on Linux */
    double threshold_pct;         /* warn at or above this share, (0, 100] */
    unsigned top_n;               /* destinations listed in the report */
    size_t max_destinations;      /* bound on distinct destinations tracked */
    pt_os_t os;                   /* whose words the warnings use (Linux's sysctls,
                                     Windows' dynamic range and excluded ranges) */
} pt_diag_config_t;

#define PT_DIAG_DEFAULT_TOP 10
#define PT_DIAG_DEFAULT_THRESHOLD 80.0
#define PT_DIAG_DEFAULT_MAX_DESTINATIONS 49152

void pt_diag_config_init(pt_diag_config_t *cfg);
void pt_diag_config_free(pt_diag_config_t *cfg);

typedef struct pt_diag pt_diag_t;

/* Creates an empty aggregator; copies cfg (reserved too: the caller still
 * frees its own). Returns NULL with err set when cfg is invalid (PT_EINVAL)
 * or memory runs out (PT_ENOMEM). Free with pt_diag_free. */
pt_diag_t *pt_diag_new(const pt_diag_config_t *cfg, pt_error_t *err);
void pt_diag_free(pt_diag_t *d);

/* Counts one socket. A socket whose destination does not fit once
 * max_destinations are tracked is counted as dropped. Returns 0, or
 * PT_ENOMEM when the table could not grow (the socket is counted as
 * dropped then too, so the report stays consistent). */
int pt_diag_add(pt_diag_t *d, const pt_diag_sock_t *s);

/* Whether pt_diag_add counts s as holding a port towards its destination:
 * not a listener, connected, its local port in the range and not reserved. */
bool pt_diag_holds(const pt_diag_t *d, const pt_diag_sock_t *s);

/* Same as pt_diag_add with the pt_diag_sock_fn signature (arg is the
 * pt_diag_t), for passing straight to a reader. */
int pt_diag_add_cb(const pt_diag_sock_t *s, void *arg);

/* Builds the report. Returns a new reference the caller json_decref's, or
 * NULL with err set (PT_ENOMEM). Keys:
 *   sockets, threshold_pct, states {ESTABLISHED..NEW_SYN_RECV[, UNKNOWN]},
 *   time_wait {total, max_tw_buckets (null if unknown), headroom, used_pct},
 *   port_range {start, end, reserved_ports},
 *   capacity {the core's pt_capacity_json object: port_range, range_size,
 *             reserved_in_range, usable_ports, time_wait_seconds,
 *             max_new_connections_per_second},
 *   destinations {total, sockets_untracked, sockets_outside_range,
 *                 ports_held (summed over every tracked destination),
 *                 top [{address, port, family, ports_held, established, time_wait,
 *                       other, pct (of capacity.usable_ports),
 *                       observed_closes_per_second}]},
 *   listeners {total, in_ephemeral_range [{port, families}], unprotected_ports,
 *              reserved_ports_advice (null when nothing to protect)},
 *   warnings [sentences].
 * A destination counts sockets not in LISTEN whose local port lies in the
 * range and is not reserved: ports connect() drew from the pool. Dump with
 * JSON_REAL_PRECISION(10) to print 16.48 rather than 16.480000000000000. */
json_t *pt_diag_report(const pt_diag_t *d, pt_error_t *err);

/* ---- readers (OS-facing; Linux: linux_*.c; Windows: win/tcptable.c) ---- */

/* Called once per socket. Return 0 to go on; any other value stops the
 * reader, which returns that value. */
typedef int (*pt_diag_sock_fn)(const pt_diag_sock_t *s, void *arg);

/* Streams every TCP socket (IPv4 and IPv6, all states) of the current
 * network namespace through NETLINK_SOCK_DIAG. Returns 0, the callback's
 * nonzero value, PT_ENOTSUP when sock_diag is unavailable (use the /proc
 * reader) or PT_EIO. */
int pt_diag_read_netlink(pt_diag_sock_fn fn, void *arg, pt_error_t *err);

/* Parses one received buffer (N bytes, up to 64 KiB) of a sock_diag dump:
 * fn for each socket of the request numbered SEQ, other messages skipped.
 * Pure; the dump is in this host's byte order (ports in network order), as
 * the kernel writes it. Sets *done at NLMSG_DONE. Returns 0, the callback's
 * nonzero value, PT_ENOTSUP for a "no handler" NLMSG_ERROR, or PT_EIO
 * (OBJECT names the dump in the message). */
int pt_diag_netlink_parse(const void *buf, size_t n, uint32_t seq, const char *object,
                          pt_diag_sock_fn fn, void *arg, bool *done, pt_error_t *err);

/* Streams the sockets of ROOT/proc/net/tcp and tcp6 (root "" in
 * production). A missing tcp6 (IPv6 disabled) is not an error. Returns 0,
 * the callback's nonzero value, PT_ENOTSUP when tcp is missing, PT_EIO or
 * PT_EINVAL on a line that does not parse. */
int pt_diag_read_proc(const char *root, pt_diag_sock_fn fn, void *arg,
                      pt_error_t *err);

/* Parses one line of /proc/net/tcp (family PT_DIAG_AF_INET) or tcp6
 * (PT_DIAG_AF_INET6) into out. Pure. Addresses are the kernel's host-order
 * words, so the result is right for lines produced on this host. Returns 1
 * when a socket was parsed, 0 for the header line, PT_EINVAL otherwise. */
int pt_diag_proc_parse_line(const char *line, int family, pt_diag_sock_t *out);

/* Reads ip_local_port_range, ip_local_reserved_ports and tcp_max_tw_buckets
 * from ROOT/proc/sys/net/ipv4 into cfg, leaving other fields alone; the
 * values are parsed by the core, as the backend parses them. A missing
 * reserved-ports or tw-buckets file leaves the default. Returns 0, PT_EIO,
 * PT_ENOMEM or PT_EINVAL with err naming the file; cfg is freed with
 * pt_diag_config_free either way. */
int pt_diag_read_sysctls(const char *root, pt_diag_config_t *cfg, pt_error_t *err);

/* ---- the whole diagnosis, for the front ends ---- */

/* Reads the port sysctls under root ("" in production) and every TCP socket
 * of this network namespace from source ("netlink", "proc", or "auto":
 * netlink, then /proc when sock_diag is unavailable), and builds the pt_diag_report with "source" set to the reader used. Returns 0
 * with *report a new reference the caller json_decref's, or an error code
 * with err set: PT_EINVAL (a bad source, top_n or threshold), PT_ENOTSUP (no
 * socket table here), PT_EIO, PT_ENOMEM. One implementation per OS, chosen
 * at build time: diag/linux_run.c, win/diag.c (GetExtendedTcpTable; source
 * "auto" only; adds processes, excluded_ranges and advice). */
int pt_diag_run(const char *root, const char *source, unsigned top_n,
                double threshold_pct, json_t **report, pt_error_t *err);

#endif
