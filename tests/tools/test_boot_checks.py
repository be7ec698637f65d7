#!/usr/bin/env python3
"""Unit tests of the boot harness checks and of tools/qemu.py command building.

The console logs here are fabricated in the kernel's documented format (see
tests/harness/boot_tests.py); the end-to-end test runs the harness with a fake
QEMU that replays such a log, so no real QEMU or kernel is needed.
"""

import io
import json
import os
import sys
import textwrap
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import boot_tests  # noqa: E402
import ktap  # noqa: E402
import qemu  # noqa: E402
from harness_fixtures import RunnerPlanMixin, fake_harness_dir  # noqa: E402

MiB = 1 << 20

KTAP_PASS = """\
[0.0] KTAP version 1
[0.0] 1..2
[0.0]     KTAP version 1
[0.0]     # Subtest: ppm
[0.0]     1..2
[0.0]     ok 1 every_order
[0.0]     ok 2 split_merge
[0.0] ok 1 ppm
[0.0]     KTAP version 1
[0.0]     # Subtest: kcm
[0.0]     1..1
[0.0]     ok 1 alloc_free # SKIP needs 2 clusters
[0.0] ok 2 kcm
[0.0] ktest: 2 passed, 0 failed
"""


def row(cxy, dom, apic, mib, free, ranges, slit):
    """One boot report row in the kernel's column layout."""
    return (f"[0.0] {cxy:4} {dom:4} {len(apic):6}  {','.join(map(str, apic)):15} {mib:5} "
            f"{free:11}  {','.join(f'{b:#x}-{l:#x}' for b, l in ranges):32} "
            f"{' '.join(map(str, slit))}")


def make_log(rows, clusters=None, cores=None, mib=None, online=None, ktap_text=KTAP_PASS,
             noise=True):
    """A console log with a boot report built from ``rows`` (tuples for row())."""
    clusters = len(rows) if clusters is None else clusters
    cores = sum(len(r[2]) for r in rows) if cores is None else cores
    mib = sum(r[3] for r in rows) if mib is None else mib
    online = cores if online is None else online
    lines = ["\x1b[H\x1b[J[0.0] Archipel (test build) booting",
             "[0.0] multiboot2: 3 memory ranges"]
    lines.append(f"[0.0] boot report: {clusters} clusters, {cores} cores, {mib} MiB")
    lines.append("[0.0]  cxy  dom  cores  apic-ids         MiB  free-pages  ranges"
                 "                            slit")
    for i, r in enumerate(rows):
        lines.append(row(*r))
        if noise and i == 0:
            lines.append("[1.0] cluster 1: ppm ready")  # another core's line in between
    lines.append("[0.0] starting application cores")
    lines.append(f"[0.0] all {online} cores online")
    return "\r\n".join(lines) + "\r\n" + ktap_text


def ranges_of(start_mib, size_mib):
    """SRAT-like ranges of a node: the first node loses the 640K-1M hole."""
    base, last = start_mib * MiB, (start_mib + size_mib) * MiB - 1
    if base == 0:
        return [(0, 0x9FFFF), (0x100000, last)]
    return [(base, last)]


def rows_4x2():
    slit = qemu.distance_matrix(4)
    return [(i, i, [2 * i, 2 * i + 1], 128, 31000 + i, ranges_of(128 * i, 128), slit[i])
            for i in range(4)]


TOPO_4X2 = qemu.make_topology(4, 2, 128)


class Distances(unittest.TestCase):
    def test_scheme(self):
        self.assertEqual(qemu.distance(3, 3), 10)
        self.assertEqual([qemu.distance(0, j) for j in range(8)],
                         [10, 20, 30, 30, 40, 40, 40, 40])
        self.assertEqual(qemu.distance(5, 4), 20)
        self.assertEqual(qemu.distance(15, 0), 50)
        m = qemu.distance_matrix(16)
        self.assertTrue(all(m[i][j] == m[j][i] for i in range(16) for j in range(16)))


