# tests/fuzz/fuzz.mk - coverage-guided fuzzing of the hosted build with
# libFuzzer, included by the top Makefile (paths are relative to the top).
#
#   make fuzz                   every fuzzer for FUZZ_TIME seconds (default 60)
#   make fuzz FUZZ=memmap       one of them (FUZZ takes a list: "acpi cmdline")
#   make fuzz-bins              build build/fuzz/fuzz_<name> only
#
# Each tests/fuzz/fuzz_<name>.c is one harness (LLVMFuzzerTestOneInput),
# linked with the portable sources of tests/host/Makefile compiled by clang
# under -fsanitize=fuzzer-no-link,address,undefined into build/fuzz/obj/
# (build/host/ belongs to the gcc host build). `make fuzz` runs each one on
# build/fuzz/corpus/<name>/, seeded from build/fuzz/seeds/<name>/ (written by
# tests/fuzz/make_seeds.py: nothing generated is kept in git), and saves
# what crashes to build/fuzz/crashes/<name>/; tests/fuzz/run_fuzzers.py does
# the running (one fuzzer at a time, no -jobs) and exits non-zero on a crash.
#
# make test runs them too, briefly: build/host/test_fuzz (the same script,
# installed like test_monitor) replays the seeds and a fixed number of new
# inputs with a fixed -seed, one KTAP case per fuzzer. host-tests depends on
# fuzz-host-tests, which installs it and builds the fuzzers.

FUZZ_TIME ?= 60
FUZZ      ?=
FUZZ_CC   ?= clang
FUZZ_OUT  := $(BUILD)/fuzz

FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_PICK  := $(if $(strip $(FUZZ)),$(strip $(FUZZ)),$(FUZZ_NAMES))

# The portable sources: tests/host/Makefile's own list (HOST_LIB_SRCS), read
# from it so that the gcc and clang hosted builds cannot drift apart, minus
# host_main.c (libFuzzer brings main). The list is absolute; made relative here.
FUZZ_LIB_SRCS := $(filter-out tests/host/host_main.c,$(patsubst $(CURDIR)/%,%,$(shell \
	MAKEFLAGS= $(MAKE) -s --no-print-directory -f tests/host/Makefile \
	--eval 'fuzz-print-srcs: ; @echo $$(HOST_LIB_SRCS)' fuzz-print-srcs 2>/dev/null)))
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_LIB_SRCS))

# As tests/host/Makefile's HOST_CFLAGS, with clang and libFuzzer's coverage
# instrumentation; the harnesses link with -fsanitize=fuzzer (libFuzzer's main).
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -fno-strict-aliasing -pthread \
	-Wall -Wextra -Werror -DMM_HOSTED -DSPINLOCK_DEBUG -I. $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link -MMD -MP
FUZZ_LDFLAGS := -pthread $(FUZZ_SAN) -fsanitize=fuzzer

.PHONY: fuzz fuzz-bins fuzz-host-tests
# Keep the harness objects (intermediate in the pattern chain), as tests/host/Makefile does.
.SECONDARY: $(patsubst %,$(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_NAMES))

# Objects depend on the flags (a file rewritten only when they change), as the kernel's do.
$(FUZZ_OUT)/cflags.stamp: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(FUZZ_CC) $(FUZZ_CFLAGS) | $(FUZZ_NO_COVERAGE) | $(FUZZ_NO_CMP)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

$(FUZZ_OUT)/obj/%.o: %.c $(FUZZ_OUT)/cflags.stamp
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# The allocation fast paths run without a frame (see the top of mm/slab_fast.c).
$(FUZZ_OUT)/obj/mm/slab_fast.o: FUZZ_CFLAGS += -fomit-frame-pointer
# The invariant checkers and printk's formatting run under the sanitizers but
# without coverage feedback: their branches say nothing about the input
# (a checker walks every page whatever the program did), they would fill
# the corpus with inputs that differ only in how many digits a message had,
# and their per-page loops, traced compare by compare, dominate the time.
FUZZ_NO_COVERAGE := mm/buddy_check.c kernel/vsprintf.c tests/host/host_arch.c
$(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_NO_COVERAGE)): \
	FUZZ_CFLAGS := $(filter-out -fsanitize=fuzzer-no-link,$(FUZZ_CFLAGS))
