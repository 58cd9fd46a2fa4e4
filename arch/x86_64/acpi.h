/*
 * acpi.h - the kernel's side of ACPI: find the RSDP and read the MADT, once,
 * early (kernel/acpi_tables.c does the parsing).
 */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include "kernel/acpi_tables.h"
#include "kernel/bootinfo.h"

/*
 * Find the RSDP (the boot loader's copy in bi, else the BIOS areas: the
 * first KiB of the EBDA, then 0xe0000-0xfffff) and parse the MADT. Must run
 * before paging_init: the tables are read through the boot page tables'
 * direct map of the first 16 GiB, whatever the memory type of the range
 * holding them (the kernel's own direct map covers RAM only, and firmware
 * often puts the tables in "reserved" ranges). The result is copied out;
 * nothing reads the tables afterwards. acpi=off on the command line skips
 * it; acpi=scan ignores the boot loader's RSDP (to exercise the BIOS search). Returns 0, or a negative errno after saying why (then: one CPU).
 */
int acpi_init(const struct boot_info *bi);

/* The MADT as parsed by acpi_init, or NULL when there is none (or it was bad). */
const struct acpi_madt_info *acpi_madt(void);

#endif