class Topologies(unittest.TestCase):
    def test_apic_ids(self):
        t = qemu.make_topology(4, 2, 128)
        self.assertEqual([t.apic_ids(i) for i in range(4)], [[0, 1], [2, 3], [4, 5], [6, 7]])
        t = qemu.make_topology(3, "2,1,3", 64)  # 3 core slots per socket: 2 bits
        self.assertEqual([t.apic_ids(i) for i in range(3)], [[0, 1], [4], [8, 9, 10]])
        t = qemu.make_topology(2, 1, 64)
        self.assertEqual([t.apic_ids(i) for i in range(2)], [[0], [1]])
        t = qemu.make_topology(3, "0,2,2", 64)  # no socket for the memory-only node
        self.assertEqual([t.apic_ids(i) for i in range(3)], [[], [0, 1], [2, 3]])

    def test_validation(self):
        bad = [(0, 1, 128), (-1, 1, 128), ("x", 1, 128), (2, "1,2,3", 128), (2, "-1", 128),
               (2, 0, 128), (2, 1, "0,0"), (2, "1,0", "0,0"), (2, "1.5", 128), (2, 1, ""),
               (2, 1, "a,b")]
        for args in bad:
            with self.subTest(args=args), self.assertRaises(qemu.TopologyError):
                qemu.make_topology(*args)

    def test_named(self):
        t = boot_tests.topology_from_name("16x4").topo
        self.assertEqual((t.nodes, t.total_cores, t.total_mem), (16, 64, 2048))
        self.assertEqual(boot_tests.topology_from_name("unequal").topo.mem, (64, 128, 256, 96))
        self.assertTrue(boot_tests.topology_from_name("cpuonly").optional)
        t = boot_tests.topology_from_name("3:2/1/0:64/0/32").topo
        self.assertEqual((t.cores, t.mem), ((2, 1, 0), (64, 0, 32)))
        with self.assertRaises(qemu.TopologyError):
            boot_tests.topology_from_name("bogus")


class Command(unittest.TestCase):
    def test_4x2(self):
        cmd = qemu.build_command("a.iso", TOPO_4X2)
        text = " ".join(cmd)
        self.assertIn("-smp 8,sockets=4,cores=2,threads=1", text)
        self.assertIn("-m 512M", text)
        self.assertIn("-numa node,nodeid=3,cpus=6-7,memdev=mem3", text)
        self.assertIn("-object memory-backend-ram,id=mem2,size=128M", text)
        self.assertEqual(sum(1 for a in cmd if a.startswith("dist,")), 12)
        self.assertIn("dist,src=0,dst=3,val=30", cmd)
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)
        self.assertIn("-no-reboot", cmd)
        self.assertEqual(cmd[cmd.index("-serial") + 1], "stdio")
        self.assertNotIn("-s", cmd)

    def test_single_node_has_no_distances(self):
        cmd = qemu.build_command("a.iso", qemu.make_topology(1, 1, 128), gdb=True, paused=True)
        self.assertFalse(any(a.startswith("dist,") for a in cmd))
        self.assertIn("-s", cmd)
        self.assertIn("-S", cmd)

    def test_unequal_cores_coldplug(self):
        cmd = qemu.build_command("a.iso", qemu.make_topology(3, "2,1,2", 64))
        text = " ".join(cmd)
        self.assertIn("-smp 2,maxcpus=6,sockets=3,cores=2,threads=1", text)
        plugged = [a for a in cmd if a.startswith("max-x86_64-cpu")]
        self.assertEqual(plugged, ["max-x86_64-cpu,socket-id=1,core-id=0,thread-id=0",
                                   "max-x86_64-cpu,socket-id=2,core-id=0,thread-id=0",
                                   "max-x86_64-cpu,socket-id=2,core-id=1,thread-id=0"])
        self.assertIn("node,nodeid=1,cpus=2-3,memdev=mem1", cmd)

    def test_memoryless_and_cpuless_nodes(self):
        cmd = qemu.build_command("a.iso", qemu.make_topology(3, "2,2,0", "128,0,64"))
        self.assertIn("node,nodeid=1,cpus=2-3", cmd)
        self.assertIn("node,nodeid=2,memdev=mem2", cmd)
        self.assertNotIn("memory-backend-ram,id=mem1,size=0M", cmd)
        self.assertIn("192M", cmd)

    def test_extra_and_interactive(self):
        cmd = qemu.build_command("a.iso", TOPO_4X2, extra=["-d", "int"], interactive=True)
        self.assertEqual(cmd[-2:], ["-d", "int"])
        self.assertEqual(cmd[cmd.index("-serial") + 1], "mon:stdio")


