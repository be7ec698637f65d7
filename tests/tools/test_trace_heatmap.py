#!/usr/bin/env python3
"""Unit tests of tools/tracedec/heatmap.py (and of the SVG it writes through
tools/svg.py): a valid SVG 1.1 document, one cell per cluster pair with its
count, the colour scale and its legend, the fault heat map.

    python3 -m unittest discover -s tests/tools -p 'test_trace_heatmap.py' -v
"""

import os
import re
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    SVG_NS, TraceBuilder, VmEventsCase)
from tracedec import heatmap, text, wire  # noqa: E402


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
        return ET.fromstring(heatmap.heatmap_svg(trace).encode("utf-8"))

    def test_valid_svg_document(self):
        text = heatmap.heatmap_svg(self.build())
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


class VmEventsTest(VmEventsCase, unittest.TestCase):
    """The FAULT records: the fault heat map."""

    def test_fault_heatmap(self):
        root = ET.fromstring(heatmap.fault_heatmap_svg(self.trace).encode("utf-8"))
        counts = {e.get("id"): int(e.text) for e in root.iter(SVG_NS + "text")
                  if (e.get("id") or "").startswith("count-")}
        self.assertEqual(len(counts), 2 * len(wire.FAULT_KINDS))
        self.assertEqual(counts["count-0-0"], 2)
        self.assertEqual(counts["count-1-3"], 1)
        self.assertEqual(sum(counts.values()), 6)
        labels = [e.text for e in root.iter(SVG_NS + "text") if e.get("class") == "col-label"]
        self.assertEqual(labels, list(wire.FAULT_KINDS))


if __name__ == "__main__":
    unittest.main()
