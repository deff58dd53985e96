/* SPDX-License-Identifier: MIT */
/* pt_os_write_file_atomic (a flushed temporary file moved over the target) and pt_os_time_now for Windows. */
#include "winsys.h"

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

int pt_os_write_file_atomic(const char *utf8_path, const char *text, const char *object,
                            pt_error_t *err)
{
    wchar_t *wpath = pt__utf8_to_wide(utf8_path), *wtmp = NULL;
    HANDLE h = INVALID_HANDLE_VALUE;
    size_t len = strlen(text), n;
    DWORD done, code = 0;
    char msg[256];

    if (wpath == NULL)
        return pt_error_set(err, PT_EIO, 0, object,
                            "cannot write %s: the path is not valid UTF-8. Nothing was changed.",
                            utf8_path);
    n = wcslen(wpath) + 32;
    wtmp = malloc(n * sizeof(wchar_t));
    if (wtmp == NULL) {
        free(wpath);
        return pt_error_set(err, PT_ENOMEM, 0, object, "out of memory. Nothing was changed.");
    }
    /* Same directory, so MoveFileEx renames instead of copying. */
    swprintf(wtmp, n, L"%ls.porttune-%lu", wpath, (unsigned long)GetCurrentProcessId());
    h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        goto os_error;
    while (len > 0) {
        DWORD chunk = len > 0x40000000 ? 0x40000000 : (DWORD)len;

        if (!WriteFile(h, text, chunk, &done, NULL))
            goto os_error;
        text += done;
        len -= done;
    }
    if (!FlushFileBuffers(h))
        goto os_error;
    CloseHandle(h);
    h = INVALID_HANDLE_VALUE;
    if (!MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        goto os_error;
    free(wtmp);
    free(wpath);
    return 0;
os_error:
    code = GetLastError();
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    DeleteFileW(wtmp);
    free(wtmp);
    free(wpath);
    pt__win_strerror(code, msg, sizeof(msg));
    return pt_error_set(err, PT_EIO, (int)code, object,
                        "cannot write %s: %s. The file was left as it was.", utf8_path, msg);
}

double pt_os_time_now(void)
{
    FILETIME ft;
    unsigned long long ticks;

    /* 100 ns ticks since 1601-01-01; the Unix epoch is 11644473600 s later. */
    GetSystemTimeAsFileTime(&ft);
    ticks = (unsigned long long)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
    return (double)ticks / 1e7 - 11644473600.0;
}
