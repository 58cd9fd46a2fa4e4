/*
 * tsc.h - time from the time stamp counter, calibrated once against the
 * PIT (the 8254, whose 1.193182 MHz input clock is fixed by the PC design).
 * Integer arithmetic only: the kernel has no floating point.
 */
#ifndef ARCH_X86_64_TSC_H
#define ARCH_X86_64_TSC_H

#include "kernel/compiler.h"

/* TSC ticks per millisecond; 0 until tsc_init. */
extern uint64_t tsc_khz;

/*
 * Measure the TSC frequency over 10 ms of PIT channel 2 and take the current
 * TSC as time zero. Falls back to an assumed 1 GHz (with a warning) if the
 * PIT does not count.
 */
void tsc_init(void);

/* Microseconds since tsc_init (0 before). */
uint64_t tsc_uptime_us(void);

#endif
