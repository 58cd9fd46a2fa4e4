#!/usr/bin/env python3
"""tools/mempictures.py - pictures of the kernel's memory from `memdump` lines.

    tools/mempictures.py build/pictures/serial.log -o build/pictures
    tools/mempictures.py --check serial.log        # parse and verify only

The kernel prints a memdump (mm/page_census.c) on the monitor's `memdump`
command and after each phase of the `pictures` scenario (kernel/pictures.c,
`make pictures`). This reads every dump in a serial log (printk timestamps and
CR are ignored) and writes plain SVG files, no libraries needed:

  map-NN-<label>.svg   physical memory, one pixel per page (or per 2^k pages
                       on big machines), coloured by use; free pages by the
                       order of their free block; zone boundaries marked
  freeblocks.svg       for each dump, the free pages of each zone by block order
  slabs-NN-<label>.svg each slab cache's memory: objects in use, objects parked
                       on per-CPU arrays, free objects in slabs, slab tail waste
  fragmentation.svg    the unusable free space index of each order, dump by dump
  index.html           all of the above on one page, with what to look for

Each dump is checked before it is drawn: its map must cover every page frame
exactly once and agree with the totals line; a bad dump is an error (exit 1).
Python 3 standard library only.

The memdump format (one line each, after "memdump "):
  begin <seq> <label>
  machine max_pfn=<n> page_size=<n> cpus=<n>
  zone <name> start=<pfn> end=<pfn> managed=<n> free=<n> pcp=<n> min=<n> low=<n> high=<n>
  buddy <zone> <free blocks of order 0> ... <order 10>
  unusable <zone> <unusable free space index per mille, order 0> ... <order 10>
  pages <use>=<pages> ...            (hole kernel mem_map reserved free pcp slab
                                      kmalloc_large pagetable allocated unknown)
  map <first pfn> <count><code> ...  run-length map of every page's use code:
                                      0-9,A free block of order 0-10, c per-CPU list,
                                      S slab, L kmalloc-large, P page table,
                                      a other allocation, K kernel, M mem_map,
                                      R reserved, . no RAM, ? unknown
  slab <name> <objsize> <inuse> <total> <cached on CPUs> <partial> <full> <empty> <pages>
  end <seq>
"""

import argparse
import base64
import html
import os
import re
import struct
import sys
import zlib

MAX_ORDER = 10
PREFIX_RE = re.compile(r"^(?:\[\s*\d+\.\d+\]\s*)?memdump (.*)$")
RUN_RE = re.compile(r"^(\d+)([0-9A-Za-z.?])$")

# Codes -> (name, colour). Free blocks get a ramp from pale (order 0) to deep (order 10).
USE = {
    "c": ("per-CPU list (free)", "#9ecae1"),
    "S": ("slab", "#fd8d3c"),
    "L": ("kmalloc-large", "#9e9ac8"),
    "P": ("page tables", "#e31a1c"),
    "a": ("other allocation", "#3182bd"),
    "K": ("kernel image", "#252525"),
    "M": ("mem_map", "#636363"),
    "R": ("reserved", "#969696"),
    ".": ("no RAM", "#ffffff"),
    "?": ("unknown", "#ff00ff"),
}
FREE_RAMP = ["#f7fcb9", "#e5f5a6", "#d9f0a3", "#c2e699", "#addd8e", "#8ccf7e", "#78c679",
             "#5ab561", "#41ab5d", "#238443", "#005a32"]
ORDER_CODES = "0123456789A"
PAGES_KEYS = {"hole": ".", "kernel": "K", "mem_map": "M", "reserved": "R", "pcp": "c",
              "slab": "S", "kmalloc_large": "L", "pagetable": "P", "allocated": "a",
              "unknown": "?"}


def colour(code):
    if code in ORDER_CODES:
        return FREE_RAMP[ORDER_CODES.index(code)]
    return USE.get(code, ("?", "#ff00ff"))[1]


class DumpError(Exception):
    pass


