# tests/ltp/ltp.mk - LTP's system-call tests on Archipel and on Linux (included by the Makefile).
#
#   make ltp           build LTP (tools/ltp_build.sh) and run it on LTP_TOPOLOGIES
#                      (tools/ltp.py run): build/ltp/results-<topo>.json
#   make ltp-linux     the same binaries on Debian's Linux 6.1, same QEMU machine:
#                      build/ltp/results-linux-<topo>.json
#   make ltp-compare   Archipel vs Linux per family, Linux-only passes first
#   make test          runs the LTP set on LTP_TEST_TOPOLOGY against tests/ltp/expected.txt
#                      (tests/run.py's ltp section; skipped, with the reason, without LTP)
#
# LTP's source is read-only and never copied into the repository: LTP_SRC (default
# ../shared/third_party/ltp from the main checkout, ../../shared/... from a worktree
# under wt/) is copied to build/ltp/src once per change of the source. Only the families
# of LTP_FAMILIES are built.

LTP_SRC     ?= $(firstword $(wildcard ../shared/third_party/ltp ../../shared/third_party/ltp) \
                 ../shared/third_party/ltp)
LTP_DIR     := $(BUILD)/ltp
LTP_FAMILIES ?= fork vfork execve execl execle execlp execv execvp execveat wait wait4 \
                waitpid waitid mmap munmap mprotect mremap madvise brk mlock mlock2 mlockall \
                munlock munlockall getpid getppid clone clone3 futex pipe pipe2 kill signal \
                sigaction rt_sigaction exit exit_group
LTP_TOPOLOGIES    ?= 4x2
LTP_TEST_TOPOLOGY ?= 2x2
# Seconds before ltprun kills one test; LTP_TIMEOUT_MUL of the tests (LTP's own timeouts).
LTP_TEST_TIMEOUT  ?= 120
# MiB per cluster: the initramfs (about 60 MiB of static LTP binaries) and its unpacked
# copy live in cluster 0, so 128 is too small. Linux gets the same machine.
LTP_MEM           ?= 256
LTP_TIMEOUT_MUL   ?= 1
LTP_RUNNER        := $(BUILD)/user/ltp/ltprun
LTP_INITRAMFS     := $(LTP_DIR)/initramfs.cpio
LTP_LINUX_INITRAMFS := $(LTP_DIR)/initramfs-linux.cpio
# make test's LTP section (tests/run.py --ltp): the same settings, but a test is killed
# after LTP_CHECK_TIMEOUT seconds: every test that passes takes under 10 s here, and the
# hangs of expected.txt would otherwise spend make test's budget waiting (kill02: 120 s)
LTP_CHECK_TIMEOUT ?= 40
LTP_TEST_ARGS = --ltp-arg=--test-timeout=$(LTP_CHECK_TIMEOUT) --ltp-arg=--mem=$(LTP_MEM) \
                --ltp-arg=--timeout-mul=$(LTP_TIMEOUT_MUL)
LTP_RUN_ARGS = --root $(LTP_DIR)/root --out $(LTP_DIR) --test-timeout $(LTP_TEST_TIMEOUT) \
               --timeout-mul $(LTP_TIMEOUT_MUL) --mem $(LTP_MEM)

.PHONY: ltp ltp-build ltp-linux ltp-compare ltp-images ltp-test-images
comma := ,

$(LTP_RUNNER): user/ltp/ltprun.c
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $<

# Incremental: tools/ltp_build.sh copies and configures only when LTP_SRC changed.
ltp-build: $(LTP_RUNNER)
	@test -f $(LTP_SRC)/configure || { echo "make ltp: no LTP source at $(LTP_SRC)" \
	    "(set LTP_SRC=path)" >&2; exit 2; }
	tools/ltp_build.sh $(LTP_SRC) $(LTP_DIR) $(LTP_FAMILIES)
	mkdir -p $(LTP_DIR)/root/etc $(LTP_DIR)/root/tmp
	install -m 0644 tests/ltp/etc/passwd tests/ltp/etc/group $(LTP_DIR)/root/etc/
	install -m 0755 $(LTP_RUNNER) $(LTP_DIR)/root/opt/ltp/ltprun
	@tools/deps.sh bench-linux
	$(PYTHON) tools/ltp.py busybox --linux-dir $(BUILD)/linux --root $(LTP_DIR)/root

# The Archipel guest: init's tree (user/user.mk) plus the LTP tree; init runs ltprun.
ltp-images: ltp-build $(KERNEL) $(INITRAMFS_ROOT).stamp
	$(PYTHON) tools/mkinitramfs.py $(LTP_INITRAMFS) --dir $(INITRAMFS_ROOT) --dir $(LTP_DIR)/root

ltp: deps-run
	@$(MAKE) --no-print-directory ltp-images
	$(PYTHON) tools/ltp.py run $(LTP_RUN_ARGS) --kernel $(KERNEL) --initramfs $(LTP_INITRAMFS) \
	    --topologies $(LTP_TOPOLOGIES)

ltp-linux: deps-run
	@tools/deps.sh bench-linux
	@$(MAKE) --no-print-directory ltp-build
	$(PYTHON) tools/ltp.py linux-initramfs --root $(LTP_DIR)/root --ltprun $(LTP_RUNNER) \
	    --out $(LTP_LINUX_INITRAMFS)
	$(PYTHON) tools/ltp.py run $(LTP_RUN_ARGS) --linux --linux-dir $(BUILD)/linux \
	    --initramfs $(LTP_LINUX_INITRAMFS) --topologies $(LTP_TOPOLOGIES)

ltp-compare:
	@for t in $(subst $(comma), ,$(LTP_TOPOLOGIES)); do \
	    $(PYTHON) tools/ltp.py compare --out $(LTP_DIR) --topology $$t || exit $$?; done

# make test's part: the images when LTP's source is there, else nothing (skipped).
ltp-test-images:
	@if test -f $(LTP_SRC)/configure; then $(MAKE) --no-print-directory ltp-images; \
	 else echo "make test: LTP skipped: no LTP source at $(LTP_SRC)"; fi
