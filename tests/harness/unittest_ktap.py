"""The Python tests as KTAP: what tests/run.py's "unit" section runs in a child process.

``python3 tests/run.py --unittest-ktap DIR...`` discovers the test_*.py files of
each DIR (tests/tools, then tests/e2e), runs them all and prints one KTAP line per
test as it finishes (``ok 3 test_ktap.ParseGood.test_all_passed``), with a failed
test's traceback as ``#`` diagnostic lines before its result; run.py parses that
stream like any other section's (tools/ktap.py).

A test's name is its unittest id, module.Class.method: each DIR is its own
top-level directory, so a test file's module name is its file name.

Python 3 standard library only.
"""

from __future__ import annotations

import sys
import traceback
import unittest


class KtapTestResult(unittest.TestResult):
    """A unittest result that prints one KTAP line per test as it finishes."""

    def __init__(self, stream, total: int):
        super().__init__()
        self.stream = stream
        self.buffer = True  # keep the tests' own output out of the KTAP stream
        self.number = 0
        self.write("KTAP version 1")
        self.write(f"1..{total}")

    def write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def startTest(self, test):
        super().startTest(test)
        self._state, self._diags = "ok", []

    def _fail(self, err, what: str) -> None:
        self._state = "fail"
        text = "".join(traceback.format_exception(*err)) if err else ""
        self._diags.append(what)
        self._diags += [ln for ln in text.rstrip().splitlines()]

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(err, "error:")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(err, "failure:")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._fail(err, f"subtest {subtest._subDescription()} failed:")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._state, self._skip = "skip", reason

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._state = "fail"
        self._diags.append("unexpected success of a test marked expectedFailure")

    def stopTest(self, test):
        super().stopTest(test)  # restores stdout/stderr when buffering
        self.number += 1
        name = test.id()
        if self._state == "fail":
            for d in self._diags:
                self.write(f"# {d}")
            self.write(f"not ok {self.number} {name}")
        elif self._state == "skip":
            self.write(f"ok {self.number} {name} # SKIP {self._skip}")
        else:
            self.write(f"ok {self.number} {name}")


def discover(directories: list[str]) -> unittest.TestSuite:
    """The test_*.py tests of every directory of ``directories``, in that order."""
    suite = unittest.TestSuite()
    for directory in directories:
        suite.addTests(unittest.TestLoader().discover(directory, pattern="test_*.py",
                                                      top_level_dir=directory))
    return suite


def emit_unittest_ktap(directories: list[str]) -> int:
    """Discover test_*.py in ``directories``, run them, print KTAP; 0 iff all passed."""
    stream = sys.stdout
    suite = discover(directories)
    result = KtapTestResult(stream, suite.countTestCases())
    suite.run(result)
    return 0 if result.wasSuccessful() else 1
