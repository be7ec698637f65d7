#!/usr/bin/env python3
"""QEMU harness of the user test suite: boot the user ISO on several topologies.

The ISO (``build/archipel-user.iso``, kernel command line ``poweroff``) starts
``/sbin/init`` with no arguments, which runs every program of ``/tests`` in
name order (user/init/init.c) and prints, on the console::

    init: run /tests/<prog>
    TAP version 13                 <- the program's own output (KTAP, not prefixed)
    1..N
    ok 1 <case>
    ...
    init: /tests/<prog> exited with status S     (or: killed by signal N (NAME))
    ...
    init: node N free before X kB after Y kB     (one line per cluster)
    init: leak: node N lost Z kB                 (only if X != Y)
    init: summary P programs, F failed

and powers off (status 0 iff every program exited 0 and nothing leaked).
Kernel lines carry the console prefix ``[cxy.lid] `` and may come anywhere,
even between the lines of a program: they are ignored.

For every topology the console is logged to ``build/test-logs/user-<topology>.log``
and these results are reported, each as one KTAP line:

``user/<topo>/<prog>/<case>``
    every KTAP case of every program (a short plan or no KTAP output at all
    fail as ``.../plan`` / ``.../ktap``);
``user/<topo>/<prog>/exit-status``
    the program exited with status 0; fails (with the log tail) if it was
    killed, exited non-zero, never ended (crash, hang) or never started;
``user/<topo>/leak-check``
    one ``init: node N`` line per cluster, each with before == after, and no
    ``init: leak:`` line;
``user/<topo>/summary``
    init's summary line is there and agrees with the programs seen;
``user/<topo>/exit-status``
    QEMU ended with kernel status 0 (not a timeout, panic or reset).

Output: KTAP version 1 on stdout (plan last); progress as ``#`` lines.
Exit status: 0 if every result passed (skips allowed), 1 otherwise, 2 for bad
arguments (e.g. the ISO does not exist).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools"))

import boot_tests  # noqa: E402
import ktap  # noqa: E402

DEFAULT_ISO = os.path.join(REPO, "build", "archipel-user.iso")
DEFAULT_TIMEOUT = 300.0
DEFAULT_TOPOLOGIES = ["1x1", "2x2", "4x2", "8x1"]
TESTS_SRC = os.path.join(REPO, "user", "tests")
HELPER_SUFFIX = "_helper"  #: init does not run these (user/init/init.c)

RUN_RE = re.compile(r"^init: run (\S+)$")
END_RE = re.compile(r"^init: (\S+) (?:exited with status (\d+)|killed by signal (\d+) \((\w+)\))$")
NODE_RE = re.compile(r"^init: node (\d+) free before (-?\d+) kB after (-?\d+) kB$")
LEAK_RE = re.compile(r"^init: leak: (.*)$")
SUMMARY_RE = re.compile(r"^init: summary (\d+) programs?, (\d+) failed$")


# --- log parsing --------------------------------------------------------------------------

@dataclass
class ProgramRun:
    """One program of the suite, as the console shows it."""

    path: str                       #: e.g. /tests/cow
    lines: list[str] = field(default_factory=list)  #: its output, kernel lines removed
    ended: bool = False             #: its "init: <path> exited/killed" line was seen
    status: int | None = None       #: exit status
    signal: int | None = None       #: killing signal
    signame: str = ""

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def passed(self) -> bool:
        return self.ended and self.status == 0

    def outcome(self) -> str:
        if not self.ended:
            return (f"no 'init: {self.path} exited ...' line: the program never finished "
                    f"(crash, hang or timeout)")
        if self.signal is not None:
            return f"killed by signal {self.signal} ({self.signame})"
        return f"exited with status {self.status}"


@dataclass
class SuiteLog:
    """What init printed during one boot."""

    programs: list[ProgramRun] = field(default_factory=list)
    nodes: dict[int, tuple[int, int]] = field(default_factory=dict)  #: node -> (before, after)
    leaks: list[str] = field(default_factory=list)
    summary: tuple[int, int] | None = None   #: (programs, failed)
    problems: list[str] = field(default_factory=list)  #: lines out of order


def user_lines(log_text: str) -> list[str]:
    """The console lines that are not kernel lines (no ``[cxy.lid]`` prefix), cleaned."""
    out = []
    for line in boot_tests.clean_log(log_text).splitlines():
        if ktap.PREFIX_RE.match(line):
            continue
        out.append(line)
    return out


def parse_suite_log(log_text: str) -> SuiteLog:
    """Split the console log into the programs' outputs and init's own report."""
    suite = SuiteLog()
    current: ProgramRun | None = None
    for line in user_lines(log_text):
        text = line.rstrip()
        m = RUN_RE.match(text)
        if m:
            if current is not None:
                suite.problems.append(f"'init: run {m.group(1)}' while {current.path} "
                                      f"had not ended")
            current = ProgramRun(m.group(1))
            suite.programs.append(current)
            continue
        m = END_RE.match(text)
        if m and current is not None and m.group(1) == current.path:
            current.ended = True
            if m.group(2) is not None:
                current.status = int(m.group(2))
            else:
                current.signal, current.signame = int(m.group(3)), m.group(4)
            current = None
            continue
        if m and current is None:
            suite.problems.append(f"'{text}' without a matching 'init: run' line")
            continue
        if current is not None:
            current.lines.append(line)
            continue
        m = NODE_RE.match(text)
        if m:
            suite.nodes[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
            continue
        m = LEAK_RE.match(text)
        if m:
            suite.leaks.append(text)
            continue
        m = SUMMARY_RE.match(text)
        if m:
            suite.summary = (int(m.group(1)), int(m.group(2)))
    return suite


def program_results(run: ProgramRun) -> list[ktap.LeafResult]:
    """The KTAP leaf results of one program's output (structural failures included)."""
    return list(ktap.leaves(ktap.parse(run.lines, strip_console_prefix=False)))


