#!/usr/bin/env python3
"""tests/mutants.py - `make mutants`: do the host tests catch real bugs?

A rule of this project is that a test must be able to fail. This script
checks it the direct way: it plants, one at a time, a small bug of the kind
that gets written for real (a buddy merged into the wrong half, a watermark
halved differently, the low-memory reserve forgotten, colouring switched
off, a large page split one entry short, ...) into a copy of the tree,
builds the hosted tests (tests/host, ASan + UBSan) and runs them
(tests/run --no-kernel). A mutant is *caught* when the run fails (a failed
expectation, an invariant checker's complaint, a sanitizer report, a crash
or a timeout) and *survives* when everything still passes.

    tests/mutants.py              every mutant
    tests/mutants.py M1 N3        only those (ids as listed below)
    tests/mutants.py --list       the mutants and where they go

Exit status: 0 when every mutant chosen was caught; 1 when one survived or
no longer applies (its text is not in the source exactly once: update the
table with the code); 2 on a usage error. The working tree is never touched:
the copy is made from the tracked files (uncommitted edits included) in a
temporary directory. About 20 s per mutant on two cores; not part of
`make test`.
"""
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

# id: (what the bug is, file, the exact text, what replaces it). Each text
# must occur exactly once in its file.
MUTANTS = {
    "M1": ("the buddy merge keeps the upper half's address",
           "mm/page_alloc.c", "pfn &= buddy_pfn;", "pfn |= buddy_pfn;"),
    "M2": ("__GFP_HIGH digs a quarter of the min watermark instead of half",
           "mm/page_alloc.c", "min -= min / 2;", "min -= min / 4;"),
    "M3": ("the lowmem reserve is ignored",
           "mm/page_alloc.c", "return free > min + (long)zone->lowmem_reserve[highest];",
           "return free > min + 0 * (long)zone->lowmem_reserve[highest];"),
    "M4": ("the per-CPU page list never drains at its high mark",
           "mm/page_alloc.c", "if (unlikely(pcp->count >= pcp->high))",
           "if (unlikely(pcp->count >= pcp->high * 1000))"),
    "M5": ("GFP_DMA32 may take pages from ZONE_NORMAL",
           "mm/page_alloc.c",
           "const uint8_t gfp_highest_zone[4] = { ZONE_NORMAL, ZONE_DMA, ZONE_DMA32, ZONE_DMA };",
           "const uint8_t gfp_highest_zone[4] = { ZONE_NORMAL, ZONE_DMA, ZONE_NORMAL, ZONE_DMA };"),
    "S1": ("every slab gets the same colour",
           "mm/slab.c", "% g->colours) *", "% 1) *"),
    "S2": ("kmem_cache_shrink keeps one empty slab",
           "mm/slab.c", "freed = cache_release_empty(c, 0);", "freed = cache_release_empty(c, 1);"),
    "S3": ("the constructor is never called",
           "mm/slab.c", "\t\tif (c->ctor)\n\t\t\tc->ctor(obj);", "\t\tif (c->ctor && 0)\n\t\t\tc->ctor(obj);"),
    "S4": ("the depot's memory budget is never enforced",
           "mm/slab.c", "if (depot_charge(d, (unsigned long)n * c->size)) {",
           "if (depot_charge(d, (unsigned long)n * c->size) || 1) {"),
    "S5": ("kfree accepts a pointer into the middle of an object",
           "mm/slab_fast.c", "if (likely(slab_exact_boundary(c, page, p)))",
           "if (likely(1 || slab_exact_boundary(c, page, p)))"),
    "S6": ("kmalloc's size lookup picks a class one step too small",
           "mm/kmalloc.c", "while (kmalloc_sizes[cls] < 8 * i + 8)", "while (kmalloc_sizes[cls] < 8 * i)"),
    "V1": ("protect changes a whole large page when the range covers part of it",
           "mm/vmm.c", "if (IS_ALIGNED(va, size) && end - va == size - 1) {", "if (IS_ALIGNED(va, size)) {"),
    "V2": ("splitting a large page drops its last small page",
           "mm/vmm.c", "for (unsigned i = 0; i < PT_ENTRIES; i++)\n\t\tchild[i] = leaf_entry",
           "for (unsigned i = 0; i < PT_ENTRIES - 1; i++)\n\t\tchild[i] = leaf_entry"),
    "V3": ("translate loses the offset inside a large page",
           "mm/vmm.c", "out->pa = pte_addr(e, level) + (va & (size - 1));",
           "out->pa = pte_addr(e, level) + (va & (PAGE_SIZE - 1));"),
    "B1": ("memblock aligns to at most a page whatever was asked",
           "mm/memblock.c", "uint64_t a = ALIGN_DOWN(fe - size, align);",
           "uint64_t a = ALIGN_DOWN(fe - size, align > PAGE_SIZE ? PAGE_SIZE : align);"),
}

HOST_TIMEOUT = "30"  # seconds per host program: a mutant that makes one loop for ever is caught


def copy_tree(dst):
    files = subprocess.run(["git", "ls-files", "-z"], cwd=TOP, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in files:
        if not f or not os.path.isfile(os.path.join(TOP, f)):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(f)), exist_ok=True)
        shutil.copy2(os.path.join(TOP, f), os.path.join(dst, f))


def run_tests(work):
    """(passed, summary): build and run the host tests in the copy."""
    b = subprocess.run(["make", "--no-print-directory", "-j%d" % (os.cpu_count() or 1),
                        "-f", "tests/host/Makefile"], cwd=work, capture_output=True, text=True)
    if b.returncode:
        return False, "build failed: " + (b.stderr.strip().splitlines() or ["?"])[-1]
    r = subprocess.run([sys.executable, "tests/run", "--no-kernel", "--host-timeout", HOST_TIMEOUT],
                       cwd=work, capture_output=True, text=True)
    lines = r.stdout.splitlines()
    last = next((l for l in reversed(lines) if " passed, " in l), "no summary line")
    failed = [l.split()[0] for l in lines if l.rstrip().endswith("FAIL")]
    return r.returncode == 0, last + (" (failing: %s)" % " ".join(failed) if failed else "")


def main(argv):
    if argv[:1] == ["--list"]:
        for k, (what, f, _, _) in MUTANTS.items():
            print("%-3s %-16s %s" % (k, f, what))
        return 0
    chosen = argv or list(MUTANTS)
    bad = [k for k in chosen if k not in MUTANTS]
    if bad:
        print("mutants.py: no mutant %s (see --list)" % " ".join(bad), file=sys.stderr)
        return 2
    status = 0
    with tempfile.TemporaryDirectory(prefix="mutants-") as work:
        copy_tree(work)
        ok, summary = run_tests(work)
        if not ok:
            print("mutants.py: the unmutated tree does not pass its host tests: %s" % summary)
            return 1
        print("unmutated: %s" % summary, flush=True)
        for k in chosen:
            what, f, old, new = MUTANTS[k]
            path = os.path.join(work, f)
            with open(path) as fh:
                src = fh.read()
            if src.count(old) != 1:
                print("%-3s STALE     %s: the text to mutate occurs %d times in %s" %
                      (k, what, src.count(old), f), flush=True)
                status = 1
                continue
            with open(path, "w") as fh:
                fh.write(src.replace(old, new))
            try:
                passed, summary = run_tests(work)
            finally:
                with open(path, "w") as fh:
                    fh.write(src)
            print("%-3s %-9s %s: %s" % (k, "SURVIVED" if passed else "caught", what, summary),
                  flush=True)
            if passed:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
