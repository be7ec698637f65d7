#!/usr/bin/env python3
"""Unit tests of the user-suite harness (tests/harness/user_tests.py) on synthetic logs.

The logs imitate what user/init/init.c and the test programs print, with kernel
lines (``[cxy.lid] ...``) interleaved anywhere; the end-to-end tests run the
harness with a fake QEMU that replays a log, so no kernel is needed.
"""

import io
import os
import stat
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import ktap  # noqa: E402
import user_tests  # noqa: E402

BOOT = """\
\x1b[H\x1b[J[0.0] Archipel booting
[0.0] boot report: 2 clusters, 4 cores, 256 MiB
[0.0] all 4 cores online
"""

COW_OK = """\
init: run /tests/cow
TAP version 13
1..3
ok 1 parent_write
[1.0] rpc: cluster 1 serving fork
ok 2 child_write
[0.1] vmm: cow fault 0x401000
ok 3 counted # SKIP not Archipel
# 3 passed or skipped, 0 failed
init: /tests/cow exited with status 0
"""

PIPE_OK = """\
init: run /tests/pipe
TAP version 13
1..2
ok 1 one_mib
[1.1] sched: thread 0x10002 exits
ok 2 eof
init: /tests/pipe exited with status 0
"""

NODES_OK = """\
init: node 0 free before 120000 kB after 120000 kB
[0.0] ppm: cluster 0 free pages 30000
init: node 1 free before 125000 kB after 125000 kB
"""


def log_of(*parts: str, summary: str | None = "init: summary 2 programs, 0 failed\n") -> str:
    text = BOOT + "".join(parts) + (summary or "")
    return text.replace("\n", "\r\n")


def results_of(log_text: str, clusters: int = 2, expected=("cow", "pipe")) -> dict:
    """Run report_suite on a log; return {name: LeafResult} of what it printed."""
    out = io.StringIO()
    writer = user_tests.boot_tests.KtapWriter(out)
    suite = user_tests.parse_suite_log(log_text)
    user_tests.report_suite("2x2", clusters, suite, log_text, "log: x.log", writer,
                            list(expected))
    writer.finish()
    return {r.path: r for r in ktap.leaves(ktap.parse(out.getvalue()))}


class Parsing(unittest.TestCase):
    def test_kernel_lines_are_dropped(self):
        lines = user_tests.user_lines(log_of(COW_OK))
        self.assertFalse(any(ln.startswith("[") for ln in lines))
        self.assertIn("ok 2 child_write", lines)
        self.assertFalse(any(ln.endswith("\r") or "\x1b" in ln for ln in lines))

    def test_programs_and_report(self):
        suite = user_tests.parse_suite_log(log_of(COW_OK, PIPE_OK, NODES_OK))
        self.assertEqual([p.name for p in suite.programs], ["cow", "pipe"])
        self.assertTrue(all(p.passed for p in suite.programs))
        self.assertEqual(suite.programs[0].lines[0], "TAP version 13")
        self.assertNotIn("init: run /tests/cow", suite.programs[0].lines)
        self.assertEqual(suite.nodes, {0: (120000, 120000), 1: (125000, 125000)})
        self.assertEqual(suite.summary, (2, 0))
        self.assertEqual(suite.problems, [])

    def test_killed_program(self):
        killed = COW_OK.replace("init: /tests/cow exited with status 0",
                                "init: /tests/cow killed by signal 11 (SIGSEGV)")
        suite = user_tests.parse_suite_log(log_of(killed))
        run = suite.programs[0]
        self.assertTrue(run.ended)
        self.assertFalse(run.passed)
        self.assertEqual((run.signal, run.signame), (11, "SIGSEGV"))
        self.assertEqual(run.outcome(), "killed by signal 11 (SIGSEGV)")


