/* SPDX-License-Identifier: MIT */
/* TEST HELPER for the Wine tests: holds porttune's run lock (the named mutex
 * Global\porttune-run, module_src/win/lock.c) like a run in progress, writes
 * "locked" to stdout once it holds it, and keeps it until killed or until
 * SECONDS (argument, default 60) have passed. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    HANDLE m = CreateMutexW(NULL, FALSE, L"Global\\porttune-run");
    DWORD secs = argc > 1 ? (DWORD)strtoul(argv[1], NULL, 10) : 60;

    if (m == NULL || WaitForSingleObject(m, 10000) != WAIT_OBJECT_0) {
        fputs("hold_lock: cannot take Global\\porttune-run\n", stderr);
        return 1;
    }
    fputs("locked\n", stdout);
    fflush(stdout);
    Sleep(secs * 1000);
    ReleaseMutex(m);
    CloseHandle(m);
    return 0;
}
