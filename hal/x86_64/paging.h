/*
 * paging.h - the kernel's own page tables: the direct map of physical
 * memory and the boot identity map.
 *
 * Format: Intel SDM Vol. 3A, 5.5 (4-level paging); 2 MiB and 1 GiB pages,
 * PCD/PWT for device memory (5.9). The kernel half of these tables is
 * shared by every core of every cluster.
 */
#ifndef _PAGING_H_
#define _PAGING_H_

#include <stdint.h>
#include <stdbool.h>

/*
 * Extends the direct map (entry.S mapped 0 - 4 GiB) to [0, @ram_end) and
 * unmaps physical page 0 (in the identity map and the direct map alike),
 * so that a NULL pointer faults even while the boot identity map exists.
 * Bootstrap core, once, before any other core runs.
 * @return 0, or -E2BIG when @ram_end is beyond what the boot page-table
 *         pool can map.
 */
int paging_init(uint64_t ram_end);

/*
 * Makes the 2 MiB page of the direct map holding device registers at
 * @phys (below 4 GiB) uncached. Bootstrap core, before any other core runs.
 */
void paging_set_uncached(uint64_t phys);

/* Physical address of the kernel PML4 (also what the AP trampolines load). */
uint64_t paging_kernel_pml4(void);

/*
 * Removes the identity map of low memory once every core is online; each
 * core must then reload CR3 (paging_flush_local()).
 */
void paging_drop_identity(void);

/*
 * Walks the calling core's page tables for virtual address @va.
 * @return true when @va is mapped (present at every level).
 */
bool paging_is_mapped(uint64_t va);

/* Flushes the calling core's TLB of non-global entries (reloads CR3). */
void paging_flush_local(void);

#endif
