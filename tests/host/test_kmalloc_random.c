/*
 * test_kmalloc_random.c - a randomized test of kmalloc and the object caches
 * against a reference model, under ASan and UBSan: 1,000,000 operations
 * (allocate, free, krealloc, ksize) on 4096 slots, with sizes from 1 byte to
 * 256 KiB, through kmalloc/kzalloc/kcalloc and three caches (one with a
 * constructor), hopping between four CPUs so that objects are often freed on
 * another CPU than the one that allocated them.
 *
 * The model is the list of live slots (pointer, size, pattern seed). Every
 * object is filled with its own pattern, so any overlap or stray write shows
 * up when the slot is verified (on every operation that touches it, and all
 * of them every 100,000 operations). At those points the allocator's own
 * counts are compared with the model: after draining the per-CPU arrays,
 * every cache's objects in use must equal the model's live objects of that
 * cache (plus the per-CPU arrays' own memory, for the kmalloc classes), and
 * NR_KMALLOC_LARGE the pages of the model's large objects. At the end
 * everything is freed and the free page count must be back where it started.
 *
 * The seed is fixed (reproducible); RANDOM_SEED in the environment overrides it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLAB_WORLD_RAM (512ULL << 20)
#include "tests/host/slab_host_world.h"

#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/vmstat.h"

#define OPS	    1000000
#define SLOTS	    4096
#define CHECK_EVERY 100000
#define CPU_HOP	    997
#define NR_TCACHES  3

enum kind { K_KMALLOC, K_CACHE0 };

struct slot {
	uint8_t *p;
	size_t size;
	uint64_t seed;
	unsigned kind; /* K_KMALLOC or K_CACHE0 + cache index */
	/* kmalloc: where the model says the object lives: a class, or large pages. */
	size_t home_class, home_pages;
};

static struct slot slots[SLOTS];
static struct kmem_cache *tcache[NR_TCACHES];
static const size_t tcache_size[NR_TCACHES] = { 24, 200, 1500 };
static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_size(void)
{
	unsigned r = (unsigned)(rnd() % 1000);
	if (r < 600)
		return 1 + rnd() % 256;
	if (r < 850)
		return 257 + rnd() % (2048 - 256);
	if (r < 970)
		return 2049 + rnd() % (8192 - 2048);
	if (r < 995)
		return 8193 + rnd() % (32768 - 8192);
	return 32769 + rnd() % (262144 - 32768);
}