class Expected(unittest.TestCase):
    def test_4x2(self):
        exp = boot_tests.expected_clusters(TOPO_4X2)
        self.assertEqual([(c.cxy, c.dom, c.cores, c.apic_ids, c.mib) for c in exp],
                         [(i, i, 2, [2 * i, 2 * i + 1], 128) for i in range(4)])
        self.assertEqual(exp[2].slit, [30, 30, 10, 20])

    def test_1x1(self):
        (c,) = boot_tests.expected_clusters(qemu.make_topology(1, 1, 128))
        self.assertEqual((c.apic_ids, c.slit, c.mib), ([0], [10], 128))

    def test_memonly_folds_into_cluster_0(self):
        exp = boot_tests.expected_clusters(boot_tests.topology_from_name("memonly").topo)
        self.assertEqual([(c.dom, c.cores, c.apic_ids, c.mib, c.slit) for c in exp],
                         [(0, 2, [0, 1], 256, [10, 20]), (1, 2, [2, 3], 128, [20, 10])])
        self.assertEqual(exp[0].nodes, [0, 2])

    def test_cpuonly_folds_into_cluster_0(self):
        exp = boot_tests.expected_clusters(boot_tests.topology_from_name("cpuonly").topo)
        self.assertEqual([(c.dom, c.cores, c.apic_ids, c.mib) for c in exp],
                         [(0, 4, [0, 1, 4, 5], 128), (1, 2, [2, 3], 128)])

    def test_fold_goes_to_nearest(self):
        # Node 3 (memory only) is at 20 from node 2 and 30 from nodes 0 and 1.
        exp = boot_tests.expected_clusters(qemu.make_topology(4, "1,1,1,0", 100))
        self.assertEqual([c.mib for c in exp], [100, 100, 200])

    def test_no_complete_node(self):
        with self.assertRaises(qemu.TopologyError):
            boot_tests.expected_clusters(qemu.make_topology(2, "1,0", "0,64"))


