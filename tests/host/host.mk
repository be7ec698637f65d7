# tests/host/host.mk - host unit tests of the pure kernel modules.
#
# Included by the top-level Makefile, or used alone from the repository root:
#     make -f tests/host/host.mk host-tests        # build build/host/test_*
#     make -f tests/host/host.mk host-tests-run    # build, run, summarise
#     make -f tests/host/host.mk host-tests-clean
# Every test binary prints KTAP version 1 and exits 0 only when all its test
# cases passed; run them from the repository root (test_acpi and
# test_topology read tests/data/acpi/*.bin).
#
# Variables (all prefixed HOST_ so that they do not clash with the kernel's):
#   HOSTCC                 host C compiler (default gcc)
#   MAX_CLUSTERS, MAX_CORES_PER_CLUSTER   from params.mk (defaults 64, 16)
#   HOST_TESTS             the test binaries
#   HOST_TEST_EXTRA_CFLAGS extra flags, e.g. -O2 or -fno-sanitize-recover=all

HOST_TESTS_SAVED_GOAL := $(.DEFAULT_GOAL)

HOSTCC                ?= gcc
MAX_CLUSTERS          ?= 64
MAX_CORES_PER_CLUSTER ?= 16

HOST_BUILD := build/host
HOST_OBJ   := $(HOST_BUILD)/obj

HOST_TEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -DARCHIPEL_HOST \
    -DMAX_CLUSTERS=$(MAX_CLUSTERS) -DMAX_CORES_PER_CLUSTER=$(MAX_CORES_PER_CLUSTER) \
    -iquote kernel/libk -iquote kernel/mm -iquote kernel/kern -iquote hal/x86_64 -iquote tests/host \
    -iquote kernel/include -iquote user/include \
    -fsanitize=address,undefined $(HOST_TEST_EXTRA_CFLAGS)
HOST_TEST_LDFLAGS := -fsanitize=address,undefined

# Sources of each test binary: its test file and the modules it tests.
HOST_SRCS_test_buddy    := tests/host/test_buddy.c kernel/mm/buddy.c
HOST_SRCS_test_mb2      := tests/host/test_mb2.c hal/x86_64/mb2.c
HOST_SRCS_test_acpi     := tests/host/test_acpi.c hal/x86_64/acpi.c
HOST_SRCS_test_topology := tests/host/test_topology.c kernel/kern/topology.c hal/x86_64/acpi.c
HOST_SRCS_test_cpio     := tests/host/test_cpio.c kernel/libk/cpio.c
HOST_SRCS_test_xlist    := tests/host/test_xlist.c kernel/libk/xlist.c
HOST_SRCS_test_elf      := tests/host/test_elf.c kernel/kern/elf.c
HOST_SRCS_test_uapi     := tests/host/test_uapi.c tests/host/test_uapi_ours.c \
                           tests/host/test_uapi_linux.c

HOST_TEST_NAMES := test_buddy test_mb2 test_acpi test_topology test_cpio test_xlist test_elf \
                   test_uapi
HOST_TESTS      := $(addprefix $(HOST_BUILD)/,$(HOST_TEST_NAMES))

HOST_ALL_SRCS := $(sort $(foreach t,$(HOST_TEST_NAMES),$(HOST_SRCS_$(t))))
HOST_ALL_OBJS := $(patsubst %.c,$(HOST_OBJ)/%.o,$(HOST_ALL_SRCS))

.PHONY: host-tests host-tests-run host-tests-clean host-tests-force

host-tests: $(HOST_TESTS)

# One link rule per binary, from the objects of its sources.
define HOST_TEST_LINK
$(HOST_BUILD)/$(1): $(patsubst %.c,$(HOST_OBJ)/%.o,$(HOST_SRCS_$(1)))
	$$(HOSTCC) $$(HOST_TEST_LDFLAGS) -o $$@ $$^
endef
$(foreach t,$(HOST_TEST_NAMES),$(eval $(call HOST_TEST_LINK,$(t))))

# Objects depend on the headers they include (-MMD) and on the flags used.
$(HOST_OBJ)/%.o: %.c $(HOST_BUILD)/cflags
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_TEST_CFLAGS) -MMD -MP -c -o $@ $<

# Rewritten only when the flags change (e.g. another MAX_CLUSTERS).
$(HOST_BUILD)/cflags: host-tests-force
	@mkdir -p $(@D)
	@echo '$(HOSTCC) $(HOST_TEST_CFLAGS)' | cmp -s - $@ || \
	    echo '$(HOSTCC) $(HOST_TEST_CFLAGS)' > $@

host-tests-force:

# Runs every test binary (all of them, even after a failure); fails if any failed.
host-tests-run: $(HOST_TESTS)
	@fail=0; for t in $(HOST_TESTS); do \
	    echo "# $$t"; $$t || fail=1; \
	done; \
	if [ $$fail = 0 ]; then echo "# host tests: all passed"; \
	else echo "# host tests: FAILURES (see 'not ok' above)"; fi; \
	exit $$fail

host-tests-clean:
	rm -rf $(HOST_BUILD)

-include $(HOST_ALL_OBJS:.o=.d)

# Included from another Makefile: do not become its default goal.
ifneq ($(firstword $(MAKEFILE_LIST)),tests/host/host.mk)
.DEFAULT_GOAL := $(HOST_TESTS_SAVED_GOAL)
endif

# ---- real binaries for test_elf (tests/host/elf/hello.c) --------------------------
MUSL_GCC ?= musl-gcc
MUSL_LIB := /usr/lib/x86_64-linux-musl
ELF_SAMPLES := $(HOST_BUILD)/elf/hello-static $(HOST_BUILD)/elf/hello-pie \
               $(HOST_BUILD)/elf/hello-dynamic

$(HOST_BUILD)/elf/hello-static: tests/host/elf/hello.c
	@mkdir -p $(dir $@)
	$(MUSL_GCC) -static -O2 -o $@ $<

# position independent, no dynamic linker: the static-PIE layout
$(HOST_BUILD)/elf/hello-pie: tests/host/elf/hello.c
	@mkdir -p $(dir $@)
	$(MUSL_GCC) -static-pie -fPIE -O2 -nostartfiles -Wl,--no-dynamic-linker -o $@ \
	    $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $< $(MUSL_LIB)/crtn.o

$(HOST_BUILD)/elf/hello-dynamic: tests/host/elf/hello.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -o $@ $<

host-tests: $(ELF_SAMPLES)
