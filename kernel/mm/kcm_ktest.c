/*
 * kcm_ktest.c - self-tests of the KCM object caches and of kmem on top of
 * them (ktest=kcm).
 *
 * Every case runs on the first core of every cluster at once, each on its
 * own cluster's allocators: that the clusters do not disturb each other is
 * part of what is tested.
 */
#include "ktest.h"
#include "cluster.h"
#include "kmem.h"
#include "boot_info.h"
#include "kstring.h"
#include "cpu.h"

/* Is [@base, @end) inside one SRAT range of cluster @cxy? */
static bool in_cluster(uint32_t cxy, uint64_t base, uint64_t end)
{
    return topo_cluster_contains(&boot_info.topo, cxy, base, end);
}

/* Every KCM class: distinct, aligned, local objects; pages go back when empty. */
static void kcm_each_class(ktest_t *t)
{
    cluster_t *cl = cluster_local();
    uint64_t before = ppm_free_count(cl->cxy);

    for (uint32_t k = 0; k < KCM_CLASSES; k++) {
        kcm_t *kcm = &cl->kcm[k];
        uint32_t n = 3 * kcm->objs_per_page + 1, got = 0, pages_before = kcm->npages;
        uint64_t *head = NULL, *o;

        for (; got < n; got++) {
            o = kcm_alloc(kcm);
            if (o == NULL)
                break;
            KTEST_EXPECT(t, ((uint64_t)o & (kcm->obj_size - 1)) == 0, "class %u: %p",
                         kcm->obj_size, o);
            KTEST_EXPECT(t, in_cluster(cl->cxy, virt_to_phys(o), virt_to_phys(o) + kcm->obj_size),
                         "cluster %u class %u", cl->cxy, kcm->obj_size);
            for (uint32_t w = 1; w < kcm->obj_size / 8; w++)
                o[w] = (uint64_t)o ^ w;                 /* a signature per object */
            o[0] = (uint64_t)head;
            head = o;
        }
        KTEST_EXPECT(t, got == n, "cluster %u class %u: %u of %u objects", cl->cxy,
                     kcm->obj_size, got, n);
        KTEST_EXPECT(t, pages_before != 0 || kcm->npages == 4, "cluster %u class %u: %u pages",
                     cl->cxy, kcm->obj_size, kcm->npages);
        while (head) {
            o = head;
            head = (uint64_t *)o[0];
            for (uint32_t w = 1; w < kcm->obj_size / 8; w++)
                if (o[w] != ((uint64_t)o ^ w)) {
                    ktest_fail(t, "cluster %u class %u: object %p overwritten", cl->cxy,
                               kcm->obj_size, o);
                    break;
                }
            kcm_free(o);
        }
        KTEST_EXPECT(t, kcm->npages == pages_before, "cluster %u class %u: %u pages kept",
                     cl->cxy, kcm->obj_size, kcm->npages - pages_before);
    }
    KTEST_EXPECT(t, ppm_free_count(cl->cxy) == before, "cluster %u: %lu free, %lu before",
                 cl->cxy, ppm_free_count(cl->cxy), before);
}

/* kmem: small and page-sized requests, zeroed, local, freed without a trace. */
static void kmem_sizes(ktest_t *t)
{
    static const size_t sizes[] = { 1, 64, 65, 2048, 2049, 3 * 4096, 65536 };
    uint32_t cxy = core_self()->cxy;
    uint64_t before = ppm_free_count(cxy);

    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *p = kmem_alloc(sizes[i]);
        bool zero = true;

        KTEST_EXPECT(t, p != NULL, "cluster %u: %lu bytes", cxy, (unsigned long)sizes[i]);
        if (p == NULL)
            continue;
        for (size_t b = 0; b < sizes[i]; b++)
            zero &= p[b] == 0;
        KTEST_EXPECT(t, zero, "cluster %u: %lu bytes not zeroed", cxy, (unsigned long)sizes[i]);
        KTEST_EXPECT(t, in_cluster(cxy, virt_to_phys(p), virt_to_phys(p) + sizes[i]),
                     "cluster %u: %lu bytes at %p", cxy, (unsigned long)sizes[i], p);
        memset(p, 0xff, sizes[i]);
        kmem_free(p);
    }
    KTEST_EXPECT(t, ppm_free_count(cxy) == before, "cluster %u: %lu free, %lu before", cxy,
                 ppm_free_count(cxy), before);
}

static const ktest_case_t kcm_cases[] = {
    { "each_class", KTEST_ON_CLUSTERS, kcm_each_class },
    { "kmem_sizes", KTEST_ON_CLUSTERS, kmem_sizes },
};
static const ktest_suite_t kcm_suite = { "kcm", KTEST_CASES(kcm_cases) };
KTEST_SUITE(kcm_suite);