class ReportChecks(unittest.TestCase):
    def test_good_4x2(self):
        log = make_log(rows_4x2())
        report = boot_tests.parse_report(log)
        self.assertEqual(len(report.rows), 4)
        self.assertEqual(report.rows[1].ranges, [(0x8000000, 0xFFFFFFF)])
        self.assertEqual(boot_tests.check_report(log, TOPO_4X2), [])
        self.assertEqual(boot_tests.check_online(log, TOPO_4X2), [])

    def test_sample_from_the_spec(self):
        log = textwrap.dedent("""\
            [0.0] boot report: 2 clusters, 4 cores, 256 MiB
            [0.0]  cxy  dom  cores  apic-ids         MiB  free-pages  ranges                            slit
            [0.0]    0    0      2  0,1              128       31232  0x0-0x9ffff,0x100000-0x7ffffff    10 20
            [0.0]    1    1      2  2,3              128       32512  0x8000000-0xfffffff               20 10
            [0.0] all 4 cores online
            """)
        t = qemu.make_topology(2, 2, 128)
        self.assertEqual(boot_tests.check_report(log, t), [])

    def test_memonly_good(self):
        t = boot_tests.topology_from_name("memonly").topo
        rows = [(0, 0, [0, 1], 256, 60000, ranges_of(0, 128) + ranges_of(256, 128), [10, 20]),
                (1, 1, [2, 3], 128, 32000, ranges_of(128, 128), [20, 10])]
        self.assertEqual(boot_tests.check_report(make_log(rows), t), [])
        # The kernel must fold: three rows is wrong.
        rows3 = [(0, 0, [0, 1], 128, 1, ranges_of(0, 128), [10, 20, 30]),
                 (1, 1, [2, 3], 128, 1, ranges_of(128, 128), [20, 10, 30]),
                 (2, 2, [], 128, 1, ranges_of(256, 128), [30, 30, 10])]
        problems = boot_tests.check_report(make_log(rows3, cores=4), t)
        self.assertIn("report line says 3 clusters, expected 2", problems)
        self.assertIn("table has 3 cluster rows, expected 2", problems)

    def mutated(self, index, **changes):
        rows = rows_4x2()
        names = ["cxy", "dom", "apic", "mib", "free", "ranges", "slit"]
        r = list(rows[index])
        for key, value in changes.items():
            r[names.index(key)] = value
        rows[index] = tuple(r)
        return boot_tests.check_report(make_log(rows), TOPO_4X2)

    def assertProblem(self, problems, text):
        self.assertTrue(any(text in p for p in problems), f"{text!r} not in {problems}")

    def test_wrong_apic_ids(self):
        self.assertProblem(self.mutated(1, apic=[2, 4]), "cluster 1: apic-ids 2,4, expected 2,3")

    def test_wrong_core_count(self):
        problems = self.mutated(2, apic=[4])
        self.assertProblem(problems, "cluster 2: 1 cores, expected 2")

    def test_wrong_mib(self):
        self.assertProblem(self.mutated(3, mib=120), "cluster 3: 120 MiB, expected 128 (+-1)")

    def test_mib_within_one_is_fine(self):
        problems = self.mutated(3, mib=127)
        self.assertFalse(any("MiB, expected" in p for p in problems), problems)

    def test_free_pages(self):
        self.assertProblem(self.mutated(0, free=0), "cluster 0: 0 free pages")
        self.assertProblem(self.mutated(0, free=128 * 256 + 1), "free pages, expected > 0")
        self.assertEqual(self.mutated(0, free=128 * 256), [])

    def test_wrong_slit(self):
        self.assertProblem(self.mutated(2, slit=[20, 20, 10, 20]),
                           "cluster 2: slit 20 20 10 20, expected 30 30 10 20")
        self.assertProblem(self.mutated(2, slit=[30, 30, 10]), "cluster 2: slit 30 30 10,")

    def test_wrong_domain_and_cxy(self):
        self.assertProblem(self.mutated(1, dom=5), "cluster 1: domain 5, expected 1")
        self.assertProblem(self.mutated(1, cxy=7), "cluster 1: cxy column is 7")

    def test_overlapping_ranges(self):
        problems = self.mutated(1, ranges=[(0x7F00000, 0xFEFFFFF)])
        self.assertProblem(problems, "overlaps")

    def test_ranges_disagree_with_mib(self):
        self.assertProblem(self.mutated(1, ranges=[(0x8000000, 0x8FFFFFF)]),
                           "cluster 1: ranges add up to 16.00 MiB")

    def test_totals_line(self):
        problems = boot_tests.check_report(make_log(rows_4x2(), cores=7, mib=400), TOPO_4X2)
        self.assertProblem(problems, "report line says 7 cores, expected 8")
        self.assertProblem(problems, "report line says 400 MiB, expected 512")

    def test_missing_row(self):
        problems = boot_tests.check_report(make_log(rows_4x2()[:3], clusters=4), TOPO_4X2)
        self.assertProblem(problems, "table has 3 cluster rows, expected 4")

    def test_no_report(self):
        self.assertEqual(boot_tests.check_report("[0.0] hello\n", TOPO_4X2),
                         ["no 'boot report: N clusters, N cores, N MiB' line in the log"])

    def test_garbled_row(self):
        log = make_log(rows_4x2()).replace("0x8000000-0xfffffff", "8000000..fffffff")
        self.assertProblem(boot_tests.check_report(log, TOPO_4X2), "is not 0xBASE-0xLAST")
        log = make_log(rows_4x2()).replace("2,3 ", "2;3 ")
        self.assertProblem(boot_tests.check_report(log, TOPO_4X2), "apic-ids: '2;3'")

    def test_missing_header(self):
        log = make_log(rows_4x2()).replace(" cxy  dom", " cpu  dom")
        self.assertProblem(boot_tests.check_report(log, TOPO_4X2), "no column header line")


