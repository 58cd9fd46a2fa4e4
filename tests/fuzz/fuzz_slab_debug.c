/*
 * fuzz_slab_debug.c - libFuzzer harness for slab_debug mode (mm/slab_debug.c):
 * the allocators fuzzer's programs and model in a world booted with
 * slab_debug, where every cache, kmalloc's included, poisons, red-zones and
 * tracks its objects and has no per-CPU layer; plus the corruptions
 * slab_debug exists to catch, each of which must be reported exactly as
 * slab_debug.c's comments promise.
 *
 * Mechanism: this file defines FUZZ_SLAB_DEBUG and includes
 * fuzz_allocators.c, so one program decoder and one model serve both modes
 * (a second copy would drift; a header of 1,000 lines shared by two harnesses
 * would hide the allocators fuzzer from its own reader). fuzz_allocators.c
 * then boots with slab_debug_enabled, adds opcode 16 below (opcodes are
 * taken % 17) and calls the dbg_* hooks defined here where an object is
 * handed out, freed, resized or checked; in its own build they do nothing.
 *
 * Opcode 16, corrupt k i n s b...: len = 1 + n % 32, then len bytes b (the
 * bytes written; missing ones read as 0) unless k % 4 = 3. Each write lies
 * in a range [lo, hi) of offsets from the object's start, s % (hi - lo -
 * len + 1) bytes away from the edge next to the object, or with k bit 3
 * from the other edge (so that both edges of every range are one byte of
 * input away: that is where off-by-one checks miss):
 *   k % 4 = 0  past the end of live slab object i % count, into its right
 *              red zone: [size, end of the right red zone), for kmalloc the
 *              slack between the size asked and the class first;
 *   k % 4 = 1  before it, into its left red zone: [-16, 0);
 *   k % 4 = 2  use after free: free live slab object i (kfree, or with k bit
 *              2 kmem_cache_free for a cache's), then write into it:
 *              [0, usable), [8, usable) in a cache with a constructor, whose
 *              first 8 bytes the model checks. Only when another live
 *              object of the model shares its slab: that one is then kept
 *              (the program's frees and kreallocs of it do nothing) until
 *              the freed object is handed out again, so the slab is not
 *              given back first (that would report the write too, see
 *              slab_debug_on_release, but at a moment this model does not
 *              follow: it predicts the report of the hand-out);
 *   k % 4 = 3  allocate from the cache of pending use after free i % count
 *              until that object comes back (partial slabs are used before
 *              a new one is grown: slab_internal.h, cache_take), then free
 *              what was taken.
 * Large kmalloc objects are whole pages, with no red zone: never chosen.
 *
 * The model of slab_debug.c's contract (its top comment and its code's
 * messages), kept for each object the program corrupted (up to 8, up to 4
 * writes each: the bytes written, so every prediction is computed from
 * what the program did, not read back from memory):
 *   - a live object's red zones hold 0xcc; its free reports the first
 *     overwritten byte of the left zone, else of the right one ("left/right
 *     red zone overwritten while allocated (byte at offset ...)"), and,
 *     separately, the first overwritten byte of kmalloc's slack ("kmalloc
 *     red zone overwritten: wrote byte ..."): one report per damaged check,
 *     so an overflow through the slack into the red zone makes two. ksize
 *     and krealloc in place first report the slack's damage, then move the
 *     slack's start (ksize: the whole class is the caller's; krealloc
 *     red-zones the slack anew): the writes below the class size are then
 *     no longer damage;
 *   - a freed object holds 0x6b and a last byte of 0xa5 (not in caches
 *     with a constructor, which are never poisoned: a write there is never
 *     reported); the allocation that hands it out again reports the first
 *     overwritten byte ("use after free: poison overwritten at offset ...");
 *   - slab_check finds one problem per corrupted object not caught yet,
 *     naming the first damage as above (red zones before the slack);
 *   - each report names the cache and object, and the owner line its state
 *     and the allocating CPU (and for a free object the freeing one);
 *   - double frees (the second free right after the first, from
 *     fuzz_allocators.c) report "double free", or a pointer "not in a slab
 *     page" when the first free gave the slab back; the other bad frees
 *     are checked in fuzz_allocators.c (expect_log).
 * At the end of each input the freed objects still pending are got back as
 * with k % 4 = 3 (and so reported) before everything is freed.
 *
 * Checks, beyond all of fuzz_allocators.c's (among them: after every
 * operation the report count is the model's): each report above is in the
 * operation's printk log; after a corruption is caught, slab_check finds exactly what
 * is still pending and no cache lost an object; every object handed out
 * has its red zones (and kmalloc slack) at 0xcc and a record saying
 * allocated on this CPU; every object freed while its slab stays has red
 * zones at 0xbb, its poison, and a record saying freed on this CPU; every
 * cache is a debug cache, poisoned unless it has a constructor, without
 * per-CPU arrays, with the layout of slab_debug_layout.
 */
