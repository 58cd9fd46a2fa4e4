# Makefile - build, boot and test the kernel. `make help` lists the targets
# and variables. Everything generated goes under build/ (git-ignored).

.DEFAULT_GOAL := all

# ---- user variables (documented in `make help`) ------------------------------
MEM        ?= 512M
SMP        ?= 2
ACCEL      ?= auto
CPU        ?=
CMDLINE    ?=
TESTS      ?=
QEMU_EXTRA ?=
V          ?= 0
DEBUG      ?= 1

# ---- tools and flags -----------------------------------------------------------
CC     := gcc
LD     := ld
NM     := nm
AWK    := awk
QEMU   := qemu-system-x86_64
PYTHON := python3
GDB    := gdb
BUILD  := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -fno-omit-frame-pointer -fno-strict-aliasing -g -O2 \
	-Wall -Wextra -Werror -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -I. -MMD -MP
# Debug builds (the default; DEBUG=0 turns it off) check every spinlock:
# a CPU taking a lock it holds, or releasing one it does not (kernel/spinlock.h).
ifeq ($(DEBUG),1)
CFLAGS += -DSPINLOCK_DEBUG
endif
ASFLAGS := -fno-pic -fno-pie -g -I. -MMD -MP -Wa,--noexecstack
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Every source under these directories is part of the kernel: new files need no edit here.
C_SRCS := $(wildcard arch/x86_64/*.c kernel/*.c mm/*.c tests/kernel/*.c)
S_SRCS := $(wildcard boot/*.S arch/x86_64/*.S)
OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(C_SRCS)) $(patsubst %.S,$(BUILD)/obj/%.o,$(S_SRCS))

KERNEL   := $(BUILD)/kernel.elf
ISO      := $(BUILD)/kernel.iso
TEST_ISO := $(BUILD)/kernel-test.iso

# Sources `make format` and `make lint` look at: the whole tree's C.
TREE_C := $(shell find boot arch kernel mm tests -name '*.[ch]' 2>/dev/null | sort)

# ---- QEMU ------------------------------------------------------------------------
# KVM only when /dev/kvm can be opened AND the CPU advertises hardware
# virtualisation (vmx/svm): some hosts expose a paravirtual /dev/kvm on which
# ordinary guests hang.
ifeq ($(ACCEL),auto)
ACCEL_RESOLVED := $(shell (exec 3<>/dev/kvm) 2>/dev/null && grep -qwE 'vmx|svm' /proc/cpuinfo && echo kvm || echo tcg)
else
ACCEL_RESOLVED := $(ACCEL)
endif
ifeq ($(ACCEL_RESOLVED),kvm)
QEMU_ACCEL   := -accel kvm
CPU_RESOLVED := $(or $(CPU),host)
else
QEMU_ACCEL   := -accel tcg,thread=multi
CPU_RESOLVED := $(or $(CPU),max)
endif

# Everything but the console and the boot medium. -no-reboot turns a triple
# fault into QEMU exiting (status 0) instead of an endless reboot loop.
QEMU_ARGS := -m $(MEM) -smp $(SMP) $(QEMU_ACCEL) -cpu $(CPU_RESOLVED) -display none \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -boot d $(QEMU_EXTRA)

# ---- build ------------------------------------------------------------------------
.PHONY: all kernel iso test-iso run test debug host-tests mutants clean format lint help deps FORCE
.PRECIOUS: $(BUILD)/%.iso.cmdline

all: $(ISO)
kernel: $(KERNEL)
iso: $(ISO)
test-iso: $(TEST_ISO)

# The objects depend on the compiler flags (a file rewritten only when they
# change), so switching DEBUG= rebuilds everything instead of mixing objects.
$(BUILD)/cflags.stamp: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(CFLAGS)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
$(OBJS): $(BUILD)/cflags.stamp

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

# The version string: "0.1" plus `git describe` when available. Rewritten only
# when it changes, so only kernel/main.c recompiles.
GIT_DESCRIBE := $(shell git describe --always --dirty 2>/dev/null)
$(BUILD)/include/version.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define KERNEL_VERSION "0.1$(if $(GIT_DESCRIBE), ($(GIT_DESCRIBE)))"' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/obj/kernel/main.o: $(BUILD)/include/version.h
# The allocation fast paths run without a frame (see the top of mm/slab_fast.c).
$(BUILD)/obj/mm/slab_fast.o: CFLAGS += -fomit-frame-pointer
$(BUILD)/obj/kernel/main.o: CFLAGS += -include $(BUILD)/include/version.h

# The symbol table for %pS and backtraces (kernel/ksyms.c) takes two links:
# the first with an empty table, whose `nm` output becomes the table linked
# into the second. The table sits after all code (linker.ld), so no function
# moves between the links; the final image's table is checked to be identical.
$(BUILD)/ksyms_empty.S:
	@mkdir -p $(dir $@)
	@printf '\t.section .ksyms, "a"\n\t.balign 8\n\t.globl ksym_count, ksym_table\nksym_count:\n\t.quad 0\nksym_table:\n\t.section .note.GNU-stack, "", @progbits\n' > $@

$(BUILD)/ksyms.o $(BUILD)/ksyms_empty.o: $(BUILD)/%.o: $(BUILD)/%.S
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

$(BUILD)/kernel.stage1.elf: $(OBJS) $(BUILD)/ksyms_empty.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(BUILD)/ksyms_empty.o

$(BUILD)/ksyms.S: $(BUILD)/kernel.stage1.elf kernel/ksyms.awk
	@echo "  KSYMS   $@"
	$(Q)$(NM) -n -S --defined-only $< | $(AWK) -f kernel/ksyms.awk > $@

$(KERNEL): $(OBJS) $(BUILD)/ksyms.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@.tmp $(OBJS) $(BUILD)/ksyms.o
	$(Q)$(NM) -n -S --defined-only $@.tmp | $(AWK) -f kernel/ksyms.awk | cmp -s - $(BUILD)/ksyms.S || \
		{ echo "error: code moved between the two links; the symbol table would be wrong" >&2; exit 1; }
	$(Q)mv $@.tmp $@

# ---- ISOs ----------------------------------------------------------------------------
deps:
	@tests/install-deps.sh

# The kernel command line is baked into each ISO's grub.cfg (QEMU's -kernel
# cannot boot a multiboot2 kernel). build/kernel.iso gets CMDLINE;
# build/kernel-test.iso (make test) gets CMDLINE plus ktest=<TESTS or *>.
# Passed through the environment so no shell quoting can mangle them; a
# stamp file per ISO changes only when its command line does.
export CMDLINE_FOR_kernel := $(strip $(CMDLINE))
export CMDLINE_FOR_kernel_test := $(strip $(CMDLINE) 'ktest=$(or $(TESTS),*)')

$(BUILD)/%.iso.cmdline: FORCE
	@mkdir -p $(dir $@)
	@$(AWK) 'BEGIN { print ENVIRON["CMDLINE_FOR_$(subst -,_,$*)"] }' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

# Only the GRUB modules the boot needs: a 1.5 MB ISO in a third of the time.
GRUB_MODULES := multiboot2 normal smbios halt serial terminal echo test iso9660 biosdisk

$(BUILD)/%.iso: $(KERNEL) iso/grub.cfg $(BUILD)/%.iso.cmdline | deps
	$(Q)grub-file --is-x86-multiboot2 $(KERNEL) || \
		{ echo "error: $(KERNEL) has no valid multiboot2 header in its first 32 KiB" >&2; exit 1; }
	@echo "  ISO     $@ (command line: $$(cat $(BUILD)/$*.iso.cmdline))"
	$(Q)rm -rf $(BUILD)/isodir/$* && mkdir -p $(BUILD)/isodir/$*/boot/grub
	$(Q)cp $(KERNEL) $(BUILD)/isodir/$*/boot/kernel.elf
	$(Q)$(AWK) -v cmdfile=$(BUILD)/$*.iso.cmdline \
		'BEGIN { getline cmd < cmdfile } { i = index($$0, "@CMDLINE@"); if (i) $$0 = substr($$0, 1, i - 1) cmd substr($$0, i + 9); print }' \
		iso/grub.cfg > $(BUILD)/isodir/$*/boot/grub/grub.cfg
	$(Q)grub-mkrescue --locales= --fonts= --themes= --install-modules="$(GRUB_MODULES)" \
		-o $@ $(BUILD)/isodir/$* > $(BUILD)/$*.grub-mkrescue.log 2>&1 || \
		{ cat $(BUILD)/$*.grub-mkrescue.log >&2; exit 1; }

# ---- running ----------------------------------------------------------------------------
# On a terminal (stdin and stdout): serial and QEMU's monitor multiplexed on
# it; the kernel runs the boot-time tests, then its command monitor
# (docs/MONITOR.md) until `poweroff` or Ctrl-A X.
# Otherwise (make run > log, CI): plain serial, and the OEM string halt_exit
# tells the monitor to read commands from stdin until it is silent for 2 s,
# then end QEMU; status 0 if the tests (and any `check`/`test`) passed.
run: $(ISO)
	@if [ -t 0 ] && [ -t 1 ]; then \
		echo "QEMU: quit with Ctrl-A X (Ctrl-A C: QEMU monitor)"; \
		$(QEMU) $(QEMU_ARGS) -cdrom $(ISO) -serial mon:stdio; \
	else \
		$(QEMU) $(QEMU_ARGS) -cdrom $(ISO) -serial stdio -monitor none \
			-smbios type=11,value=halt_exit; \
	fi; \
	status=$$?; \
	case $$status in \
	0|33) exit 0 ;; \
	35) echo "make run: the kernel reported a failure (QEMU exit status 35)" >&2; exit 1 ;; \
	*) echo "make run: QEMU exit status $$status" >&2; exit $$status ;; \
	esac

