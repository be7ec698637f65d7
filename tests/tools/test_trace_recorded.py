#!/usr/bin/env python3
"""Unit tests of tools/trace on the traces of tests/data/trace/ (see the README
there): the synthetic sample is what trace_fixtures.build_sample() writes, and the
recordings from the kernel decode cleanly into consistent figures.

    python3 -m unittest discover -s tests/tools -p 'test_trace_recorded.py' -v
"""

import json
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    SVG_NS, build_sample, run_tool, x_events, assert_nested, REAL_TRACE, VM_TRACE,
    SAMPLE_TRACE)
from tracedec import assemble, chrome, heatmap, stats  # noqa: E402


class SampleTest(unittest.TestCase):
    """tests/data/trace/synthetic-2x2.trace is what build_sample() produces."""

    def test_sample_is_up_to_date(self):
        with open(SAMPLE_TRACE, "rb") as f:
            self.assertEqual(f.read(), build_sample().data(),
                             "regenerate: python3 tests/tools/trace_fixtures.py --write-sample")

    def test_sample_decodes(self):
        t = assemble.load(SAMPLE_TRACE)
        s = stats.summarize(t)
        self.assertEqual(t.warnings, [])
        self.assertEqual((s.totals.rpcs, s.totals.unanswered), (24, 1))
        self.assertEqual(sum(map(sum, s.matrix)), 24)


@unittest.skipUnless(os.path.exists(REAL_TRACE),
                     "no recorded trace yet: make trace-sample writes " + REAL_TRACE)
class RealTraceTest(unittest.TestCase):
    """A trace recorded from the kernel (4 clusters x 2 cores, ktest=rpc)."""

    @classmethod
    def setUpClass(cls):
        cls.trace = assemble.load(REAL_TRACE)
        cls.summary = stats.summarize(cls.trace)

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
        obj = chrome.chrome_trace(self.trace)
        json.loads(json.dumps(obj))
        assert_nested(self, obj["traceEvents"])
        handled = sum(r.handler_time is not None for r in self.trace.rpcs)
        self.assertEqual(len([e for e in x_events(obj["traceEvents"])
                              if e["cat"] == "rpc" and not e["name"].startswith("rpc wait")]),
                         handled)
        root = ET.fromstring(heatmap.heatmap_svg(self.trace).encode("utf-8"))
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
    command is tests/e2e/test_make_trace.py; this recording keeps the decoder
    honest about real data without a boot."""

    @classmethod
    def setUpClass(cls):
        cls.trace = assemble.load(VM_TRACE)
        cls.vm = stats.summarize(cls.trace).vm

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
        events = chrome.chrome_trace(self.trace)["traceEvents"]
        assert_nested(self, events)
        flows = [e for e in events if e.get("cat") == "shootdown-flow"]
        self.assertGreaterEqual(len(flows), 2)
        self.assertEqual(sorted(e["id"] for e in flows if e["ph"] == "s"),
                         sorted(e["id"] for e in flows if e["ph"] == "f"))


if __name__ == "__main__":
    unittest.main()
