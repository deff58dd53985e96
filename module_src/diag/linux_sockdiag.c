/* SPDX-License-Identifier: MIT */
/* Streams the TCP sockets of the current network namespace from NETLINK_SOCK_DIAG. */
#include "diag/diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

/* Plain netlink rather than libmnl: one request and a receive loop are
 * ~100 lines, and the shipped binary is static musl, where every extra
 * library has to be built from source like jansson is. */

/* Every state ss asks for with "all" (bits 1..12). Bit 13,
 * TCP_BOUND_INACTIVE (kernel >= 6.5), is left out as ss and /proc/net/tcp
 * leave it out: bound-but-unconnected sockets are neither a destination nor
 * a listener. */
#define ALL_STATES 0x1ffeU

/* Large enough for the kernel's dump batches (it fills up to ~32 KiB per
 * recv when the buffer allows, fewer syscalls than one page at a time). */
#define RECV_BUF (64 * 1024)

/* NLMSG_OK, whose expansion compares nlmsg_len (__u32) with the int length:
 * clang's -Wsign-compare rejects that (gcc hides it as a system-header macro). */
static bool msg_ok(const struct nlmsghdr *h, int len)
{
    return len >= (int)sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
           h->nlmsg_len <= (unsigned)len;
}

/* The kernel writes every field in host order except inet_diag_sockid's
 * ports and addresses, which are network order (big-endian): ntohs for the
 * ports, the address bytes copied as they are. */
int pt_diag_netlink_parse(const void *buf, size_t n, uint32_t seq, const char *object,
                          pt_diag_sock_fn fn, void *arg, bool *done, pt_error_t *err)
{
    const struct nlmsghdr *h;
    int len = n > RECV_BUF ? RECV_BUF : (int)n;

    *done = false;
    for (h = buf; msg_ok(h, len); h = NLMSG_NEXT(h, len)) {
        const struct inet_diag_msg *m;
        pt_diag_sock_t s;
        int rc;

        if (h->nlmsg_seq != seq)
            continue;
        if (h->nlmsg_type == NLMSG_DONE) {
            *done = true;
            return 0;
        }
        if (h->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *e = NLMSG_DATA(h);
            int code = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? -e->error : EIO;

            /* No handler for the family (IPv6 off, or diag modules
             * absent): let the caller decide. */
            if (code == ENOENT || code == EOPNOTSUPP || code == EAFNOSUPPORT)
                return PT_ENOTSUP;
            return pt_error_set(err, PT_EIO, code, object,
                                "The kernel refused the %s dump: %s.", object,
                                strerror(code));
        }
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
            h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
            continue;
        m = NLMSG_DATA(h);
        memset(&s, 0, sizeof(s));
        s.family = m->idiag_family == AF_INET6 ? PT_DIAG_AF_INET6 : PT_DIAG_AF_INET;
        s.state = m->idiag_state;
        s.lport = ntohs(m->id.idiag_sport);
        s.rport = ntohs(m->id.idiag_dport);
        memcpy(s.laddr, m->id.idiag_src, 16);
        memcpy(s.raddr, m->id.idiag_dst, 16);
        rc = fn(&s, arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int dump_family(int fd, int family, char *buf, pt_diag_sock_fn fn, void *arg,
                       pt_error_t *err)
{
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    const char *object = family == AF_INET ? "sock_diag AF_INET" : "sock_diag AF_INET6";

    memset(&msg, 0, sizeof(msg));
    msg.nlh.nlmsg_len = sizeof(msg);
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nlh.nlmsg_seq = (uint32_t)family;
    msg.req.sdiag_family = (uint8_t)family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ALL_STATES;
    /* idiag_ext stays 0: no meminfo/tcp_info attributes, ~72 bytes per socket. */

    for (;;) {
        ssize_t r = sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel,
                           sizeof(kernel));

        if (r >= 0)
            break;
        if (errno != EINTR)
            return pt_error_set(err, PT_EIO, errno, object,
                                "Cannot send the %s dump request: %s.", object,
                                strerror(errno));
    }
    for (;;) {
        ssize_t n = recv(fd, buf, RECV_BUF, 0);
        bool done = false;
        int rc;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return pt_error_set(err, PT_EIO, errno, object,
                                "Cannot read the %s dump: %s.", object, strerror(errno));
        }
        if (n == 0)
            return pt_error_set(err, PT_EIO, 0, object,
                                "The %s dump ended without NLMSG_DONE.", object);
        rc = pt_diag_netlink_parse(buf, (size_t)n, (uint32_t)family, object, fn, arg,
                                   &done, err);
        if (rc != 0 || done)
            return rc;
    }
}

int pt_diag_read_netlink(pt_diag_sock_fn fn, void *arg, pt_error_t *err)
{
    static const int families[] = { AF_INET, AF_INET6 };
    char *buf = NULL;
    int fd = -1, rc = 0;

    fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
        int e = errno;

        if (e == EPROTONOSUPPORT || e == EAFNOSUPPORT || e == EACCES || e == EPERM)
            return pt_error_set(err, PT_ENOTSUP, e, "sock_diag",
                                "NETLINK_SOCK_DIAG is not available: %s.", strerror(e));
        return pt_error_set(err, PT_EIO, e, "sock_diag",
                            "Cannot open a NETLINK_SOCK_DIAG socket: %s.", strerror(e));
    }
    buf = malloc(RECV_BUF);
    if (buf == NULL) {
        rc = pt_error_set(err, PT_ENOMEM, ENOMEM, "sock_diag",
                          "Out of memory for the sock_diag buffer.");
        goto out;
    }
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        rc = dump_family(fd, families[i], buf, fn, arg, err);
        if (rc == PT_ENOTSUP && families[i] == AF_INET6) {
            rc = 0;
            continue;
        }
        if (rc == PT_ENOTSUP)
            rc = pt_error_set(err, PT_ENOTSUP, ENOENT, "sock_diag AF_INET",
                              "The kernel has no TCP sock_diag handler (tcp_diag).");
        if (rc != 0)
            break;
    }
out:
    free(buf);
    close(fd);
    return rc;
}