# QEMU paused at the first instruction with its gdb stub on localhost:1234;
# build/kernel.gdb loads the symbols, connects and stops in kernel_main (a
# hardware breakpoint: the kernel's addresses are not mapped until the boot
# code enables paging, so gdb could not plant a software one).
debug: $(ISO) $(BUILD)/kernel.gdb
	@echo "QEMU is waiting for gdb. In another terminal, from $(CURDIR):"
	@echo "    $(GDB) -x $(BUILD)/kernel.gdb"
	@echo "(stops in kernel_main; quit QEMU with Ctrl-A X)"
	$(QEMU) $(QEMU_ARGS) -cdrom $(ISO) -serial mon:stdio -s -S

$(BUILD)/kernel.gdb: Makefile
	@mkdir -p $(dir $@)
	@printf '%s\n' \
		'set architecture i386:x86-64' \
		'file $(KERNEL)' \
		'target remote localhost:1234' \
		'hbreak kernel_main' \
		'continue' > $@

# ---- tests ----------------------------------------------------------------------------------
# fuzz-host-tests (tests/fuzz/fuzz.mk): the fuzzers and build/host/test_fuzz, which runs them briefly.
host-tests: fuzz-host-tests
	$(Q)$(MAKE) --no-print-directory -f tests/host/Makefile

