/*
 * test_buddy.c - host unit tests of the buddy allocator (kernel/mm/buddy.h).
 *
 * Besides buddy_check() (the allocator's own consistency check), every test
 * verifies the state independently with verify(): it walks the free lists
 * through page_t.list, and proves that the free blocks and the blocks the
 * test holds exactly tile the released frames (no overlap, no lost page).
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "uapi/errno.h"
#include "buddy.h"

#define NMAX ((uint64_t)1 << (BUDDY_MAX_ORDER - 1))   /* pages of a maximal block */

/* One allocator under test, plus what the test knows about it. */
typedef struct fixture_s {
    buddy_t  b;
    page_t  *pages;
    uint8_t *released;   /* [i]: frame base_pfn + i was released */
    uint8_t *held;       /* [i]: frame belongs to a block the test holds */
    int      owns_pages; /* pages[] was allocated by fx_init */
} fixture_t;

/* Starts a fixture whose descriptors are @pages (NULL: allocated here). */
static void fx_init_at(fixture_t *f, page_t *pages, uint64_t base_pfn, uint64_t npages)
{
    f->pages = pages ? pages : calloc(npages, sizeof(page_t));
    f->owns_pages = pages == NULL;
    f->released = calloc(npages, 1);
    f->held = calloc(npages, 1);
    if (!f->pages || !f->released || !f->held)
        abort();
    /* garbage in the array: buddy_init must overwrite every descriptor */
    memset(f->pages, 0xA5, npages * sizeof(page_t));
    buddy_init(&f->b, f->pages, base_pfn, npages);
}

static void fx_init(fixture_t *f, uint64_t base_pfn, uint64_t npages)
{
    fx_init_at(f, NULL, base_pfn, npages);
}

static void fx_release(fixture_t *f, uint64_t pfn, uint64_t count)
{
    memset(f->released + (pfn - f->b.base_pfn), 1, count);
    buddy_release(&f->b, pfn, count);
}

static void fx_fini(fixture_t *f)
{
    if (f->owns_pages)
        free(f->pages);
    free(f->released);
    free(f->held);
}

/* Allocates a block of @order and marks it held; NULL when buddy_alloc fails. */
static page_t *fx_alloc(fixture_t *f, unsigned order)
{
    page_t  *p = buddy_alloc(&f->b, order);
    uint64_t i, idx;

    if (!p)
        return NULL;
    idx = (uint64_t)(p - f->pages);
    for (i = 0; i < ((uint64_t)1 << order); i++) {
        if (idx + i >= f->b.npages || f->held[idx + i] || !f->released[idx + i]) {
            unit_fail(__FILE__, __LINE__,
                      "alloc order %u returned pfn 0x%llx: page +%llu %s", order,
                      (unsigned long long)buddy_page_to_pfn(&f->b, p),
                      (unsigned long long)i,
                      idx + i >= f->b.npages ? "is outside the range" :
                      f->held[idx + i] ? "is already held (overlap)" :
                      "was never released");
            return p;
        }
        f->held[idx + i] = 1;
    }
    return p;
}

/* Frees a held block of @order through buddy_free and unmarks it. */
static int fx_free(fixture_t *f, page_t *p, unsigned order)
{
    uint64_t idx = (uint64_t)(p - f->pages);

    memset(f->held + idx, 0, (size_t)1 << order);
    return buddy_free(&f->b, p);
}

/* Counts, per order, the blocks of the greedy decomposition of
 * [@pfn, @pfn+@count) into the largest aligned blocks (what a fully
 * coalesced buddy allocator holds for a free range). */
static void greedy_blocks(uint64_t pfn, uint64_t count, uint64_t out[BUDDY_MAX_ORDER])
{
    while (count) {
        unsigned k = BUDDY_MAX_ORDER - 1;

        while (k > 0 && ((pfn & (((uint64_t)1 << k) - 1)) || ((uint64_t)1 << k) > count))
            k--;
        out[k]++;
        pfn += (uint64_t)1 << k;
        count -= (uint64_t)1 << k;
    }
}

