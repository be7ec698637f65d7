#!/usr/bin/env python3
"""Archipel top-level test runner (what ``make test`` calls).

Runs, in this order, each section that is selected:

host   every host unit-test binary given to --host-tests (run from the repository
       root; each prints KTAP version 1 on stdout and exits 0 or 1);
unit   the Python tests (test_*.py) of tests/tools (tests that never boot: the
       KTAP parser, the boot-report checks, the trace decoder, the docs check...)
       then of tests/e2e (tests that boot QEMU: the GDB session, make trace),
       run by tests/harness/unittest_ktap.py;
boot   the QEMU boot harness tests/harness/boot_tests.py, if --boot is given (or
       --only names a topology); everything after --boot is passed to the
       harness;
user   the user test suite in QEMU, tests/harness/user_tests.py, if --user-iso is
       given (or --only names ``user`` or ``user:TOPOLOGY``): the ISO whose init
       runs every program of /tests, booted on each of its topologies;
ltp    LTP's system-call tests on one topology (``tools/ltp.py test``), if --ltp
       TOPOLOGY is given (or --only names ``ltp``): one result per LTP test, which
       passes when the test's result is the one tests/ltp/expected.txt lists (PASS
       when absent); skipped, with the reason, when LTP's source (--ltp-src) is
       missing.

--only NAME,... narrows the run to the named sections, host test binaries
(file name) and boot topologies; names that are neither a section nor a host
binary are boot topologies (given to the harness as --only); ``user:4x2``
selects the user section on that topology only.

Progress is streamed, one line per test result as it arrives, tagged with its
section (``[host:test_buddy] ok  buddy.split``).  Top-level ``#`` lines of a
section (e.g. the boot harness's progress and boot times) are shown as they
come; the diagnostics of a failed test are shown under it.  The run ends with
the list of failed tests and, as the very last line::

    N passed, M failed[, K skipped]

A section whose program is killed, times out, or exits with an error without
reporting a failed test itself (crash, bad arguments, missing ISO...) counts
one more failure named ``exit-status``; a truncated or missing KTAP output
fails as ``plan`` / ``ktap`` (see tools/ktap.py).

Exit status: 0 iff no test failed and at least one test passed; 130 if
interrupted.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
HARNESS_DIR = os.path.join(HERE, "harness")
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, HARNESS_DIR)

import ktap  # noqa: E402
from unittest_ktap import emit_unittest_ktap  # noqa: E402

BOOT_HARNESS = os.path.join(HARNESS_DIR, "boot_tests.py")
USER_HARNESS = os.path.join(HARNESS_DIR, "user_tests.py")
#: the unit section's test directories, in run order: never boot, then boot QEMU
UNIT_DIRS = [os.path.join(HERE, "tools"), os.path.join(HERE, "e2e")]
SECTIONS = ("host", "unit", "boot", "user", "ltp")
LTP_TOOL = os.path.join(REPO, "tools", "ltp.py")
USER_TIMEOUT = 300.0
HOST_TIMEOUT = 600.0
UNIT_TIMEOUT = 600.0


# --- running sections ----------------------------------------------------------------------

@dataclass
class Outcome:
    section: str
    path: str
    passed: bool
    skipped: bool
    diagnostics: tuple = ()


@dataclass
class Totals:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, section: str | None = None) -> tuple[int, int, int]:
        return ktap.summarize(o for o in self.outcomes
                              if section is None or o.section == section)


def counts_text(passed: int, failed: int, skipped: int) -> str:
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


class Runner:
    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.totals = Totals()
        self.sections: list[str] = []

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def record(self, outcome: Outcome, live_diags_shown: bool) -> None:
        self.totals.outcomes.append(outcome)
        tag = f"[{outcome.section}]"
        state = "SKIP" if outcome.skipped else ("ok" if outcome.passed else "FAIL")
        self.say(f"{tag} {state:4} {outcome.path}")
        if not outcome.passed and not live_diags_shown:
            for d in outcome.diagnostics:
                self.say(f"{tag}      # {d}")

    def run_section(self, section: str, cmd: list[str], timeout: float | None) -> None:
        """Run one KTAP-producing program and record its results as they arrive."""
        self.sections.append(section)
        tag = f"[{section}]"
        self.say(f"{tag} running: {' '.join(cmd)}")
        parser = ktap.Parser(strip_console_prefix=False)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        try:
            proc = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, env=env)
        except OSError as exc:
            self.record(Outcome(section, "exit-status", False, False,
                                (f"cannot run {cmd[0]}: {exc.strerror}",)), False)
            return
        real_failures = 0  # failed results the program itself reported
        timed_out = False
        deadline = time.monotonic() + timeout if timeout else None
        buffer = b""
        fd = proc.stdout.fileno()

        def handle(raw: bytes) -> None:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            for event in parser.feed(line):
                if isinstance(event, ktap.Diagnostic):
                    if event.level == 0:
                        self.say(f"{tag} {event.text}")
                else:
                    nonlocal real_failures
                    if not event.passed and not event.synthetic:
                        real_failures += 1
                    shown = event.depth == 0 and not event.synthetic
                    self.record(Outcome(section, event.path, event.passed, event.skipped,
                                        event.diagnostics), shown)

        interrupted = False
        try:
            while True:
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    timed_out = True
                    break
                ready, _, _ = select.select([fd], [], [], wait)
                if not ready:
                    continue
                data = os.read(fd, 65536)
                if not data:
                    break
                buffer += data
                *lines, buffer = buffer.split(b"\n")
                for raw in lines:
                    handle(raw)
            if buffer:
                handle(buffer)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if timed_out or interrupted:
                # SIGTERM lets the boot harness stop its QEMU; then insist.
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            proc.stdout.close()
            rc = proc.wait()
        if interrupted:
            self.say(f"{tag} interrupted")
            raise KeyboardInterrupt
        for event in parser.close():
            if isinstance(event, ktap.LeafResult):
                self.record(Outcome(section, event.path, event.passed, event.skipped,
                                    event.diagnostics), False)
        problem = None
        if timed_out:
            problem = f"no end after {timeout:g} s, killed"
        elif rc < 0:
            problem = f"killed by signal {signal.Signals(-rc).name}"
        elif rc != 0 and real_failures == 0:
            problem = f"exited with status {rc} without reporting a failed test"
        if problem:
            self.record(Outcome(section, "exit-status", False, False, (problem,)),
                        False)
        p, f, s = self.totals.count(section)
        self.say(f"{tag} done: {counts_text(p, f, s)}")

    def summary(self) -> int:
        self.say("")
        self.say("==== summary ====")
        for section in self.sections:
            self.say(f"{section}: {counts_text(*self.totals.count(section))}")
        failed = [o for o in self.totals.outcomes if not o.passed and not o.skipped]
        if failed:
            self.say("failed:")
            for o in failed:
                self.say(f"  [{o.section}] {o.path}")
        passed, nfailed, skipped = self.totals.count()
        self.say(counts_text(passed, nfailed, skipped))
        return 0 if nfailed == 0 and passed > 0 else 1


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  python3 tests/run.py --host-tests build/host/test_*\n"
               "  python3 tests/run.py --host-tests build/host/test_* "
               "--boot --iso build/archipel-test.iso --timeout 180\n"
               "  python3 tests/run.py --host-tests build/host/test_* --only test_buddy,4x2 "
               "--boot --iso build/archipel-test.iso\n"
               "  python3 tests/run.py --only unit\n"
               "  python3 tests/run.py --user-iso build/archipel-user.iso --only user:4x2\n")
    parser.add_argument("--host-tests", nargs="*", default=[], metavar="BIN",
                        help="host unit-test binaries to run (zero or more)")
    parser.add_argument("--only", metavar="NAME,...",
                        help="run only what is named: a section (host, unit, boot), a host "
                             "test binary (its file name, e.g. test_buddy) or a boot topology "
                             "(e.g. 4x2, memonly: boots only those). Default: everything "
                             "(the boot section only with --boot or a named topology)")
    parser.add_argument("--host-timeout", type=float, default=HOST_TIMEOUT, metavar="SECONDS",
                        help=f"kill a host test binary after SECONDS (default {HOST_TIMEOUT:g})")
    parser.add_argument("--user-iso", metavar="ISO",
                        help="run the user test suite (tests/harness/user_tests.py) from this ISO "
                             "(kernel command line 'poweroff', e.g. build/archipel-user.iso)")
    parser.add_argument("--user-timeout", type=float, default=USER_TIMEOUT, metavar="SECONDS",
                        help=f"limit per boot of the user suite (default {USER_TIMEOUT:g})")
    parser.add_argument("--ltp", metavar="TOPOLOGY",
                        help="run LTP's tests on TOPOLOGY (e.g. 2x2) against "
                             "tests/ltp/expected.txt (make ltp-test-images builds them)")
    parser.add_argument("--ltp-src", metavar="DIR",
                        help="LTP's source: the LTP section is skipped (with the reason) "
                             "when DIR has no configure")
    parser.add_argument("--ltp-arg", action="append", default=[], metavar="ARG",
                        help="one more argument of 'tools/ltp.py test' (e.g. --mem=256)")
    parser.add_argument("--boot", nargs=argparse.REMAINDER, metavar="ARG",
                        help="run the boot harness with the following arguments (must come "
                             "last; see tests/harness/boot_tests.py --help)")
    parser.add_argument("--unittest-ktap", nargs="+", metavar="DIR", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


@dataclass
class Plan:
    """What to run: host binaries, whether to run the unit tests, harness arguments."""

    host: list[str]
    unit: bool
    boot: list[str] | None  #: harness arguments, None: no boot section
    user: list[str] | None = None  #: user-suite harness arguments, None: no user section
    ltp: list[str] | None = None   #: tools/ltp.py test arguments, None: no LTP section


def user_args(args: argparse.Namespace, topologies: list[str] | None = None) -> list[str]:
    """Arguments of the user-suite harness."""
    out = ["--timeout", f"{args.user_timeout:g}"]
    if args.user_iso:
        out = ["--iso", args.user_iso] + out
    if topologies:
        out += ["--only", ",".join(topologies)]
    return out


def ltp_args(args: argparse.Namespace) -> list[str]:
    """Arguments of ``tools/ltp.py test``."""
    out = ["test", "--topologies", args.ltp or "2x2"]
    if args.ltp_src is not None:
        out += ["--src", args.ltp_src]
    return out + list(args.ltp_arg)


def make_plan(args: argparse.Namespace) -> Plan:
    """Resolve --host-tests, --only, --user-iso, --ltp and --boot into a :class:`Plan`."""
    if not args.only:
        return Plan(list(args.host_tests), True, args.boot,
                    user_args(args) if args.user_iso else None,
                    ltp_args(args) if args.ltp else None)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    by_name = {os.path.basename(b): b for b in args.host_tests}
    sections = {n for n in names if n in SECTIONS}
    user_topologies = [n[len("user:"):] for n in names if n.startswith("user:")]
    names = [n for n in names if not n.startswith("user:")]
    binaries = [by_name[n] for n in names if n in by_name and n not in SECTIONS]
    topologies = [n for n in names if n not in SECTIONS and n not in by_name]
    host = list(args.host_tests) if "host" in sections else binaries
    boot = None
    if "boot" in sections or topologies:
        boot = list(args.boot or [])
        if topologies:
            boot += ["--only", ",".join(topologies)]
    user = None
    if "user" in sections or user_topologies:
        user = user_args(args, None if "user" in sections else user_topologies)
    ltp = ltp_args(args) if "ltp" in sections else None
    return Plan(host, "unit" in sections, boot, user, ltp)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.unittest_ktap:
        return emit_unittest_ktap(args.unittest_ktap)
    plan = make_plan(args)
    runner = Runner()

    # SIGTERM/SIGHUP (make killed, terminal closed): stop the running section cleanly.
    def on_signal(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        for binary in plan.host:
            name = os.path.basename(binary)
            runner.run_section(f"host:{name}", [os.path.abspath(binary)], args.host_timeout)
        if plan.unit:
            runner.run_section("unit", [sys.executable, os.path.abspath(__file__),
                                        "--unittest-ktap", *UNIT_DIRS], UNIT_TIMEOUT)
        if plan.boot is not None:
            runner.run_section("boot", [sys.executable, BOOT_HARNESS] + plan.boot, None)
        if plan.user is not None:
            runner.run_section("user", [sys.executable, USER_HARNESS] + plan.user, None)
        if plan.ltp is not None:
            runner.run_section("ltp", [sys.executable, LTP_TOOL] + plan.ltp, None)
    except KeyboardInterrupt:
        runner.summary()
        print("run.py: interrupted", file=sys.stderr)
        return 130
    return runner.summary()


if __name__ == "__main__":
    sys.exit(main())
