/* SPDX-License-Identifier: MIT */
/* Process entry point on Linux (Windows has its own wide-character one). */
#include "ansible/ansible.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

/* jansson seeds its hash function on first use by reading /dev/urandom (an
 * open, a read and a close per run). The kernel already hands every process
 * 16 random bytes (AT_RANDOM); libc takes the first 8 for the stack
 * protector's canary, so the hash seed comes from the other 8. */
static void seed_json(void)
{
    const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
    uint64_t seed;

    if (r == NULL)
        return;   /* jansson seeds itself */
    memcpy(&seed, r + 8, sizeof(seed));
    json_object_seed(seed != 0 ? (size_t)seed : 1);   /* 0 asks jansson to seed itself */
}

int main(int argc, char **argv)
{
    seed_json();
    return pt_main(argc, argv);
}
