#!/usr/bin/env python3
"""Make the tree ``make shell`` adds to the initramfs: Debian's busybox and its world.

Usage: shell_image.py --linux-dir DIR --root OUT [--base TREE]

* ``bin/busybox``: Debian's ``busybox-static``, fetched with ``apt-get download``
  into ``DIR/debs`` and extracted as ``make bench-linux`` does
  (:func:`linux_image.fetch_busybox`; never committed).
* its applet links, as ``busybox --list-full`` (run on the host) lists them,
  as symbolic links to ``/bin/busybox``, which the kernel's initramfs unpacker
  makes hard links (there are no symbolic links); an applet whose path the
  base tree ``--base`` already holds (``/sbin/init``) or ``linuxrc`` is left out;
* ``etc/passwd``, ``etc/group``, and ``etc/profile``, whose prompt shows the
  shell's cluster, read from ``/proc/$$/cluster`` at every prompt: ``[c2] /#``.

Exits 3 with the reason when busybox cannot be fetched (no network, no apt).
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linux_image  # noqa: E402

PASSWD = "root:x:0:0:root:/root:/bin/sh\n"
GROUP = "root:x:0:\n"
PROFILE = r"""# /etc/profile of Archipel's make shell (tools/shell_image.py)
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/tests
export HOME=/root
export TERM=${TERM:-vt100}
# the prompt: the cluster of this shell (/proc/<pid>/cluster), the directory
PS1='[c$(cat /proc/$$/cluster)] \w # '
cd
echo "Archipel: busybox sh, job control on the console. 'exit' powers the machine off."
"""
#: applets never linked: the base tree's init stays PID 1's program
SKIP = {"linuxrc", "sbin/init"}


def build(linux_dir: str, root: str, base: str | None) -> int:
    try:
        busybox = linux_image.fetch_busybox(linux_dir)
    except linux_image.FetchError as exc:
        print(f"shell_image.py: cannot fetch busybox-static: {exc}", file=sys.stderr)
        return 3
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "bin"))
    shutil.copyfile(busybox, os.path.join(root, "bin", "busybox"))
    os.chmod(os.path.join(root, "bin", "busybox"), 0o755)
    applets = subprocess.run([busybox, "--list-full"], capture_output=True, text=True,
                             check=True).stdout.split()
    n = 0
    for path in applets:
        if path in SKIP or path == "bin/busybox" or (base and os.path.lexists(os.path.join(base, path))):
            continue
        dest = os.path.join(root, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.symlink("/bin/busybox", dest)
        n += 1
    for d in ("etc", "root", "tmp"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for name, text in (("passwd", PASSWD), ("group", GROUP), ("profile", PROFILE)):
        with open(os.path.join(root, "etc", name), "w") as f:
            f.write(text)
    with open(os.path.join(root, "root", ".keep"), "w") as f:
        f.write("")
    print(f"shell_image.py: {root}: busybox and {n} applet links")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--linux-dir", required=True, help="where busybox-static is fetched")
    ap.add_argument("--root", required=True, help="the tree to write (replaced)")
    ap.add_argument("--base", help="the initramfs tree it is added to (its files win)")
    args = ap.parse_args()
    return build(args.linux_dir, args.root, args.base)


if __name__ == "__main__":
    sys.exit(main())
