#!/usr/bin/env python3
"""Unit tests of the command line tools/trace: outputs and their directory, one
output at a time, warnings on stderr, exit statuses, --help.

    python3 -m unittest discover -s tests/tools -p 'test_trace_cli.py' -v
"""

import json
import os
import shutil
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from trace_fixtures import (  # noqa: E402  (puts tools/ on sys.path)
    SVG_NS, build_sample, build_vm, write_trace, run_tool, x_events, ErrorCase,
    VmEventsCase)


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


class ErrorTest(ErrorCase, unittest.TestCase):

    def test_missing_file(self):
        p = run_tool(os.path.join(self.dir, "nope.trace"))
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"^trace: error: .*nope\.trace: no such file\n$")

    def test_bad_option(self):
        p = run_tool("--frobnicate", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage:", p.stderr)


class VmEventsTest(VmEventsCase, unittest.TestCase):
    """The page-fault heat map on the command line."""

    def test_cli_vm_svg(self):
        with tempfile.TemporaryDirectory() as d:
            path = write_trace(d, build_vm().data())
            p = run_tool(path, "--vm-svg", "-")
            self.assertEqual(p.returncode, 0, p.stderr)
            ET.fromstring(p.stdout.encode("utf-8"))
            self.assertIn("Page faults per cluster and kind", p.stdout)


if __name__ == "__main__":
    unittest.main()
