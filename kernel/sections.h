/*
 * sections.h - the kernel image's layout, from linker.ld. Addresses are
 * virtual (link addresses); __pa_symbol() gives the physical ones.
 * Each section starts and ends on a 4 KiB boundary so it can be mapped with
 * its own permissions.
 */
#ifndef KERNEL_SECTIONS_H
#define KERNEL_SECTIONS_H

extern char _kernel_start[], _kernel_end[];
extern char _text_start[], _text_end[];	    /* read + execute */
extern char _rodata_start[], _rodata_end[]; /* read only */
extern char _data_start[], _data_end[];	    /* read + write (includes .bss) */
extern char _bss_start[], _bss_end[];

/*
 * The boot CPU's stack (boot/boot32.S, inside .bss): [_boot_stack_bottom,
 * _boot_stack_top), with the page [_boot_stack_guard, _boot_stack_bottom)
 * below it meant to stay unmapped, so an overflow faults.
 */
extern char _boot_stack_guard[], _boot_stack_bottom[], _boot_stack_top[];

#endif
