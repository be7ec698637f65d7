#!/usr/bin/env python3
"""`make trace` end to end: a real program traced on the default 4x2 guest.

Runs ``make trace PROG=build/user/bin/vmdemo`` once (user/bin/vmdemo.c: local
and global faults, threads in every cluster, a write-protect under them, a fork
with COW and an exec) and checks what it leaves in build/trace/ against what
the program did.  This is the test that fails when the kernel stops recording
an event; tests/tools/test_trace_*.py test the decoder on synthetic traces.

Needs the kernel and user programs built (``make test`` builds them first);
one QEMU boot, about 10-60 s under TCG.

    python3 -m unittest discover -s tests/e2e -p 'test_make_trace.py' -v
"""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

from tracedec import assemble, stats  # noqa: E402

PROG = "build/user/bin/vmdemo"
TRACE_DIR = os.path.join(REPO, "build", "trace")
CLUSTERS = 4
MAKE_TIMEOUT = 420      # seconds: the build of the ISO, then one boot (BOOT_TIMEOUT inside)


def make(*args, timeout=MAKE_TIMEOUT):
    """Runs make in the repository; returns the CompletedProcess (text mode)."""
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


class MakeTraceErrorsTest(unittest.TestCase):
    """Bad command lines are refused before anything boots."""

    def test_without_prog(self):
        p = make("trace", timeout=120)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("make trace: name the program", p.stderr)

    def test_missing_prog(self):
        p = make("trace", "PROG=build/no/such/program", timeout=120)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("PROG=build/no/such/program: no such file", p.stderr)


class MakeTraceTest(unittest.TestCase):
    """One traced run of vmdemo on 4 clusters x 2 cores."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(REPO, PROG)):
            raise AssertionError(f"{PROG} is not built: run make user-programs (make test does)")
        cls.made = make("trace", f"PROG={PROG}", f"CLUSTERS={CLUSTERS}", "CORES_PER_CLUSTER=2",
                       "MEM_PER_CLUSTER=128")
        cls.log = cls.made.stdout[-4000:] + cls.made.stderr[-4000:]
        path = os.path.join(TRACE_DIR, "trace.bin")
        cls.trace = assemble.load(path) if os.path.exists(path) else None
        cls.summary = stats.summarize(cls.trace) if cls.trace else None

    def setUp(self):
        self.assertEqual(self.made.returncode, 0, self.log)
        self.assertIsNotNone(self.trace, "no build/trace/trace.bin\n" + self.log)

    def process(self, name):
        rows = [p for p in self.summary.vm.processes if p.name == name]
        self.assertEqual(len(rows), 1, [(p.pid, p.name) for p in self.summary.vm.processes])
        return rows[0]

    def test_outputs(self):
        self.assertEqual(sorted(os.listdir(TRACE_DIR)),
                         ["rpc-heatmap.svg", "summary.txt", "trace.bin", "trace.json",
                          "vm-heatmap.svg"])
        self.assertIn("vmdemo exited with status 0", self.made.stdout)
        with open(os.path.join(TRACE_DIR, "summary.txt")) as f:
            text = f.read()
        for title in ("RPCs by type", "Page faults by kind", "Page faults by cluster",
                      "TLB shootdowns", "Processes"):
            self.assertIn(title, text)

    def test_complete(self):
        self.assertEqual(self.trace.records_lost, 0)
        self.assertEqual(self.trace.unknown, {})
        self.assertEqual(self.trace.warnings, [])
        self.assertEqual(self.trace.header.nclusters, CLUSTERS)

    def test_faults(self):
        demo = self.process("vmdemo")
        # main's 16 pages are local faults; three readers in other clusters fetch PTEs
        self.assertGreaterEqual(demo.faults["local"], 16)
        self.assertGreaterEqual(demo.faults["global"], 3 * 16)
        self.assertGreaterEqual(demo.faults["cow"], 8)       # the parent's second half
        self.assertEqual(demo.faults["bad"], 0)
        for f in self.trace.faults:
            self.assertLess(f.cxy, CLUSTERS)
            self.assertGreater(f.vpn, 0)
        vaddrs = {f.vpn for f in self.trace.faults if f.pid == demo.pid and f.kind == "global"}
        self.assertGreaterEqual(len(vaddrs), 16, "the readers touch every page of the buffer")

    def test_threads_and_copies(self):
        demo = self.process("vmdemo")
        self.assertEqual(demo.threads, CLUSTERS)              # one reader per node
        self.assertGreaterEqual(len(demo.copy_clusters), CLUSTERS - 1)
        self.assertEqual(demo.copies, demo.copies_gone, "every copy torn down at the end")
        copies = [e for e in self.trace.procs if e.kind == "copy" and e.pid == demo.pid]
        self.assertTrue(all(e.cxy != e.ref for e in copies), "a copy outside the reference")

    def test_fork_exec_exit(self):
        demo, hello = self.process("vmdemo"), self.process("hello")
        self.assertEqual((demo.forks, demo.status), (1, 0))
        self.assertEqual((hello.execs, hello.status), (1, 0))
        self.assertGreaterEqual(hello.faults["cow"], 16, "the child writes every page")
        forks = [e for e in self.trace.procs if e.kind == "fork" and e.pid == demo.pid]
        self.assertEqual([e.child for e in forks], [hello.pid])

    def test_shootdowns(self):
        vm = self.summary.vm
        self.assertGreaterEqual(vm.shootdowns, 1, "mprotect under the spinning readers")
        for sd in self.trace.shootdowns:
            self.assertGreaterEqual(sd.targets, 1)
            self.assertGreater(sd.cycles, 0)

    def test_perfetto(self):
        with open(os.path.join(TRACE_DIR, "trace.json")) as f:
            events = json.load(f)["traceEvents"]
        cats = {e.get("cat") for e in events}
        self.assertTrue({"fault", "process", "rpc", "rpc-flow", "shootdown",
                         "shootdown-flow"} <= cats, cats)
        cores = {(e["pid"], e["tid"]) for e in events
                 if e.get("ph") == "M" and e["name"] == "thread_name"
                 and "#" not in e["args"]["name"]}
        self.assertEqual(len(cores), CLUSTERS * 2, "one track per core")


if __name__ == "__main__":
    unittest.main()
