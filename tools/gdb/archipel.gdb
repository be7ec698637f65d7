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

# The archipel commands (tools/gdb/archipel.py; the path is relative to the
# repository root, where tools/debug.sh runs GDB): `archipel` lists them.
source tools/gdb/archipel.py

# Useful starting points:
#   hbreak kernel_boot        the bootstrap core enters C
#   break cluster_init        each cluster's first core builds its cluster
#   break panic               stop at a kernel panic (the kernel runs with panic=halt)
#   info threads              one GDB thread per core (QEMU vCPU)
#   print *(core_t *)$gs_base the core_t of the selected thread (`thread N` first)
#   print *cluster_tbl[1]     cluster 1's cluster_t
#   print boot_info.topo      the topology built from ACPI
# Once the kernel runs (e.g. Ctrl-C after `continue`, or `break sys_uname`):
#   archipel clusters         cores, memory, free pages, RPC FIFO depth per cluster
#   archipel procs            PID, owner and reference clusters, copies
#   archipel vsl PID [CXY]    vsegs of PID's copy in CXY (default: the reference)
#   archipel gpt PID CXY VADDR  PTE of VADDR in every copy, CXY's first (marked *)
#   archipel rpcq CXY         descriptors waiting in CXY's RPC FIFO
#   archipel locks            locks held per core (DEBUG build), with their ranks
define archipel-help
  echo hbreak kernel_boot | break cluster_init | break panic | info threads\n
  echo print boot_info.topo | print *cluster_tbl[N] | print *(core_t *)$gs_base\n
  echo once booted: archipel clusters | procs | vsl PID [CXY] | gpt PID CXY VADDR | rpcq CXY | locks\n
  echo help archipel: the details\n
end
echo Archipel: connected to QEMU (paused). `archipel-help` lists starting points; `continue` boots.\n
