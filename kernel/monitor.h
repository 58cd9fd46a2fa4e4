/*
 * monitor.h - the command monitor on the serial console: the end of the
 * boot for `make run`, a place to poke at the allocators and watch them
 * answer (docs/MONITOR.md lists the commands with sample output).
 *
 * Input is polled from COM1 (no interrupts), edited on the line (backspace,
 * Ctrl-U, Ctrl-C), one command per line. Two modes:
 *   interactive (a terminal): runs until `poweroff` or `reboot` (or Ctrl-A X
 *     in QEMU);
 *   script (halt_exit on the command line, set by `make run` when it is not
 *     on a terminal): reads commands until the input has been silent for
 *     MONITOR_IDLE_MS or an end-of-transmission byte (Ctrl-D) arrives, then
 *     ends the run, so `make run </dev/null >log` and `echo cmd | make run`
 *     both finish.
 * Ending the monitor reports (and frees) whatever the monitor itself still
 * holds, then exits QEMU: success unless the boot-time tests, a `check` or
 * a `test` run failed.
 */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H

#include "kernel/compiler.h"

#define MONITOR_IDLE_MS 2000

/*
 * Run the monitor (never returns). boot_failures: failed boot-time test
 * cases, which make the final exit status a failure.
 */
__noreturn void monitor_run(unsigned boot_failures);

/*
 * With `pictures` on the command line: run the stress scenario that prints
 * memdump lines for tools/mempictures.py (kernel/pictures.c), then exit QEMU.
 * Returns at once otherwise.
 */
void pictures_main(void);

#endif
