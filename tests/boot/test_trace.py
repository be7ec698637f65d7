#!/usr/bin/env python3
"""Unit tests of tools/trace and tools/trace_decode.py (the binary trace converter).

The traces are synthetic, built record by record with struct.pack by
:class:`TraceBuilder` from the format of kernel/kern/trace.h, which is written
down again here (not imported from the decoder) so that a decoder that
misreads the contract fails.  One test checks the constants against trace.h
itself, one runs on a real trace recorded from the kernel
(tests/data/trace/rpc-4x2.trace, see the README there) when it exists.

    python3 -m unittest discover -s tests/boot -p 'test_trace.py' -v

``python3 tests/boot/test_trace.py --write-sample`` regenerates
tests/data/trace/synthetic-2x2.trace.
"""

import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
TOOLS = os.path.join(REPO, "tools")
TRACE_TOOL = os.path.join(TOOLS, "trace")
TRACE_H = os.path.join(REPO, "kernel", "kern", "trace.h")
DATA = os.path.join(REPO, "tests", "data", "trace")
REAL_TRACE = os.path.join(DATA, "rpc-4x2.trace")
VM_TRACE = os.path.join(DATA, "vm-4x2.trace")
SAMPLE_TRACE = os.path.join(DATA, "synthetic-2x2.trace")
sys.path.insert(0, TOOLS)

import trace_decode as td  # noqa: E402

# --- the wire format, as kernel/kern/trace.h defines it -----------------------------------

REC = struct.Struct("<QHHHHQQ")  # tsc, cxy, lid, event, aux, arg0, arg1
MAGIC = 0x3143525448435241       # "ARCHTRC1"
VERSION = 1
(HEADER, NAME, RPC_SEND, RPC_START, RPC_END, RPC_REPLY,
 IPI_SEND, IPI_RECV, LOST, SHOOTDOWN, FAULT, FORK, EXEC, EXIT, THREAD, COPY) = range(16)
LOCAL, GLOBAL, FALSE, COW, BAD = range(5)   # TRACE_FAULT kinds
SHOOTDOWN_VEC = 0x25                        # kernel/kern/ipi.h VEC_SHOOTDOWN
SVG_NS = "{http://www.w3.org/2000/svg}"


def record(tsc, cxy, lid, event, aux=0, arg0=0, arg1=0) -> bytes:
    """One 32-byte trace record."""
    return REC.pack(tsc, cxy, lid, event, aux, arg0, arg1)


def rpc_id(cxy, lid, seq) -> int:
    """An RPC id as the kernel builds it: client cxy, client lid, per-core sequence."""
    return (cxy << 48) | (lid << 40) | seq


class TraceBuilder:
    """Builds a trace stream the way the kernel drains it.

    The header and the names come first; the events are kept per recording
    core and written core after core in chunks of ``chunk`` records (as the
    drainer empties one ring after another), so the stream is *not* sorted
    by TSC across cores.
    """

    def __init__(self, hz=1_000_000_000, nclusters=2, ncores=4, version=VERSION,
                 magic=MAGIC, chunk=3):
        self.hz = hz
        self.head = [record(hz, 0, 0, HEADER, 0, magic,
                            nclusters | ncores << 16 | version << 32)]
        self.cores = defaultdict(list)  # (cxy, lid) -> [(tsc, bytes)]
        self.seq = Counter()
        self.chunk = chunk

    def name(self, rpc_type, name):
        """A TRACE_NAME record: the name NUL-padded to 16 bytes in arg0, arg1."""
        raw = name.encode("ascii")
        assert len(raw) <= 16
        arg0, arg1 = struct.unpack("<QQ", raw.ljust(16, b"\0"))
        self.head.append(record(0, 0, 0, NAME, rpc_type, arg0, arg1))

    def event(self, tsc, cxy, lid, event, aux=0, arg0=0, arg1=0):
        """Any record, recorded by core cxy.lid."""
        self.cores[(cxy, lid)].append((tsc, record(tsc, cxy, lid, event, aux, arg0, arg1)))

    def rpc(self, rpc_type, client, server, send=None, start=None, end=None, reply=None):
        """The records of one RPC from core ``client`` to core ``server`` (both
        (cxy, lid)); a time left None is not recorded.  Returns the RPC id."""
        seq = self.seq[client] = self.seq[client] + 1
        rid = rpc_id(client[0], client[1], seq)
        if send is not None:
            self.event(send, *client, RPC_SEND, rpc_type, rid, server[0])
        if start is not None:
            self.event(start, *server, RPC_START, rpc_type, rid, client[0])
        if end is not None:
            self.event(end, *server, RPC_END, rpc_type, rid, client[0])
        if reply is not None:
            self.event(reply, *client, RPC_REPLY, rpc_type, rid, server[0])
        return rid

    def ipi(self, send, sender, target, vector, recv=None):
        """IPI_SEND on ``sender`` and, if ``recv`` is given, IPI_RECV on ``target``."""
        self.event(send, *sender, IPI_SEND, vector, target[0] << 16 | target[1])
        if recv is not None:
            self.event(recv, *target, IPI_RECV, vector)

    def fault(self, end, core, kind, vpn, pid, cycles, write=False):
        """A FAULT record (``kind`` an index of FAULT_KINDS), recorded at its ``end``."""
        self.event(end, *core, FAULT, kind | (0x100 if write else 0), vpn,
                   pid | cycles << 32)

    def shootdown(self, end, core, targets, cycles, gids=0):
        """A SHOOTDOWN record of the initiator ``core``: ``targets`` is a list of
        (cxy, lid); each gets an IPI_SEND at the round's start + 10 and a flush
        (IPI_RECV at the handler's end, 50 cycles long) 100 cycles later."""
        start = end - cycles
        for k, target in enumerate(targets):
            self.event(start + 10 + k, *core, IPI_SEND, SHOOTDOWN_VEC,
                       target[0] << 16 | target[1])
            self.event(start + 160 + k, *target, IPI_RECV, SHOOTDOWN_VEC, 0, 50)
        self.event(end, *core, SHOOTDOWN, len(targets), gids, cycles)

    def lost(self, tsc, core, total):
        """A LOST record: ``core`` dropped ``total`` records so far."""
        self.event(tsc, *core, LOST, 0, total)

    def data(self) -> bytes:
        """The stream: header, names, then the cores' records interleaved by chunks."""
        queues = {core: [b for _, b in sorted(recs, key=lambda r: r[0])]
                  for core, recs in sorted(self.cores.items())}
        out = list(self.head)
        while any(queues.values()):
            for q in queues.values():
                out += q[:self.chunk]
                del q[:self.chunk]
        return b"".join(out)

    def trace(self, extra=b"") -> "td.Trace":
        """The decoded stream (plus ``extra`` bytes at the end)."""
        return td.parse(self.data() + extra, source="synthetic.trace")


