# GDB set-up for Archipel under QEMU (loaded by `make debug`).
#
# The guest starts paused before the firmware runs. The kernel is a
# higher-half ELF64 with full debug information: break on any kernel
# function, then `continue`. Use hardware breakpoints (hbreak) for code
# that runs before paging is on (boot/entry.S _start), software ones after.
set pagination off
set confirm off
set architecture i386:x86-64
target remote localhost:1234

# Useful starting points:
#   hbreak kernel_boot        the bootstrap core enters C
#   break cluster_init        each cluster's first core builds its cluster
#   break panic               stop at a kernel panic (the kernel runs with panic=halt)
#   info threads              one GDB thread per core (QEMU vCPU)
#   print *(core_t *)$gs_base the core_t of the selected thread (`thread N` first)
#   print *cluster_tbl[1]     cluster 1's cluster_t
#   print boot_info.topo      the topology built from ACPI
define archipel-help
  echo hbreak kernel_boot | break cluster_init | break panic | info threads\n
  echo print boot_info.topo | print *cluster_tbl[N] | print *(core_t *)$gs_base\n
end
echo Archipel: connected to QEMU (paused). `archipel-help` lists starting points; `continue` boots.\n
