# tests/bench/bench.mk - the benchmark targets, included by the top Makefile
# (paths are relative to the top of the tree). See docs/BENCHMARKS.md.
#
#   make bench            boot the kernel with bench=$(BENCH) (no ktest) on the
#                         WORKLOADS.md guest, print the figures, keep them in
#                         build/bench/<date>-<accel>.txt
#   make bench-compare    Linux's reference run and `make bench` in one session,
#                         then a table: workload, ours, Linux's, ratio, target
#   make bench-host       the single- and two-thread workloads natively: the
#                         hosted mm/ against glibc, jemalloc, tcmalloc and
#                         mimalloc (ns per op), plus the fast-path instruction
#                         counts (callgrind)
#
# Knobs: BENCH=<glob> (default *: every workload), ACCEL=auto|tcg|kvm,
# BOOTS=<n> (bench-compare: alternate n boots of each side, median per figure).

BENCH       ?= *
BOOTS       ?= 1
ACCEL       ?= auto
BENCH_OUT   := build/bench
BENCH_HOSTCC ?= gcc

.PHONY: bench bench-compare bench-host bench-host-bins

# ---- in the guest ------------------------------------------------------------
# build/bench.iso: the top Makefile's ISO rule, with the command line
# bench=<glob> only (no ktest). Passed through the environment, like the
# other ISOs' command lines, so the glob reaches grub.cfg unexpanded.
export CMDLINE_FOR_bench := 'bench=$(BENCH)'
export BENCH_GLOB := $(BENCH)

bench: $(BUILD)/bench.iso
	BENCH="$$BENCH_GLOB" ACCEL='$(ACCEL)' ISO='$(BUILD)/bench.iso' KERNEL_ELF='$(KERNEL)' \
		tests/bench/run-kernel.sh

# Always bench=* here: the comparison wants every row.
bench-compare:
	$(MAKE) --no-print-directory BENCH='*' $(BUILD)/bench.iso
	ACCEL='$(ACCEL)' ISO='$(BUILD)/bench.iso' KERNEL_ELF='$(KERNEL)' BOOTS='$(BOOTS)' \
		tests/bench/compare.sh

# ---- hosted --------------------------------------------------------------------
# mm/ and the portable kernel code, as the host tests build them, but -O2 and
# without sanitizers or lock debugging: the code the kernel runs.
# Not position-independent, like the kernel (-mcmodel=kernel): a table is indexed by its
# address, not through a register loaded with it.
BENCH_HOST_CFLAGS := -std=gnu11 -O2 -g -fno-omit-frame-pointer -fno-strict-aliasing -fno-plt \
	-fno-pie -no-pie -pthread -Wall -Wextra -Werror -I. -MMD -MP
BENCH_MM_SRCS := $(filter-out mm/init.c,$(wildcard mm/*.c)) \
	$(wildcard $(addprefix kernel/,ktest.c vsprintf.c cmdline.c multiboot2.c acpi_tables.c \
		spinlock_debug.c)) \
	tests/host/host_arch.c
BENCH_MM_OBJS := $(patsubst %.c,$(BENCH_OUT)/obj/%.o,$(BENCH_MM_SRCS))
BENCH_LIBC := glibc jemalloc tcmalloc mimalloc
BENCH_HOST_BINS := $(BENCH_OUT)/host_bench_mm $(addprefix $(BENCH_OUT)/host_bench_,$(BENCH_LIBC))

$(BENCH_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(BENCH_HOSTCC) $(BENCH_HOST_CFLAGS) -DMM_HOSTED -c $< -o $@

# The allocation fast paths run without a frame (see the top of mm/slab_fast.c).
$(BENCH_OUT)/obj/mm/slab_fast.o: BENCH_HOST_CFLAGS += -fomit-frame-pointer

$(BENCH_OUT)/libkmm-bench.a: $(BENCH_MM_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BENCH_OUT)/host_bench_mm: tests/bench/host_bench.c kernel/bench.h $(BENCH_OUT)/libkmm-bench.a
	$(BENCH_HOSTCC) $(BENCH_HOST_CFLAGS) -DMM_HOSTED -DHB_MM -o $@ $< $(BENCH_OUT)/libkmm-bench.a

# One binary per malloc: the library given at link time replaces malloc/free.
$(BENCH_OUT)/host_bench_glibc: BENCH_LIB :=
$(BENCH_OUT)/host_bench_jemalloc: BENCH_LIB := -ljemalloc
$(BENCH_OUT)/host_bench_tcmalloc: BENCH_LIB := -ltcmalloc_minimal
$(BENCH_OUT)/host_bench_mimalloc: BENCH_LIB := -lmimalloc
$(BENCH_OUT)/host_bench_%: tests/bench/host_bench.c kernel/bench.h
	@mkdir -p $(dir $@)
	$(BENCH_HOSTCC) $(BENCH_HOST_CFLAGS) -DHB_LIBC -DHB_NAME='"$*"' -o $@ $< $(BENCH_LIB)

bench-host-bins: $(BENCH_HOST_BINS)

# The allocators' packages are installed first (a script: apt-get when missing).
bench-host:
	tests/bench/install-allocators.sh
	$(MAKE) --no-print-directory bench-host-bins
	BENCH='$(BENCH)' tests/bench/host-bench.sh $(BENCH_HOST_BINS)

-include $(shell find $(BENCH_OUT)/obj -name '*.d' 2>/dev/null)