class Dump:
    def __init__(self, seq, label):
        self.seq = seq
        self.label = label
        self.max_pfn = None
        self.page_size = 4096
        self.cpus = None
        self.zones = []          # dicts: name, start, end, managed, free, pcp, min, low, high
        self.buddy = {}          # zone -> [blocks per order]
        self.unusable = {}       # zone -> [per mille per order]
        self.pages = {}          # use name -> pages
        self.runs = []           # (pfn, count, code)
        self.slabs = []          # dicts
        self.complete = False

    @property
    def slug(self):
        return "%02d-%s" % (self.seq, re.sub(r"[^A-Za-z0-9_-]+", "_", self.label) or "dump")

    def check(self):
        """Every page frame exactly once; the map agrees with the totals line."""
        if not self.complete:
            raise DumpError("dump %d (%s) has no end line" % (self.seq, self.label))
        if self.max_pfn is None:
            raise DumpError("dump %d: no machine line" % self.seq)
        pfn = 0
        counts = {}
        for start, count, code in self.runs:
            if start != pfn:
                raise DumpError("dump %d: map run at pfn %d, expected %d (gap or overlap)"
                                % (self.seq, start, pfn))
            pfn += count
            key = "free" if code in ORDER_CODES else code
            counts[key] = counts.get(key, 0) + count
        if pfn != self.max_pfn:
            raise DumpError("dump %d: the map covers %d page frames, max_pfn is %d"
                            % (self.seq, pfn, self.max_pfn))
        for name, pages in self.pages.items():
            key = "free" if name == "free" else PAGES_KEYS.get(name)
            if key is None:
                continue
            if counts.get(key, 0) != pages:
                raise DumpError("dump %d: the map has %d pages of %s, the totals say %d"
                                % (self.seq, counts.get(key, 0), name, pages))
        for z in self.zones:
            blocks = self.buddy.get(z["name"], [])
            if sum(n << o for o, n in enumerate(blocks)) != z["free"]:
                raise DumpError("dump %d: zone %s: buddy counts do not add up to free=%d"
                                % (self.seq, z["name"], z["free"]))


def kv(words):
    out = {}
    for w in words:
        k, _, v = w.partition("=")
        out[k] = int(v) if v.isdigit() else v
    return out


def parse(lines):
    """Return the complete dumps found in the log, in order."""
    dumps = []
    cur = None
    for raw in lines:
        m = PREFIX_RE.match(raw.replace("\r", "").strip())
        if not m:
            continue
        words = m.group(1).split()
        if not words:
            continue
        kind, rest = words[0], words[1:]
        if kind == "begin":
            cur = Dump(int(rest[0]), " ".join(rest[1:]))
            continue
        if cur is None:
            continue
        if kind == "machine":
            d = kv(rest)
            cur.max_pfn, cur.page_size, cur.cpus = d["max_pfn"], d["page_size"], d.get("cpus")
        elif kind == "zone":
            d = kv(rest[1:])
            d["name"] = rest[0]
            cur.zones.append(d)
        elif kind == "buddy":
            cur.buddy[rest[0]] = [int(x) for x in rest[1:]]
        elif kind == "unusable":
            cur.unusable[rest[0]] = [int(x) for x in rest[1:]]
        elif kind == "pages":
            cur.pages = {k: int(v) for k, v in kv(rest).items()}
        elif kind == "map":
            pfn = int(rest[0])
            for tok in rest[1:]:
                r = RUN_RE.match(tok)
                if not r:
                    raise DumpError("dump %d: bad map token %r" % (cur.seq, tok))
                count = int(r.group(1))
                cur.runs.append((pfn, count, r.group(2)))
                pfn += count
        elif kind == "slab":
            name = rest[0]
            v = [int(x) for x in rest[1:9]]
            cur.slabs.append(dict(name=name, objsize=v[0], inuse=v[1], total=v[2], cached=v[3],
                                  partial=v[4], full=v[5], empty=v[6], pages=v[7]))
        elif kind == "end":
            cur.complete = True
            dumps.append(cur)
            cur = None
    return dumps


