#!/usr/bin/env python3
"""Unit tests of tools/tracedec/wire.py: the record format of kernel/kern/trace.h
(the constants checked against the header itself), the header and the RPC type
names, the stream-level errors (the CLI reports them in one line, exit status 2)
and the recoverable damage (a truncated last record, unknown event numbers).

    python3 -m unittest discover -s tests/tools -p 'test_trace_wire.py' -v
"""

import os
import re
import struct
import sys
import unittest
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    REC, MAGIC, VERSION, HEADER, NAME, RPC_SEND, RPC_START, RPC_END, RPC_REPLY,
    IPI_SEND, IPI_RECV, LOST, SHOOTDOWN, FAULT, FORK, EXEC, EXIT, THREAD, COPY,
    SIGNAL, SHOOTDOWN_VEC, record, TraceBuilder, SummaryCase, ErrorCase, REPO, TRACE_H)
from tracedec import stats, wire  # noqa: E402


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
                    "TRACE_SIGNAL": SIGNAL, "TRACE_EVENTS": 17}
        self.assertEqual(values, expected)
        for name, value in expected.items():
            self.assertEqual(getattr(wire, name), value, name)

        kinds = re.search(r"enum\s+trace_fault_kind\s*\{(.*?)\};", src, re.S).group(1)
        kinds = re.sub(r"/\*.*?\*/", "", kinds, flags=re.S)
        self.assertEqual(re.findall(r"TRACE_FAULT_(\w+)\s*=\s*(\d+)", kinds),
                         [("LOCAL", "0"), ("GLOBAL", "1"), ("FALSE", "2"), ("COW", "3"),
                          ("BAD", "4")])
        self.assertEqual(wire.FAULT_KINDS, ("local", "global", "false", "cow", "bad"))
        self.assertEqual(int(re.search(r"#define\s+TRACE_FAULT_WRITE\s+(0x[0-9a-f]+)",
                                       src).group(1), 16), wire.FAULT_WRITE)
        with open(os.path.join(REPO, "kernel", "kern", "ipi.h")) as f:
            vec = re.search(r"#define\s+VEC_SHOOTDOWN\s+(0x[0-9a-fA-F]+)", f.read()).group(1)
        self.assertEqual(int(vec, 16), wire.VEC_SHOOTDOWN)
        self.assertEqual(SHOOTDOWN_VEC, wire.VEC_SHOOTDOWN)

        magic = int(re.search(r"#define\s+TRACE_MAGIC\s+(0x[0-9a-fA-F]+)", src).group(1), 16)
        version = int(re.search(r"#define\s+TRACE_VERSION\s+(\d+)", src).group(1))
        self.assertEqual((magic, version), (MAGIC, VERSION))
        self.assertEqual((wire.TRACE_MAGIC, wire.TRACE_VERSION), (MAGIC, VERSION))
        self.assertEqual(struct.pack("<Q", MAGIC), b"ARCHTRC1")

        struct_body = re.search(r"typedef\s+struct\s+trace_rec_s\s*\{(.*?)\}", src, re.S)
        fields = re.findall(r"uint(\d+)_t\s+(\w+);", struct_body.group(1))
        self.assertEqual(fields, [("64", "tsc"), ("16", "cxy"), ("16", "lid"),
                                  ("16", "event"), ("16", "aux"), ("64", "arg0"),
                                  ("64", "arg1")])
        self.assertEqual(wire.RECORD.format, REC.format)
        self.assertEqual(wire.RECORD_SIZE, 32)


class DecodeTest(unittest.TestCase):

    def test_header(self):
        t = TraceBuilder(hz=2_345_678_901, nclusters=5, ncores=20).trace()
        self.assertEqual(t.header, wire.Header(tsc_hz=2_345_678_901, nclusters=5, ncores=20,
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
        self.assertEqual([r.name for r in stats.summarize(t).types],
                         ["PPM_ALLOC", "type7", "SIXTEEN_CHARS_XX"])


class SummaryTest(SummaryCase, unittest.TestCase):

    def test_truncated_last_record(self):
        b = self.build()
        whole = stats.summarize(b.trace())
        t = b.trace(extra=record(99, 0, 0, RPC_SEND)[:13])
        self.assertEqual(t.trailing_bytes, 13)
        self.assertTrue(any("partial last record (13 trailing bytes)" in w
                            for w in t.warnings), t.warnings)
        self.assertEqual(stats.summarize(t), whole)

    def test_unknown_events(self):
        b = self.build()
        whole = stats.summarize(b.trace())
        b.event(5_000_000, 0, 1, 42, 0, 1, 2)
        b.event(5_000_001, 1, 0, 17)       # TRACE_EVENTS itself is no event
        b.event(5_000_002, 1, 0, 42)
        b.event(5_000_003, 1, 0, SIGNAL, 10, 1 | 1 << 48, 2)   # known: no warning
        t = b.trace()
        self.assertEqual(t.unknown, Counter({42: 2, 17: 1}))
        self.assertTrue(any("unknown event" in w and "17 (x1)" in w and "42 (x2)" in w
                            for w in t.warnings), t.warnings)
        s = stats.summarize(t)
        self.assertEqual(s.totals.unknown_events, 3)
        self.assertEqual((s.types, s.pairs, s.matrix), (whole.types, whole.pairs,
                                                        whole.matrix))


class ErrorTest(ErrorCase, unittest.TestCase):

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


if __name__ == "__main__":
    unittest.main()
