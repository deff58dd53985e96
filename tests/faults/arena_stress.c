/* SPDX-License-Identifier: MIT */
/* Stress test of the musl build's allocator (module_src/linux/arena.c): random malloc/calloc/realloc/free with every byte checked. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define ROUNDS 200000

size_t malloc_usable_size(void *p);
void *memalign(size_t align, size_t n);

static struct slot {
    unsigned char *p;
    size_t n;
    unsigned char fill;
} slot[SLOTS];

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int failures;
#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "arena_stress: " __VA_ARGS__);                \
            fputc('\n', stderr);                                          \
            if (++failures > 10)                                          \
                exit(1);                                                  \
        }                                                                 \
    } while (0)

/* Sizes as a run sees them: mostly small, some around the 64 KiB switch to
 * own mappings, a few large. */
static size_t some_size(void)
{
    unsigned long long r = next();

    switch (r % 16) {
    case 0: return 0;
    case 1: return 65536 - 32 + (size_t)(r >> 8) % 64;
    case 2: return (size_t)(r >> 8) % (300 * 1024);
    case 3: return 4096 + (size_t)(r >> 8) % 8192;
    default: return (size_t)(r >> 8) % 200;
    }
}

static void verify(const struct slot *s, size_t n, int i)
{
    size_t j;

    for (j = 0; j < n; j++)
        if (s->p[j] != s->fill) {
            CHECK(0, "slot %d: byte %zu of %zu changed (0x%02x, want 0x%02x)", i, j, s->n,
                  s->p[j], s->fill);
            return;
        }
}

int main(void)
{
    volatile size_t huge, half, first;
    long round;
    int i;
    void *p, *q;

    /* The very first request, larger than the first chunk but below the
     * switch to own mappings (porttune diagnose's first calloc is 24800
     * bytes): it must fit in the chunk it gets. */
    first = 65536 - 64;
    p = calloc(1, first);
    CHECK(p != NULL, "first calloc(%zu) failed", (size_t)first);
    if (p != NULL) {
        memset(p, 0x5a, first);
        CHECK(malloc_usable_size(p) >= first, "first block: usable size below %zu", (size_t)first);
        q = malloc(64);
        CHECK(q != NULL && ((unsigned char *)p)[first - 1] == 0x5a, "first block overwritten");
        free(q);
        free(p);
    }

    for (round = 0; round < ROUNDS; round++) {
        struct slot *s;
        size_t n;
        i = (int)(next() % SLOTS);
        s = &slot[i];
        if (s->p != NULL)
            verify(s, s->n, i);
        switch (next() % 5) {
        case 0:   /* free */
            free(s->p);
            s->p = NULL;
            s->n = 0;
            break;
        case 1:   /* realloc: grow or shrink, contents kept */
            n = some_size();
            p = realloc(s->p, n);
            CHECK(p != NULL || n == 0, "realloc(%zu) failed", n);
            if (p == NULL)
                break;
            s->p = p;
            verify(s, s->n < n ? s->n : n, i);
            memset(s->p, s->fill, n);
            s->n = n;
            break;
        case 2:   /* calloc: zeroed even where freed bytes are handed back */
            free(s->p);
            n = some_size();
            s->p = calloc(1 + n % 7, n / 7 + 1);
            n = (1 + n % 7) * (n / 7 + 1);
            CHECK(s->p != NULL, "calloc of %zu failed", n);
            s->fill = 0;
            s->n = n;
            verify(s, n, i);
            s->fill = (unsigned char)next();
            memset(s->p, s->fill, n);
            break;
        default:  /* malloc */
            free(s->p);
            n = some_size();
            s->p = malloc(n);
            CHECK(s->p != NULL, "malloc(%zu) failed", n);
            CHECK(((uintptr_t)s->p & 15) == 0, "malloc(%zu) not 16-byte aligned", n);
            CHECK(malloc_usable_size(s->p) >= n, "usable size below %zu", n);
            s->fill = (unsigned char)next();
            memset(s->p, s->fill, n);
            s->n = n;
            break;
        }
    }
    for (i = 0; i < SLOTS; i++) {
        if (slot[i].p != NULL)
            verify(&slot[i], slot[i].n, i);
        free(slot[i].p);
    }

    /* Aligned blocks, and requests that would overflow size_t. */
    for (i = 0; i < 200; i++) {
        size_t align = (size_t)1 << (4 + i % 9), n = some_size();
        p = memalign(align, n);
        CHECK(p != NULL && ((uintptr_t)p & (align - 1)) == 0, "memalign(%zu, %zu)", align, n);
        if (p != NULL)
            memset(p, 0xab, n);
        free(p);
    }
    /* volatile: the compiler must not judge these sizes at build time */
    huge = SIZE_MAX - 8;
    half = SIZE_MAX / 2;
    errno = 0;
    CHECK(malloc(huge) == NULL && errno == ENOMEM, "malloc(SIZE_MAX - 8) did not fail");
    CHECK(calloc(half, 3) == NULL, "calloc overflow did not fail");
    CHECK(memalign(4096, huge) == NULL, "memalign(4096, SIZE_MAX - 8) did not fail");
    p = malloc(10);
    q = realloc(p, huge);
    CHECK(q == NULL, "realloc to SIZE_MAX - 8 did not fail");
    free(q != NULL ? q : p);
    if (failures == 0)
        printf("arena_stress: %d rounds over %d slots, every byte intact\n", ROUNDS, SLOTS);
    return failures != 0;
}
