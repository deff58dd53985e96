/* SPDX-License-Identifier: MIT */
/* Win32 plumbing: UTF-8 and wide strings, error texts, child processes with
 * captured output, and pt_os_read_file. */
#include "winsys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PT_RUN_MAX_OUTPUT (64 * 1024)
#define PT_RUN_TIMEOUT_MS 60000
#define PT_READ_MAX (1024 * 1024)

wchar_t *pt__utf8_to_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof(*w));
    if (w != NULL && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

char *pt__wide_to_utf8(const wchar_t *s)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, NULL, 0, NULL, NULL);
    char *u;

    if (n <= 0)
        return NULL;
    u = malloc((size_t)n);
    if (u != NULL && WideCharToMultiByte(CP_UTF8, 0, s, -1, u, n, NULL, NULL) != n) {
        free(u);
        u = NULL;
    }
    return u;
}

void pt__win_strerror(DWORD code, char *buf, size_t size)
{
    wchar_t msg[512];
    char *u = NULL;
    size_t n;
    DWORD len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                               NULL, code, 0, msg, sizeof(msg) / sizeof(msg[0]), NULL);

    if (len > 0)
        u = pt__wide_to_utf8(msg);
    if (u == NULL) {
        snprintf(buf, size, "Windows error %lu", (unsigned long)code);
        return;
    }
    snprintf(buf, size, "%s", u);
    free(u);
    n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
                     buf[n - 1] == '.'))
        buf[--n] = '\0';
}

static int run_error(DWORD code, const char *what, const char *object, pt_error_t *err)
{
    char msg[256];

    pt__win_strerror(code, msg, sizeof(msg));
    return pt_error_set(err, PT_EIO, (int)code, object, "%s: %s: %s.", object, what, msg);
}

int pt__win_run(const wchar_t *exe, const wchar_t *args, char **out,
                DWORD *exit_code, const char *object, pt_error_t *err)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE rd = NULL, wr = NULL, nul = INVALID_HANDLE_VALUE;
    wchar_t *cmd = NULL;
    char *buf = NULL;
    size_t used = 0, clen;
    DWORD n, code;
    int rc = 0;

    *out = NULL;
    memset(&pi, 0, sizeof(pi));
    clen = wcslen(exe) + wcslen(args) + 4;
    cmd = malloc(clen * sizeof(*cmd));
    buf = malloc(PT_RUN_MAX_OUTPUT + 1);
    if (cmd == NULL || buf == NULL) {
        rc = pt_error_set(err, PT_ENOMEM, 0, object, "out of memory");
        goto out;
    }
    /* CreateProcessW may write into the command line: it must be a buffer. */
    cmd[0] = L'"';
    memcpy(cmd + 1, exe, wcslen(exe) * sizeof(*cmd));
    memcpy(cmd + 1 + wcslen(exe), L"\" ", 2 * sizeof(*cmd));
    memcpy(cmd + 3 + wcslen(exe), args, (wcslen(args) + 1) * sizeof(*cmd));
    if (!CreatePipe(&rd, &wr, &sa, 0) || !SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0)) {
        rc = run_error(GetLastError(), "cannot create a pipe", object, err);
        goto out;
    }
    nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                      OPEN_EXISTING, 0, NULL);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = nul;
    si.hStdOutput = wr;
    si.hStdError = wr;
    if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) {
        char *u8 = pt__wide_to_utf8(exe), what[600];
        code = GetLastError();
        snprintf(what, sizeof(what), "cannot start %s", u8 ? u8 : "the program");
        free(u8);
        rc = run_error(code, what, object, err);
        goto out;
    }
    /* Our copy of the write end must go, or ReadFile never sees the end. */
    CloseHandle(wr);
    wr = NULL;
    for (;;) {
        char chunk[4096];
        if (!ReadFile(rd, chunk, sizeof(chunk), &n, NULL) || n == 0)
            break;
        if (used + n > PT_RUN_MAX_OUTPUT)
            n = (DWORD)(PT_RUN_MAX_OUTPUT - used);
        memcpy(buf + used, chunk, n);
        used += n;
    }
    buf[used] = '\0';
    if (WaitForSingleObject(pi.hProcess, PT_RUN_TIMEOUT_MS) != WAIT_OBJECT_0) {
        TerminateProcess(pi.hProcess, 1);
        rc = pt_error_set(err, PT_EIO, 0, object, "%s: the program did not finish within %d s.",
                          object, PT_RUN_TIMEOUT_MS / 1000);
        goto out;
    }
    if (!GetExitCodeProcess(pi.hProcess, &code)) {
        rc = run_error(GetLastError(), "cannot read the exit code", object, err);
        goto out;
    }
    *exit_code = code;
    *out = buf;
    buf = NULL;
out:
    if (pi.hProcess != NULL)
        CloseHandle(pi.hProcess);
    if (pi.hThread != NULL)
        CloseHandle(pi.hThread);
    if (rd != NULL)
        CloseHandle(rd);
    if (wr != NULL)
        CloseHandle(wr);
    if (nul != INVALID_HANDLE_VALUE)
        CloseHandle(nul);
    free(cmd);
    free(buf);
    return rc;
}

int pt_os_read_file(const char *utf8_path, char **text, size_t *len, pt_error_t *err)
{
    wchar_t *wpath = pt__utf8_to_wide(utf8_path);
    HANDLE h = INVALID_HANDLE_VALUE;
    LARGE_INTEGER size;
    char *buf = NULL, msg[256];
    DWORD n, code;

    *text = NULL;
    if (wpath == NULL)
        return pt_error_set(err, PT_EIO, 0, utf8_path,
                            "cannot read %s: the path is not valid UTF-8", utf8_path);
    h = CreateFileW(wpath, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE)
        goto os_error;
    if (!GetFileSizeEx(h, &size))
        goto os_error;
    if (size.QuadPart > PT_READ_MAX) {
        CloseHandle(h);
        return pt_error_set(err, PT_EIO, 0, utf8_path,
                            "cannot read %s: larger than %d bytes", utf8_path, PT_READ_MAX);
    }
    buf = malloc((size_t)size.QuadPart + 1);
    if (buf == NULL) {
        CloseHandle(h);
        return pt_error_set(err, PT_ENOMEM, 0, utf8_path, "out of memory");
    }
    if (!ReadFile(h, buf, (DWORD)size.QuadPart, &n, NULL))
        goto os_error;
    CloseHandle(h);
    buf[n] = '\0';
    *text = buf;
    if (len != NULL)
        *len = n;
    return 0;
os_error:
    code = GetLastError();
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    free(buf);
    pt__win_strerror(code, msg, sizeof(msg));
    return pt_error_set(err, PT_EIO, (int)code, utf8_path, "cannot read %s: %s", utf8_path, msg);
}

bool pt_os_file_exists(const char *utf8_path)
{
    wchar_t *wpath = pt__utf8_to_wide(utf8_path);
    DWORD attr;

    if (wpath == NULL)
        return false;
    attr = GetFileAttributesW(wpath);
    free(wpath);
    return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}
