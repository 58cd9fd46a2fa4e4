/*
 * fuzz_acpi.c - libFuzzer harness for the ACPI table parser
 * (kernel/acpi_tables.h): acpi_rsdp_parse, acpi_rsdp_scan, acpi_find_table,
 * acpi_madt_parse and acpi_discover_cpus.
 *
 * Input: a sparse "physical memory" in chunks.
 *
 *   u8  flags   bit 0: fix up checksums first (below); bit 1: look for the
 *               RSDP with acpi_rsdp_scan in chunk 0, as in the BIOS area,
 *               instead of taking chunk 0 as the RSDP itself
 *   u8  sig[4]  a second signature to look up (besides "APIC")
 *   then up to 16 chunks: u32 physical address, u16 length, and that many
 *   bytes (fewer if the input ends). Chunk 0 holds the RSDP (or the area
 *   scanned for it); the others hold tables (RSDT, XSDT, MADT, ...) at
 *   their physical addresses, wherever the mutator puts them.
 *
 * The map function the parser reads memory through (acpi_map_fn) serves a
 * request (pa, len) only when one chunk holds all of it, and then returns
 * a fresh heap copy of exactly len bytes: a read past what was mapped, even
 * inside the chunk, is an AddressSanitizer error, and no pointer into one
 * mapping can be used to reach another. The RSDP is handed over the same
 * way (an exact-size copy). A chunk overlapping an earlier one is left out
 * (real memory has one value per address).
 *
 * With flags bit 0 the harness first corrects the checksums of chunk 0 (an
 * RSDP's two) and of every chunk that starts with a table header whose
 * length fits it, so that mutations of content reach the parsers behind the
 * checksums; without it, broken checksums are exercised as given.
 *
 * Checks:
 *   - acpi_rsdp_parse accepts exactly the RSDPs a reference validation
 *     accepts (signature, 20-byte checksum, and for revision >= 2 a length
 *     in [36, avail] and the extended checksum) and reports their fields;
 *     acpi_rsdp_scan returns the first 16-byte-aligned offset holding a
 *     valid one, or -1;
 *   - acpi_find_table returns what a reference walk (XSDT first, the RSDT
 *     as fallback, tables validated by signature, length bounds and
 *     checksum) finds: the same table, length and physical address, or the
 *     same error (-ENOENT / -EINVAL); a returned table is one of the map
 *     function's copies, of the length reported, with the right signature
 *     and checksum;
 *   - acpi_madt_parse, on the table found and on every chunk taken as a
 *     MADT, gives what a reference parse gives (result, CPUs with their ids,
 *     UIDs and sources in table order, I/O APICs, overrides, counts), and
 *     its contract holds on its own: at most ACPI_MADT_MAX_CPUS CPUs (the
 *     rest counted as dropped), all enabled, no APIC id twice, no 8-bit
 *     broadcast id, every CPU entry of the table accounted for exactly once
 *     (recorded, dropped, disabled or duplicate);
 *   - acpi_discover_cpus agrees with the three steps done one by one.
 */
#include "tests/fuzz/fuzz_common.h"

#include "kernel/acpi_tables.h"
#include "kernel/errno.h"

#define MAX_CHUNKS 16

struct chunk {
	uint64_t pa;
	uint32_t len;
	uint8_t *bytes;
};

static struct chunk chunks[MAX_CHUNKS];
static unsigned nchunks;

/* Every mapping handed out during this input (freed at its end). */
struct mapping {
	void *copy;
	uint64_t pa;
	size_t len;
};
static struct mapping *maps;
static unsigned nmaps, maps_cap;

/* The chunk holding all of [pa, pa + len), or NULL. */
static const struct chunk *chunk_for(uint64_t pa, size_t len)
{
	for (unsigned i = 0; i < nchunks; i++) {
		const struct chunk *c = &chunks[i];
		if (pa >= c->pa && pa - c->pa <= c->len && len <= c->len - (pa - c->pa))
			return c;
	}
	return NULL;
}

