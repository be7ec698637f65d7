/*
 * xlist.c - lists linked by extended pointers (see xlist.h).
 */
#include "xlist.h"

#define NEXT(e) ((e) + offsetof(xlist_entry_t, next))
#define PRED(e) ((e) + offsetof(xlist_entry_t, pred))

void xlist_root_init(xptr_t root)
{
    hal_remote_sxp(NEXT(root), root);
    hal_remote_sxp(PRED(root), root);
}

bool xlist_is_empty(xptr_t root)
{
    return hal_remote_lxp(NEXT(root)) == root;
}

/* Links @entry between @pred and @next, which are adjacent. */
static void xlist_link(xptr_t pred, xptr_t entry, xptr_t next)
{
    hal_remote_sxp(NEXT(entry), next);
    hal_remote_sxp(PRED(entry), pred);
    hal_remote_sxp(PRED(next), entry);
    hal_remote_sxp(NEXT(pred), entry);
}

void xlist_add_first(xptr_t root, xptr_t entry)
{
    xlist_link(root, entry, hal_remote_lxp(NEXT(root)));
}

void xlist_add_last(xptr_t root, xptr_t entry)
{
    xlist_link(hal_remote_lxp(PRED(root)), entry, root);
}

void xlist_unlink(xptr_t entry)
{
    xptr_t next = hal_remote_lxp(NEXT(entry));
    xptr_t pred = hal_remote_lxp(PRED(entry));

    hal_remote_sxp(NEXT(pred), next);
    hal_remote_sxp(PRED(next), pred);
    hal_remote_sxp(NEXT(entry), XPTR_NULL);
    hal_remote_sxp(PRED(entry), XPTR_NULL);
}

xptr_t xlist_next(xptr_t root, xptr_t current)
{
    xptr_t next = hal_remote_lxp(NEXT(current));

    return next == root ? XPTR_NULL : next;
}

size_t xlist_length(xptr_t root)
{
    size_t n = 0;
    xptr_t it;

    XLIST_FOREACH(root, it)
        n++;
    return n;
}
