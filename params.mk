# Archipel build and machine parameters.
# Every value here is a default: override any of them on the make command line,
# e.g. `make run CLUSTERS=8 CORES_PER_CLUSTER=1`.

# ---- The QEMU NUMA guest (make run / make debug) -------------------------------
# Number of clusters = NUMA nodes = QEMU sockets.
CLUSTERS          ?= 4
# Cores in each cluster.
CORES_PER_CLUSTER ?= 2
# Memory of each cluster in MiB: one number for all clusters, or a
# comma-separated list with one entry per cluster (e.g. 64,128,256,128).
MEM_PER_CLUSTER   ?= 128
# Extra kernel command-line options (see README, "Kernel command line").
CMDLINE           ?=
# Seconds before a QEMU boot started by make run/test is killed as hung.
BOOT_TIMEOUT      ?= 240

# ---- Compile-time limits of the kernel ------------------------------------------
# The kernel refuses, with a message naming the parameter, a machine that
# exceeds them.
MAX_CLUSTERS          ?= 64
MAX_CORES_PER_CLUSTER ?= 16

# ---- Kernel timing -----------------------------------------------------------------
# LAPIC timer period in microseconds (scheduler tick).
TICK_US ?= 10000

# ---- Debug switches -------------------------------------------------------------------
# DEBUG=1: assertions, the lock rank checker, the RPC watchdog, GCC's stack protector and
# the KCM poisoning of free objects (on with the kcm_debug option) compiled in.
DEBUG ?= 1
# INSTRUMENT=1: remote accesses counted per (from, to) cluster pair.
INSTRUMENT ?= 1
# KTEST=1: the in-kernel self-tests (every *_ktest.c, run by ktest=...) are compiled in,
# with what only they use (test RPC types, test lock ranks); KTEST=0 leaves all of it
# out, and a ktest= option then only prints that the kernel has no self-tests.
KTEST ?= 1
# RPC watchdog (DEBUG): report a request unanswered for longer than this (ms).
RPC_WATCHDOG_MS ?= 2000
# TRACE=1: make run records trace events to build/trace.bin (decode: tools/trace).
TRACE ?= 0
# Optimisation level of the kernel.
OPT   ?= -O2

# ---- Toolchain ----------------------------------------------------------------------
# Empty: the host gcc and binutils, used freestanding.
# Name a cross toolchain with e.g. CROSS_COMPILE=x86_64-elf-
CROSS_COMPILE ?=