static const void *map_fn(uint64_t pa, size_t len, void *ctx)
{
	CHECK(ctx == &chunks, "map called with another context");
	const struct chunk *c = chunk_for(pa, len);
	if (!c)
		return NULL;
	if (nmaps == maps_cap) {
		unsigned cap = maps_cap ? 2 * maps_cap : 256;
		struct mapping *grown = realloc(maps, cap * sizeof(*maps));
		if (!grown)
			abort();
		maps = grown;
		maps_cap = cap;
	}
	void *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, c->bytes + (pa - c->pa), len);
	maps[nmaps++] = (struct mapping){ copy, pa, len };
	return copy;
}

static void unmap_all(void)
{
	for (unsigned i = 0; i < nmaps; i++)
		free(maps[i].copy);
	nmaps = 0;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* ---- the reference ---- */

static bool ref_rsdp(const uint8_t *p, size_t avail, struct acpi_rsdp_info *out)
{
	memset(out, 0, sizeof(*out));
	if (avail < 20 || memcmp(p, "RSD PTR ", 8) || sum(p, 20))
		return false;
	out->revision = p[15];
	out->rsdt = rd32(p + 16);
	memcpy(out->oem_id, p + 9, 6);
	if (out->revision < 2)
		return true;
	if (avail < 36)
		return false;
	uint32_t len = rd32(p + 20);
	if (len < 36 || len > avail || sum(p, len))
		return false;
	out->xsdt = rd64(p + 24);
	return true;
}

/* A valid table at pa (signature sig unless NULL): its length, else 0. */
static uint32_t ref_table(uint64_t pa, const char *sig)
{
	const struct chunk *c = chunk_for(pa, 36);
	if (!c)
		return 0;
	const uint8_t *t = c->bytes + (pa - c->pa);
	uint32_t len = rd32(t + 4);
	if ((sig && memcmp(t, sig, 4)) || len < 36 || len > ACPI_MAX_TABLE_LEN)
		return 0;
	c = chunk_for(pa, len);
	if (!c)
		return 0;
	t = c->bytes + (pa - c->pa);
	return sum(t, len) ? 0 : len;
}

struct ref_found {
	int err;
	uint64_t pa;
	uint32_t len;
};

static struct ref_found ref_search(uint64_t root, uint32_t root_len, unsigned esize,
				   const char *sig)
{
	const struct chunk *c = chunk_for(root, root_len);
	const uint8_t *t = c->bytes + (root - c->pa);
	for (uint32_t off = 36; off + esize <= root_len; off += esize) {
		uint64_t pa = esize == 8 ? rd64(t + off) : rd32(t + off);
		const struct chunk *h = pa ? chunk_for(pa, 36) : NULL;
		if (!h || memcmp(h->bytes + (pa - h->pa), sig, 4))
			continue;
		uint32_t len = ref_table(pa, sig);
		if (!len)
			return (struct ref_found){ -EINVAL, 0, 0 };
		return (struct ref_found){ 0, pa, len };
	}
	return (struct ref_found){ -ENOENT, 0, 0 };
}

static struct ref_found ref_find(const struct acpi_rsdp_info *r, const char *sig)
{
	uint32_t len;
	if (r->revision >= 2 && r->xsdt && (len = ref_table(r->xsdt, "XSDT")))
		return ref_search(r->xsdt, len, 8, sig);
	if (!r->rsdt || !(len = ref_table(r->rsdt, "RSDT")))
		return (struct ref_found){ -EINVAL, 0, 0 };
	return ref_search(r->rsdt, len, 4, sig);
}

static unsigned ref_min_len(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_LAPIC:
		return 8;
	case ACPI_MADT_IOAPIC:
	case ACPI_MADT_LAPIC_ADDR:
	case ACPI_MADT_X2APIC_NMI:
		return 12;
	case ACPI_MADT_ISO:
		return 10;
	case ACPI_MADT_LAPIC_NMI:
		return 6;
	case ACPI_MADT_X2APIC:
		return 16;
	default:
		return 2;
	}
}