def build_sample() -> TraceBuilder:
    """The sample of tests/data/trace/synthetic-2x2.trace: 2 clusters x 2 cores,
    2 GHz TSC, three RPC types, IPIs, one unanswered RPC."""
    b = TraceBuilder(hz=2_000_000_000, nclusters=2, ncores=4)
    for t, n in ((1, "PPM_ALLOC"), (2, "VMM_GET_VSEG"), (3, "THREAD_CREATE")):
        b.name(t, n)
    t = 1_000_000
    rng = random.Random(4)
    for i in range(24):
        client = (i % 2, (i // 2) % 2)
        server = (1 - client[0], rng.randrange(2))
        rtype = 1 + i % 3
        send = t + i * 20_000 + rng.randrange(500)
        start = send + 1_500 + rng.randrange(1_000)
        end = start + 800 * rtype + rng.randrange(400)
        reply = end + 1_200 + rng.randrange(800)
        if i == 23:
            end = reply = None
        b.rpc(rtype, client, server, send, start, end, reply)
        b.ipi(send + 100, client, server, 0xF0, recv=send + 900)
    return b


def write_trace(directory, data, name="t.trace") -> str:
    """Writes ``data`` to ``directory/name``; returns the path."""
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def run_tool(*args):
    """Runs tools/trace; returns the CompletedProcess (text mode)."""
    return subprocess.run([sys.executable, TRACE_TOOL, *args], capture_output=True,
                          text=True, timeout=60)


def table(text, title):
    """The lines of the summary table that follows the line starting with ``title``
    (header line first), up to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(title)) + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start:end]


def columns(header_line):
    """(start, end) of each column title in a table header line (titles are
    separated by two spaces or more, and may contain single spaces)."""
    return [m.span() for m in re.finditer(r"\S+(?: \S+)*", header_line)]


# --- the contract ---------------------------------------------------------------------------

class WireFormatTest(unittest.TestCase):
    """The decoder's and these tests' view of the format is kernel/kern/trace.h's."""

    def test_constants_match_trace_h(self):
        with open(TRACE_H) as f:
            src = f.read()
        body = re.search(r"enum\s+trace_event\s*\{(.*?)\};", src, re.S).group(1)
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        values, nxt = {}, 0
        for m in re.finditer(r"(TRACE_\w+)\s*(?:=\s*(\d+))?\s*(?:,|$)", body):
            nxt = int(m.group(2)) if m.group(2) else nxt
            values[m.group(1)] = nxt
            nxt += 1
        expected = {"TRACE_HEADER": HEADER, "TRACE_NAME": NAME, "TRACE_RPC_SEND": RPC_SEND,
                    "TRACE_RPC_START": RPC_START, "TRACE_RPC_END": RPC_END,
                    "TRACE_RPC_REPLY": RPC_REPLY, "TRACE_IPI_SEND": IPI_SEND,
                    "TRACE_IPI_RECV": IPI_RECV, "TRACE_LOST": LOST, "TRACE_SHOOTDOWN": SHOOTDOWN,
                    "TRACE_FAULT": FAULT, "TRACE_FORK": FORK, "TRACE_EXEC": EXEC,
                    "TRACE_EXIT": EXIT, "TRACE_THREAD": THREAD, "TRACE_COPY": COPY,
                    "TRACE_EVENTS": 16}
        self.assertEqual(values, expected)
        for name, value in expected.items():
            self.assertEqual(getattr(td, name), value, name)

        kinds = re.search(r"enum\s+trace_fault_kind\s*\{(.*?)\};", src, re.S).group(1)
        kinds = re.sub(r"/\*.*?\*/", "", kinds, flags=re.S)
        self.assertEqual(re.findall(r"TRACE_FAULT_(\w+)\s*=\s*(\d+)", kinds),
                         [("LOCAL", "0"), ("GLOBAL", "1"), ("FALSE", "2"), ("COW", "3"),
                          ("BAD", "4")])
        self.assertEqual(td.FAULT_KINDS, ("local", "global", "false", "cow", "bad"))
        self.assertEqual(int(re.search(r"#define\s+TRACE_FAULT_WRITE\s+(0x[0-9a-f]+)",
                                       src).group(1), 16), td.FAULT_WRITE)
        with open(os.path.join(REPO, "kernel", "kern", "ipi.h")) as f:
            vec = re.search(r"#define\s+VEC_SHOOTDOWN\s+(0x[0-9a-fA-F]+)", f.read()).group(1)
        self.assertEqual(int(vec, 16), td.VEC_SHOOTDOWN)
        self.assertEqual(SHOOTDOWN_VEC, td.VEC_SHOOTDOWN)

        magic = int(re.search(r"#define\s+TRACE_MAGIC\s+(0x[0-9a-fA-F]+)", src).group(1), 16)
        version = int(re.search(r"#define\s+TRACE_VERSION\s+(\d+)", src).group(1))
        self.assertEqual((magic, version), (MAGIC, VERSION))
        self.assertEqual((td.TRACE_MAGIC, td.TRACE_VERSION), (MAGIC, VERSION))
        self.assertEqual(struct.pack("<Q", MAGIC), b"ARCHTRC1")

        struct_body = re.search(r"typedef\s+struct\s+trace_rec_s\s*\{(.*?)\}", src, re.S)
        fields = re.findall(r"uint(\d+)_t\s+(\w+);", struct_body.group(1))
        self.assertEqual(fields, [("64", "tsc"), ("16", "cxy"), ("16", "lid"),
                                  ("16", "event"), ("16", "aux"), ("64", "arg0"),
                                  ("64", "arg1")])
        self.assertEqual(td.RECORD.format, REC.format)
        self.assertEqual(td.RECORD_SIZE, 32)


# --- decoding -------------------------------------------------------------------------------

class DecodeTest(unittest.TestCase):

    def test_header(self):
        t = TraceBuilder(hz=2_345_678_901, nclusters=5, ncores=20).trace()
        self.assertEqual(t.header, td.Header(tsc_hz=2_345_678_901, nclusters=5, ncores=20,
                                             version=1))
        self.assertEqual(t.warnings, [])
        self.assertEqual(t.rpcs, [])

    def test_names(self):
        b = TraceBuilder()
        b.name(1, "PPM_ALLOC")
        b.name(12, "SIXTEEN_CHARS_XX")  # no NUL at all
        b.rpc(1, (0, 0), (1, 0), 10, 20, 30, 40)
        b.rpc(12, (0, 0), (1, 0), 50, 60, 70, 80)
        b.rpc(7, (0, 0), (1, 0), 90, 100, 110, 120)
        t = b.trace()
        self.assertEqual(t.names, {1: "PPM_ALLOC", 12: "SIXTEEN_CHARS_XX"})
        self.assertEqual([r.name for r in td.summarize(t).types],
                         ["PPM_ALLOC", "type7", "SIXTEEN_CHARS_XX"])

    def test_interleaved_stream_is_sorted_and_matched(self):
        b = TraceBuilder(nclusters=3, chunk=2)
        expected = {}
        for i in range(10):
            client, server = (i % 3, i % 2), ((i + 1) % 3, 0)
            rid = b.rpc(1, client, server, send=100 + 10 * i, start=103 + 10 * i,
                        end=104 + 10 * i + i, reply=200 + 7 * i)
            expected[(rid, server[0])] = (client, 100 - 3 * i, i + 1)
        data = b.data()
        tscs = [REC.unpack_from(data, o)[0] for o in range(32, len(data), 32)]
        self.assertNotEqual(tscs, sorted(tscs), "the builder should interleave cores")
        t = td.parse(data)
        self.assertEqual([r.tsc for r in t.events], sorted(tscs))
        self.assertEqual(len(t.rpcs), 10)
        for rpc in t.rpcs:
            client, latency, handler = expected[(rpc.id, rpc.server)]
            self.assertEqual((rpc.client, rpc.client_lid), client)
            self.assertEqual(rpc.latency, latency)
            self.assertEqual(rpc.handler_time, handler)
        self.assertEqual(t.warnings, [])


# --- the summary ----------------------------------------------------------------------------

class PercentileTest(unittest.TestCase):

    def test_nearest_rank(self):
        hundred = list(range(1, 101))
        self.assertEqual(td.percentile(hundred, 99), 99)
        self.assertEqual(td.percentile(hundred, 50), 50)
        self.assertEqual(td.percentile(hundred, 100), 100)
        ten = list(range(10, 101, 10))
        self.assertEqual(td.percentile(ten, 99), 100)   # rank ceil(9.9) = 10
        self.assertEqual(td.percentile(ten, 50), 50)    # rank 5
        self.assertEqual(td.percentile([1, 2], 50), 1)  # lower middle
        self.assertEqual(td.percentile([1, 2, 3], 50), 2)
        self.assertEqual(td.percentile([7], 99), 7)
        self.assertIsNone(td.percentile([], 50))
        self.assertEqual(td.percentile(list(range(1, 201)), 99), 198)  # rank 198
        # Ranks are rounded up, never to the nearest integer.
        self.assertEqual(td.percentile([1, 2, 3, 4, 5], 50), 3)         # rank ceil(2.5)
        self.assertEqual(td.percentile(list(range(1, 151)), 99), 149)   # rank ceil(148.5)
        self.assertEqual(td.percentile(list(range(1, 1001)), 99), 990)  # rank 990 exactly


class SummaryTest(unittest.TestCase):

    def build(self):
        """Type 1: 100 RPCs 0.x -> 1.y with latencies 1..100 us, handlers 0.1..10 us,
        sent in random order; type 2: three RPCs 1.0 -> 0.1 of 7, 1, 4 us."""
        b = TraceBuilder(hz=1_000_000_000)  # 1 cycle = 1 ns
        b.name(1, "PPM_ALLOC")
        b.name(2, "VMM_GET_VSEG")
        ks = list(range(1, 101))
        random.Random(7).shuffle(ks)
        for n, k in enumerate(ks):
            send = 1_000_000 + n * 200_000
            b.rpc(1, (0, n % 2), (1, k % 2), send, send + 500, send + 500 + k * 100,
                  send + k * 1000)
        for n, us in enumerate((7, 1, 4)):
            send = 50_000_000 + n * 100_000
            b.rpc(2, (1, 0), (0, 1), send, send + 100, send + 300, send + us * 1000)
        return b

    def test_type_statistics(self):
        s = td.summarize(self.build().trace())
        self.assertEqual(len(s.types), 2)
        ppm, vmm = s.types
        self.assertEqual((ppm.type, ppm.name, ppm.count, ppm.unanswered),
                         (1, "PPM_ALLOC", 100, 0))
        self.assertEqual(ppm.latency, td.Stats(100, 50_000, 99_000))
        self.assertEqual(ppm.handler, td.Stats(100, 5_000, 9_900))
        self.assertEqual((vmm.type, vmm.name, vmm.count), (2, "VMM_GET_VSEG", 3))
        self.assertEqual(vmm.latency, td.Stats(3, 4_000, 7_000))
        self.assertEqual(vmm.handler, td.Stats(3, 200, 200))

    def test_type_table_text(self):
        text = td.format_summary(self.build().trace())
        rows = table(text, "RPCs by type")
        self.assertEqual(rows[0].split()[:4], ["type", "#", "count", "unans"])
        cells = {r.split()[0]: r.split()[1:] for r in rows[1:]}
        #            #     count  unans  med us    p99 us    med cyc  p99 cyc  hdl us   hdl cyc
        self.assertEqual(cells["PPM_ALLOC"],
                         ["1", "100", "0", "50.000", "99.000", "50000", "99000", "5.000",
                          "5000"])
        self.assertEqual(cells["VMM_GET_VSEG"],
                         ["2", "3", "0", "4.000", "7.000", "4000", "7000", "0.200", "200"])

    def test_microseconds_use_header_frequency(self):
        b = TraceBuilder(hz=2_500_000_000)
        b.rpc(1, (0, 0), (1, 0), 1000, 2000, 2000 + 1250, 1000 + 25_000)
        rows = table(td.format_summary(b.trace()), "RPCs by type")
        self.assertEqual(rows[1].split()[4:], ["10.000", "10.000", "25000", "25000",
                                               "0.500", "1250"])

    def test_tables_are_aligned(self):
        text = td.format_summary(self.build().trace())
        for title, ncols in (("RPCs by type", 10), ("RPCs by cluster pair", 7)):
            rows = table(text, title)
            spans = columns(rows[0])
            self.assertEqual(len(spans), ncols, rows[0])
            for row in rows[1:]:
                for i, (start, end) in enumerate(spans):
                    if i == 0:      # left-aligned name column
                        self.assertNotEqual(row[start], " ", row)
                    else:           # right-aligned number columns
                        self.assertNotEqual(row[end - 1], " ", row)
                        self.assertTrue(end == len(row) or row[end] == " ", row)

    def test_pairs(self):
        b = TraceBuilder(nclusters=3)
        lat = {(0, 1): [6000, 2000, 4000], (1, 0): [3000, 1000], (2, 0): [500],
               (0, 2): [9000, 1000, 8000, 2000]}
        t = 0
        for (c, s), values in lat.items():
            for v in values:
                t += 100_000
                b.rpc(1, (c, 1), (s, 0), t, t + 10, t + 20, t + v)
        summ = td.summarize(b.trace())
        got = [(p.client, p.server, p.count, p.unanswered, p.latency) for p in summ.pairs]
        self.assertEqual(got, [(0, 1, 3, 0, td.Stats(3, 4000, 6000)),
                               (0, 2, 4, 0, td.Stats(4, 2000, 9000)),
                               (1, 0, 2, 0, td.Stats(2, 1000, 3000)),
                               (2, 0, 1, 0, td.Stats(1, 500, 500))])
        self.assertEqual(summ.matrix, [[0, 3, 4], [2, 0, 0], [1, 0, 0]])
        rows = table(td.format_summary(b.trace()), "RPCs by cluster pair")
        self.assertEqual(rows[0].split()[0], "pair")
        self.assertEqual([r.split()[:5] for r in rows[1:]],
                         [["0", "->", "1", "3", "0"], ["0", "->", "2", "4", "0"],
                          ["1", "->", "0", "2", "0"], ["2", "->", "0", "1", "0"]])
        self.assertEqual(rows[2].split()[5:], ["2.000", "9.000", "2000", "9000"])

    def test_unanswered(self):
        b = TraceBuilder()
        b.rpc(1, (0, 0), (1, 0), 100, 200, 300, 400)     # answered
        b.rpc(1, (0, 1), (1, 1), 500, 600, 700, None)    # handled, reply not seen
        b.rpc(1, (0, 0), (1, 0), 800, None, None, None)  # never started
        b.rpc(2, (1, 0), (0, 0), 900, 950, None, None)   # started, not finished
        t = b.trace()
        s = td.summarize(t)
        self.assertEqual((s.totals.rpcs, s.totals.answered, s.totals.unanswered),
                         (4, 1, 3))
        self.assertEqual([(r.type, r.count, r.unanswered) for r in s.types],
                         [(1, 3, 2), (2, 1, 1)])
        self.assertEqual(s.types[0].latency, td.Stats(1, 300, 300))
        self.assertEqual(s.types[0].handler, td.Stats(2, 100, 100))
        self.assertEqual(s.types[1].latency, td.Stats(0, None, None))
        self.assertEqual([(p.client, p.server, p.count, p.unanswered) for p in s.pairs],
                         [(0, 1, 3, 2), (1, 0, 1, 1)])
        text = td.format_summary(t)
        self.assertRegex(text, r"\n\s+unanswered\s+3\n")
        self.assertEqual(table(text, "RPCs by type")[2].split()[4:],
                         ["-", "-", "-", "-", "-", "-"])

    def test_rpc_without_send(self):
        b = TraceBuilder()
        b.rpc(1, (0, 0), (1, 0), 100, 200, 300, 400)
        b.rpc(1, (0, 0), (1, 1), None, 600, 700, 800)   # SEND lost
        t = b.trace()
        s = td.summarize(t)
        self.assertEqual((s.totals.rpcs, s.totals.orphans, s.totals.unanswered), (1, 1, 0))
        self.assertEqual(s.types[0].handler.n, 2)
        self.assertTrue(any("without their SEND" in w for w in t.warnings), t.warnings)

    def test_lost_records(self):
        b = TraceBuilder()
        b.rpc(1, (0, 0), (1, 0), 100, 200, 300, 400)
        b.lost(1000, (0, 1), 3)
        b.lost(2000, (0, 1), 7)   # cumulative: 7 in all for core 0.1
        b.lost(1500, (1, 0), 2)
        t = b.trace()
        self.assertEqual(t.lost_by_core, {(0, 1): 7, (1, 0): 2})
        self.assertEqual(td.summarize(t).totals.records_lost, 9)
        self.assertRegex(td.format_summary(t), r"\n\s+records lost\s+9\n")
        self.assertTrue(any(w.startswith("9 record(s) lost") for w in t.warnings),
                        t.warnings)

    def test_ipis(self):
        b = TraceBuilder()
        b.ipi(100, (0, 0), (1, 1), 0xF0, recv=150)
        b.ipi(200, (1, 1), (0, 0), 0xF0, recv=260)
        b.ipi(300, (0, 1), (1, 0), 0xF1)  # not received (yet)
        t = b.trace()
        totals = td.summarize(t).totals
        self.assertEqual((totals.ipis_sent, totals.ipis_received), (3, 2))
        self.assertEqual([(i.cxy, i.lid, i.target, i.vector) for i in t.ipis if i.sent],
                         [(0, 0, (1, 1), 0xF0), (1, 1, (0, 0), 0xF0), (0, 1, (1, 0), 0xF1)])
        text = td.format_summary(t)
        self.assertRegex(text, r"\n\s+IPIs sent\s+3\n")
        self.assertRegex(text, r"\n\s+IPIs received\s+2\n")

    def test_truncated_last_record(self):
        b = self.build()
        whole = td.summarize(b.trace())
        t = b.trace(extra=record(99, 0, 0, RPC_SEND)[:13])
        self.assertEqual(t.trailing_bytes, 13)
        self.assertTrue(any("partial last record (13 trailing bytes)" in w
                            for w in t.warnings), t.warnings)
        self.assertEqual(td.summarize(t), whole)

    def test_unknown_events(self):
        b = self.build()
        whole = td.summarize(b.trace())
        b.event(5_000_000, 0, 1, 42, 0, 1, 2)
        b.event(5_000_001, 1, 0, 16)       # TRACE_EVENTS itself is no event
        b.event(5_000_002, 1, 0, 42)
        t = b.trace()
        self.assertEqual(t.unknown, Counter({42: 2, 16: 1}))
        self.assertTrue(any("unknown event" in w and "16 (x1)" in w and "42 (x2)" in w
                            for w in t.warnings), t.warnings)
        s = td.summarize(t)
        self.assertEqual(s.totals.unknown_events, 3)
        self.assertEqual((s.types, s.pairs, s.matrix), (whole.types, whole.pairs,
                                                        whole.matrix))

    def test_duplicate_record_is_ignored_with_warning(self):
        b = TraceBuilder()
        rid = b.rpc(1, (0, 0), (1, 0), 100, 200, 300, 400)
        b.event(500, 0, 0, RPC_REPLY, 1, rid, 1)
        t = b.trace()
        self.assertEqual(t.rpcs[0].latency, 300)
        self.assertTrue(any("duplicate" in w and "1 RPC_REPLY" in w for w in t.warnings),
                        t.warnings)


# --- errors ---------------------------------------------------------------------------------

class ErrorTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="trace-test-")
        self.addCleanup(shutil.rmtree, self.dir)

    def good(self):
        b = TraceBuilder()
        b.rpc(1, (0, 0), (1, 0), 100, 200, 300, 400)
        return b.data()

    def check(self, data, expect):
        """Decoding ``data`` raises TraceError matching ``expect``; the CLI exits 2
        with one error line saying the same, and writes no output."""
        with self.assertRaisesRegex(td.TraceError, expect):
            td.parse(data)
        path = write_trace(self.dir, data)
        p = run_tool(path)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertRegex(lines[0], r"^trace: error: .*" + expect)
        self.assertEqual(sorted(os.listdir(self.dir)), ["t.trace"])

    def test_empty(self):
        self.check(b"", "empty file")

    def test_shorter_than_a_record(self):
        self.check(self.good()[:20], "no header")

    def test_bad_magic(self):
        data = bytearray(self.good())
        data[16] ^= 0xFF  # first byte of the header's arg0
        self.check(bytes(data), "bad magic")

    def test_not_a_trace(self):
        self.check(b"Archipel booting\n" * 8, "no header")

    def test_bad_version(self):
        data = TraceBuilder(version=2).data()
        self.check(data, "version 2")

    def test_no_header(self):
        data = self.good()[32:]  # starts with the names / events
        self.check(data, "no header")

    def test_missing_file(self):
        p = run_tool(os.path.join(self.dir, "nope.trace"))
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"^trace: error: .*nope\.trace: no such file\n$")

    def test_bad_option(self):
        p = run_tool("--frobnicate", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage:", p.stderr)


# --- Chrome Trace Event JSON ----------------------------------------------------------------

def x_events(events):
    return [e for e in events if e.get("ph") == "X"]


def assert_nested(test, events):
    """Complete events on each (pid, tid) nest properly (no partial overlap)."""
    by_thread = defaultdict(list)
    for e in x_events(events):
        by_thread[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"]))
    for thread, spans in by_thread.items():
        spans.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for start, end in spans:
            while stack and stack[-1] <= start + 1e-9:
                stack.pop()
            test.assertTrue(not stack or end <= stack[-1] + 1e-9,
                            f"overlapping slices on {thread}: {spans}")
            stack.append(end)


class ChromeJsonTest(unittest.TestCase):
    HZ = 2_500_000_000
    T0 = 10_000_000

    def build(self):
        """Three RPCs on a 3-cluster machine at 2.5 GHz (2500 cycles = 1 us); the
        first record is an IPI at T0."""
        b = TraceBuilder(hz=self.HZ, nclusters=3, ncores=6)
        b.name(1, "PPM_ALLOC")
        b.name(5, "PROCESS_MAKE")
        t0 = self.T0
        b.ipi(t0, (0, 0), (2, 1), 0xF0, recv=t0 + 1250)
        self.rpcs = [  # (type, client, server, send, start, end, reply), in cycles
            (1, (0, 0), (2, 1), t0 + 2500, t0 + 5000, t0 + 12_500, t0 + 15_000),
            (5, (1, 1), (0, 1), t0 + 25_000, t0 + 26_250, t0 + 30_000, t0 + 31_000),
            (1, (2, 0), (1, 0), t0 + 40_000, t0 + 41_000, t0 + 41_001, t0 + 50_000),
        ]
        self.ids = [b.rpc(*r) for r in self.rpcs]
        return b

    def load(self):
        t = self.build().trace()
        with tempfile.TemporaryFile("w+") as f:
            td.write_chrome_json(t, f)
            f.seek(0)
            return json.load(f)

    def us(self, cycles):
        return cycles / 2500

    def test_top_level(self):
        obj = self.load()
        self.assertEqual(obj["displayTimeUnit"], "ns")
        self.assertIsInstance(obj["traceEvents"], list)
        for e in obj["traceEvents"]:
            self.assertIn(e["ph"], "MXsfi", e)
            self.assertIsInstance(e["pid"], int)
            self.assertIsInstance(e["tid"], int)

    def test_metadata(self):
        events = self.load()["traceEvents"]
        procs = {e["pid"]: e["args"]["name"] for e in events
                 if e["ph"] == "M" and e["name"] == "process_name"}
        self.assertEqual(procs, {0: "cluster 0", 1: "cluster 1", 2: "cluster 2"})
        threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
                   if e["ph"] == "M" and e["name"] == "thread_name"}
        self.assertEqual(threads, {(0, 0): "core 0.0", (0, 1): "core 0.1",
                                   (1, 0): "core 1.0", (1, 1): "core 1.1",
                                   (2, 0): "core 2.0", (2, 1): "core 2.1"})

    def test_handlers_and_waits(self):
        events = self.load()["traceEvents"]
        xs = x_events(events)
        handlers = [e for e in xs if not e["name"].startswith("rpc wait")]
        waits = [e for e in xs if e["name"].startswith("rpc wait")]
        self.assertEqual(len(handlers), len(self.rpcs))
        self.assertEqual(len(waits), len(self.rpcs))
        names = {1: "PPM_ALLOC", 5: "PROCESS_MAKE"}
        for (rtype, client, server, send, start, end, reply), rid in zip(self.rpcs, self.ids):
            h = [e for e in handlers if e["args"]["id"] == f"0x{rid:016x}"]
            self.assertEqual(len(h), 1)
            h = h[0]
            self.assertEqual(h["name"], names[rtype])
            self.assertEqual((h["pid"], h["tid"]), server)
            self.assertAlmostEqual(h["ts"], self.us(start - self.T0), places=6)
            self.assertAlmostEqual(h["dur"], self.us(end - start), places=6)
            self.assertEqual(h["args"]["client"], client[0])
            w = [e for e in waits if e["args"]["id"] == f"0x{rid:016x}"]
            self.assertEqual(len(w), 1)
            w = w[0]
            self.assertEqual(w["name"], "rpc wait " + names[rtype])
            self.assertEqual((w["pid"], w["tid"]), client)
            self.assertAlmostEqual(w["ts"], self.us(send - self.T0), places=6)
            self.assertAlmostEqual(w["dur"], self.us(reply - send), places=6)
            self.assertEqual(w["args"]["server"], server[0])
        # Spot-check the unit: the first handler starts 5000 cycles = 2 us after T0.
        first = min(handlers, key=lambda e: e["ts"])
        self.assertAlmostEqual(first["ts"], 2.0, places=6)
        self.assertAlmostEqual(first["dur"], 3.0, places=6)
        assert_nested(self, events)

    def test_flows(self):
        events = self.load()["traceEvents"]
        starts = [e for e in events if e["ph"] == "s"]
        ends = [e for e in events if e["ph"] == "f"]
        self.assertEqual(len(starts), len(self.rpcs))
        self.assertEqual(sorted(e["id"] for e in starts), sorted(e["id"] for e in ends))
        self.assertEqual(len({e["id"] for e in starts}), len(starts))
        xs = x_events(events)
        for s in starts:
            f = next(e for e in ends if e["id"] == s["id"])
            self.assertEqual(f["bp"], "e")
            self.assertEqual((f["cat"], f["name"]), (s["cat"], s["name"]))
            # s sits at the start of the client's wait, f at the start of the handler.
            wait = [e for e in xs if e["name"].startswith("rpc wait")
                    and (e["pid"], e["tid"], e["ts"]) == (s["pid"], s["tid"], s["ts"])]
            handler = [e for e in xs if not e["name"].startswith("rpc wait")
                       and (e["pid"], e["tid"], e["ts"]) == (f["pid"], f["tid"], f["ts"])]
            self.assertEqual(len(wait), 1, s)
            self.assertEqual(len(handler), 1, f)
            self.assertEqual(wait[0]["args"]["id"], handler[0]["args"]["id"])

    def test_ipis_are_instants(self):
        events = self.load()["traceEvents"]
        ipis = [e for e in events if e.get("cat") == "ipi"]
        self.assertEqual([(e["ph"], e["s"], e["pid"], e["tid"], e["ts"]) for e in ipis],
                         [("i", "t", 0, 0, 0.0), ("i", "t", 2, 1, 0.5)])
        self.assertEqual(ipis[0]["args"], {"vector": 0xF0, "target": "2.1"})

    def test_timestamps_relative_to_first_record(self):
        events = [e for e in self.load()["traceEvents"] if e["ph"] != "M"]
        self.assertEqual(min(e["ts"] for e in events), 0)
        last = self.us(self.rpcs[-1][-1] - self.T0)
        self.assertAlmostEqual(max(e["ts"] + e.get("dur", 0) for e in events), last, places=6)

    def test_overlapping_waits_on_one_core_get_lanes(self):
        b = TraceBuilder()
        b.name(1, "A")
        b.rpc(1, (0, 1), (1, 0), 0, 10, 20, 100)      # lane 0
        b.rpc(1, (0, 1), (1, 1), 50, 60, 70, 150)     # overlaps, not nested: lane 1
        b.rpc(1, (0, 1), (1, 0), 60, 65, 66, 90)      # nested in the first: lane 0
        b.rpc(1, (0, 1), (1, 0), 200, 210, 220, 230)  # after both: lane 0
        events = td.chrome_trace(b.trace())["traceEvents"]
        assert_nested(self, events)
        waits = sorted((e for e in x_events(events) if e["name"] == "rpc wait A"),
                       key=lambda e: e["ts"])
        lane1 = 1 << 16 | 1
        self.assertEqual([e["tid"] for e in waits], [1, lane1, 1, 1])
        self.assertTrue(all(e["pid"] == 0 for e in waits))
        names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
                 if e["name"] == "thread_name"}
        self.assertEqual(names[(0, lane1)], "core 0.1 #1")
        flow = next(e for e in events if e["ph"] == "s" and e["ts"] == waits[1]["ts"])
        self.assertEqual(flow["tid"], lane1)

    def test_unanswered_rpc_is_an_instant(self):
        b = TraceBuilder()
        b.name(3, "KILL")
        b.rpc(3, (1, 0), (0, 0), 100, 200, 300, None)
        events = td.chrome_trace(b.trace())["traceEvents"]
        self.assertEqual([e["name"] for e in x_events(events)], ["KILL"])
        instants = [e for e in events if e["ph"] == "i"]
        self.assertEqual([(e["name"], e["pid"], e["tid"]) for e in instants],
                         [("rpc no reply KILL", 1, 0)])


