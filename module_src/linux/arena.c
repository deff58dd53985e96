/* SPDX-License-Identifier: MIT */
/* malloc for the shipped static musl binary: a bump arena, pre-faulted. */

/* Why: a module run lives about a millisecond and allocates a few hundred
 * small blocks. musl's mallocng spreads them over fresh pages, and on a VM
 * every first touch of a page traps to the hypervisor: three quarters of a
 * run's page faults were malloc's. One mmap with MAP_POPULATE faults the
 * arena in a single call. Blocks of 64 KiB and more get their own mapping and
 * are unmapped on free, so long loops that free big buffers (the socket
 * diagnosis) stay bounded. Linked only into the musl build: sanitizer and
 * valgrind builds keep the libc allocator they instrument. */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);
void *aligned_alloc(size_t align, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
void *memalign(size_t align, size_t n);
size_t malloc_usable_size(void *p);

#define ALIGN       16u
#define BIG         (64u * 1024u)
/* A module run's high-water mark with Ansible's arguments (bench/module):
 * 18 KiB, idempotent or converging; diff mode adds the texts. Populating
 * costs as much per page as faulting it in (about 2 us a page on this VM),
 * so pages the run never uses are pure cost; a run that needs more faults
 * its pages in from the next chunk. */
#define FIRST_CHUNK (20u * 1024u)
#define NEXT_CHUNK  (256u * 1024u)
#define PAGE        4096u

typedef struct hdr {
    size_t size;      /* usable bytes */
    size_t mapped;    /* length of its own mapping, 0 inside the arena */
} hdr_t;

/* Freed small blocks, one LIFO list per size (16, 32, ... SMALL bytes),
 * linked through their first word: jansson frees and reallocates many small
 * blocks out of order, and reusing them keeps a run's heap to fewer pages
 * (20 -> 18 KiB idempotent, 25.6 -> 18.6 KiB converging). */
#define SMALL       256u
static hdr_t *bins[SMALL / ALIGN + 1];

static char *cur, *end;
static int chunks;

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) & ~(to - 1);
}

static void *map(size_t len, int populate)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

static void *big_alloc(size_t n)
{
    size_t len;
    hdr_t *h;

    if (n > SIZE_MAX - PAGE - sizeof(hdr_t)) {
        errno = ENOMEM;
        return NULL;
    }
    len = round_up(n + sizeof(hdr_t), PAGE);
    h = map(len, 0);
    if (h == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    h->size = len - sizeof(hdr_t);
    h->mapped = len;
    return h + 1;
}

void *malloc(size_t n)
{
    size_t need;
    hdr_t *h;

    if (n >= BIG)
        return big_alloc(n);
    need = round_up(n ? n : 1, ALIGN) + sizeof(hdr_t);
    if (need - sizeof(hdr_t) <= SMALL && bins[(need - sizeof(hdr_t)) / ALIGN] != NULL) {
        void *next;
        h = bins[(need - sizeof(hdr_t)) / ALIGN];
        memcpy(&next, h + 1, sizeof(next));   /* the freed block's link */
        bins[h->size / ALIGN] = next;
        return h + 1;
    }
    if (cur == NULL || (size_t)(end - cur) < need) {
        /* A first request larger than the first chunk (the diagnosis's
         * 24 KiB table) gets a full chunk, unpopulated, like the later ones. */
        size_t len = chunks == 0 && need <= FIRST_CHUNK ? FIRST_CHUNK : NEXT_CHUNK;
        char *c = map(len, len == FIRST_CHUNK);
        if (c == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        chunks++;
        cur = c;
        end = c + len;
    }
    h = (hdr_t *)cur;
    h->size = need - sizeof(hdr_t);
    h->mapped = 0;
    cur += need;
    return h + 1;
}

void free(void *p)
{
    hdr_t *h;

    if (p == NULL)
        return;
    h = (hdr_t *)p - 1;
    if (h->mapped != 0)   /* the mapping starts at the header's page */
        munmap((void *)((uintptr_t)h & ~(uintptr_t)(PAGE - 1)), h->mapped);
    else if ((char *)p + h->size == cur)
        cur = (char *)h;    /* the newest block: hand it back */
    else if (h->size <= SMALL) {
        memcpy(p, &bins[h->size / ALIGN], sizeof(hdr_t *));
        bins[h->size / ALIGN] = h;
    }
}

void *calloc(size_t count, size_t size)
{
    void *p;

    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    p = malloc(count * size);
    if (p != NULL && count * size < BIG)
        memset(p, 0, count * size);   /* arena bytes may have been handed back */
    return p;
}

void *realloc(void *p, size_t n)
{
    hdr_t *h;
    void *q;

    if (p == NULL)
        return malloc(n);
    h = (hdr_t *)p - 1;
    if (n <= h->size)
        return p;
    if (h->mapped == 0 && n < BIG && (char *)p + h->size == cur &&
        (size_t)(end - (char *)p) >= round_up(n, ALIGN)) {
        cur = (char *)p + round_up(n, ALIGN);   /* grow the newest block in place */
        h->size = round_up(n, ALIGN);
        return p;
    }
    q = malloc(n);
    if (q == NULL)
        return NULL;
    memcpy(q, p, h->size);
    free(p);
    return q;
}

/* Page-aligned blocks from their own mapping; nothing here asks for more. */
void *aligned_alloc(size_t align, size_t n)
{
    if (align <= ALIGN)
        return malloc(n);
    if (align > PAGE || (align & (align - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    if (n > SIZE_MAX - 2 * PAGE) {   /* n + PAGE, rounded up, must not wrap */
        errno = ENOMEM;
        return NULL;
    }
    {
        size_t len = round_up((n ? n : 1) + PAGE, PAGE);
        char *base = map(len, 0);
        hdr_t *h;
        if (base == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        h = (hdr_t *)(base + PAGE) - 1;   /* header at the end of the first page */
        h->size = len - PAGE;
        h->mapped = len;
        return base + PAGE;
    }
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p;

    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    p = aligned_alloc(align, n);
    if (p == NULL)
        return errno;
    *out = p;
    return 0;
}

void *memalign(size_t align, size_t n)
{
    return aligned_alloc(align, n);
}

size_t malloc_usable_size(void *p)
{
    return p ? ((hdr_t *)p - 1)->size : 0;
}