/*
 * Independent consistency check. Returns 1 when:
 * - every free list entry is a PG_FREE head of its list's order, aligned in
 *   pfn, inside the range, over released frames only;
 * - the lists' lengths equal free_blocks[] and their pages sum to free_pages;
 * - free blocks and held blocks never overlap and together cover exactly
 *   the released frames;
 * - buddy_check() returns 0.
 * Reports the first problem through unit_fail.
 */
static int verify(fixture_t *f, const char *file, int line)
{
    buddy_t      *b = &f->b;
    uint8_t      *fr = calloc(b->npages, 1);
    uint64_t      pages = 0, i;
    unsigned      k;
    int           rc;

    if (!fr)
        abort();
    for (k = 0; k < BUDDY_MAX_ORDER; k++) {
        list_entry_t *it;
        uint64_t      n = 0;

        LIST_FOREACH(&b->free_list[k], it) {
            page_t  *p = LIST_ELEMENT(it, page_t, list);
            uint64_t pfn, idx, j;

            if (p < b->pages || p >= b->pages + b->npages) {
                unit_fail(file, line, "free_list[%u] holds a page outside pages[]", k);
                goto bad;
            }
            pfn = buddy_page_to_pfn(b, p);
            idx = (uint64_t)(p - b->pages);
            if (!(p->flags & PG_FREE) || p->order != k) {
                unit_fail(file, line, "free_list[%u]: pfn 0x%llx flags 0x%x order %u",
                          k, (unsigned long long)pfn, p->flags, p->order);
                goto bad;
            }
            if (pfn & (((uint64_t)1 << k) - 1)) {
                unit_fail(file, line, "free_list[%u]: pfn 0x%llx not aligned",
                          k, (unsigned long long)pfn);
                goto bad;
            }
            if (idx + ((uint64_t)1 << k) > b->npages) {
                unit_fail(file, line, "free_list[%u]: pfn 0x%llx runs past the range",
                          k, (unsigned long long)pfn);
                goto bad;
            }
            for (j = 0; j < ((uint64_t)1 << k); j++) {
                if (fr[idx + j] || f->held[idx + j] || !f->released[idx + j]) {
                    unit_fail(file, line, "free block pfn 0x%llx order %u: frame +%llu %s",
                              (unsigned long long)pfn, k, (unsigned long long)j,
                              fr[idx + j] ? "in two free blocks" :
                              f->held[idx + j] ? "also allocated" : "never released");
                    goto bad;
                }
                fr[idx + j] = 1;
            }
            n++;
            pages += (uint64_t)1 << k;
            if (n > b->npages) {
                unit_fail(file, line, "free_list[%u] loops", k);
                goto bad;
            }
        }
        if (n != b->free_blocks[k]) {
            unit_fail(file, line, "free_list[%u] has %llu blocks, free_blocks[%u] = %llu",
                      k, (unsigned long long)n, k, (unsigned long long)b->free_blocks[k]);
            goto bad;
        }
    }
    if (pages != b->free_pages) {
        unit_fail(file, line, "free lists hold %llu pages, free_pages = %llu",
                  (unsigned long long)pages, (unsigned long long)b->free_pages);
        goto bad;
    }
    for (i = 0; i < b->npages; i++) {
        if (f->released[i] && !fr[i] && !f->held[i]) {
            unit_fail(file, line, "released frame pfn 0x%llx is neither free nor allocated (lost)",
                      (unsigned long long)(b->base_pfn + i));
            goto bad;
        }
    }
    free(fr);
    rc = buddy_check(b);
    if (rc != 0) {
        unit_fail(file, line, "buddy_check() = %d", rc);
        return 0;
    }
    return 1;
bad:
    free(fr);
    return 0;
}

#define VERIFY(f) verify((f), __FILE__, __LINE__)

