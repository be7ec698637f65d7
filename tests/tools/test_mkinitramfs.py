#!/usr/bin/env python3
"""tools/mkinitramfs.py: symbolic links are packed as such, after every other entry
(the kernel makes a link to a regular file a hard link, so the target must come first)."""

import os
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def entries(blob):
    """(name, mode, data) of each newc entry of @blob, up to the trailer."""
    out, off = [], 0
    while True:
        hdr = blob[off:off + 110]
        fields = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name_end = off + 110 + namesize
        name = blob[off + 110:name_end - 1].decode()
        data_off = name_end + (-name_end % 4)
        data = blob[data_off:data_off + size]
        off = data_off + size + (-(data_off + size) % 4)
        if name == "TRAILER!!!":
            return out
        out.append((name, mode, data))


class SymlinksLast(unittest.TestCase):
    def test_links_after_files_with_their_target(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = os.path.join(tmp, "tree")
            os.makedirs(os.path.join(tree, "bin"))
            with open(os.path.join(tree, "bin", "busybox"), "wb") as f:
                f.write(b"BB")
            os.symlink("/bin/busybox", os.path.join(tree, "bin", "ash"))   # sorts first
            os.symlink("busybox", os.path.join(tree, "bin", "sh"))
            out = os.path.join(tmp, "out.cpio")
            subprocess.run([sys.executable, os.path.join(REPO, "tools", "mkinitramfs.py"), out,
                            "--dir", tree], check=True)
            with open(out, "rb") as f:
                got = entries(f.read())
        names = [n for n, _, _ in got]
        self.assertEqual(names, ["bin", "bin/busybox", "bin/ash", "bin/sh"])
        modes = {n: m for n, m, _ in got}
        self.assertTrue(stat.S_ISREG(modes["bin/busybox"]))
        self.assertTrue(stat.S_ISLNK(modes["bin/ash"]) and stat.S_ISLNK(modes["bin/sh"]))
        data = {n: d for n, _, d in got}
        self.assertEqual(data["bin/ash"], b"/bin/busybox")
        self.assertEqual(data["bin/sh"], b"busybox")


if __name__ == "__main__":
    unittest.main()
