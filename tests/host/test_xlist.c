/*
 * test_xlist.c - host unit tests of xlist (kernel/libk/xlist.c): lists
 * linked by extended pointers. Entries are tagged with different cluster
 * numbers, as if they lived in different clusters; on the host GET_PTR()
 * restores the pointer from its low 48 bits whatever the tag.
 */
#include <stdlib.h>
#include "unit.h"
#include "xlist.h"

typedef struct node_s {
    int           value;
    xlist_entry_t link;
} node_t;

#define LINK(n, cxy) XPTR((cxy), &(n)->link)

static int value_at(xptr_t entry)
{
    return ((node_t *)GET_PTR(XLIST_ELEMENT(entry, node_t, link)))->value;
}

/* An xptr keeps its cluster tag and gives the pointer back. */
UNIT_TEST(xptr_round_trip)
{
    node_t n;
    xptr_t x = XPTR(37, &n);

    CHECK_EQ(GET_CXY(x), 37);
    CHECK_PTR_EQ(GET_PTR(x), &n);
    CHECK_PTR_EQ(GET_PTR(XLIST_ELEMENT(LINK(&n, 5), node_t, link)), &n);
}

/* add_first / add_last build the expected order across "clusters". */
UNIT_TEST(xlist_insertion_order)
{
    xlist_entry_t root;
    xptr_t r = XPTR(0, &root), it;
    node_t n[6];
    int i = 0, want[6] = { 4, 2, 0, 1, 3, 5 };

    xlist_root_init(r);
    CHECK(xlist_is_empty(r));
    CHECK_EQ(xlist_first(r), XPTR_NULL);
    for (int k = 0; k < 6; k++) {
        n[k].value = k;
        if (k % 2)
            xlist_add_last(r, LINK(&n[k], k));
        else
            xlist_add_first(r, LINK(&n[k], k));
    }
    CHECK(!xlist_is_empty(r));
    CHECK_EQ(xlist_length(r), 6);
    XLIST_FOREACH(r, it) {
        CHECK_EQ(value_at(it), want[i]);
        CHECK_EQ(GET_CXY(it), (uint32_t)want[i]);     /* the tag travels with the link */
        i++;
    }
    CHECK_EQ(i, 6);
}

/* Unlinking the head, the tail and a middle entry keeps the rest intact. */
UNIT_TEST(xlist_unlink_head_tail_middle)
{
    xlist_entry_t root;
    xptr_t r = XPTR(3, &root), it;
    node_t n[5];
    int i = 0, want[2] = { 1, 3 };

    xlist_root_init(r);
    for (int k = 0; k < 5; k++) {
        n[k].value = k;
        xlist_add_last(r, LINK(&n[k], k + 10));
    }
    xlist_unlink(LINK(&n[0], 10));                    /* head */
    xlist_unlink(LINK(&n[4], 14));                    /* tail */
    xlist_unlink(LINK(&n[2], 12));                    /* middle */
    CHECK_EQ(n[2].link.next, XPTR_NULL);
    CHECK_EQ(n[2].link.pred, XPTR_NULL);
    CHECK_EQ(xlist_length(r), 2);
    XLIST_FOREACH(r, it)
        CHECK_EQ(value_at(it), want[i++]);
    xlist_unlink(LINK(&n[1], 11));
    xlist_unlink(LINK(&n[3], 13));
    CHECK(xlist_is_empty(r));
    CHECK_EQ(root.next, r);
    CHECK_EQ(root.pred, r);
}

/* A random mix of operations matches a plain array model (fixed seed). */
UNIT_TEST(xlist_random_against_model)
{
    enum { N = 64 };
    xlist_entry_t root;
    xptr_t r = XPTR(1, &root), it;
    node_t n[N];
    int model[N], len = 0;
    int in[N] = { 0 };

    srand(1234);
    xlist_root_init(r);
    for (int k = 0; k < N; k++)
        n[k].value = k;
    for (int step = 0; step < 5000; step++) {
        int k = rand() % N, i = 0;

        if (!in[k]) {
            if (rand() & 1) {
                xlist_add_first(r, LINK(&n[k], k % 7));
                for (int j = len; j > 0; j--)
                    model[j] = model[j - 1];
                model[0] = k;
            } else {
                xlist_add_last(r, LINK(&n[k], k % 7));
                model[len] = k;
            }
            len++;
            in[k] = 1;
        } else {
            int j = 0;
            xlist_unlink(LINK(&n[k], k % 7));
            while (model[j] != k)
                j++;
            for (; j < len - 1; j++)
                model[j] = model[j + 1];
            len--;
            in[k] = 0;
        }
        XLIST_FOREACH(r, it) {
            if (i >= len || value_at(it) != model[i]) {
                REQUIRE(!"list differs from the model");
            }
            i++;
        }
        REQUIRE_EQ(i, len);
    }
}

UNIT_MAIN()
