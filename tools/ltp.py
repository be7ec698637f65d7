#!/usr/bin/env python3
"""Run LTP's system-call tests in the guest and compare them with Linux (make ltp).

Sub-commands (the Makefile's ltp targets call them; see docs in README.md):

``run``      boot Archipel (``--kernel`` + ``--initramfs``) or Linux (``--linux``) on each
             topology with user/ltp/ltprun as the runner, parse the console into
             ``OUT/results[-linux]-<topo>.json``; print one line per test and the summary.
``linux-initramfs``  the Linux guest's initramfs: the LTP tree (``--root``), ltprun as /init.
``compare``  the side-by-side table Archipel vs Linux, per family (make ltp-compare).
``test``     for make test: run on one topology and check every result against
             ``tests/ltp/expected.txt``; prints KTAP (one result per LTP test). A test
             that ends otherwise than expected (a new pass aside) is run once more in a
             new boot and passes the check if that run ends as expected, reported as
             flaky with both results.
``busybox``  Debian's static busybox as /bin/sh and /bin/cp of the LTP tree (LTP's
             library copies resource files with system("cp ...")).
``expect``   a draft of expected.txt from a results file: every test not passing,
             with Linux's result and the first TFAIL/TBROK line as its reason.

The console protocol is ltprun's (user/ltp/ltprun.c)::

    ltp: run NAME
    ...the test's output, and kernel lines ([x.y] prefix) anywhere...
    ltp: result NAME RESULT STATUS SECONDSs | FIRST TFAIL/TBROK LINE
    LTP: P passed, F failed, B broken, C conf, T timeouts, S signals (N tests)

Every kernel line seen while a test runs is recorded against it
(``kernel_messages``). When the guest stops in the middle of a test (a panic, a
kernel hang: no ``ltp:`` line for ``--test-timeout`` + 60 s, a reset), that test is
recorded as ``CRASH`` with the reason (the panic line or "no output for N s") and the
guest is booted again with ltprun told to start after it (``-a NAME``), so the run goes
on; after ``MAX_BOOTS`` boots the remaining tests are ``NOTRUN``.

Only the Python 3 standard library is used.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import qemu  # noqa: E402

RESULTS = ("PASS", "FAIL", "BROK", "CONF", "TIMEOUT", "SIGNAL", "CRASH", "NOTRUN")
MAX_BOOTS = 12
#: Seconds of console silence (no ltp: line) beyond the per-test timeout before the guest
#: is declared hung.
HANG_MARGIN = 60.0
RUN_RE = re.compile(r"ltp: run (\S+)\s*$")
RESULT_RE = re.compile(r"ltp: result (\S+) (PASS|FAIL|BROK|CONF|TIMEOUT|SIGNAL) "
                       r"(exit \d+|signal \d+|-) ([\d.]+)s \| ?(.*)$")
SUMMARY_RE = re.compile(r"LTP: \d+ passed, \d+ failed, \d+ broken, \d+ conf, \d+ timeouts")
#: A kernel line: Archipel's "[cxy.lid] " prefix or Linux's "[  seconds] " timestamp.
KERNEL_RE = re.compile(r"\[\s*\d+\.\d+\] (.*)$")
PANIC_RE = re.compile(r"PANIC|Kernel panic|BUG:|Oops|general protection|RIP:")
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def say(text: str) -> None:
    print(text, flush=True)


# --- the runtest list and families ------------------------------------------------------

def read_runtest(path: str) -> list[str]:
    """Names of the entries of a runtest file, in order."""
    names = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if words and not words[0].startswith("#"):
                names.append(words[0])
    return names


def read_families(root: str, path: str) -> dict[str, str]:
    """runtest entry name -> family (the syscalls/ folder its binary was built in)."""
    by_binary = {}
    if os.path.isfile(path):
        with open(path) as f:
            for line in f:
                words = line.split()
                if len(words) == 2:
                    by_binary[words[0]] = words[1]
    fam = {}
    with open(os.path.join(root, "opt/ltp/runtest/syscalls")) as f:
        for line in f:
            words = line.split()
            if len(words) >= 2 and not words[0].startswith("#"):
                fam[words[0]] = by_binary.get(words[1], "?")
    return fam


# --- console parsing --------------------------------------------------------------------

class Parser:
    """Console lines -> per-test records (see the module docstring)."""

    def __init__(self):
        self.tests: dict[str, dict] = {}
        self.current: str | None = None
        self.summary: str | None = None
        self.last_name: str | None = None   #: the last test that started

    def feed(self, raw: str) -> None:
        line = ANSI_RE.sub("", raw).replace("\r", "")
        k = KERNEL_RE.search(line)
        if k and self.current is not None:
            msgs = self.tests[self.current]["kernel_messages"]
            if len(msgs) < 40:
                msgs.append(k.group(1).strip())
            if PANIC_RE.search(k.group(1)) and not self.tests[self.current]["panic"]:
                self.tests[self.current]["panic"] = k.group(1).strip()
        m = RUN_RE.search(line)
        if m:
            name = m.group(1)
            self.current = self.last_name = name
            self.tests[name] = {"result": None, "status": "-", "seconds": 0.0, "reason": "",
                                "kernel_messages": [], "panic": ""}
            return
        m = RESULT_RE.search(line)
        if m:
            name = m.group(1)
            rec = self.tests.setdefault(name, {"kernel_messages": [], "panic": ""})
            rec.update(result=m.group(2), status=m.group(3), seconds=float(m.group(4)),
                       reason=m.group(5).strip())
            self.current = None
            return
        if SUMMARY_RE.search(line):
            self.summary = line[line.index("LTP:"):].strip()


def boot(cmd: list[str], log_path: str, parser: Parser, test_timeout: float,
         total_timeout: float, echo: bool) -> tuple[str, str]:
    """Run QEMU until it exits, hangs or times out; returns (kind, message)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    start = last = time.monotonic()
    partial = b""
    kind, message = "exit", ""
    with open(log_path, "ab") as log:
        try:
            while True:
                now = time.monotonic()
                if now - start > total_timeout:
                    kind, message = "timeout", f"the boot took more than {total_timeout:g} s"
                    break
                if now - last > test_timeout + HANG_MARGIN:
                    kind, message = "hang", (f"no output from ltprun for "
                                             f"{test_timeout + HANG_MARGIN:g} s: kernel hung?")
                    break
                ready, _, _ = select.select([proc.stdout], [], [], 1.0)
                if not ready:
                    continue
                data = os.read(proc.stdout.fileno(), 65536)
                if not data:
                    break
                log.write(data)
                log.flush()
                if echo:
                    sys.stdout.buffer.write(data)
                    sys.stdout.buffer.flush()
                *lines, partial = (partial + data).split(b"\n")
                for raw in lines:
                    text = raw.decode("utf-8", "replace")
                    if "ltp: " in text:
                        last = time.monotonic()
                    parser.feed(text)
        except KeyboardInterrupt:
            kind, message = "interrupted", "interrupted"
        finally:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait()
            if partial:
                parser.feed(partial.decode("utf-8", "replace"))
    if kind == "exit":
        rc = proc.returncode
        if rc and rc & 1:
            status = rc >> 1
            message = f"kernel status {status}" + (" (panic)" if status == 3 else "")
            kind = "exit" if status == 0 else "status"
        else:
            kind, message = "status", f"QEMU exited with {rc} (reset or triple fault?)"
    return kind, message


