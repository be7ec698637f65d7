#!/usr/bin/env python3
"""Unit tests of tools/tracedec/stats.py: nearest-rank percentiles, latency and
handler statistics per RPC type and per cluster pair, unanswered RPCs, and the VM
figures (faults per kind and cluster, shootdowns, per-process rows).

    python3 -m unittest discover -s tests/tools -p 'test_trace_stats.py' -v
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    FORK, EXEC, COW, TraceBuilder, pack_name, table, SummaryCase, VmEventsCase)
from tracedec import stats, text, wire  # noqa: E402


class PercentileTest(unittest.TestCase):

    def test_nearest_rank(self):
        hundred = list(range(1, 101))
        self.assertEqual(stats.percentile(hundred, 99), 99)
        self.assertEqual(stats.percentile(hundred, 50), 50)
        self.assertEqual(stats.percentile(hundred, 100), 100)
        ten = list(range(10, 101, 10))
        self.assertEqual(stats.percentile(ten, 99), 100)   # rank ceil(9.9) = 10
        self.assertEqual(stats.percentile(ten, 50), 50)    # rank 5
        self.assertEqual(stats.percentile([1, 2], 50), 1)  # lower middle
        self.assertEqual(stats.percentile([1, 2, 3], 50), 2)
        self.assertEqual(stats.percentile([7], 99), 7)
        self.assertIsNone(stats.percentile([], 50))
        self.assertEqual(stats.percentile(list(range(1, 201)), 99), 198)  # rank 198
        # Ranks are rounded up, never to the nearest integer.
        self.assertEqual(stats.percentile([1, 2, 3, 4, 5], 50), 3)         # rank ceil(2.5)
        self.assertEqual(stats.percentile(list(range(1, 151)), 99), 149)   # rank ceil(148.5)
        self.assertEqual(stats.percentile(list(range(1, 1001)), 99), 990)  # rank 990 exactly


class SummaryTest(SummaryCase, unittest.TestCase):

    def test_type_statistics(self):
        s = stats.summarize(self.build().trace())
        self.assertEqual(len(s.types), 2)
        ppm, vmm = s.types
        self.assertEqual((ppm.type, ppm.name, ppm.count, ppm.unanswered),
                         (1, "PPM_ALLOC", 100, 0))
        self.assertEqual(ppm.latency, stats.Stats(100, 50_000, 99_000))
        self.assertEqual(ppm.handler, stats.Stats(100, 5_000, 9_900))
        self.assertEqual((vmm.type, vmm.name, vmm.count), (2, "VMM_GET_VSEG", 3))
        self.assertEqual(vmm.latency, stats.Stats(3, 4_000, 7_000))
        self.assertEqual(vmm.handler, stats.Stats(3, 200, 200))

    def test_pairs(self):
        b = TraceBuilder(nclusters=3)
        lat = {(0, 1): [6000, 2000, 4000], (1, 0): [3000, 1000], (2, 0): [500],
               (0, 2): [9000, 1000, 8000, 2000]}
        t = 0
        for (c, s), values in lat.items():
            for v in values:
                t += 100_000
                b.rpc(1, (c, 1), (s, 0), t, t + 10, t + 20, t + v)
        summ = stats.summarize(b.trace())
        got = [(p.client, p.server, p.count, p.unanswered, p.latency) for p in summ.pairs]
        self.assertEqual(got, [(0, 1, 3, 0, stats.Stats(3, 4000, 6000)),
                               (0, 2, 4, 0, stats.Stats(4, 2000, 9000)),
                               (1, 0, 2, 0, stats.Stats(2, 1000, 3000)),
                               (2, 0, 1, 0, stats.Stats(1, 500, 500))])
        self.assertEqual(summ.matrix, [[0, 3, 4], [2, 0, 0], [1, 0, 0]])
        rows = table(text.format_summary(b.trace()), "RPCs by cluster pair")
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
        s = stats.summarize(t)
        self.assertEqual((s.totals.rpcs, s.totals.answered, s.totals.unanswered),
                         (4, 1, 3))
        self.assertEqual([(r.type, r.count, r.unanswered) for r in s.types],
                         [(1, 3, 2), (2, 1, 1)])
        self.assertEqual(s.types[0].latency, stats.Stats(1, 300, 300))
        self.assertEqual(s.types[0].handler, stats.Stats(2, 100, 100))
        self.assertEqual(s.types[1].latency, stats.Stats(0, None, None))
        self.assertEqual([(p.client, p.server, p.count, p.unanswered) for p in s.pairs],
                         [(0, 1, 3, 2), (1, 0, 1, 1)])
        report = text.format_summary(t)
        self.assertRegex(report, r"\n\s+unanswered\s+3\n")
        self.assertEqual(table(report, "RPCs by type")[2].split()[4:],
                         ["-", "-", "-", "-", "-", "-"])


class VmEventsTest(VmEventsCase, unittest.TestCase):
    """The FAULT, SHOOTDOWN and process records: statistics."""

    def test_summary(self):
        vm = self.summary.vm
        rows = {r.kind: r for r in vm.faults}
        self.assertEqual([r.kind for r in vm.faults], list(wire.FAULT_KINDS))
        self.assertEqual((rows["local"].count, rows["local"].writes), (2, 1))
        self.assertEqual(rows["local"].cycles, stats.Stats(2, 300, 500))
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
        names = {p.pid: p.name for p in stats.summarize(b.trace()).vm.processes}
        self.assertEqual(names, {7: "sh", 9: "sh"})


if __name__ == "__main__":
    unittest.main()
