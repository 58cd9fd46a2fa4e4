/*
 * test_acpi.c - host tests of the ACPI table parser (kernel/acpi_tables.c) on
 * crafted tables: valid RSDP/RSDT/XSDT/MADT chains, every kind of corruption
 * the parser must refuse, and a randomised corruption run under ASan that
 * checks the parser never reads outside the tables it was given.
 *
 * "Physical memory" is a 64 KiB buffer; map() refuses anything outside it,
 * as the kernel's does for addresses beyond the direct map.
 */
#include <stdlib.h>

#include "kernel/acpi_tables.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "kernel/xorshift.h"

#define MEM_SIZE (64u * 1024)
static uint8_t mem[MEM_SIZE];

/* Physical addresses of the crafted tables. */
#define PA_RSDT	 0x1000u
#define PA_XSDT	 0x2000u
#define PA_MADT	 0x3000u
#define PA_MADT2 0x5000u
#define PA_OTHER 0x7000u

static const void *map_mem(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	return mem + pa;
}

static uint8_t sum_bytes(const void *p, size_t len)
{
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + ((const uint8_t *)p)[i]);
	return s;
}

/* Write a table (header + body) at pa with a correct checksum; returns its length. */
static uint32_t put_table(uint32_t pa, const char *sig, const void *body, size_t body_len)
{
	struct acpi_sdt_header h = { 0 };
	memcpy(h.signature, sig, 4);
	h.length = (uint32_t)(sizeof(h) + body_len);
	h.revision = 1;
	memcpy(h.oem_id, "KTEST ", 6);
	memcpy(mem + pa, &h, sizeof(h));
	memcpy(mem + pa + sizeof(h), body, body_len);
	mem[pa + offsetof(struct acpi_sdt_header, checksum)] =
		(uint8_t)-sum_bytes(mem + pa, h.length);
	return h.length;
}

static struct acpi_rsdp make_rsdp(unsigned revision, uint32_t rsdt, uint64_t xsdt)
{
	struct acpi_rsdp r = { 0 };
	memcpy(r.signature, ACPI_RSDP_SIG, 8);
	memcpy(r.oem_id, "QEMUXX", 6);
	r.revision = (uint8_t)revision;
	r.rsdt_address = rsdt;
	r.length = ACPI_RSDP_V2_LEN;
	r.xsdt_address = xsdt;
	r.checksum = (uint8_t)-sum_bytes(&r, ACPI_RSDP_V1_LEN);
	r.extended_checksum = (uint8_t)-sum_bytes(&r, ACPI_RSDP_V2_LEN);
	return r;
}

/* A MADT body under construction. */
struct madt_body {
	uint8_t b[8192];
	size_t len;
};

static void madt_begin(struct madt_body *m, uint32_t lapic, uint32_t flags)
{
	memcpy(m->b, &lapic, 4);
	memcpy(m->b + 4, &flags, 4);
	m->len = 8;
}

static void madt_raw(struct madt_body *m, const void *e, size_t len)
{
	if (m->len + len > sizeof(m->b))
		abort(); /* a test bug, not a parser one */
	memcpy(m->b + m->len, e, len);
	m->len += len;
}

static void madt_lapic(struct madt_body *m, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { ACPI_MADT_LAPIC, 8, uid, id };
	memcpy(e + 4, &flags, 4);
	madt_raw(m, e, sizeof(e));
}

static void madt_x2apic(struct madt_body *m, uint32_t id, uint32_t uid, uint32_t flags)
{
	uint8_t e[16] = { ACPI_MADT_X2APIC, 16 };
	memcpy(e + 4, &id, 4);
	memcpy(e + 8, &flags, 4);
	memcpy(e + 12, &uid, 4);
	madt_raw(m, e, sizeof(e));
}

static void madt_ioapic(struct madt_body *m, uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t e[12] = { ACPI_MADT_IOAPIC, 12, id, 0 };
	memcpy(e + 4, &addr, 4);
	memcpy(e + 8, &gsi, 4);
	madt_raw(m, e, sizeof(e));
}

