/*
 * acpi_tables.h - finding the CPUs through the ACPI tables (portable parser).
 *
 * The firmware describes the machine in a tree of tables in physical memory:
 *
 *   RSDP ("RSD PTR ", in the BIOS area or handed over by the boot loader)
 *     -> RSDT (32-bit table addresses, ACPI 1.0) or XSDT (64-bit, ACPI 2.0+)
 *          -> "APIC" = the MADT, listing every local APIC (one per logical
 *             CPU), the I/O APICs and the interrupt overrides.
 *
 * Each table carries a checksum (all its bytes sum to 0 mod 256); the RSDP
 * has two (its first 20 bytes, and all of it from revision 2 on). Nothing
 * here trusts the firmware: every length is checked against the table that
 * contains it, every checksum is verified, every physical address is reached
 * through the caller's map function, which may refuse it. A bad table gives
 * a message naming it and an error; the caller then boots on one CPU.
 *
 * The code is portable (no machine access): the kernel reads the tables
 * through the direct map (arch/x86_64/acpi.c), the host tests through a
 * buffer of crafted tables (tests/host/test_acpi.c).
 */
#ifndef KERNEL_ACPI_TABLES_H
#define KERNEL_ACPI_TABLES_H

#include "kernel/compiler.h"

#define ACPI_RSDP_SIG	     "RSD PTR "
#define ACPI_RSDP_V1_LEN     20u /* bytes covered by the first checksum */
#define ACPI_RSDP_V2_LEN     36u /* the ACPI 2.0 structure */
#define ACPI_SDT_HEADER_LEN  36u
#define ACPI_MAX_TABLE_LEN   (1u << 20) /* sanity bound on any table we read */
#define ACPI_MADT_MAX_CPUS   256u	/* local APIC entries remembered */
#define ACPI_MADT_MAX_IOAPIC 8u
#define ACPI_MADT_MAX_ISO    16u

/* MADT entry types (ACPI 6.5, table 5.44) that the parser understands. */
#define ACPI_MADT_LAPIC	     0 /* Processor Local APIC, 8 bytes */
#define ACPI_MADT_IOAPIC     1 /* I/O APIC, 12 bytes */
#define ACPI_MADT_ISO	     2 /* Interrupt Source Override, 10 bytes */
#define ACPI_MADT_NMI_SOURCE 3
#define ACPI_MADT_LAPIC_NMI  4 /* 6 bytes */
#define ACPI_MADT_LAPIC_ADDR 5 /* Local APIC Address Override, 12 bytes */
#define ACPI_MADT_X2APIC     9 /* Processor Local x2APIC, 16 bytes */
#define ACPI_MADT_X2APIC_NMI 10

/* Local APIC flags: usable now / could be brought online later (hot-plug). */
#define ACPI_MADT_ENABLED	 0x1u
#define ACPI_MADT_ONLINE_CAPABLE 0x2u
/* MADT flags: the machine also has the two legacy 8259 PICs. */
#define ACPI_MADT_PCAT_COMPAT 0x1u

/* The header every table but the RSDP starts with. */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

/* The RSDP, 20 bytes in ACPI 1.0, 36 from 2.0 on. */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum; /* of the first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0; 2: ACPI 2.0+ */
	uint32_t rsdt_address;
	/* revision >= 2 only: */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* of all `length` bytes */
	uint8_t reserved[3];
} __packed;

/* What a valid RSDP says. */
struct acpi_rsdp_info {
	unsigned revision;
	uint64_t rsdt; /* physical; 0 if none */
	uint64_t xsdt; /* physical; 0 if none (revision < 2) */
	char oem_id[7];
};

struct acpi_madt_cpu {
	uint32_t apic_id;
	uint32_t uid;	/* the ACPI processor UID */
	uint8_t source; /* ACPI_MADT_LAPIC or ACPI_MADT_X2APIC */
};

struct acpi_madt_ioapic {
	uint32_t id, address, gsi_base;
};

