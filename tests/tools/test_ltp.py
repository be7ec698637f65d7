#!/usr/bin/env python3
"""Unit tests of tools/ltp.py on synthetic consoles: ltprun's protocol, the kernel lines
recorded against the running test, a crash in a test, the expected-results list and
the comparison table. No kernel or LTP build is needed."""

import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import ltp  # noqa: E402

CONSOLE = """\
[0.0] Archipel booting
ltp: start /opt/ltp/runtest/syscalls timeout 60 s LTP_TIMEOUT_MUL=1 LTP_RUNTIME_MUL=0.1
ltp: run fork01
fork01.c:10: TPASS: fork() returned
ltp: result fork01 PASS exit 0 0.3s | 
ltp: run mmap01
[1.0] syscall: 26 (msync) is not implemented: -ENOSYS (pid 5, mmap01)
mmap01.c:103: TBROK: msync failed: ENOSYS (38)
ltp: result mmap01 BROK exit 2 0.2s | mmap01.c:103: TBROK: msync failed: ENOSYS (38)
ltp: run kill02
partial output[0.1] PANIC: exception #PF (vector 14) error 0x2 on core 0.1 (apic 1)
"""


class ParserTest(unittest.TestCase):
    def parse(self, text):
        p = ltp.Parser()
        for line in text.splitlines():
            p.feed(line)
        return p

    def test_results_and_reasons(self):
        p = self.parse(CONSOLE)
        self.assertEqual(p.tests["fork01"]["result"], "PASS")
        self.assertEqual(p.tests["mmap01"]["result"], "BROK")
        self.assertEqual(p.tests["mmap01"]["status"], "exit 2")
        self.assertIn("msync failed", p.tests["mmap01"]["reason"])

    def test_kernel_lines_go_to_the_running_test(self):
        p = self.parse(CONSOLE)
        self.assertEqual(p.tests["fork01"]["kernel_messages"], [])
        self.assertEqual(p.tests["mmap01"]["kernel_messages"],
                         ["syscall: 26 (msync) is not implemented: -ENOSYS (pid 5, mmap01)"])

    def test_a_panic_in_a_test_is_its_own(self):
        p = self.parse(CONSOLE)
        self.assertEqual(p.current, "kill02")          # never ended
        self.assertIsNone(p.tests["kill02"]["result"])
        self.assertTrue(p.tests["kill02"]["panic"].startswith("PANIC: exception"))
        self.assertEqual(p.last_name, "kill02")

    def test_summary_line(self):
        p = self.parse("LTP: 1 passed, 0 failed, 0 broken, 0 conf, 0 timeouts, 0 signals (1 tests)")
        self.assertIsNotNone(p.summary)


class ExpectedTest(unittest.TestCase):
    def write(self, text):
        fd, path = tempfile.mkstemp(suffix=".txt")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_parse(self):
        path = self.write("# comment\n\nkill02  TIMEOUT|FAIL  linux=PASS  waits for SIGSTOP\n"
                          "mmap01 BROK linux=PASS msync\n")
        exp = ltp.read_expected(path)
        self.assertEqual(exp["kill02"][0], {"TIMEOUT", "FAIL"})
        self.assertEqual(exp["kill02"][1], "linux=PASS  waits for SIGSTOP")
        self.assertEqual(exp["mmap01"][0], {"BROK"})

    def test_unknown_result_is_refused(self):
        with self.assertRaises(ValueError):
            ltp.read_expected(self.write("kill02 HANG linux=PASS x\n"))
        with self.assertRaises(ValueError):
            ltp.read_expected(self.write("kill02\n"))


class CompareTest(unittest.TestCase):
    def test_linux_only_passes_first(self):
        with tempfile.TemporaryDirectory() as out:
            def res(linux, tests):
                with open(ltp.results_path(out, "2x2", linux), "w") as f:
                    json.dump({"tests": tests}, f)
            t = lambda r, fam: {"result": r, "family": fam, "reason": ""}
            res(False, {"a01": t("PASS", "fork"), "b01": t("BROK", "mmap"),
                        "c01": t("FAIL", "kill")})
            res(True, {"a01": t("PASS", "fork"), "b01": t("PASS", "mmap"),
                       "c01": t("FAIL", "kill")})
            args = ltp.argparse.Namespace(out=out, topology="2x2")
            buf = io.StringIO()
            with redirect_stdout(buf):
                self.assertEqual(ltp.cmd_compare(args), 0)
            text = buf.getvalue()
            self.assertRegex(text, r"total\s+3\s+1\s+2\s+1")
            listing = text.split("not on Archipel first:")[1].split()
            self.assertEqual(listing[0], "b01")      # passes on Linux only


if __name__ == "__main__":
    unittest.main()
