/* SPDX-License-Identifier: MIT */
/* The TCP tables through GetExtendedTcpTable, row by row as the diagnosis' sockets. */
/* winsock2.h before windows.h (winsys.h): AF_INET6 and no clash with winsock 1. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include "winsys.h"
#include "diag/diag.h"

#include <iphlpapi.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* MIB_TCP_STATE (CLOSED 1 .. DELETE_TCB 12) to the kernel numbering the
 * aggregator counts in; DELETE_TCB is a connection being torn down. */
static uint8_t state_of(DWORD s)
{
    static const uint8_t map[13] = {
        0, PT_TCP_CLOSE, PT_TCP_LISTEN, PT_TCP_SYN_SENT, PT_TCP_SYN_RECV,
        PT_TCP_ESTABLISHED, PT_TCP_FIN_WAIT1, PT_TCP_FIN_WAIT2, PT_TCP_CLOSE_WAIT,
        PT_TCP_CLOSING, PT_TCP_LAST_ACK, PT_TCP_TIME_WAIT, PT_TCP_CLOSE,
    };

    return s < 13 ? map[s] : 0;
}

/* Ports sit in network order in the low 16 bits. */
static uint16_t port_of(DWORD p)
{
    return (uint16_t)(((p & 0xff) << 8) | ((p >> 8) & 0xff));
}

/* The row count from the cheap class without owners, for the buffer size:
 * a call that is too small still builds the whole table first, and Wine
 * finds each row's owner by scanning every process' descriptors (seconds
 * per thousand rows), so the owner class is asked once where it can be. */
static DWORD estimate(ULONG af)
{
    DWORD size = 0;

    (void)GetExtendedTcpTable(NULL, &size, FALSE, af, TCP_TABLE_BASIC_ALL, 0);
    return size;
}

/* The whole table in one owned buffer, asked again while it grows. */
static int fetch(int fam, void **buf, pt_error_t *err)
{
    ULONG af = fam ? AF_INET6 : AF_INET;
    /* A basic row is 20 bytes (IPv4) and the owner row 24, or 52 and 56:
     * 1.25 times the basic size with room to grow covers both. */
    DWORD size = estimate(af), rc = ERROR_INSUFFICIENT_BUFFER;
    int tries;

    size += size / 4 + 4096;
    *buf = NULL;
    for (tries = 0; tries < 8 && rc == ERROR_INSUFFICIENT_BUFFER; tries++) {
        free(*buf);
        if ((*buf = malloc(size)) == NULL)
            return pt_error_set(err, PT_ENOMEM, ENOMEM, "diagnosis",
                                "Out of memory reading the TCP table.");
        rc = GetExtendedTcpTable(*buf, &size, FALSE, af, TCP_TABLE_OWNER_PID_ALL, 0);
        if (rc == NO_ERROR)
            return 0;
        size += size / 8 + 4096;
    }
    free(*buf);
    *buf = NULL;
    if (fam && (rc == ERROR_NOT_SUPPORTED || rc == ERROR_INVALID_PARAMETER))
        return 1;     /* no IPv6 stack: an empty table */
    {
        char msg[256];

        pt__win_strerror(rc, msg, sizeof(msg));
        return pt_error_set(err, PT_EIO, (int)rc, "GetExtendedTcpTable",
                            "Cannot read the %s TCP table (GetExtendedTcpTable): %s. "
                            "Nothing was changed.", fam ? "IPv6" : "IPv4", msg);
    }
}

int pt__tcptable_fetch(int fam, void **table, pt_error_t *err)
{
    int rc = fetch(fam, table, err);

    return rc == 1 ? 0 : rc;
}

int pt__tcptable_walk(int fam, const void *table, pt_tcprow_fn fn, void *arg)
{
    pt_diag_sock_t s;
    DWORD i;
    int rc = 0;

    if (table == NULL)
        return 0;
    memset(&s, 0, sizeof(s));
    if (!fam) {
        const MIB_TCPTABLE_OWNER_PID *t = table;

        s.family = PT_DIAG_AF_INET;
        for (i = 0; i < t->dwNumEntries && rc == 0; i++) {
            const MIB_TCPROW_OWNER_PID *r = &t->table[i];

            s.state = state_of(r->dwState);
            s.lport = port_of(r->dwLocalPort);
            s.rport = port_of(r->dwRemotePort);
            memcpy(s.laddr, &r->dwLocalAddr, 4);
            memcpy(s.raddr, &r->dwRemoteAddr, 4);
            rc = fn(&s, r->dwOwningPid, arg);
        }
    } else {
        const MIB_TCP6TABLE_OWNER_PID *t = table;

        s.family = PT_DIAG_AF_INET6;
        for (i = 0; i < t->dwNumEntries && rc == 0; i++) {
            const MIB_TCP6ROW_OWNER_PID *r = &t->table[i];

            s.state = state_of(r->dwState);
            s.lport = port_of(r->dwLocalPort);
            s.rport = port_of(r->dwRemotePort);
            memcpy(s.laddr, r->ucLocalAddr, 16);
            memcpy(s.raddr, r->ucRemoteAddr, 16);
            rc = fn(&s, r->dwOwningPid, arg);
        }
    }
    return rc;
}
