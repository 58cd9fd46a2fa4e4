/*
 * stacktrace.c - frame-pointer stack walking (see stacktrace.h).
 */
#include "arch/x86_64/stacktrace.h"
#include "kernel/printk.h"
#include "kernel/sections.h"

#define MAX_FRAMES 32
/* A frame larger than this means the chain is corrupt (stacks are 16 KiB). */
#define MAX_FRAME_SIZE	  (64u * 1024)
#define KERNEL_HALF_START 0xffff800000000000ull

struct stack_frame {
	struct stack_frame *next; /* the caller's saved RBP */
	uint64_t ret;		  /* return address into the caller */
};

static bool frame_plausible(uint64_t fp, uint64_t prev)
{
	if (fp < KERNEL_HALF_START || (fp & 7))
		return false;
	if (prev && (fp <= prev || fp - prev > MAX_FRAME_SIZE))
		return false;
	return true;
}

/*
 * Name a return address by the function containing ret - 1 (the call
 * itself): after a call to a noreturn function at the very end of a
 * function, ret is already the next function's first byte (Linux's %pB).
 */
static void print_return_address(uint64_t ret, const char *mark)
{
	uintptr_t off, size;
	const char *name = ksym_lookup((uintptr_t)ret - 1, &off, &size);
	if (name)
		printk(KERN_ERR " [<%016llx>] %s%s+0x%lx/0x%lx\n", (unsigned long long)ret, mark,
		       name, (unsigned long)(off + 1), (unsigned long)size);
	else
		printk(KERN_ERR " [<%016llx>] %s(unknown)\n", (unsigned long long)ret, mark);
}

static bool is_kernel_text(uint64_t addr)
{
	return addr > (uintptr_t)_text_start && addr <= (uintptr_t)_text_end;
}

void show_backtrace(uint64_t rbp, uint64_t rsp)
{
	uint64_t prev = 0;
	printk(KERN_ERR "Call Trace:\n");
	if (rsp && frame_plausible(rsp, 0)) {
		uint64_t top = *(const uint64_t *)rsp;
		if (is_kernel_text(top))
			print_return_address(top, "? ");
	}
	for (int n = 0; n < MAX_FRAMES && rbp; n++) {
		if (!frame_plausible(rbp, prev)) {
			printk(KERN_ERR " (frame pointer 0x%016llx looks corrupt; stopping)\n",
			       (unsigned long long)rbp);
			return;
		}
		const struct stack_frame *f = (const struct stack_frame *)rbp;
		if (!f->ret)
			break;
		print_return_address(f->ret, "");
		prev = rbp;
		rbp = (uint64_t)f->next;
	}
}

__noinline void dump_stack(void)
{
	show_backtrace((uint64_t)__builtin_frame_address(0), 0);
}