class Reporting(unittest.TestCase):
    def test_all_pass(self):
        res = results_of(log_of(COW_OK, PIPE_OK, NODES_OK))
        self.assertEqual(sorted(res), sorted([
            "user/2x2/cow/parent_write", "user/2x2/cow/child_write", "user/2x2/cow/counted",
            "user/2x2/cow/exit-status", "user/2x2/pipe/one_mib", "user/2x2/pipe/eof",
            "user/2x2/pipe/exit-status", "user/2x2/leak-check", "user/2x2/summary"]))
        self.assertTrue(all(r.passed for r in res.values()))
        self.assertTrue(res["user/2x2/cow/counted"].skipped)
        self.assertEqual(res["user/2x2/cow/counted"].directive, "SKIP not Archipel")

    def test_failed_case_and_status(self):
        bad = COW_OK.replace("ok 2 child_write", "# cow.c:10: check failed\nnot ok 2 child_write")
        bad = bad.replace("exited with status 0", "exited with status 1")
        res = results_of(log_of(bad, PIPE_OK, NODES_OK,
                                summary="init: summary 2 programs, 1 failed\n"))
        self.assertFalse(res["user/2x2/cow/child_write"].passed)
        self.assertIn("cow.c:10: check failed", res["user/2x2/cow/child_write"].diagnostics)
        self.assertFalse(res["user/2x2/cow/exit-status"].passed)
        self.assertIn("exited with status 1", res["user/2x2/cow/exit-status"].diagnostics)
        self.assertTrue(res["user/2x2/summary"].passed)
        self.assertTrue(res["user/2x2/pipe/exit-status"].passed)

    def test_crashed_program(self):
        """The kernel died in the middle of cow: the log just stops."""
        crashed = "init: run /tests/cow\nTAP version 13\n1..3\nok 1 parent_write\n" \
                  "[1.0] PANIC: page fault in kernel\n"
        res = results_of(log_of(crashed, summary=None))
        status = res["user/2x2/cow/exit-status"]
        self.assertFalse(status.passed)
        self.assertTrue(any("never finished" in d for d in status.diagnostics))
        self.assertTrue(any(d.startswith("| ") and "PANIC" in d for d in status.diagnostics),
                        "the log tail is shown")
        self.assertFalse(res["user/2x2/cow/plan"].passed)          # 1 result of 3
        self.assertTrue(res["user/2x2/cow/parent_write"].passed)
        self.assertFalse(res["user/2x2/pipe/exit-status"].passed)  # never started
        self.assertTrue(any("never started" in d
                            for d in res["user/2x2/pipe/exit-status"].diagnostics))
        self.assertFalse(res["user/2x2/leak-check"].passed)
        self.assertFalse(res["user/2x2/summary"].passed)

    def test_killed_program_is_reported(self):
        killed = COW_OK.replace("ok 3 counted # SKIP not Archipel\n", "").replace(
            "init: /tests/cow exited with status 0",
            "init: /tests/cow killed by signal 11 (SIGSEGV)")
        res = results_of(log_of(killed, PIPE_OK, NODES_OK,
                                summary="init: summary 2 programs, 1 failed\n"))
        self.assertFalse(res["user/2x2/cow/exit-status"].passed)
        self.assertIn("killed by signal 11 (SIGSEGV)",
                      res["user/2x2/cow/exit-status"].diagnostics)
        self.assertFalse(res["user/2x2/cow/plan"].passed)

    def test_no_ktap_output(self):
        silent = "init: run /tests/cow\ninit: cannot execute /tests/cow: Exec format error\n" \
                 "init: /tests/cow exited with status 127\n"
        res = results_of(log_of(silent, PIPE_OK, NODES_OK,
                                summary="init: summary 2 programs, 1 failed\n"))
        self.assertFalse(res["user/2x2/cow/ktap"].passed)
        self.assertFalse(res["user/2x2/cow/exit-status"].passed)

    def test_missing_summary(self):
        res = results_of(log_of(COW_OK, PIPE_OK, NODES_OK, summary=None))
        self.assertFalse(res["user/2x2/summary"].passed)
        self.assertTrue(any("no 'init: summary" in d for d in res["user/2x2/summary"].diagnostics))
        self.assertTrue(res["user/2x2/leak-check"].passed)

    def test_summary_disagrees(self):
        res = results_of(log_of(COW_OK, PIPE_OK, NODES_OK,
                                summary="init: summary 3 programs, 1 failed\n"))
        diags = res["user/2x2/summary"].diagnostics
        self.assertIn("summary says 3 programs, the log shows 2", diags)
        self.assertIn("summary says 1 failed, the log shows 0", diags)

    def test_leak(self):
        nodes = NODES_OK.replace("after 125000", "after 124996") + \
            "init: leak: node 1 lost 4 kB\n"
        res = results_of(log_of(COW_OK, PIPE_OK, nodes,
                                summary="init: summary 2 programs, 0 failed\n"))
        leak = res["user/2x2/leak-check"]
        self.assertFalse(leak.passed)
        self.assertIn("node 1: 125000 kB free before the suite, 124996 kB after: 4 kB lost",
                      leak.diagnostics)

    def test_leftover_processes(self):
        nodes = NODES_OK + "init: leak: processes still running after the suite\n"
        res = results_of(log_of(COW_OK, PIPE_OK, nodes))
        self.assertFalse(res["user/2x2/leak-check"].passed)
        self.assertIn("init says: init: leak: processes still running after the suite",
                      res["user/2x2/leak-check"].diagnostics)

    def test_node_count_must_match_clusters(self):
        res = results_of(log_of(COW_OK, PIPE_OK, NODES_OK), clusters=4)
        self.assertFalse(res["user/2x2/leak-check"].passed)
        self.assertIn("no free-memory line for node(s) 2, 3 of 4",
                      res["user/2x2/leak-check"].diagnostics)

    def test_helpers_are_not_expected(self):
        tmp = tempfile.mkdtemp(prefix="user-tests-")
        for name in ("cow.c", "exec.c", "exec_helper.c", "notes.txt"):
            open(os.path.join(tmp, name), "w").close()
        self.assertEqual(user_tests.expected_programs(tmp), ["cow", "exec"])