static uint64_t pattern_word(uint64_t seed, size_t i)
{
	return (seed ^ (i * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
}

/* Fill/verify size bytes: 8-byte words, then the tail bytes. */
static void fill(uint8_t *p, size_t size, uint64_t seed)
{
	size_t words = size / 8;
	for (size_t i = 0; i < words; i++) {
		uint64_t w = pattern_word(seed, i);
		memcpy(p + i * 8, &w, 8);
	}
	uint64_t w = pattern_word(seed, words);
	memcpy(p + words * 8, &w, size % 8);
}

static bool verify(const uint8_t *p, size_t size, uint64_t seed)
{
	size_t words = size / 8;
	for (size_t i = 0; i < words; i++) {
		uint64_t w = pattern_word(seed, i), v;
		memcpy(&v, p + i * 8, 8);
		if (v != w)
			return false;
	}
	uint64_t w = pattern_word(seed, words);
	return memcmp(p + words * 8, &w, size % 8) == 0;
}

static void tcache_ctor(void *p)
{
	memset(p, 0x5c, 200);
}

static size_t large_pages(size_t size)
{
	size_t pages = 1;
	while (pages * PAGE_SIZE < size)
		pages *= 2;
	return pages;
}

/* The model's view of the allocator's counts, compared after draining. */
static unsigned compare_counts(struct ktest *t)
{
	unsigned long want_large = 0;
	static unsigned long want[KMALLOC_MAX_CACHE_SIZE + 1];
	unsigned long want_cache[NR_TCACHES] = { 0 };
	unsigned bad = 0;
	struct kmem_cache *c;

	memset(want, 0, sizeof(want));
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct slot *s = &slots[i];
		if (!s->p)
			continue;
		if (s->kind != K_KMALLOC)
			want_cache[s->kind - K_CACHE0]++;
		else if (s->home_pages)
			want_large += s->home_pages;
		else
			want[s->home_class]++;
	}
	kmem_cache_drain_all();
	/* The per-CPU arrays themselves are kmalloc objects. */
	list_for_each_entry(c, &slab_caches,
			    list) for (unsigned cpu = 0; cpu < NR_CPUS;
				       cpu++) if (c->cpu_cache[cpu] != &slab_empty_ac)
		want[kmalloc_cache_for(sizeof(struct array_cache) + (c->limit + 1) * sizeof(void *))
			     ->object_size]++;
	for (unsigned k = 0; k < NR_TCACHES; k++)
		if (tcache[k]->inuse_objects != want_cache[k]) {
			ktest_log(t, "cache %s: %lu objects in use, model says %lu",
				  tcache[k]->name, tcache[k]->inuse_objects, want_cache[k]);
			bad++;
		}
	for (unsigned i = 0; i < kmalloc_nr_classes(); i++) {
		struct kmem_cache *kc = kmalloc_cache_for(kmalloc_class_size(i));
		if (kc->inuse_objects != want[kc->object_size]) {
			ktest_log(t, "cache %s: %lu objects in use, model says %lu", kc->name,
				  kc->inuse_objects, want[kc->object_size]);
			bad++;
		}
	}
	if ((unsigned long)read_vm_stat(NR_KMALLOC_LARGE) != want_large) {
		ktest_log(t, "NR_KMALLOC_LARGE %ld, model says %lu", read_vm_stat(NR_KMALLOC_LARGE),
			  want_large);
		bad++;
	}
	return bad;
}

/* Where a fresh kmalloc of size bytes lives, by the rules (not by asking the allocator). */
static void set_home(struct slot *s, size_t size)
{
	s->home_pages = size > KMALLOC_MAX_CACHE_SIZE ? large_pages(size) : 0;
	s->home_class = size > KMALLOC_MAX_CACHE_SIZE ? 0 : kmalloc_cache_for(size)->object_size;
}

static void free_slot(struct slot *s)
{
	if (s->kind == 1 + K_CACHE0)
		tcache_ctor(s->p); /* objects go back in their constructed state */
	if (s->kind != K_KMALLOC && (rnd() & 1))
		kmem_cache_free(tcache[s->kind - K_CACHE0], s->p);
	else
		kfree(s->p); /* kfree takes cache objects too */
	s->p = NULL;
}

static void kmalloc_random_against_model(struct ktest *t)
{
	const char *env = getenv("RANDOM_SEED");
	rng_state = env ? strtoull(env, NULL, 0) : 0x5eed5eed12345678ull;
	if (!rng_state)
		rng_state = 1;
	ktest_log(t, "seed %#llx, %u operations on %u slots", (unsigned long long)rng_state, OPS,
		  SLOTS);

	for (unsigned k = 0; k < NR_TCACHES; k++) {
		tcache[k] = kmem_cache_create(k == 0   ? "rnd_small"
					      : k == 1 ? "rnd_ctor"
						       : "rnd_hw",
					      tcache_size[k], 0, k == 2 ? SLAB_HWCACHE_ALIGN : 0,
					      k == 1 ? tcache_ctor : NULL);
		KASSERT_NOT_NULL(t, tcache[k]);
	}
	/* Give every CPU its arrays for every kmalloc class now, so the page count settles. */
	for (unsigned cpu = 0; cpu < SLAB_WORLD_CPUS; cpu++) {
		host_set_cpu(cpu);
		for (unsigned i = 0; i < kmalloc_nr_classes(); i++)
			kfree(kmalloc(kmalloc_class_size(i), GFP_KERNEL));
	}
	host_set_cpu(0);
	slab_reclaim();
	drain_all_pages();
	unsigned long free_before = nr_free_pages();
	unsigned long reports_before = slab_report_count();
	long large_before = read_vm_stat(NR_KMALLOC_LARGE);
	KASSERT_EQ(t, large_before, 0l);

	unsigned long bad_pattern = 0, bad_ksize = 0, bad_zero = 0, failed = 0, bad_ctor = 0;
	unsigned long n_alloc = 0, n_free = 0, n_realloc = 0, n_ksize = 0;
	for (unsigned op = 1; op <= OPS; op++) {
		struct slot *s = &slots[rnd() % SLOTS];
		if (op % CPU_HOP == 0)
			host_set_cpu((unsigned)(rnd() % SLAB_WORLD_CPUS));

		if (!s->p) {
			unsigned how = (unsigned)(rnd() % 100);
			s->seed = rnd();
			if (how < 20) {
				unsigned k = (unsigned)(rnd() % NR_TCACHES);
				s->kind = K_CACHE0 + k;
				s->size = tcache_size[k];
				s->p = kmem_cache_alloc(tcache[k], GFP_KERNEL);
				if (s->p && k == 1)
					for (size_t i = 0; i < 200; i++)
						bad_ctor += s->p[i] != 0x5c;
			} else {
				s->kind = K_KMALLOC;
				s->size = rnd_size();
				if (how < 28) {
					s->p = kzalloc(s->size, GFP_KERNEL);
				} else if (how < 32) {
					size_t n = 1 + s->size / 16;
					s->size = n * 16;
					s->p = kcalloc(n, 16, GFP_KERNEL);
				} else {
					s->p = kmalloc(s->size, GFP_KERNEL);
					how = 100;
				}
				if (s->p && how < 32)
					for (size_t i = 0; i < s->size; i++)
						if (s->p[i]) {
							bad_zero++;
							break;
						}
			}
			if (!s->p) {
				failed++;
				continue;
			}
			if (s->kind == K_KMALLOC)
				set_home(s, s->size);
			n_alloc++;
			fill(s->p, s->size, s->seed);
			continue;
		}

		if (!verify(s->p, s->size, s->seed))
			bad_pattern++;
		unsigned what = (unsigned)(rnd() % 100);
		if (what < 55) {
			free_slot(s);
			n_free++;
		} else if (what < 85 && s->kind == K_KMALLOC) {
			size_t nsize = rnd_size();
			uint8_t *n = krealloc(s->p, nsize, GFP_KERNEL);
			if (!n) {
				failed++;
				continue;
			}
			if (!verify(n, MIN(nsize, s->size), s->seed))
				bad_pattern++;
			if (n != s->p)
				set_home(s, nsize); /* moved; in place keeps the old home */
			s->p = n;
			s->size = nsize;
			s->seed = rnd();
			fill(s->p, s->size, s->seed);
			n_realloc++;
		} else {
			size_t ks = ksize(s->p);
			bad_ksize += ks < s->size;
			if (s->kind == K_KMALLOC)
				bad_ksize += ks != (s->home_pages ? s->home_pages * PAGE_SIZE
								  : s->home_class);
			n_ksize++;
		}

		if (op % CHECK_EVERY == 0) {
			for (unsigned i = 0; i < SLOTS; i++)
				if (slots[i].p && !verify(slots[i].p, slots[i].size, slots[i].seed))
					bad_pattern++;
			KEXPECT_EQ(t, compare_counts(t), 0u);
			KEXPECT_EQ(t, slab_check(), 0u);
			if ((op / CHECK_EVERY) % 3 == 0)
				for (unsigned k = 0; k < NR_TCACHES; k++)
					kmem_cache_shrink(tcache[k]);
		}
	}
	ktest_log(t, "%lu allocations, %lu frees, %lu kreallocs, %lu ksize checks", n_alloc, n_free,
		  n_realloc, n_ksize);
	KEXPECT_EQ(t, bad_pattern, 0ul);
	KEXPECT_EQ(t, bad_ksize, 0ul);
	KEXPECT_EQ(t, bad_zero, 0ul);
	KEXPECT_EQ(t, bad_ctor, 0ul);
	KEXPECT_EQ(t, failed, 0ul);
	KEXPECT_EQ(t, slab_report_count(), reports_before);

	/* Everything back. */
	host_set_cpu(0);
	for (unsigned i = 0; i < SLOTS; i++)
		if (slots[i].p)
			free_slot(&slots[i]);
	KEXPECT_EQ(t, compare_counts(t), 0u);
	for (unsigned k = 0; k < NR_TCACHES; k++) {
		kmem_cache_shrink(tcache[k]);
		KEXPECT_EQ(t, tcache[k]->total_pages, 0ul);
		kmem_cache_destroy(tcache[k]);
	}
	KEXPECT_EQ(t, slab_report_count(), reports_before);
	KEXPECT_EQ(t, read_vm_stat(NR_KMALLOC_LARGE), 0l);
	slab_reclaim();
	drain_all_pages();
	KEXPECT_EQ(t, nr_free_pages(), free_before);
	KEXPECT_EQ(t, buddy_check(), 0u);
}

static struct ktest_case kmalloc_random_cases[] = {
	KTEST_CASE(kmalloc_random_against_model),
	{},
};
KTEST_SUITE(kmalloc_random, kmalloc_random_cases, .init = slab_host_world_init);