/* Checks free_blocks[] against @want[]. */
static int blocks_are(const buddy_t *b, const uint64_t want[BUDDY_MAX_ORDER],
                      const char *file, int line)
{
    unsigned k;

    for (k = 0; k < BUDDY_MAX_ORDER; k++) {
        if (b->free_blocks[k] != want[k]) {
            unit_fail(file, line, "free_blocks[%u] = %llu, expected %llu", k,
                      (unsigned long long)b->free_blocks[k], (unsigned long long)want[k]);
            return 0;
        }
    }
    return 1;
}

#define BLOCKS_ARE(b, want) blocks_are((b), (want), __FILE__, __LINE__)

/* ------------------------------------------------------------------------ */

/* After buddy_init nothing is free: every frame reserved, alloc fails. */
UNIT_TEST(buddy_init_reserves_everything)
{
    fixture_t f;
    uint64_t  i;

    fx_init(&f, 100, 64);
    CHECK_EQ(f.b.base_pfn, 100);
    CHECK_EQ(f.b.npages, 64);
    CHECK_EQ(f.b.free_pages, 0);
    CHECK_EQ(f.b.managed_pages, 0);
    for (i = 0; i < 64; i++)
        if (!CHECK(f.pages[i].flags == PG_RESERVED))
            break;
    CHECK_PTR_EQ(buddy_alloc(&f.b, 0), NULL);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* Releasing an aligned range yields maximal blocks and counts the pages. */
UNIT_TEST(buddy_release_makes_maximal_blocks)
{
    fixture_t f;
    uint64_t  want[BUDDY_MAX_ORDER] = { 0 };

    fx_init(&f, 0, 4 * NMAX);
    fx_release(&f, 0, 4 * NMAX);
    want[BUDDY_MAX_ORDER - 1] = 4;
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_pages, 4 * NMAX);
    CHECK_EQ(f.b.managed_pages, 4 * NMAX);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* Every order 0..MAX-1 can be allocated; the block is aligned on 2^order
 * in physical pfn even though base_pfn is not; head fields per contract. */
UNIT_TEST(buddy_every_order)
{
    fixture_t f;
    unsigned  k;
    uint64_t  base = 0x40000 + 3;     /* odd: index and pfn alignment differ */
    uint64_t  n = 3 * NMAX + 11;

    fx_init(&f, base, n);
    fx_release(&f, base, n);
    CHECK(VERIFY(&f));
    for (k = 0; k < BUDDY_MAX_ORDER; k++) {
        uint64_t before = f.b.free_pages;
        page_t  *p = fx_alloc(&f, k);
        uint64_t pfn;

        if (!CHECK(p != NULL)) {
            UNIT_LOG("order %u: NULL", k);
            continue;
        }
        pfn = buddy_page_to_pfn(&f.b, p);
        CHECK_EQ(pfn & (((uint64_t)1 << k) - 1), 0);
        CHECK(pfn >= base && pfn + ((uint64_t)1 << k) <= base + n);
        CHECK_EQ(p->flags & (PG_ALLOCATED | PG_FREE | PG_RESERVED), PG_ALLOCATED);
        CHECK_EQ(p->order, k);
        CHECK_EQ(p->refcount, 1);
        CHECK_EQ(f.b.free_pages, before - ((uint64_t)1 << k));
        CHECK_PTR_EQ(buddy_pfn_to_page(&f.b, pfn), p);
        CHECK(VERIFY(&f));
    }
    CHECK_EQ(f.b.managed_pages, n);
    fx_fini(&f);
}

/* An order outside 0..BUDDY_MAX_ORDER-1 gives NULL and changes nothing. */
UNIT_TEST(buddy_alloc_bad_order)
{
    fixture_t f;
    uint64_t  want[BUDDY_MAX_ORDER] = { 0 };

    fx_init(&f, 0, 2 * NMAX);
    fx_release(&f, 0, 2 * NMAX);
    CHECK_PTR_EQ(buddy_alloc(&f.b, BUDDY_MAX_ORDER), NULL);
    CHECK_PTR_EQ(buddy_alloc(&f.b, BUDDY_MAX_ORDER + 1), NULL);
    CHECK_PTR_EQ(buddy_alloc(&f.b, 64), NULL);
    CHECK_PTR_EQ(buddy_alloc(&f.b, ~0u), NULL);
    want[BUDDY_MAX_ORDER - 1] = 2;
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_pages, 2 * NMAX);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* Taking one page from a maximal block splits it into one free block of
 * each smaller order (the buddies of the path down). */
UNIT_TEST(buddy_split_leaves_one_buddy_per_order)
{
    fixture_t f;
    page_t   *p;
    unsigned  k;

    fx_init(&f, 0, NMAX);
    fx_release(&f, 0, NMAX);
    p = fx_alloc(&f, 0);
    REQUIRE(p != NULL);
    for (k = 0; k < BUDDY_MAX_ORDER - 1; k++)
        CHECK_EQ(f.b.free_blocks[k], 1);
    CHECK_EQ(f.b.free_blocks[BUDDY_MAX_ORDER - 1], 0);
    CHECK_EQ(f.b.free_pages, NMAX - 1);
    CHECK(VERIFY(&f));
    CHECK_EQ(fx_free(&f, p, 0), 0);
    CHECK_EQ(f.b.free_blocks[BUDDY_MAX_ORDER - 1], 1);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* Allocate every page one by one, free them in an interleaved order: the
 * allocator must coalesce back to the maximal blocks, free_pages restored. */
UNIT_TEST(buddy_coalescing)
{
    fixture_t f;
    uint64_t  n = 4 * NMAX, i;
    page_t  **p = calloc(n, sizeof *p);
    uint64_t  want[BUDDY_MAX_ORDER] = { 0 };

    REQUIRE(p != NULL);
    fx_init(&f, 0, n);
    fx_release(&f, 0, n);
    for (i = 0; i < n; i++) {
        p[i] = fx_alloc(&f, 0);
        if (!CHECK(p[i] != NULL))
            goto out;
    }
    CHECK_EQ(f.b.free_pages, 0);
    CHECK_PTR_EQ(buddy_alloc(&f.b, 0), NULL);
    CHECK(VERIFY(&f));
    /* even indices first (no merge possible), then odd ones */
    for (i = 0; i < n; i += 2)
        CHECK_EQ(fx_free(&f, p[i], 0), 0);
    CHECK_EQ(f.b.free_blocks[0], n / 2);
    CHECK(VERIFY(&f));
    for (i = n - 1; i < n; i -= 2) {
        CHECK_EQ(fx_free(&f, p[i], 0), 0);
        if ((i & 63) == 1 && !VERIFY(&f))
            goto out;
    }
    want[BUDDY_MAX_ORDER - 1] = 4;
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_pages, n);
    CHECK_EQ(f.b.managed_pages, n);
    CHECK(VERIFY(&f));
out:
    free(p);
    fx_fini(&f);
}

/* Mixed orders: after freeing everything the state is the initial one. */
UNIT_TEST(buddy_coalescing_mixed_orders)
{
    fixture_t f;
    uint64_t  base = 7, n = 2 * NMAX + 300;
    page_t   *p[64];
    unsigned  ord[64];
    int       i, np = 0;
    uint64_t  want[BUDDY_MAX_ORDER] = { 0 };

    fx_init(&f, base, n);
    fx_release(&f, base, n);
    greedy_blocks(base, n, want);
    CHECK(BLOCKS_ARE(&f.b, want));
    for (i = 0; i < 64; i++) {
        ord[np] = (unsigned)(i * 7) % 6;
        p[np] = fx_alloc(&f, ord[np]);
        if (p[np])
            np++;
    }
    CHECK(VERIFY(&f));
    for (i = 0; i < np; i += 3)                 /* every third first */
        CHECK_EQ(fx_free(&f, p[i], ord[i]), 0);
    CHECK(VERIFY(&f));
    for (i = np - 1; i >= 0; i--)
        if (i % 3)
            CHECK_EQ(fx_free(&f, p[i], ord[i]), 0);
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_pages, n);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* Allocating until NULL takes every page; after one free the allocator
 * serves again (exactly that block size, not more). */
UNIT_TEST(buddy_exhaustion)
{
    fixture_t f;
    page_t   *p[8], *q;
    int       i;
    unsigned  top = BUDDY_MAX_ORDER - 1;

    fx_init(&f, 0, 8 * NMAX);
    fx_release(&f, 0, 8 * NMAX);
    for (i = 0; i < 8; i++) {
        p[i] = fx_alloc(&f, top);
        REQUIRE(p[i] != NULL);
    }
    CHECK_PTR_EQ(buddy_alloc(&f.b, top), NULL);
    CHECK_PTR_EQ(buddy_alloc(&f.b, 0), NULL);
    CHECK_EQ(f.b.free_pages, 0);
    CHECK(VERIFY(&f));

    CHECK_EQ(fx_free(&f, p[3], top), 0);
    q = fx_alloc(&f, top);
    CHECK_PTR_EQ(q, p[3]);                     /* the only free block */
    CHECK_PTR_EQ(buddy_alloc(&f.b, 0), NULL);

    /* free one maximal block, use it as pages: exactly NMAX of order 0 */
    CHECK_EQ(fx_free(&f, q, top), 0);
    for (i = 0; i < (int)NMAX; i++)
        if (!CHECK(fx_alloc(&f, 0) != NULL))
            break;
    CHECK_PTR_EQ(buddy_alloc(&f.b, 0), NULL);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* An odd base_pfn and an odd size: the released range is cut into the
 * largest pfn-aligned blocks; the buddies of the edge blocks lie outside
 * the range and must not be merged with. */
UNIT_TEST(buddy_odd_base_and_size)
{
    fixture_t f;
    uint64_t  base = 1000003, n = 5003, want[BUDDY_MAX_ORDER] = { 0 };
    uint64_t  count = 0;
    page_t   *p;

    fx_init(&f, base, n);
    fx_release(&f, base, n);
    greedy_blocks(base, n, want);
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_pages, n);
    CHECK(VERIFY(&f));
    /* all of it, page by page: exactly n distinct released frames */
    while ((p = fx_alloc(&f, 0)) != NULL) {
        count++;
        if (count > n || UNIT_FAILED())
            break;
    }
    CHECK_EQ(count, n);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* Released sub-ranges with reserved holes and unaligned edges: only the
 * released frames are ever handed out, reserved neighbours never merge. */
UNIT_TEST(buddy_partial_ranges)
{
    fixture_t f;
    uint64_t  base = 3, n = 3000, want[BUDDY_MAX_ORDER] = { 0 };
    uint64_t  count = 0, i;
    page_t   *p;

    fx_init(&f, base, n);
    fx_release(&f, 5, 777);            /* [5, 782) */
    fx_release(&f, 1029, 1);           /* a single page */
    fx_release(&f, 1500, n + base - 1500);  /* up to the end of the range */
    greedy_blocks(5, 777, want);
    greedy_blocks(1029, 1, want);
    greedy_blocks(1500, n + base - 1500, want);
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_pages, 777 + 1 + (n + base - 1500));
    CHECK_EQ(f.b.managed_pages, f.b.free_pages);
    CHECK(VERIFY(&f));
    /* reserved frames keep PG_RESERVED */
    CHECK(f.pages[0].flags & PG_RESERVED);           /* pfn 3 */
    CHECK(f.pages[900 - base].flags & PG_RESERVED);
    while ((p = fx_alloc(&f, 0)) != NULL) {
        count++;
        if (count > n || UNIT_FAILED())
            break;
    }
    CHECK_EQ(count, 777 + 1 + (n + base - 1500));
    for (i = 0; i < n; i++)
        if (f.held[i] && !f.released[i])
            break;
    CHECK_EQ(i, n);
    fx_fini(&f);
}

/* Two adjacent releases coalesce across their common edge, as one release
 * of the union would. */
UNIT_TEST(buddy_release_coalesces_with_neighbours)
{
    fixture_t f;
    uint64_t  want[BUDDY_MAX_ORDER] = { 0 };

    fx_init(&f, 0, 4096);
    fx_release(&f, 16, 48);            /* [16, 64) */
    fx_release(&f, 64, 960);           /* [64, 1024) */
    fx_release(&f, 0, 16);             /* [0, 16): completes block 0 order 10 */
    fx_release(&f, 2000, 100);
    fx_release(&f, 1024, 976);         /* [1024, 2000) joins the previous one */
    greedy_blocks(0, 2100, want);
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_blocks[BUDDY_MAX_ORDER - 1], 2);
    CHECK_EQ(f.b.free_pages, 2100);
    CHECK(VERIFY(&f));
    fx_fini(&f);
}