struct acpi_madt_iso {
	uint8_t bus, source_irq;
	uint16_t flags; /* polarity (bits 0-1) and trigger mode (bits 2-3) */
	uint32_t gsi;
};

/* Everything the MADT says that the kernel uses, in table order. */
struct acpi_madt_info {
	uint64_t lapic_phys;	   /* the local APICs' MMIO base (type 5 overrides the header) */
	uint32_t flags;		   /* ACPI_MADT_PCAT_COMPAT */
	unsigned nr_cpus;	   /* usable CPUs (enabled), in cpus[] */
	unsigned nr_cpus_dropped;  /* usable CPUs beyond ACPI_MADT_MAX_CPUS, not recorded */
	unsigned nr_cpus_disabled; /* entries without the enabled bit (ignored) */
	unsigned nr_duplicates;	   /* the same APIC id listed twice (ignored) */
	struct acpi_madt_cpu cpus[ACPI_MADT_MAX_CPUS];
	unsigned nr_ioapics;
	struct acpi_madt_ioapic ioapics[ACPI_MADT_MAX_IOAPIC];
	unsigned nr_isos;
	struct acpi_madt_iso isos[ACPI_MADT_MAX_ISO];
	unsigned nr_nmis;    /* local APIC NMI entries (types 4 and 10), counted only */
	unsigned nr_unknown; /* entries of other types, skipped */
};

/*
 * How the parser reaches physical memory: return a pointer through which the
 * len bytes at physical pa can be read, or NULL when they cannot be (outside
 * what the caller has mapped). Nothing is ever unmapped: the kernel's
 * implementation returns direct-map addresses.
 */
typedef const void *(*acpi_map_fn)(uint64_t pa, size_t len, void *ctx);

/* True when the len bytes at p sum to 0 (mod 256). */
bool acpi_checksum_ok(const void *p, size_t len);

/*
 * Validate an RSDP of avail readable bytes at p: signature, the 20-byte
 * checksum, and for revision >= 2 the length (36 <= length <= avail) and the
 * extended checksum. Fills *out. Returns 0 or -EINVAL (with a message when
 * `quiet` is false; the BIOS-area scan probes quietly).
 */
int acpi_rsdp_parse(const void *p, size_t avail, bool quiet, struct acpi_rsdp_info *out);

/*
 * Search len bytes at area for a valid RSDP (both checksums) on a 16-byte
 * boundary from area, as the BIOS places it. Returns its offset from area,
 * or -1 when there is none.
 */
long acpi_rsdp_scan(const void *area, size_t len);

/*
 * Find the table with signature sig (e.g. "APIC") through the XSDT when the
 * RSDP has one, falling back to the RSDT when the XSDT is unreadable or its
 * checksum is bad. The table's own length and checksum are verified. Returns
 * it (through map) with its length in *len and its physical address in
 * *phys (either may be NULL); NULL when absent (-ENOENT in *err) or when a
 * table on the way is invalid (-EINVAL in *err, with a message). err may be
 * NULL.
 */
const struct acpi_sdt_header *acpi_find_table(const struct acpi_rsdp_info *rsdp, const char *sig,
					      acpi_map_fn map, void *ctx, uint32_t *len,
					      uint64_t *phys, int *err);

/*
 * Parse a MADT of len bytes (already checksummed by acpi_find_table) into
 * *out, which is zeroed first. Every entry's length is checked against the
 * table and against its type's layout. Returns 0; -EINVAL (message naming
 * the entry's offset and type) when the table is malformed; -ENODEV when it
 * lists no usable CPU. On error *out must not be relied upon.
 */
int acpi_madt_parse(const void *madt, size_t len, struct acpi_madt_info *out);

/*
 * The whole walk: RSDP bytes (rsdp, rsdp_len) -> RSDT/XSDT -> MADT -> *out.
 * Returns 0 or the first error (-EINVAL, -ENOENT, -ENODEV), with a message.
 */
int acpi_discover_cpus(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_madt_info *out);

#endif
