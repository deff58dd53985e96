/* SPDX-License-Identifier: MIT */
/* POSIX fnmatch for the mingw build, which has none (core/conf.c uses it for
 * sysctl.d glob keys); only the windows build puts this folder on the path. */
#ifndef PT_WIN_COMPAT_FNMATCH_H
#define PT_WIN_COMPAT_FNMATCH_H

#define FNM_NOMATCH 1

/* Matches string against pattern (*, ?, [...] with ! or ^, backslash
 * escapes) as fnmatch with flags 0; other flags are not supported. Returns 0
 * on a match, FNM_NOMATCH otherwise. */
int fnmatch(const char *pattern, const char *string, int flags);

#endif