/* The reference MADT parse; also counts the CPU entries the table holds (*entries). */
static int ref_madt(const uint8_t *m, size_t len, struct acpi_madt_info *o, unsigned *entries)
{
	memset(o, 0, sizeof(*o));
	*entries = 0;
	if (len < 44)
		return -EINVAL;
	o->lapic_phys = rd32(m + 36);
	o->flags = rd32(m + 40);
	for (size_t off = 44; off < len;) {
		if (len - off < 2 || m[off + 1] < 2 || m[off + 1] > len - off ||
		    m[off + 1] < ref_min_len(m[off]))
			return -EINVAL;
		const uint8_t *e = m + off;
		uint32_t id = 0, uid = 0, fl = 0;
		bool cpu = false;
		switch (e[0]) {
		case ACPI_MADT_LAPIC:
			cpu = true, uid = e[2], id = e[3], fl = rd32(e + 4);
			break;
		case ACPI_MADT_X2APIC:
			cpu = true, id = rd32(e + 4), fl = rd32(e + 8), uid = rd32(e + 12);
			break;
		case ACPI_MADT_IOAPIC:
			if (o->nr_ioapics < ACPI_MADT_MAX_IOAPIC)
				o->ioapics[o->nr_ioapics++] =
					(struct acpi_madt_ioapic){ e[2], rd32(e + 4), rd32(e + 8) };
			break;
		case ACPI_MADT_ISO:
			if (o->nr_isos < ACPI_MADT_MAX_ISO)
				o->isos[o->nr_isos++] = (struct acpi_madt_iso){
					e[2], e[3], (uint16_t)(e[8] | e[9] << 8), rd32(e + 4)
				};
			break;
		case ACPI_MADT_LAPIC_ADDR:
			o->lapic_phys = rd64(e + 4);
			break;
		case ACPI_MADT_LAPIC_NMI:
		case ACPI_MADT_X2APIC_NMI:
			o->nr_nmis++;
			break;
		default:
			o->nr_unknown++;
			break;
		}
		if (cpu) {
			bool dup = false;
			(*entries)++;
			for (unsigned i = 0; i < o->nr_cpus; i++)
				dup |= o->cpus[i].apic_id == id;
			if (!(fl & ACPI_MADT_ENABLED) || (e[0] == ACPI_MADT_LAPIC && id == 0xff))
				o->nr_cpus_disabled++;
			else if (dup)
				o->nr_duplicates++;
			else if (o->nr_cpus == ACPI_MADT_MAX_CPUS)
				o->nr_cpus_dropped++;
			else
				o->cpus[o->nr_cpus++] = (struct acpi_madt_cpu){ id, uid, e[0] };
		}
		off += e[1];
	}
	return o->nr_cpus ? 0 : -ENODEV;
}

/* ---- checks ---- */

