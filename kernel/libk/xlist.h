/*
 * xlist.h - doubly linked circular lists whose links are extended pointers,
 * so a list may chain objects living in different clusters.
 *
 * An xlist_entry_t is embedded in each listed object; the root is an
 * xlist_entry_t too. Entries and root are named by xptr_t and reached by
 * remote access. No function takes a lock: the caller holds the (remote)
 * lock that guards the list. Any core, any cluster.
 */
#ifndef _XLIST_H_
#define _XLIST_H_

#include <stdbool.h>
#include <stddef.h>
#include "hal_remote.h"

typedef struct xlist_entry_s {
    xptr_t next;
    xptr_t pred;
} xlist_entry_t;

/* xptr of the object containing the entry @entry_xp, field @member of @type. */
#define XLIST_ELEMENT(entry_xp, type, member) ((xptr_t)((entry_xp) - offsetof(type, member)))

/* Makes the root at @root an empty list. */
void xlist_root_init(xptr_t root);

/* True when the list at @root has no entry. */
bool xlist_is_empty(xptr_t root);

/* Inserts @entry at the head / at the tail of the list at @root. */
void xlist_add_first(xptr_t root, xptr_t entry);
void xlist_add_last(xptr_t root, xptr_t entry);

/* Unlinks @entry from its list; its links become XPTR_NULL. */
void xlist_unlink(xptr_t entry);

/*
 * Entry after @current in the list at @root (@current == @root: the first
 * entry), or XPTR_NULL at the end.
 */
xptr_t xlist_next(xptr_t root, xptr_t current);

/* First entry of the list at @root, or XPTR_NULL when empty. */
static inline xptr_t xlist_first(xptr_t root)
{
    return xlist_next(root, root);
}

/* Number of entries (walks the list). */
size_t xlist_length(xptr_t root);

#define XLIST_FOREACH(root, iter) \
    for ((iter) = xlist_first(root); (iter) != XPTR_NULL; (iter) = xlist_next((root), (iter)))

#endif
