/*
 * kstack.h - kernel stacks with an unmapped guard page below each one.
 *
 * Every stack a CPU runs on after boot comes from here: an AP's kernel stack
 * (smp.c) and every CPU's IST stacks for #DF, NMI and #MC (gdt.c). The boot
 * CPU's kernel stack is the one exception, being part of the image; it has
 * its own guard page (boot/boot32.S, paging.c).
 */
#ifndef ARCH_X86_64_KSTACK_H
#define ARCH_X86_64_KSTACK_H

#include "kernel/compiler.h"

/*
 * A zeroed kernel stack of size bytes (a power-of-two number of 4 KiB
 * pages), mapped read/write, no-execute, global in kernel_space, with the
 * page below it left unmapped. what names it in error messages. Returns the
 * top (the initial RSP, 16-byte aligned), or 0 after saying why not (no
 * memory, the stack area is full, a bad size). After paging_init; callers
 * serialise (the boot CPU allocates every stack).
 */
uintptr_t kstack_alloc(uint64_t size, const char *what);

/*
 * Give back a stack from kstack_alloc (top and size as given and returned)
 * that no CPU runs on: unmapped and its pages freed. Its virtual range is not
 * handed out again.
 */
void kstack_free(uintptr_t top, uint64_t size);

#endif
