/* SPDX-License-Identifier: MIT */
/* Test launcher: runs a command with socket(AF_NETLINK, ...) refused by a seccomp filter, as in a sandbox without sock_diag. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>

/* Only the native ABI is filtered by number: a syscall from another ABI
 * (x32, i386 on x86_64) would have other numbers, so it kills the process
 * instead of slipping past. i386 itself reaches socket() through
 * socketcall(2) on older libcs and is not supported here. */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH AUDIT_ARCH_RISCV64
#else
#error "no_netlink.c: add this architecture's AUDIT_ARCH_ value"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define EXIT_LAUNCHER 125

static const struct {
    const char *name;
    int code;
} errnos[] = {
    { "EAFNOSUPPORT", EAFNOSUPPORT },        /* systemd RestrictAddressFamilies= */
    { "EPERM", EPERM },                      /* container runtimes' default profiles */
    { "EACCES", EACCES },                    /* an LSM refusing the socket */
    { "EPROTONOSUPPORT", EPROTONOSUPPORT },  /* a kernel without NETLINK_SOCK_DIAG */
};

static void usage(FILE *out)
{
    fputs("usage: no-netlink [--errno EAFNOSUPPORT|EPERM|EACCES|EPROTONOSUPPORT] "
          "COMMAND [ARG...]\n"
          "Runs COMMAND with every socket(AF_NETLINK, ...) failing with the errno\n"
          "(default EAFNOSUPPORT); other sockets work. Exit 125 when the filter\n"
          "cannot be installed or does not work, 126/127 when COMMAND cannot run.\n",
          out);
}

static int install(int code)
{
    struct sock_filter prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        /* x32 numbers carry this bit under the x86_64 arch value. */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)code & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog fprog = { (unsigned short)(sizeof(prog) / sizeof(prog[0])), prog };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "no-netlink: PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
        return -1;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) != 0) {
        fprintf(stderr, "no-netlink: PR_SET_SECCOMP: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* Proves the filter before trusting it: the netlink socket porttune opens
 * fails with the chosen errno, and a socket of another family still opens. */
static int self_check(int code)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    int e = errno;

    if (fd >= 0 || e != code) {
        fprintf(stderr, "no-netlink: the filter did not refuse socket(AF_NETLINK) with %s "
                "(fd %d, errno %d)\n", strerror(code), fd, fd >= 0 ? 0 : e);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "no-netlink: the filter refused socket(AF_UNIX) too: %s\n",
                strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    int code = EAFNOSUPPORT, i = 1;
    size_t j;

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--errno") == 0) {
        for (j = 0; j < sizeof(errnos) / sizeof(errnos[0]); j++)
            if (strcmp(argv[2], errnos[j].name) == 0)
                break;
        if (j == sizeof(errnos) / sizeof(errnos[0])) {
            fprintf(stderr, "no-netlink: unknown errno name '%s'\n", argv[2]);
            usage(stderr);
            return EXIT_LAUNCHER;
        }
        code = errnos[j].code;
        i = 3;
    }
    if (i >= argc || argv[i][0] == '-') {
        usage(stderr);
        return EXIT_LAUNCHER;
    }
    if (install(code) != 0 || self_check(code) != 0)
        return EXIT_LAUNCHER;
    execvp(argv[i], argv + i);
    fprintf(stderr, "no-netlink: cannot run %s: %s\n", argv[i], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
