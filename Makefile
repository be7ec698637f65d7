# Archipel - top-level build.
#
#   make            kernel ELF + bootable ISO (build/archipel.elf, build/archipel.iso)
#   make run        boot the default NUMA guest (params.mk) under QEMU/TCG
#   make run PROG=path/to/static-binary ARGS="a b"   ... and have init run it
#   make test       host unit tests + boots on several topologies + LTP (tests/ltp/ltp.mk);
#                   ends "N passed, M failed"
#   make debug      the same guest, paused, with GDB attached
#   make bench-linux  Archipel vs Debian's Linux 6.1 on the same QEMU machine (tools/bench_linux.py)
#   make trace PROG=path/to/static-binary ARGS="a b"   ... run it traced: build/trace/
#   make clean
#
# Every parameter of params.mk can be overridden here: make run CLUSTERS=8 ...

include params.mk

BUILD      := build
CC         := $(CROSS_COMPILE)gcc
LD         := $(CROSS_COMPILE)ld
HOSTCC     ?= gcc
PYTHON     ?= python3
VERSION    := $(shell git describe --always --dirty 2>/dev/null || echo dev)

KERNEL     := $(BUILD)/archipel.elf
INITRAMFS  := $(BUILD)/initramfs.cpio
INITRAMFS_ROOT := $(BUILD)/initramfs-root
ISO        := $(BUILD)/archipel.iso
TEST_ISO   := $(BUILD)/archipel-test.iso
USER_ISO   := $(BUILD)/archipel-user.iso

# `make run` powers the guest off once booted, unless POWEROFF=0.
POWEROFF   ?= 1
# PROG=path (a static binary) is packed as /bin/<basename> and run by init with ARGS:
# the words after "--" on the kernel command line are init's arguments.
RUN_CMDLINE  := $(strip $(if $(filter 1,$(POWEROFF)),poweroff) $(if $(filter 1,$(TRACE)),trace=1) \
                $(CMDLINE) $(if $(PROG),-- /bin/$(notdir $(PROG)) $(ARGS)))
TRACE_FILE   := $(BUILD)/trace.bin
# make trace: the program PROG runs with tracing on; decoded outputs in TRACE_DIR
TRACE_DIR    := $(BUILD)/trace
# Kernel command line of each ISO, by its name
CMDLINE_archipel       = $(RUN_CMDLINE)
CMDLINE_archipel-test  = ktest=all poweroff
CMDLINE_archipel-user  = poweroff
CMDLINE_archipel-crash = crash=pagefault bogus_option poweroff
# DEBUG's KCM checks and stack protector, each caught in the act (tests/harness/scenarios.py)
CMDLINE_archipel-kcm-uaf = kcm_debug crash=kcm_use_after_free poweroff
CMDLINE_archipel-kcm-df  = kcm_debug crash=kcm_double_free poweroff
CMDLINE_archipel-smash   = crash=stack_smash poweroff
CMDLINE_archipel-stall = crash=stall hung_task_timeout=2 lockup_timeout=2 poweroff
CMDLINE_archipel-tracesample = trace=1 ktest=dqdt,locks poweroff
CMDLINE_archipel-trace = poweroff trace=1 $(CMDLINE) -- /bin/$(notdir $(PROG)) $(ARGS)
CMDLINE_archipel-bench = bench=rpc poweroff
CMDLINE_archipel-procbench = -- /bin/procbench
CMDLINE_archipel-vmbench = -- /bin/vmbench
CMDLINE_archipel-cmpbench = -- /bin/cmpbench
# The guest tests/e2e/test_gdb.py stops with GDB (user/bin/gdbtarget builds the state)
CMDLINE_archipel-gdb = -- /bin/gdbtarget
CRASH_ISO  := $(BUILD)/archipel-crash.iso
KCM_UAF_ISO := $(BUILD)/archipel-kcm-uaf.iso
KCM_DF_ISO  := $(BUILD)/archipel-kcm-df.iso
SMASH_ISO   := $(BUILD)/archipel-smash.iso
# A thread hangs, then a core locks up: the detectors' reports (scenario "stall")
STALL_ISO  := $(BUILD)/archipel-stall.iso
# A kernel built with tiny limits, to test that a bigger machine is refused
LIMITS_ISO := $(BUILD)/limits/archipel-test.iso

