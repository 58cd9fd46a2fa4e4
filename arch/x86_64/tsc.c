/*
 * tsc.c - TSC calibration against PIT channel 2 (see tsc.h).
 *
 * Channel 2 is the one whose gate software controls (port 0x61 bit 0) and
 * whose output it can read (port 0x61 bit 5). In mode 0 ("interrupt on
 * terminal count") the output goes low when the count is written and high
 * when the count reaches zero, so: load 10 ms worth of PIT ticks, read the
 * TSC, wait for the output to rise, read the TSC again. No interrupt is used.
 */
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/io.h"
#include "kernel/arch.h"
#include "kernel/printk.h"

#define PIT_HZ	      1193182u
#define PIT_CH2_DATA  0x42
#define PIT_COMMAND   0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE_CH2  0x01 /* port 0x61: channel 2 gate */
#define PIT_SPEAKER   0x02 /* port 0x61: speaker data enable (keep off) */
#define PIT_OUT_CH2   0x20 /* port 0x61: channel 2 output */
#define PIT_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define CALIBRATE_MS  10
#define FALLBACK_KHZ  1000000u /* 1 GHz, when the PIT does not count */
#define MAX_POLLS     50000000u

uint64_t tsc_khz;
static uint64_t tsc_base;

void tsc_init(void)
{
	const unsigned latch = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t t0, t1;
	unsigned polls = 0;

	uint8_t gate = inb(PIT_GATE_PORT);
	outb(PIT_GATE_PORT, (uint8_t)((gate & ~PIT_SPEAKER) | PIT_GATE_CH2));
	outb(PIT_COMMAND, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, latch & 0xff);
	outb(PIT_CH2_DATA, (latch >> 8) & 0xff);
	t0 = arch_cycles();
	while (!(inb(PIT_GATE_PORT) & PIT_OUT_CH2) && polls < MAX_POLLS)
		polls++;
	t1 = arch_cycles();
	outb(PIT_GATE_PORT, gate);

	tsc_base = t0;
	if (polls >= MAX_POLLS || t1 <= t0) {
		tsc_khz = FALLBACK_KHZ;
		pr_warn("tsc: the PIT did not count; assuming %u MHz (timestamps are "
			"approximate)\n",
			FALLBACK_KHZ / 1000);
		return;
	}
	tsc_khz = (t1 - t0) / CALIBRATE_MS;
	if (!tsc_khz)
		tsc_khz = 1;
	pr_info("tsc: %llu.%03llu MHz, calibrated against the PIT over %u ms\n",
		(unsigned long long)(tsc_khz / 1000), (unsigned long long)(tsc_khz % 1000),
		CALIBRATE_MS);
}

uint64_t tsc_uptime_us(void)
{
	if (!tsc_khz)
		return 0;
	uint64_t now = arch_cycles();
	if (now < tsc_base) /* another CPU's TSC, a hair behind */
		return 0;
	uint64_t d = now - tsc_base;
	/* Split so that d * 1000 cannot overflow: whole milliseconds, then the rest. */
	return d / tsc_khz * 1000 + d % tsc_khz * 1000 / tsc_khz;
}
