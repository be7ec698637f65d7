#!/usr/bin/env python3
"""Unit tests of make bench-linux: tools/bench_linux.py, tools/linux_image.py, user/bin/cmpbench.

Boot-free and fast: the console parser, medians and ratios, the results.json
schema, the SVG chart, the choice of the kernel package from apt-cache output,
the Linux initramfs and GRUB configuration; and one run of the real
build/user/bin/cmpbench on the host with --quick (skipped if it is not built).

    python3 -m unittest discover -s tests/tools -p 'test_bench_linux.py' -v
"""
import json
import os
import re
import stat
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

import bench_linux as bl  # noqa: E402
import linux_image as li  # noqa: E402

SVG_NS = "{http://www.w3.org/2000/svg}"


def fig_line(name, median_ns, median_cycles, n=15, prefix=""):
    return (f"{prefix}cmpbench: {name} n={n} median={median_ns} p99={median_ns * 2} ns "
            f"median_cycles={median_cycles} p99_cycles={median_cycles * 2}")


def full_log(scale=1, mhz=2600.0, prefix=""):
    """A console log with every figure; cycles = 1000 * (index + 1) * scale."""
    lines = ["[0.0] booting", f"{prefix}cmpbench: tsc_mhz={mhz:.3f}"]
    for i, name in enumerate(bl.FIGURES):
        cyc = 1000 * (i + 1) * scale
        lines.append(fig_line(name, int(cyc * 1000 / mhz), cyc, prefix=prefix))
    lines.append("cmpbench: done status=0")
    return "\n".join(lines) + "\n"


def run_record(os_name, run, scale, ok=True, mhz=2600.0):
    parsed = bl.parse_log(full_log(scale, mhz))
    return {"os": os_name, "run": run, "ok": ok, "kind": "kernel", "status": 0, "message": "",
            "wall_s": 1.0, "log": f"x/{os_name}-{run}.log", "tsc_mhz": parsed["tsc_mhz"],
            "figures": parsed["figures"], "linux_info": []}


class ParserTest(unittest.TestCase):
    def test_every_figure_parsed(self):
        p = bl.parse_log(full_log(prefix=""))
        self.assertEqual(p["tsc_mhz"], 2600.0)
        self.assertEqual(list(p["figures"]), list(bl.FIGURES))
        self.assertEqual(bl.missing_figures(p), [])
        self.assertEqual(p["figures"]["null_syscall"],
                         {"n": 15, "median_ns": 384, "p99_ns": 768,
                          "median_cycles": 1000, "p99_cycles": 2000})

    def test_console_prefix_crlf_and_linux_info(self):
        text = full_log(prefix="[1.0] ").replace("\n", "\r\n") + "linux: 6.1.0-56-amd64 cpus=8\n"
        p = bl.parse_log(text)
        self.assertEqual(bl.missing_figures(p), [])
        self.assertEqual(p["linux_info"], ["6.1.0-56-amd64 cpus=8"])

    def test_missing_and_garbled(self):
        text = "\n".join(ln for ln in full_log().splitlines() if "fork_exec_wait" not in ln)
        text += "\ncmpbench: cow_fault_page n=3 median=x p99=1 ns\n"
        p = bl.parse_log(text)
        self.assertEqual(bl.missing_figures(p), ["fork_exec_wait"])
        self.assertEqual(bl.parse_log("")["tsc_mhz"], None)
        self.assertEqual(bl.missing_figures(bl.parse_log("")), list(bl.FIGURES))


