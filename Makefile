# Makefile - build, boot and test the kernel. `make help` lists the targets
# and variables. Everything generated goes under build/ (git-ignored).

.DEFAULT_GOAL := all

# ---- user variables (documented in `make help`) ----------------------------
MEM     ?= 512M
SMP     ?= 2
ACCEL   ?= auto
CPU     ?=
CMDLINE ?=
TESTS   ?=
V       ?= 0

# ---- tools and flags --------------------------------------------------------
CC      := gcc
LD      := ld
NM      := nm
AWK     := awk
QEMU    := qemu-system-x86_64
PYTHON  := python3
BUILD   := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -fno-omit-frame-pointer -fno-strict-aliasing -g -O2 \
	-Wall -Wextra -Werror -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -I. -MMD -MP
ASFLAGS := -fno-pic -fno-pie -g -I. -MMD -MP -Wa,--noexecstack
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Every source under these directories is part of the kernel: new files need no edit here.
C_SRCS := $(wildcard arch/x86_64/*.c kernel/*.c mm/*.c tests/kernel/*.c)
S_SRCS := $(wildcard boot/*.S arch/x86_64/*.S)
OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(C_SRCS)) $(patsubst %.S,$(BUILD)/obj/%.o,$(S_SRCS))

KERNEL := $(BUILD)/kernel.elf
ISO    := $(BUILD)/kernel.iso

# ---- QEMU -------------------------------------------------------------------
# KVM only when /dev/kvm can be opened AND the CPU advertises hardware
# virtualisation (vmx/svm): some hosts expose a paravirtual /dev/kvm that
# hangs ordinary guests.
ifeq ($(ACCEL),auto)
ACCEL_RESOLVED := $(shell (exec 3<>/dev/kvm) 2>/dev/null && grep -qwE 'vmx|svm' /proc/cpuinfo && echo kvm || echo tcg)
else
ACCEL_RESOLVED := $(ACCEL)
endif
ifeq ($(ACCEL_RESOLVED),kvm)
QEMU_ACCEL := -accel kvm
CPU_RESOLVED := $(or $(CPU),host)
else
QEMU_ACCEL := -accel tcg,thread=multi
CPU_RESOLVED := $(or $(CPU),max)
endif

# Everything but the console and the boot medium.
QEMU_ARGS := -m $(MEM) -smp $(SMP) $(QEMU_ACCEL) -cpu $(CPU_RESOLVED) -display none \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -boot d

# ---- build --------------------------------------------------------------------
.PHONY: all kernel iso run test debug host-tests clean format lint help deps FORCE
all: $(ISO)
kernel: $(KERNEL)
iso: $(ISO)

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
$(BUILD)/obj/kernel/main.o: CFLAGS += -include $(BUILD)/include/version.h

# The symbol table for %pS and backtraces (kernel/ksyms.c) takes two links:
# the first with an empty table, whose `nm` output becomes the table linked
# into the second. The table sits after all code (linker.ld), so no function
# moves between the links; the second link's table is checked to be identical.
$(BUILD)/ksyms_empty.S:
	@mkdir -p $(dir $@)
	@printf '\t.section .ksyms, "a"\n\t.balign 8\n\t.globl ksym_count, ksym_table\nksym_count:\n\t.quad 0\nksym_table:\n\t.section .note.GNU-stack, "", @progbits\n' > $@

$(BUILD)/%.o: $(BUILD)/%.S
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

# ---- ISO ------------------------------------------------------------------------
deps:
	@tests/install-deps.sh

# The kernel command line is baked into the ISO's grub.cfg (QEMU's -kernel
# cannot boot multiboot2). The stamp file changes only when CMDLINE does.
export ISO_CMDLINE := $(strip $(CMDLINE))
$(BUILD)/cmdline.stamp: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' "$$ISO_CMDLINE" > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

$(ISO): $(KERNEL) iso/grub.cfg $(BUILD)/cmdline.stamp | deps
	$(Q)grub-file --is-x86-multiboot2 $(KERNEL) || \
		{ echo "error: $(KERNEL) has no valid multiboot2 header in its first 32 KiB" >&2; exit 1; }
	@echo "  ISO     $@"
	$(Q)rm -rf $(BUILD)/isodir && mkdir -p $(BUILD)/isodir/boot/grub
	$(Q)cp $(KERNEL) $(BUILD)/isodir/boot/kernel.elf
	$(Q)$(AWK) '{ i = index($$0, "@CMDLINE@"); if (i) $$0 = substr($$0, 1, i - 1) ENVIRON["ISO_CMDLINE"] substr($$0, i + 9); print }' \
		iso/grub.cfg > $(BUILD)/isodir/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(BUILD)/isodir > $(BUILD)/grub-mkrescue.log 2>&1 || \
		{ cat $(BUILD)/grub-mkrescue.log >&2; exit 1; }

# ---- running ----------------------------------------------------------------------
run: $(ISO)
	$(QEMU) $(QEMU_ARGS) -cdrom $(ISO) -serial mon:stdio

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)