static void check_madt(const uint8_t *m, size_t len, int ret, const struct acpi_madt_info *got,
		       const char *what)
{
	static struct acpi_madt_info want;
	unsigned entries;
	int wret = ref_madt(m, len, &want, &entries);

	CHECK(ret == wret, "%s: acpi_madt_parse returned %d, reference %d", what, ret, wret);
	if (ret == -EINVAL)
		return; /* "On error *out must not be relied upon" */
	/* The contract on its own. */
	CHECK(got->nr_cpus <= ACPI_MADT_MAX_CPUS && got->nr_ioapics <= ACPI_MADT_MAX_IOAPIC &&
		      got->nr_isos <= ACPI_MADT_MAX_ISO,
	      "%s: counts over their limits", what);
	CHECK((ret == 0) == (got->nr_cpus > 0), "%s: %u CPUs but returned %d", what, got->nr_cpus,
	      ret);
	CHECK(got->nr_cpus + got->nr_cpus_dropped + got->nr_cpus_disabled + got->nr_duplicates ==
		      entries,
	      "%s: %u + %u dropped + %u disabled + %u duplicates != %u CPU entries", what,
	      got->nr_cpus, got->nr_cpus_dropped, got->nr_cpus_disabled, got->nr_duplicates,
	      entries);
	for (unsigned i = 0; i < got->nr_cpus; i++) {
		const struct acpi_madt_cpu *c = &got->cpus[i];
		CHECK(c->source == ACPI_MADT_LAPIC || c->source == ACPI_MADT_X2APIC,
		      "%s: CPU %u from entry type %u", what, i, c->source);
		CHECK(c->source != ACPI_MADT_LAPIC || c->apic_id < 0xff,
		      "%s: CPU %u has 8-bit id %#x", what, i, c->apic_id);
		for (unsigned j = 0; j < i; j++)
			CHECK(got->cpus[j].apic_id != c->apic_id, "%s: APIC id %#x twice", what,
			      c->apic_id);
	}
	/* And exactly the reference's reading. */
	CHECK(got->lapic_phys == want.lapic_phys && got->flags == want.flags,
	      "%s: local APIC %#llx flags %#x, reference %#llx %#x", what,
	      (unsigned long long)got->lapic_phys, got->flags, (unsigned long long)want.lapic_phys,
	      want.flags);
	CHECK(got->nr_cpus == want.nr_cpus && got->nr_cpus_dropped == want.nr_cpus_dropped &&
		      got->nr_cpus_disabled == want.nr_cpus_disabled &&
		      got->nr_duplicates == want.nr_duplicates,
	      "%s: CPU counts %u/%u/%u/%u, reference %u/%u/%u/%u", what, got->nr_cpus,
	      got->nr_cpus_dropped, got->nr_cpus_disabled, got->nr_duplicates, want.nr_cpus,
	      want.nr_cpus_dropped, want.nr_cpus_disabled, want.nr_duplicates);
	for (unsigned i = 0; i < want.nr_cpus; i++)
		CHECK(got->cpus[i].apic_id == want.cpus[i].apic_id &&
			      got->cpus[i].uid == want.cpus[i].uid &&
			      got->cpus[i].source == want.cpus[i].source,
		      "%s: CPU %u is id %#x uid %u type %u, reference id %#x uid %u type %u", what,
		      i, got->cpus[i].apic_id, got->cpus[i].uid, got->cpus[i].source,
		      want.cpus[i].apic_id, want.cpus[i].uid, want.cpus[i].source);
	CHECK(got->nr_ioapics == want.nr_ioapics && got->nr_isos == want.nr_isos &&
		      got->nr_nmis == want.nr_nmis && got->nr_unknown == want.nr_unknown,
	      "%s: I/O APICs %u ISOs %u NMIs %u unknown %u, reference %u %u %u %u", what,
	      got->nr_ioapics, got->nr_isos, got->nr_nmis, got->nr_unknown, want.nr_ioapics,
	      want.nr_isos, want.nr_nmis, want.nr_unknown);
	for (unsigned i = 0; i < want.nr_ioapics; i++)
		CHECK(got->ioapics[i].id == want.ioapics[i].id &&
			      got->ioapics[i].address == want.ioapics[i].address &&
			      got->ioapics[i].gsi_base == want.ioapics[i].gsi_base,
		      "%s: I/O APIC %u differs", what, i);
	for (unsigned i = 0; i < want.nr_isos; i++)
		CHECK(got->isos[i].bus == want.isos[i].bus &&
			      got->isos[i].source_irq == want.isos[i].source_irq &&
			      got->isos[i].flags == want.isos[i].flags &&
			      got->isos[i].gsi == want.isos[i].gsi,
		      "%s: override %u differs", what, i);
}

