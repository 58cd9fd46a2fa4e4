/*
 * qemu.h - the kernel's exit codes under QEMU's isa-debug-exit device
 * (-device isa-debug-exit,iobase=0xf4,iosize=0x04). Writing code to port 0xf4
 * ends QEMU with exit status (code << 1) | 1: 0x10 -> 33 (success),
 * 0x11 -> 35 (failure). Any other QEMU exit status (0 after a triple fault
 * with -no-reboot, 124 after a timeout) means the kernel never reported.
 * On real hardware the port write does nothing and the CPU halts instead.
 */
#ifndef ARCH_X86_64_QEMU_H
#define ARCH_X86_64_QEMU_H

#define QEMU_EXIT_SUCCESS 0x10 /* QEMU exit status 33 */
#define QEMU_EXIT_FAILURE 0x11 /* QEMU exit status 35 */

#endif
