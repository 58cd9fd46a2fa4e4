/*
 * cpu.c - CPU identification and feature flags from CPUID, plus the parts of
 * kernel/arch.h that depend on them (arch_random_u64, arch_phys_addr_bits).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "kernel/arch.h"
#include "kernel/printk.h"
#include "kernel/string.h"

struct cpuinfo_x86 boot_cpu_data;
unsigned nr_cpu_ids = 1;

static bool detected;

static const char *const feature_names[NR_X86_FEATURES] = {
	[X86_FEATURE_TSC] = "tsc",
	[X86_FEATURE_APIC] = "apic",
	[X86_FEATURE_PGE] = "pge",
	[X86_FEATURE_PAT] = "pat",
	[X86_FEATURE_PCID] = "pcid",
	[X86_FEATURE_X2APIC] = "x2apic",
	[X86_FEATURE_TSC_DEADLINE] = "tsc_deadline_timer",
	[X86_FEATURE_RDRAND] = "rdrand",
	[X86_FEATURE_HYPERVISOR] = "hypervisor",
	[X86_FEATURE_FSGSBASE] = "fsgsbase",
	[X86_FEATURE_SMEP] = "smep",
	[X86_FEATURE_INVPCID] = "invpcid",
	[X86_FEATURE_SMAP] = "smap",
	[X86_FEATURE_LA57] = "la57",
	[X86_FEATURE_NX] = "nx",
	[X86_FEATURE_PDPE1GB] = "pdpe1gb",
	[X86_FEATURE_RDTSCP] = "rdtscp",
	[X86_FEATURE_LM] = "lm",
	[X86_FEATURE_INVARIANT_TSC] = "constant_tsc",
};

const char *cpu_feature_name(enum cpu_feature f)
{
	return (unsigned)f < NR_X86_FEATURES ? feature_names[f] : "?";
}

static void set_if(struct cpuinfo_x86 *c, enum cpu_feature f, uint32_t reg, unsigned bit)
{
	if (reg & (1u << bit))
		c->features |= 1ull << f;
}

static void cpu_detect(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	uint32_t a, b, cx, d;

	memset(c, 0, sizeof(*c));
	cpuid_count(0, 0, &a, &b, &cx, &d);
	c->max_leaf = a;
	memcpy(c->vendor + 0, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);

	if (c->max_leaf >= 1) {
		cpuid_count(1, 0, &a, &b, &cx, &d);
		/* Family and model with the extended fields, as the SDM defines the display values. */
		c->family = (a >> 8) & 0xf;
		c->model = (a >> 4) & 0xf;
		c->stepping = a & 0xf;
		if (c->family == 0xf)
			c->family += (a >> 20) & 0xff;
		if (c->family == 0x6 || c->family >= 0xf)
			c->model += ((a >> 16) & 0xf) << 4;
		set_if(c, X86_FEATURE_TSC, d, 4);
		set_if(c, X86_FEATURE_APIC, d, 9);
		set_if(c, X86_FEATURE_PGE, d, 13);
		set_if(c, X86_FEATURE_PAT, d, 16);
		set_if(c, X86_FEATURE_PCID, cx, 17);
		set_if(c, X86_FEATURE_X2APIC, cx, 21);
		set_if(c, X86_FEATURE_TSC_DEADLINE, cx, 24);
		set_if(c, X86_FEATURE_RDRAND, cx, 30);
		set_if(c, X86_FEATURE_HYPERVISOR, cx, 31);
	}
	if (c->max_leaf >= 7) {
		cpuid_count(7, 0, &a, &b, &cx, &d);
		set_if(c, X86_FEATURE_FSGSBASE, b, 0);
		set_if(c, X86_FEATURE_SMEP, b, 7);
		set_if(c, X86_FEATURE_INVPCID, b, 10);
		set_if(c, X86_FEATURE_SMAP, b, 20);
		set_if(c, X86_FEATURE_LA57, cx, 16);
	}

	cpuid_count(0x80000000, 0, &a, &b, &cx, &d);
	c->max_ext_leaf = a >= 0x80000000 ? a : 0;
	if (c->max_ext_leaf >= 0x80000001) {
		cpuid_count(0x80000001, 0, &a, &b, &cx, &d);
		set_if(c, X86_FEATURE_NX, d, 20);
		set_if(c, X86_FEATURE_PDPE1GB, d, 26);
		set_if(c, X86_FEATURE_RDTSCP, d, 27);
		set_if(c, X86_FEATURE_LM, d, 29);
	}
	if (c->max_ext_leaf >= 0x80000004) {
		uint32_t *w = (uint32_t *)c->brand;
		for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++, w += 4)
			cpuid_count(leaf, 0, &w[0], &w[1], &w[2], &w[3]);
		c->brand[48] = '\0';
		size_t skip = 0;
		while (c->brand[skip] == ' ')
			skip++;
		memmove(c->brand, c->brand + skip, sizeof(c->brand) - skip);
	}
	if (c->max_ext_leaf >= 0x80000007) {
		cpuid_count(0x80000007, 0, &a, &b, &cx, &d);
		set_if(c, X86_FEATURE_INVARIANT_TSC, d, 8);
	}
	c->phys_bits = 36;
	c->virt_bits = 48;
	if (c->max_ext_leaf >= 0x80000008) {
		cpuid_count(0x80000008, 0, &a, &b, &cx, &d);
		c->phys_bits = a & 0xff;
		c->virt_bits = (a >> 8) & 0xff;
	}
	detected = true;
}

