# user/user.mk - user programs and the initramfs tree (included by the top Makefile).
#
# Every program is an ordinary static Linux x86_64 binary built with musl-gcc:
#   user/init/init.c    -> /sbin/init      PID 1: runs ARGS or the test suite
#   user/tests/*.c      -> /tests/<name>   the user test suite (KTAP; *_helper are helpers)
#   user/bin/*.c        -> /bin/<name>     small tools (hello)
# The binaries go to $(BUILD)/user/{sbin,tests,bin}/; $(INITRAMFS_ROOT) is the staged
# tree that the initramfs packs: user/initramfs/* (e.g. /etc/archipel-release), those
# programs, and an empty /tmp.
#
# They also run on the host (Linux): make user-programs, then e.g.
#   build/user/tests/cow         (Archipel-only checks are SKIPped there)
#   make user-host-tests         (runs the whole suite on the host; all must pass)

USER_CC      ?= musl-gcc
USER_CFLAGS  := -static -O2 -Wall -Wextra -Werror -std=gnu11 -Iuser/include -Iuser/lib
USER_BUILD   := $(BUILD)/user
USER_HEADERS := $(wildcard user/include/*.h user/lib/*.h)

USER_TEST_NAMES := $(sort $(basename $(notdir $(wildcard user/tests/*.c))))
USER_BIN_NAMES  := $(sort $(basename $(notdir $(wildcard user/bin/*.c))))
USER_TESTS      := $(addprefix $(USER_BUILD)/tests/,$(USER_TEST_NAMES))
USER_BINS       := $(addprefix $(USER_BUILD)/bin/,$(USER_BIN_NAMES))
USER_INIT       := $(USER_BUILD)/sbin/init
USER_PROGRAMS   := $(USER_INIT) $(USER_TESTS) $(USER_BINS)

INITRAMFS_ROOT  ?= $(BUILD)/initramfs-root
# Seconds before one boot of the user suite (tests/harness/user_tests.py) is killed.
USER_TEST_TIMEOUT ?= 300
INITRAMFS_FILES := $(shell find user/initramfs -type f 2>/dev/null)

.PHONY: user-programs user-host-tests

user-programs: $(USER_PROGRAMS)

$(USER_BUILD)/tests/%: user/tests/%.c $(USER_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $<

$(USER_BUILD)/bin/%: user/bin/%.c $(USER_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $<

$(USER_INIT): user/init/init.c $(USER_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $<

# The staged tree, rebuilt from scratch whenever a program or an initramfs file changes.
$(INITRAMFS_ROOT).stamp: $(USER_PROGRAMS) $(INITRAMFS_FILES) user/user.mk
	rm -rf $(INITRAMFS_ROOT)
	mkdir -p $(INITRAMFS_ROOT)/sbin $(INITRAMFS_ROOT)/tests $(INITRAMFS_ROOT)/bin \
	    $(INITRAMFS_ROOT)/tmp
	cp -R --preserve=mode user/initramfs/. $(INITRAMFS_ROOT)/
	install -m 0755 $(USER_INIT) $(INITRAMFS_ROOT)/sbin/init
	install -m 0755 $(USER_TESTS) $(INITRAMFS_ROOT)/tests/
	$(if $(USER_BINS),install -m 0755 $(USER_BINS) $(INITRAMFS_ROOT)/bin/)
	@touch $@

# The whole suite on the host, as init runs it in the guest (skips the leak check).
user-host-tests: $(USER_PROGRAMS)
	@fail=0; for t in $(filter-out %_helper,$(USER_TESTS)); do \
	    echo "# $$t"; $$t || { echo "# $$t FAILED"; fail=1; }; \
	done; exit $$fail