#define FUZZ_SLAB_DEBUG 1
#include "tests/fuzz/fuzz_allocators.c"

/*
 * slab_debug.c's patterns, as its top comment documents them, and the width
 * of the left red zone (SLAB_RZ_SIZE, slab_internal.h: the right one runs
 * from the object's end to 8-byte alignment plus as much).
 */
#define RED_ACTIVE   0xcc
#define RED_INACTIVE 0xbb
#define POISON_FREE  0x6b
#define POISON_END   0xa5
#define RZ	     16

#define MAX_MARKED 8
#define MAX_WRITES 4
#define MAX_WRITE  32
#define MAX_TEMP   65536

/* Bytes the program wrote at off (from the object's start; negative: in front of it). */
struct write {
	long off;
	unsigned len;
	uint8_t b[MAX_WRITE];
};

/* An object the program corrupted, not caught yet. */
struct marked {
	uint8_t *p;
	struct kmem_cache *c;
	size_t usable;
	bool freed;		      /* a use after free, else a live object's red zones */
	uint8_t *pin;		      /* freed: the live object that keeps its slab */
	unsigned alloc_cpu, free_cpu; /* what its owner line must say */
	unsigned nw;
	struct write w[MAX_WRITES];
};

static struct marked marks[MAX_MARKED];
static unsigned nmarks;
static bool caught; /* a corruption was reported during this operation */
static uint8_t *temp[MAX_TEMP];

/* The end of the right red zone: slab_debug_layout's [object][right red zone][free pointer]. */
static long rz_end(size_t usable)
{
	return (long)ALIGN_UP(usable, (size_t)8) + RZ;
}

static struct marked *mark_of(const uint8_t *p)
{
	for (unsigned i = 0; i < nmarks; i++)
		if (marks[i].p == p)
			return &marks[i];
	return NULL;
}

static void unmark(struct marked *m)
{
	*m = marks[--nmarks];
}

static const struct obj *live_obj(const uint8_t *p)
{
	for (unsigned i = 0; i < nobjs; i++)
		if (objs[i].p == p)
			return &objs[i];
	fuzz_fail(__FILE__, __LINE__, "live_obj", "the model lost live object %p", (void *)p);
}

/* What slab_debug expects at off: red zone pattern v, or the poison of a free object. */
static uint8_t expected_byte(const struct marked *m, long off, int v)
{
	if (v >= 0)
		return (uint8_t)v;
	return off == (long)m->usable - 1 ? POISON_END : POISON_FREE;
}

struct damage {
	bool found;
	long off;    /* the first byte that differs */
	uint8_t got; /* what it holds */
};

/* The first byte of [lo, hi) the program's writes (the last one wins) left unlike v (-1: poison). */
static struct damage first_damage(const struct marked *m, long lo, long hi, int v)
{
	struct damage d = { false, 0, 0 };
	for (unsigned i = 0; i < m->nw; i++) {
		for (unsigned j = 0; j < m->w[i].len; j++) {
			long off = m->w[i].off + (long)j;
			if (off < lo || off >= hi || (d.found && off >= d.off))
				continue;
			uint8_t b = m->w[i].b[j];
			for (unsigned k = i + 1; k < m->nw; k++)
				if (off >= m->w[k].off && off < m->w[k].off + (long)m->w[k].len)
					b = m->w[k].b[off - m->w[k].off];
			if (b != expected_byte(m, off, v))
				d = (struct damage){ true, off, b };
		}
	}
	return d;
}

