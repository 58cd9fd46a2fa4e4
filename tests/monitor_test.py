#!/usr/bin/env python3
"""tests/monitor_test.py - the command monitor, driven through the serial port.

Installed by tests/host/Makefile as build/host/test_monitor, so tests/run runs
it with the host programs: argument 1 is the suite glob, standard output is
KTAP, standard error the serial log of each boot.

It boots the test ISO (build/kernel-test.iso, or $MONITOR_ISO) in QEMU with
`monitor` on the command line (SMBIOS OEM string: straight to the monitor,
no boot-time tests, ktest= overridden), waits for each "mon> " prompt, types
one command, and checks the answer. Three suites, one boot each:

  monitor          every command, every kind of bad argument, line editing,
                   the allocation/free round trip (split, merge), provenance,
                   trace, check, test, and poweroff's leak report (exit 33)
  monitor_script   halt_exit: the run ends on its own once the input is
                   silent (make run </dev/null), exit 33
  monitor_reboot   `reboot` resets the machine (QEMU exits under -no-reboot)

Skipped (not failed) when there is no ISO or no QEMU. Python 3 standard
library only.
"""

import fnmatch
import os
import re
import select
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT = b"mon> "
CMD_TIMEOUT = 60.0      # seconds for one command's answer (slow host, TCG)
BOOT_TIMEOUT = 120.0    # seconds until the first prompt


def find_iso():
    iso = os.environ.get("MONITOR_ISO")
    if iso:
        return iso
    for cand in (os.path.join(HERE, "..", "kernel-test.iso"),
                 os.path.join(HERE, "..", "..", "build", "kernel-test.iso")):
        if os.path.isfile(cand):
            return os.path.normpath(cand)
    return None


def have_hw_virt():
    try:
        with open("/proc/cpuinfo") as f:
            return bool(re.search(r"^flags\s*:.*\b(vmx|svm)\b", f.read(), re.M))
    except OSError:
        return False