def check_leaks(suite: SuiteLog, clusters: int) -> list[str]:
    """Problems of the leak check (empty: every node has the same free memory after)."""
    problems = []
    if not suite.nodes:
        problems.append("no 'init: node N free before X kB after Y kB' line "
                        "(the suite did not finish?)")
    else:
        missing = [n for n in range(clusters) if n not in suite.nodes]
        extra = sorted(n for n in suite.nodes if n >= clusters)
        if missing:
            problems.append(f"no free-memory line for node(s) {', '.join(map(str, missing))} "
                            f"of {clusters}")
        if extra:
            problems.append(f"free-memory line for node(s) {', '.join(map(str, extra))}, "
                            f"but the machine has {clusters} clusters")
        for node in sorted(suite.nodes):
            before, after = suite.nodes[node]
            if before < 0 or after < 0:
                problems.append(f"node {node}: unreadable meminfo (before {before}, "
                                f"after {after})")
            elif before != after:
                problems.append(f"node {node}: {before} kB free before the suite, {after} kB "
                                f"after: {before - after} kB lost")
    problems += [f"init says: {line}" for line in suite.leaks
                 if not any(line.startswith(f"init: leak: node {n} lost") for n in suite.nodes)]
    return problems


def check_summary(suite: SuiteLog) -> list[str]:
    """Problems of init's summary line against the programs seen."""
    if suite.summary is None:
        return ["no 'init: summary P programs, F failed' line (init crashed, hung or was "
                "cut short?)"]
    total, failed = suite.summary
    seen_failed = sum(1 for p in suite.programs if not p.passed)
    problems = []
    if total != len(suite.programs):
        problems.append(f"summary says {total} programs, the log shows {len(suite.programs)}")
    if failed != seen_failed:
        problems.append(f"summary says {failed} failed, the log shows {seen_failed}")
    return problems + suite.problems


#: what each SysRq dump written by /tests/sysrq must show between its first and last line
#: (kernel/kern/sysrq.h): (key, regex of a line that must appear inside, what it is)
SYSRQ_EXPECT = (
    ("t", r"^thread \S.* \(tid \d+, pid \d+\) of cluster \d+ core \d+\.\d+, state ", "a thread"),
    ("w", r"^thread .*state S \(sleep\)", "the thread blocked in read(2)"),
    ("l", r"^  core \d+\.\d+ \((NMI|self)\)", "a core's backtrace"),
    ("r", r"^  rpc fifo of cluster 0: ", "cluster 0's RPC FIFO"),
    ("d", r"^(sysrq: d: the locks held are recorded in DEBUG builds only|sysrq: d: \d+ threads)$",
     "the held locks"),
)


def check_sysrq_dumps(log_text: str, suite: SuiteLog) -> list[str] | None:
    """The dumps /tests/sysrq asked for are on the console (None: it did not run)."""
    if not any(run.name == "sysrq" for run in suite.programs):
        return None
    lines = [text for tag, text in boot_tests.console_lines(log_text) if tag]
    problems = []
    for key, inside, what in SYSRQ_EXPECT:
        start = next((i for i, ln in enumerate(lines) if ln == f"sysrq: {key}: "
                      f"{SYSRQ_TITLES[key]}"), None)
        if start is None:
            problems.append(f"no 'sysrq: {key}: {SYSRQ_TITLES[key]}' line")
            continue
        end = next((i for i in range(start + 1, len(lines)) if lines[i] == f"sysrq: {key}: end"),
                   None)
        if end is None:
            problems.append(f"sysrq {key}: no 'sysrq: {key}: end' line")
            continue
        if not any(re.search(inside, ln) for ln in lines[start:end + 1]):
            problems.append(f"sysrq {key}: {what} is missing from the dump "
                            f"(no line matching {inside!r})")
    return problems


SYSRQ_TITLES = {"t": "show every thread", "w": "show blocked threads",
                "l": "show every core's backtrace", "r": "show every cluster's RPC FIFO",
                "d": "show held locks"}