# --- SVG heat map ---------------------------------------------------------------------------

def luminance(colour):
    """Sum of the RGB components of #rrggbb."""
    return sum(int(colour[i:i + 2], 16) for i in (1, 3, 5))


class SvgTest(unittest.TestCase):
    COUNTS = {(0, 1): 5, (0, 2): 1, (1, 0): 2, (2, 1): 9, (3, 3): 3}

    def build(self, nclusters=4):
        b = TraceBuilder(nclusters=nclusters)
        t = 0
        for (c, s), n in self.COUNTS.items():
            for _ in range(n):
                t += 1000
                b.rpc(1, (c, 0), (s, 1), t, t + 10, t + 20, t + 30)
        b.rpc(1, (1, 1), (2, 0), t + 5000)  # unanswered: still counted
        return b.trace()

    def parse(self, trace):
        return ET.fromstring(td.heatmap_svg(trace).encode("utf-8"))

    def test_valid_svg_document(self):
        text = td.heatmap_svg(self.build())
        self.assertTrue(text.startswith('<?xml version="1.0"'))
        root = ET.fromstring(text.encode("utf-8"))
        self.assertEqual(root.tag, SVG_NS + "svg")
        self.assertEqual(root.get("version"), "1.1")
        self.assertTrue(float(root.get("width")) > 0 and float(root.get("height")) > 0)
        self.assertIsNotNone(root.find(SVG_NS + "title"))
        self.assertIn("client", root.find(f".//{SVG_NS}text[@id='y-label']").text)
        self.assertIn("server", root.find(f".//{SVG_NS}text[@id='x-label']").text)
        self.assertIn("RPC", root.find(f".//{SVG_NS}text[@id='title']").text)
        self.assertIsNotNone(root.find(f".//{SVG_NS}linearGradient"))
        legend = root.find(f".//{SVG_NS}g[@id='legend']")
        self.assertIsNotNone(legend)
        self.assertEqual(root.find(f".//{SVG_NS}text[@id='legend-max']").text, "9")
        # Every url(#...) reference resolves inside the document.
        ids = {e.get("id") for e in root.iter() if e.get("id")}
        for e in root.iter():
            for value in e.attrib.values():
                for ref in re.findall(r"url\(#([^)]+)\)", value):
                    self.assertIn(ref, ids)

    def test_cells_and_counts(self):
        root = self.parse(self.build())
        cells = [e for e in root.iter(SVG_NS + "rect") if (e.get("id") or "").startswith("cell-")]
        self.assertEqual(len(cells), 16)
        labels = {e.get("id")[len("count-"):]: int(e.text) for e in root.iter(SVG_NS + "text")
                  if (e.get("id") or "").startswith("count-")}
        expected = {f"{r}-{c}": self.COUNTS.get((r, c), 0) for r in range(4) for c in range(4)}
        expected["1-2"] += 1
        self.assertEqual(labels, expected)
        self.assertEqual(len({e.get("id") for e in cells}), 16)
        col_labels = [e.text for e in root.iter(SVG_NS + "text") if e.get("class") == "col-label"]
        row_labels = [e.text for e in root.iter(SVG_NS + "text") if e.get("class") == "row-label"]
        self.assertEqual(col_labels, ["0", "1", "2", "3"])
        self.assertEqual(row_labels, ["0", "1", "2", "3"])

    def test_colour_scale(self):
        root = self.parse(self.build())
        fill = {e.get("id")[len("cell-"):]: e.get("fill") for e in root.iter(SVG_NS + "rect")
                if (e.get("id") or "").startswith("cell-")}
        self.assertEqual(fill["0-0"].lower(), "#ffffff")     # no RPC: white
        self.assertLess(luminance(fill["2-1"]), 200)         # the busiest pair: dark
        ordered = sorted(((n, k) for k, n in
                          {"0-1": 5, "0-2": 1, "1-0": 2, "2-1": 9, "3-3": 3}.items()))
        lums = [luminance(fill[k]) for _, k in ordered]
        self.assertEqual(lums, sorted(lums, reverse=True))   # more RPCs, darker
        self.assertEqual(len(set(lums)), len(lums))
        # The count stays readable: light ink on the darkest cell, dark ink on white.
        ink = {e.get("id")[len("count-"):]: e.get("fill") for e in root.iter(SVG_NS + "text")
               if (e.get("id") or "").startswith("count-")}
        self.assertGreater(luminance(ink["2-1"]), 600)
        self.assertLess(luminance(ink["0-0"]), 150)

    def test_grid_follows_header(self):
        root = self.parse(self.build(nclusters=6))
        cells = [e for e in root.iter(SVG_NS + "rect") if (e.get("id") or "").startswith("cell-")]
        self.assertEqual(len(cells), 36)