static void madt_iso(struct madt_body *m, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = { ACPI_MADT_ISO, 10, 0, irq };
	memcpy(e + 4, &gsi, 4);
	memcpy(e + 8, &flags, 2);
	madt_raw(m, e, sizeof(e));
}

static void madt_lapic_override(struct madt_body *m, uint64_t addr)
{
	uint8_t e[12] = { ACPI_MADT_LAPIC_ADDR, 12 };
	memcpy(e + 4, &addr, 8);
	madt_raw(m, e, sizeof(e));
}

/* The machine QEMU describes with -smp 2, plus an NMI entry and a type we do not know. */
static uint32_t put_std_madt(uint32_t pa)
{
	static struct madt_body m;
	uint8_t nmi[6] = { ACPI_MADT_LAPIC_NMI, 6, 0xff, 0x5, 0, 1 };
	uint8_t unknown[4] = { 0x7f, 4, 0, 0 };
	madt_begin(&m, 0xfee00000u, ACPI_MADT_PCAT_COMPAT);
	madt_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
	madt_lapic(&m, 1, 1, ACPI_MADT_ENABLED);
	madt_lapic(&m, 2, 2, ACPI_MADT_ONLINE_CAPABLE); /* hot-pluggable, not enabled */
	madt_ioapic(&m, 0, 0xfec00000u, 0);
	madt_iso(&m, 0, 2, 0);
	madt_iso(&m, 9, 9, 0xd);
	madt_raw(&m, nmi, sizeof(nmi));
	madt_raw(&m, unknown, sizeof(unknown));
	return put_table(pa, "APIC", m.b, m.len);
}

static void put_rsdt(const uint32_t *entries, unsigned n)
{
	put_table(PA_RSDT, "RSDT", entries, n * 4u);
}

static void put_xsdt(const uint64_t *entries, unsigned n)
{
	put_table(PA_XSDT, "XSDT", entries, n * 8u);
}

static void quiet(void)
{
	host_printk_echo = false;
	host_printk_log_clear();
}

static bool logged(const char *s)
{
	return strstr(host_printk_log(), s) != NULL;
}

static int acpi_test_init(struct ktest *t)
{
	(void)t;
	memset(mem, 0, sizeof(mem));
	host_printk_echo = true;
	host_printk_log_clear();
	return 0;
}

static void acpi_test_exit(struct ktest *t)
{
	(void)t;
	host_printk_echo = true;
}

/* ---- RSDP ---- */

static void rsdp_v1_checksum_is_verified(struct ktest *t)
{
	struct acpi_rsdp r = make_rsdp(0, PA_RSDT, 0);
	struct acpi_rsdp_info info;
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, ACPI_RSDP_V1_LEN, false, &info), 0);
	KEXPECT_EQ(t, info.revision, 0u);
	KEXPECT_EQ(t, info.rsdt, (uint64_t)PA_RSDT);
	KEXPECT_EQ(t, info.xsdt, 0ull);
	KEXPECT_STREQ(t, info.oem_id, "QEMUXX");

	quiet();
	r.rsdt_address ^= 0x10; /* checksum now off */
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, ACPI_RSDP_V1_LEN, false, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("bad checksum"));
	r = make_rsdp(0, PA_RSDT, 0);
	r.signature[0] = 'X';
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, ACPI_RSDP_V1_LEN, false, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("signature"));
	r = make_rsdp(0, PA_RSDT, 0);
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, ACPI_RSDP_V1_LEN - 1, false, &info), -EINVAL);
}

static void rsdp_v2_extended_checksum_and_length(struct ktest *t)
{
	struct acpi_rsdp r = make_rsdp(2, PA_RSDT, PA_XSDT);
	struct acpi_rsdp_info info;
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, sizeof(r), false, &info), 0);
	KEXPECT_EQ(t, info.revision, 2u);
	KEXPECT_EQ(t, info.xsdt, (uint64_t)PA_XSDT);

	quiet();
	/* Only the extended part changes: the 20-byte checksum stays right. */
	r.xsdt_address = 0x123456789ull;
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, sizeof(r), false, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("extended checksum"));

	/* A length beyond the bytes available, or below 36, is refused before summing. */
	r = make_rsdp(2, PA_RSDT, PA_XSDT);
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, ACPI_RSDP_V1_LEN, false, &info), -EINVAL);
	r.length = 4096;
	r.checksum = 0;
	r.checksum = (uint8_t)-sum_bytes(&r, ACPI_RSDP_V1_LEN);
	KEXPECT_EQ(t, acpi_rsdp_parse(&r, sizeof(r), false, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("length 4096"));
}