def qemu_cmd(iso, words):
    kvm = os.path.exists("/dev/kvm") and os.access("/dev/kvm", os.R_OK | os.W_OK) and have_hw_virt()
    return ["qemu-system-x86_64", "-cdrom", iso, "-m", "512M", "-smp", "2",
            "-accel", "kvm" if kvm else "tcg,thread=multi", "-cpu", "host" if kvm else "max",
            "-display", "none", "-no-reboot", "-serial", "stdio", "-monitor", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-smbios", "type=11,value=" + words]


class Boot:
    """One QEMU run with its serial port on our pipes."""

    def __init__(self, iso, words):
        self.proc = subprocess.Popen(qemu_cmd(iso, words), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.buf = b""
        self.log = b""

    def _read(self, deadline):
        """Read what is there (waiting until deadline); False at EOF or timeout."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 1.0))
        if not ready:
            return True
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            return False
        self.buf += chunk
        self.log += chunk
        return True

    def wait_for(self, token, timeout):
        """Consume output up to and including token; return what came before it (None on
        timeout or EOF)."""
        deadline = time.monotonic() + timeout
        while True:
            i = self.buf.find(token)
            if i >= 0:
                before = self.buf[:i]
                self.buf = self.buf[i + len(token):]
                return before.decode("utf-8", "replace").replace("\r", "")
            if not self._read(deadline):
                return None

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def command(self, line, timeout=CMD_TIMEOUT):
        """Type a line at the prompt; return the answer (the text up to the next prompt)."""
        self.send(line.encode() + b"\n")
        out = self.wait_for(b"\n" + PROMPT, timeout)
        if out is None:
            return None
        # Drop the echo of the command itself (the first line).
        return out.split("\n", 1)[1] if "\n" in out else ""

    def finish(self, timeout=60):
        """Close input, collect the rest, wait for QEMU; returns (exit status, rest)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        deadline = time.monotonic() + timeout
        while self._read(deadline):
            pass
        try:
            code = self.proc.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        rest = self.buf.decode("utf-8", "replace").replace("\r", "")
        self.buf = b""
        return code, rest

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait()


class Suite:
    """Collects cases and prints one KTAP suite block."""

    def __init__(self, name):
        self.name = name
        self.results = []   # (name, ok, diagnostics, skip reason)

    def case(self, name, ok, *diag, skip=None):
        self.results.append((name, bool(ok), [str(d) for d in diag], skip))
        return ok

    def emit(self, number):
        out = ["    KTAP version 1", "    # Subtest: %s" % self.name,
               "    1..%d" % len(self.results)]
        p = f = k = 0
        for i, (name, ok, diag, skip) in enumerate(self.results, 1):
            if skip:
                k += 1
                out.append("    ok %d %s # SKIP %s" % (i, name, skip))
                continue
            if not ok:
                for d in diag:
                    for line in d.splitlines() or [""]:
                        out.append("    # " + line)
            out.append("    %s %d %s" % ("ok" if ok else "not ok", i, name))
            p += ok
            f += not ok
        out.append("# %s: pass:%d fail:%d skip:%d total:%d" % (self.name, p, f, k,
                                                               len(self.results)))
        out.append("%s %d %s%s" % ("not ok" if f else "ok", number, self.name,
                                   " # SKIP" if k == len(self.results) and k else ""))
        print("\n".join(out), flush=True)
        return p, f, k


def has(text, *needles):
    return text is not None and all(n in text for n in needles)


def find_tool():
    """tools/mempictures.py, from the source tree or from build/host."""
    for cand in (os.path.join(HERE, "..", "tools", "mempictures.py"),
                 os.path.join(HERE, "..", "..", "tools", "mempictures.py")):
        if os.path.isfile(cand):
            return os.path.normpath(cand)
    return None


def first_int(pattern, text):
    m = re.search(pattern, text or "")
    return int(m.group(1), 0) if m else None


# ---------------------------------------------------------------------------
# The interactive session
# ---------------------------------------------------------------------------

def run_interactive(s, boot):
    banner = boot.wait_for(PROMPT, BOOT_TIMEOUT)
    if not s.case("boots_to_the_prompt", banner is not None and "monitor:" in banner,
                  "no prompt within %d s" % BOOT_TIMEOUT):
        return
    c = boot.command

    # help, unknown commands, argument counts
    out = c("help")
    names = ["meminfo", "buddyinfo", "zoneinfo", "slabinfo", "sizeclasses", "cpus", "alloc",
             "free", "kmalloc", "kfree", "walk", "map", "translate", "page", "check", "test",
             "bench", "reboot", "poweroff", "memmap", "memdump", "stats", "trace", "held"]
    s.case("help_lists_every_command", has(out, *names), out)
    out = c("help alloc")
    s.case("help_one_command", has(out, "alloc <order> [dma|dma32|normal]"), out)
    out = c("help nosuch")
    s.case("help_unknown_command", has(out, "no command 'nosuch'", "commands:"), out)
    out = c("frobnicate 1 2")
    s.case("unknown_command_gets_the_list",
           has(out, "unknown command 'frobnicate'", "commands:", "kmalloc", "poweroff"), out)
    out = c("alloc")
    s.case("missing_arguments", has(out, "alloc: missing arguments; usage: alloc <order>"), out)
    out = c("alloc 1 dma 3")
    s.case("too_many_arguments", has(out, "alloc: too many arguments"), out)
    out = c("")
    s.case("empty_line_is_ignored", out == "", repr(out))

    out = c("meminfo now")
    s.case("extra_argument_refused", has(out, "meminfo: too many arguments; usage: meminfo"), out)
    out = c("stats bogus")
    s.case("stats_bad_option", has(out, "stats: 'bogus': the only option is `all`"), out)

    # line editing: backspace, Ctrl-U, Ctrl-C
    boot.send(b"hexx\x7f\x7fld\n")
    out = boot.wait_for(b"\n" + PROMPT, CMD_TIMEOUT)
    s.case("backspace_edits_the_line", has(out, "the monitor holds:"), out)
    boot.send(b"garbage\x15held\n")
    out = boot.wait_for(b"\n" + PROMPT, CMD_TIMEOUT)
    s.case("ctrl_u_erases_the_line", has(out, "the monitor holds:"), out)
    boot.send(b"alloc 3\x03")
    out = boot.wait_for(PROMPT, CMD_TIMEOUT)
    s.case("ctrl_c_cancels", has(out, "^C") and "alloc_pages" not in (out or ""), out)

    # the dumps
    for cmd, needles in (("meminfo", ["== meminfo ==", "MemTotal:", "Slab:"]),
                         ("buddyinfo", ["== buddyinfo ==", "zone    DMA32"]),
                         ("zoneinfo", ["== zoneinfo ==", "pagesets", "pcp hits"]),
                         ("slabinfo", ["== slabinfo ==", "kmalloc-64", "cpustat"]),
                         ("sizeclasses", ["== sizeclasses ==", "8192"]),
                         ("cpus", ["2 CPUs online", "apic"]),
                         ("map", ["direct map", "kernel image", "page-table pages"]),
                         ("memdump test", ["memdump begin", "memdump map", "memdump slab",
                                           "memdump end"])):
        out = c(cmd)
        s.case("dump_" + cmd.split()[0], has(out, *needles), out)
        if cmd == "memdump test":
            tool = find_tool()
            if not tool:
                s.case("memdump_passes_the_picture_tool_check", True,
                       skip="tools/mempictures.py not found")
            else:
                r = subprocess.run([sys.executable, tool, "--check", "-"], input=out or "",
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   universal_newlines=True, timeout=60)
                s.case("memdump_passes_the_picture_tool_check",
                       r.returncode == 0 and "all consistent" in r.stdout, r.stdout)

    out = c("memmap")
    total = first_int(r"(\d+) page frames", out)
    summed = first_int(r"= (\d+) frames", out)
    s.case("memmap_picture_and_legend", has(out, "== memmap ==", "legend:", "unusable index",
                                           "fragmentation idx", "zone DMA32"), out)
    s.case("memmap_totals_equal_meminfo", has(out, "pages: the same") and total and
           total == summed, out)

    # the buddy allocator by hand: a split, then the merges that undo it
    c("drain")
    info = c("buddyinfo")
    m = re.search(r"zone\s+DMA32((?:\s+\d+){11})", info or "")
    counts = [int(x) for x in m.group(1).split()] if m else []
    order = top = None
    for o in range(4, 10):   # above the per-CPU orders: straight from the buddy lists
        higher = [k for k in range(o, 11) if counts[k]]
        if higher and higher[0] > o:
            order, top = o, higher[0]
            break
    if not s.case("found_an_order_that_must_split", order is not None, info):
        return
    out = c("alloc %d dma32" % order)
    pfn = first_int(r"= pfn (0x[0-9a-f]+)", out)
    s.case("alloc_shows_the_split",
           has(out, "alloc_pages(GFP_DMA32, %d) = pfn" % order,
               "taken from the buddy lists under the zone lock",
               "split: the free block pfn %#x order %d" % (pfn or 0, top),
               "handed out (the lowest piece)") and
           all(("pfn %#x order %-2d" % ((pfn or 0) + (1 << k), k)) in out
               for k in range(order, top)), out)
    out = c("held")
    s.case("held_lists_the_block", has(out, "pages   pfn %#x order %d" % (pfn or 0, order)), out)
    out = c("free %#x %d" % (pfn or 0, order + 1))
    s.case("free_with_the_wrong_order_is_refused",
           has(out, "free: pfn %#x was allocated with order %d, not %d" %
               (pfn or 0, order, order + 1)), out)
    out = c("free %#x %d" % (pfn or 0, order))
    s.case("free_shows_the_merges",
           has(out, "straight to the buddy lists",
               "now: the free block pfn %#x order %d" % (pfn or 0, top)) and
           out.count("merged with its buddy") == top - order, out)
    out = c("free %#x %d" % (pfn or 0, order))
    s.case("free_of_a_free_pfn_is_refused", has(out, "free: pfn %#x is not allocated" % (pfn or 0)),
           out)

    # a small order goes through the per-CPU lists
    out = c("alloc 0")
    pfn0 = first_int(r"= pfn (0x[0-9a-f]+)", out)
    s.case("alloc_0_uses_the_per_cpu_list", has(out, "per-CPU list") and pfn0 is not None, out)
    out = c("free %#x 0" % (pfn0 or 0))
    s.case("free_0_goes_to_the_per_cpu_list_then_merges",
           has(out, "onto CPU 0's per-CPU list of order 0", "drain_local_pages", "now: "), out)

    # a zone asked for by name
    out = c("alloc 0 dma")
    pfn_dma = first_int(r"= pfn (0x[0-9a-f]+)", out)
    s.case("alloc_from_zone_dma", has(out, "alloc_pages(GFP_DMA, 0) = pfn", "zone DMA\n") and
           pfn_dma is not None and pfn_dma < 0x1000, out)
    out = c("free %#x 0" % (pfn_dma or 0))
    s.case("free_the_dma_page", has(out, "zone DMA"), out)
    out = c("drain")
    s.case("drain_empties_the_per_cpu_lists", has(out, "drain_all_pages", "0 now"), out)

    # bad arguments of free/alloc/page
    for cmd, expect in (("free abc 0", "free: pfn 'abc' is not a number"),
                        ("free 0x100 0", "free: pfn 0x100 was not handed out by `alloc`"),
                        ("free 0xfffffff 0", "free: pfn 0xfffffff is outside RAM"),
                        ("free 0x9f 0", "free: pfn 0x9f is in a hole"),
                        ("free 0x1000 11", "free: order 11 is above MAX_PAGE_ORDER"),
                        ("alloc 11", "alloc: order 11 is above MAX_PAGE_ORDER (10)"),
                        ("alloc -1", "alloc: order '-1' is not a number"),
                        ("alloc 0x", "alloc: order '0x' is not a number"),
                        ("alloc 99999999999999999999", "does not fit in 64 bits"),
                        ("alloc 2 highmem", "alloc: zone 'highmem' is not one of dma, dma32, normal"),
                        ("page zz", "page: pfn 'zz' is not a number"),
                        ("page 0xffffffff", "page: pfn 0xffffffff is outside RAM")):
        out = c(cmd)
        s.case("refuses: " + cmd, has(out, expect), out)

    out = c("page 0x100")
    s.case("page_decodes_a_kernel_page", has(out, "pfn 0x100: phys 0x100000", "flags 0x1: reserved",
                                             "the kernel image", "reserved by: kernel"), out)

    # kmalloc by hand, with provenance
    out = c("kmalloc 100")
    ptr = first_int(r"= (0x[0-9a-f]+)", out)
    # (slab_debug in CMDLINE: no per-CPU arrays, every object comes from the slab lists)
    debug = has(out, "no per-CPU array (slab_debug")
    s.case("kmalloc_names_class_and_level",
           has(out, "class: kmalloc-104 (104-byte objects: 4 bytes of slack)") and
           ("level 1: popped from CPU 0's array" in out or "level 2:" in out or debug), out)
    out = c("kmalloc 100")
    s.case("second_kmalloc_is_a_per_cpu_hit", has(out, "level 1: popped from CPU 0's array") or
           (debug and has(out, "no per-CPU array")), out)
    ptr2 = first_int(r"= (0x[0-9a-f]+)", out)
    out = c("kmalloc 20000")
    ptr3 = first_int(r"= (0x[0-9a-f]+)", out)
    s.case("kmalloc_large_is_a_buddy_block", has(out, "kmalloc-large", "order 3",
                                                 "alloc_pages(order 3) = pfn"), out)
    out = c("kmalloc 0")
    s.case("kmalloc_0_is_zero_size_ptr", has(out, "ZERO_SIZE_PTR", "Nothing is held"), out)
    for cmd, expect in (("kmalloc 5G", "kmalloc: 5368709120 bytes is more than the largest block"),
                        ("kmalloc lots", "kmalloc: size 'lots' is not a size"),
                        ("kfree xyz", "kfree: address 'xyz' is not a hex number"),
                        ("kfree 0x1234", "is not a direct-map address of RAM"),
                        ("kfree 0", "is NULL or ZERO_SIZE_PTR"),
                        ("kfree 123456789abcdef0", "is not canonical"),
                        ("kfree ffff888000100000", "was not handed out by `kmalloc`")):
        out = c(cmd)
        s.case("refuses: " + cmd, has(out, expect), out)
    if ptr:
        out = c("kfree %x" % (ptr + 8))
        s.case("kfree_inside_an_object_is_refused", has(out, "not at an object start"), out)
        out = c("kfree %#x" % ptr)
        s.case("kfree_pushes_on_the_array", has(out, "object of kmalloc-104", "CPU 0's array"), out)
        out = c("kfree %#x" % ptr)
        s.case("kfree_twice_is_refused", has(out, "an object of kmalloc-104 that the monitor does "
                                               "not hold"), out)
    if ptr3:
        out = c("kfree %#x" % ptr3)
        s.case("kfree_large_returns_the_block", has(out, "kmalloc-large block", "now: "), out)

    # provenance counters
    out = c("stats")
    s.case("stats_shows_every_level", has(out, "pcp-hit", "pcp-refill", "array-hit", "refills",
                                          "kmalloc-104"), out)

    # the trace
    out = c("trace on")
    s.case("trace_on", has(out, "trace on"), out)
    c("kmalloc 64")
    c("alloc 1")
    out = c("trace 50")
    s.case("trace_shows_one_line_per_event",
           has(out, "== trace ==", "kmalloc 64 -> ", "kmalloc-64",
               "alloc_pages order 1 gfp 0x200 -> pfn"), out)
    out = c("trace off")
    s.case("trace_off", has(out, "trace off"), out)
    out = c("trace clear")
    s.case("trace_clear", has(out, "trace cleared"), out)
    out = c("trace 5")
    s.case("trace_after_clear_is_empty", has(out, "0 events since cleared"), out)
    for cmd, expect in (("trace sideways", "trace: 'sideways' is not on, off, clear or a number"),
                        ("trace 0", "trace: count 0: the ring holds 1 to"),
                        ("trace 99999", "trace: count 99999")):
        out = c(cmd)
        s.case("refuses: " + cmd, has(out, expect), out)

    # page tables
    out = c("walk ffffffff80100000")
    s.case("walk_shows_four_levels", has(out, "PML4[511]", "PDPT[510]", "PD  [", "PT  [256]",
                                         "va maps to phys 0x100000"), out)
    out = c("walk ffff888000000000")
    s.case("walk_of_the_direct_map", has(out, "PML4[273]"), out)
    out = c("translate ffffffff80100000")
    s.case("translate_kernel_text", has(out, "-> phys 0x100000 (pfn 0x100)", "kernel image"), out)
    out = c("translate 1000")
    s.case("translate_unmapped", has(out, "not mapped"), out)
    for cmd, expect in (("walk 8000000000000000", "walk: address 0x8000000000000000 is not canonical"),
                        ("walk nothex", "walk: address 'nothex' is not a hex number"),
                        ("translate 12345678901234567", "is not a hex number")):
        out = c(cmd)
        s.case("refuses: " + cmd, has(out, expect), out)

    # checkers, tests, benchmarks
    out = c("check", timeout=120)
    s.case("check_passes", has(out, "check: all invariants hold"), out)
    out = c("test cmdline", timeout=120)
    s.case("test_runs_a_suite", has(out, "# Subtest: cmdline", "test: ", "0 failed"), out)
    out = c("test nosuchsuite")
    s.case("test_with_no_match", has(out, "no suite matches"), out)
    out = c("bench cache-pair", timeout=300)
    s.case("bench_runs_a_workload",
           has(out, "bench cache-pair s=192 cycles_per_op=", "# bench: done",
               "# every CPU read 8192 pages and flushed its TLB 6 times")
           and "FAILED" not in out and "bench kmalloc-pair" not in out, out)

    # leaving: what is still held is reported and freed
    boot.send(b"poweroff\n")
    code, rest = boot.finish()
    s.case("poweroff_reports_and_frees_what_is_held",
           has(rest, "allocations still held by the monitor, freed now",
               "kmalloc %#x" % (ptr2 or 0), "power off (success)"), rest)
    s.case("poweroff_exits_qemu_with_success", code == 33, "QEMU exit status %s" % code)


def run_script(s, iso):
    """halt_exit: a script on the serial input, then silence: the run ends by itself."""
    boot = Boot(iso, "monitor halt_exit")
    try:
        banner = boot.wait_for(PROMPT, BOOT_TIMEOUT)
        s.case("boots_to_the_prompt", banner is not None and "input stays silent" in banner,
               banner)
        t0 = time.monotonic()
        out = boot.command("alloc 2")
        s.case("runs_a_command", has(out, "alloc_pages(GFP_KERNEL, 2)"), out)
        code, rest = boot.finish(timeout=60)
        s.case("ends_at_the_end_of_input",
               has(rest, "monitor: end of input", "freed now", "power off (success)"), rest)
        s.case("exits_qemu_with_success", code == 33, "QEMU exit status %s" % code)
        s.case("ends_soon_after_the_input", time.monotonic() - t0 < 30,
               "%.1f s" % (time.monotonic() - t0))
    finally:
        boot.kill()
    return boot.log


def run_reboot(s, iso):
    boot = Boot(iso, "monitor")
    try:
        banner = boot.wait_for(PROMPT, BOOT_TIMEOUT)
        s.case("boots_to_the_prompt", banner is not None, banner)
        boot.command("kmalloc 32")
        boot.send(b"reboot\n")
        code, rest = boot.finish(timeout=60)
        s.case("reboot_reports_and_resets", has(rest, "freed now", "resetting the machine"), rest)
        # -no-reboot: a reset ends QEMU with status 0.
        s.case("qemu_exits_on_the_reset", code == 0, "QEMU exit status %s" % code)
    finally:
        boot.kill()
    return boot.log


def main(argv):
    glob = argv[1] if len(argv) > 1 and argv[1] else os.environ.get("TESTS") or "*"
    alts = [g for g in glob.split(",") if g]
    names = [n for n in ("monitor", "monitor_script", "monitor_reboot")
             if any(fnmatch.fnmatchcase(n, g) for g in alts)]
    print("KTAP version 1")
    print("1..%d" % len(names), flush=True)
    if not names:
        print("# no suite matches '%s'" % glob)
        print("# Totals: pass:0 fail:0 skip:0 total:0")
        return 0
    iso = find_iso()
    why = None
    if not iso:
        why = "no ISO (build/kernel-test.iso: make test-iso, or set MONITOR_ISO)"
    elif not shutil.which("qemu-system-x86_64"):
        why = "qemu-system-x86_64 is not installed"
    totals = [0, 0, 0]
    for number, name in enumerate(names, 1):
        s = Suite(name)
        if why:
            s.case(name, True, skip=why)
        elif name == "monitor":
            boot = Boot(iso, "monitor")
            try:
                run_interactive(s, boot)
            except (BrokenPipeError, OSError) as e:
                s.case("qemu_kept_running", False, "QEMU went away: %s" % e)
            finally:
                boot.kill()
            sys.stderr.write(boot.log.decode("utf-8", "replace"))
        elif name == "monitor_script":
            sys.stderr.write(run_script(s, iso).decode("utf-8", "replace"))
        else:
            sys.stderr.write(run_reboot(s, iso).decode("utf-8", "replace"))
        p, f, k = s.emit(number)
        totals = [totals[0] + p, totals[1] + f, totals[2] + k]
    print("# Totals: pass:%d fail:%d skip:%d total:%d" % (totals[0], totals[1], totals[2],
                                                         sum(totals)), flush=True)
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
