/* SPDX-License-Identifier: MIT */
/* The table of settings porttune manages, with their allowed ranges. */
#include "porttune.h"

#include <string.h>

/* Bounds: the kernel accepts more (tcp_fin_timeout -1, huge bucket counts);
 * these are the values an admin can mean. */
const pt_keyinfo_t pt_keys[PT_K__COUNT] = {
    { PT_K_PORT_RANGE, "port_range", "net.ipv4.ip_local_port_range", NULL,
      PT_T_RANGE, 1, 65535, true, true },
    { PT_K_RESERVED_PORTS, "reserved_ports", "net.ipv4.ip_local_reserved_ports", NULL,
      PT_T_PORTSET, 1, 65535, true, true },
    { PT_K_FIN_TIMEOUT, "fin_timeout", "net.ipv4.tcp_fin_timeout", NULL,
      PT_T_INT, 1, 300, true, false },
    { PT_K_TW_REUSE, "tw_reuse", "net.ipv4.tcp_tw_reuse", NULL,
      PT_T_INT, 0, 2, true, false },
    { PT_K_TW_REUSE_DELAY, "tw_reuse_delay", "net.ipv4.tcp_tw_reuse_delay", NULL,
      PT_T_INT, 1, 60000, true, false },
    { PT_K_MAX_TW_BUCKETS, "max_tw_buckets", "net.ipv4.tcp_max_tw_buckets", NULL,
      PT_T_INT, 0, 16777216, true, false },
    { PT_K_TIME_WAIT_DELAY, "time_wait_delay", NULL, "TcpTimedWaitDelay",
      PT_T_INT, 30, 300, false, true },
    { PT_K_MAX_USER_PORT, "max_user_port", NULL, "MaxUserPort",
      PT_T_INT, 5000, 65534, false, true },
};

const pt_keyinfo_t *pt_key_by_option(const char *option)
{
    int i;

    for (i = 0; i < PT_K__COUNT; i++)
        if (strcmp(pt_keys[i].option, option) == 0)
            return &pt_keys[i];
    return NULL;
}

/* Accepts the dotted and the slashed spelling (net/ipv4/...), as sysctl does:
 * the first separator in the name decides (sysctl.d(5)); after a slash,
 * slashes separate and dots are part of the names (net/ipv4.x is not ours). */
const pt_keyinfo_t *pt_key_by_sysctl(const char *name)
{
    size_t first = strcspn(name, "./"), j;
    char sep = name[first] == '/' ? '/' : '.';
    int i;

    for (i = 0; i < PT_K__COUNT; i++) {
        const char *s = pt_keys[i].sysctl;
        if (s == NULL)
            continue;
        for (j = 0; s[j] != '\0' && name[j] != '\0'; j++)
            if (name[j] != (s[j] == '.' ? sep : s[j]))
                break;
        if (s[j] == '\0' && name[j] == '\0')
            return &pt_keys[i];
    }
    return NULL;
}
