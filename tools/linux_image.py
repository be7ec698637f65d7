#!/usr/bin/env python3
"""Fetch Debian's Linux 6.1 and busybox, and make a bootable ISO of them (make bench-linux).

The Linux side of ``tools/bench_linux.py``. Nothing here is ever committed:
everything lands in ``build/linux/`` (git-ignored).

Fetching (no root needed)
-------------------------
* The kernel package is the newest ``linux-image-6.1.0-<N>-amd64-unsigned`` that
  ``apt-cache search`` lists (highest ABI number N: Debian 12's Linux 6.1, generic
  amd64 flavour, not cloud/rt). When the archive has no 6.1 package the newest
  ``linux-image-<version>-amd64-unsigned`` of any version is taken instead, with a
  warning naming it (:func:`choose_kernel_package`).
* ``busybox-static`` provides the shell of the Linux guest's /init.
* ``apt-get download`` fetches both .deb files into ``build/linux/debs/`` (once:
  a .deb already there is reused), then only the files needed are extracted
  (``dpkg-deb --fsys-tarfile`` piped to ``tar``: ``boot/vmlinuz-*`` and
  ``bin/busybox``; the kernel's ~400 MB of modules are never written).
* When apt's package lists are empty (no ``apt-get update`` ever run) and we are
  root, ``apt-get update`` is run once; otherwise the error says what to do.

The Linux guest
---------------
* Initramfs (cpio "newc", unpacked by the kernel): ``/init`` (the shell script
  :data:`INIT_SCRIPT`), ``/bin/busybox``, ``/bin/cmpbench``, ``/dev/console``,
  empty ``/proc``, ``/sys``, ``/dev``.
* ``/init`` runs ``/bin/cmpbench`` first thing, so the benchmark's boot figure
  counts the same steps as on Archipel (kernel, then init, then a fork+exec of
  cmpbench). Then it prints the kernel's CPU-vulnerability mitigations (for the
  analysis), and ends the VM the way Archipel does: the status is written to the
  isa-debug-exit port 0xf4 through ``/dev/port``, so QEMU exits with
  ``(status << 1) | 1`` and ``tools/qemu.py`` reports the status; ``poweroff -f``
  is the fallback (QEMU then exits 0, which qemu.py reports as "no-status").
* ISO: GRUB 2 made by ``grub-mkrescue`` exactly as ``tools/mkiso.sh`` makes
  Archipel's (same options, same serial console, timeout 0), but with
  ``linux``/``initrd`` lines instead of ``multiboot2``/``module2``; the kernel
  command line is :data:`LINUX_CMDLINE` (serial console, quiet).

Only the Python 3 standard library is used.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile

#: Kernel command line of the Linux guest: serial console, quiet boot, and a panic
#: ends the VM at once (with -no-reboot QEMU exits) instead of waiting.
LINUX_CMDLINE = "console=ttyS0,115200 quiet loglevel=3 panic=-1"

#: The Linux guest's /init (busybox sh): runs cmpbench, reports, ends the VM.
INIT_SCRIPT = r"""#!/bin/busybox sh
# /init of the Linux guest of make bench-linux (tools/linux_image.py).
/bin/cmpbench
st=$?
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
echo "linux: $($bb uname -r) cpus=$($bb nproc) nodes=$($bb ls -d /sys/devices/system/node/node* | $bb wc -l)"
for f in /sys/devices/system/cpu/vulnerabilities/*; do
    echo "linux: vulnerability $($bb basename $f): $($bb cat $f)"
done
echo "linux: clocksource $($bb cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "linux: /bin/cmpbench exited with status $st"
# isa-debug-exit (port 0xf4 = 244): QEMU exits with (st << 1) | 1.
$bb printf "\\$($bb printf %o $st)" | $bb dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
$bb poweroff -f
"""

KERNEL_RE = re.compile(r"^linux-image-6\.1\.0-(\d+)-amd64-unsigned$")
ANY_KERNEL_RE = re.compile(r"^linux-image-(\d+(?:\.\d+)*)(?:[-+.~]([\w.+~-]*?))?-amd64-unsigned$")


class FetchError(RuntimeError):
    """Fetching or extracting failed; the message says what and what to do."""


# --- choosing the package -------------------------------------------------------------

def _version_key(text: str) -> tuple:
    """Sort key comparing the digit runs of ``text`` as numbers (a simple sort -V)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text) if p)


def choose_kernel_package(search_output: str) -> tuple[str | None, bool]:
    """The kernel package to fetch, from ``apt-cache search`` output.

    Returns ``(name, fallback)``: the newest ``linux-image-6.1.0-N-amd64-unsigned``
    (highest N) and False; when there is none, the newest generic
    ``linux-image-*-amd64-unsigned`` of any version (not cloud, not rt) and True;
    ``(None, False)`` when there is no candidate at all.
    """
    names = [line.split(" - ", 1)[0].strip() for line in search_output.splitlines()]
    names = [n for n in names if n]
    six_one = [n for n in names if KERNEL_RE.match(n)]
    if six_one:
        return max(six_one, key=lambda n: int(KERNEL_RE.match(n).group(1))), False
    other = [n for n in names if ANY_KERNEL_RE.match(n) and not re.search(r"-(cloud|rt)-", n)]
    if other:
        return max(other, key=_version_key), True
    return None, False


# --- fetching -------------------------------------------------------------------------

def _run(cmd: list[str], cwd: str | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise FetchError(f"{cmd[0]} not found: this needs a Debian system with apt "
                         f"(tools/deps.sh bench-linux)") from None
    except subprocess.TimeoutExpired:
        raise FetchError(f"'{' '.join(cmd)}' did not finish within {timeout:.0f} s "
                         f"(is the Debian archive reachable?)") from None


def _search_kernels() -> str:
    return _run(["apt-cache", "search", "--names-only", r"^linux-image-.*-amd64-unsigned$"]).stdout


def _download(pkg: str, debs: str, say) -> str:
    """Path of ``pkg``'s .deb in ``debs``, fetched with apt-get download if absent."""
    prefix = pkg + "_"
    have = [f for f in os.listdir(debs) if f.startswith(prefix) and f.endswith(".deb")]
    if have:
        say(f"using {pkg} already in {debs}/")
        return os.path.join(debs, sorted(have)[-1])
    say(f"downloading {pkg} with apt-get download ...")
    res = _run(["apt-get", "download", pkg], cwd=debs)
    have = [f for f in os.listdir(debs) if f.startswith(prefix) and f.endswith(".deb")]
    if res.returncode != 0 or not have:
        detail = " / ".join(ln for ln in (res.stderr or res.stdout).splitlines()
                            if ln.startswith(("E:", "Err")) or "Could not" in ln)
        raise FetchError(f"apt-get download {pkg} failed ({detail or 'status %d' % res.returncode}); "
                         f"is the Debian archive (deb.debian.org) reachable? "
                         f"'apt-get update' as root may help")
    path = os.path.join(debs, sorted(have)[-1])
    say(f"downloaded {os.path.basename(path)} ({os.path.getsize(path) / 1e6:.1f} MB)")
    return path


def _extract(deb: str, member_glob: str, dest: str) -> list[str]:
    """Extract the members of ``deb`` matching ``member_glob`` (e.g. ./boot/vmlinuz-*) to ``dest``."""
    os.makedirs(dest, exist_ok=True)
    dpkg = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    tar = subprocess.run(["tar", "-x", "-C", dest, "--wildcards", member_glob],
                         stdin=dpkg.stdout, capture_output=True, text=True)
    dpkg.stdout.close()
    err = dpkg.stderr.read().decode("utf-8", "replace")
    dpkg.wait()
    if dpkg.returncode != 0 or tar.returncode != 0:
        raise FetchError(f"cannot extract {member_glob} from {deb}: {err.strip() or tar.stderr.strip()}")
    base = member_glob.lstrip("./").split("*")[0]
    folder = os.path.join(dest, os.path.dirname(base))
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if f.startswith(os.path.basename(base)))


def fetch(linux_dir: str, say=print) -> dict:
    """Fetch and extract Linux and busybox into ``linux_dir``; return their paths.

    Returns ``{"package", "fallback", "deb", "vmlinuz", "busybox"}``.
    Raises :class:`FetchError` with a user-facing message.
    """
    debs = os.path.join(linux_dir, "debs")
    os.makedirs(debs, exist_ok=True)
    pkg, fallback = choose_kernel_package(_search_kernels())
    if pkg is None and os.geteuid() == 0:
        say("apt-cache knows no linux-image package: running apt-get update once ...")
        res = _run(["apt-get", "update", "-qq"])
        if res.returncode != 0:
            raise FetchError("apt-get update failed (is the Debian archive reachable?): "
                             + res.stderr.strip().replace("\n", " / "))
        pkg, fallback = choose_kernel_package(_search_kernels())
    if pkg is None:
        raise FetchError("apt-cache lists no linux-image-*-amd64-unsigned package: run "
                         "'apt-get update' (as root) on a Debian 12 system with deb.debian.org "
                         "in its sources")
    if fallback:
        say(f"WARNING: the archive has no linux-image-6.1.0-*-amd64-unsigned; "
            f"falling back to {pkg}")
    say(f"Linux: {pkg} (the newest Debian 6.1 generic kernel in the archive)"
        if not fallback else f"Linux: {pkg}")
    kdeb = _download(pkg, debs, say)
    bdeb = _download("busybox-static", debs, say)

    tree = os.path.join(linux_dir, "extract", os.path.basename(kdeb)[:-4])
    kernels = [os.path.join(tree, "boot", f) for f in os.listdir(os.path.join(tree, "boot"))
               if f.startswith("vmlinuz-")] if os.path.isdir(os.path.join(tree, "boot")) else []
    if not kernels:
        say(f"extracting boot/vmlinuz from {os.path.basename(kdeb)} (dpkg-deb) ...")
        kernels = _extract(kdeb, "./boot/vmlinuz-*", tree)
    btree = os.path.join(linux_dir, "extract", os.path.basename(bdeb)[:-4])
    busybox = os.path.join(btree, "bin", "busybox")
    if not os.path.isfile(busybox):
        say(f"extracting bin/busybox from {os.path.basename(bdeb)} (dpkg-deb) ...")
        _extract(bdeb, "./bin/busybox", btree)
    if not kernels or not os.path.isfile(busybox):
        raise FetchError(f"no boot/vmlinuz-* in {kdeb} or no bin/busybox in {bdeb}")
    return {"package": pkg, "fallback": fallback, "deb": kdeb, "vmlinuz": kernels[-1],
            "busybox": busybox}


def fetch_busybox(linux_dir: str, say=print) -> str:
    """Fetch (apt-get download, once) and extract Debian's busybox-static into
    ``linux_dir`` as :func:`fetch` does, without the kernel; return bin/busybox's path.
    Raises :class:`FetchError` with a user-facing message (no network, no apt)."""
    debs = os.path.join(linux_dir, "debs")
    os.makedirs(debs, exist_ok=True)
    bdeb = _download("busybox-static", debs, say)
    btree = os.path.join(linux_dir, "extract", os.path.basename(bdeb)[:-4])
    busybox = os.path.join(btree, "bin", "busybox")
    if not os.path.isfile(busybox):
        say(f"extracting bin/busybox from {os.path.basename(bdeb)} (dpkg-deb) ...")
        _extract(bdeb, "./bin/busybox", btree)
    if not os.path.isfile(busybox):
        raise FetchError(f"no bin/busybox in {bdeb}")
    return busybox


# --- initramfs and ISO ------------------------------------------------------------------

def newc_entry(name: str, mode: int, data: bytes = b"", ino: int = 0,
               rdev: tuple[int, int] = (0, 0)) -> bytes:
    """One cpio "newc" entry (header, name, data, each padded to 4 bytes); see cpio(5)."""
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    out = b"070701" + b"".join(b"%08X" % f for f in fields) + name_b
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def initramfs_bytes(busybox: bytes, cmpbench: bytes, init: str = INIT_SCRIPT) -> bytes:
    """The Linux guest's initramfs (see the module docstring)."""
    entries = [
        ("bin", stat.S_IFDIR | 0o755, b"", (0, 0)),
        ("bin/busybox", stat.S_IFREG | 0o755, busybox, (0, 0)),
        ("bin/cmpbench", stat.S_IFREG | 0o755, cmpbench, (0, 0)),
        ("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
        ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
        ("init", stat.S_IFREG | 0o755, init.encode(), (0, 0)),
        ("proc", stat.S_IFDIR | 0o755, b"", (0, 0)),
        ("sys", stat.S_IFDIR | 0o755, b"", (0, 0)),
    ]
    blob = b"".join(newc_entry(n, m, d, i, r) for i, (n, m, d, r) in enumerate(entries, 1))
    return blob + newc_entry("TRAILER!!!", 0)


def grub_cfg(cmdline: str) -> str:
    """grub.cfg of the Linux ISO: tools/mkiso.sh's, with linux/initrd lines."""
    return f"""set timeout=0
set timeout_style=hidden
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "Linux" {{
    linux /boot/vmlinuz {cmdline}
    initrd /boot/initrd.cpio
    boot
}}
"""


def make_iso(vmlinuz: str, initrd: bytes, cmdline: str, out: str) -> None:
    """A BIOS-bootable GRUB 2 ISO booting ``vmlinuz`` with ``initrd`` (grub-mkrescue)."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "boot", "grub"))
        shutil.copyfile(vmlinuz, os.path.join(tmp, "boot", "vmlinuz"))
        with open(os.path.join(tmp, "boot", "initrd.cpio"), "wb") as f:
            f.write(initrd)
        with open(os.path.join(tmp, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(grub_cfg(cmdline))
        res = subprocess.run(
            ["grub-mkrescue", "--compress=no", "--locales=", "--fonts=", "--themes=",
             "--install-modules=linux normal iso9660 biosdisk serial terminal configfile",
             "-o", out, tmp], capture_output=True, text=True)
        if res.returncode != 0:
            raise FetchError(f"grub-mkrescue failed: {res.stderr.strip()}")


def build_linux_iso(linux_dir: str, cmpbench: str, out: str, cmdline: str = LINUX_CMDLINE,
                    say=print) -> dict:
    """Fetch what is missing and write the Linux ISO ``out``; returns :func:`fetch`'s dict."""
    info = fetch(linux_dir, say)
    with open(info["busybox"], "rb") as f:
        bb = f.read()
    with open(cmpbench, "rb") as f:
        prog = f.read()
    make_iso(info["vmlinuz"], initramfs_bytes(bb, prog), cmdline, out)
    say(f"Linux ISO: {out} ({os.path.basename(info['vmlinuz'])}, command line '{cmdline}')")
    return info


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 3:
        sys.exit("usage: linux_image.py CMPBENCH OUT_ISO   (fetches into build/linux)")
    try:
        build_linux_iso("build/linux", sys.argv[1], sys.argv[2])
    except FetchError as exc:
        sys.exit(f"linux_image.py: {exc}")
