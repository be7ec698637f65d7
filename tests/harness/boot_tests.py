#!/usr/bin/env python3
"""QEMU boot test harness: boot the Archipel test ISO on several NUMA topologies.

For every topology the ISO (built with the kernel command line
``ktest=all poweroff``) is booted with tools/qemu.py, the serial console is
logged to ``build/test-logs/<topology>.log`` and these checks are reported, each
as one KTAP result line ``ok N <topology>.<check>`` (failures are preceded by
``#`` diagnostics naming what mismatched and the log file):

``exit``
    the kernel powered off with status 0 (not a timeout, a reset/triple fault,
    a panic (status 3) or failed self-tests (status 1));
``report``
    the boot report table matches the topology: cluster count (nodes with
    cores but no memory, or memory but no cores, are folded by the kernel into
    the nearest complete node -- smallest SLIT distance, ties to the lowest
    domain), proximity domain, cores and APIC IDs per cluster, MiB per cluster
    (within 1 MiB), 0 < free pages <= MiB*256, memory ranges well formed,
    disjoint and adding up to the MiB column, and the SLIT row;
``online``
    a line ``all N cores online`` with N = total cores;
``ktest.<suite>.<case>``
    every KTAP leaf result of the kernel self-tests (a short plan, a truncated
    run or no KTAP output at all are failures too).

The output is KTAP version 1 on stdout (plan last, since the number of kernel
self-tests is only known after each boot); progress and boot times are ``#``
lines.  The boot time to ``all N cores online`` (wall time since QEMU started)
is printed per topology and written to ``build/test-logs/boot-times.json``.

Exit status: 0 if every result passed (skips allowed), 1 otherwise, 2 for bad
arguments (e.g. the ISO does not exist).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shlex
import signal
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

import ktap  # noqa: E402
import qemu  # noqa: E402

DEFAULT_ISO = os.path.join(REPO, "build", "archipel-test.iso")
DEFAULT_LOG_DIR = os.path.join(REPO, "build", "test-logs")
DEFAULT_TIMEOUT = 180.0
DEFAULT_MEM = 128  #: MiB per node of the "AxB" topologies

#: Named topologies: name -> (nodes, cores per node, MiB per node, optional).
#: "optional" topologies are skipped (not failed) if QEMU refuses them.
NAMED_TOPOLOGIES: dict[str, tuple[int, str, str, bool]] = {
    "unequal": (4, "2", "64,128,256,96", False),
    "memonly": (3, "2,2,0", "128", False),
    "cpuonly": (3, "2,2,2", "128,128,0", True),
}
DEFAULT_TOPOLOGIES = ["1x1", "2x2", "4x2", "8x1", "16x4", "unequal", "memonly", "cpuonly"]

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]")
REPORT_RE = re.compile(r"^boot report:\s*(\d+) clusters?,\s*(\d+) cores?,\s*(\d+) MiB\s*$")
ONLINE_RE = re.compile(r"^all (\d+) cores? online\s*$")
PANIC_RE = re.compile(r"PANIC")
#: the kernel's stall detectors (kernel/kern/hung_task.h, lockup.h); self-tests that provoke
#: one on purpose print "ktest: expected ..." instead
STALL_RE = re.compile(r"archipel: (hung task|soft lockup|hard lockup)")
RANGE_RE = re.compile(r"^0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)$")
TAIL_LINES = 30


# --- topologies --------------------------------------------------------------------

@dataclass(frozen=True)
class NamedTopology:
    name: str
    topo: qemu.Topology
    optional: bool = False


def topology_from_name(name: str) -> NamedTopology:
    """A topology by name.

    ``AxB``: A clusters of B cores, 128 MiB each; ``N:CORES:MEM``: N nodes with
    CORES and MEM one value or one per node separated by ``/`` (commas separate
    the names given to --only), e.g. ``4:2/1/3/2:128``;
    or one of :data:`NAMED_TOPOLOGIES`.
    """
    m = re.fullmatch(r"(\d+)x(\d+)", name)
    if m:
        return NamedTopology(name, qemu.make_topology(int(m.group(1)), int(m.group(2)),
                                                      DEFAULT_MEM))
    m = re.fullmatch(r"(\d+):([\d/]+):([\d/]+)", name)
    if m:
        return NamedTopology(name, qemu.make_topology(int(m.group(1)), m.group(2).replace("/", ","),
                                                      m.group(3).replace("/", ",")))
    if name in NAMED_TOPOLOGIES:
        nodes, cores, mem, optional = NAMED_TOPOLOGIES[name]
        return NamedTopology(name, qemu.make_topology(nodes, cores, mem), optional)
    raise qemu.TopologyError(
        f"unknown topology '{name}' (use AxB, N:CORES:MEM or one of "
        f"{', '.join(NAMED_TOPOLOGIES)})")


@dataclass
class ExpectedCluster:
    """What the boot report row of one cluster must say."""

    cxy: int
    dom: int
    cores: int
    apic_ids: list[int]
    mib: int
    slit: list[int]
    nodes: list[int] = field(default_factory=list)  #: QEMU nodes folded into it


def expected_clusters(topo: qemu.Topology) -> list[ExpectedCluster]:
    """The clusters the kernel must build from ``topo``.

    A node with both cores and memory is a cluster; any other node is folded
    into the complete node at the smallest distance (ties: the lowest domain),
    which gets its cores and memory.  Clusters are numbered in domain order.
    """
    complete = [i for i in range(topo.nodes) if topo.cores[i] > 0 and topo.mem[i] > 0]
    if not complete:
        raise qemu.TopologyError("no node has both cores and memory")
    clusters = {d: ExpectedCluster(0, d, 0, [], 0, [], []) for d in complete}
    for node in range(topo.nodes):
        home = min(complete, key=lambda d: (qemu.distance(node, d), d))
        c = clusters[home]
        c.nodes.append(node)
        c.cores += topo.cores[node]
        c.apic_ids += topo.apic_ids(node)
        c.mib += topo.mem[node]
    out = []
    for cxy, dom in enumerate(complete):
        c = clusters[dom]
        c.cxy = cxy
        c.apic_ids.sort()
        c.slit = [qemu.distance(dom, other) for other in complete]
        out.append(c)
    return out


# --- log parsing -------------------------------------------------------------------------

def console_lines(log_text: str) -> list[tuple[str, str]]:
    """Split a console log into (prefix, body) pairs; ANSI escapes removed.

    ``prefix`` is the ``[cxy.lid]`` tag ('' if the line has none) and ``body``
    the rest of the line after the tag and its space.
    """
    out = []
    for raw in log_text.splitlines():
        line = ANSI_RE.sub("", raw).replace("\r", "")
        m = ktap.PREFIX_RE.match(line)
        if m:
            out.append((m.group(0).strip(), line[m.end():]))
        else:
            out.append(("", line))
    return out


def clean_log(log_text: str) -> str:
    """The log with ANSI escape sequences and carriage returns removed."""
    return "\n".join(ANSI_RE.sub("", ln).replace("\r", "") for ln in log_text.splitlines())


@dataclass
class ReportRow:
    cxy: int
    dom: int
    cores: int
    apic_ids: list[int]
    mib: int
    free_pages: int
    ranges: list[tuple[int, int]]
    slit: list[int]
    line: str


@dataclass
class Report:
    clusters: int
    cores: int
    mib: int
    rows: list[ReportRow]
    errors: list[str]


def _int_list(text: str, what: str, errors: list[str], base: int = 10) -> list[int]:
    try:
        return [int(t, base) for t in text.split(",")] if text else []
    except ValueError:
        errors.append(f"{what}: '{text}' is not a comma-separated list of numbers")
        return []


def parse_report(log_text: str) -> Report | None:
    """Find and parse the boot report table; None if there is no report line.

    Rows are the lines after the column header (``cxy ...``) that carry the same
    console prefix as the ``boot report:`` line (lines of other cores in
    between are skipped); the table ends at the first such line that is not a
    row.  Format problems are collected in ``Report.errors``.
    """
    lines = console_lines(log_text)
    start = None
    for i, (prefix, body) in enumerate(lines):
        m = REPORT_RE.match(body.strip())
        if m:
            start = i
            break
    if start is None:
        return None
    prefix = lines[start][0]
    report = Report(int(m.group(1)), int(m.group(2)), int(m.group(3)), [], [])
    body_lines = [(i, body) for i, (p, body) in enumerate(lines) if i > start and p == prefix]
    if not body_lines or not body_lines[0][1].split()[:1] == ["cxy"]:
        report.errors.append("no column header line ('cxy dom cores ...') after the "
                             "'boot report:' line")
        return report
    for _, body in body_lines[1:]:
        tokens = body.split()
        if not tokens or not re.fullmatch(r"\d+", tokens[0]):
            break
        errors: list[str] = []
        if len(tokens) < 8:
            report.errors.append(f"row has {len(tokens)} columns, expected at least 8: "
                                 f"'{body.strip()}'")
            continue
        numbers = []
        for col, tok in zip(("cxy", "dom", "cores"), tokens[:3]):
            if not tok.isdigit():
                errors.append(f"{col} '{tok}' is not a number")
            numbers.append(int(tok) if tok.isdigit() else -1)
        apic = _int_list(tokens[3], "apic-ids", errors)
        mib = int(tokens[4]) if tokens[4].isdigit() else -1
        free = int(tokens[5]) if tokens[5].isdigit() else -1
        if mib < 0:
            errors.append(f"MiB '{tokens[4]}' is not a number")
        if free < 0:
            errors.append(f"free-pages '{tokens[5]}' is not a number")
        ranges = []
        for tok in tokens[6].split(","):
            rm = RANGE_RE.match(tok)
            if not rm:
                errors.append(f"range '{tok}' is not 0xBASE-0xLAST")
                continue
            ranges.append((int(rm.group(1), 16), int(rm.group(2), 16)))
        slit = []
        for tok in tokens[7:]:
            if tok.isdigit():
                slit.append(int(tok))
            else:
                errors.append(f"slit entry '{tok}' is not a number")
        if errors:
            report.errors.append(f"row '{body.strip()}': " + "; ".join(errors))
        report.rows.append(ReportRow(numbers[0], numbers[1], numbers[2], apic, mib, free,
                                     ranges, slit, body.strip()))
    if not report.rows:
        report.errors.append("the boot report table has no rows")
    return report


def _fmt(ids) -> str:
    return ",".join(map(str, ids)) if ids else "(none)"


def check_report(log_text: str, topo: qemu.Topology) -> list[str]:
    """Problems of the boot report against ``topo`` (empty list: all good)."""
    report = parse_report(log_text)
    if report is None:
        return ["no 'boot report: N clusters, N cores, N MiB' line in the log"]
    problems = list(report.errors)
    expected = expected_clusters(topo)
    if report.clusters != len(expected):
        problems.append(f"report line says {report.clusters} clusters, expected {len(expected)}")
    if report.cores != topo.total_cores:
        problems.append(f"report line says {report.cores} cores, expected {topo.total_cores}")
    if abs(report.mib - topo.total_mem) > len(expected):
        problems.append(f"report line says {report.mib} MiB, expected {topo.total_mem} "
                        f"(+-{len(expected)})")
    if len(report.rows) != len(expected):
        problems.append(f"table has {len(report.rows)} cluster rows, expected {len(expected)}")
    all_ranges: list[tuple[int, int, int]] = []
    for row, exp in zip(report.rows, expected):
        where = f"cluster {exp.cxy}"
        if row.cxy != exp.cxy:
            problems.append(f"{where}: cxy column is {row.cxy}")
        if row.dom != exp.dom:
            problems.append(f"{where}: domain {row.dom}, expected {exp.dom}")
        if row.cores != exp.cores:
            problems.append(f"{where}: {row.cores} cores, expected {exp.cores}")
        if sorted(row.apic_ids) != exp.apic_ids:
            problems.append(f"{where}: apic-ids {_fmt(row.apic_ids)}, "
                            f"expected {_fmt(exp.apic_ids)}")
        elif len(row.apic_ids) != row.cores:
            problems.append(f"{where}: {len(row.apic_ids)} apic-ids for {row.cores} cores")
        if abs(row.mib - exp.mib) > 1:
            problems.append(f"{where}: {row.mib} MiB, expected {exp.mib} (+-1)")
        if not 0 < row.free_pages <= row.mib * 256:
            problems.append(f"{where}: {row.free_pages} free pages, expected > 0 and "
                            f"<= {row.mib * 256} (MiB*256)")
        if row.slit != exp.slit:
            problems.append(f"{where}: slit {' '.join(map(str, row.slit))}, "
                            f"expected {' '.join(map(str, exp.slit))}")
        size = 0
        for base, last in row.ranges:
            if last < base:
                problems.append(f"{where}: range {base:#x}-{last:#x} ends before it starts")
                continue
            size += last - base + 1
            all_ranges.append((base, last, exp.cxy))
        if row.ranges and abs(size / (1 << 20) - row.mib) > 1:
            problems.append(f"{where}: ranges add up to {size / (1 << 20):.2f} MiB, "
                            f"the MiB column says {row.mib}")
    all_ranges.sort()
    for (b1, l1, c1), (b2, l2, c2) in zip(all_ranges, all_ranges[1:]):
        if b2 <= l1:
            problems.append(f"range {b1:#x}-{l1:#x} (cluster {c1}) overlaps "
                            f"{b2:#x}-{l2:#x} (cluster {c2})")
    return problems


def check_online(log_text: str, topo: qemu.Topology) -> list[str]:
    """Problems with the ``all N cores online`` line."""
    seen = []
    for _, body in console_lines(log_text):
        m = ONLINE_RE.match(body.strip())
        if m:
            if int(m.group(1)) == topo.total_cores:
                return []
            seen.append(body.strip())
    if seen:
        return [f"expected 'all {topo.total_cores} cores online', found: " + " / ".join(seen)]
    return [f"no 'all {topo.total_cores} cores online' line in the log"]


def check_exit(result: qemu.RunResult) -> list[str]:
    """Problems with how the run ended (empty: kernel status 0)."""
    if result.kind == "kernel":
        if result.status == 0:
            return []
        meaning = {1: "a self-test failed", 3: "kernel panic"}.get(result.status, "unknown")
        problems = [f"kernel exit status {result.status} ({meaning}), expected 0"]
        panics = [ln for ln in clean_log(result.log_text).splitlines() if PANIC_RE.search(ln)]
        problems += [f"panic line: {ln}" for ln in panics[:5]]
        return problems
    problems = [f"{result.message} (exit code {result.status})"]
    if result.qemu_stderr.strip():  # e.g. "terminating on signal 15 from pid N"
        problems += [f"QEMU stderr: {ln}" for ln in result.qemu_stderr.strip().splitlines()[-5:]]
    return problems


def check_stall_reports(log_text: str) -> list[str]:
    """A hung-task or lockup report on the console, quoted (empty: none)."""
    lines = [ln for ln in clean_log(log_text).splitlines() if STALL_RE.search(ln)]
    problems = [f"stall detector: {ln.strip()}" for ln in lines[:5]]
    if len(lines) > 5:
        problems.append(f"... and {len(lines) - 5} more such lines")
    return problems


def log_tail(log_text: str, count: int = TAIL_LINES) -> list[str]:
    lines = clean_log(log_text).splitlines()
    tail = lines[-count:]
    if not tail:
        return ["(the console log is empty)"]
    return [f"last {len(tail)} log lines:"] + ["| " + ln for ln in tail]


def ktest_results(log_text: str) -> list[ktap.LeafResult]:
    """The kernel self-test results (KTAP leaves) of a console log."""
    return list(ktap.leaves(ktap.parse(clean_log(log_text))))


# --- KTAP output ------------------------------------------------------------------------------

class KtapWriter:
    """Prints flat KTAP results with their diagnostics, counting them."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.count = 0
        self.failed = 0
        self.print("KTAP version 1")

    def print(self, line: str = "") -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def diag(self, text: str) -> None:
        for ln in (text.splitlines() or [""]):
            self.print(f"# {ln}".rstrip())

    def result(self, name: str, ok: bool, diagnostics=(), skip: str | None = None) -> None:
        """One result; diagnostics come before it (KTAP convention)."""
        for d in diagnostics:
            self.diag(d)
        self.count += 1
        if not ok and skip is None:
            self.failed += 1
        name = re.sub(r"\s+", "_", name.strip()) or "unnamed"
        directive = f" # SKIP {skip}".rstrip() if skip is not None else ""
        self.print(f"{'ok' if ok or skip is not None else 'not ok'} {self.count} {name}{directive}")

    def finish(self) -> None:
        self.print(f"1..{self.count}")

    def end(self, interrupted: bool = False) -> int:
        """Finish (after ``# interrupted`` if so); return the harness's exit status.

        130 when interrupted, else 0 if at least one result and no failure, 1 otherwise.
        """
        if interrupted:
            self.diag("interrupted")
        self.finish()
        if interrupted:
            return 130
        return 0 if self.failed == 0 and self.count > 0 else 1