# --- the command line -----------------------------------------------------------------------

class CliTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="trace-cli-")
        self.addCleanup(shutil.rmtree, self.dir)
        self.path = write_trace(self.dir, build_sample().data(), "run.trace")

    def check_outputs(self, directory):
        with open(os.path.join(directory, "trace.json")) as f:
            obj = json.load(f)
        self.assertTrue(x_events(obj["traceEvents"]))
        root = ET.parse(os.path.join(directory, "rpc-heatmap.svg")).getroot()
        self.assertEqual(root.tag, SVG_NS + "svg")
        with open(os.path.join(directory, "summary.txt")) as f:
            return f.read()

    def test_default_writes_everything_next_to_the_trace(self):
        p = run_tool(self.path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(self.dir)),
                         ["rpc-heatmap.svg", "run.trace", "summary.txt", "trace.json", "vm-heatmap.svg"])
        self.assertEqual(self.check_outputs(self.dir), p.stdout)
        self.assertIn("RPCs by type", p.stdout)
        self.assertIn("THREAD_CREATE", p.stdout)
        self.assertRegex(p.stdout, r"\n\s+RPCs sent\s+24\n")
        self.assertRegex(p.stdout, r"\n\s+unanswered\s+1\n")

    def test_out_directory(self):
        out = os.path.join(self.dir, "report", "sub")
        p = run_tool(self.path, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(self.dir)), ["report", "run.trace"])
        self.assertEqual(self.check_outputs(out), p.stdout)

    def test_json_only(self):
        target = os.path.join(self.dir, "x.json")
        p = run_tool(self.path, "--json", target)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(sorted(os.listdir(self.dir)), ["run.trace", "x.json"])
        with open(target) as f:
            self.assertEqual(json.load(f)["displayTimeUnit"], "ns")

    def test_svg_and_summary(self):
        target = os.path.join(self.dir, "h.svg")
        p = run_tool(self.path, "--svg", target, "--summary")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("RPCs by cluster pair", p.stdout)
        self.assertEqual(sorted(os.listdir(self.dir)), ["h.svg", "run.trace"])
        ET.parse(target)

    def test_warnings_go_to_stderr(self):
        with open(self.path, "ab") as f:
            f.write(b"\x01\x02\x03")
        p = run_tool(self.path, "--summary")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("trace: warning:", p.stderr)
        self.assertIn("3 trailing bytes", p.stderr)
        self.assertNotIn("warning", p.stdout)
        q = run_tool(self.path, "--summary", "--quiet")
        self.assertNotIn("warning", q.stderr)

    def test_unwritable_output(self):
        p = run_tool(self.path, "--json", os.path.join(self.dir, "no", "such", "x.json"))
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"^trace: error: cannot write ")

    def test_help(self):
        p = run_tool("--help")
        self.assertEqual(p.returncode, 0)
        for word in ("--out", "--summary", "--json", "--svg", "nearest-rank"):
            self.assertIn(word, p.stdout)