class StallChecks(unittest.TestCase):
    """A hung-task or lockup report on the console fails the run, quoted."""

    def test_reports_are_quoted(self):
        log = ("[0.0] all 4 cores online\n"
               "[0.1] archipel: hung task: main (tid 3, pid 2) of cluster 0 core 0.1, state D\n"
               "[1.0] archipel: hard lockup on core 1.0: no timer interrupt for 10000 ms\n"
               "[1.1] archipel: soft lockup on core 1.1: no pass through the scheduler\n")
        problems = boot_tests.check_stall_reports(log)
        self.assertEqual(len(problems), 3)
        self.assertIn("archipel: hung task: main (tid 3", problems[0])
        self.assertIn("hard lockup on core 1.0", problems[1])
        self.assertIn("soft lockup on core 1.1", problems[2])

    def test_expected_reports_of_self_tests_pass(self):
        log = ("[0.0] ktest: expected hung task: hung blocker (tid 0, pid 0)\n"
               "[0.0] ktest: expected hard lockup on core 0.1: no timer interrupt\n")
        self.assertEqual(boot_tests.check_stall_reports(log), [])


class OnlineChecks(unittest.TestCase):
    def test_wrong_count(self):
        log = make_log(rows_4x2(), online=6)
        self.assertEqual(boot_tests.check_online(log, TOPO_4X2),
                         ["expected 'all 8 cores online', found: all 6 cores online"])

    def test_missing(self):
        self.assertEqual(boot_tests.check_online("[0.0] boot\n", TOPO_4X2),
                         ["no 'all 8 cores online' line in the log"])


def run_result(kind, status, log="", message="", stderr=""):
    return qemu.RunResult(status, log, 1.0, {}, kind=kind, message=message, qemu_stderr=stderr)


class ExitChecks(unittest.TestCase):
    def test_status_zero(self):
        self.assertEqual(boot_tests.check_exit(run_result("kernel", 0)), [])

    def test_failed_tests(self):
        self.assertEqual(boot_tests.check_exit(run_result("kernel", 1)),
                         ["kernel exit status 1 (a self-test failed), expected 0"])

    def test_panic(self):
        problems = boot_tests.check_exit(run_result(
            "kernel", 3, "[0.0] ok\n[1.0] PANIC: lock rank inversion\n"))
        self.assertEqual(problems[0], "kernel exit status 3 (kernel panic), expected 0")
        self.assertEqual(problems[1], "panic line: [1.0] PANIC: lock rank inversion")

    def test_timeout_and_no_status(self):
        p = boot_tests.check_exit(run_result("timeout", 124, message="timeout after 3 s, QEMU killed"))
        self.assertEqual(p, ["timeout after 3 s, QEMU killed (exit code 124)"])
        p = boot_tests.check_exit(run_result("no-status", 125, message="QEMU exited without"))
        self.assertTrue(p)

    def test_log_tail(self):
        log = "".join(f"[0.0] line {i}\n" for i in range(100))
        tail = boot_tests.log_tail(log)
        self.assertEqual(len(tail), 31)
        self.assertEqual(tail[-1], "| [0.0] line 99")
        self.assertEqual(boot_tests.log_tail(""), ["(the console log is empty)"])


class KtestResults(unittest.TestCase):
    def test_leaves(self):
        results = boot_tests.ktest_results(make_log(rows_4x2()))
        self.assertEqual([(r.path, r.passed, r.skipped) for r in results],
                         [("ppm.every_order", True, False), ("ppm.split_merge", True, False),
                          ("kcm.alloc_free", True, True)])

    def test_missing_ktap(self):
        results = boot_tests.ktest_results(make_log(rows_4x2(), ktap_text=""))
        self.assertEqual([(r.path, r.passed) for r in results], [("ktap", False)])