static void rsdp_scan_wants_16_byte_alignment_and_checksums(struct ktest *t)
{
	static uint8_t area[1024];
	struct acpi_rsdp good = make_rsdp(2, PA_RSDT, PA_XSDT);
	struct acpi_rsdp bad = good;
	bad.checksum ^= 1;

	memset(area, 0, sizeof(area));
	KEXPECT_EQ(t, acpi_rsdp_scan(area, sizeof(area)), -1L);
	memcpy(area + 40, &good, sizeof(good)); /* valid bytes, not on a 16-byte boundary */
	memcpy(area + 128, &bad, sizeof(bad));	/* aligned, bad checksum */
	KEXPECT_EQ(t, acpi_rsdp_scan(area, sizeof(area)), -1L);
	memcpy(area + 512, &good, sizeof(good));
	KEXPECT_EQ(t, acpi_rsdp_scan(area, sizeof(area)), 512L);
	/* A candidate cut by the end of the area is not read past it (ASan watches). */
	memset(area, 0, sizeof(area));
	memcpy(area + sizeof(area) - 32, &good, 32);
	KEXPECT_EQ(t, acpi_rsdp_scan(area, sizeof(area)), -1L);
}

/* ---- the walk ---- */

static void discover_through_rsdt(struct ktest *t)
{
	static struct acpi_madt_info info;
	uint32_t rsdt[] = { PA_OTHER, PA_MADT };
	uint8_t facp[80] = { 0 };
	put_table(PA_OTHER, "FACP", facp, sizeof(facp));
	put_std_madt(PA_MADT);
	put_rsdt(rsdt, 2);
	struct acpi_rsdp r = make_rsdp(0, PA_RSDT, 0);

	KASSERT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), 0);
	KEXPECT_EQ(t, info.lapic_phys, 0xfee00000ull);
	KEXPECT_EQ(t, info.flags, ACPI_MADT_PCAT_COMPAT);
	KASSERT_EQ(t, info.nr_cpus, 2u);
	KEXPECT_EQ(t, info.cpus[0].apic_id, 0u);
	KEXPECT_EQ(t, info.cpus[1].apic_id, 1u);
	KEXPECT_EQ(t, info.cpus[1].uid, 1u);
	KEXPECT_EQ(t, info.cpus[1].source, ACPI_MADT_LAPIC);
	KEXPECT_EQ(t, info.nr_cpus_disabled, 1u);
	KASSERT_EQ(t, info.nr_ioapics, 1u);
	KEXPECT_EQ(t, info.ioapics[0].address, 0xfec00000u);
	KASSERT_EQ(t, info.nr_isos, 2u);
	KEXPECT_EQ(t, info.isos[0].source_irq, 0);
	KEXPECT_EQ(t, info.isos[0].gsi, 2u);
	KEXPECT_EQ(t, info.isos[1].flags, 0xd);
	KEXPECT_EQ(t, info.nr_nmis, 1u);
	KEXPECT_EQ(t, info.nr_unknown, 1u);
}

