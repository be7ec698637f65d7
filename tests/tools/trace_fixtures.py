#!/usr/bin/env python3
"""Synthetic traces and helpers shared by the tests of tools/trace and tools/tracedec/
(the test_trace_*.py files, one per module of the package).

The traces are built record by record with struct.pack by :class:`TraceBuilder`
from the format of kernel/kern/trace.h, which is written down again here (not
imported from the decoder) so that a decoder that misreads the contract fails.

``python3 tests/tools/trace_fixtures.py --write-sample`` regenerates
tests/data/trace/synthetic-2x2.trace (:func:`build_sample`).
"""

import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
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

from tracedec import assemble, stats, wire  # noqa: E402

# --- the wire format, as kernel/kern/trace.h defines it -----------------------------------

REC = struct.Struct("<QHHHHQQ")  # tsc, cxy, lid, event, aux, arg0, arg1
MAGIC = 0x3143525448435241       # "ARCHTRC1"
VERSION = 1
(HEADER, NAME, RPC_SEND, RPC_START, RPC_END, RPC_REPLY,
 IPI_SEND, IPI_RECV, LOST, SHOOTDOWN, FAULT, FORK, EXEC, EXIT, THREAD, COPY,
 SIGNAL) = range(17)
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

    def trace(self, extra=b"") -> "assemble.Trace":
        """The decoded stream (plus ``extra`` bytes at the end)."""
        return assemble.parse(self.data() + extra, source="synthetic.trace")


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


# --- fixtures of test classes split over several files ----------------------------------

class SummaryCase:
    """SummaryTest's trace (its tests are in test_trace_wire, _assemble, _stats, _text)."""

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


class ErrorCase:
    """ErrorTest's fixtures: a temporary directory, a good stream, the check that a bad
    one fails in the decoder and in the CLI (tests in test_trace_wire and _cli)."""

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
        with self.assertRaisesRegex(wire.TraceError, expect):
            assemble.parse(data)
        path = write_trace(self.dir, data)
        p = run_tool(path)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertRegex(lines[0], r"^trace: error: .*" + expect)
        self.assertEqual(sorted(os.listdir(self.dir)), ["t.trace"])


class VmEventsCase:
    """VmEventsTest's fixture, the trace of build_vm() and its summary: its tests of the
    FAULT, SHOOTDOWN and process records are in test_trace_assemble, _stats, _text,
    _chrome, _heatmap and _cli."""

    @classmethod
    def setUpClass(cls):
        cls.trace = build_vm().trace()
        cls.summary = stats.summarize(cls.trace)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-sample"]:
        os.makedirs(DATA, exist_ok=True)
        with open(SAMPLE_TRACE, "wb") as f:
            f.write(build_sample().data())
        print(f"wrote {SAMPLE_TRACE}")
    else:
        print(f"usage: {sys.argv[0]} --write-sample   (rewrites {SAMPLE_TRACE})", file=sys.stderr)
        sys.exit(2)