bool cpu_has(enum cpu_feature f)
{
	if (!detected)
		cpu_detect();
	return (unsigned)f < NR_X86_FEATURES && (boot_cpu_data.features & (1ull << f));
}

unsigned arch_phys_addr_bits(void)
{
	if (!detected)
		cpu_detect();
	return boot_cpu_data.phys_bits;
}

/* RDRAND may fail transiently (CF=0) when the generator is drained; Intel advises 10 tries. */
static bool rdrand_u64(uint64_t *out)
{
	for (int i = 0; i < 10; i++) {
		uint64_t v;
		bool ok;
		__asm__ __volatile__("rdrand %0" : "=r"(v), "=@ccc"(ok));
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

uint64_t arch_random_u64(void)
{
	static uint64_t state;
	uint64_t v;

	if (cpu_has(X86_FEATURE_RDRAND) && rdrand_u64(&v))
		return v;
	/* splitmix64 over a counter advanced by the TSC: distinct, well-mixed values. */
	v = __atomic_add_fetch(&state, 0x9e3779b97f4a7c15ull ^ arch_cycles(), __ATOMIC_RELAXED);
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

void cpu_init(void)
{
	static const enum cpu_feature shown[] = {
		X86_FEATURE_NX,	     X86_FEATURE_PDPE1GB, X86_FEATURE_PGE,    X86_FEATURE_PCID,
		X86_FEATURE_INVPCID, X86_FEATURE_LA57,	  X86_FEATURE_X2APIC,
	};
	struct cpuinfo_x86 *c = &boot_cpu_data;

	if (!detected)
		cpu_detect();
	/* Global pages survive CR3 reloads; harmless until page tables use the G bit. */
	if (cpu_has(X86_FEATURE_PGE))
		write_cr4(read_cr4() | X86_CR4_PGE);

	pr_info("cpu: %s family 0x%x model 0x%x stepping %u: %s\n", c->vendor, c->family, c->model,
		c->stepping, c->brand[0] ? c->brand : "(no brand string)");
	pr_info("cpu: address bits: %u physical, %u virtual\n", c->phys_bits, c->virt_bits);
	pr_info("cpu:");
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		pr_cont(" %s:%s", cpu_feature_name(shown[i]), cpu_has(shown[i]) ? "yes" : "no");
	pr_cont("\n");
}