# --- images -----------------------------------------------------------------------------

def archipel_iso(kernel: str, initramfs: str, args: str, out: str) -> None:
    cmdline = f"poweroff -- /opt/ltp/ltprun {args}".strip()
    subprocess.run([os.path.join(HERE, "mkiso.sh"), kernel, initramfs, cmdline, out],
                   check=True)


def linux_initramfs(root: str, ltprun: str, out: str) -> None:
    """The Linux guest's initramfs: the LTP tree of ``root``, ltprun as /init, /dev/console."""
    import linux_image
    import stat as st
    entries = []
    seen = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            entries.append((rel, st.S_IFDIR | 0o755, b"", (0, 0)))
            seen.add(rel)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            mode = os.stat(path).st_mode & 0o7777
            entries.append((os.path.normpath(os.path.join(rel, name)), st.S_IFREG | mode,
                            data, (0, 0)))
    for d in ("dev", "proc", "sys", "tmp", "bin"):
        if d not in seen:
            entries.append((d, st.S_IFDIR | (0o1777 if d == "tmp" else 0o755), b"", (0, 0)))
    entries.append(("dev/console", st.S_IFCHR | 0o600, b"", (5, 1)))
    with open(ltprun, "rb") as f:
        entries.append(("init", st.S_IFREG | 0o755, f.read(), (0, 0)))
    blob = b"".join(linux_image.newc_entry(n, m, d, i, r)
                    for i, (n, m, d, r) in enumerate(entries, 1))
    with open(out, "wb") as f:
        f.write(blob + linux_image.newc_entry("TRAILER!!!", 0))


