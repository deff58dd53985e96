/* SPDX-License-Identifier: MIT */
/* libFuzzer: the boot-order model over up to three sysctl.d texts (split at 0xff bytes). */
#include "fuzz.h"
#include "core/boot.h"
#include "core/core.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "/a.conf", "/b.conf", "/c.conf" };
    pt_boot_file_t files[3];
    pt_current_t cur;
    pt_error_t err;
    size_t n = 0, start, i;
    long ours;
    int k;

    if (size < 1)
        return 0;
    ours = (long)(data[0] % 4) - 1;   /* -1: ours not read at boot */
    for (start = 1, i = 1; i <= size && n < 3; i++) {
        if (i == size || data[i] == 0xff) {
            files[n].path = names[n];
            files[n].text = (const char *)data + start;
            files[n].len = i - start;
            files[n].masked_by_ours = false;
            n++;
            start = i + 1;
        }
    }
    if (ours >= (long)n)
        ours = -1;
    memset(&cur, 0, sizeof(cur));
    pt_error_init(&err);
    FUZZ_CHECK(pt_boot_model(files, n, ours, (1u << PT_K__COUNT) - 1, &cur, &err) == 0);
    FUZZ_CHECK(cur.nconflicts <= PT_K__COUNT);
    for (k = 0; k < PT_K__COUNT; k++) {
        pt_value_t again;
        char buf[8192];
        if (!cur.key[k].boot_set)
            continue;
        FUZZ_CHECK(cur.key[k].boot_source != NULL);
        /* What the kernel took, it takes again in its own form. */
        FUZZ_CHECK(pt_value_format_sysctl(&cur.key[k].boot, buf, sizeof(buf)) == 0);
        FUZZ_CHECK(pt_value_parse_kernel((pt_key_t)k, buf, NULL, &again) == 0);
        FUZZ_CHECK(pt_value_equal(&again, &cur.key[k].boot));
        pt_value_free(&again);
    }
    for (i = 0; i < cur.nconflicts; i++)
        FUZZ_CHECK(!(cur.conflicts[i].unset && cur.conflicts[i].refused));
    pt_current_free(&cur);
    return 0;
}