class StatisticsTest(unittest.TestCase):
    def test_median(self):
        self.assertEqual(bl.median([3, 1, 2]), 2)
        self.assertEqual(bl.median([4, 1, 2, 3]), 2.5)
        self.assertEqual(bl.median([None, 5]), 5)
        self.assertIsNone(bl.median([]))

    def test_ratio(self):
        self.assertEqual(bl.ratio(1, 4), 0.25)
        self.assertIsNone(bl.ratio(None, 4))
        self.assertIsNone(bl.ratio(1, 0))

    def test_aggregate_medians_of_run_medians(self):
        runs = [run_record("archipel", 1, 1), run_record("linux", 1, 4),
                run_record("archipel", 2, 3), run_record("linux", 2, 2),
                run_record("archipel", 3, 2), run_record("linux", 3, 100, ok=False)]
        agg = bl.aggregate(runs, 2000.0)
        e = agg["null_syscall"]
        self.assertEqual(e["archipel_runs_cycles"], [1000, 3000, 2000])
        self.assertEqual(e["linux_runs_cycles"], [4000, 2000])     # the failed run is out
        self.assertEqual(e["archipel_cycles"], 2000)
        self.assertEqual(e["linux_cycles"], 3000)
        self.assertAlmostEqual(e["ratio"], 2000 / 3000)
        self.assertAlmostEqual(e["archipel"], 1000.0)              # ns at 2000 MHz
        boot = agg["boot_to_main"]                                 # unit ms
        self.assertAlmostEqual(boot["archipel"], boot["archipel_cycles"] / 2000.0 / 1e3)

    def test_no_data(self):
        agg = bl.aggregate([run_record("archipel", 1, 1)], 2600.0)
        self.assertIsNone(agg["cow_fault_page"]["linux"])
        self.assertIsNone(agg["cow_fault_page"]["ratio"])

    def test_common_mhz(self):
        runs = [run_record("archipel", 1, 1, mhz=2600), run_record("linux", 1, 1, mhz=2580),
                run_record("linux", 2, 1, mhz=2590)]
        self.assertEqual(bl.common_mhz(runs), 2590)

    def test_schedule_alternates(self):
        plan = bl.schedule(["1x1", "4x2"], 2)
        self.assertEqual(plan, [("1x1", "archipel", 1), ("1x1", "linux", 1),
                                ("1x1", "archipel", 2), ("1x1", "linux", 2),
                                ("4x2", "archipel", 1), ("4x2", "linux", 1),
                                ("4x2", "archipel", 2), ("4x2", "linux", 2)])

    def test_topology(self):
        self.assertEqual(bl.parse_topology("4x2"), (4, 2))
        for bad in ("4", "0x2", "4x", "ax2"):
            with self.assertRaises(ValueError):
                bl.parse_topology(bad)

    def test_table(self):
        runs = [run_record("archipel", 1, 1), run_record("linux", 1, 2)]
        text = bl.table("1x1", bl.aggregate(runs, 2600.0), {"archipel": 1, "linux": 1})
        self.assertIn("== 1x1", text)
        for _, what in bl.FIGURES.values():
            self.assertIn(what, text)
        self.assertEqual(text.count("0.50  Archipel faster"), len(bl.FIGURES))


def sample_results():
    runs = {"1x1": [run_record("archipel", 1, 1), run_record("linux", 1, 2)],
            "4x2": [run_record("archipel", 1, 3), run_record("linux", 1, 2)]}
    return bl.build_results(runs, 2600.0, runs_asked=1, mem=128, archipel_iso="a.iso",
                            linux_iso="l.iso", linux_info={"package": "linux-image-x",
                                                           "fallback": False},
                            linux_cmdline="console=ttyS0", wall_s=12.34)