def expected_programs(tests_dir: str = TESTS_SRC) -> list[str]:
    """Names of the programs init must run: user/tests/*.c minus the helpers."""
    names = [os.path.splitext(os.path.basename(p))[0]
             for p in glob.glob(os.path.join(tests_dir, "*.c"))]
    return sorted(n for n in names if not n.endswith(HELPER_SUFFIX))


# --- reporting ------------------------------------------------------------------------------

def report_suite(topo_name: str, clusters: int, suite: SuiteLog, log_text: str,
                 see_log: str, writer: boot_tests.KtapWriter,
                 expected: list[str] | None = None) -> None:
    """Print the results of one boot's suite (everything but QEMU's exit status)."""
    prefix = f"user/{topo_name}"
    tail = boot_tests.log_tail(log_text)
    for run in suite.programs:
        for leaf in program_results(run):
            skip = leaf.directive[4:].strip() if leaf.skipped else None
            diags = list(leaf.diagnostics) + [see_log] if not leaf.passed else ()
            writer.result(f"{prefix}/{run.name}/{leaf.path}", leaf.passed, diags, skip=skip)
        diags = () if run.passed else [run.outcome(), see_log] + (
            tail if not run.ended else [])
        writer.result(f"{prefix}/{run.name}/exit-status", run.passed, diags)
    seen = {run.name for run in suite.programs}
    for name in expected or []:
        if name not in seen:
            writer.result(f"{prefix}/{name}/exit-status", False,
                          [f"/tests/{name} never started ('init: run /tests/{name}' missing)",
                           see_log] + tail)
    problems = check_leaks(suite, clusters)
    writer.result(f"{prefix}/leak-check", not problems,
                  problems + [see_log] if problems else ())
    problems = check_summary(suite)
    writer.result(f"{prefix}/summary", not problems,
                  problems + [see_log] + tail if problems else ())


def boot_one(named: boot_tests.NamedTopology, iso: str, timeout: float, log_dir: str,
             writer: boot_tests.KtapWriter, qemu_binary: str, verbose: bool,
             expected: list[str]) -> None:
    """Boot one topology, run the suite, report it."""
    name, topo = named.name, named.topo
    log_path = os.path.join(log_dir, "user-" + re.sub(r"[^\w.-]", "_", name) + ".log")
    result = boot_tests.boot_topology(named, iso, timeout, log_path, writer, qemu_binary,
                                      verbose)
    see_log = f"log: {boot_tests.display_path(log_path)}"
    clusters = len(boot_tests.expected_clusters(topo))
    suite = parse_suite_log(result.log_text)
    report_suite(name, clusters, suite, result.log_text, see_log, writer, expected)
    problems = check_sysrq_dumps(result.log_text, suite)
    if problems is not None:
        writer.result(f"user/{name}/sysrq/console-dumps", not problems,
                      problems + [see_log] if problems else ())
    problems = boot_tests.check_stall_reports(result.log_text)
    writer.result(f"user/{name}/no-stall", not problems,
                  problems + [see_log] if problems else ())
    problems = boot_tests.check_exit(result)
    writer.result(f"user/{name}/exit-status", not problems,
                  problems + [see_log] + boot_tests.log_tail(result.log_text)
                  if problems else ())


def parse_args(argv=None) -> argparse.Namespace:
    parser = boot_tests.boot_arguments(
        "user_tests.py", __doc__,
        "topologies: AxB = A clusters of B cores with 128 MiB each, or any name "
        "tests/harness/boot_tests.py accepts.\n"
        f"default list: {','.join(DEFAULT_TOPOLOGIES)}",
        DEFAULT_ISO, "user ISO (kernel command line 'poweroff'; default "
        "build/archipel-user.iso)",
        "where user-<topology>.log goes (default build/test-logs)", DEFAULT_TIMEOUT)
    parser.add_argument("--tests-src", default=TESTS_SRC, metavar="DIR",
                        help="the programs that must run are DIR/*.c minus *_helper "
                             "(default user/tests)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    topologies, status = boot_tests.select_topologies(args, DEFAULT_TOPOLOGIES, "user_tests.py")
    if status is not None:
        return status
    if not os.path.isfile(args.iso):
        print(f"user_tests.py: error: ISO {args.iso} not found (build it first: "
              f"make build/archipel-user.iso)", file=sys.stderr)
        return 2
    os.makedirs(args.log_dir, exist_ok=True)
    expected = expected_programs(args.tests_src)

    writer = boot_tests.KtapWriter()
    writer.diag(f"user suite of {boot_tests.display_path(args.iso)} on "
                f"{', '.join(t.name for t in topologies)}; programs: {' '.join(expected)}")

    boot_tests.stop_on_signals()
    try:
        for named in topologies:
            boot_one(named, args.iso, args.timeout, args.log_dir, writer, args.qemu,
                     args.verbose, expected)
    except KeyboardInterrupt:
        return writer.end(interrupted=True)
    return writer.end()


if __name__ == "__main__":
    sys.exit(main())