# --- running ------------------------------------------------------------------------------------

def display_path(path: str) -> str:
    """``path`` relative to the current directory if it is below it, else absolute."""
    rel = os.path.relpath(path)
    return os.path.abspath(path) if rel.startswith("..") else rel


def online_watch(topo: qemu.Topology) -> str:
    """Regex of the console line ``[x.y] all N cores online`` for this topology."""
    return rf"^(?:\x1b\[[0-9;?]*[A-Za-z])*\[\d+\.\d+\] all {topo.total_cores} cores? online\s*$"


def reproduce_command(iso: str, t: qemu.Topology, timeout: float) -> str:
    args = ["python3", display_path(os.path.join(REPO, "tools", "qemu.py")), "--iso",
            display_path(iso), "--clusters", str(t.nodes),
            "--cores", ",".join(map(str, t.cores)), "--mem", ",".join(map(str, t.mem)),
            "--timeout", f"{timeout:g}"]
    return shlex.join(args)


def stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP (e.g. from tests/run.py or make) raise KeyboardInterrupt.

    qemu.run() turns KeyboardInterrupt into killing its QEMU, so the current
    boot stops cleanly.  Shared by the boot harnesses.
    """
    def on_signal(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)


def boot_topology(named: NamedTopology, iso: str, timeout: float, log_path: str,
                  writer: KtapWriter, qemu_binary: str, verbose: bool,
                  watch=()) -> qemu.RunResult:
    """Boot ``iso`` on one topology, its console logged to ``log_path``; return the run.

    Says on ``writer`` (``#`` lines) what it boots, how to reproduce it by hand
    and how the boot ended.  ``verbose`` copies the console to stderr; ``watch``
    goes to :func:`qemu.run`.  Raises KeyboardInterrupt when the boot was
    interrupted.  Shared by the boot harnesses (this one and user_tests.py).
    """
    name, topo = named.name, named.topo
    writer.diag(f"{name}: booting {topo.describe()} (timeout {timeout:g} s), "
                f"log {display_path(log_path)}")
    writer.diag(f"{name}: reproduce with: {reproduce_command(iso, topo, timeout)}")
    result = qemu.run(qemu.build_command(iso, topo, qemu=qemu_binary), timeout=timeout,
                      log_path=log_path, echo=sys.stderr.buffer if verbose else None,
                      echo_stderr=sys.stderr.buffer if verbose else None,
                      watch=watch, interactive=False)
    if result.kind == "interrupted":
        raise KeyboardInterrupt
    outcome = f"kernel status {result.status}" if result.kind == "kernel" else result.message
    writer.diag(f"{name}: {outcome} after {result.wall_seconds:.1f} s")
    return result


def boot_one(named: NamedTopology, iso: str, timeout: float, log_dir: str,
             writer: KtapWriter, qemu_binary: str, verbose: bool) -> dict:
    """Boot one topology, report its checks; return its boot-time record."""
    name, topo = named.name, named.topo
    log_path = os.path.join(log_dir, re.sub(r"[^\w.-]", "_", name) + ".log")
    shown_log = display_path(log_path)
    if named.optional:
        accepted, why = qemu.probe(topo, qemu_binary)
        if not accepted:
            writer.result(f"{name}.boot", True, skip=f"QEMU refuses this topology: {why}")
            return {"skipped": why}
    result = boot_topology(named, iso, timeout, log_path, writer, qemu_binary, verbose,
                           watch=[online_watch(topo)])
    log_text = result.log_text
    see_log = f"log: {shown_log}"

    problems = check_exit(result)
    writer.result(f"{name}.exit", not problems,
                  problems + [see_log] + log_tail(log_text) if problems else ())

    problems = check_report(log_text, topo)
    writer.result(f"{name}.report", not problems, problems + [see_log] if problems else ())

    problems = check_stall_reports(log_text)
    writer.result(f"{name}.no_stall", not problems, problems + [see_log] if problems else ())

    problems = check_online(log_text, topo)
    writer.result(f"{name}.online", not problems, problems + [see_log] if problems else ())

    for leaf in ktest_results(log_text):
        diags = list(leaf.diagnostics)
        if not leaf.passed:
            diags.append(see_log)
        skip = leaf.directive[4:].strip() if leaf.skipped else None
        writer.result(f"{name}.ktest.{leaf.path}", leaf.passed, diags if not leaf.passed else (),
                      skip=skip)

    online_at = result.first_seen.get(online_watch(topo))
    label = f'"all {topo.total_cores} cores online"'
    if online_at is None:
        writer.diag(f"{name}: boot time to {label}: not reached")
    else:
        writer.diag(f"{name}: boot time to {label}: {online_at:.2f} s")
    return {
        "clusters": len(expected_clusters(topo)),
        "nodes": topo.nodes,
        "cores": topo.total_cores,
        "mem_mib": topo.total_mem,
        "all_cores_online_s": None if online_at is None else round(online_at, 3),
        "wall_s": round(result.wall_seconds, 3),
        "outcome": result.kind,
        "status": result.status,
    }


def boot_arguments(prog: str, doc: str, epilog: str, iso: str, iso_help: str,
                   log_help: str, timeout: float) -> argparse.ArgumentParser:
    """The command line of a boot harness (this one and user_tests.py).

    A parser for ``prog`` (``doc`` as description) with the options both
    harnesses share, as :func:`select_topologies` and :func:`boot_topology`
    use them: --iso (default ``iso``), --only, --timeout (default
    ``timeout``), --log-dir, --qemu, --list and --verbose.  The caller adds
    its own options.
    """
    parser = argparse.ArgumentParser(prog=prog, description=doc, epilog=epilog,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iso", default=iso, help=iso_help)
    parser.add_argument("--only", metavar="NAME,...",
                        help="comma-separated topologies to boot (default: all of the list)")
    parser.add_argument("--timeout", type=float, default=timeout, metavar="SECONDS",
                        help=f"limit per boot (default {timeout:g})")
    parser.add_argument("--log-dir", default=DEFAULT_LOG_DIR, help=log_help)
    parser.add_argument("--qemu", default=qemu.QEMU_BINARY, help="QEMU binary")
    parser.add_argument("--list", action="store_true",
                        help="list the topologies selected (--only, else the default list) "
                             "and exit")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="copy the guest console to stderr while it runs")
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = boot_arguments(
        "boot_tests.py", __doc__,
        "topologies: AxB = A clusters of B cores with 128 MiB each; "
        "N:CORES:MEM = N nodes with CORES and MEM cores and MiB for all nodes or per "
        "node separated by '/' (e.g. 4:2/1/3/2:64/128/256/96); "
        "unequal = 4x2 with 64,128,256,96 MiB; memonly = cores 2,2,0, 128 MiB each; "
        "cpuonly = cores 2,2,2, MiB 128,128,0 (skipped if QEMU refuses it).\n"
        f"default list: {','.join(DEFAULT_TOPOLOGIES)}",
        DEFAULT_ISO, "test ISO (kernel command line 'ktest=all poweroff'; "
        "default build/archipel-test.iso)",
        "where <topology>.log and boot-times.json go (default build/test-logs)",
        DEFAULT_TIMEOUT)
    parser.add_argument("--scenario-iso", action="append", default=[], metavar="KEY=ISO",
                        help="also run the scenarios of tests/harness/scenarios.py that use "
                             "KEY (crash, stall, limits) on ISO; repeatable")
    return parser.parse_args(argv)


def select_topologies(args, default, prog):
    """The topologies of --only (else @default), checked, and --list / --timeout handled.

    Returns (topologies, None) to go on, or (None, exit status) when the
    command is done (--list) or wrong (a message on stderr, status 2).
    Shared by the boot harnesses (this one and user_tests.py).
    """
    names = default if not args.only else [
        n.strip() for n in args.only.split(",") if n.strip()]
    try:
        topologies = [topology_from_name(n) for n in names]
        for t in topologies:
            expected_clusters(t.topo)
    except qemu.TopologyError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return None, 2
    if args.list:
        for t in topologies:
            print(f"{t.name:10} {t.topo.describe()}")
        return None, 0
    if not topologies:
        print(f"{prog}: error: --only selects no topology", file=sys.stderr)
        return None, 2
    if args.timeout <= 0:
        print(f"{prog}: error: --timeout must be > 0", file=sys.stderr)
        return None, 2
    return topologies, None


def main(argv=None) -> int:
    args = parse_args(argv)
    topologies, status = select_topologies(args, DEFAULT_TOPOLOGIES, "boot_tests.py")
    if status is not None:
        return status
    scenario_isos = {}
    for spec in args.scenario_iso:
        key, sep, path = spec.partition("=")
        if not sep or not path:
            print(f"boot_tests.py: error: --scenario-iso wants KEY=ISO, got '{spec}'",
                  file=sys.stderr)
            return 2
        scenario_isos[key] = path
    if not os.path.isfile(args.iso):
        print(f"boot_tests.py: error: ISO {args.iso} not found (build it first)", file=sys.stderr)
        return 2
    os.makedirs(args.log_dir, exist_ok=True)

    writer = KtapWriter()
    writer.diag(f"boot tests of {display_path(args.iso)} on "
                f"{', '.join(t.name for t in topologies)}")
    times = {}
    times_path = os.path.join(args.log_dir, "boot-times.json")

    stop_on_signals()
    try:
        for named in topologies:
            times[named.name] = boot_one(named, args.iso, args.timeout, args.log_dir, writer,
                                         args.qemu, args.verbose)
            with open(times_path, "w") as f:
                json.dump({"iso": display_path(args.iso),
                           "date": datetime.datetime.now().isoformat(timespec="seconds"),
                           "timeout_s": args.timeout, "topologies": times}, f, indent=2)
                f.write("\n")
        import scenarios
        scenarios.run_all(scenario_isos, args.timeout, args.log_dir, writer, args.qemu)
    except KeyboardInterrupt:
        return writer.end(interrupted=True)
    writer.diag(f"boot times written to {display_path(times_path)}")
    return writer.end()


if __name__ == "__main__":
    sys.exit(main())