# --- recorded data --------------------------------------------------------------------------

def pack_name(name: str) -> int:
    """The first 8 bytes of ``name``, NUL-padded, as a little-endian u64 (TRACE_EXEC)."""
    return struct.unpack("<Q", name.encode("ascii")[:8].ljust(8, b"\0"))[0]


def build_vm() -> TraceBuilder:
    """A 2x2 trace of one process (pid 7, reference cluster 0) and what it does:
    a thread and a copy in cluster 1, faults of every kind, one shootdown of
    two targets, a fork whose child (pid 9) execs "hello" and exits."""
    b = TraceBuilder(nclusters=2, ncores=4)
    b.event(1_000, 0, 0, EXEC, 0, 7, pack_name("vmdemo"))
    b.fault(2_000, (0, 0), LOCAL, 0x400, 7, 300, write=True)
    b.fault(3_000, (0, 0), LOCAL, 0x401, 7, 500)
    b.event(4_000, 0, 0, THREAD, 0, 7, 8 | 1 << 32 | 1 << 48)
    b.event(4_500, 1, 1, COPY, 1, 7, 0)
    b.fault(5_000, (1, 1), GLOBAL, 0x400, 7, 900)
    b.fault(5_500, (1, 1), FALSE, 0x401, 7, 100)
    b.shootdown(9_000, (0, 0), [(0, 1), (1, 1)], 2_000, gids=0b1010)
    b.event(10_000, 1, 1, EXIT, 0, 7, 8)
    b.event(10_100, 1, 1, COPY, 0, 7, 0)
    b.event(11_000, 0, 0, FORK, 0, 7, 9 | 1 << 32)
    b.fault(12_000, (1, 0), COW, 0x400, 9, 4_000, write=True)
    b.fault(12_500, (0, 0), BAD, 0x0, 7, 50)
    b.event(13_000, 1, 0, EXEC, 0, 9, pack_name("hello"))
    b.event(14_000, 1, 0, EXIT, 1, 9, 9 | 3 << 8 << 32)
    return b


