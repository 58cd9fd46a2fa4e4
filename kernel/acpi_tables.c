/*
 * acpi_tables.c - the RSDP, RSDT/XSDT and MADT parser (see acpi_tables.h).
 *
 * The walk is RSDP -> root table -> MADT. Firmware tables are packed and
 * unaligned (an XSDT's 64-bit entries sit at offset 36), so every field is
 * read with a byte copy, and every read is preceded by a bound check against
 * the length of the structure that contains it:
 *
 *   - a table's header is mapped first (36 bytes); its length field must lie
 *     in [36, ACPI_MAX_TABLE_LEN]; only then is the whole table mapped and
 *     checksummed;
 *   - a MADT entry's two-byte header must fit before the end of the table,
 *     its length must be at least 2 (a zero length would loop forever) and
 *     must not run past the end, and must cover its type's fixed layout.
 *
 * A table in the root list whose signature is not the one sought is never
 * checksummed: a broken table we do not use must not stop the boot.
 */
#include "kernel/acpi_tables.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/string.h"

static uint8_t rd8(const void *p, size_t off)
{
	return ((const uint8_t *)p)[off];
}

static uint16_t rd16(const void *p, size_t off)
{
	uint16_t v;
	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static uint32_t rd32(const void *p, size_t off)
{
	uint32_t v;
	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static uint64_t rd64(const void *p, size_t off)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

int acpi_rsdp_parse(const void *p, size_t avail, bool quiet, struct acpi_rsdp_info *out)
{
	memset(out, 0, sizeof(*out));
	if (avail < ACPI_RSDP_V1_LEN || memcmp(p, ACPI_RSDP_SIG, 8) != 0) {
		if (!quiet)
			pr_err("ACPI: RSDP: no \"RSD PTR \" signature\n");
		return -EINVAL;
	}
	if (!acpi_checksum_ok(p, ACPI_RSDP_V1_LEN)) {
		if (!quiet)
			pr_err("ACPI: RSDP: bad checksum over its first 20 bytes\n");
		return -EINVAL;
	}
	out->revision = rd8(p, offsetof(struct acpi_rsdp, revision));
	out->rsdt = rd32(p, offsetof(struct acpi_rsdp, rsdt_address));
	memcpy(out->oem_id, (const uint8_t *)p + offsetof(struct acpi_rsdp, oem_id), 6);
	out->oem_id[6] = '\0';
	if (out->revision < 2)
		return 0;

	uint32_t len = avail >= ACPI_RSDP_V2_LEN ? rd32(p, offsetof(struct acpi_rsdp, length)) : 0;
	if (len < ACPI_RSDP_V2_LEN || len > avail) {
		if (!quiet)
			pr_err("ACPI: RSDP revision %u: length %u is outside [%u, %zu]\n",
			       out->revision, len, ACPI_RSDP_V2_LEN, avail);
		return -EINVAL;
	}
	if (!acpi_checksum_ok(p, len)) {
		if (!quiet)
			pr_err("ACPI: RSDP revision %u: bad extended checksum\n", out->revision);
		return -EINVAL;
	}
	out->xsdt = rd64(p, offsetof(struct acpi_rsdp, xsdt_address));
	return 0;
}

long acpi_rsdp_scan(const void *area, size_t len)
{
	struct acpi_rsdp_info info;
	for (size_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16) {
		const uint8_t *p = (const uint8_t *)area + off;
		if (memcmp(p, ACPI_RSDP_SIG, 8) == 0 &&
		    acpi_rsdp_parse(p, len - off, true, &info) == 0)
			return (long)off;
	}
	return -1;
}

/*
 * Map the table at pa and check what the header promises: the signature
 * (when sig is given), a sane length, the whole table readable, the checksum.
 * `what` names the table in messages. NULL with a message on failure.
 */
static const struct acpi_sdt_header *map_table(uint64_t pa, const char *sig, const char *what,
					       acpi_map_fn map, void *ctx, uint32_t *len_out)
{
	const void *hdr = map(pa, ACPI_SDT_HEADER_LEN, ctx);
	if (!hdr) {
		pr_err("ACPI: %s at %#llx is not in readable memory\n", what,
		       (unsigned long long)pa);
		return NULL;
	}
	if (sig && memcmp(hdr, sig, 4) != 0) {
		pr_err("ACPI: %s at %#llx has signature \"%.4s\", expected \"%.4s\"\n", what,
		       (unsigned long long)pa, (const char *)hdr, sig);
		return NULL;
	}
	uint32_t len = rd32(hdr, offsetof(struct acpi_sdt_header, length));
	if (len < ACPI_SDT_HEADER_LEN || len > ACPI_MAX_TABLE_LEN) {
		pr_err("ACPI: %s at %#llx: length %u is outside [%u, %u]\n", what,
		       (unsigned long long)pa, len, ACPI_SDT_HEADER_LEN, ACPI_MAX_TABLE_LEN);
		return NULL;
	}
	const struct acpi_sdt_header *t = map(pa, len, ctx);
	if (!t) {
		pr_err("ACPI: %s at %#llx (%u bytes) is not in readable memory\n", what,
		       (unsigned long long)pa, len);
		return NULL;
	}
	if (!acpi_checksum_ok(t, len)) {
		pr_err("ACPI: %s at %#llx: bad checksum\n", what, (unsigned long long)pa);
		return NULL;
	}
	*len_out = len;
	return t;
}

/* Look for sig in one root table (entry_size 4: RSDT, 8: XSDT). */
static const struct acpi_sdt_header *search_root(const struct acpi_sdt_header *root,
						 uint32_t root_len, unsigned entry_size,
						 const char *sig, acpi_map_fn map, void *ctx,
						 uint32_t *len, uint64_t *phys, int *err)
{
	unsigned n = (root_len - ACPI_SDT_HEADER_LEN) / entry_size;
	for (unsigned i = 0; i < n; i++) {
		size_t off = ACPI_SDT_HEADER_LEN + (size_t)i * entry_size;
		uint64_t pa = entry_size == 8 ? rd64(root, off) : rd32(root, off);
		const void *hdr = pa ? map(pa, ACPI_SDT_HEADER_LEN, ctx) : NULL;
		if (!hdr || memcmp(hdr, sig, 4) != 0)
			continue; /* not ours; unreadable entries are skipped too */
		char what[16];
		ksnprintf(what, sizeof(what), "table %.4s", sig);
		const struct acpi_sdt_header *t = map_table(pa, sig, what, map, ctx, len);
		if (!t) {
			*err = -EINVAL;
			return NULL;
		}
		if (phys)
			*phys = pa;
		*err = 0;
		return t;
	}
	*err = -ENOENT;
	return NULL;
}

const struct acpi_sdt_header *acpi_find_table(const struct acpi_rsdp_info *rsdp, const char *sig,
					      acpi_map_fn map, void *ctx, uint32_t *len,
					      uint64_t *phys, int *err)
{
	uint32_t root_len, tlen = 0;
	int e = -EINVAL;
	const struct acpi_sdt_header *t = NULL, *root;

	if (rsdp->revision >= 2 && rsdp->xsdt) {
		root = map_table(rsdp->xsdt, "XSDT", "XSDT", map, ctx, &root_len);
		if (root) {
			t = search_root(root, root_len, 8, sig, map, ctx, &tlen, phys, &e);
			goto out;
		}
		if (rsdp->rsdt)
			pr_warn("ACPI: falling back to the RSDT\n");
	}
	if (!rsdp->rsdt) {
		pr_err("ACPI: the RSDP names no usable root table\n");
		goto out;
	}
	root = map_table(rsdp->rsdt, "RSDT", "RSDT", map, ctx, &root_len);
	if (root)
		t = search_root(root, root_len, 4, sig, map, ctx, &tlen, phys, &e);
out:
	if (len)
		*len = tlen;
	if (err)
		*err = e;
	return t;
}

/* The fixed layout's size for each MADT entry type we read; 2 for the others. */
static unsigned madt_entry_min_len(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_LAPIC:
		return 8;
	case ACPI_MADT_IOAPIC:
		return 12;
	case ACPI_MADT_ISO:
		return 10;
	case ACPI_MADT_LAPIC_NMI:
		return 6;
	case ACPI_MADT_LAPIC_ADDR:
		return 12;
	case ACPI_MADT_X2APIC:
		return 16;
	case ACPI_MADT_X2APIC_NMI:
		return 12;
	default:
		return 2;
	}
}

static void madt_add_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
			 uint8_t source)
{
	/* 0xff in a (8-bit) Local APIC entry is the broadcast id: never a real CPU. */
	if (!(flags & ACPI_MADT_ENABLED) || (source == ACPI_MADT_LAPIC && apic_id == 0xff)) {
		out->nr_cpus_disabled++;
		return;
	}
	for (unsigned i = 0; i < out->nr_cpus; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			out->nr_duplicates++;
			return;
		}
	}
	if (out->nr_cpus == ACPI_MADT_MAX_CPUS) {
		out->nr_cpus_dropped++;
		return;
	}
	out->cpus[out->nr_cpus++] = (struct acpi_madt_cpu){ apic_id, uid, source };
}

