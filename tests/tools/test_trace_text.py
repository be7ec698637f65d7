#!/usr/bin/env python3
"""Unit tests of tools/tracedec/text.py: the plain-text summary (its tables, their
alignment, microseconds at the header's TSC frequency, the VM sections).

    python3 -m unittest discover -s tests/tools -p 'test_trace_text.py' -v
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    TraceBuilder, build_sample, table, columns, SummaryCase, VmEventsCase, SIGNAL)
from tracedec import text, wire  # noqa: E402


class SummaryTest(SummaryCase, unittest.TestCase):

    def test_type_table_text(self):
        report = text.format_summary(self.build().trace())
        rows = table(report, "RPCs by type")
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
        rows = table(text.format_summary(b.trace()), "RPCs by type")
        self.assertEqual(rows[1].split()[4:], ["10.000", "10.000", "25000", "25000",
                                               "0.500", "1250"])

    def test_tables_are_aligned(self):
        report = text.format_summary(self.build().trace())
        for title, ncols in (("RPCs by type", 10), ("RPCs by cluster pair", 7)):
            rows = table(report, title)
            spans = columns(rows[0])
            self.assertEqual(len(spans), ncols, rows[0])
            for row in rows[1:]:
                for i, (start, end) in enumerate(spans):
                    if i == 0:      # left-aligned name column
                        self.assertNotEqual(row[start], " ", row)
                    else:           # right-aligned number columns
                        self.assertNotEqual(row[end - 1], " ", row)
                        self.assertTrue(end == len(row) or row[end] == " ", row)


class VmEventsTest(VmEventsCase, unittest.TestCase):
    """The FAULT, SHOOTDOWN and process records: the summary's sections."""

    def test_summary_text(self):
        report = text.format_summary(self.trace, self.summary)
        kinds = table(report, "Page faults by kind")
        self.assertEqual([ln.split()[0] for ln in kinds[1:]], list(wire.FAULT_KINDS))
        self.assertEqual(kinds[1].split()[:3], ["local", "2", "1"])
        clusters = table(report, "Page faults by cluster")
        self.assertEqual(clusters[2].split(), ["1", "0", "1", "1", "1", "0", "3"])
        shoot = table(report, "TLB shootdowns")
        self.assertIn("rounds", shoot[0])
        self.assertEqual(shoot[0].split()[-1], "1")
        procs = table(report, "Processes")
        self.assertEqual(procs[1].split()[:7], ["7", "vmdemo", "1", "1", "1", "1/1", "1"])
        self.assertEqual(procs[2].split()[-2:], ["exit", "3"])
        self.assertIn("page faults", report)

    def test_summary_text_without_vm_events(self):
        report = text.format_summary(build_sample().trace())
        self.assertIn("(no page fault)", report)
        self.assertIn("(no shootdown", report)
        self.assertIn("(no process event)", report)
        self.assertIn("(no signal)", report)

    def test_signals_by_cluster_pair(self):
        b = TraceBuilder()
        # kill from pid 0x10001 in cluster 1 to pid 2 in cluster 0, twice; tgkill 1 -> 1
        b.event(1_000, 1, 0, SIGNAL, 10, 0x10001 | 1 << 48, 2)
        b.event(2_000, 1, 0, SIGNAL, 12, 0x10001 | 1 << 48, 2)
        b.event(3_000, 1, 1, SIGNAL, 33, 0x10001 | 1 << 48, 0x10002 | 1 << 48)
        trace = b.trace()
        self.assertEqual(len(trace.signals), 3)
        self.assertEqual((trace.signals[2].sig, trace.signals[2].target,
                          trace.signals[2].target_cxy), (33, 0x10002, 1))
        report = text.format_summary(trace)
        rows = table(report, "Signals by cluster pair")
        self.assertEqual(rows[1].split(), ["1", "->", "0", "2", "10,12"])
        self.assertEqual(rows[2].split(), ["1", "->", "1", "1", "33"])
        self.assertIn("signals sent", report)


if __name__ == "__main__":
    unittest.main()
