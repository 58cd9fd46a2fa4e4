#!/usr/bin/env python3
"""insns.py - instructions executed by one fast-path allocation+free pair.

Runs `host_bench --probe <kind> <n>` under valgrind's callgrind, collecting
only inside probe_pairs() (--toggle-collect): the program first warms the
per-CPU caches outside it, then probe_pairs() runs n pairs that all hit them.
Callgrind counts instructions exactly (no timing noise), so the figure is
deterministic for a given build.

From the call graph it takes every call the probe loop makes n times (the
allocation and the free function) with its inclusive instruction count
(the function and everything it calls) and divides by n:

    insns <kind> <binary-label> pair=<x> <callee>=<y> <callee>=<z> loop=<w>

pair = instructions inside the called functions per pair (what the target of
40 applies to; alt64-96 is the same pair with 64 and 96 bytes in turn); loop = everything collected per pair, including the loop's
own instructions and the call/return sequences. The split between callees
follows symbols, so for a stripped library (mimalloc) it may attribute code
to the wrong neighbour; pair and loop do not depend on symbols.

For KIND batch64 (one kmalloc-batch repetition of B = 10,000 64-byte objects
after a warm-up one), "pair" is per object: its allocation and its free,
slow paths (refills, flushes, new slabs) included. free256-local and
free256-remote count only the free of each of B 256-byte objects, freed by
the CPU that allocated them or by the other one (smp-remote-free's free side).

Usage: insns.py [-n N] [--label L] BINARY KIND...
       (KIND: kmalloc64 alt64-96 batch64 free256-local free256-remote cache192 page0)
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile


def parse_callgrind(path):
    """Return (total Ir, {(caller, callee): [calls, inclusive Ir]})."""
    arcs = collections.defaultdict(lambda: [0, 0])
    total = 0
    fn = None
    cfn = None
    pending = None  # calls count waiting for its cost line
    names = {}  # compressed "(id) name" support

    def name_of(v):
        v = v.strip()
        if v.startswith("("):
            close = v.index(")")
            key = v[: close + 1]
            rest = v[close + 1 :].strip()
            if rest:
                names[key] = rest
            return names.get(key, key)
        return v

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if pending is not None:
                parts = line.split()
                if len(parts) >= 2:
                    arcs[(fn, cfn)][0] += pending
                    arcs[(fn, cfn)][1] += int(parts[1])
                pending = None
                continue
            if line.startswith("fn="):
                fn = name_of(line[3:])
            elif line.startswith("cfn="):
                cfn = name_of(line[4:])
            elif line.startswith("calls="):
                pending = int(line[6:].split()[0])
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = max(total, int(line.split()[1]))
    return total, arcs


def measure(binary, kind, n):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        cmd = [
            "valgrind", "--tool=callgrind", "--toggle-collect=probe_pairs",
            "--compress-strings=no", "--compress-pos=no",
            "--callgrind-out-file=" + out, binary, "--probe", kind, str(n),
        ]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0 or not os.path.exists(out):
            sys.stderr.write(r.stderr[-2000:])
            raise SystemExit("insns.py: callgrind run failed: " + " ".join(cmd))
        total, arcs = parse_callgrind(out)
    # the pair's functions: callees the probe loop called about n times
    per = {}
    for (caller, callee), (calls, incl) in arcs.items():
        if caller and caller.startswith("probe_") and not callee.startswith("probe_") \
                and calls >= n // 2:
            c, i = per.get(callee, (0, 0))
            per[callee] = (c + calls, i + incl)
    return total, per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--label", default=None)
    ap.add_argument("binary")
    ap.add_argument("kinds", nargs="+")
    a = ap.parse_args()
    label = a.label or os.path.basename(a.binary)
    for kind in a.kinds:
        # a batch probe is one repetition of at most B = 10000 objects
        n = min(a.n, 10000) if kind.startswith(("batch", "free")) else a.n
        total, per = measure(a.binary, kind, n)
        pair = sum(i for c, i in per.values()) / n
        # callgrind counts calls made outside the collected region too (the
        # warm-up), but costs only inside it: divide by n, not by calls
        parts = " ".join("%s=%.1f" % (k, i / n) for k, (c, i) in
                         sorted(per.items(), key=lambda kv: -kv[1][1]))
        if not per:
            parts = "(no call made %d times: inlined?)" % n
        print("insns %s %s pair=%.1f %s loop=%.1f" % (kind, label, pair, parts, total / n))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
