/* SPDX-License-Identifier: MIT */
/* pt_os_read_file, pt_os_file_exists, pt_os_write_file_atomic, pt_os_time_now for Linux: paths are bytes, so UTF-8 passes through. */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int pt_os_read_file(const char *utf8_path, char **text, size_t *len, pt_error_t *err)
{
    int rc = pt__read_file(utf8_path, text, len);

    if (rc == 0)
        return 0;
    return pt_error_set(err, rc == -ENOMEM ? PT_ENOMEM : PT_EIO, -rc, utf8_path,
                        "cannot read %s: %s", utf8_path, strerror(-rc));
}

bool pt_os_file_exists(const char *utf8_path)
{
    struct stat st;

    return stat(utf8_path, &st) == 0 && !S_ISDIR(st.st_mode);
}

int pt_os_write_file_atomic(const char *utf8_path, const char *text, const char *object,
                            pt_error_t *err)
{
    return pt__write_atomic(utf8_path, text, 0644, object, err);
}

double pt_os_time_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (double)time(NULL);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
