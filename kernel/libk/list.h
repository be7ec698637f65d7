/*
 * list.h - intrusive doubly linked circular lists of local objects.
 *
 * A list_entry_t is embedded in the listed object; the list head is a
 * list_entry_t too. Lists never cross clusters (for that, see xlist): all
 * pointers are local. None of these functions takes a lock: the caller
 * holds whatever lock guards the list.
 */
#ifndef _LIST_H_
#define _LIST_H_

#include <stddef.h>
#include <stdbool.h>

typedef struct list_entry_s {
    struct list_entry_s *next;
    struct list_entry_s *pred;
} list_entry_t;

/* Object containing the list_entry_t at @ptr, field @member of type @type. */
#define LIST_ELEMENT(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

/* Makes @root an empty list. */
static inline void list_root_init(list_entry_t *root)
{
    root->next = root;
    root->pred = root;
}

static inline bool list_is_empty(const list_entry_t *root)
{
    return root->next == root;
}

/* Inserts @entry right after @pos. */
static inline void list_insert_after(list_entry_t *pos, list_entry_t *entry)
{
    entry->next = pos->next;
    entry->pred = pos;
    pos->next->pred = entry;
    pos->next = entry;
}

/* Adds @entry at the head of @root. */
static inline void list_add_first(list_entry_t *root, list_entry_t *entry)
{
    list_insert_after(root, entry);
}

/* Adds @entry at the tail of @root. */
static inline void list_add_last(list_entry_t *root, list_entry_t *entry)
{
    list_insert_after(root->pred, entry);
}

/* Unlinks @entry from the list it is in; @entry's links are left dangling. */
static inline void list_unlink(list_entry_t *entry)
{
    entry->pred->next = entry->next;
    entry->next->pred = entry->pred;
    entry->next = NULL;
    entry->pred = NULL;
}

/* First entry of a non-empty list. */
static inline list_entry_t *list_first(const list_entry_t *root)
{
    return root->next;
}

#define LIST_FOREACH(root, iter) \
    for ((iter) = (root)->next; (iter) != (root); (iter) = (iter)->next)

#endif
