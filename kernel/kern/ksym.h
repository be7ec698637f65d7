/*
 * ksym.h - kernel symbol lookup for backtraces.
 *
 * The symbols come from the kernel ELF's own .symtab and .strtab, which
 * GRUB loads and describes in the multiboot2 ELF-symbols tag (Multiboot2
 * Specification 2.0, 3.6.11; section headers: System V ABI, ELF-64
 * Object File Format, "Sections"). Read-only after ksym_init().
 */
#ifndef _KSYM_H_
#define _KSYM_H_

#include <stdint.h>
#include "mb2.h"

/*
 * Finds .symtab and .strtab in the ELF-symbols tag. Bootstrap core, once.
 * Adds the physical ranges GRUB put them in to @reserve (a callback that
 * keeps them away from the PPMs).
 * @return number of symbols, 0 when the tag is missing (backtraces then
 *         show bare addresses).
 */
uint32_t ksym_init(const mb2_info_t *mb2, void (*reserve)(uint64_t base, uint64_t end));

/*
 * Name of the function containing @addr, and @addr's *@offset (bytes) in it.
 * @return the name, or NULL when no symbol covers @addr.
 */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