# ---------------------------------------------------------------------------
# SVG helpers
# ---------------------------------------------------------------------------

class Svg:
    def __init__(self, width, height, title):
        self.w, self.h = width, height
        self.parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                      'viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">'
                      % (width, height, width, height),
                      "<title>%s</title>" % html.escape(title),
                      '<rect width="100%" height="100%" fill="#ffffff"/>']

    def rect(self, x, y, w, h, fill, stroke=None, title=None, extra=""):
        s = '<rect x="%g" y="%g" width="%g" height="%g" fill="%s"%s%s' % (
            x, y, w, h, fill, ' stroke="%s"' % stroke if stroke else "", extra)
        if title:
            self.parts.append(s + "><title>%s</title></rect>" % html.escape(title))
        else:
            self.parts.append(s + "/>")

    def line(self, x1, y1, x2, y2, stroke="#000", width=1, dash=None):
        self.parts.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="%g"%s/>'
                          % (x1, y1, x2, y2, stroke, width,
                             ' stroke-dasharray="%s"' % dash if dash else ""))

    def polyline(self, points, stroke, width=2):
        self.parts.append('<polyline fill="none" stroke="%s" stroke-width="%g" points="%s"/>'
                          % (stroke, width, " ".join("%g,%g" % p for p in points)))

    def circle(self, x, y, r, fill, title=None):
        s = '<circle cx="%g" cy="%g" r="%g" fill="%s"' % (x, y, r, fill)
        self.parts.append(s + ("><title>%s</title></circle>" % html.escape(title) if title
                               else "/>"))

    def text(self, x, y, s, size=None, anchor="start", weight=None, fill="#000"):
        self.parts.append('<text x="%g" y="%g"%s text-anchor="%s"%s fill="%s">%s</text>'
                          % (x, y, ' font-size="%g"' % size if size else "", anchor,
                             ' font-weight="%s"' % weight if weight else "", fill,
                             html.escape(str(s))))

    def write(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.parts + ["</svg>"]) + "\n")


def human(nbytes):
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if nbytes >= 1 << shift and nbytes % (1 << shift) == 0:
            return "%d%s" % (nbytes >> shift, unit)
    if nbytes >= 1 << 20:
        return "%.1fM" % (nbytes / float(1 << 20))
    return "%dK" % (nbytes >> 10)


# ---------------------------------------------------------------------------
# The memory map
# ---------------------------------------------------------------------------

MAP_COLS = 512   # pixels per row


def pixel_codes(dump, ppp):
    """One code per pixel of ppp pages: the most common use; a mostly free pixel shows the
    largest free block order in it (as the monitor's memmap does)."""
    npix = (dump.max_pfn + ppp - 1) // ppp
    if ppp == 1:
        codes = [None] * npix
        for pfn, count, code in dump.runs:
            for i in range(pfn, pfn + count):
                codes[i] = code
        return codes
    counts = [dict() for _ in range(npix)]
    top_free = [-1] * npix
    for pfn, count, code in dump.runs:
        end = pfn + count
        while pfn < end:
            px = pfn // ppp
            n = min(end, (px + 1) * ppp) - pfn
            key = "free" if code in ORDER_CODES else code
            counts[px][key] = counts[px].get(key, 0) + n
            if code in ORDER_CODES:
                top_free[px] = max(top_free[px], ORDER_CODES.index(code))
            pfn += n
    codes = []
    for px in range(npix):
        key = max(counts[px].items(), key=lambda kv_: kv_[1])[0] if counts[px] else "."
        codes.append(ORDER_CODES[top_free[px]] if key == "free" else key)
    return codes


def png_data_uri(rows, palette):
    """A PNG (8-bit RGB) of rows of palette keys, as a data: URI. Standard library only."""
    height, width = len(rows), len(rows[0])
    raw = bytearray()
    for row in rows:
        raw.append(0)       # filter: none
        for key in row:
            raw += palette[key]
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def rgb(hexcolour):
    return bytes(int(hexcolour[i:i + 2], 16) for i in (1, 3, 5))