/* A table returned by acpi_find_table: one of our mappings, whole and valid. */
static void check_found(const struct acpi_sdt_header *t, uint32_t len, uint64_t phys,
			const char *sig, const struct ref_found *want)
{
	CHECK(want->err == 0, "acpi_find_table(%.4s) found a table, the reference says %d", sig,
	      want->err);
	CHECK(phys == want->pa && len == want->len,
	      "acpi_find_table(%.4s): %#llx (%u bytes), the reference %#llx (%u bytes)", sig,
	      (unsigned long long)phys, len, (unsigned long long)want->pa, want->len);
	bool mapped = false;
	for (unsigned i = 0; i < nmaps; i++)
		mapped |=
			maps[i].copy == (const void *)t && maps[i].pa == phys && maps[i].len == len;
	CHECK(mapped, "acpi_find_table(%.4s) returned memory it did not map as %u bytes at %#llx",
	      sig, len, (unsigned long long)phys);
	CHECK(memcmp(t->signature, sig, 4) == 0 && t->length == len && acpi_checksum_ok(t, len),
	      "acpi_find_table(%.4s): signature, length or checksum wrong", sig);
}

/* ---- input ---- */

static void fix_checksums(void)
{
	for (unsigned i = 1; i < nchunks; i++) {
		struct chunk *c = &chunks[i];
		if (c->len < 36)
			continue;
		uint32_t len = rd32(c->bytes + 4);
		if (len >= 36 && len <= c->len) {
			c->bytes[9] = 0;
			c->bytes[9] = (uint8_t)-sum(c->bytes, len);
		}
	}
	struct chunk *r = &chunks[0];
	if (nchunks && r->len >= 20) {
		r->bytes[8] = 0;
		r->bytes[8] = (uint8_t)-sum(r->bytes, 20);
		uint32_t len = r->len >= 36 ? rd32(r->bytes + 20) : 0;
		if (r->bytes[15] >= 2 && len >= 36 && len <= r->len) {
			r->bytes[32] = 0;
			r->bytes[32] = (uint8_t)-sum(r->bytes, len);
		}
	}
}