def install_busybox(linux_dir: str, root: str) -> None:
    """Debian's busybox-static as /bin/sh and /bin/cp of the guests' LTP tree.

    LTP's library runs ``system("cp ...")`` to copy a test's resource files
    (safe_cp, lib/safe_file_ops.c); both kernels get the same static busybox,
    fetched once with apt-get download into ``linux_dir`` (tools/linux_image.py).
    """
    import linux_image
    debs = os.path.join(linux_dir, "debs")
    os.makedirs(debs, exist_ok=True)
    deb = linux_image._download("busybox-static", debs, say)
    tree = os.path.join(linux_dir, "extract", os.path.basename(deb)[:-4])
    busybox = os.path.join(tree, "bin", "busybox")
    if not os.path.isfile(busybox):
        linux_image._extract(deb, "./bin/busybox", tree)
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    for name in ("sh", "cp"):
        dest = os.path.join(root, "bin", name)
        with open(busybox, "rb") as src, open(dest, "wb") as dst:
            dst.write(src.read())
        os.chmod(dest, 0o755)


def linux_iso(vmlinuz: str, initramfs: str, args: str, out: str) -> None:
    import linux_image
    with open(initramfs, "rb") as f:
        data = f.read()
    linux_image.make_iso(vmlinuz, data, f"{linux_image.LINUX_CMDLINE} -- {args}".strip(), out)


# --- running ------------------------------------------------------------------------------

def run_topology(a: argparse.Namespace, topo_name: str) -> dict:
    """Boot as often as needed to run every test once; returns the results dict."""
    clusters, cores = (int(x) for x in topo_name.split("x"))
    topo = qemu.make_topology(clusters, cores, a.mem)
    kind = "linux" if a.linux else "archipel"
    tag = f"{'linux-' if a.linux else ''}{topo_name}"
    os.makedirs(a.out, exist_ok=True)
    log_path = os.path.join(a.out, f"console-{tag}.log")
    open(log_path, "w").close()
    root = a.root
    names = read_runtest(os.path.join(root, "opt/ltp/runtest/syscalls"))
    if a.tests:
        names = [n for n in names if n in a.tests]
    families = read_families(root, os.path.join(a.out, "families.txt"))
    parser = Parser()
    boots = []
    after = None
    started = time.monotonic()
    base = f"-t {a.test_timeout:g} -m {a.timeout_mul} -r {a.runtime_mul}"
    if a.tests:
        base += " " + " ".join(a.tests)
    for n in range(MAX_BOOTS):
        args = base + (f" -a {after}" if after else "")
        with tempfile.TemporaryDirectory() as tmp:
            iso = os.path.join(tmp, "ltp.iso")
            if a.linux:
                linux_iso(a.vmlinuz, a.initramfs, args, iso)
            else:
                archipel_iso(a.kernel, a.initramfs, args, iso)
            cmd = qemu.build_command(iso, topo)
            say(f"ltp: boot {n + 1} of {kind} on {topo_name}: ltprun {args}")
            how, message = boot(cmd, log_path, parser, a.test_timeout, a.boot_timeout,
                                a.verbose)
        boots.append({"end": how, "message": message})
        if how == "interrupted":
            raise KeyboardInterrupt
        current = parser.current
        if current is not None:
            rec = parser.tests[current]
            rec["result"] = "CRASH"
            rec["reason"] = rec["panic"] or message
            parser.current = None
            say(f"ltp: {current} CRASH: {rec['reason']}")
        if parser.summary is not None or how == "exit" and current is None:
            break
        # the guest stopped between tests or inside one: go on after the last one started
        if parser.last_name is None or parser.last_name == after:
            break                                  # no progress: do not loop
        after = parser.last_name
    tests = {}
    for name in names:
        rec = parser.tests.get(name)
        if rec is None or rec.get("result") is None:
            rec = {"result": "NOTRUN", "status": "-", "seconds": 0.0,
                   "reason": "the run ended before this test", "kernel_messages": [], "panic": ""}
        rec["family"] = families.get(name, "?")
        tests[name] = rec
    counts = {r: sum(1 for t in tests.values() if t["result"] == r) for r in RESULTS}
    return {"kernel": kind, "topology": topo_name, "boots": boots,
            "wall_seconds": round(time.monotonic() - started, 1),
            "summary": parser.summary, "counts": counts, "tests": tests}