export TESTS_GLOB := $(or $(TESTS),*)
# The configurations make test boots the same test ISO under, after the
# default one (MEM/SMP/CPU as given): each name's QEMU arguments come last, so
# they override -m/-smp/-cpu; SMBIOS words are appended to the kernel command
# line by the ISO's grub.cfg. They cover what each layer must survive: the
# smallest and a holed memory map, no 1 GiB pages, no large pages at all,
# slab debugging, one CPU, four CPUs, and maxcpus=. `make test TEST_CONFIGS=`
# boots the default configuration only; TESTS= (picking suites) does too.
TEST_CONFIGS ?= smp4 smp1 maxcpus1 mem32m mem6g qemu64 nohugepages slab_debug
TESTCFG_smp4        := -smp 4
TESTCFG_smp1        := -smp 1
TESTCFG_maxcpus1    := -smp 4 -smbios type=11,value=maxcpus=1
TESTCFG_mem32m      := -m 32M
TESTCFG_mem6g       := -m 6G
TESTCFG_qemu64      := -cpu qemu64
TESTCFG_nohugepages := -smbios type=11,value=nohugepages
TESTCFG_slab_debug  := -smbios type=11,value=slab_debug
TEST_CONFIG_ARGS := $(if $(TESTS),,$(if $(strip $(TEST_CONFIGS)),--kernel-config default: \
	$(foreach c,$(TEST_CONFIGS),--kernel-config $(c):"$(TESTCFG_$(c))")))