int acpi_madt_parse(const void *madt, size_t len, struct acpi_madt_info *out)
{
	const size_t entries = ACPI_SDT_HEADER_LEN + 8; /* header, lapic address, flags */

	memset(out, 0, sizeof(*out));
	if (len < entries) {
		pr_err("ACPI: MADT: %zu bytes, too short for its header\n", len);
		return -EINVAL;
	}
	out->lapic_phys = rd32(madt, ACPI_SDT_HEADER_LEN);
	out->flags = rd32(madt, ACPI_SDT_HEADER_LEN + 4);

	for (size_t off = entries; off < len;) {
		if (len - off < 2) {
			pr_err("ACPI: MADT: stray byte at offset %zu\n", off);
			return -EINVAL;
		}
		uint8_t type = rd8(madt, off), elen = rd8(madt, off + 1);
		if (elen < 2 || elen > len - off) {
			pr_err("ACPI: MADT: entry at offset %zu (type %u) has length %u, "
			       "%zu bytes remain\n",
			       off, type, elen, len - off);
			return -EINVAL;
		}
		if (elen < madt_entry_min_len(type)) {
			pr_err("ACPI: MADT: entry at offset %zu (type %u) is %u bytes, "
			       "its layout needs %u\n",
			       off, type, elen, madt_entry_min_len(type));
			return -EINVAL;
		}
		const uint8_t *e = (const uint8_t *)madt + off;
		switch (type) {
		case ACPI_MADT_LAPIC:
			madt_add_cpu(out, rd8(e, 3), rd8(e, 2), rd32(e, 4), type);
			break;
		case ACPI_MADT_X2APIC:
			madt_add_cpu(out, rd32(e, 4), rd32(e, 12), rd32(e, 8), type);
			break;
		case ACPI_MADT_IOAPIC:
			if (out->nr_ioapics < ACPI_MADT_MAX_IOAPIC)
				out->ioapics[out->nr_ioapics++] =
					(struct acpi_madt_ioapic){ rd8(e, 2), rd32(e, 4),
								   rd32(e, 8) };
			break;
		case ACPI_MADT_ISO:
			if (out->nr_isos < ACPI_MADT_MAX_ISO)
				out->isos[out->nr_isos++] =
					(struct acpi_madt_iso){ rd8(e, 2), rd8(e, 3), rd16(e, 8),
								rd32(e, 4) };
			break;
		case ACPI_MADT_LAPIC_ADDR:
			out->lapic_phys = rd64(e, 4);
			break;
		case ACPI_MADT_LAPIC_NMI:
		case ACPI_MADT_X2APIC_NMI:
			out->nr_nmis++;
			break;
		default:
			out->nr_unknown++;
			break;
		}
		off += elen;
	}
	if (out->nr_cpus == 0) {
		pr_err("ACPI: MADT lists no usable CPU (%u disabled)\n", out->nr_cpus_disabled);
		return -ENODEV;
	}
	return 0;
}

int acpi_discover_cpus(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_madt_info *out)
{
	struct acpi_rsdp_info info;
	uint32_t len;
	int err = acpi_rsdp_parse(rsdp, rsdp_len, false, &info);
	if (err)
		return err;
	const struct acpi_sdt_header *madt =
		acpi_find_table(&info, "APIC", map, ctx, &len, NULL, &err);
	if (!madt) {
		if (err == -ENOENT)
			pr_err("ACPI: no MADT (\"APIC\") in the root table\n");
		return err;
	}
	return acpi_madt_parse(madt, len, out);
}
