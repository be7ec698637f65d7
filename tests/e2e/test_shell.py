#!/usr/bin/env python3
"""End-to-end test of ``make shell``: busybox sh on the console, driven through a pty.

The class boots build/archipel-shell.iso (``make shell``'s ISO: Debian's
busybox-static, ``-- --tty /bin/sh -l``) on 2 clusters of 2 cores with
tools/qemu.py, whose stdin is the pty of ``pexpect`` (Debian's
python3-pexpect, tools/deps.sh test), so QEMU's console is ``-serial
mon:stdio`` as for a user at a terminal. One session, steps in order (test
method names sort in that order), each with its own pexpect timeout:

1. the prompt shows the shell's cluster (``[c1] ~ #``), ``echo`` works;
2. ``sleep 30 &``, ``jobs`` shows it running, ``kill %1`` ends it;
3. a foreground ``sleep 30`` is interrupted by ^C: the prompt is back in seconds;
4. ``ps`` and ``top -b -n 1`` list the processes, each with its cluster
   (``sh@c1``; busybox runs ps in the forked shell, so it shows as ``sh``);
5. ^Z stops a foreground ``sleep 30``, ``bg`` resumes it in the background,
   ``fg`` brings it back, ^C ends it. Skipped with "needs stop signals" only
   when /bin/stopprobe (user/bin/stopprobe.c: SIGSTOP, then wait4 WUNTRACED)
   finds that the kernel does not stop processes;
6. ``exit`` powers the guest off (init's child ended).

The whole class is skipped, with the reason, when busybox-static cannot be
fetched (no network); the ISO is then built with ``make``.
"""

import os
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

try:
    import pexpect
except ImportError:                      # Debian's python3-pexpect under another Python
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import pexpect
    except ImportError:
        pexpect = None

import linux_image  # noqa: E402

ISO = os.path.join(REPO, "build", "archipel-shell.iso")
LOG = os.path.join(REPO, "build", "test-logs", "shell-2x2.log")
QEMU_TIMEOUT = 240                       # seconds: qemu.py kills the guest after this
PROMPT = re.compile(r"\[c(\d+)\] [^\r\n#]*# ")


class ShellSession(unittest.TestCase):
    """One interactive busybox session on 2x2 (see the module docstring)."""

    child = None

    @classmethod
    def setUpClass(cls):
        if pexpect is None:
            raise unittest.SkipTest("python3-pexpect is not installed (tools/deps.sh test)")
        try:
            linux_image.fetch_busybox(os.path.join(REPO, "build", "linux"), say=lambda s: None)
        except linux_image.FetchError as exc:
            raise unittest.SkipTest(f"busybox-static cannot be fetched: {exc}")
        make = subprocess.run(["make", "--no-print-directory", "build/archipel-shell.iso"],
                              cwd=REPO, capture_output=True, text=True, timeout=900)
        if make.returncode != 0:
            raise AssertionError(f"make build/archipel-shell.iso failed:\n{make.stdout}{make.stderr}")
        os.makedirs(os.path.dirname(LOG), exist_ok=True)
        cls.log = open(LOG, "w", encoding="utf-8")
        cls.child = pexpect.spawn(
            sys.executable, [os.path.join(REPO, "tools", "qemu.py"), "--iso", ISO,
                             "--clusters", "2", "--cores", "2", "--mem", "128",
                             "--timeout", str(QEMU_TIMEOUT)],
            cwd=REPO, encoding="utf-8", codec_errors="replace", timeout=30,
            dimensions=(24, 80))
        cls.child.logfile_read = cls.log
        cls.child.expect(PROMPT, timeout=180)
        cls.cluster = int(cls.child.match.group(1))

    @classmethod
    def tearDownClass(cls):
        if cls.child is not None:
            cls.child.close(force=True)
            cls.log.close()

    def run_cmd(self, line, timeout=30):
        """Types @line, waits for the next prompt; returns what came between."""
        self.child.sendline(line)
        self.child.expect(PROMPT, timeout=timeout)
        return self.child.before

    def test_1_prompt_and_echo(self):
        self.assertIn(self.cluster, (0, 1), "the prompt's cluster is not one of the guest's")
        out = self.run_cmd("echo hello $((6 * 7)) from $(cat /proc/$$/cluster)")
        self.assertIn(f"hello 42 from {self.cluster}", out)

    def test_2_background_job(self):
        self.run_cmd("sleep 30 &")
        out = self.run_cmd("jobs")
        self.assertRegex(out, r"\[1\]\+?\s+Running\s+sleep 30")
        out = self.run_cmd("kill %1")
        for _ in range(10):                  # ash reports the job when it has reaped it
            if re.search(r"Terminated\s+sleep 30", out):
                break
            time.sleep(1)
            out += self.run_cmd("jobs")
        self.assertRegex(out, r"Terminated\s+sleep 30")
        self.assertNotIn("Running", self.run_cmd("jobs"))

    def test_3_ctrl_c(self):
        self.child.sendline("sleep 30")
        time.sleep(3)                        # the sleep is in the foreground now
        self.child.sendcontrol("c")
        self.child.expect(PROMPT, timeout=10)   # the prompt is back (not after the 30 s)
        self.assertIn("hello again", self.run_cmd("echo hello again"))

    def test_4_ps(self):
        out = self.run_cmd("ps")
        self.assertRegex(out, r"PID\s+USER\s+(TIME\s+)?COMMAND")
        self.assertRegex(out, r"\n\s*1 root .*init@c0")
        self.assertRegex(out, rf"\n\s*\d+ root\s+sh@c{self.cluster}")
        out = self.run_cmd("top -b -n 1")
        self.assertRegex(out, r"Mem: \d+K used, \d+K free")
        self.assertRegex(out, r"\n\s*1\s+0 root .*init@c0")
        self.assertRegex(out, r"top@c\d+")

    def test_5_stop_and_continue(self):
        probe = self.run_cmd("stopprobe")
        if "stop signals supported" not in probe:
            self.assertIn("no stop signals", probe, "stopprobe did not run")
            self.skipTest("needs stop signals: " + probe.strip().splitlines()[-1])
        self.child.sendline("sleep 30")
        time.sleep(3)
        self.child.sendcontrol("z")
        self.child.expect(PROMPT, timeout=10)
        self.assertIn("Stopped", self.child.before)
        self.assertRegex(self.run_cmd("bg"), r"sleep 30")
        self.assertRegex(self.run_cmd("jobs"), r"Running\s+sleep 30")
        self.child.sendline("fg")
        self.child.expect("sleep 30", timeout=10)
        time.sleep(2)
        self.child.sendcontrol("c")
        self.child.expect(PROMPT, timeout=10)
        self.assertNotIn("sleep", self.run_cmd("jobs"))

    def test_9_exit_powers_off(self):
        self.run_cmd("true")                 # exit's status is the last command's
        self.child.sendline("exit")
        self.child.expect(r"init: /bin/sh exited with status 0", timeout=30)
        self.child.expect(pexpect.EOF, timeout=60)
        self.child.close()
        self.assertEqual(self.child.exitstatus, 0, "qemu.py: the kernel's power-off status")


if __name__ == "__main__":
    unittest.main()