test: $(TEST_ISO) host-tests
	$(PYTHON) tests/run --iso $(TEST_ISO) --mem $(MEM) --smp $(SMP) \
		--accel $(ACCEL_RESOLVED) --cpu $(CPU_RESOLVED) $(TEST_CONFIG_ARGS) \
		--cmdline "$$CMDLINE_FOR_kernel" --tests "$$TESTS_GLOB" --host-dir $(BUILD)/host

# Plant known bugs in mm/ one at a time and check the host tests catch each one (tests/mutants.py).
mutants:
	$(PYTHON) tests/mutants.py $(MUTANTS)

# ---- source hygiene -----------------------------------------------------------------------
format:
	@tests/install-deps.sh lint
	clang-format -i $(TREE_C)

# cppcheck over the kernel configuration (the hosted MM_HOSTED build is
# covered by the sanitizers in host-tests). Findings fail the build.
# Suppressed false positives: comparePointers (walking a linker section from
# __start_X to __stop_X is comparing "different objects" as far as C knows);
# uninitvar in mm/memmap.c (cppcheck 2.10 misreads `&scratch` of an
# initialised struct). HB_MM picks one of tests/bench's two configurations.
CPPCHECK_FLAGS := --quiet --error-exitcode=1 --enable=warning,portability,performance \
	--std=c11 --platform=unix64 --inline-suppr -j $(shell nproc 2>/dev/null || echo 1) \
	-I. -D__x86_64__ -U MM_HOSTED -DHB_MM \
	--suppress=missingIncludeSystem --suppress=unmatchedSuppression \
	--suppress=comparePointers --suppress=uninitvar:mm/memmap.c
lint:
	@tests/install-deps.sh lint
	cppcheck $(CPPCHECK_FLAGS) $(filter %.c,$(TREE_C))

clean:
	rm -rf $(BUILD)

