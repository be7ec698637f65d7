#!/usr/bin/env python3
"""busybox sh runs issue 13's script on Archipel as on Linux 6.1.

tests/data/busybox/script.sh (pipes, command substitution, background jobs and
wait, trap on USR1 and EXIT, subshells, here-documents, kill -STOP/-CONT,
timeout, sleep) is run by Debian's busybox sh on Archipel (build/archipel-bbscript.iso,
``-- /bin/sh /script.sh``, 2x2) and its output compared with
tests/data/busybox/script.linux.out, which ``make busybox-linux-record`` recorded on
Debian's Linux 6.1 in the same QEMU machine (tools/busybox_script.py).

The "kill -STOP/-CONT" section is its own test, skipped with "needs stop signals"
only when the run shows that SIGSTOP ended the process (status 128+19) instead of
stopping it. The class is skipped when busybox-static cannot be fetched.
"""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

import busybox_script  # noqa: E402
import linux_image  # noqa: E402

EXPECTED = os.path.join(REPO, "tests", "data", "busybox", "script.linux.out")
ISO = os.path.join(REPO, "build", "archipel-bbscript.iso")
STOP = "== kill -STOP/-CONT"


def sections(text):
    """{header: [lines]} of the script's output, split at its "== " headers."""
    out, cur = {}, "=== BEGIN"
    for line in text.splitlines():
        if line.startswith("== "):
            cur = line
        out.setdefault(cur, []).append(line)
    return out


class BusyboxScript(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        try:
            linux_image.fetch_busybox(os.path.join(REPO, "build", "linux"), say=lambda s: None)
        except linux_image.FetchError as exc:
            raise unittest.SkipTest(f"busybox-static cannot be fetched: {exc}")
        make = subprocess.run(["make", "--no-print-directory", "build/archipel-bbscript.iso"],
                              cwd=REPO, capture_output=True, text=True, timeout=900)
        if make.returncode != 0:
            raise AssertionError(f"make build/archipel-bbscript.iso failed:\n{make.stdout}{make.stderr}")
        log = os.path.join(REPO, "build", "test-logs", "busybox-script-archipel.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        cls.got = sections(busybox_script.extract(busybox_script.boot(ISO, log)))
        with open(EXPECTED) as f:
            cls.want = sections(f.read())

    def test_script_output(self):
        self.assertIn("=== END busybox script", "\n".join(self.got.get("== trap EXIT", [])),
                      "the script did not finish on Archipel")
        for header, lines in self.want.items():
            if header != STOP:
                self.assertEqual(self.got.get(header), lines, f"section '{header}'")
        self.assertEqual(set(self.got), set(self.want))

    def test_stop_continue(self):
        got = self.got.get(STOP, [])
        if any("status 147" in line for line in got):      # 128 + SIGSTOP: it was killed
            self.skipTest("needs stop signals: SIGSTOP ended the process (status 147)")
        self.assertEqual(got, self.want[STOP])


if __name__ == "__main__":
    unittest.main()
