#!/usr/bin/env python3
"""tests/fuzz/run_fuzzers.py - run the libFuzzer harnesses (build/fuzz/fuzz_*).

Two modes, one table of fuzzers (FUZZERS below, in KTAP order):

  run_fuzzers.py [GLOB]
      The make-test mode. Installed as build/host/test_fuzz, so tests/run
      runs it with the host programs (argument 1 is the suite glob; the suite
      is "fuzz"). For each fuzzer, one KTAP case: replay every seed in
      build/fuzz/seeds/<name>/ (written by make_seeds.py), then a fixed number of new inputs mutated
      from them (FUZZERS below) with -seed=1, -reload=0 and without
      address-space randomisation where setarch allows (the same inputs on
      every run, whatever the machine's speed), writing new inputs
      to a temporary directory (never the make-fuzz corpus). "not ok" with
      the tail of libFuzzer's report when an input crashes or breaks a
      check (the input is saved under build/fuzz/crashes/<name>/), when the
      seeds were not all replayed, or when the fuzzer is missing (then it
      says why: no clang, no libFuzzer runtime, or not built). One fuzzer
      at a time, so it uses one core while tests/run runs the others.

  run_fuzzers.py --fuzz --time T --build build/fuzz [NAME...]
      make fuzz: each fuzzer (or those named) for T seconds on its corpus
      build/fuzz/corpus/<name>/ (the seeds are copied in first), crashes to
      build/fuzz/crashes/<name>/, libFuzzer's output on the terminal, then a
      summary table. Exit status 1 if any fuzzer crashed.

Python 3 standard library only.
"""

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# This file is tests/fuzz/run_fuzzers.py or its copy build/host/test_fuzz: either way the
# top of the tree is three levels up.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# name: (max input length, make-test runs after the seeds). The runs are sized so that
# all seven take 25-40 s of one core under ASan and UBSan (make test's budget is 60):
# libFuzzer's speed differs by two orders of magnitude between them (vmm: 4000 runs, about
# 5 s; slab_debug: 1800 runs, about 5 s).
FUZZERS = [
    ("multiboot2", 4096, 100000),
    ("memmap", 4096, 8000),
    ("acpi", 4096, 100000),
    ("cmdline", 4096, 12000),
    ("allocators", 4096, 2500),
    ("slab_debug", 4096, 1800),
    ("vmm", 4096, 4000),
]

COMMON_FLAGS = ["-timeout=25", "-rss_limit_mb=2048", "-print_final_stats=1"]
TEST_TIMEOUT = 300      # seconds before one make-test run is killed
TAIL = 40               # lines of libFuzzer's report shown for a failing case


def seeds_dir(build, name):
    """The seeds tests/fuzz/make_seeds.py writes (fuzz.mk runs it before the fuzzers)."""
    return os.path.join(build, "seeds", name)


def fuzzer_flags(max_len, crash_dir):
    return COMMON_FLAGS + ["-max_len=%d" % max_len, "-artifact_prefix=" + crash_dir + "/"]


def fuzz_cc():
    return os.environ.get("FUZZ_CC", "clang")


