#!/usr/bin/env python3
"""Unit tests of tools/tracedec/chrome.py: the Chrome Trace Event Format JSON
(metadata, handler and wait slices, flow arrows, lanes for overlapping slices,
instants, timestamps; faults, shootdowns and process events).

    python3 -m unittest discover -s tests/tools -p 'test_trace_chrome.py' -v
"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    SHOOTDOWN_VEC, TraceBuilder, x_events, assert_nested, VmEventsCase)
from tracedec import chrome  # noqa: E402


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
            chrome.write_chrome_json(t, f)
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
        events = chrome.chrome_trace(b.trace())["traceEvents"]
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
        events = chrome.chrome_trace(b.trace())["traceEvents"]
        self.assertEqual([e["name"] for e in x_events(events)], ["KILL"])
        instants = [e for e in events if e["ph"] == "i"]
        self.assertEqual([(e["name"], e["pid"], e["tid"]) for e in instants],
                         [("rpc no reply KILL", 1, 0)])


class VmEventsTest(VmEventsCase, unittest.TestCase):
    """The FAULT, SHOOTDOWN and process records: slices, arrows, instants."""

    def test_chrome(self):
        events = chrome.chrome_trace(self.trace)["traceEvents"]
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


if __name__ == "__main__":
    unittest.main()
