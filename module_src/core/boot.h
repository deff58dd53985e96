/* SPDX-License-Identifier: MIT */
/* systemd-sysctl's boot order without the OS: sysctl.d texts in, values out. */
#ifndef PT_BOOT_H
#define PT_BOOT_H

#include "porttune.h"

/* One sysctl.d file that survived masking, in the order systemd-sysctl
 * reads them (sorted by name). */
typedef struct pt_boot_file {
    const char *path;     /* as reported in boot_source and conflicts */
    const char *text;     /* its bytes (NULs allowed); NULL: unreadable */
    size_t len;
    bool masked_by_ours;  /* read now, but masked once sysctl_file exists:
                             no conflict */
} pt_boot_file_t;

/* Applies systemd-sysctl's rules (systemd 252) to files[0..n): lines end at
 * \n, \r or NUL; "-KEY" drops earlier assignments and keeps KEY out of
 * globs; a glob never overrides an explicit KEY; a re-assignment with the
 * same text keeps its place; values go through the kernel's grammar
 * (pt_value_parse_kernel), and a refused write keeps the previous value.
 * ours is the index of sysctl_file in files, or -1 when it is not read at
 * boot; supported has bit 1 << k for each key this kernel has (globs only
 * match existing files). Fills cur->key[k].boot, boot_set and boot_source
 * (as the files stand) and appends to cur->conflicts, per key, the line
 * that decides it after ours (any file when ours is -1). Returns 0, or
 * PT_ENOMEM with err set. */
int pt_boot_model(const pt_boot_file_t *files, size_t n, long ours, unsigned supported,
                  pt_current_t *cur, pt_error_t *err);

/* sysctl.d's key spelling in systemd's normal form: '/' separators (when
 * the first separator is '.', dots and slashes swap), no empty or "."
 * segments, no leading slash. Owned; NULL on ENOMEM. */
char *pt_boot_key_normalize(const char *key, size_t len);

#endif