def why_missing(binary):
    """Why a fuzzer binary is missing: the toolchain, or just not built."""
    cc = shutil.which(fuzz_cc())
    if not cc:
        return ("%s is not installed (tests/install-deps.sh installs the package clang), "
                "so %s could not be built" % (fuzz_cc(), binary))
    for lib in ("libclang_rt.fuzzer-x86_64.a", "libclang_rt.fuzzer.a"):
        try:
            path = subprocess.run([cc, "-print-file-name=" + lib], capture_output=True,
                                  text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            path = ""
        if os.path.isfile(path):
            break
    else:
        try:
            major = subprocess.run([cc, "-dumpversion"], capture_output=True, text=True,
                                   timeout=30).stdout.strip().split(".")[0]
        except (OSError, subprocess.SubprocessError):
            major = "N"
        return ("clang's libFuzzer runtime (libclang_rt.fuzzer) is not installed "
                "(package libclang-rt-%s-dev; tests/install-deps.sh installs it), so %s "
                "could not be built" % (major, binary))
    return "%s is not built (make host-tests builds it)" % binary


REPORT_RE = re.compile(r"FUZZ CHECK FAILED|ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                       r"runtime error:|ERROR: libFuzzer")


def tail(text, n=TAIL):
    """The report: from its first line (a broken check, a sanitizer's error), else the end."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if REPORT_RE.search(line):
            return lines[i:i + n]
    return lines[-n:]


def count_files(d):
    try:
        return len([f for f in os.listdir(d) if os.path.isfile(os.path.join(d, f))])
    except OSError:
        return 0


# ---------------------------------------------------------------------------
# make test: KTAP
# ---------------------------------------------------------------------------

def test_one(name, max_len, runs, build):
    """Returns (ok, diagnostics, summary line)."""
    binary = os.path.join(build, "fuzz_" + name)
    if not os.access(binary, os.X_OK):
        return False, [why_missing(os.path.relpath(binary, ROOT))], None
    seeds = seeds_dir(build, name)
    nseeds = count_files(seeds)
    if not nseeds:
        return False, ["no seeds in %s" % seeds], None
    crash_dir = os.path.join(build, "crashes", name)
    os.makedirs(crash_dir, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="fuzz_%s." % name)
    # -runs counts the seeds' executions too. -reload=0: no periodic re-read of the corpus
    # directory, whose timing would make the run depend on the machine's speed.
    cmd = [binary, scratch, seeds, "-seed=1", "-runs=%d" % (runs + nseeds), "-reload=0"]
    cmd += fuzzer_flags(max_len, crash_dir)
    if shutil.which("setarch"):
        probe = subprocess.run(["setarch", os.uname().machine, "-R", "true"],
                               capture_output=True)
        if probe.returncode == 0:
            cmd = ["setarch", os.uname().machine, "-R"] + cmd
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=TEST_TIMEOUT, cwd=ROOT)
        out, rc = proc.stdout.decode("utf-8", "replace"), proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        rc = None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.monotonic() - t0

    m = re.search(r"INFO: seed corpus: files: (\d+)", out)
    done = re.search(r"Done (\d+) runs in (\d+) second", out)
    covs = re.findall(r"cov: (\d+) ft: (\d+)", out)
    summary = "fuzz_%s: %s runs in %.1f s%s" % (
        name, done.group(1) if done else "?", elapsed,
        ", cov %s ft %s" % covs[-1] if covs else "")
    if rc is None:
        return False, ["timed out after %d s and was killed" % TEST_TIMEOUT] + tail(out), summary
    if rc != 0:
        diag = ["libFuzzer exited with status %d; the input is saved in %s"
                % (rc, os.path.relpath(crash_dir, ROOT))]
        art = re.search(r"Test unit written to (\S+)", out)
        if art:
            diag.append("reproduce: %s %s" % (os.path.relpath(binary, ROOT), art.group(1)))
        return False, diag + tail(out), summary
    if not m or int(m.group(1)) != nseeds:
        return False, ["libFuzzer did not report replaying the %d seeds of %s"
                       % (nseeds, os.path.relpath(seeds, ROOT))] + tail(out), summary
    if not done:
        return False, ["libFuzzer exited 0 without finishing its runs"] + tail(out), summary
    return True, [], summary


def test_mode(glob):
    alts = [g for g in (glob or "*").split(",") if g]
    selected = any(fnmatch.fnmatchcase("fuzz", g) for g in alts)
    print("KTAP version 1")
    print("1..%d" % (1 if selected else 0), flush=True)
    if not selected:
        print("# no suite matches '%s'" % glob)
        print("# Totals: pass:0 fail:0 skip:0 total:0")
        return 0
    build = os.path.join(ROOT, "build", "fuzz")
    out = ["    KTAP version 1", "    # Subtest: fuzz", "    1..%d" % len(FUZZERS)]
    print("\n".join(out), flush=True)
    passed = failed = 0
    for i, (name, max_len, runs) in enumerate(FUZZERS, 1):
        ok, diag, summary = test_one(name, max_len, runs, build)
        if summary:
            sys.stderr.write(summary + "\n")
            sys.stderr.flush()
        lines = []
        if not ok:
            lines += ["    # " + d for d in diag]
        lines.append("    %s %d %s" % ("ok" if ok else "not ok", i, name))
        print("\n".join(lines), flush=True)
        passed += ok
        failed += not ok
    print("# fuzz: pass:%d fail:%d skip:0 total:%d" % (passed, failed, len(FUZZERS)))
    print("%s 1 fuzz" % ("not ok" if failed else "ok"))
    print("# Totals: pass:%d fail:%d skip:0 total:%d" % (passed, failed, len(FUZZERS)),
          flush=True)
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# make fuzz
# ---------------------------------------------------------------------------

def fuzz_mode(names, seconds, build):
    table = dict((n, (m, r)) for n, m, r in FUZZERS)
    unknown = [n for n in names if n not in table]
    if unknown:
        sys.stderr.write("run_fuzzers: unknown fuzzer(s) %s (known: %s)\n"
                         % (" ".join(unknown), " ".join(n for n, _, _ in FUZZERS)))
        return 2
    results = []
    for name in names or [n for n, _, _ in FUZZERS]:
        max_len = table[name][0]
        binary = os.path.join(build, "fuzz_" + name)
        if not os.access(binary, os.X_OK):
            sys.stderr.write("run_fuzzers: %s\n" % why_missing(binary))
            results.append((name, None, "missing", "", 0))
            continue
        corpus = os.path.join(build, "corpus", name)
        crash_dir = os.path.join(build, "crashes", name)
        os.makedirs(corpus, exist_ok=True)
        os.makedirs(crash_dir, exist_ok=True)
        seeds = seeds_dir(build, name)
        for f in sorted(os.listdir(seeds)) if os.path.isdir(seeds) else []:
            dst = os.path.join(corpus, "seed-" + f)
            if not os.path.exists(dst):
                shutil.copyfile(os.path.join(seeds, f), dst)
        before = set(os.listdir(crash_dir))
        cmd = [binary, corpus, "-max_total_time=%d" % seconds]
        cmd += fuzzer_flags(max_len, crash_dir)
        print("== fuzz %s: %s" % (name, " ".join(cmd)), flush=True)
        lines = []
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            lines.append(line)
            sys.stdout.write(line)
            sys.stdout.flush()
        rc = proc.wait()
        text = "".join(lines)
        new = sorted(set(os.listdir(crash_dir)) - before)
        stats = {}
        for key in ("number_of_executed_units", "average_exec_per_sec", "new_units_added",
                    "peak_rss_mb"):
            m = re.search(r"stat::%s:\s*(\d+)" % key, text)
            stats[key] = m.group(1) if m else "?"
        covs = re.findall(r"cov: (\d+) ft: (\d+)", text)
        cov = "cov %s ft %s" % covs[-1] if covs else "cov ?"
        desc = "%s runs, %s/s, %s, %s new inputs, corpus %d files, %s MB" % (
            stats["number_of_executed_units"], stats["average_exec_per_sec"], cov,
            stats["new_units_added"], count_files(corpus), stats["peak_rss_mb"])
        results.append((name, rc, desc, " ".join(os.path.join(crash_dir, c) for c in new),
                        len(new)))
    print()
    print("== fuzz summary (%d s each)" % seconds)
    bad = 0
    for name, rc, desc, crashes, ncrash in results:
        if rc is None:
            verdict = "MISSING"
        elif rc != 0:
            verdict = "CRASH (exit %d)" % rc
        else:
            verdict = "ok"
        bad += verdict != "ok"
        print("  %-11s %-16s %s" % (name, verdict, desc))
        if crashes:
            print("  %-11s saved: %s" % ("", crashes))
    return 1 if bad else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fuzz", action="store_true", help="make fuzz mode")
    ap.add_argument("--time", type=int, default=60, help="seconds per fuzzer (--fuzz)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "fuzz"))
    ap.add_argument("rest", nargs="*", help="--fuzz: fuzzer names; else the suite glob")
    args = ap.parse_args(argv)
    if args.fuzz:
        return fuzz_mode(args.rest, args.time, os.path.abspath(args.build))
    return test_mode(args.rest[0] if args.rest and args.rest[0] else
                     os.environ.get("TESTS") or "*")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
