/* SPDX-License-Identifier: MIT */
/* libFuzzer: the parser of `netsh int ipvX show dynamicport tcp` output and netsh's message folding. */
#include "fuzz.h"
#include "win/internal.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned long start = 7, count = 7;
    char *text, buf[256];
    size_t bsize, n, i;

    if (size < 1)
        return 0;
    text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (pt__netsh_parse_dynamicport(text, &start, &count) == 0) {
        /* What Windows itself accepts, so it can be set back as read. */
        FUZZ_CHECK(start >= 1 && start <= 65535 && count >= 1);
        FUZZ_CHECK(start + count - 1 <= 65535);
    } else {
        FUZZ_CHECK(start == 7 && count == 7);   /* untouched on failure */
    }
    bsize = data[0] % sizeof(buf);
    memset(buf, 'X', sizeof(buf));
    pt__netsh_message(text, buf, bsize);
    if (bsize > 0) {
        n = strlen(buf);
        FUZZ_CHECK(n < bsize);
        for (i = 0; i < n; i++)
            FUZZ_CHECK(buf[i] != '\n' && buf[i] != '\r' && !(buf[i] == ' ' && (i == 0 || buf[i - 1] == ' ')));
    } else {
        FUZZ_CHECK(buf[0] == 'X');
    }
    free(text);
    return 0;
}