/* slab_debug.c's messages, worded as it words them; false when there is nothing to report. */
static bool redzone_msg(const struct marked *m, char *msg, size_t len)
{
	struct damage d = first_damage(m, -RZ, 0, RED_ACTIVE);
	if (d.found) {
		ksnprintf(msg, len,
			  "left red zone overwritten while allocated (byte at offset -%zu is %#x, "
			  "expected %#x): buffer underflow",
			  (size_t)-d.off, (unsigned)d.got, RED_ACTIVE);
		return true;
	}
	d = first_damage(m, (long)m->usable, rz_end(m->usable), RED_ACTIVE);
	if (d.found) {
		ksnprintf(msg, len,
			  "right red zone overwritten while allocated (byte at offset %zu is %#x, "
			  "expected %#x): buffer overflow",
			  (size_t)d.off, (unsigned)d.got, RED_ACTIVE);
		return true;
	}
	return false;
}

/* kmalloc's slack: [req, usable), red-zoned while the object is live. */
static bool slack_msg(const struct marked *m, size_t req, char *msg, size_t len)
{
	struct damage d = first_damage(m, (long)req, (long)m->usable, RED_ACTIVE);
	if (!d.found)
		return false;
	ksnprintf(msg, len,
		  "kmalloc red zone overwritten: wrote byte %zu of a %u-byte request (class %u): "
		  "buffer overflow",
		  (size_t)d.off, (unsigned)req, (unsigned)m->usable);
	return true;
}

static bool poison_msg(const struct marked *m, char *msg, size_t len)
{
	struct damage d = first_damage(m, 0, (long)m->usable, -1);
	if (!d.found)
		return false;
	ksnprintf(msg, len, "use after free: poison overwritten at offset %zu (%#x) of %u bytes",
		  (size_t)d.off, (unsigned)d.got, (unsigned)m->usable);
	return true;
}

/* The one problem slab_check finds in m (it stops at an object's first), or false. */
static bool check_msg(const struct marked *m, char *msg, size_t len)
{
	if (m->freed)
		return poison_msg(m, msg, len);
	return redzone_msg(m, msg, len) || slack_msg(m, live_obj(m->p)->size, msg, len);
}

/*
 * The owner line slab_report prints after a report about p: its state, the
 * allocating CPU, and (free_cpu >= 0) the freeing one, which ends the line.
 */
static void expect_owner(const uint8_t *p, size_t usable, const char *state, unsigned alloc_cpu,
			 int free_cpu)
{
	char head[128], line[512], want[64];
	ksnprintf(head, sizeof(head), "  object %p (%u bytes): %s; allocated by ", p,
		  (unsigned)usable, state);
	const char *at = strstr(host_printk_log(), head);
	CHECK(at, "no owner line \"%s\" after the report", head);
	size_t n = strcspn(at, "\n");
	ksnprintf(line, sizeof(line), "%.*s", (int)MIN(n, sizeof(line) - 1), at);
	ksnprintf(want, sizeof(want), " on cpu %u; last freed by ", alloc_cpu);
	CHECK(strstr(line, want), "owner line \"%s\": allocated on cpu %u", line, alloc_cpu);
	if (free_cpu < 0)
		return;
	ksnprintf(want, sizeof(want), " on cpu %d", free_cpu);
	CHECK(strlen(line) >= strlen(want) && !strcmp(line + strlen(line) - strlen(want), want),
	      "owner line \"%s\": last freed on cpu %d", line, free_cpu);
}

