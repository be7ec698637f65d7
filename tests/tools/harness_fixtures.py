#!/usr/bin/env python3
"""Helpers shared by the unit tests of the QEMU harnesses and of tests/run.py
(test_boot_checks.py, test_user_tests.py).

:func:`fake_harness_dir` makes a scratch directory with a fake QEMU that
replays a console log and exits with a given code, and an empty ISO, so that
a harness's ``main()`` runs end to end without QEMU or a kernel;
:class:`RunnerPlanMixin` gives a test class ``self.plan(argv)``: what
tests/run.py would run for those arguments.
"""

import os
import stat
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def fake_harness_dir(prefix: str, log_text: str, exit_code: int) -> tuple[str, str, str]:
    """A fresh directory holding a fake QEMU and a fake ISO; returns (dir, qemu, iso).

    The fake QEMU prints ``log_text`` (the console) and exits with ``exit_code``
    (QEMU's isa-debug-exit code: (kernel status << 1) | 1, or anything else).
    """
    tmp = tempfile.mkdtemp(prefix=prefix)
    log_file = os.path.join(tmp, "console.txt")
    with open(log_file, "w") as f:
        f.write(log_text)
    fake = os.path.join(tmp, "fake-qemu")
    with open(fake, "w") as f:
        f.write(f"#!/bin/sh\ncat '{log_file}'\nexit {exit_code}\n")
    os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
    iso = os.path.join(tmp, "fake.iso")
    open(iso, "w").close()
    return tmp, fake, iso


class RunnerPlanMixin:
    """For a unittest.TestCase of tests/run.py's command line: ``self.plan(argv)``."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(HERE, ".."))
        import run as runner_module
        cls.runner = runner_module

    def plan(self, argv):
        """The :class:`run.Plan` that tests/run.py makes of ``argv``."""
        return self.runner.make_plan(self.runner.parse_args(argv))