/* Snapshot of everything buddy_free could change. */
typedef struct snap_s {
    buddy_t b;
    page_t *pages;
} snap_t;

static void snap_take(snap_t *s, const fixture_t *f)
{
    s->b = f->b;
    s->pages = malloc(f->b.npages * sizeof(page_t));
    if (!s->pages)
        abort();
    memcpy(s->pages, f->pages, f->b.npages * sizeof(page_t));
}

static int snap_same(snap_t *s, const fixture_t *f)
{
    int same = memcmp(&s->b, &f->b, sizeof s->b) == 0 &&
               memcmp(s->pages, f->pages, f->b.npages * sizeof(page_t)) == 0;

    free(s->pages);
    return same;
}

/* buddy_free of anything but the head of an allocated block of this
 * allocator is -EINVAL and leaves the allocator byte-for-byte unchanged.
 * The three allocators share one descriptor array, so the foreign pages
 * lie just below and just above the tested allocator's pages[]. */
UNIT_TEST(buddy_free_invalid)
{
    fixture_t f, lo, hi;
    page_t   *arr = calloc(4 * NMAX, sizeof(page_t));
    page_t   *p, *q, *below, *above;
    snap_t    s;

    REQUIRE(arr != NULL);
    fx_init_at(&lo, arr, 0, NMAX);
    fx_init_at(&f, arr + NMAX, 64, 2 * NMAX);
    fx_init_at(&hi, arr + 3 * NMAX, 0, NMAX);
    fx_release(&lo, 0, NMAX);
    fx_release(&f, 64 + 10, 2 * NMAX - 10);   /* frames 64..73 stay reserved */
    fx_release(&hi, 0, NMAX);
    p = fx_alloc(&f, 2);
    q = fx_alloc(&f, 0);
    below = fx_alloc(&lo, 0);
    above = fx_alloc(&hi, 0);
    REQUIRE(p != NULL && q != NULL && below != NULL && above != NULL);

    snap_take(&s, &f);
    CHECK_EQ(buddy_free(&f.b, p + 1), -EINVAL);      /* inside a block */
    CHECK(snap_same(&s, &f));
    snap_take(&s, &f);
    CHECK_EQ(buddy_free(&f.b, p + 3), -EINVAL);      /* last page of a block */
    CHECK(snap_same(&s, &f));
    snap_take(&s, &f);
    CHECK_EQ(buddy_free(&f.b, &f.pages[0]), -EINVAL);  /* reserved frame */
    CHECK(snap_same(&s, &f));
    snap_take(&s, &f);
    CHECK_EQ(buddy_free(&f.b, below), -EINVAL);      /* allocated, foreign, below */
    CHECK(snap_same(&s, &f));
    snap_take(&s, &f);
    CHECK_EQ(buddy_free(&f.b, above), -EINVAL);      /* allocated, foreign, above */
    CHECK(snap_same(&s, &f));

    /* a free head (never allocated): -EINVAL */
    if (CHECK(f.b.free_blocks[BUDDY_MAX_ORDER - 1] > 0)) {
        page_t *freehead = LIST_ELEMENT(list_first(&f.b.free_list[BUDDY_MAX_ORDER - 1]),
                                        page_t, list);

        snap_take(&s, &f);
        CHECK_EQ(buddy_free(&f.b, freehead), -EINVAL);
        CHECK(snap_same(&s, &f));
    }

    /* double free */
    CHECK_EQ(fx_free(&f, q, 0), 0);
    CHECK(VERIFY(&f));
    snap_take(&s, &f);
    CHECK_EQ(buddy_free(&f.b, q), -EINVAL);
    CHECK(snap_same(&s, &f));
    CHECK_EQ(fx_free(&f, p, 2), 0);
    snap_take(&s, &f);
    CHECK_EQ(buddy_free(&f.b, p), -EINVAL);
    CHECK(snap_same(&s, &f));
    CHECK(VERIFY(&f));
    CHECK_EQ(f.b.free_pages, 2 * NMAX - 10);
    CHECK(VERIFY(&lo));
    CHECK(VERIFY(&hi));
    fx_fini(&f);
    fx_fini(&lo);
    fx_fini(&hi);
    free(arr);
}