static void xsdt_is_preferred_and_a_bad_one_falls_back(struct ktest *t)
{
	static struct acpi_madt_info info;
	static struct madt_body m;
	/* The XSDT's MADT lists four CPUs, the RSDT's (the standard one) two. */
	madt_begin(&m, 0xfee00000u, 0);
	for (uint8_t i = 0; i < 4; i++)
		madt_lapic(&m, i, (uint8_t)(i * 2), ACPI_MADT_ENABLED);
	put_table(PA_MADT2, "APIC", m.b, m.len);
	put_std_madt(PA_MADT);
	uint32_t rsdt[] = { PA_MADT };
	uint64_t xsdt[] = { PA_OTHER, PA_MADT2 };
	uint8_t facp[80] = { 0 };
	put_table(PA_OTHER, "FACP", facp, sizeof(facp));
	put_rsdt(rsdt, 1);
	put_xsdt(xsdt, 2);
	struct acpi_rsdp r = make_rsdp(2, PA_RSDT, PA_XSDT);

	KASSERT_EQ(t, acpi_discover_cpus(&r, sizeof(r), map_mem, NULL, &info), 0);
	KEXPECT_EQ(t, info.nr_cpus, 4u);
	KEXPECT_EQ(t, info.cpus[3].apic_id, 6u);

	quiet();
	mem[PA_XSDT + 20] ^= 0x55; /* inside the OEM id: only the checksum notices */
	KASSERT_EQ(t, acpi_discover_cpus(&r, sizeof(r), map_mem, NULL, &info), 0);
	KEXPECT_EQ(t, info.nr_cpus, 2u);
	KEXPECT_TRUE(t, logged("XSDT at 0x2000: bad checksum"));
	KEXPECT_TRUE(t, logged("falling back to the RSDT"));
}

static void broken_tables_we_do_not_read_are_ignored(struct ktest *t)
{
	static struct acpi_madt_info info;
	uint8_t facp[80] = { 1, 2, 3 };
	put_table(PA_OTHER, "FACP", facp, sizeof(facp));
	mem[PA_OTHER + 40] ^= 0xff; /* FACP checksum now wrong */
	put_std_madt(PA_MADT);
	uint32_t rsdt[] = { 0, 0xfffff000u, PA_OTHER, PA_MADT };
	put_rsdt(rsdt, 4);
	struct acpi_rsdp r = make_rsdp(0, PA_RSDT, 0);
	KEXPECT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), 0);
	KEXPECT_EQ(t, info.nr_cpus, 2u);
}

static void missing_or_corrupt_madt_is_an_error(struct ktest *t)
{
	static struct acpi_madt_info info;
	uint8_t facp[80] = { 0 };
	put_table(PA_OTHER, "FACP", facp, sizeof(facp));
	uint32_t rsdt[] = { PA_OTHER };
	put_rsdt(rsdt, 1);
	struct acpi_rsdp r = make_rsdp(0, PA_RSDT, 0);

	quiet();
	KEXPECT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), -ENOENT);
	KEXPECT_TRUE(t, logged("no MADT"));

	uint32_t rsdt2[] = { PA_OTHER, PA_MADT };
	put_rsdt(rsdt2, 2);
	put_std_madt(PA_MADT);
	mem[PA_MADT + 50] ^= 1;
	host_printk_log_clear();
	KEXPECT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("table APIC at 0x3000: bad checksum"));

	/* A MADT whose length runs beyond readable memory. */
	put_std_madt(PA_MADT);
	struct acpi_sdt_header *h = (struct acpi_sdt_header *)(mem + PA_MADT);
	h->length = MEM_SIZE;
	host_printk_log_clear();
	KEXPECT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("not in readable memory"));

	/* A length below the header's own size. */
	h->length = 20;
	KEXPECT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), -EINVAL);
}

