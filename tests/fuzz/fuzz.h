/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer targets: a failed invariant aborts with a message. */
#ifndef PT_FUZZ_H
#define PT_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porttune.h"

/* assert() vanishes under NDEBUG; an invariant must never. */
#define FUZZ_CHECK(cond)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                     \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* Only these characters may come out of formatting a value: nothing that
 * could end a line, start a comment or a second assignment. */
static inline int fuzz_safe_value_text(const char *s)
{
    return s != NULL && s[strspn(s, "0123456789 ,-")] == '\0';
}

/* The options with a sysctl name (keys the Linux file can hold). */
static inline int fuzz_linux_key(int i)
{
    return i >= 0 && i < PT_K__COUNT && pt_keys[i].linux_key;
}

#endif