/* [lo, hi) of p all hold v. */
static bool all_are(const uint8_t *p, long lo, long hi, uint8_t v)
{
	for (long i = lo; i < hi; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- the hooks fuzz_allocators.c calls ---- */

static void dbg_handed_out(uint8_t *p, size_t size, size_t usable)
{
	struct marked *m = mark_of(p);
	char msg[200];
	if (m) {
		CHECK(m->freed, "an allocation returned %p, which is live", (void *)p);
		if (poison_msg(m, msg, sizeof(msg))) {
			reports_expected++;
			caught = true;
			expect_log("slab: %s: cache %s, object %p", msg, m->c->name, p);
			expect_owner(p, m->usable, "free", m->alloc_cpu, (int)m->free_cpu);
		}
		unmark(m);
	}
	const struct page *slab = virt_to_slab(p);
	CHECK(slab, "allocated object %p is not in a slab", (void *)p);
	const struct kmem_cache *c = slab->slab_cache;
	const struct slab_track *t = slab_track_of(c, p);
	CHECK(all_are(p, -RZ, 0, RED_ACTIVE) &&
		      all_are(p, (long)usable, rz_end(usable), RED_ACTIVE),
	      "allocated object %p (%s, %zu bytes): red zones not %#x", (void *)p, c->name, usable,
	      RED_ACTIVE);
	CHECK(all_are(p, (long)size, (long)usable, RED_ACTIVE),
	      "kmalloc(%zu) object %p: the slack up to %zu is not red-zoned", size, (void *)p,
	      usable);
	CHECK(t->state == SLAB_STATE_ALLOC && t->alloc_cpu == cur_cpu,
	      "allocated object %p: record says state %#x, cpu %u (on cpu %u)", (void *)p, t->state,
	      t->alloc_cpu, cur_cpu);
}

static unsigned dbg_freed(const struct obj *o)
{
	if (o->tag)
		return 0; /* whole pages: not a slab object */
	const struct kmem_cache *c = obj_cache(o);
	struct marked *m = mark_of(o->p);
	unsigned n = 0;
	char msg[200];
	if (m) {
		CHECK(!m->freed, "freed %p, which the model has free already", (void *)o->p);
		if (redzone_msg(m, msg, sizeof(msg))) {
			n++;
			expect_log("slab: %s: cache %s, object %p", msg, c->name, o->p);
		}
		if (slack_msg(m, o->size, msg, sizeof(msg))) {
			n++;
			expect_log("slab: %s: cache %s, object %p", msg, c->name, o->p);
		}
		if (n)
			expect_owner(o->p, o->usable, "allocated", o->cpu, -1);
		unmark(m);
		reports_expected += n;
		caught |= n > 0;
	}
	/* What slab_debug.c promises of a free object, as long as its slab stays. */
	const struct page *slab = virt_to_slab(o->p);
	if (!slab || slab->slab_cache != c)
		return n;
	const struct slab_track *t = slab_track_of(c, o->p);
	CHECK(all_are(o->p, -RZ, 0, RED_INACTIVE) &&
		      all_are(o->p, (long)o->usable, rz_end(o->usable), RED_INACTIVE),
	      "freed object %p (%s): red zones not %#x", (void *)o->p, c->name, RED_INACTIVE);
	if (!c->ctor)
		CHECK(all_are(o->p, 0, (long)o->usable - 1, POISON_FREE) &&
			      o->p[o->usable - 1] == POISON_END,
		      "freed object %p (%s, %zu bytes) is not poisoned", (void *)o->p, c->name,
		      o->usable);
	CHECK(t->state == SLAB_STATE_FREE && t->free_cpu == cur_cpu,
	      "freed object %p: record says state %#x, freed on cpu %u (on cpu %u)", (void *)o->p,
	      t->state, t->free_cpu, cur_cpu);
	return n;
}

static void dbg_double_freed(const struct obj *o)
{
	const struct page *slab = o->tag ? NULL : virt_to_slab(o->p);
	if (slab && slab->slab_cache == obj_cache(o)) {
		expect_log("slab: double free: cache %s, object %p", obj_cache(o)->name, o->p);
		expect_owner(o->p, o->usable, "free", o->cpu, (int)cur_cpu);
	} else {
		/* The first free gave the slab (or the large block) back. */
		expect_log("bad pointer %p: not in a slab page", o->p);
	}
}

/*
 * ksize or an in-place krealloc of kmalloc object o, whose request was
 * old_size: damage to the slack [old_size, class) is reported first (once,
 * its first bad byte); then the slack starts at o->size or at the class
 * size and is red-zoned anew: earlier writes below the class size are no
 * longer damage.
 */
static void dbg_rezoned(const struct obj *o, size_t old_size)
{
	struct marked *m = mark_of(o->p);
	char msg[200];
	if (!m)
		return;
	if (!m->freed && o->cache < 0 && slack_msg(m, old_size, msg, sizeof(msg))) {
		reports_expected++;
		caught = true;
		expect_log("slab: %s: cache %s, object %p", msg, m->c->name, o->p);
		expect_owner(o->p, o->usable, "allocated", o->cpu, -1);
	}
	unsigned k = 0;
	for (unsigned i = 0; i < m->nw; i++) {
		struct write w = m->w[i];
		long cut = (long)o->usable - w.off; /* bytes of it below the class size */
		if (w.off >= 0 && cut >= (long)w.len)
			continue;
		if (w.off >= 0 && cut > 0) {
			memmove(w.b, w.b + cut, w.len - (unsigned)cut);
			w.off += cut;
			w.len -= (unsigned)cut;
		}
		m->w[k++] = w;
	}
	m->nw = k;
	if (!k)
		unmark(m);
}

static bool dbg_pinned(const struct obj *o)
{
	for (unsigned i = 0; i < nmarks; i++)
		if (marks[i].freed && marks[i].pin == o->p)
			return true;
	return false;
}

static unsigned dbg_check_expected(void)
{
	unsigned n = 0;
	char msg[200];
	for (unsigned i = 0; i < nmarks; i++)
		n += check_msg(&marks[i], msg, sizeof(msg));
	return n;
}

/* slab_debug mode as slab_debug.c describes it, for one cache. */
static void check_debug_cache(const struct kmem_cache *c, bool ctor)
{
	CHECK((c->flags & SLAB_DEBUG) && !(c->flags & SLAB_POISON) == ctor,
	      "cache %s: flags %#lx (debug, poisoned unless it has a constructor)", c->name,
	      c->flags);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		CHECK(c->cpu_cache[cpu] == &slab_empty_ac, "cache %s has a per-CPU array on CPU %u",
		      c->name, cpu);
	CHECK(c->fp_offset == (unsigned)rz_end(c->object_size) && c->obj_offset >= RZ,
	      "cache %s: right red zone ends at %u, first object at %u (object %u bytes)", c->name,
	      c->fp_offset, c->obj_offset, c->object_size);
	CHECK(c->lost_objects == 0, "cache %s lost %lu objects", c->name, c->lost_objects);
}

static void dbg_check_reported(void)
{
	char msg[200];
	for (unsigned i = 0; i < nmarks; i++)
		if (check_msg(&marks[i], msg, sizeof(msg)))
			expect_log("slab_check: cache %s: object %p: %s", marks[i].c->name,
				   marks[i].p, msg);
	for (unsigned i = 0; i < kmalloc_nr_classes(); i++)
		check_debug_cache(kmalloc_cache_for(kmalloc_class_size(i)), false);
	for (unsigned i = 0; i < ncaches; i++)
		check_debug_cache(caches[i].c, caches[i].ctor);
}

/*
 * After an operation in which a corruption was caught: the structures are
 * consistent again (slab_check finds only what is still pending, nothing
 * was dropped), and the caches are still what slab_debug makes them.
 */
static void dbg_after_op(void)
{
	if (!caught)
		return;
	caught = false;
	unsigned problems = slab_check(), expected = dbg_check_expected();
	CHECK(problems == expected,
	      "after a corruption was reported slab_check finds %u problems, the model %u",
	      problems, expected);
	dbg_check_reported();
}

/* Allocate from m's cache until its object comes back (reported then), and free what was taken. */
static void flush(struct marked *m)
{
	uint8_t *p = m->p;
	struct kmem_cache *c = m->c;
	size_t usable = m->usable;
	unsigned long grown = c->grown;
	const struct fcache *fc = NULL;
	unsigned n = 0;

	for (unsigned i = 0; i < ncaches; i++)
		if (caches[i].c == c)
			fc = &caches[i];
	CHECK(fc || kmalloc_cache_for(usable) == c, "cache %s of %p is no cache of the model",
	      c->name, (void *)p);
	for (;;) {
		uint8_t *q = fc ? kmem_cache_alloc(c, GFP_KERNEL) : kmalloc(usable, GFP_KERNEL);
		CHECK(q, "allocating from %s to get %p back failed", c->name, (void *)p);
		dbg_handed_out(q, usable, usable);
		temp[n++] = q;
		if (q == p)
			break;
		CHECK(c->grown == grown && n < MAX_TEMP,
		      "cache %s grew a slab (or gave %u objects) before handing out free object %p",
		      c->name, n, (void *)p);
	}
	while (n) {
		unsigned long before = slab_report_count();
		if (fc)
			kmem_cache_free(c, temp[--n]);
		else
			kfree(temp[--n]);
		CHECK(slab_report_count() == before, "freeing %p (taken from %s) was reported",
		      (void *)temp[n], c->name);
	}
}

static void dbg_end(void)
{
	for (unsigned i = 0; i < nmarks; i++)
		if (marks[i].freed) {
			flush(&marks[i]); /* unmarks it (and maybe others): start again */
			i = -1u;
		}
}

/* ---- opcode 16 ---- */

/* Where len bytes go in [lo, hi): s bytes from lo, or (from_hi) from hi. len <= hi - lo. */
static long place(long lo, long hi, unsigned len, unsigned s, bool from_hi)
{
	unsigned room = (unsigned)(hi - lo) - len + 1;
	return from_hi ? hi - (long)len - (long)(s % room) : lo + (long)(s % room);
}

/* Write len bytes into a red zone of live object i: the right one (past its end) or the left. */
static void corrupt_redzone(unsigned i, unsigned len, unsigned s, const uint8_t *b, bool right,
			    bool far)
{
	if (!nobjs || objs[i % nobjs].tag)
		return;
	const struct obj *o = &objs[i % nobjs];
	struct marked *m = mark_of(o->p);
	if (!m) {
		if (nmarks == MAX_MARKED)
			return;
		const struct page *slab = virt_to_slab(o->p);
		CHECK(slab && slab->slab_cache == obj_cache(o),
		      "live object %p is not in its cache", (void *)o->p);
		m = &marks[nmarks++];
		*m = (struct marked){ .p = o->p, .c = obj_cache(o), .usable = o->usable };
	}
	if (m->nw == MAX_WRITES)
		return;
	long lo = right ? (long)o->size : -RZ, hi = right ? rz_end(o->usable) : 0;
	len = (unsigned)MIN((long)len, hi - lo);
	long off = place(lo, hi, len, s, right == far);
	struct write *w = &m->w[m->nw++];
	*w = (struct write){ .off = off, .len = len };
	memcpy(w->b, b, len);
	memcpy(o->p + off, b, len);
}

/* Free live object i and write len bytes into it. */
static void use_after_free(unsigned i, unsigned len, unsigned s, const uint8_t *b, bool by_cache,
			   bool far)
{
	if (!nobjs || nmarks == MAX_MARKED)
		return;
	unsigned at = i % nobjs;
	struct obj o = objs[at];
	bool ctor = o.cache >= 0 && caches[o.cache].ctor;
	long lo = ctor ? 8 : 0;
	if (o.tag || dbg_pinned(&o) || (long)o.usable <= lo)
		return;
	const struct page *slab = virt_to_slab(o.p);
	struct kmem_cache *c = obj_cache(&o);
	uint8_t *pin = NULL;
	for (unsigned k = 0; k < nobjs && !pin; k++)
		if (k != at && !objs[k].tag && virt_to_slab(objs[k].p) == slab)
			pin = objs[k].p;
	if (!pin)
		return;

	objs[at] = objs[--nobjs];
	verify_obj(&o, "kfree before a use after free");
	unsigned long before = slab_report_count();
	unsigned damage = free_obj(&o, by_cache);
	CHECK(slab_report_count() == before + damage, "the free of %p made %lu reports, not %u",
	      (void *)o.p, slab_report_count() - before, damage);
	CHECK(virt_to_slab(o.p) == slab && slab->slab_cache == c,
	      "freed %p left its slab, where %p still lives", (void *)o.p, (void *)pin);

	len = (unsigned)MIN((long)len, (long)o.usable - lo);
	long off = place(lo, (long)o.usable, len, s, far);
	memcpy(o.p + off, b, len);
	if (ctor)
		return; /* never poisoned, so never checked (slab_debug.c) */
	struct marked *m = &marks[nmarks++];
	*m = (struct marked){ .p = o.p,
			      .c = c,
			      .usable = o.usable,
			      .freed = true,
			      .pin = pin,
			      .alloc_cpu = o.cpu,
			      .free_cpu = cur_cpu,
			      .nw = 1 };
	m->w[0] = (struct write){ .off = off, .len = len };
	memcpy(m->w[0].b, b, len);
}

static void op_corrupt(struct fuzz_in *in)
{
	uint8_t k = in_u8(in), i = in_u8(in), n = in_u8(in), s = in_u8(in);
	uint8_t b[MAX_WRITE] = { 0 };
	unsigned len = 1 + n % MAX_WRITE;
	if (k % 4 != 3)
		in_bytes(in, b, len);
	switch (k % 4) {
	case 0:
	case 1:
		corrupt_redzone(i, len, s, b, k % 4 == 0, k & 8);
		break;
	case 2:
		use_after_free(i, len, s, b, k & 4, k & 8);
		break;
	default: {
		unsigned nfreed = 0;
		for (unsigned j = 0; j < nmarks; j++)
			nfreed += marks[j].freed;
		for (unsigned j = 0, seen = 0; nfreed && j < nmarks; j++)
			if (marks[j].freed && seen++ == i % nfreed) {
				flush(&marks[j]);
				break;
			}
		break;
	}
	}
}