KERNEL_DIRS := boot hal/x86_64 kernel/kern kernel/libk kernel/mm kernel/fs kernel/syscalls
KERNEL_SRCS := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c $(d)/*.S))
# KTEST=0 (params.mk): no self-test file is compiled
ifneq ($(KTEST),1)
KERNEL_SRCS := $(filter-out %_ktest.c,$(KERNEL_SRCS))
endif
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))

# Include paths. The HAL looks only down (ARCHITECTURE.md, "Layering"): objects under
# hal/ see hal/, boot/ and kernel/include/ (hal_upcalls.h, kstring.h, uapi/errno.h) and
# nothing else of the kernel; every other object sees every folder.
KINCLUDES   := -Ikernel/include $(addprefix -I,$(KERNEL_DIRS))
HALINCLUDES := -Ihal/x86_64 -Iboot -Ikernel/include
KDEFINES  := -DMAX_CLUSTERS=$(MAX_CLUSTERS) -DMAX_CORES_PER_CLUSTER=$(MAX_CORES_PER_CLUSTER) \
             -DTICK_US=$(TICK_US) -DARCHIPEL_VERSION='"$(VERSION)"' \
             -DRPC_WATCHDOG_MS=$(RPC_WATCHDOG_MS) \
             $(if $(filter 1,$(DEBUG)),-DDEBUG) $(if $(filter 1,$(INSTRUMENT)),-DINSTRUMENT)
KDEFINES  += $(if $(filter 1,$(KTEST)),-DCONFIG_KTEST)
# DEBUG: GCC's stack protector with one global canary (kernel/kern/printk.h)
KSTACKPROT := $(if $(filter 1,$(DEBUG)),-fstack-protector-strong -mstack-protector-guard=global,\
                   -fno-stack-protector)
KCFLAGS   := -std=gnu11 $(OPT) -g -ffreestanding -nostdlib -nostdinc \
             -isystem $(shell $(CC) -print-file-name=include) \
             -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -fno-pie -fno-pic \
             $(KSTACKPROT) -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
             -Wall -Wextra -Werror $(KDEFINES) -MMD -MP
KLDFLAGS  := -nostdlib -n -z max-page-size=0x1000 --no-warn-rwx-segments -z noexecstack -T boot/linker.ld

QEMU_ARGS = --clusters $(CLUSTERS) --cores $(CORES_PER_CLUSTER) --mem $(MEM_PER_CLUSTER)

.PRECIOUS: $(BUILD)/%.cmdline
.PHONY: all iso run shell busybox-linux-record test debug bench bench-linux trace trace-sample clean host-tests deps-build deps-run deps-test deps-debug FORCE \
        syscall-list

all: deps-build
	@$(MAKE) --no-print-directory $(KERNEL) $(ISO)
iso: $(ISO)

# ---- kernel ----------------------------------------------------------------
INCLUDES = $(KINCLUDES)
$(BUILD)/obj/hal/%.o: INCLUDES = $(HALINCLUDES)

$(BUILD)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(INCLUDES) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(INCLUDES) -c $< -o $@

$(KERNEL): $(KERNEL_OBJS) boot/linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KERNEL_OBJS)

-include $(KERNEL_OBJS:.o=.d)

# ---- the Linux system-call list ----------------------------------------------------
# kernel/include/uapi/syscall_64.h lists every x86_64 Linux system call; make
# syscall-list rewrites its lines after the first comment from the __NR_* numbers of
# LINUX_UNISTD_64 (Debian's linux-libc-dev). Run by hand, never by the build: the
# list is committed, and tests/host/test_uapi.c checks it against the same header.
SYSCALL_LIST    := kernel/include/uapi/syscall_64.h
LINUX_UNISTD_64 ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h
syscall-list:
	@test -f $(LINUX_UNISTD_64) || { echo "make syscall-list: no $(LINUX_UNISTD_64)" \
	    "(apt-get install linux-libc-dev)" >&2; exit 2; }
	{ sed -n '1,/^ \*\/$$/p' $(SYSCALL_LIST); \
	  sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/__SYSCALL(\2, \1)/p' $(LINUX_UNISTD_64); \
	} > $(SYSCALL_LIST).tmp && mv $(SYSCALL_LIST).tmp $(SYSCALL_LIST)
# One build directory may be built with KTEST=1 and KTEST=0 (build/release: by hand and
# by make bench-linux): every object is rebuilt when the value changes.
$(BUILD)/ktest.flag: FORCE
	@mkdir -p $(BUILD)
	@echo '$(KTEST)' | cmp -s - $@ || echo '$(KTEST)' > $@
$(KERNEL_OBJS): $(BUILD)/ktest.flag

# ---- initramfs and ISOs ---------------------------------------------------------
# The initramfs packs $(INITRAMFS_ROOT) (user/user.mk: /sbin/init, /tests, /bin,
# user/initramfs), plus the tree INITRAMFS_EXTRA=dir and PROG=path as /bin/<basename>.
INITRAMFS_ARGS := --dir $(INITRAMFS_ROOT) $(if $(INITRAMFS_EXTRA),--dir $(INITRAMFS_EXTRA)) \
                  $(if $(PROG),--file bin/$(notdir $(PROG))=$(PROG))
INITRAMFS_EXTRA_FILES := $(if $(INITRAMFS_EXTRA),$(shell find $(INITRAMFS_EXTRA) -type f))

# Rewritten only when INITRAMFS_EXTRA or PROG change: then the cpio is repacked.
$(BUILD)/initramfs.args: FORCE
	@mkdir -p $(BUILD)
	@echo '$(INITRAMFS_ARGS)' | cmp -s - $@ || echo '$(INITRAMFS_ARGS)' > $@

$(INITRAMFS): tools/mkinitramfs.py $(INITRAMFS_ROOT).stamp $(BUILD)/initramfs.args \
              $(INITRAMFS_EXTRA_FILES) $(PROG)
	$(PYTHON) tools/mkinitramfs.py $@ $(INITRAMFS_ARGS)

# The command line is baked into grub.cfg: rebuild an ISO when it changes.
$(BUILD)/%.cmdline: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CMDLINE_$*)' | cmp -s - $@ || echo '$(CMDLINE_$*)' > $@

$(BUILD)/%.iso: $(KERNEL) $(INITRAMFS) $(BUILD)/%.cmdline tools/mkiso.sh
	tools/mkiso.sh $(KERNEL) $(INITRAMFS) "$$(cat $(BUILD)/$*.cmdline)" $@

# ---- host dependencies ------------------------------------------------------------
deps-build:
	@tools/deps.sh build
deps-run:
	@tools/deps.sh build run
deps-test:
	@tools/deps.sh build run test
deps-debug:
	@tools/deps.sh build run debug

# ---- the README's commands ----------------------------------------------------------
run: deps-run
	@$(MAKE) --no-print-directory $(ISO)
	$(PYTHON) tools/qemu.py --iso $(ISO) $(QEMU_ARGS) --timeout $(BOOT_TIMEOUT) \
	    $(if $(filter 1,$(TRACE)),--trace-file $(TRACE_FILE))
	@$(if $(filter 1,$(TRACE)),echo "archipel: trace in $(TRACE_FILE); decode it with: tools/trace $(TRACE_FILE)")

# A program run with tracing on: the raw trace, its summary, Perfetto JSON and heat maps
# in $(TRACE_DIR). make exits with the program's status (after decoding its trace).
trace: deps-run
	@$(if $(PROG),,echo "make trace: name the program: make trace PROG=path/to/static-binary ARGS=\"...\"" >&2; exit 2)
	@test -f "$(PROG)" || { echo "make trace: PROG=$(PROG): no such file" >&2; exit 2; }
	@$(MAKE) --no-print-directory $(BUILD)/archipel-trace.iso
	@rm -rf $(TRACE_DIR) && mkdir -p $(TRACE_DIR)
	@status=0; $(PYTHON) tools/qemu.py --iso $(BUILD)/archipel-trace.iso $(QEMU_ARGS) \
	    --timeout $(BOOT_TIMEOUT) --trace-file $(TRACE_DIR)/trace.bin || status=$$?; \
	tools/trace $(TRACE_DIR)/trace.bin --out $(TRACE_DIR) || exit $$?; \
	echo "archipel: $(notdir $(PROG)) exited with status $$status; open $(TRACE_DIR)/trace.json in https://ui.perfetto.dev"; \
	exit $$status

# The recorded trace the decoder's tests read: RPCs of the dqdt and locks self-tests on 4x2.
trace-sample: deps-run
	@$(MAKE) --no-print-directory $(BUILD)/archipel-tracesample.iso
	$(PYTHON) tools/qemu.py --iso $(BUILD)/archipel-tracesample.iso --clusters 4 --cores 2 \
	    --mem 128 --timeout $(BOOT_TIMEOUT) --trace-file tests/data/trace/rpc-4x2.trace
	tools/trace tests/data/trace/rpc-4x2.trace --summary

# Benchmarks: ratios measured side by side in one boot, never asserted.
BENCH_TOPOLOGIES ?= 4x2
# user/bin/procbench: fork, exec, COW, page faults, system calls
PROC_BENCH_TOPOLOGIES ?= 1x1,4x2
# user/bin/vmbench: COW, munmap, mprotect with page-table copies in 1..8 clusters, first touch
VM_BENCH_TOPOLOGIES ?= 8x1,4x2
bench: deps-run
	@$(MAKE) --no-print-directory $(BUILD)/archipel-bench.iso $(BUILD)/archipel-procbench.iso \
	    $(BUILD)/archipel-vmbench.iso
	$(PYTHON) tools/bench.py --iso $(BUILD)/archipel-bench.iso --topologies $(BENCH_TOPOLOGIES) \
	    --out $(BUILD)/bench --timeout $(BOOT_TIMEOUT)
	$(PYTHON) tools/bench.py --iso $(BUILD)/archipel-procbench.iso \
	    --topologies $(PROC_BENCH_TOPOLOGIES) --out $(BUILD)/bench/proc --timeout $(BOOT_TIMEOUT)
	$(PYTHON) tools/bench.py --iso $(BUILD)/archipel-vmbench.iso \
	    --topologies $(VM_BENCH_TOPOLOGIES) --out $(BUILD)/bench/vm --timeout $(BOOT_TIMEOUT)

# Archipel vs Linux: a release kernel (DEBUG=0 INSTRUMENT=0 KTEST=0, in $(BUILD)/release) and
# Debian's Linux 6.1 (fetched into $(BUILD)/linux) run user/bin/cmpbench on the same
# QEMU machine, alternately, LINUX_BENCH_RUNS boots each; results in $(BUILD)/bench/linux.
LINUX_BENCH_TOPOLOGIES ?= 1x1,2x2,4x2,8x1
LINUX_BENCH_RUNS ?= 5
RELEASE_BUILD := $(BUILD)/release
bench-linux: deps-run
	@tools/deps.sh bench-linux
	@$(MAKE) --no-print-directory BUILD=$(RELEASE_BUILD) DEBUG=0 INSTRUMENT=0 KTEST=0 \
	    $(RELEASE_BUILD)/archipel-cmpbench.iso
	$(PYTHON) tools/bench_linux.py --archipel-iso $(RELEASE_BUILD)/archipel-cmpbench.iso \
	    --cmpbench $(RELEASE_BUILD)/user/bin/cmpbench --linux-dir $(BUILD)/linux \
	    --topologies $(LINUX_BENCH_TOPOLOGIES) --runs $(LINUX_BENCH_RUNS) \
	    --out $(BUILD)/bench/linux --timeout $(BOOT_TIMEOUT)

# An interactive busybox shell on the serial console (tools/shell_image.py fetches
# Debian's busybox-static into $(BUILD)/linux, as bench-linux does). Quit QEMU: Ctrl-A X.
SHELL_ROOT    := $(BUILD)/shell-root
SHELL_CPIO    := $(BUILD)/shell-initramfs.cpio
SHELL_ISO     := $(BUILD)/archipel-shell.iso
SHELL_CMDLINE := -- --tty /bin/sh -l
shell: deps-run
	@tools/deps.sh bench-linux
	@$(MAKE) --no-print-directory $(SHELL_ISO)
	@echo "archipel: busybox sh on the serial console of $(CLUSTERS)x$(CORES_PER_CLUSTER);" \
	    "'exit' powers the guest off, Ctrl-A X quits QEMU"
	$(PYTHON) tools/qemu.py --iso $(SHELL_ISO) $(QEMU_ARGS)

$(SHELL_ROOT).stamp: tools/shell_image.py tools/linux_image.py $(INITRAMFS_ROOT).stamp
	$(PYTHON) tools/shell_image.py --linux-dir $(BUILD)/linux --root $(SHELL_ROOT) \
	    --base $(INITRAMFS_ROOT)
	@touch $@

$(SHELL_CPIO): tools/mkinitramfs.py $(INITRAMFS_ROOT).stamp $(SHELL_ROOT).stamp
	$(PYTHON) tools/mkinitramfs.py $@ --dir $(INITRAMFS_ROOT) --dir $(SHELL_ROOT)

$(SHELL_ISO): $(KERNEL) $(SHELL_CPIO) tools/mkiso.sh
	tools/mkiso.sh $(KERNEL) $(SHELL_CPIO) "$(SHELL_CMDLINE)" $@

# The busybox script of issue 13 (tests/data/busybox/script.sh): Linux 6.1's output is
# recorded here (committed as the expected output); test_busybox_script.py runs it on Archipel.
BBSCRIPT_CPIO := $(BUILD)/bbscript-initramfs.cpio
BBSCRIPT_ISO  := $(BUILD)/archipel-bbscript.iso
busybox-linux-record: deps-run
	@tools/deps.sh bench-linux
	$(PYTHON) tools/busybox_script.py record --out tests/data/busybox/script.linux.out

$(BBSCRIPT_CPIO): tools/mkinitramfs.py $(INITRAMFS_ROOT).stamp $(SHELL_ROOT).stamp \
                  tests/data/busybox/script.sh
	$(PYTHON) tools/mkinitramfs.py $@ --dir $(INITRAMFS_ROOT) --dir $(SHELL_ROOT) \
	    --file script.sh=tests/data/busybox/script.sh

$(BBSCRIPT_ISO): $(KERNEL) $(BBSCRIPT_CPIO) tools/mkiso.sh
	tools/mkiso.sh $(KERNEL) $(BBSCRIPT_CPIO) "-- /bin/sh /script.sh" $@

debug: deps-debug
	@$(MAKE) --no-print-directory $(ISO) RUN_CMDLINE='panic=halt $(RUN_CMDLINE)'
	tools/debug.sh $(ISO) $(KERNEL) $(QEMU_ARGS)

$(LIMITS_ISO): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/limits MAX_CLUSTERS=2 MAX_CORES_PER_CLUSTER=2 $@

test: deps-test
	@$(MAKE) --no-print-directory $(TEST_ISO) $(CRASH_ISO) $(KCM_UAF_ISO) $(KCM_DF_ISO) \
	    $(SMASH_ISO) $(STALL_ISO) $(LIMITS_ISO) $(USER_ISO) \
	    $(BUILD)/archipel-gdb.iso host-tests ltp-test-images
	$(PYTHON) tests/run.py --host-tests $(HOST_TESTS) \
	    --user-iso $(USER_ISO) --user-timeout $(USER_TEST_TIMEOUT) \
	    --ltp $(LTP_TEST_TOPOLOGY) --ltp-src $(LTP_SRC) $(LTP_TEST_ARGS) \
	    --boot --iso $(TEST_ISO) \
	    --timeout $(BOOT_TIMEOUT) --scenario-iso crash=$(CRASH_ISO) \
	    --scenario-iso kcm-uaf=$(KCM_UAF_ISO) --scenario-iso kcm-df=$(KCM_DF_ISO) \
	    --scenario-iso smash=$(SMASH_ISO) \
	    --scenario-iso stall=$(STALL_ISO) \
	    --scenario-iso limits=$(LIMITS_ISO) $(TEST_ARGS)

include tests/host/host.mk
include user/user.mk
include tests/ltp/ltp.mk

clean:
	rm -rf $(BUILD)