def results_path(out: str, topo: str, linux: bool) -> str:
    return os.path.join(out, f"results-{'linux-' if linux else ''}{topo}.json")


def fetch_linux(a: argparse.Namespace) -> None:
    """With --linux: fetch Debian's Linux 6.1 (tools/linux_image.py) into a.vmlinuz."""
    a.vmlinuz = None
    if a.linux:
        import linux_image
        a.vmlinuz = linux_image.fetch(a.linux_dir, say)["vmlinuz"]


def cmd_run(a: argparse.Namespace) -> int:
    fetch_linux(a)
    for topo in a.topologies.split(","):
        res = run_topology(a, topo.strip())
        path = results_path(a.out, topo.strip(), a.linux)
        with open(path, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
        for name, t in res["tests"].items():
            say(f"{t['result']:7} {name:22} {t['family']:14} {t['reason'][:100]}")
        c = res["counts"]
        say(f"LTP: {c['PASS']} passed, {c['FAIL']} failed, {c['BROK']} broken, {c['CONF']} conf, "
            f"{c['TIMEOUT']} timeouts, {c['SIGNAL']} signals, {c['CRASH']} crashes, "
            f"{c['NOTRUN']} not run ({res['kernel']} {topo}, {res['wall_seconds']:.0f} s, "
            f"{len(res['boots'])} boot(s)) -> {path}")
    return 0


# --- compare ----------------------------------------------------------------------------

def cmd_compare(a: argparse.Namespace) -> int:
    paths = (results_path(a.out, a.topology, False), results_path(a.out, a.topology, True))
    for p in paths:
        if not os.path.isfile(p):
            print(f"ltp.py compare: {p} missing (make ltp / make ltp-linux first)",
                  file=sys.stderr)
            return 2
    with open(paths[0]) as f:
        arch = json.load(f)["tests"]
    with open(paths[1]) as f:
        lin = json.load(f)["tests"]
    names = sorted(set(arch) | set(lin))
    fams: dict[str, list[str]] = {}
    for n in names:
        fams.setdefault((arch.get(n) or lin.get(n))["family"], []).append(n)
    say(f"LTP on {a.topology}: Archipel vs Linux, per family (tests passing: Archipel / Linux)")
    say(f"{'family':14} {'tests':>5} {'archipel':>8} {'linux':>6} {'linux-only':>10}")
    tot = [0, 0, 0, 0]
    for fam in sorted(fams):
        ns = fams[fam]
        ap = sum(1 for n in ns if arch.get(n, {}).get("result") == "PASS")
        lp = sum(1 for n in ns if lin.get(n, {}).get("result") == "PASS")
        lo = sum(1 for n in ns if lin.get(n, {}).get("result") == "PASS"
                 and arch.get(n, {}).get("result") != "PASS")
        tot = [tot[0] + len(ns), tot[1] + ap, tot[2] + lp, tot[3] + lo]
        say(f"{fam:14} {len(ns):5} {ap:8} {lp:6} {lo:10}")
    say(f"{'total':14} {tot[0]:5} {tot[1]:8} {tot[2]:6} {tot[3]:10}")
    say("")
    say("tests that pass on Linux and not on Archipel first:")
    key = lambda n: (not (lin.get(n, {}).get("result") == "PASS"
                          and arch.get(n, {}).get("result") != "PASS"),
                     (arch.get(n) or lin.get(n))["family"], n)
    for n in sorted(names, key=key):
        ar, lr = arch.get(n, {}), lin.get(n, {})
        say(f"{n:22} {ar.get('family', lr.get('family', '?')):14} "
            f"{ar.get('result', '-'):7} {lr.get('result', '-'):7} "
            f"{(ar.get('reason') or '')[:90]}")
    return 0


# --- expected results (make test) ---------------------------------------------------------

def read_expected(path: str) -> dict[str, tuple[set[str], str]]:
    """tests/ltp/expected.txt: ``name RESULT[|RESULT] linux=RESULT reason...`` per line."""
    out = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            words = line.split(None, 2)
            if not words or words[0].startswith("#"):
                continue
            if len(words) < 2:
                raise ValueError(f"{path}:{lineno}: no expected result")
            results = set(words[1].split("|"))
            bad = results - set(RESULTS)
            if bad:
                raise ValueError(f"{path}:{lineno}: unknown result {', '.join(sorted(bad))}")
            out[words[0]] = (results, words[2].strip() if len(words) > 2 else "")
    return out


def cmd_test(a: argparse.Namespace) -> int:
    sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
    import boot_tests
    writer = boot_tests.KtapWriter()
    if a.src is not None and not os.path.isfile(os.path.join(a.src, "configure")):
        writer.result("ltp", False, skip=f"no LTP source at '{a.src}' (set LTP_SRC=path)")
        writer.finish()
        return 0
    a.linux = False
    if not os.path.isfile(a.initramfs) or not os.path.isfile(a.kernel):
        writer.result("ltp/images", False, [f"{a.initramfs} or {a.kernel} missing: "
                                            f"make ltp-test-images"])
        return writer.end()
    expected = read_expected(a.expected)
    boot_tests.stop_on_signals()
    try:
        res = run_topology(a, a.topologies)
    except KeyboardInterrupt:
        return writer.end(interrupted=True)
    with open(results_path(a.out, a.topologies, False), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    writer.diag(f"LTP on {a.topologies}: {res['counts']['PASS']} PASS of {len(res['tests'])}, "
                f"{res['wall_seconds']:.0f} s, {len(res['boots'])} boot(s)")
    # A test that ends otherwise than expected, and not with a new pass, runs once more in
    # a fresh boot: a hang under a loaded host's timing fails make test only if it repeats.
    retry = sorted(n for n, t in res["tests"].items()
                   if t["result"] not in expected.get(n, ({"PASS"}, ""))[0] and t["result"] != "PASS")
    again = {}
    if retry:
        writer.diag(f"LTP on {a.topologies}: once more, in a new boot: {' '.join(retry)}")
        a.tests = retry
        a.out = os.path.join(a.out, "retry")
        try:
            again = run_topology(a, a.topologies)["tests"]
        except KeyboardInterrupt:
            return writer.end(interrupted=True)
    for name, t in res["tests"].items():
        want, why = expected.get(name, ({"PASS"}, ""))
        ok = t["result"] in want
        diags = []
        if not ok and name in again and again[name]["result"] in want:
            ok = True
            diags.append(f"flaky: {t['result']} {t['status']}"
                         f"{': ' + t['reason'] if t['reason'] else ''}; "
                         f"{again[name]['result']} when run again")
        if not ok:
            diags.append(f"expected {'|'.join(sorted(want))} (tests/ltp/expected.txt"
                         f"{': ' + why if why else ''}), got {t['result']} {t['status']}"
                         f"{': ' + t['reason'] if t['reason'] else ''}")
            if t["result"] == "PASS":
                diags.append("a new pass: remove it from tests/ltp/expected.txt")
            diags += [f"kernel: {m}" for m in t["kernel_messages"][:5]]
            if name in again:
                diags.append(f"run again: {again[name]['result']} {again[name]['status']}")
        writer.result(f"ltp/{a.topologies}/{name}", ok, diags)
    stale = sorted(set(expected) - set(res["tests"]))
    if stale:
        writer.diag(f"expected.txt names tests that were not built: {' '.join(stale)}")
    return writer.end()


def cmd_expect(a: argparse.Namespace) -> int:
    """A draft of tests/ltp/expected.txt from a results file (reasons to be edited by hand)."""
    with open(a.results) as f:
        arch = json.load(f)["tests"]
    lin = {}
    if a.linux_results and os.path.isfile(a.linux_results):
        with open(a.linux_results) as f:
            lin = json.load(f)["tests"]
    old = read_expected(a.expected) if os.path.isfile(a.expected) else {}
    for name, t in arch.items():
        if t["result"] == "PASS":
            continue
        why = old.get(name, (set(), ""))[1]
        if not why or a.refresh:
            why = re.sub(r"\s+", " ", t["reason"] or t["status"]).strip()
            why = f"linux={lin.get(name, {}).get('result', '?')} {why}"
        print(f"{name:22} {t['result']:7} {why}")
    return 0


# --- arguments ----------------------------------------------------------------------------

def main(argv=None) -> int:
    def on_signal(signum, frame):        # make or run.py stopping us: stop QEMU too
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    ap = argparse.ArgumentParser(prog="ltp.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def run_args(p):
        p.add_argument("--root", default="build/ltp/root", help="the LTP tree of the guest")
        p.add_argument("--out", default="build/ltp", help="results and console logs")
        p.add_argument("--kernel", default="build/archipel.elf")
        p.add_argument("--initramfs", default="build/ltp/initramfs.cpio")
        p.add_argument("--linux", action="store_true", help="boot Linux (--vmlinuz)")
        p.add_argument("--linux-dir", default="build/linux",
                       help="where Debian's Linux is fetched (with --linux; tools/linux_image.py)")
        p.add_argument("--mem", type=int, default=128, help="MiB per cluster")
        p.add_argument("--test-timeout", type=float, default=120.0,
                       help="seconds before ltprun kills one test (default 120)")
        p.add_argument("--timeout-mul", default="1", help="LTP_TIMEOUT_MUL of the tests")
        p.add_argument("--runtime-mul", default="0.1",
                       help="LTP_RUNTIME_MUL of the tests (default 0.1: fork13 runs 60 s)")
        p.add_argument("--boot-timeout", type=float, default=3600.0,
                       help="seconds before one boot is killed (default 3600)")
        p.add_argument("--tests", nargs="*", default=[], help="run only these tests")
        p.add_argument("-v", "--verbose", action="store_true", help="echo the console")

    p = sub.add_parser("run", help="run the tests, write results-<topo>.json")
    run_args(p)
    p.add_argument("--topologies", default="4x2")
    p = sub.add_parser("test", help="make test: one topology checked against expected.txt")
    run_args(p)
    p.add_argument("--topologies", default="2x2", help="one topology")
    p.add_argument("--expected", default="tests/ltp/expected.txt")
    p.add_argument("--src", help="LTP's source: when it has no configure, the LTP part is "
                                 "reported as skipped (with the reason), never as passed")
    p = sub.add_parser("compare", help="Archipel vs Linux table")
    p.add_argument("--out", default="build/ltp")
    p.add_argument("--topology", default="4x2")
    p = sub.add_parser("expect", help="draft of expected.txt from results (stdout)")
    p.add_argument("--results", required=True)
    p.add_argument("--linux-results")
    p.add_argument("--expected", default="tests/ltp/expected.txt")
    p.add_argument("--refresh", action="store_true", help="reasons from the results, not the list")
    p = sub.add_parser("busybox", help="busybox as /bin/sh and /bin/cp of the LTP tree")
    p.add_argument("--linux-dir", default="build/linux")
    p.add_argument("--root", default="build/ltp/root")
    p = sub.add_parser("linux-initramfs", help="the Linux guest's initramfs")
    p.add_argument("--root", default="build/ltp/root")
    p.add_argument("--ltprun", required=True)
    p.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    if a.cmd == "run":
        return cmd_run(a)
    if a.cmd == "test":
        return cmd_test(a)
    if a.cmd == "compare":
        return cmd_compare(a)
    if a.cmd == "expect":
        return cmd_expect(a)
    if a.cmd == "busybox":
        try:
            install_busybox(a.linux_dir, a.root)
        except Exception as exc:         # linux_image.FetchError, OSError
            print(f"ltp.py busybox: {exc}", file=sys.stderr)
            return 1
        return 0
    linux_initramfs(a.root, a.ltprun, a.out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
