#!/usr/bin/env python3
"""Unit tests of tools/tracedec/assemble.py: records of an interleaved stream paired
into RPCs by (id, server), orphan, duplicate and lost records, IPIs, and the FAULT,
SHOOTDOWN and process records.

    python3 -m unittest discover -s tests/tools -p 'test_trace_assemble.py' -v
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    REC, RPC_REPLY, TraceBuilder, build_vm, SummaryCase, VmEventsCase)
from tracedec import assemble, stats, text  # noqa: E402


class DecodeTest(unittest.TestCase):

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
        t = assemble.parse(data)
        self.assertEqual([r.tsc for r in t.events], sorted(tscs))
        self.assertEqual(len(t.rpcs), 10)
        for rpc in t.rpcs:
            client, latency, handler = expected[(rpc.id, rpc.server)]
            self.assertEqual((rpc.client, rpc.client_lid), client)
            self.assertEqual(rpc.latency, latency)
            self.assertEqual(rpc.handler_time, handler)
        self.assertEqual(t.warnings, [])


class SummaryTest(SummaryCase, unittest.TestCase):

    def test_rpc_without_send(self):
        b = TraceBuilder()
        b.rpc(1, (0, 0), (1, 0), 100, 200, 300, 400)
        b.rpc(1, (0, 0), (1, 1), None, 600, 700, 800)   # SEND lost
        t = b.trace()
        s = stats.summarize(t)
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
        self.assertEqual(stats.summarize(t).totals.records_lost, 9)
        self.assertRegex(text.format_summary(t), r"\n\s+records lost\s+9\n")
        self.assertTrue(any(w.startswith("9 record(s) lost") for w in t.warnings),
                        t.warnings)

    def test_ipis(self):
        b = TraceBuilder()
        b.ipi(100, (0, 0), (1, 1), 0xF0, recv=150)
        b.ipi(200, (1, 1), (0, 0), 0xF0, recv=260)
        b.ipi(300, (0, 1), (1, 0), 0xF1)  # not received (yet)
        t = b.trace()
        totals = stats.summarize(t).totals
        self.assertEqual((totals.ipis_sent, totals.ipis_received), (3, 2))
        self.assertEqual([(i.cxy, i.lid, i.target, i.vector) for i in t.ipis if i.sent],
                         [(0, 0, (1, 1), 0xF0), (1, 1, (0, 0), 0xF0), (0, 1, (1, 0), 0xF1)])
        report = text.format_summary(t)
        self.assertRegex(report, r"\n\s+IPIs sent\s+3\n")
        self.assertRegex(report, r"\n\s+IPIs received\s+2\n")

    def test_duplicate_record_is_ignored_with_warning(self):
        b = TraceBuilder()
        rid = b.rpc(1, (0, 0), (1, 0), 100, 200, 300, 400)
        b.event(500, 0, 0, RPC_REPLY, 1, rid, 1)
        t = b.trace()
        self.assertEqual(t.rpcs[0].latency, 300)
        self.assertTrue(any("duplicate" in w and "1 RPC_REPLY" in w for w in t.warnings),
                        t.warnings)


class VmEventsTest(VmEventsCase, unittest.TestCase):
    """The FAULT, SHOOTDOWN and process records: decoding."""

    def test_decode(self):
        t = self.trace
        self.assertEqual(t.warnings, [])
        self.assertEqual(t.faults[0], assemble.Fault(tsc=2_000, cxy=0, lid=0, kind="local",
                                               write=True, vpn=0x400, pid=7, cycles=300))
        self.assertEqual(t.faults[0].start, 1_700)
        self.assertEqual([f.kind for f in t.faults],
                         ["local", "local", "global", "false", "cow", "bad"])
        self.assertEqual(t.shootdowns, [assemble.Shootdown(tsc=9_000, cxy=0, lid=0, targets=2,
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


if __name__ == "__main__":
    unittest.main()