class VmEventsTest(unittest.TestCase):
    """The FAULT, SHOOTDOWN and process records: decoding, summary, renderings."""

    @classmethod
    def setUpClass(cls):
        cls.trace = build_vm().trace()
        cls.summary = td.summarize(cls.trace)

    def test_decode(self):
        t = self.trace
        self.assertEqual(t.warnings, [])
        self.assertEqual(t.faults[0], td.Fault(tsc=2_000, cxy=0, lid=0, kind="local",
                                               write=True, vpn=0x400, pid=7, cycles=300))
        self.assertEqual(t.faults[0].start, 1_700)
        self.assertEqual([f.kind for f in t.faults],
                         ["local", "local", "global", "false", "cow", "bad"])
        self.assertEqual(t.shootdowns, [td.Shootdown(tsc=9_000, cxy=0, lid=0, targets=2,
                                                     gids=0b1010, cycles=2_000)])
        kinds = [(e.kind, e.pid) for e in t.procs]
        self.assertEqual(kinds, [("exec", 7), ("thread", 7), ("copy", 7), ("exit", 7),
                                 ("uncopy", 7), ("fork", 7), ("exec", 9), ("exit", 9)])
        by = {e.kind: e for e in t.procs}
        self.assertEqual(by["thread"].tid, 8)
        self.assertEqual(by["thread"].core, (1, 1))
        self.assertEqual((by["fork"].child, by["fork"].cluster), (9, 1))
        self.assertEqual(t.procs[0].name, "vmdemo")
        self.assertEqual((t.procs[-1].last, t.procs[-1].status), (True, 3 << 8))
        self.assertEqual((by["copy"].cxy, by["copy"].ref), (1, 0))

    def test_unknown_fault_kind(self):
        b = build_vm()
        b.fault(20_000, (0, 0), 9, 0x1, 7, 10)
        t = b.trace()
        self.assertEqual(len(t.faults), 6)
        self.assertTrue(any("unknown fault kind" in w for w in t.warnings), t.warnings)

    def test_summary(self):
        vm = self.summary.vm
        rows = {r.kind: r for r in vm.faults}
        self.assertEqual([r.kind for r in vm.faults], list(td.FAULT_KINDS))
        self.assertEqual((rows["local"].count, rows["local"].writes), (2, 1))
        self.assertEqual(rows["local"].cycles, td.Stats(2, 300, 500))
        self.assertEqual(rows["cow"].cycles.median, 4_000)
        self.assertEqual(vm.fault_matrix, [[2, 0, 0, 0, 1], [0, 1, 1, 1, 0]])
        self.assertEqual((vm.shootdowns, vm.shootdowns_by_cluster), (1, [1, 0]))
        self.assertEqual(vm.shootdown_targets.median, 2)
        self.assertEqual(vm.shootdown_cycles.median, 2_000)
        p7, p9 = vm.processes
        self.assertEqual((p7.pid, p7.name, p7.forks, p7.execs, p7.threads), (7, "vmdemo", 1, 1, 1))
        self.assertEqual((p7.copies, p7.copies_gone, p7.copy_clusters), (1, 1, [1]))
        self.assertEqual(p7.faults, {"local": 2, "global": 1, "false": 1, "cow": 0, "bad": 1})
        self.assertIsNone(p7.status)
        self.assertEqual((p9.pid, p9.name, p9.execs, p9.status), (9, "hello", 1, 3 << 8))
        self.assertEqual(p9.faults["cow"], 1)

    def test_child_named_after_parent_until_exec(self):
        b = TraceBuilder()
        b.event(1_000, 0, 0, EXEC, 0, 7, pack_name("sh"))
        b.event(2_000, 0, 0, FORK, 0, 7, 9)
        b.fault(3_000, (0, 0), COW, 0x10, 9, 10, write=True)
        names = {p.pid: p.name for p in td.summarize(b.trace()).vm.processes}
        self.assertEqual(names, {7: "sh", 9: "sh"})

    def test_summary_text(self):
        text = td.format_summary(self.trace, self.summary)
        kinds = table(text, "Page faults by kind")
        self.assertEqual([ln.split()[0] for ln in kinds[1:]], list(td.FAULT_KINDS))
        self.assertEqual(kinds[1].split()[:3], ["local", "2", "1"])
        clusters = table(text, "Page faults by cluster")
        self.assertEqual(clusters[2].split(), ["1", "0", "1", "1", "1", "0", "3"])
        shoot = table(text, "TLB shootdowns")
        self.assertIn("rounds", shoot[0])
        self.assertEqual(shoot[0].split()[-1], "1")
        procs = table(text, "Processes")
        self.assertEqual(procs[1].split()[:7], ["7", "vmdemo", "1", "1", "1", "1/1", "1"])
        self.assertEqual(procs[2].split()[-2:], ["exit", "3"])
        self.assertIn("page faults", text)

    def test_summary_text_without_vm_events(self):
        text = td.format_summary(build_sample().trace())
        self.assertIn("(no page fault)", text)
        self.assertIn("(no shootdown", text)
        self.assertIn("(no process event)", text)

    def test_chrome(self):
        events = td.chrome_trace(self.trace)["traceEvents"]
        json.loads(json.dumps(events))
        assert_nested(self, events)
        faults = [e for e in events if e.get("cat") == "fault"]
        self.assertEqual(len(faults), 6)
        first = min(faults, key=lambda e: e["ts"])
        self.assertEqual((first["name"], first["pid"], first["args"]["vpn"],
                          first["args"]["vaddr"], first["args"]["write"]),
                         ("fault local", 0, "0x400", "0x400000", True))
        self.assertAlmostEqual(first["dur"], 0.3)            # 300 cycles at 1 GHz
        shoot = [e for e in events if e.get("cat") == "shootdown"]
        self.assertEqual(sorted(e["name"] for e in shoot),
                         ["tlb flush", "tlb flush", "tlb shootdown"])
        flows = [e for e in events if e.get("cat") == "shootdown-flow"]
        starts = {e["id"]: e for e in flows if e["ph"] == "s"}
        ends = {e["id"]: e for e in flows if e["ph"] == "f"}
        self.assertEqual(len(starts), 2)
        self.assertEqual(starts.keys(), ends.keys())
        flushes = {(e["pid"], e["tid"]): e for e in shoot if e["name"] == "tlb flush"}
        for fid, end in ends.items():
            self.assertEqual(starts[fid]["pid"], 0)
            flush = flushes[(end["pid"], end["tid"])]     # the arrow ends on a flush slice
            self.assertEqual(end["ts"], flush["ts"])
            self.assertEqual(end["bp"], "e")
        self.assertEqual(sorted(ends[i]["pid"] for i in ends), [0, 1])
        self.assertFalse([e for e in events if e.get("cat") == "ipi"
                          and e["args"].get("vector") == SHOOTDOWN_VEC and "recv" in e["name"]],
                         "a flush drawn as a slice is not also an instant")
        procs = [e["name"] for e in events if e.get("cat") == "process"]
        self.assertIn("fork pid 7 -> 9 (cluster 1)", procs)
        self.assertIn("exec hello (pid 9)", procs)
        self.assertIn("thread 8 of pid 7 -> core 1.1", procs)
        self.assertIn("copy of pid 7 created (reference 0)", procs)
        self.assertIn("copy of pid 7 torn down (reference 0)", procs)
        self.assertIn("exit tid 9 (pid 9, process ends: exit 3)", procs)

    def test_fault_heatmap(self):
        root = ET.fromstring(td.fault_heatmap_svg(self.trace).encode("utf-8"))
        counts = {e.get("id"): int(e.text) for e in root.iter(SVG_NS + "text")
                  if (e.get("id") or "").startswith("count-")}
        self.assertEqual(len(counts), 2 * len(td.FAULT_KINDS))
        self.assertEqual(counts["count-0-0"], 2)
        self.assertEqual(counts["count-1-3"], 1)
        self.assertEqual(sum(counts.values()), 6)
        labels = [e.text for e in root.iter(SVG_NS + "text") if e.get("class") == "col-label"]
        self.assertEqual(labels, list(td.FAULT_KINDS))

    def test_cli_vm_svg(self):
        with tempfile.TemporaryDirectory() as d:
            path = write_trace(d, build_vm().data())
            p = run_tool(path, "--vm-svg", "-")
            self.assertEqual(p.returncode, 0, p.stderr)
            ET.fromstring(p.stdout.encode("utf-8"))
            self.assertIn("Page faults per cluster and kind", p.stdout)


