/*
 * slab_host_world.h - the hosted world the slab and kmalloc host tests run
 * in: fake RAM (host_ram_init), memblock's view of it (RAM from 1 MiB up,
 * the first MiB reserved as on a PC), the buddy allocator, then kmem_cache_init, as
 * mm_init does in the kernel. Built once per program, by the first suite's
 * init (the slab allocator has no reset: its caches live as long as the
 * process).
 *
 * Define SLAB_WORLD_RAM (bytes) and SLAB_WORLD_DEBUG (0/1) before including.
 * The allocators fuzzers (tests/fuzz/fuzz_allocators.c) boot the same world
 * with slab_host_world_boot.
 */
#ifndef TESTS_HOST_SLAB_HOST_WORLD_H
#define TESTS_HOST_SLAB_HOST_WORLD_H

#include "kernel/arch.h"
#include "kernel/ktest.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"

#ifndef SLAB_WORLD_RAM
#define SLAB_WORLD_RAM (256ULL << 20)
#endif
#ifndef SLAB_WORLD_DEBUG
#define SLAB_WORLD_DEBUG 0
#endif
#define SLAB_WORLD_CPUS 4

/* Build the world (once per process: see the top); the boot report is kept off stderr. */
static inline void slab_host_world_boot(void)
{
	bool echo = host_printk_echo;

	host_printk_echo = false;
	nr_cpu_ids = SLAB_WORLD_CPUS;
	host_set_cpu(0);
	host_ram_init(SLAB_WORLD_RAM);
	memblock_reset();
	memblock_add(1 << 20, SLAB_WORLD_RAM - (1 << 20));
	memblock_reserve(0, 1 << 20, "first 1 MiB");
	page_alloc_init();
	slab_debug_enabled = SLAB_WORLD_DEBUG;
	kmem_cache_init();
	host_printk_echo = echo;
}

/* A suite's init: the world, built by the first suite that asks. */
static inline int slab_host_world_init(struct ktest *t)
{
	static bool up;
	(void)t;
	if (!up) {
		host_printk_echo = true;
		slab_host_world_boot();
		up = true;
	}
	return 0;
}

#endif
