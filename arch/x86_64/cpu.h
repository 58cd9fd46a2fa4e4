/*
 * cpu.h - what the CPU can do, from CPUID, detected once on the boot CPU.
 *
 * cpu_has(X86_FEATURE_x) is the one question other code asks (paging asks
 * for pdpe1gb, nx and pge before using 1 GiB pages, the NX bit and global
 * pages). Detection runs on first use, so cpu_has is valid from the first
 * instruction of kernel_main.
 */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include "kernel/compiler.h"

enum cpu_feature {
	X86_FEATURE_TSC,	   /* CPUID 1 EDX[4]: time stamp counter */
	X86_FEATURE_APIC,	   /* CPUID 1 EDX[9]: local APIC */
	X86_FEATURE_PGE,	   /* CPUID 1 EDX[13]: global pages (CR4.PGE) */
	X86_FEATURE_PAT,	   /* CPUID 1 EDX[16]: page attribute table */
	X86_FEATURE_PCID,	   /* CPUID 1 ECX[17]: process-context identifiers */
	X86_FEATURE_X2APIC,	   /* CPUID 1 ECX[21] */
	X86_FEATURE_TSC_DEADLINE,  /* CPUID 1 ECX[24]: APIC timer TSC-deadline mode */
	X86_FEATURE_RDRAND,	   /* CPUID 1 ECX[30] */
	X86_FEATURE_HYPERVISOR,	   /* CPUID 1 ECX[31]: running under a hypervisor */
	X86_FEATURE_FSGSBASE,	   /* CPUID 7 EBX[0] */
	X86_FEATURE_SMEP,	   /* CPUID 7 EBX[7] */
	X86_FEATURE_INVPCID,	   /* CPUID 7 EBX[10] */
	X86_FEATURE_SMAP,	   /* CPUID 7 EBX[20] */
	X86_FEATURE_LA57,	   /* CPUID 7 ECX[16]: 5-level paging */
	X86_FEATURE_NX,		   /* CPUID 0x80000001 EDX[20]: no-execute bit */
	X86_FEATURE_PDPE1GB,	   /* CPUID 0x80000001 EDX[26]: 1 GiB pages */
	X86_FEATURE_RDTSCP,	   /* CPUID 0x80000001 EDX[27] */
	X86_FEATURE_LM,		   /* CPUID 0x80000001 EDX[29]: long mode */
	X86_FEATURE_INVARIANT_TSC, /* CPUID 0x80000007 EDX[8]: constant-rate TSC */
	NR_X86_FEATURES
};

struct cpuinfo_x86 {
	char vendor[13]; /* "GenuineIntel", "AuthenticAMD", ... */
	char brand[49];	 /* CPUID 0x80000002-4, leading spaces removed; "" when absent */
	unsigned family, model, stepping;
	unsigned max_leaf, max_ext_leaf;
	unsigned phys_bits, virt_bits; /* CPUID 0x80000008 (36/48 when absent) */
	uint64_t features;	       /* bit n = enum cpu_feature n */
};

extern struct cpuinfo_x86 boot_cpu_data;

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			       uint32_t *d)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

/* Does the (boot) CPU have feature f? */
bool cpu_has(enum cpu_feature f);

/* The feature's name as /proc/cpuinfo spells it ("nx", "pdpe1gb", ...). */
const char *cpu_feature_name(enum cpu_feature f);

/* Detect (if not yet done), enable CR4.PGE when available, print the CPU report. */
void cpu_init(void);

#endif