class ResultsSchemaTest(unittest.TestCase):
    def test_schema(self):
        res = json.loads(json.dumps(sample_results()))     # JSON-serialisable
        self.assertEqual(res["schema"], "archipel-bench-linux/1")
        self.assertRegex(res["date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        for key, typ in (("runs", int), ("mem_mib", int), ("tsc_mhz", float), ("ok", bool),
                         ("wall_s", float), ("archipel", dict), ("linux", dict),
                         ("figures", dict), ("topologies", dict)):
            self.assertIsInstance(res[key], typ, key)
        self.assertTrue(res["ok"])
        self.assertEqual(set(res["linux"]), {"iso", "package", "fallback", "cmdline"})
        self.assertEqual(list(res["figures"]), list(bl.FIGURES))
        for f in res["figures"].values():
            self.assertIn(f["unit"], bl.UNIT_NS)
        self.assertEqual(list(res["topologies"]), ["1x1", "4x2"])
        for topo in res["topologies"].values():
            self.assertEqual(list(topo["figures"]), list(bl.FIGURES))
            for e in topo["figures"].values():
                self.assertEqual(set(e), {"archipel_cycles", "linux_cycles", "archipel", "linux",
                                          "ratio", "archipel_runs_cycles", "linux_runs_cycles"})
            for r in topo["runs"]:
                self.assertTrue({"os", "run", "ok", "kind", "status", "message", "wall_s",
                                 "log", "tsc_mhz", "figures", "linux_info"} <= set(r))
        self.assertAlmostEqual(res["topologies"]["4x2"]["figures"]["null_syscall"]["ratio"], 1.5)

    def test_a_failed_run_makes_ok_false(self):
        runs = {"1x1": [run_record("archipel", 1, 1), run_record("linux", 1, 2, ok=False)]}
        res = bl.build_results(runs, 2600.0, runs_asked=1, mem=128, archipel_iso="a",
                               linux_iso="l", linux_info={}, linux_cmdline="", wall_s=1)
        self.assertFalse(res["ok"])
        self.assertIsNone(res["topologies"]["1x1"]["figures"]["null_syscall"]["ratio"])

    def test_docstring_documents_the_schema(self):
        for key in ("schema", "tsc_mhz", "topologies", "archipel_runs_cycles", "ratio",
                    "linux_info"):
            self.assertIn(key, bl.__doc__)


class SvgTest(unittest.TestCase):
    def test_svg_well_formed_with_bars_and_unit_line(self):
        res = sample_results()
        text = bl.svg_chart(res["topologies"])
        root = ET.fromstring(text.split("\n", 1)[1])            # after the XML declaration
        self.assertEqual(root.tag, SVG_NS + "svg")
        self.assertEqual(root.get("version"), "1.1")
        bars = [r for r in root.iter(SVG_NS + "rect") if r.find(SVG_NS + "title") is not None]
        self.assertEqual(len(bars), 2 * len(bl.FIGURES))      # one per figure per topology
        thick = [ln for ln in root.iter(SVG_NS + "line") if ln.get("stroke") == "black"]
        self.assertEqual(len(thick), 1)                        # the line at 1.0
        texts = [t.text for t in root.iter(SVG_NS + "text")]
        self.assertIn("1.0", texts)
        self.assertIn("1.50", texts)                           # 4x2 ratios
        for _, what in bl.FIGURES.values():
            self.assertIn(what, texts)
        # 1x1 bars (ratio 0.5) end left of the line, 4x2 bars (1.5) start on it
        x1 = float(thick[0].get("x1"))
        for bar in bars:
            x, w = float(bar.get("x")), float(bar.get("width"))
            title = bar.find(SVG_NS + "title").text
            if title.startswith("1x1"):
                self.assertAlmostEqual(x + w, x1, places=0)
            else:
                self.assertAlmostEqual(x, x1, places=0)

    def test_svg_without_data_and_escaping(self):
        runs = {"a<b": [run_record("archipel", 1, 1)]}
        res = bl.build_results(runs, 2600.0, runs_asked=1, mem=128, archipel_iso="a",
                               linux_iso="l", linux_info={}, linux_cmdline="", wall_s=1)
        root = ET.fromstring(bl.svg_chart(res["topologies"]).split("\n", 1)[1])
        self.assertTrue(any("no data" in (t.text or "") for t in root.iter(SVG_NS + "text")))


APT_SEARCH = """\
linux-image-6.1.0-9-amd64-unsigned - Linux 6.1 for 64-bit PCs
linux-image-6.1.0-10-amd64-unsigned - Linux 6.1 for 64-bit PCs
linux-image-6.1.0-56-cloud-amd64-unsigned - Linux 6.1 for x86-64 cloud
linux-image-6.1.0-56-rt-amd64-unsigned - Linux 6.1 for 64-bit PCs, PREEMPT_RT
linux-image-6.12.9+bpo-amd64-unsigned - Linux 6.12 for 64-bit PCs
linux-image-6.12.117+deb12-amd64-unsigned - Linux 6.12 for 64-bit PCs
linux-image-6.1.0-47-amd64-unsigned - Linux 6.1 for 64-bit PCs
"""


class PackageChoiceTest(unittest.TestCase):
    def test_newest_6_1_by_abi_number(self):
        self.assertEqual(li.choose_kernel_package(APT_SEARCH),
                         ("linux-image-6.1.0-47-amd64-unsigned", False))

    def test_6_12_is_not_6_1(self):
        self.assertIsNone(li.KERNEL_RE.match("linux-image-6.12.117+deb12-amd64-unsigned"))

    def test_fallback_to_newest_other_version(self):
        text = "\n".join(ln for ln in APT_SEARCH.splitlines() if "6.1.0" not in ln)
        text += "\nlinux-image-6.12.200+deb12-rt-amd64-unsigned - rt\n"
        self.assertEqual(li.choose_kernel_package(text),
                         ("linux-image-6.12.117+deb12-amd64-unsigned", True))

    def test_nothing(self):
        self.assertEqual(li.choose_kernel_package(""), (None, False))
        self.assertEqual(li.choose_kernel_package("linux-image-6.1.0-5-cloud-amd64-unsigned - x"),
                         (None, False))


def read_newc(blob):
    """{name: (mode, data, (rdevmajor, rdevminor))} of a newc archive."""
    out, off = {}, 0
    while True:
        hdr = blob[off:off + 110]
        assert hdr[:6] == b"070701", hdr[:6]
        f = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = f[1], f[6], f[11]
        name = blob[off + 110:off + 110 + namesize - 1].decode()
        off += 110 + namesize
        off += -off % 4
        data = blob[off:off + size]
        off += size + (-size % 4)
        if name == "TRAILER!!!":
            return out
        out[name] = (mode, data, (f[9], f[10]))


class LinuxImageTest(unittest.TestCase):
    def test_initramfs(self):
        files = read_newc(li.initramfs_bytes(b"BB", b"CMP"))
        self.assertEqual(files["bin/busybox"][1], b"BB")
        self.assertEqual(files["bin/cmpbench"][1], b"CMP")
        mode, data, _ = files["init"]
        self.assertTrue(stat.S_ISREG(mode) and mode & 0o111)
        self.assertTrue(data.startswith(b"#!/bin/busybox sh\n"))
        mode, _, rdev = files["dev/console"]
        self.assertTrue(stat.S_ISCHR(mode))
        self.assertEqual(rdev, (5, 1))
        for d in ("bin", "dev", "proc", "sys"):
            self.assertTrue(stat.S_ISDIR(files[d][0]), d)

    def test_init_runs_cmpbench_first_and_exits_through_port_0xf4(self):
        lines = [ln for ln in li.INIT_SCRIPT.splitlines() if ln and not ln.startswith("#")]
        self.assertEqual(lines[0], "/bin/cmpbench")
        self.assertIn("of=/dev/port bs=1 seek=244 count=1", li.INIT_SCRIPT)
        self.assertEqual(0xF4, 244)

    def test_grub_cfg(self):
        cfg = li.grub_cfg(li.LINUX_CMDLINE)
        self.assertIn(f"linux /boot/vmlinuz {li.LINUX_CMDLINE}\n", cfg)
        self.assertIn("initrd /boot/initrd.cpio", cfg)
        self.assertIn("terminal_output serial", cfg)
        self.assertIn("console=ttyS0", li.LINUX_CMDLINE)
        self.assertIn("quiet", li.LINUX_CMDLINE)


CMPBENCH = os.path.join(REPO, "build", "user", "bin", "cmpbench")
LINE_RE = re.compile(r"^cmpbench: (\w+) n=(\d+) median=(\d+) p99=(\d+) ns "
                     r"median_cycles=(\d+) p99_cycles=(\d+)$")


class CmpbenchOnHostTest(unittest.TestCase):
    """The real binary, --quick, on the host (Linux): every figure, sane values."""

    def test_quick_run(self):
        if not os.access(CMPBENCH, os.X_OK):
            self.skipTest(f"{CMPBENCH} not built (make user-programs)")
        res = subprocess.run([CMPBENCH, "--quick"], capture_output=True, text=True, timeout=60)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[-1], "cmpbench: done status=0")
        mhz = float(re.match(r"cmpbench: tsc_mhz=([\d.]+)$", lines[0]).group(1))
        self.assertTrue(100 < mhz < 10000, mhz)
        seen = {}
        for ln in lines[1:-1]:
            m = LINE_RE.match(ln)
            self.assertIsNotNone(m, ln)
            seen[m.group(1)] = [int(g) for g in m.groups()[1:]]
        self.assertEqual(sorted(seen), sorted(bl.FIGURES))
        for name, (n, med, p99, mcyc, pcyc) in seen.items():
            self.assertGreaterEqual(n, 1, name)
            self.assertGreater(mcyc, 0, name)
            self.assertLessEqual(med, p99, name)
            self.assertLessEqual(mcyc, pcyc, name)
            self.assertAlmostEqual(med, mcyc * 1000 / mhz, delta=1 + med * 1e-3)
        self.assertEqual(seen["boot_to_main"][0], 1)
        self.assertLess(seen["null_syscall"][1], seen["fork_exit_wait"][1])

    def test_exit_and_usage(self):
        if not os.access(CMPBENCH, os.X_OK):
            self.skipTest(f"{CMPBENCH} not built (make user-programs)")
        res = subprocess.run([CMPBENCH, "--exit"], capture_output=True, text=True, timeout=10)
        self.assertEqual((res.returncode, res.stdout), (0, ""))
        res = subprocess.run([CMPBENCH, "--bogus"], capture_output=True, text=True, timeout=10)
        self.assertEqual(res.returncode, 2)
        self.assertIn("usage", res.stderr)


if __name__ == "__main__":
    unittest.main()