help:
	@echo 'Targets:'
	@echo '  all (default)  build build/kernel.elf and build/kernel.iso'
	@echo '  kernel         build build/kernel.elf only'
	@echo '  iso            build build/kernel.iso (GRUB, multiboot2, command line CMDLINE)'
	@echo '  run            boot the ISO in QEMU, serial console on this terminal; the'
	@echo '                 kernel runs the boot-time tests, then the command monitor'
	@echo '                 (docs/MONITOR.md): `poweroff` or Ctrl-A X to quit. Not on a'
	@echo '                 terminal (make run < script > log): commands from stdin until'
	@echo '                 it is silent for 2 s; status 0 if the tests passed.'
	@echo '  test           host unit tests + in-kernel KTAP suites (build/kernel-test.iso,'
	@echo '                 command line CMDLINE ktest=TESTS) via tests/run; non-zero on'
	@echo '                 any failure. Logs in build/logs/. Boots the default'
	@echo '                 configuration, then each of TEST_CONFIGS (below).'
	@echo '  test-iso       build build/kernel-test.iso only'
	@echo '  host-tests     build the host test programs (build/host/test_*), the fuzzers'
	@echo '                 (build/fuzz/fuzz_*) and build/host/test_fuzz, which runs them briefly'
	@echo '  mutants        plant known bugs in mm/ one at a time (tests/mutants.py --list)'
	@echo '                 and check that the host tests catch every one; MUTANTS="M1 S3" for some'
	@echo '  fuzz           run each libFuzzer harness (tests/fuzz/fuzz_*.c) for FUZZ_TIME'
	@echo '                 seconds on build/fuzz/corpus/<name>/ (seeded from build/fuzz/seeds/,'
	@echo '                 written by tests/fuzz/make_seeds.py);'
	@echo '                 crashes go to build/fuzz/crashes/<name>/; non-zero on any crash'
	@echo '  debug          QEMU paused with its gdb stub (-s -S); prints how to attach:'
	@echo '                 gdb -x build/kernel.gdb (stops in kernel_main)'
	@echo '  format         clang-format -i every .c/.h of the tree'
	@echo '  lint           cppcheck every .c of the tree (fails on findings)'
	@echo '  clean          remove build/'
	@echo '  bench, bench-compare, bench-host   allocator benchmarks (docs/BENCHMARKS.md)'
	@echo '  pictures       SVG pictures of memory during an allocator stress run, in'
	@echo '                 build/pictures/ (open index.html; docs/PICTURES.md)'
	@echo ''
	@echo 'Variables (make VAR=value ...):'
	@echo '  MEM=$(MEM)         guest RAM (QEMU -m)'
	@echo '  SMP=$(SMP)            guest CPUs (QEMU -smp)'
	@echo '  ACCEL=$(ACCEL)       auto | kvm | tcg; auto = kvm only if /dev/kvm opens and the CPU'
	@echo '                   has vmx/svm (here: $(ACCEL_RESOLVED)); tcg runs multi-threaded'
	@echo '  CPU=             QEMU -cpu model; default host under kvm, max under tcg'
	@echo '                   (here: $(CPU_RESOLVED))'
	@echo '  CMDLINE=         kernel command line, GRUB word syntax (e.g. CMDLINE="mem=64M")'
	@echo '  TESTS=           suite glob for make test (default *; e.g. TESTS="buddy*,slab");'
	@echo '                   (with TESTS=, only the default configuration boots)'
	@echo '  TEST_CONFIGS=... extra boots of make test (each a name defined in the'
	@echo '                   Makefile as TESTCFG_<name>), default: smp4 smp1 maxcpus1'
	@echo '                   mem32m mem6g qemu64 nohugepages slab_debug;'
	@echo '                   TEST_CONFIGS= boots the default configuration only'
	@echo '  QEMU_EXTRA=      more QEMU arguments for run/debug (e.g. "-d int"); words for'
	@echo '                   the kernel command line without rebuilding the ISO:'
	@echo '                   QEMU_EXTRA="-smbios type=11,value=loglevel=8"'
	@echo '  FUZZ=<names>     make fuzz: only these fuzzers (of: $(FUZZ_NAMES))'
	@echo '  FUZZ_TIME=$(FUZZ_TIME)      make fuzz: seconds per fuzzer'
	@echo '  V=1              show the full compiler command lines'
	@echo '  DEBUG=1          debug build (default): spinlock owner/recursion checks; DEBUG=0 off'

-include $(OBJS:.o=.d)

# Benchmarks (make bench, bench-compare, bench-host): see docs/BENCHMARKS.md.
include tests/bench/bench.mk
# make fuzz: libFuzzer on the parsers, the allocators and the page tables (README.md, "Fuzzing").
include tests/fuzz/fuzz.mk
# make pictures: SVG pictures of memory during an allocator stress run (docs/PICTURES.md).
include tools/pictures.mk