def draw_map(dump, path):
    """The map itself is an embedded PNG, one pixel per cell (sharp when scaled); axes, zone
    marks and the legend are vector."""
    ppp = 1
    while dump.max_pfn > ppp * MAP_COLS * MAP_COLS:
        ppp *= 2
    codes = pixel_codes(dump, ppp)
    rows = (len(codes) + MAP_COLS - 1) // MAP_COLS
    codes += ["."] * (rows * MAP_COLS - len(codes))
    scale = 1 if rows > 320 else 2           # smaller machines: 2x2 screen pixels per cell
    left, top = 90, 50
    legend_x = left + MAP_COLS * scale + 130
    width = legend_x + 230
    height = max(top + rows * scale + 40, 560)
    svg = Svg(width, height, "memory map: %s" % dump.label)
    row_bytes = MAP_COLS * ppp * dump.page_size
    svg.text(left, 20, "Physical memory, dump %d \"%s\": %d page frames, %s" % (
        dump.seq, dump.label, dump.max_pfn, human(dump.max_pfn * dump.page_size)),
        size=15, weight="bold")
    svg.text(left, 38, "one pixel = %d page%s (%s), %d per row = %s; addresses at the left"
             % (ppp, "" if ppp == 1 else "s", human(ppp * dump.page_size), MAP_COLS,
                human(row_bytes)))
    palette = {c: rgb(colour(c)) for c in set(codes)}
    uri = png_data_uri([codes[r * MAP_COLS:(r + 1) * MAP_COLS] for r in range(rows)], palette)
    svg.parts.append('<image x="%d" y="%d" width="%d" height="%d" preserveAspectRatio="none" '
                     'style="image-rendering:pixelated" href="%s"/>'
                     % (left, top, MAP_COLS * scale, rows * scale, uri))
    svg.rect(left - 0.5, top - 0.5, MAP_COLS * scale + 1, rows * scale + 1, "none", stroke="#888")
    step = max(1, rows // 16)
    for r in range(0, rows, step):
        y = top + r * scale
        svg.line(left - 4, y, left, y, "#888")
        svg.text(left - 6, y + 4, human(r * row_bytes) if r else "0", size=10, anchor="end")
    # Zone boundaries: a mark where each zone starts, its name at the right.
    label_y = top - 12
    for z in dump.zones:
        pix = z["start"] // ppp
        if pix >= dump.max_pfn // ppp:
            continue
        r, c = divmod(pix, MAP_COLS)
        y = top + r * scale
        if pix:
            svg.line(left + c * scale, y - 4, left + c * scale, y + scale + 4, "#d00000", 2)
        svg.line(left + MAP_COLS * scale, y, left + MAP_COLS * scale + 8, y, "#d00000", 2)
        label_y = max(y + 4, label_y + 12)
        svg.text(left + MAP_COLS * scale + 10, label_y, "%s from %s" % (
            z["name"], human(z["start"] * dump.page_size) if z["start"] else "0"), size=10,
            fill="#d00000")
    # Legend.
    y = top
    svg.text(legend_x, y, "free, by block order", weight="bold")
    for o in range(MAX_ORDER + 1):
        y += 16
        svg.rect(legend_x, y - 10, 14, 12, FREE_RAMP[o], stroke="#999")
        svg.text(legend_x + 20, y, "order %d (%s)" % (o, human(dump.page_size << o)))
    y += 26
    svg.text(legend_x, y, "in use", weight="bold")
    for code in "cSLPaKMR.":
        y += 16
        svg.rect(legend_x, y - 10, 14, 12, USE[code][1], stroke="#999")
        pages = [v for k, v in dump.pages.items() if PAGES_KEYS.get(k) == code]
        svg.text(legend_x + 20, y, "%s%s" % (USE[code][0], " (%d pages)" % pages[0] if pages
                                               else ""))
    y += 16
    svg.text(legend_x, y, "free: %d pages" % dump.pages.get("free", 0))
    svg.write(path)


# ---------------------------------------------------------------------------
# Free blocks by order, dump by dump
# ---------------------------------------------------------------------------

ZONE_COLOURS = {"DMA": "#fdae6b", "DMA32": "#31a354", "Normal": "#3182bd"}


def draw_freeblocks(dumps, path):
    cols = 3
    pw, ph = 330, 200
    rows = (len(dumps) + cols - 1) // cols
    svg = Svg(cols * pw + 20, rows * ph + 70, "free blocks by order")
    svg.text(20, 22, "Free memory by block order: pages in free blocks of each order, per zone "
             "(log scale)", size=15, weight="bold")
    svg.text(20, 40, "Right-heavy = large blocks available; left-heavy = fragmented. "
             "Per-CPU lists not included.")
    zones = []
    for d in dumps:
        for z in d.zones:
            if z["name"] not in zones:
                zones.append(z["name"])
    lx = 20
    for z in zones:
        svg.rect(lx, 48, 12, 12, ZONE_COLOURS.get(z, "#777"))
        svg.text(lx + 16, 58, z)
        lx += 90
    top_all = max([max([n << o for o, n in enumerate(d.buddy.get(z, []))] or [0])
                   for d in dumps for z in zones] or [1]) or 1
    # A log scale: the small orders of a fragmented zone are tens or hundreds of times
    # smaller than what is left at order 10, and still what matters.
    decades = max(1, len(str(top_all)))
    def bar_height(pages, h):
        import math
        return 0 if pages <= 0 else h * (math.log10(pages) + 1) / (decades + 1)
    for i, d in enumerate(dumps):
        ox, oy = 20 + (i % cols) * pw, 70 + (i // cols) * ph
        px, py, w, h = ox + 40, oy + 20, pw - 60, ph - 55
        svg.text(ox, oy + 12, "%d %s" % (d.seq, d.label), weight="bold")
        svg.line(px, py + h, px + w, py + h, "#000")
        svg.line(px, py, px, py + h, "#000")
        for dec in range(0, decades + 1):
            yy = py + h - bar_height(10 ** dec, h)
            svg.line(px - 3, yy, px + w, yy, "#eee")
            svg.text(px - 5, yy + 3, ("1", "10", "100", "1K", "10K", "100K", "1M", "10M")[dec]
                     if dec < 8 else "1e%d" % dec, size=8, anchor="end")
        bw = w / (MAX_ORDER + 1)
        for o in range(MAX_ORDER + 1):
            zs = [z for z in zones if z in d.buddy]
            for k, z in enumerate(zs):
                pages = d.buddy[z][o] << o
                bh = bar_height(pages, h)
                svg.rect(px + o * bw + 2 + k * (bw - 4) / len(zs), py + h - bh,
                         (bw - 4) / len(zs), bh, ZONE_COLOURS.get(z, "#777"),
                         title="%s order %d: %d blocks, %d pages" % (z, o, d.buddy[z][o], pages))
            svg.text(px + o * bw + bw / 2, py + h + 12, o, size=9, anchor="middle")
        svg.text(px + w / 2, py + h + 26, "order", size=9, anchor="middle")
    svg.write(path)


# ---------------------------------------------------------------------------
# Slab occupancy
# ---------------------------------------------------------------------------

def draw_slabs(dump, path):
    caches = sorted([s for s in dump.slabs if s["pages"]], key=lambda s: -s["pages"])
    if not caches:
        return False
    top = max(s["pages"] for s in caches) * dump.page_size
    bar_w, name_w = 440, 130
    h = 80 + 18 * len(caches) + 40
    svg = Svg(name_w + bar_w + 480, h, "slab occupancy: %s" % dump.label)
    svg.text(10, 22, "Slab caches, dump %d \"%s\": memory of each cache (longest = %s)"
             % (dump.seq, dump.label, human(top)), size=15, weight="bold")
    parts = [("objects in use", "#e6550d"), ("on per-CPU arrays", "#fdae6b"),
             ("free in slabs", "#c6dbef"), ("slab tail waste", "#bdbdbd")]
    lx = 10
    for name, col in parts:
        svg.rect(lx, 34, 12, 12, col)
        svg.text(lx + 16, 44, name)
        lx += 150
    y = 64
    for s in caches:
        total_bytes = s["pages"] * dump.page_size
        in_use = (s["inuse"] - s["cached"]) * s["objsize"]
        cached = s["cached"] * s["objsize"]
        free = (s["total"] - s["inuse"]) * s["objsize"]
        waste = max(0, total_bytes - in_use - cached - free)
        x = name_w
        svg.text(name_w - 6, y + 11, s["name"], size=11, anchor="end")
        for (name, col), b in zip(parts, (in_use, cached, free, waste)):
            w = bar_w * b / top
            if w > 0:
                svg.rect(x, y, w, 14, col, title="%s: %s: %d bytes" % (s["name"], name, b))
            x += w
        used = 100.0 * (s["inuse"] - s["cached"]) / s["total"] if s["total"] else 0
        svg.text(x + 6, y + 11, "%d/%d objects of %dB, %d pages (%d partial, %d full, %d empty "
                 "slabs), %.0f%% used" % (s["inuse"] - s["cached"], s["total"], s["objsize"],
                                           s["pages"], s["partial"], s["full"], s["empty"], used),
                 size=10)
        y += 18
    svg.write(path)
    return True


# ---------------------------------------------------------------------------
# Fragmentation over the run
# ---------------------------------------------------------------------------

def draw_fragmentation(dumps, path):
    # The zone with the most managed memory tells the story.
    zone = None
    for d in dumps:
        for z in d.zones:
            if zone is None or z["managed"] > zone[1]:
                zone = (z["name"], z["managed"])
    zone = zone[0] if zone else None
    svg = Svg(900, 470, "fragmentation")
    svg.text(20, 22, "External fragmentation of zone %s, dump by dump" % zone, size=15,
             weight="bold")
    svg.text(20, 40, "unusable free space index of order o: the share of free pages in blocks "
             "smaller than 2^o (0 = all usable, 1000 = none)")
    px, py, w, h = 70, 70, 600, 300
    svg.line(px, py + h, px + w, py + h)
    svg.line(px, py, px, py + h)
    for v in (0, 250, 500, 750, 1000):
        y = py + h - h * v / 1000.0
        svg.line(px - 4, y, px + w, y, "#ddd")
        svg.text(px - 8, y + 4, v, size=10, anchor="end")
    n = len(dumps)
    xs = [px + (w * i / (n - 1) if n > 1 else w / 2) for i in range(n)]
    for i, d in enumerate(dumps):
        svg.text(xs[i], py + h + 14, d.seq, size=10, anchor="middle")
        lab = d.label if len(d.label) < 14 else d.label[:13] + "."
        svg.parts.append('<text x="%g" y="%g" font-size="9" text-anchor="end" '
                         'transform="rotate(-40 %g %g)">%s</text>'
                         % (xs[i], py + h + 28, xs[i], py + h + 28, html.escape(lab)))
    ramp = ["#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#993404", "#662506",
            "#41ab5d", "#238443", "#005a32"]
    ly = py
    for o in range(1, MAX_ORDER + 1):
        col = ramp[o - 1]
        pts = []
        for i, d in enumerate(dumps):
            u = d.unusable.get(zone)
            if u:
                pts.append((xs[i], py + h - h * u[o] / 1000.0))
        if pts:
            svg.polyline(pts, col, 2)
            for i, (x, y) in enumerate(pts):
                svg.circle(x, y, 3, col, title="order %d, dump %d: %d" % (
                    o, dumps[i].seq, dumps[i].unusable[zone][o]))
        svg.rect(px + w + 30, ly, 14, 4, col)
        svg.text(px + w + 50, ly + 5, "order %d (%s)" % (o, human(4096 << o)), size=11)
        ly += 18
    svg.text(px + w / 2, py + h + 70, "dump (in order)", anchor="middle")
    svg.write(path)


# ---------------------------------------------------------------------------

INDEX_NOTES = """
<p>Pictures drawn by <code>tools/mempictures.py</code> from the memdump lines in
<code>{log}</code>. How to read them: docs/PICTURES.md.</p>
<ul>
<li><b>Maps</b>: each pixel is a page frame (or a few); green is free, darker for larger free
blocks. Watch the dark order-10 green break into pale small blocks when every other block is
freed ("holes"), and come back after "freed" except around pages still in use.</li>
<li><b>Free blocks by order</b>: where the free memory is. Lots of pages at low orders and little
at order 10 is fragmentation.</li>
<li><b>Slabs</b>: how full each cache is. A long light-blue bar is memory held in slabs that are
mostly free: partial slabs cannot go back to the buddy allocator.</li>
<li><b>Fragmentation</b>: the unusable free space index per order over the run.</li>
</ul>
"""


def write_index(outdir, log, dumps, files):
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>memory pictures</title>"
             "<style>body{font-family:sans-serif;margin:20px} img{border:1px solid #ccc;"
             "margin:8px 0;max-width:100%}</style></head><body>",
             "<h1>Memory pictures</h1>", INDEX_NOTES.format(log=html.escape(log))]
    for title, name in files:
        parts.append("<h2>%s</h2><img src='%s' alt='%s'>" % (html.escape(title), name,
                                                             html.escape(title)))
    parts.append("</body></html>")
    with open(os.path.join(outdir, "index.html"), "w") as f:
        f.write("\n".join(parts) + "\n")


def main(argv):
    ap = argparse.ArgumentParser(description="Draw SVG pictures from the kernel's memdump lines.")
    ap.add_argument("log", help="serial log with memdump lines ('-' = standard input)")
    ap.add_argument("-o", "--outdir", default="build/pictures", help="where to write the SVGs")
    ap.add_argument("--check", action="store_true", help="parse and verify only, draw nothing")
    args = ap.parse_args(argv)

    if args.log == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(args.log, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    try:
        dumps = parse(lines)
        if not dumps:
            raise DumpError("no complete memdump in %s (was the kernel booted with `pictures`, "
                            "or `memdump` typed in the monitor?)" % args.log)
        for d in dumps:
            d.check()
    except DumpError as e:
        sys.stderr.write("mempictures: %s\n" % e)
        return 1
    print("mempictures: %d dump(s), %d page frames each, all consistent"
          % (len(dumps), dumps[0].max_pfn))
    if args.check:
        return 0

    os.makedirs(args.outdir, exist_ok=True)
    files = []
    for d in dumps:
        name = "map-%s.svg" % d.slug
        draw_map(d, os.path.join(args.outdir, name))
        files.append(("Memory map, dump %d: %s" % (d.seq, d.label), name))
    draw_freeblocks(dumps, os.path.join(args.outdir, "freeblocks.svg"))
    files.append(("Free blocks by order", "freeblocks.svg"))
    # Slab pictures for the dumps where the slabs hold a real share (all of them for one dump).
    most = max(sum(s["pages"] for s in d.slabs) for d in dumps)
    for d in dumps:
        pages = sum(s["pages"] for s in d.slabs)
        if len(dumps) > 1 and pages < max(64, most // 10):
            continue
        name = "slabs-%s.svg" % d.slug
        if draw_slabs(d, os.path.join(args.outdir, name)):
            files.append(("Slab occupancy, dump %d: %s" % (d.seq, d.label), name))
    draw_fragmentation(dumps, os.path.join(args.outdir, "fragmentation.svg"))
    files.append(("Fragmentation over the run", "fragmentation.svg"))
    write_index(args.outdir, args.log, dumps, files)
    print("mempictures: wrote %d SVG files and index.html in %s" % (len(files), args.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
