/* SPDX-License-Identifier: MIT */
/* Windows: no run lock yet; registry values and netsh settings are written one at a time, with no file to read, edit and replace. */
#include "porttune.h"

#include <stddef.h>

int pt_backend_lock(const pt_ctx_t *ctx, const pt_options_t *opts, pt_lock_t **lock,
                    pt_error_t *err)
{
    (void)ctx;
    (void)opts;
    (void)err;
    *lock = NULL;
    return 0;
}

void pt_backend_unlock(pt_lock_t *lock)
{
    (void)lock;
}