class SampleTest(unittest.TestCase):
    """tests/data/trace/synthetic-2x2.trace is what build_sample() produces."""

    def test_sample_is_up_to_date(self):
        with open(SAMPLE_TRACE, "rb") as f:
            self.assertEqual(f.read(), build_sample().data(),
                             "regenerate: python3 tests/boot/test_trace.py --write-sample")

    def test_sample_decodes(self):
        t = td.load(SAMPLE_TRACE)
        s = td.summarize(t)
        self.assertEqual(t.warnings, [])
        self.assertEqual((s.totals.rpcs, s.totals.unanswered), (24, 1))
        self.assertEqual(sum(map(sum, s.matrix)), 24)


@unittest.skipUnless(os.path.exists(REAL_TRACE),
                     "no recorded trace yet: make trace-sample writes " + REAL_TRACE)
class RealTraceTest(unittest.TestCase):
    """A trace recorded from the kernel (4 clusters x 2 cores, ktest=rpc)."""

    @classmethod
    def setUpClass(cls):
        cls.trace = td.load(REAL_TRACE)
        cls.summary = td.summarize(cls.trace)

    def test_header(self):
        h = self.trace.header
        self.assertEqual(h.nclusters, 4)
        self.assertGreater(h.tsc_hz, 100_000_000)  # a real TSC: above 100 MHz
        self.assertEqual(self.trace.trailing_bytes, 0)
        self.assertEqual(self.trace.unknown, Counter())

    def test_records_are_well_formed(self):
        h = self.trace.header
        for r in self.trace.events:
            self.assertLess(r.cxy, h.nclusters, r)
            self.assertLess(r.lid, h.ncores, r)
        for rpc in self.trace.rpcs:
            self.assertLess(rpc.server, h.nclusters)
            self.assertLess(rpc.client, h.nclusters)
            # The id encodes its client core (trace.h).
            if rpc.send is not None:
                self.assertEqual((rpc.id >> 48, (rpc.id >> 40) & 0xFF),
                                 (rpc.client, rpc.client_lid & 0xFF), hex(rpc.id))

    def test_rpcs(self):
        s = self.summary
        self.assertGreater(s.totals.answered, 0)
        self.assertGreater(s.totals.ipis_sent, 0)
        for row in s.types:
            self.assertNotRegex(row.name, r"^type\d+$", "RPC type without a TRACE_NAME")
        for rpc in self.trace.rpcs:
            if rpc.latency is not None and rpc.handler_time is not None:
                # The handler runs while the client waits (same-rate TSCs: no skew issue).
                self.assertLessEqual(rpc.handler_time, rpc.latency, hex(rpc.id))
                self.assertGreater(rpc.latency, 0)
        self.assertEqual(sum(map(sum, s.matrix)), s.totals.rpcs)

    def test_renderings(self):
        obj = td.chrome_trace(self.trace)
        json.loads(json.dumps(obj))
        assert_nested(self, obj["traceEvents"])
        handled = sum(r.handler_time is not None for r in self.trace.rpcs)
        self.assertEqual(len([e for e in x_events(obj["traceEvents"])
                              if e["cat"] == "rpc" and not e["name"].startswith("rpc wait")]),
                         handled)
        root = ET.fromstring(td.heatmap_svg(self.trace).encode("utf-8"))
        counts = [int(e.text) for e in root.iter(SVG_NS + "text")
                  if (e.get("id") or "").startswith("count-")]
        self.assertEqual(len(counts), 16)
        self.assertEqual(sum(counts), self.summary.totals.rpcs)

    def test_cli(self):
        with tempfile.TemporaryDirectory() as out:
            p = run_tool(REAL_TRACE, "--out", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(out)),
                             ["rpc-heatmap.svg", "summary.txt", "trace.json",
                              "vm-heatmap.svg"])