class RunnerPlan(RunnerPlanMixin, unittest.TestCase):
    """tests/run.py: what --only selects."""

    def test_everything_by_default(self):
        p = self.plan(["--host-tests", "b/test_a", "b/test_b", "--boot", "--iso", "x.iso"])
        self.assertEqual((p.host, p.unit, p.boot), (["b/test_a", "b/test_b"], True,
                                                     ["--iso", "x.iso"]))
        self.assertIsNone(self.plan(["--host-tests"]).boot)

    def test_only_names(self):
        p = self.plan(["--host-tests", "b/test_a", "b/test_b", "--only", "test_b,4x2,memonly",
                       "--boot", "--iso", "x.iso"])
        self.assertEqual((p.host, p.unit, p.boot),
                         (["b/test_b"], False, ["--iso", "x.iso", "--only", "4x2,memonly"]))

    def test_only_sections(self):
        p = self.plan(["--host-tests", "b/test_a", "--only", "unit,boot"])
        self.assertEqual((p.host, p.unit, p.boot), ([], True, []))
        p = self.plan(["--host-tests", "b/test_a", "--only", "host"])
        self.assertEqual((p.host, p.unit, p.boot), (["b/test_a"], False, None))


class EndToEnd(unittest.TestCase):
    """The whole harness with a fake QEMU that prints a log and exits."""

    def run_harness(self, log_text, exit_code, only="4x2"):
        tmp, fake, iso = fake_harness_dir("boot-tests-", log_text, exit_code)
        out = io.StringIO()
        with redirect_stdout(out):
            rc = boot_tests.main(["--iso", iso, "--only", only, "--qemu", fake,
                                  "--log-dir", tmp, "--timeout", "20"])
        return rc, out.getvalue(), tmp

    def test_pass(self):
        rc, output, tmp = self.run_harness(make_log(rows_4x2()), 1)  # (0 << 1) | 1
        results = list(ktap.leaves(ktap.parse(output)))
        self.assertEqual([(r.path, r.passed, r.skipped) for r in results],
                         [("4x2.exit", True, False), ("4x2.report", True, False),
                          ("4x2.no_stall", True, False),
                          ("4x2.online", True, False), ("4x2.ktest.ppm.every_order", True, False),
                          ("4x2.ktest.ppm.split_merge", True, False),
                          ("4x2.ktest.kcm.alloc_free", True, True)])
        self.assertEqual(rc, 0)
        self.assertIn('# 4x2: boot time to "all 8 cores online": ', output)
        with open(os.path.join(tmp, "boot-times.json")) as f:
            times = json.load(f)["topologies"]["4x2"]
        self.assertIsNotNone(times["all_cores_online_s"])
        self.assertEqual(times["cores"], 8)
        with open(os.path.join(tmp, "4x2.log")) as f:
            self.assertIn("all 8 cores online", f.read())

    def test_failures_are_reported(self):
        log = make_log(rows_4x2(), online=7,
                       ktap_text=KTAP_PASS.replace("ok 2 split_merge", "not ok 2 split_merge"))
        rc, output, tmp = self.run_harness(log, 3)  # status 1
        results = {r.path: r for r in ktap.leaves(ktap.parse(output))}
        self.assertEqual(rc, 1)
        self.assertFalse(results["4x2.exit"].passed)
        self.assertIn("kernel exit status 1 (a self-test failed), expected 0",
                      results["4x2.exit"].diagnostics)
        self.assertTrue(any(d.startswith("| ") for d in results["4x2.exit"].diagnostics))
        self.assertTrue(results["4x2.report"].passed)
        self.assertFalse(results["4x2.online"].passed)
        self.assertTrue(any("4x2.log" in d for d in results["4x2.online"].diagnostics))
        self.assertFalse(results["4x2.ktest.ppm.split_merge"].passed)
        self.assertIn('"all 8 cores online": not reached', output)

    def test_no_status(self):
        rc, output, _ = self.run_harness("[0.0] triple fault soon\n", 0)
        results = {r.path: r for r in ktap.leaves(ktap.parse(output))}
        self.assertFalse(results["4x2.exit"].passed)
        self.assertTrue(any("without a kernel status" in d
                            for d in results["4x2.exit"].diagnostics))
        self.assertFalse(results["4x2.ktest.ktap"].passed)
        self.assertEqual(rc, 1)


if __name__ == "__main__":
    unittest.main()
