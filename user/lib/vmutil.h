/*
 * vmutil.h - helpers of the user tests of virtual memory (vm_coherence.c);
 * header only.
 *
 * Page patterns: every 64-bit word of a page holds a value computed from a
 * tag, the page index and the word index, so that a page written by one
 * thread (or process) and read by another shows at once whose write it
 * holds. /proc/self/maps: the entries that overlap a range, sorted by
 * address, with their permissions (Linux's format, which Archipel's
 * /proc/<pid>/maps follows).
 */
#ifndef _VMUTIL_H_
#define _VMUTIL_H_

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define VM_PAGE  4096UL                          /* bytes per page */
#define VM_WORDS (VM_PAGE / sizeof(uint64_t))    /* pattern words per page */

/* Word @word of page @page of the pattern @tag. */
static inline uint64_t vm_pattern(uint64_t tag, size_t page, size_t word)
{
	return (tag << 40) ^ (page << 16) ^ word ^ 0x5a5a000000000000ULL;
}

/* Writes the pattern @tag into page @page (index from @base). */
static inline void vm_fill_page(char *base, size_t page, uint64_t tag)
{
	volatile uint64_t *w = (uint64_t *)(base + page * VM_PAGE);
	for (size_t i = 0; i < VM_WORDS; i++)
		w[i] = vm_pattern(tag, page, i);
}

/* 1 when page @page (index from @base) holds the pattern @tag, else 0. */
static inline int vm_page_holds(const char *base, size_t page, uint64_t tag)
{
	const volatile uint64_t *w = (const uint64_t *)(base + page * VM_PAGE);
	for (size_t i = 0; i < VM_WORDS; i++)
		if (w[i] != vm_pattern(tag, page, i))
			return 0;
	return 1;
}

/* One line of /proc/self/maps. */
struct vm_area {
	uintptr_t start, end;                    /* [start, end): bytes */
	char perms[5];                           /* "rw-p" and the like */
};

/*
 * The entries of /proc/self/maps that overlap [@lo, @hi), sorted by
 * address, in @v (at most @max), and the total number of entries of the
 * file in @total. Returns the number of overlapping entries, or -1 when
 * the file cannot be read. Not reentrant (one static 64 KiB buffer).
 */
static inline int vm_maps_overlap(uintptr_t lo, uintptr_t hi, struct vm_area *v, int max,
				  int *total)
{
	static char buf[64 * 1024];
	int fd = open("/proc/self/maps", O_RDONLY), n = 0;

	if (fd < 0)
		return -1;
	ssize_t len = test_read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	*total = 0;
	for (char *line = buf; *line; ) {
		char *nl = strchr(line, '\n');
		unsigned long a, b;
		char perms[5];
		if (nl)
			*nl = '\0';
		if (sscanf(line, "%lx-%lx %4s", &a, &b, perms) == 3) {
			(*total)++;
			if (a < hi && b > lo && n < max) {
				v[n].start = a;
				v[n].end = b;
				memcpy(v[n].perms, perms, 5);
				n++;
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	for (int i = 1; i < n; i++)           /* by address, whatever the file's order */
		for (int j = i; j > 0 && v[j].start < v[j - 1].start; j--) {
			struct vm_area t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n;
}

#endif /* _VMUTIL_H_ */
