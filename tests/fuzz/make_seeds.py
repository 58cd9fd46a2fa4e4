#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py - write the fuzzers' seeds.

    python3 tests/fuzz/make_seeds.py DIR      write them under DIR/<name>/

tests/fuzz/fuzz.mk runs it into build/fuzz/seeds/ before the fuzzers run
(nothing generated is kept in git). Deterministic: the same files every
time. Each seed is a small input that means something: a machine QEMU
really describes, or one of each oddity a harness must handle. Their
encodings are documented at the top of the harnesses
(tests/fuzz/fuzz_<name>.c); the functions below follow those comments
field by field.

The real data is embedded as hex: GRUB 2.06's multiboot2 information block
of a QEMU boot with -m 512M (QEMU_GRUB_512M, dumped with the QEMU
monitor's pmemsave at the address the kernel's boot log names) and the
ACPI tables of the same boot (QEMU_RSDT, QEMU_MADT, ...).

Python 3 standard library only.
"""

import os
import struct
import sys

SEEDS = None  # the output directory (main)


def write(name, fname, data):
    d = os.path.join(SEEDS, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def u8(v):
    return struct.pack("<B", v & 0xff)


def u16(v):
    return struct.pack("<H", v & 0xffff)


def u32(v):
    return struct.pack("<I", v & 0xffffffff)


def u64(v):
    return struct.pack("<Q", v & 0xffffffffffffffff)


# ---------------------------------------------------------------------------
# memmap (fuzz_memmap.c)
# ---------------------------------------------------------------------------

MM_TYPE_SEL = {1: 0, 2: 3, 3: 4, 4: 5, 5: 6}   # type -> t & 7


def mm_entry(base, length, typ, shift=12):
    """An entry in units of 2^shift bytes plus 256-byte jitter, or raw when it does not fit."""
    unit = 1 << shift
    bu, br = divmod(base, unit)
    lu, lr = divmod(length, unit)
    if (typ in MM_TYPE_SEL and br % 256 == 0 and lr % 256 == 0 and br // 256 < 16
            and lr // 256 < 16 and bu < 2**32 and lu < 2**32):
        return (u8(MM_TYPE_SEL[typ]) + u32(bu) + u32(lu)
                + u8((br // 256) | ((lr // 256) << 4)))
    return u8(0x80) + u64(base) + u64(length) + u32(typ)


def mm_seed(entries, phys_bits=40, cap_kib=0, max_out=0, shift=12, basic=None,
            kernel=(0x100000, 0x10a000), mbi=(0x354760, 1640), modules=(), ops=b""):
    out = u8(phys_bits) + u32(cap_kib) + u8(max_out) + u8(shift) + u8(len(entries))
    out += u8(1 if basic else 0)
    if basic:
        out += u32(basic[0]) + u32(basic[1])
    out += u32(kernel[0] >> shift) + u16((kernel[1] - kernel[0]) >> shift)
    out += u32(mbi[0]) + u16(mbi[1])
    out += u8(len(modules))
    for s, e in modules:
        out += u32(s) + u32(e)
    for e in entries:
        out += mm_entry(*e, shift=shift)
    return out + ops


def mm_alloc(size_units, align_sel, start_units=0, end_units=0):
    return u8(0) + u32(size_units) + u8(align_sel) + u32(start_units) + u32(end_units)


def mm_range_op(kind, base_units, size_units, owner=0):
    op = u8(kind) + u32(base_units) + u32(size_units)
    return op + (u8(owner) if kind == 1 else b"")


def mm_query(base_units, size_units, shift_down=0):
    return u8(5) + u32(base_units) + u32(size_units) + u8(shift_down)


# The map SeaBIOS gives QEMU's pc machine with -m 512M (QEMU 7.1+: the HyperTransport
# hole [0xfd00000000, 1 TiB) reserved), from the kernel's boot log.
QEMU_512M = [
    (0x0, 0x9fc00, 1),
    (0x9fc00, 0x400, 2),
    (0xf0000, 0x10000, 2),
    (0x100000, 0x1fee0000, 1),
    (0x1ffe0000, 0x20000, 2),
    (0xfffc0000, 0x40000, 2),
    (0xfd00000000, 0x300000000, 2),
]

# -m 6G with the older layout: RAM split by the PCI hole, the rest above 4 GiB.
QEMU_6G = [
    (0x0, 0x9fc00, 1),
    (0x9fc00, 0x400, 2),
    (0xf0000, 0x10000, 2),
    (0x100000, 0xbfee0000, 1),
    (0xbffe0000, 0x20000, 2),
    (0xfeffc000, 0x4000, 2),
    (0xfffc0000, 0x40000, 2),
    (0x100000000, 0x140000000, 1),
]

# Everything a firmware map can do wrong, once each.
NASTY = [
    (0x100000, 0x800000, 1),            # 1-9 MiB RAM
    (0x0, 0x9fc00, 1),                  # unsorted
    (0x400000, 0x1000, 2),              # reserved inside RAM: reserved wins
    (0x900000, 0x100000, 1),            # touches the first: merged
    (0x880000, 0x100000, 1),            # overlaps it: merged
    (0x2000000, 0, 1),                  # zero length
    (0x3000800, 0x2800, 1),             # unaligned both ends
    (0x4000000, 0x1000000, 77),         # unknown type: treated as reserved
    (0x4800000, 0x1000000, 1),          # ... overlapping RAM
    (0x6000000, 0x100000, 5),           # bad RAM
    (0x6000000, 0x200000, 1),           # ... under RAM
    (0xfffffffffffff000, 0x2000, 1),    # wraps past 2^64
    (0x10000000000, 0x1000000, 1),      # beyond a 40-bit CPU
    (0x7000000, 0x1000000, 3),          # ACPI data
    (0x7000000, 0x1000000, 4),          # ACPI NVS on top of it
]


def memmap_seeds():
    ops = (mm_alloc(4, 22) + mm_alloc(1, 0) + mm_alloc(16, 13, 0x100, 0x1000)
           + mm_range_op(1, 0x300, 0x10, 1) + mm_range_op(2, 0x300, 0x8)
           + mm_alloc(0x100, 0, 0, 0x400) + mm_range_op(3, 0x1000, 0x100)
           + mm_range_op(4, 0x40000, 0x100) + mm_query(0x200, 0x10) + mm_query(0x0, 0x1)
           + mm_alloc(1, 41) + mm_alloc(0, 0))
    write("memmap", "qemu-512m", mm_seed(QEMU_512M, ops=ops))
    write("memmap", "qemu-6g-cap", mm_seed(QEMU_6G, phys_bits=36, cap_kib=5 << 20,
                                            kernel=(0x100000, 0x20a000),
                                            modules=[(0x400000, 0x480000)], ops=ops[:40]))
    write("memmap", "nasty", mm_seed(NASTY, phys_bits=40, max_out=6,
                                     modules=[(0x500000, 0x500000), (0x600000, 0x500000)],
                                     ops=ops))
    write("memmap", "basic-meminfo", mm_seed([], basic=(639, 130048),
                                             ops=mm_alloc(2, 12) + mm_query(0x100, 1)))


# ---------------------------------------------------------------------------
# acpi (fuzz_acpi.c)
# ---------------------------------------------------------------------------

# QEMU's pc machine (SeaBIOS), -m 512M -smp 2, read with pmemsave from the boot above:
# the RSDP GRUB copied into the information block (ACPI 1.0), the RSDT listing FACP,
# APIC, HPET and WAET, and the tables themselves (FACP left out: an unreadable entry).
QEMU_RSDP_PA = 0x354da8
QEMU_RSDP = bytes.fromhex("5253442050545220e7424f4348532000331bfe1f")
QEMU_RSDT_PA = 0x1ffe1b33
QEMU_RSDT = bytes.fromhex(
    "52534454340000000137424f434853204258504320202020010000004258504301000000"
    "df19fe1f531afe1fd31afe1f0b1bfe1f")
QEMU_MADT_PA = 0x1ffe1a53
QEMU_MADT = bytes.fromhex(
    "41504943800000000177424f4348532042585043202020200100000042585043010000000000e0fe"
    "0100000000080000010000000008010101000000010c00000000c0fe00000000020a000002000000"
    "0000020a0005050000000d00020a0009090000000d00020a000a0a0000000d00020a000b0b000000"
    "0d000406ff000001")
QEMU_HPET_PA = 0x1ffe1ad3
QEMU_HPET = bytes.fromhex(
    "485045543800000001b4424f43485320425850432020202001000000425850430100000001a28680"
    "000000000000d0fe0000000000000000")
QEMU_WAET_PA = 0x1ffe1b0b
QEMU_WAET = bytes.fromhex(
    "57414554280000000139424f43485320425850432020202001000000425850430100000002000000")
# The BIOS area around SeaBIOS's own RSDP (at 0xf59c0): 16 bytes before it, the RSDP,
# and the start of the SMBIOS entry point after it.
QEMU_BIOS_PA = 0xf59b0
QEMU_BIOS = bytes.fromhex(
    "000000000000000000000000000000005253442050545220e7424f4348532000331bfe1f"
    "0000000000000000000000005f534d5f")


def acpi_sum(b):
    return sum(b) & 0xff


def acpi_table(sig, body, oem=b"FUZZ  "):
    h = bytearray(sig + u32(36 + len(body)) + b"\x02\x00" + oem + b"FUZZTBL " + u32(1)
                  + b"FUZZ" + u32(1))
    t = h + body
    t[9] = (-acpi_sum(t)) & 0xff
    return bytes(t)


def acpi_rsdp(revision, rsdt, xsdt=0, oem=b"FUZZ  "):
    r = bytearray(b"RSD PTR " + b"\x00" + oem + u8(revision) + u32(rsdt))
    if revision >= 2:
        r += u32(36) + u64(xsdt) + b"\x00\x00\x00\x00"
    r[8] = (-acpi_sum(r[:20])) & 0xff
    if revision >= 2:
        r[32] = (-acpi_sum(r)) & 0xff
    return bytes(r)


def acpi_chunk(pa, data):
    return u32(pa) + u16(len(data)) + data


def acpi_input(flags, sig2, chunks):
    return u8(flags) + sig2 + b"".join(acpi_chunk(pa, d) for pa, d in chunks)


def madt_body():
    """A 2.0 machine with everything the parser reads, and everything it must skip."""
    e = b""
    e += bytes([0, 8, 0, 0]) + u32(1)                   # CPU 0
    e += bytes([0, 8, 1, 1]) + u32(1)                   # CPU 1
    e += bytes([0, 8, 2, 2]) + u32(0)                   # disabled
    e += bytes([0, 8, 3, 1]) + u32(1)                   # duplicate APIC id 1
    e += bytes([0, 8, 4, 0xff]) + u32(1)                # the broadcast id
    e += bytes([9, 16, 0, 0]) + u32(0x100) + u32(1) + u32(5)     # x2APIC CPU
    e += bytes([9, 16, 0, 0]) + u32(0x101) + u32(2) + u32(6)     # x2APIC online-capable only
    e += bytes([1, 12, 0, 0]) + u32(0xfec00000) + u32(0)         # I/O APIC
    e += bytes([2, 10, 0, 0]) + u32(2) + u16(0)                  # IRQ0 -> GSI 2
    e += bytes([2, 10, 0, 9]) + u32(9) + u16(0xd)                # SCI, level, active high
    e += bytes([4, 6, 0xff, 5, 0, 1])                            # LAPIC NMI
    e += bytes([10, 12, 0, 0]) + u32(0xffffffff) + bytes([1, 0, 0, 0])   # x2APIC NMI
    e += bytes([5, 12, 0, 0]) + u64(0xfee00000)                  # LAPIC address override
    e += bytes([0x7f, 4, 0, 0])                                  # unknown type
    return u32(0xfee00000) + u32(1) + e


def acpi_seeds():
    for t in (QEMU_RSDT, QEMU_MADT, QEMU_HPET, QEMU_WAET):
        assert len(t) == struct.unpack_from("<I", t, 4)[0] and acpi_sum(t) == 0
    assert acpi_sum(QEMU_RSDP) == 0 and QEMU_BIOS[16:36] == QEMU_RSDP
    qemu = [(QEMU_RSDP_PA, QEMU_RSDP), (QEMU_RSDT_PA, QEMU_RSDT), (QEMU_MADT_PA, QEMU_MADT),
            (QEMU_HPET_PA, QEMU_HPET), (QEMU_WAET_PA, QEMU_WAET)]
    write("acpi", "qemu-pc", acpi_input(1, b"HPET", qemu))
    write("acpi", "qemu-pc-scan", acpi_input(3, b"WAET",
                                             [(QEMU_BIOS_PA, QEMU_BIOS)] + qemu[1:3]))
    madt = acpi_table(b"APIC", madt_body())
    xsdt = acpi_table(b"XSDT", u64(0x3000) + u64(0) + u64(0x5000) + u64(0x2000))
    rsdt = acpi_table(b"RSDT", u32(0x2000))
    other = acpi_table(b"FACP", bytes(8))
    write("acpi", "xsdt", acpi_input(1, b"FACP", [
        (0xe0000, acpi_rsdp(2, 0x4000, 0x1000)), (0x1000, xsdt), (0x2000, madt),
        (0x3000, other), (0x4000, rsdt)]))
    # A bad XSDT checksum: the walk falls back to the RSDT (checksums left as given).
    bad = bytearray(xsdt)
    bad[9] ^= 0x55
    write("acpi", "xsdt-bad-fallback", acpi_input(0, b"APIC", [
        (0xe0000, acpi_rsdp(2, 0x4000, 0x1000)), (0x1000, bytes(bad)), (0x2000, madt),
        (0x4000, rsdt)]))


# ---------------------------------------------------------------------------
# cmdline (fuzz_cmdline.c): the line, then NUL-separated strings to look up
# ---------------------------------------------------------------------------

def cmdline_seeds():
    def seed(name, line, *extra):
        write("cmdline", name, line.encode() + b"".join(b"\0" + e.encode() for e in extra))
    seed("test-iso", "ktest=* mem=512M", "ktest", "mem", "nohugepages")
    seed("monitor", "monitor")
    seed("test-configs", "maxcpus=1 nohugepages slab_debug loglevel=8 pagesize=4k acpi=off "
         "nox2apic bench=smp-* halt_exit", "maxcpus", "loglevel", "pagesize", "acpi=off")
    seed("quoting", 'key="a b" "x=y z" =v "" mem=0x10000K mem=1T a==b\tc\r\nd "open',
         "key", "x", "mem", "a", "", "open")
    seed("too-many", " ".join("a%d=%d" % (i, i) for i in range(70)), "a63", "a64", "a0")
    # Longer than the parser's buffer (2047 bytes), cut inside its last argument.
    seed("too-long", " ".join("key%02d=value-of-argument-%02d-%s" % (i, i, "x" * 24)
                              for i in range(40)), "key39", "key38", "key00")
    seed("sizes", "s1=0 s2=18446744073709551615 s3=18446744073709551616 "
         "s4=0xffffffffffffffff s5=16777215T s6=16777216T s7=0x s8=12k s9=1Kb s10=-1 "
         "s11=0XfG s12=077", "1M", "0x10", "4294967296g", " 1")


# ---------------------------------------------------------------------------
# allocators (fuzz_allocators.c): programs of operations
# ---------------------------------------------------------------------------

def op(*b):
    return bytes(b)


def a_cpu(c): return op(0, c)
def a_alloc_pages(o, g=0): return op(1, o, g)
def a_free_pages(i, f=0): return op(2, i, f)
def a_bad_page(k, a=0, b=0): return op(3, k, a, b)
def a_kmalloc(h, s0, s1, s2, g=0): return op(4, h, s0, s1, s2, g)
def a_kfree(i, f=0): return op(5, i, f)
def a_bad_kfree(k, a0=0, a1=0): return op(6, k, a0, a1)
def a_krealloc(i, s0, s1, s2, g=0): return op(7, i, s0, s1, s2, g)
def a_cache_create(size, a=0, f=0): return op(8, size & 0xff, size >> 8, a, f)
def a_cache_alloc(c, f=0): return op(9, c, f)
def a_shrink(c): return op(10, c)
def a_destroy(c): return op(11, c)
def a_drain(d): return op(12, d)
def a_check(): return op(13)
def a_ksize(i): return op(14, i)

ZERO, COMP, NOWARN = 8, 16, 32
G_KERNEL, G_ATOMIC, G_DMA, G_DMA32 = 0, 1, 2, 3


def allocators_programs():
    """The allocators seeds, by name (fuzz_slab_debug.c runs the same programs)."""
    progs = {}
    # Every order, every zone choice, zeroed and compound blocks, frees on other CPUs,
    # one double free, an impossible order, the per-CPU lists drained.
    p = b""
    for o in range(11):
        p += a_cpu(o % 4) + a_alloc_pages(o, [G_KERNEL, G_DMA, G_DMA32, G_ATOMIC][o % 4]
                                          | (ZERO if o % 3 == 0 else 0)
                                          | (COMP if o % 4 == 1 else 0))
    p += a_alloc_pages(250, NOWARN) + a_check()
    p += a_cpu(1) + a_free_pages(3) + a_free_pages(0, 1) + a_cpu(2) + a_free_pages(5)
    p += a_drain(2) + a_drain(3) + a_check()
    # The other entry points: alloc_pages_info, __get_free_pages, get_zeroed_page,
    # free_pages; then the same with the trace on.
    q = (a_alloc_pages(2, 0x40 | G_DMA) + a_alloc_pages(4, 0x80) + a_alloc_pages(0, 0xc0)
         + a_free_pages(0, 2) + a_free_pages(1))
    p += q + op(15, 1) + q + op(15, 0)
    progs["pages"] = p

    # kmalloc of every kind of size, kzalloc and kcalloc, krealloc both ways and to 0,
    # ksize, zero size, impossible sizes, DMA, frees (one doubled) on other CPUs.
    p = b""
    for s2 in range(1, 7):
        p += a_kmalloc(0, 0x21, 0x03, s2) + a_kmalloc(1, 0x40, 0x01, s2, ZERO)
    p += a_kmalloc(2, 0x05, 0x11, 3) + a_kmalloc(0, 0, 0, 0) + a_kmalloc(0, 1, 2, 7)
    p += a_kmalloc(2, 1, 2, 15) + a_kmalloc(0, 0x10, 0, 2, G_DMA) + a_kmalloc(0, 9, 0, 4, G_DMA32)
    p += a_krealloc(0, 0x40, 0x00, 4) + a_krealloc(1, 0x02, 0x00, 1) + a_krealloc(2, 0, 0, 0)
    p += a_krealloc(3, 0x10, 0x20, 5, ZERO) + a_ksize(4) + a_ksize(5)
    p += a_cpu(3) + a_kfree(0) + a_kfree(1, 1) + a_cpu(1) + a_kfree(2) + a_drain(0) + a_check()
    p += a_kmalloc(3, 0x21, 0, 2) + a_kmalloc(3, 0, 0x40, 5) + a_kmalloc(3, 0, 0, 0)
    progs["kmalloc"] = p

    # Caches: a constructor, SLAB_HWCACHE_ALIGN, a page alignment, refused requests;
    # objects freed through their cache and through kfree; destroy refused while objects
    # live, then done; shrink.
    p = a_cache_create(24, 0, 8) + a_cache_create(200, 0, 1) + a_cache_create(1500, 9, 0)
    p += a_cache_create(0) + a_cache_create(100, 11) + a_cache_create(64, 0, 0x80)
    for i in range(12):
        p += a_cpu(i % 3) + a_cache_alloc(i % 3, 1 if i % 5 == 0 else 0)
    p += a_kfree(0, 2) + a_kfree(1) + a_kfree(2, 3) + a_destroy(0) + a_shrink(1)
    for i in range(9):
        p += a_kfree(0, 2)
    p += a_destroy(0) + a_destroy(0) + a_destroy(0) + a_drain(1) + a_check()
    p += a_cache_create(72, 0, 8) + a_cache_alloc(0, 8) + a_cache_alloc(0, 12) + a_kfree(0, 2)
    progs["caches"] = p

    # One of each bad operation, with live blocks and objects to aim at.
    p = (a_alloc_pages(3) + a_alloc_pages(0) + a_alloc_pages(2, COMP) + a_kmalloc(0, 100, 0, 2)
         + a_kmalloc(0, 0, 0x40, 5) + a_cache_create(48) + a_cache_alloc(0))
    for k in range(6):
        p += a_bad_page(k, 0x23 if k == 1 else 0x11 * (k + 1), 0x23)
    for k in range(8):
        p += a_bad_kfree(k, 0x35, 0x01)
    p += a_check()
    progs["bad-operations"] = p
    return progs


def allocators_seeds():
    for name, p in allocators_programs().items():
        write("allocators", name, p)


# ---------------------------------------------------------------------------
# slab_debug (fuzz_slab_debug.c): the allocators' programs in a slab_debug world,
# plus opcode 16, corrupt k i n s bytes... (far: s counts from the range's other edge)
# ---------------------------------------------------------------------------

def d_write(kind, i, data, s, far):
    return op(16, kind | (8 if far else 0), i, len(data) - 1, s) + bytes(data)
def d_right(i, data, s=0, far=False): return d_write(0, i, data, s, far)
def d_left(i, data, s=0, far=False): return d_write(1, i, data, s, far)
def d_uaf(i, data, s=0, by_cache=False, far=False):
    return d_write(6 if by_cache else 2, i, data, s, far)
def d_flush(i): return op(16, 3, i, 0, 0)


def kmalloc_small(n):
    """kmalloc(n) for 1 <= n <= 64 (decode_size: s2 % 8 = 1, 1 + s0 % 64)."""
    return a_kmalloc(0, n - 1, 0, 1)


def slab_debug_seeds():
    # Clean runs, and the bad frees, as the allocators fuzzer makes them.
    for name, p in allocators_programs().items():
        write("slab_debug", name, p)

    # Past the end: into kmalloc(13)'s slack (byte 13), into kmalloc(16)'s right red
    # zone, through a slack into the red zone (two reports), the red zone's last byte, a
    # cache's object; slab_check sees each until the frees report them.
    p = kmalloc_small(13) + kmalloc_small(16) + kmalloc_small(13) + kmalloc_small(24)
    p += d_right(0, [0]) + d_right(1, [1, 2, 3, 4]) + d_right(2, [0] * 8)
    p += d_right(3, [0], 0, True) + a_check()
    p += a_kfree(0) + a_kfree(0) + a_kfree(0) + a_kfree(0) + a_check()
    p += a_cache_create(24) + a_cache_alloc(0) + d_right(0, [0x41], 2) + a_check() + a_kfree(0, 2)
    write("slab_debug", "overflow", p)

    # Before the start: one byte, the whole left red zone, its first byte, a cache
    # aligned to 64.
    p = kmalloc_small(64) + kmalloc_small(64) + kmalloc_small(32)
    p += d_left(0, [0]) + d_left(1, [0x11] * 16) + d_left(2, [0], 0, True) + a_check()
    p += a_kfree(0) + a_kfree(0) + a_kfree(0)
    p += a_cache_create(100, 0, 1) + a_cache_alloc(0) + d_left(0, [0xcc, 7], 3) + a_kfree(0, 2)
    write("slab_debug", "underflow", p)

    # Use after free: caught by slab_check, then when handed out (by kmalloc, or by a
    # flush); one left for the end of the program; one through kmem_cache_free; one in
    # a cache with a constructor (never poisoned: no report).
    p = kmalloc_small(64) * 4
    p += d_uaf(0, [1, 2, 3, 4], 5) + a_check() + kmalloc_small(64) + kmalloc_small(64)
    p += d_flush(0) + d_uaf(1, [0], 63) + d_uaf(2, [0], 1, far=True) + a_check()
    p += a_cache_create(48) + a_cache_alloc(0) * 3 + d_uaf(4, [9], 0, True) + a_check()
    p += a_cache_alloc(0) + a_cache_create(32, 0, 8) + a_cache_alloc(1) * 3 + d_uaf(9, [5] * 8, 1)
    write("slab_debug", "use-after-free", p)

    # krealloc and ksize move kmalloc's red zone: a write to byte 13 of kmalloc(13) is
    # no damage once it is krealloc'd to 14 in place; the overflow after it is reported
    # when krealloc moves the object; after ksize the slack is the caller's.
    p = kmalloc_small(13) + d_right(0, [0]) + a_krealloc(0, 13, 0, 1)
    p += d_right(0, [9, 9, 9]) + a_krealloc(0, 99, 0, 2) + a_ksize(0) + d_right(0, [1]) + a_kfree(0)
    p += kmalloc_small(20) + d_right(0, [7]) + a_ksize(0) + a_check() + a_kfree(0)
    write("slab_debug", "krealloc", p)

    # Double frees (kmalloc, a cache's through kmem_cache_free, a large block), an
    # interior pointer, an object freed to the wrong cache.
    p = kmalloc_small(40) + kmalloc_small(40) + a_kfree(0, 1)
    p += a_cache_create(56) + a_cache_alloc(0) + a_cache_alloc(0) + a_kfree(1, 3)
    p += a_bad_kfree(0, 0, 0) + a_bad_kfree(4, 1, 0) + a_kmalloc(0, 0, 0x40, 5) + a_kfree(2, 1)
    write("slab_debug", "double-free", p)


# ---------------------------------------------------------------------------
# vmm (fuzz_vmm.c): a page-size configuration, then programs of page-table calls,
# each field as the top of fuzz_vmm.c gives it
# ---------------------------------------------------------------------------

V_ALL, V_2M, V_4K = 0, 2, 3                   # configuration: the page sizes
V_GARBAGE, V_NO4K, V_INIT_FAILS, V_LIVE = 8, 16, 32, 64
G4K, G2M, G1G, G512G = 0, 1, 2, 3             # granules of ADDR and SIZE
J4K, J2M, J128 = 1, 2, 3                      # jitter units


def v_jit(kind=0, m=0):
    assert 0 <= m < 64
    return (m << 2) | kind


def v_addr(kind, c=0, g=G4K, j=0, neg=False, hi=0):
    """kind 0 scratch, 4 user, 5 end of the lower half, 6 upper half (hi=1: the top)."""
    return op(kind | (g << 3) | (0x20 if neg else 0) | (hi << 6), c, j)


def v_ext(c, which=0, j=0, neg=False):
    """Extent c % n of the model: which 0 start, 1 end, 2 middle, 3 last page."""
    return op(2 | (0x20 if neg else 0) | (which << 6), c, j)


def v_raw_addr(v):
    return op(7, 0, 0) + u64(v)


def v_size(c, g=G4K, j=0, neg=False):
    return op((g << 3) | (0x20 if neg else 0), c, j)


def v_size_ext(c, which=1, j=0, neg=False):
    return op(3 | (0x20 if neg else 0) | (which << 6), c, j)


def v_size_half(j=0, neg=False):
    return op(4 | (0x20 if neg else 0), 0, j)


def v_size_huge(i):
    return op(5, i, 0)


def v_size_odd(i):
    return op(6, i, 0)


def v_raw_size(v):
    return op(7, 0, 0) + u64(v)


def v_pa(mode=0, k=0, shifted=False, raw=None):
    """0 congruent to 1G, 3 to 2M, 4 to 4K, 5 the RAM window, 6 the MAXPHYADDR edge, 7 raw."""
    out = op(mode | (8 if shifted else 0), k)
    return out + (u64(raw) if mode == 7 else b"")


R, RW, RX, RG, RWNC, RXG = 1, 2, 3, 4, 5, 6
USER_IF_USER_HALF, USER, WX, UNKNOWN = 4 << 5, 5 << 5, 6 << 5, 7 << 5


def v_op(kind, inject=None, retry=False):
    o = kind | (8 if inject is not None else 0) | (16 if retry else 0)
    return op(o) + (op(inject) if inject is not None else b"")


def v_map(a, s, pa=None, prot=RW, **kw):
    return v_op(0, **kw) + a + s + (pa if pa is not None else v_pa()) + op(prot)


def v_unmap(a, s, **kw):
    return v_op(1, **kw) + a + s


def v_protect(a, s, prot, **kw):
    return v_op(2, **kw) + a + s + op(prot)


def v_guard(a, **kw):
    return v_op(3, **kw) + a


def v_translate(a):
    return v_op(4) + a


def v_walk(a, s, k=0):
    return v_op(5) + a + s + op(k)


def v_misc(m, **kw):
    return v_op(6, **kw) + op(m)


V_TOGGLE_LIVE, V_UNINIT, V_UNMAP_ALL, V_FULL_CHECK = 0, 1, 2, 3
KB, MB, GB = 1 << 10, 1 << 20, 1 << 30
SCRATCH = 0xffffc90000000000                  # VMM_SCRATCH_BASE
FAR_PA = 64 * GB                              # fuzz_vmm.c's FAR_PA


def vmm_seeds():
    # A 2 MiB page split by a hole, part of it reprotected, translated around, unmapped.
    p = v_map(v_addr(0, 1, G2M), v_size(1, G2M), v_pa(0), RW)
    p += v_unmap(v_addr(0, 1, G2M, v_jit(J4K, 3)), v_size(2))
    p += v_protect(v_addr(0, 1, G2M, v_jit(J4K, 8)), v_size(1), RX)
    p += v_translate(v_addr(0, 1, G2M, v_jit(J4K, 4))) + v_translate(v_ext(0, 3))
    p += v_unmap(v_addr(0, 1, G2M), v_size(1, G2M)) + v_misc(V_FULL_CHECK)
    write("vmm", "split-2m", op(V_ALL) + p)

    # A 1 GiB page: a hole (1G -> 2M -> 4K), one 4K page reprotected, the same protection
    # on part of it (no split), a 2M-aligned part, a guard page, then all of it unmapped.
    p = v_map(v_addr(0, 1, G1G), v_size(1, G1G), v_pa(0, 2), RW)
    p += v_unmap(v_addr(0, 1, G1G, v_jit(J2M, 5)), v_size(2))
    p += v_protect(v_raw_addr(SCRATCH + GB + 6 * MB + 4 * KB), v_size(1), RX)
    p += v_protect(v_addr(0, 1, G1G, v_jit(J4K, 4)), v_size(3), RW)
    p += v_protect(v_addr(0, 1, G1G, v_jit(J2M, 8)), v_size(2, G2M), RWNC)
    p += v_guard(v_addr(0, 1, G1G, v_jit(J2M, 40)))
    p += v_walk(v_addr(0, 1, G1G), v_size(8, G2M), 20)
    p += v_unmap(v_addr(0, 1, G1G), v_size(1, G1G))
    write("vmm", "split-1g", op(V_ALL) + p)

    # Two 1 GiB pages, a protect across the boundary between them, unaligned at both ends
    # (four splits), again with the same protection (none), then extent-relative cuts.
    lo = SCRATCH + 2 * GB - 6 * MB - 12 * KB
    p = v_map(v_addr(0, 1, G1G), v_size(2, G1G), v_pa(0, 1), RW)
    p += v_protect(v_raw_addr(lo), v_raw_size(12 * MB + 28 * KB), R)
    p += v_protect(v_raw_addr(lo), v_raw_size(12 * MB + 28 * KB), R)
    p += v_protect(v_ext(0, 2), v_size_ext(5, 2, v_jit(J4K, 9)), RG)
    p += v_unmap(v_ext(3, 0, v_jit(J4K, 1)), v_size_ext(3, 1, v_jit(J4K, 1), neg=True))
    p += v_misc(V_FULL_CHECK) + v_misc(V_UNMAP_ALL)
    write("vmm", "protect-1g-part", op(V_LIVE) + p)

    # Table pages failing part-way: a map that needs three (every count short of it fails,
    # one retried), a hole in a 1G page (two splits), a protect and a guard page likewise.
    start = SCRATCH + GB - 6 * MB - 12 * KB
    size = 12 * MB + 28 * KB
    p = v_map(v_addr(0, 2), v_size(1), v_pa(0))
    for n in range(3):
        p += v_map(v_raw_addr(start), v_raw_size(size), v_pa(0), RW, inject=n, retry=(n == 2))
    p += v_map(v_addr(0, 4, G1G), v_size(1, G1G), v_pa(0), R)
    for n in range(3):
        p += v_unmap(v_addr(0, 4, G1G, v_jit(J2M, 3)), v_size(1), inject=n)
    p += v_protect(v_addr(0, 4, G1G, v_jit(J2M, 9)), v_size(1), RW, inject=0, retry=True)
    p += v_guard(v_addr(0, 4, G1G, v_jit(J2M, 20)), inject=0)
    p += v_guard(v_raw_addr(SCRATCH + 4 * GB + 6 * MB + 8 * KB), inject=0)   # no split
    p += v_misc(V_UNMAP_ALL, inject=0)
    write("vmm", "fail-inject", op(V_ALL | V_INIT_FAILS) + p)

    # The ends of the canonical halves, refused arguments of every kind.
    p = v_map(v_addr(5, 1), v_size(1), v_pa(4, 1), R)               # last page of the lower half
    p += v_map(v_addr(5, 1), v_size(2), v_pa(4, 3), R)              # ... and past it: refused
    p += v_map(v_addr(6, 1, G1G, hi=1), v_size_half(), v_pa(0, 3), RXG)   # the top 1G page
    p += v_unmap(v_addr(6, 1, hi=1), v_size(1))                     # a hole at its very end
    p += v_protect(v_addr(6, 1, G2M, hi=1), v_size_half(), RG)
    p += v_map(v_addr(6, 0, G4K), v_size(1, G2M), v_pa(0), RW)      # start of the upper half
    p += v_map(v_raw_addr(1 << 47), v_size(1), v_pa(0), R)          # not canonical
    p += v_map(v_addr(0, 9), v_size(1), v_pa(0), R | WX)            # W^X
    p += v_map(v_addr(0, 9), v_size(1), v_pa(0), R | USER)          # VM_USER in the kernel half
    p += v_map(v_addr(0, 9), v_size(1), v_pa(0), R | UNKNOWN)
    p += v_map(v_addr(0, 9, j=v_jit(J128, 16)), v_size(1), v_pa(0), R)   # va unaligned
    p += v_map(v_addr(0, 9), v_size(1), v_pa(7, raw=FAR_PA + 0x800), R)
    for i in range(8):
        p += v_map(v_addr(0, 9), v_size_odd(i), v_pa(0), R)
        p += v_unmap(v_addr(0, 9), v_size_huge(i))
    p += v_map(v_addr(0, 12), v_size(3, G2M), v_pa(6, 0), R)        # ends at MAXPHYADDR
    p += v_map(v_addr(0, 16), v_size(3, G2M), v_pa(6, 2), R)        # a page past it
    p += v_protect(v_addr(6, 0, G4K), v_size(2, G2M), R)            # a hole: -ENOENT
    p += v_map(v_addr(4, 1, G1G), v_size(1, G1G), v_pa(0), RW | USER)    # user half
    p += v_guard(v_raw_addr(0x0000800000000123))
    p += v_translate(v_raw_addr((1 << 64) - 1)) + v_misc(V_UNINIT)
    p += v_walk(v_addr(6, 1, G4K, hi=1), v_size(0)) + v_misc(V_UNMAP_ALL)
    write("vmm", "edges", op(V_ALL | V_LIVE) + p)

    # Guard pages in RAM the harness owns: PG_guard on exactly the frames unmapped.
    p = v_map(v_addr(0, 1, G2M), v_size(1, G2M), v_pa(5), RW)
    p += v_guard(v_raw_addr(SCRATCH + 2 * MB + 5 * 4 * KB + 12))
    p += v_guard(v_addr(0, 1, G2M, v_jit(J4K, 5)))
    p += v_map(v_addr(0, 3, G2M, v_jit(J4K, 3)), v_size(7), v_pa(5, 9, shifted=True), R)
    p += v_guard(v_ext(1, 2)) + v_guard(v_ext(1, 3)) + v_misc(V_UNMAP_ALL)
    write("vmm", "guard-window", op(V_2M) + p)

    # The same kind of program with 4K pages only and with 2M but not 1G pages.
    p = v_map(v_addr(0, 1, G2M, v_jit(J4K, 7)), v_size(3, G2M), v_pa(0), RW)
    p += v_unmap(v_ext(0, 2), v_size(5)) + v_protect(v_ext(0, 0), v_size(250), RX)
    p += v_map(v_addr(0, 1, G1G), v_size(3, G1G), v_pa(0), R)
    p += v_protect(v_addr(0, 1, G1G, v_jit(J2M, 1)), v_size(1), RW)
    p += v_walk(v_ext(2), v_size_ext(2, 1), 3) + v_misc(V_FULL_CHECK)
    write("vmm", "sizes-4k", op(V_4K | V_GARBAGE) + p)
    write("vmm", "sizes-2m", op(V_2M | V_NO4K) + p)

    # Leaf walks: from inside a leaf, stopped part-way, backwards (start > last).
    p = v_map(v_addr(0, 1, G1G), v_size(1, G1G), v_pa(0), R)
    p += v_map(v_addr(0, 2, G1G, v_jit(J4K, 5)), v_size(9, G2M), v_pa(0), RW)
    p += v_unmap(v_addr(0, 1, G1G, v_jit(J2M, 7)), v_size(1))
    p += v_walk(v_addr(0, 1, G1G, v_jit(J128, 45)), v_size(40, G2M), 0)
    p += v_walk(v_addr(0, 1, G1G, v_jit(J2M, 6)), v_size(200), 100)
    p += v_walk(v_addr(0, 2, G1G, v_jit(J4K, 7)), v_size(0, j=v_jit(J4K, 2), neg=True), 0)
    write("vmm", "walk", op(V_ALL) + p)

    # Many mappings in both halves, live and not, then everything unmapped at once.
    p = b""
    for i in range(6):
        g = [G4K, G2M, G1G]
        p += v_map(v_addr(0, 3 * i + 1, g[i % 3], v_jit(J4K, i)), v_size(5 + i, g[(i + 1) % 3]),
                   v_pa(i % 5, i), [R, RW, RX][i % 3])
        p += v_map(v_addr(4, i + 1, G1G), v_size(i + 1, G2M), v_pa(0), RW | USER_IF_USER_HALF)
        if i == 2:
            p += v_misc(V_TOGGLE_LIVE)
    p += v_misc(V_UNMAP_ALL) + v_misc(V_FULL_CHECK)
    p += v_map(v_addr(0, 1, G1G), v_size(1, G1G), v_pa(0), RW)      # destroyed with it mapped
    write("vmm", "unmap-all", op(V_ALL | V_GARBAGE | V_NO4K) + p)


# ---------------------------------------------------------------------------
# multiboot2 (fuzz_multiboot2.c): the raw block
# ---------------------------------------------------------------------------

def mb2_tag(typ, payload):
    t = u32(typ) + u32(8 + len(payload)) + payload
    return t + bytes(-len(t) % 8)


QEMU_GRUB_512M = bytes.fromhex(
    "6806000000000000150000000c000000000010000000000001000000100000006d6f6e69746f7200"
    "020000001d0000004752554220322e30362d31332b64656231327532000000000a0000001c000000"
    "020100f098d1000000f000f00300f0fff0fff0ff0000000006000000b80000001800000000000000"
    "000000000000000000fc090000000000010000000000000000fc0900000000000004000000000000"
    "020000000000000000000f0000000000000001000000000002000000000000000000100000000000"
    "0000ee1f0000000001000000000000000000fe1f0000000000000200000000000200000000000000"
    "0000fcff000000000000040000000000020000000000000000000000fd0000000000000003000000"
    "020000000000000009000000d4040000130000004000000012000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000001b000000010000000200000000000000000010000000000000100000"
    "00000000180000000000000000000000000000000800000000000000000000000000000026000000"
    "01000000060000000000000018001000000000001810000000000000a40300000000000000000000"
    "00000000080000000000000000000000000000002c00000001000000060000000000000000101080"
    "ffffffff002000000000000000300400000000000000000000000000100000000000000000000000"
    "000000003200000001000000020000000000000000401480ffffffff005004000000000000d00100"
    "000000000000000000000000200000000000000000000000000000003a0000000100000003000000"
    "0000000000101680ffffffff002006000000000000b0000000000000000000000000000040000000"
    "0000000000000000000000004000000008000000030000000000000000c01680ffffffff00d00600"
    "0000000000e009000000000000000000000000000010000000000000000000000000000045000000"
    "01000000000000000000000000a020000000000000d00600000000003b3009000000000000000000"
    "00000000010000000000000000000000000000005100000001000000000000000000000040d02900"
    "000000003b0010000000000059020100000000000000000000000000010000000000000000000000"
    "000000005f000000010000000000000000000000a0d22a00000000009402110000000000e0600400"
    "000000000000000000000000010000000000000000000000000000006f0000000100000000000000"
    "0000000080332f00000000008063150000000000800c000000000000000000000000000010000000"
    "0000000000000000000000007e00000001000000000000000000000000402f000000000000701500"
    "000000009da10000000000000000000000000000010000000000000000000000000000008e000000"
    "010000000000000000000000a0e12f00000000009d1116000000000088b903000000000000000000"
    "00000000010000000000000000000000000000009a000000010000003000000000000000309b3300"
    "0000000025cb19000000000057700000000000000000000000000000010000000000000001000000"
    "00000000a5000000010000003000000000000000bc031000000000007c3b1a000000000083070000"
    "00000000000000000000000001000000000000000100000000000000b50000000100000000000000"
    "00000000900b34000000000000431a0000000000008d000000000000000000000000000008000000"
    "00000000000000000000000001000000020000000000000000000000909834000000000000d01a00"
    "00000000986700000000000011000000ec0200000800000000000000180000000000000009000000"
    "030000000000000000000000300035000000000098371b00000000002a4700000000000000000000"
    "0000000001000000000000000000000000000000110000000300000000000000000000003f0b1000"
    "00000000c27e1b0000000000c2000000000000000000000000000000010000000000000000000000"
    "000000000000000004000000100000007f02000080fb07000500000014000000e0000000ffffffff"
    "ffffffff00000000080000002000000000800b0000000000a0000000500000001900000010020000"
    "0e0000001c0000005253442050545220e7424f4348532000331bfe1f000000000000000008000000")


def multiboot2_seeds():
    """GRUB's real block, and one with every tag the parser reads (a loader
    with a module and ACPI 2.0), odd sizes and unknown tags in between."""
    write("multiboot2", "qemu-grub-512m.bin", QEMU_GRUB_512M)
    mmap = u32(24) + u32(0)
    for base, length, typ in QEMU_512M:
        mmap += u64(base) + u64(length) + u32(typ) + u32(0)
    rsdp_new = acpi_rsdp(2, 0x1ffe1b33, 0x1ffe1000)
    body = (mb2_tag(1, b"ktest=* mem=512M\0") + mb2_tag(2, b"GRUB 2.06\0")
            + mb2_tag(3, u32(0x400000) + u32(0x480000) + b"initrd.img\0")
            + mb2_tag(4, u32(639) + u32(523136)) + mb2_tag(8, bytes(12))
            + mb2_tag(6, mmap) + mb2_tag(15, rsdp_new) + mb2_tag(14, QEMU_RSDP)
            + mb2_tag(21, u32(0x100000)) + mb2_tag(0, b""))
    write("multiboot2", "every-tag.bin", u32(8 + len(body)) + u32(0) + body)


def main(argv):
    global SEEDS
    if len(argv) != 1:
        sys.stderr.write("usage: make_seeds.py DIR\n")
        return 2
    SEEDS = argv[0]
    multiboot2_seeds()
    memmap_seeds()
    acpi_seeds()
    cmdline_seeds()
    allocators_seeds()
    slab_debug_seeds()
    vmm_seeds()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
