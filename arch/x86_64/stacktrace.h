/*
 * stacktrace.h - frame-pointer backtraces (the kernel is built with
 * -fno-omit-frame-pointer): every C function's frame starts with the caller's
 * RBP and the return address, so following RBP walks the call chain.
 */
#ifndef ARCH_X86_64_STACKTRACE_H
#define ARCH_X86_64_STACKTRACE_H

#include "kernel/compiler.h"

/*
 * Print "Call Trace:" and one line per frame, " [<address>] symbol+off/size",
 * starting from the frame whose RBP is rbp. The walk stops at RBP 0 (the
 * boot code zeroes it), at a pointer that is misaligned, not in the kernel's
 * half of the address space, or not above the previous frame, and after
 * 32 frames, so a corrupt chain cannot loop or fault.
 *
 * rsp, when not 0, is the interrupted stack pointer of an exception: GCC
 * gives leaf functions that need no stack no frame at all, so their caller
 * appears only as the return address on top of the stack. If the word at rsp
 * is a kernel code address it is printed first, marked "?" as Linux marks
 * entries that may be stale.
 */
void show_backtrace(uint64_t rbp, uint64_t rsp);

/* The backtrace of the caller (Linux's dump_stack). */
void dump_stack(void);

#endif