# The allocators keep their edge coverage but not libFuzzer's tracing of
# comparisons (-fsanitize-coverage=trace-cmp): what they compare are
# pointers, counts and flags, whose values change from run to run and teach
# the mutator nothing, and tracing slab_check's walks halves the speed. The
# parsers and the memory map code keep it: their comparisons are against
# the input's own values (signatures, lengths, boundaries).
FUZZ_NO_CMP := mm/slab.c mm/slab_fast.c mm/slab_debug.c mm/kmalloc.c mm/page_alloc.c \
	mm/page_alloc_init.c mm/page_census.c mm/provenance.c mm/mm_stats.c
# The page-table walker neither: vmm_check and vmm_walk_leaves, which fuzz_vmm runs
# after every operation, compare every entry of every table; traced, they halved its
# executions a second for no more coverage (the same edges after 60 s either way), and
# the harness hands vmm.c addresses and sizes already decoded from the input.
FUZZ_NO_CMP += mm/vmm.c
$(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_NO_CMP)): FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp

$(FUZZ_OUT)/libkmm-fuzz.a: $(FUZZ_LIB_OBJS)
	@if [ -z '$(FUZZ_LIB_SRCS)' ]; then \
		echo "fuzz.mk: could not read HOST_LIB_SRCS from tests/host/Makefile" >&2; exit 1; fi
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_OUT)/libkmm-fuzz.a
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $< $(FUZZ_OUT)/libkmm-fuzz.a

# deps: tests/install-deps.sh, which installs clang and its libFuzzer runtime when missing.
fuzz-bins: $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_PICK)) | deps

# The seeds, rewritten whole (so a seed dropped from the script goes too) when the script changes.
FUZZ_SEEDS := $(FUZZ_OUT)/seeds
$(FUZZ_SEEDS)/.stamp: tests/fuzz/make_seeds.py
	@rm -rf $(FUZZ_SEEDS)
	$(Q)$(PYTHON) tests/fuzz/make_seeds.py $(FUZZ_SEEDS)
	@touch $@

fuzz: fuzz-bins $(FUZZ_SEEDS)/.stamp
	$(PYTHON) tests/fuzz/run_fuzzers.py --fuzz --time $(FUZZ_TIME) --build $(FUZZ_OUT) \
		$(FUZZ_PICK)

# What make host-tests (and so make test) needs: the KTAP wrapper, and the
# fuzzers themselves when clang and its libFuzzer runtime are there. When
# they are not (tests/install-deps.sh installs them; `deps` runs it first),
# the build goes on and test_fuzz fails each case, saying what is missing.
FUZZ_TOOLCHAIN_OK = command -v $(FUZZ_CC) >/dev/null 2>&1 && \
	{ f=$$($(FUZZ_CC) -print-file-name=libclang_rt.fuzzer-x86_64.a); [ -f "$$f" ] || \
	  { f=$$($(FUZZ_CC) -print-file-name=libclang_rt.fuzzer.a); [ -f "$$f" ]; }; }

fuzz-host-tests: $(BUILD)/host/test_fuzz $(FUZZ_SEEDS)/.stamp | deps
	@if $(FUZZ_TOOLCHAIN_OK); then \
		$(MAKE) --no-print-directory fuzz-bins FUZZ=; \
	else \
		echo "fuzz: $(FUZZ_CC) or its libFuzzer runtime is missing; build/host/test_fuzz will fail" >&2; \
	fi

$(BUILD)/host/test_fuzz: tests/fuzz/run_fuzzers.py
	@mkdir -p $(dir $@)
	install -m 755 $< $@

-include $(shell find $(FUZZ_OUT)/obj -name '*.d' 2>/dev/null)