/* xorshift64*: a fixed-seed generator, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Randomised alloc/free (fixed seed): after every step buddy_check() is 0
 * and the independent verification proves that no two allocated blocks
 * overlap and no page is lost; finally everything coalesces back. */
UNIT_TEST(buddy_stress)
{
    enum { NLIVE = 512, STEPS = 20000 };
    fixture_t f;
    uint64_t  base = 12345, n = 6000, want[BUDDY_MAX_ORDER] = { 0 };
    page_t   *live[NLIVE];
    unsigned  lord[NLIVE];
    int       nlive = 0, step, allocs = 0, fails = 0;
    uint64_t  held_pages = 0;

    fx_init(&f, base, n);
    fx_release(&f, base + 1, 2500);
    fx_release(&f, base + 2600, n - 2600 - 7);
    greedy_blocks(base + 1, 2500, want);
    greedy_blocks(base + 2600, n - 2600 - 7, want);
    for (step = 0; step < STEPS; step++) {
        uint64_t r = rng();

        if (nlive < NLIVE && (nlive == 0 || (r & 3) != 0)) {
            /* orders mostly small, sometimes large */
            unsigned order = (r >> 8) % 16 == 0 ? (unsigned)((r >> 16) % BUDDY_MAX_ORDER)
                                                : (unsigned)((r >> 16) % 4);
            page_t  *p = fx_alloc(&f, order);

            if (p) {
                live[nlive] = p;
                lord[nlive] = order;
                nlive++;
                allocs++;
                held_pages += (uint64_t)1 << order;
            } else {
                unsigned k;

                /* NULL is only right when no block of that order or larger is free */
                for (k = order; k < BUDDY_MAX_ORDER; k++)
                    if (!CHECK_EQ(f.b.free_blocks[k], 0))
                        UNIT_LOG("alloc order %u NULL at step %d with free_blocks[%u] > 0",
                                 order, step, k);
                fails++;
            }
        } else {
            int i = (int)((r >> 20) % (uint64_t)nlive);

            if (!CHECK_EQ(fx_free(&f, live[i], lord[i]), 0))
                break;
            held_pages -= (uint64_t)1 << lord[i];
            live[i] = live[--nlive];
            lord[i] = lord[nlive];
        }
        if (!CHECK_EQ(f.b.free_pages + held_pages, f.b.managed_pages) ||
            !VERIFY(&f) || UNIT_FAILED()) {
            UNIT_LOG("stopped at step %d", step);
            break;
        }
    }
    CHECK(allocs > 5000);                /* the test did exercise something */
    while (nlive > 0 && !UNIT_FAILED()) {
        nlive--;
        CHECK_EQ(fx_free(&f, live[nlive], lord[nlive]), 0);
    }
    CHECK(BLOCKS_ARE(&f.b, want));
    CHECK_EQ(f.b.free_pages, f.b.managed_pages);
    CHECK(VERIFY(&f));
    UNIT_LOG("%d allocations, %d refused", allocs, fails);
    fx_fini(&f);
}

UNIT_MAIN()