class RealVmTraceTest(unittest.TestCase):
    """A trace recorded from the kernel: ``make trace PROG=build/user/bin/vmdemo`` on
    4 clusters x 2 cores (tests/data/trace/README.md).  The live run of the same
    command is tests/boot/test_make_trace.py; this recording keeps the decoder
    honest about real data without a boot."""

    @classmethod
    def setUpClass(cls):
        cls.trace = td.load(VM_TRACE)
        cls.vm = td.summarize(cls.trace).vm

    def test_clean(self):
        self.assertEqual(self.trace.warnings, [])
        self.assertEqual(self.trace.records_lost, 0)
        self.assertEqual(self.trace.header.nclusters, 4)

    def test_processes(self):
        procs = {p.name: p for p in self.vm.processes}
        self.assertEqual(sorted(procs), ["hello", "init", "vmdemo"])
        demo, hello = procs["vmdemo"], procs["hello"]
        self.assertEqual((demo.threads, demo.forks, demo.status), (4, 1, 0))
        self.assertEqual(demo.copies, demo.copies_gone)
        self.assertEqual(len(demo.copy_clusters), 3)
        self.assertGreaterEqual(demo.faults["global"], 48)
        self.assertEqual((hello.execs, hello.status), (1, 0))
        self.assertGreaterEqual(hello.faults["cow"], 16)

    def test_every_fault_is_in_a_known_process(self):
        pids = {p.pid for p in self.vm.processes if p.name != "?"}
        self.assertEqual({f.pid for f in self.trace.faults} - pids, set())

    def test_shootdown_flows(self):
        events = td.chrome_trace(self.trace)["traceEvents"]
        assert_nested(self, events)
        flows = [e for e in events if e.get("cat") == "shootdown-flow"]
        self.assertGreaterEqual(len(flows), 2)
        self.assertEqual(sorted(e["id"] for e in flows if e["ph"] == "s"),
                         sorted(e["id"] for e in flows if e["ph"] == "f"))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-sample"]:
        os.makedirs(DATA, exist_ok=True)
        with open(SAMPLE_TRACE, "wb") as f:
            f.write(build_sample().data())
        print(f"wrote {SAMPLE_TRACE}")
    else:
        unittest.main()
