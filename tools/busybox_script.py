#!/usr/bin/env python3
"""Run tests/data/busybox/script.sh with Debian's busybox sh, on Linux 6.1 or on Archipel.

Usage:
  busybox_script.py record --out FILE     boot Debian's Linux 6.1 (fetched as
                                          make bench-linux does) on the QEMU machine
                                          of the test (2x2) and write the script's output
  busybox_script.py archipel --iso ISO    boot Archipel's ISO (make's
                                          build/archipel-bbscript.iso) and print it

The output is what the script prints between its "=== BEGIN" and "=== END" lines,
with the console's CR removed and Archipel's kernel lines ("[c.l] ...") left out.
``make busybox-linux-record`` writes tests/data/busybox/script.linux.out with the
first form (committed: the expected output); tests/e2e/test_busybox_script.py
compares the second with it.
"""
import argparse
import os
import re
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import linux_image  # noqa: E402
import qemu  # noqa: E402

SCRIPT = os.path.join(REPO, "tests", "data", "busybox", "script.sh")
CLUSTERS, CORES, MEM_MIB = 2, 2, 128
TIMEOUT = 300                            # seconds per boot
PRINTK = re.compile(r"^\[\d+\.\d+\] ")

#: /init of the Linux guest: the script's output on the console, then power off.
LINUX_INIT = r"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mkdir -p /tmp
/bin/sh /script.sh
/bin/busybox poweroff -f
"""


def extract(log_text: str) -> str:
    """The lines from "=== BEGIN" to "=== END" (both kept), CR and kernel lines removed."""
    out, inside = [], False
    for line in log_text.replace("\r", "").split("\n"):
        if PRINTK.match(line):
            continue
        if line.startswith("=== BEGIN"):
            inside = True
        if inside:
            out.append(line)
        if line.startswith("=== END"):
            break
    return "\n".join(out) + "\n" if out else ""


def linux_initramfs(busybox_path: str) -> bytes:
    """Busybox, its applet links (symbolic), the script and /init, for Linux."""
    with open(busybox_path, "rb") as f:
        bb = f.read()
    with open(SCRIPT, "rb") as f:
        script = f.read()
    applets = subprocess.run([busybox_path, "--list-full"], capture_output=True, text=True,
                             check=True).stdout.split()
    entries = [("bin", stat.S_IFDIR | 0o755, b"", (0, 0)),
               ("bin/busybox", stat.S_IFREG | 0o755, bb, (0, 0)),
               ("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
               ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
               ("init", stat.S_IFREG | 0o755, LINUX_INIT.encode(), (0, 0)),
               ("proc", stat.S_IFDIR | 0o755, b"", (0, 0)),
               ("script.sh", stat.S_IFREG | 0o644, script, (0, 0)),
               ("tmp", stat.S_IFDIR | 0o777, b"", (0, 0))]
    dirs = {"bin"}
    for path in applets:
        if path in ("bin/busybox", "linuxrc"):
            continue
        parts = path.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.add(d)
                entries.append((d, stat.S_IFDIR | 0o755, b"", (0, 0)))
        entries.append((path, stat.S_IFLNK | 0o777, b"/bin/busybox", (0, 0)))
    blob = b"".join(linux_image.newc_entry(n, m, d, i, r)
                    for i, (n, m, d, r) in enumerate(entries, 1))
    return blob + linux_image.newc_entry("TRAILER!!!", 0)


def boot(iso: str, log: str) -> str:
    topo = qemu.make_topology(CLUSTERS, CORES, MEM_MIB)
    res = qemu.run(qemu.build_command(iso, topo), timeout=TIMEOUT, log_path=log,
                   interactive=False)
    return res.log_text


def record(out: str) -> int:
    try:
        info = linux_image.fetch(os.path.join(REPO, "build", "linux"))
    except linux_image.FetchError as exc:
        print(f"busybox_script.py: {exc}", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory() as tmp:
        iso = os.path.join(tmp, "linux-bbscript.iso")
        linux_image.make_iso(info["vmlinuz"], linux_initramfs(info["busybox"]),
                             linux_image.LINUX_CMDLINE, iso)
        log = os.path.join(REPO, "build", "test-logs", "busybox-script-linux.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        text = extract(boot(iso, log))
    if "=== END" not in text:
        print(f"busybox_script.py: the script did not finish on Linux; log: {log}", file=sys.stderr)
        return 1
    with open(out, "w") as f:
        f.write(text)
    print(f"busybox_script.py: {out}: {len(text.splitlines())} lines from "
          f"{os.path.basename(info['vmlinuz'])}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--out", required=True)
    a = sub.add_parser("archipel")
    a.add_argument("--iso", required=True)
    args = ap.parse_args()
    if args.cmd == "record":
        return record(args.out)
    log = os.path.join(REPO, "build", "test-logs", "busybox-script-archipel.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    sys.stdout.write(extract(boot(args.iso, log)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
