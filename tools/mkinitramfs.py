#!/usr/bin/env python3
"""Pack files into a cpio "newc" archive (the initramfs GRUB loads as a module).

Usage: mkinitramfs.py OUT [--file DEST=SRC ...] [--dir TREE ...]

Every entry keeps its file's permission bits (mode & 0777: executables stay
0755, data files e.g. 0644); directories are 0755. A symbolic link of a tree
is packed as one (mode S_IFLNK, its target as data), after every other entry
so that its target comes first (the kernel makes a link to a regular file a
hard link: kernel/fs/vfs.c). When two sources give the
same path, the later one wins: the trees in the order given, then the --file
entries (so --file bin/x=prog replaces a bin/x of any tree).

The newc format: each entry is a 110-byte ASCII header ("070701" and 13
eight-digit hex fields), the NUL-terminated name padded to 4 bytes, the data
padded to 4 bytes; the archive ends with an entry named "TRAILER!!!"
(see the cpio(5) manual page, "New ASCII Format").
"""
import argparse
import os
import stat
import sys


def newc_entry(name, mode, data=b"", ino=0, mtime=0):
    """One newc header + name + data, each padded to a multiple of 4 bytes."""
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, mtime, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--file", action="append", default=[], metavar="DEST=SRC",
                    help="add file SRC as DEST (path inside the archive)")
    ap.add_argument("--dir", action="append", default=[], metavar="TREE",
                    help="add every file and directory under TREE at the archive root")
    args = ap.parse_args()

    entries = {}          # archive path -> (mode, data)
    def add_dirs(path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            entries.setdefault("/".join(parts[:i]), (stat.S_IFDIR | 0o755, b""))

    for tree in args.dir:
        if not os.path.isdir(tree):
            sys.exit(f"mkinitramfs.py: '{tree}' is not a directory")
        for root, dirs, files in os.walk(tree):
            rel = os.path.relpath(root, tree)
            for d in dirs:
                p = os.path.normpath(os.path.join(rel, d))
                entries[p] = (stat.S_IFDIR | 0o755, b"")
            for fn in files:
                src = os.path.join(root, fn)
                p = os.path.normpath(os.path.join(rel, fn))
                if os.path.islink(src):
                    add_dirs(p)
                    entries[p] = (stat.S_IFLNK | 0o777, os.readlink(src).encode())
                    continue
                with open(src, "rb") as f:
                    data = f.read()
                add_dirs(p)
                entries[p] = (stat.S_IFREG | (os.stat(src).st_mode & 0o777), data)

    for spec in args.file:
        if "=" not in spec:
            sys.exit(f"mkinitramfs.py: --file wants DEST=SRC, got '{spec}'")
        dest, src = spec.split("=", 1)
        dest = dest.strip("/")
        with open(src, "rb") as f:
            data = f.read()
        mode = os.stat(src).st_mode & 0o777
        add_dirs(dest)
        entries[dest] = (stat.S_IFREG | mode, data)
    # written entry by entry: a growing bytes object would be copied at every entry;
    # symbolic links last, after what they name
    links_last = sorted(entries, key=lambda n: (stat.S_ISLNK(entries[n][0]), n))
    with open(args.out, "wb") as f:
        for ino, name in enumerate(links_last, start=1):
            mode, data = entries[name]
            f.write(newc_entry(name, mode, data, ino))
        f.write(newc_entry("TRAILER!!!", 0))


if __name__ == "__main__":
    main()