class RunnerPlan(unittest.TestCase):
    """tests/run.py: when the user section runs, and with which arguments."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(HERE, ".."))
        import run as runner_module
        cls.runner = runner_module

    def plan(self, argv):
        return self.runner.make_plan(self.runner.parse_args(argv))

    def test_user_iso_runs_it(self):
        p = self.plan(["--user-iso", "u.iso", "--user-timeout", "99", "--boot", "--iso", "x"])
        self.assertEqual(p.user, ["--iso", "u.iso", "--timeout", "99"])
        self.assertEqual(p.boot, ["--iso", "x"])
        self.assertIsNone(self.plan(["--boot", "--iso", "x"]).user)

    def test_only(self):
        p = self.plan(["--user-iso", "u.iso", "--only", "user:4x2,user:1x1", "--boot"])
        self.assertEqual(p.user, ["--iso", "u.iso", "--timeout", "300", "--only", "4x2,1x1"])
        self.assertEqual((p.host, p.unit, p.boot), ([], False, None))
        p = self.plan(["--user-iso", "u.iso", "--only", "user"])
        self.assertEqual(p.user, ["--iso", "u.iso", "--timeout", "300"])
        p = self.plan(["--user-iso", "u.iso", "--only", "4x2", "--boot"])
        self.assertIsNone(p.user)
        self.assertEqual(p.boot, ["--only", "4x2"])


class EndToEnd(unittest.TestCase):
    """The harness's main() with a fake QEMU that prints a log and exits."""

    def run_harness(self, log_text, exit_code):
        tmp = tempfile.mkdtemp(prefix="user-tests-")
        log_file = os.path.join(tmp, "console.txt")
        with open(log_file, "w") as f:
            f.write(log_text)
        fake = os.path.join(tmp, "fake-qemu")
        with open(fake, "w") as f:
            f.write(f"#!/bin/sh\ncat '{log_file}'\nexit {exit_code}\n")
        os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
        src = os.path.join(tmp, "src")
        os.makedirs(src)
        for name in ("cow.c", "pipe.c", "exec_helper.c"):
            open(os.path.join(src, name), "w").close()
        iso = os.path.join(tmp, "fake.iso")
        open(iso, "w").close()
        out = io.StringIO()
        with redirect_stdout(out):
            rc = user_tests.main(["--iso", iso, "--only", "2x2", "--qemu", fake,
                                  "--log-dir", tmp, "--timeout", "20", "--tests-src", src])
        return rc, {r.path: r for r in ktap.leaves(ktap.parse(out.getvalue()))}, tmp

    def test_pass(self):
        rc, res, tmp = self.run_harness(log_of(COW_OK, PIPE_OK, NODES_OK), 1)  # status 0
        self.assertEqual(rc, 0)
        self.assertTrue(all(r.passed for r in res.values()), res)
        self.assertTrue(res["user/2x2/exit-status"].passed)
        self.assertIn("user/2x2/pipe/eof", res)
        with open(os.path.join(tmp, "user-2x2.log")) as f:
            self.assertIn("init: summary", f.read())

    def test_suite_failure_status(self):
        rc, res, _ = self.run_harness(log_of(COW_OK, PIPE_OK, NODES_OK), 3)  # status 1
        self.assertEqual(rc, 1)
        status = res["user/2x2/exit-status"]
        self.assertFalse(status.passed)
        self.assertTrue(any("kernel exit status 1" in d for d in status.diagnostics))

    def test_no_output_at_all(self):
        rc, res, _ = self.run_harness("[0.0] triple fault soon\n", 0)
        self.assertEqual(rc, 1)
        self.assertFalse(res["user/2x2/exit-status"].passed)
        self.assertFalse(res["user/2x2/cow/exit-status"].passed)
        self.assertFalse(res["user/2x2/pipe/exit-status"].passed)
        self.assertNotIn("user/2x2/exec_helper/exit-status", res)
        self.assertFalse(res["user/2x2/summary"].passed)


if __name__ == "__main__":
    unittest.main()