FUZZ_QUIET_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_madt_info info;
	struct fuzz_in in = { data, size };
	uint8_t flags = in_u8(&in);
	char sig2[5] = { 0 };
	in_bytes(&in, sig2, 4);

	host_printk_log_clear();
	nchunks = 0;
	while (in.n && nchunks < MAX_CHUNKS) {
		struct chunk *c = &chunks[nchunks];
		c->pa = in_u32(&in);
		c->len = in_u16(&in);
		c->bytes = malloc(c->len ? c->len : 1);
		if (!c->bytes)
			abort();
		c->len = (uint32_t)in_bytes(&in, c->bytes, c->len);
		/* One value per physical byte: a chunk overlapping an earlier one is left out. */
		bool overlaps = false;
		for (unsigned i = 0; i < nchunks; i++)
			overlaps |= c->pa < chunks[i].pa + chunks[i].len &&
				    chunks[i].pa < c->pa + c->len;
		if (overlaps)
			free(c->bytes);
		else
			nchunks++;
	}
	if (flags & 1)
		fix_checksums();

	/* The RSDP: chunk 0 itself, or what a scan of it finds. */
	const uint8_t *rsdp = NULL;
	size_t rsdp_len = 0;
	if (nchunks) {
		const struct chunk *area = &chunks[0];
		if (flags & 2) {
			uint8_t *copy = malloc(area->len ? area->len : 1);
			if (!copy)
				abort();
			memcpy(copy, area->bytes, area->len);
			long off = acpi_rsdp_scan(copy, area->len), want = -1;
			struct acpi_rsdp_info scratch;
			for (size_t o = 0; o + 20 <= area->len && want < 0; o += 16)
				if (ref_rsdp(area->bytes + o, area->len - o, &scratch))
					want = (long)o;
			free(copy);
			CHECK(off == want,
			      "acpi_rsdp_scan found %ld, the first valid RSDP is at %ld", off,
			      want);
			if (off >= 0) {
				rsdp = area->bytes + off;
				rsdp_len = area->len - (size_t)off;
			}
		} else {
			rsdp = area->bytes;
			rsdp_len = area->len;
		}
	}

	if (rsdp) {
		/* Exact-size copy: the parser may read rsdp_len bytes and no more. */
		uint8_t *r = malloc(rsdp_len ? rsdp_len : 1);
		if (!r)
			abort();
		memcpy(r, rsdp, rsdp_len);
		struct acpi_rsdp_info got, want;
		int ret = acpi_rsdp_parse(r, rsdp_len, false, &got);
		bool ok = ref_rsdp(rsdp, rsdp_len, &want);
		CHECK((ret == 0) == ok && (ret == 0 || ret == -EINVAL),
		      "acpi_rsdp_parse returned %d, the reference %s it", ret,
		      ok ? "accepts" : "refuses");
		if (ok) {
			CHECK(got.revision == want.revision && got.rsdt == want.rsdt &&
				      got.xsdt == want.xsdt &&
				      memcmp(got.oem_id, want.oem_id, 7) == 0,
			      "RSDP fields: revision %u RSDT %#llx XSDT %#llx OEM \"%s\"",
			      got.revision, (unsigned long long)got.rsdt,
			      (unsigned long long)got.xsdt, got.oem_id);
			const char *sigs[2] = { "APIC", sig2 };
			for (unsigned s = 0; s < 2; s++) {
				uint32_t len = 0xdeadbeef;
				uint64_t phys = 0xdeadbeef;
				int err = 1;
				const struct acpi_sdt_header *t = acpi_find_table(
					&got, sigs[s], map_fn, &chunks, &len, &phys, &err);
				struct ref_found wf = ref_find(&want, sigs[s]);
				if (t) {
					check_found(t, len, phys, sigs[s], &wf);
				} else {
					CHECK(err == wf.err && len == 0,
					      "acpi_find_table(%.4s): NULL with err %d len %u, the "
					      "reference says %d",
					      sigs[s], err, len, wf.err);
				}
				if (t && s == 0) {
					int mret = acpi_madt_parse(t, len, &info);
					check_madt((const uint8_t *)t, len, mret, &info,
						   "MADT found");
				}
			}
		}
		/* The whole walk agrees with the steps. */
		static struct acpi_madt_info whole;
		int dret = acpi_discover_cpus(r, rsdp_len, map_fn, &chunks, &whole);
		struct ref_found wf =
			ok ? ref_find(&want, "APIC") : (struct ref_found){ -EINVAL, 0, 0 };
		if (!ok || wf.err) {
			CHECK(dret == (ok ? wf.err : -EINVAL),
			      "acpi_discover_cpus returned %d, want %d", dret,
			      ok ? wf.err : -EINVAL);
		} else {
			const struct chunk *c = chunk_for(wf.pa, wf.len);
			check_madt(c->bytes + (wf.pa - c->pa), wf.len, dret, &whole,
				   "acpi_discover_cpus");
		}
		free(r);
	}

	/* Every chunk as a MADT of its own length (no checksum in the way). */
	for (unsigned i = 0; i < nchunks; i++) {
		uint8_t *m = malloc(chunks[i].len ? chunks[i].len : 1);
		if (!m)
			abort();
		memcpy(m, chunks[i].bytes, chunks[i].len);
		int ret = acpi_madt_parse(m, chunks[i].len, &info);
		check_madt(chunks[i].bytes, chunks[i].len, ret, &info, "chunk as MADT");
		free(m);
	}

	unmap_all();
	for (unsigned i = 0; i < nchunks; i++)
		free(chunks[i].bytes);
	return 0;
}