static void unreadable_root_tables_are_refused(struct ktest *t)
{
	static struct acpi_madt_info info;
	quiet();
	struct acpi_rsdp r = make_rsdp(2, 0xfffffff0u, 1ull << 40);
	KEXPECT_EQ(t, acpi_discover_cpus(&r, sizeof(r), map_mem, NULL, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("XSDT at 0x10000000000 is not in readable memory"));
	KEXPECT_TRUE(t, logged("RSDT at 0xfffffff0 is not in readable memory"));

	r = make_rsdp(0, 0, 0);
	KEXPECT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("names no usable root table"));

	/* The RSDT pointer leads to something that is not an RSDT. */
	uint8_t junk[16] = { 0 };
	put_table(PA_RSDT, "JUNK", junk, sizeof(junk));
	r = make_rsdp(0, PA_RSDT, 0);
	KEXPECT_EQ(t, acpi_discover_cpus(&r, ACPI_RSDP_V1_LEN, map_mem, NULL, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("expected \"RSDT\""));
}

/* ---- MADT entries ---- */

static int parse_body(struct madt_body *m, struct acpi_madt_info *info)
{
	uint32_t len = put_table(PA_MADT, "APIC", m->b, m->len);
	return acpi_madt_parse(mem + PA_MADT, len, info);
}

static void madt_entry_lengths_are_checked(struct ktest *t)
{
	static struct acpi_madt_info info;
	static struct madt_body m;
	quiet();

	/* Length 0 would never advance. */
	madt_begin(&m, 0xfee00000u, 0);
	madt_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
	uint8_t zero[2] = { ACPI_MADT_LAPIC, 0 };
	madt_raw(&m, zero, 2);
	KEXPECT_EQ(t, parse_body(&m, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("offset 52 (type 0) has length 0"));

	/* An entry running past the end of the table. */
	madt_begin(&m, 0xfee00000u, 0);
	uint8_t longe[8] = { ACPI_MADT_LAPIC, 40, 0, 0, 1 };
	madt_raw(&m, longe, sizeof(longe));
	KEXPECT_EQ(t, parse_body(&m, &info), -EINVAL);

	/* A Local APIC entry too short for its layout. */
	madt_begin(&m, 0xfee00000u, 0);
	uint8_t shorte[6] = { ACPI_MADT_LAPIC, 6, 0, 0, 1, 0 };
	madt_raw(&m, shorte, sizeof(shorte));
	KEXPECT_EQ(t, parse_body(&m, &info), -EINVAL);
	KEXPECT_TRUE(t, logged("is 6 bytes, its layout needs 8"));

	/* One stray byte after the last entry. */
	madt_begin(&m, 0xfee00000u, 0);
	madt_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
	uint8_t stray = 0;
	madt_raw(&m, &stray, 1);
	KEXPECT_EQ(t, parse_body(&m, &info), -EINVAL);

	/* Longer entries than the layout (a later ACPI revision) are fine. */
	madt_begin(&m, 0xfee00000u, 0);
	uint8_t ext[10] = { ACPI_MADT_LAPIC, 10, 0, 3, 1, 0, 0, 0, 0xaa, 0xbb };
	madt_raw(&m, ext, sizeof(ext));
	KEXPECT_EQ(t, parse_body(&m, &info), 0);
	KEXPECT_EQ(t, info.nr_cpus, 1u);
	KEXPECT_EQ(t, info.cpus[0].apic_id, 3u);

	/* The header alone: no CPU at all. */
	madt_begin(&m, 0xfee00000u, 0);
	host_printk_log_clear();
	KEXPECT_EQ(t, parse_body(&m, &info), -ENODEV);
	KEXPECT_TRUE(t, logged("lists no usable CPU"));
	KEXPECT_EQ(t, acpi_madt_parse(mem + PA_MADT, 40, &info), -EINVAL);
}

static void x2apic_entries_override_and_duplicates(struct ktest *t)
{
	static struct acpi_madt_info info;
	static struct madt_body m;
	madt_begin(&m, 0xfee00000u, 0);
	madt_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
	madt_x2apic(&m, 0, 0, ACPI_MADT_ENABLED);   /* the same CPU again */
	madt_x2apic(&m, 300, 7, ACPI_MADT_ENABLED); /* only x2APIC can name it */
	madt_x2apic(&m, 301, 8, 0);		    /* disabled */
	madt_lapic(&m, 9, 0xff, ACPI_MADT_ENABLED); /* the broadcast id */
	madt_lapic_override(&m, 0x1234567000ull);
	KASSERT_EQ(t, parse_body(&m, &info), 0);
	KASSERT_EQ(t, info.nr_cpus, 2u);
	KEXPECT_EQ(t, info.cpus[1].apic_id, 300u);
	KEXPECT_EQ(t, info.cpus[1].uid, 7u);
	KEXPECT_EQ(t, info.cpus[1].source, ACPI_MADT_X2APIC);
	KEXPECT_EQ(t, info.nr_duplicates, 1u);
	KEXPECT_EQ(t, info.nr_cpus_disabled, 2u);
	KEXPECT_EQ(t, info.lapic_phys, 0x1234567000ull);
}

static void more_cpus_than_we_remember_are_counted(struct ktest *t)
{
	static struct acpi_madt_info info;
	static struct madt_body m;
	madt_begin(&m, 0xfee00000u, 0);
	for (uint32_t i = 0; i < ACPI_MADT_MAX_CPUS + 44; i++)
		madt_x2apic(&m, i, i, ACPI_MADT_ENABLED);
	KASSERT_LE(t, m.len, sizeof(m.b));
	KASSERT_EQ(t, parse_body(&m, &info), 0);
	KEXPECT_EQ(t, info.nr_cpus, ACPI_MADT_MAX_CPUS);
	KEXPECT_EQ(t, info.nr_cpus_dropped, 44u);
	KEXPECT_EQ(t, info.cpus[ACPI_MADT_MAX_CPUS - 1].apic_id, ACPI_MADT_MAX_CPUS - 1);
}

/*
 * Random corruption of a valid MADT, checksum repaired each time so the
 * parser sees it: it must never read outside the table (ASan watches the
 * copy, which is allocated to the table's exact size) and must either refuse
 * the table or return counts within bounds.
 */
static void random_corruption_never_reads_outside(struct ktest *t)
{
	static struct acpi_madt_info info;
	uint32_t len = put_std_madt(PA_MADT);
	uint64_t seed = 0x2545f4914f6cdd1dull;
	unsigned ok = 0, refused = 0;
	quiet();
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t *copy = malloc(len);
		KASSERT_NOT_NULL(t, copy);
		memcpy(copy, mem + PA_MADT, len);
		int flips = 1 + iter % 4;
		for (int f = 0; f < flips; f++) {
			xorshift64(&seed);
			size_t off =
				ACPI_SDT_HEADER_LEN + 8 + seed % (len - ACPI_SDT_HEADER_LEN - 8);
			copy[off] = (uint8_t)(seed >> 32);
		}
		/* Sometimes also cut the table short. */
		size_t plen = (iter % 5 == 0) ? len - (seed >> 40) % 16 : len;
		int r = acpi_madt_parse(copy, plen, &info);
		if (r == 0) {
			ok++;
			KEXPECT_LE(t, info.nr_cpus, ACPI_MADT_MAX_CPUS);
			KEXPECT_LE(t, info.nr_ioapics, ACPI_MADT_MAX_IOAPIC);
			KEXPECT_LE(t, info.nr_isos, ACPI_MADT_MAX_ISO);
		} else {
			refused++;
			bool known_error = r == -EINVAL || r == -ENODEV;
			KEXPECT_TRUE(t, known_error);
		}
		free(copy);
		if (t->failures)
			break;
	}
	host_printk_log_clear();
	/* Both outcomes must occur, or the corruption does not exercise the checks. */
	KEXPECT_GT(t, ok, 0u);
	KEXPECT_GT(t, refused, 0u);
}

static struct ktest_case acpi_cases[] = {
	KTEST_CASE(rsdp_v1_checksum_is_verified),
	KTEST_CASE(rsdp_v2_extended_checksum_and_length),
	KTEST_CASE(rsdp_scan_wants_16_byte_alignment_and_checksums),
	KTEST_CASE(discover_through_rsdt),
	KTEST_CASE(xsdt_is_preferred_and_a_bad_one_falls_back),
	KTEST_CASE(broken_tables_we_do_not_read_are_ignored),
	KTEST_CASE(missing_or_corrupt_madt_is_an_error),
	KTEST_CASE(unreadable_root_tables_are_refused),
	KTEST_CASE(madt_entry_lengths_are_checked),
	KTEST_CASE(x2apic_entries_override_and_duplicates),
	KTEST_CASE(more_cpus_than_we_remember_are_counted),
	KTEST_CASE(random_corruption_never_reads_outside),
	{},
};
KTEST_SUITE(acpi_tables, acpi_cases, .init = acpi_test_init, .exit = acpi_test_exit);
