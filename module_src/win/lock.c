/* SPDX-License-Identifier: MIT */
/* Run lock on Windows: a named mutex, so that two runs do not interleave
 * reading, recording originals and writing the registry and netsh. */
#include "winsys.h"

#include <stdlib.h>

#define LOCK_NAME L"Global\\porttune-run"
#define LOCK_WAIT_MS 120000

struct pt_lock {
    HANDLE mutex;
};

int pt_backend_lock(const pt_ctx_t *ctx, const pt_options_t *opts, pt_lock_t **lock,
                    pt_error_t *err)
{
    pt_lock_t *l;
    DWORD w;
    char msg[256];

    (void)ctx;
    (void)opts;
    *lock = NULL;
    l = calloc(1, sizeof(*l));
    if (l == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, "lock", "out of memory");
    l->mutex = CreateMutexW(NULL, FALSE, LOCK_NAME);
    if (l->mutex == NULL) {
        pt__win_strerror(GetLastError(), msg, sizeof(msg));
        free(l);
        return pt_error_set(err, PT_EIO, 0, "lock",
            "cannot create the run lock (mutex %ls): %s. Nothing was changed.", LOCK_NAME, msg);
    }
    w = WaitForSingleObject(l->mutex, LOCK_WAIT_MS);
    /* WAIT_ABANDONED: the holder died; the mutex is ours now, and what it
     * wrote is read afresh like anything else. */
    if (w != WAIT_OBJECT_0 && w != WAIT_ABANDONED) {
        CloseHandle(l->mutex);
        free(l);
        return pt_error_set(err, PT_EIO, 0, "lock",
            "another porttune run held the run lock for %d s; nothing was changed. "
            "Try again when it has finished.", LOCK_WAIT_MS / 1000);
    }
    *lock = l;
    return 0;
}

void pt_backend_unlock(pt_lock_t *lock)
{
    if (lock == NULL)
        return;
    ReleaseMutex(lock->mutex);
    CloseHandle(lock->mutex);
    free(lock);
}
