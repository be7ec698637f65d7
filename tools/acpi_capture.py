#!/usr/bin/env python3
"""acpi_capture.py - capture the real ACPI tables QEMU builds for a NUMA guest.

Starts qemu-system-x86_64 (SeaBIOS, no boot disk), lets the firmware install
the ACPI tables, then reads guest physical memory through QMP `pmemsave`:
finds the RSDP ("RSD PTR " on a 16-byte boundary in 0xE0000-0xFFFFF), follows
the RSDT (and the XSDT when the RSDP revision is >= 2) and saves the RSDP,
the RSDT/XSDT and every table they list, each with its physical address.
Every checksum is verified before the file is written. QEMU runs under a
timeout and is always killed afterwards. Python 3 standard library only.

Capture file format ("ARCHACPI" version 1), all integers little-endian,
every record padded with zero bytes to a multiple of 8 bytes:

    offset  size  field
    0       8     magic  b"ARCHACPI"
    8       4     version (1)
    12      4     nchunks: number of chunk records that follow the description
    16      4     desc_len: bytes of the description (UTF-8, no NUL)
    20      4     reserved (0)
    24      ...   description: the QEMU command line used, padded to 8
    then nchunks records:
    0       8     phys: guest physical address of the first byte
    8       4     len: bytes of data
    12      4     reserved (0)
    16      len   data, padded to 8

Chunk 0 is the RSDP (20 bytes for revision 0, its Length field otherwise).
The other chunks are whole tables (header Length bytes), in the order:
RSDT, XSDT (if any), then the tables listed by the RSDT/XSDT. The FADT's
DSDT and FACS are not saved (Archipel does not read them).

Usage:
    python3 tools/acpi_capture.py --all                  # regenerate tests/data/acpi/*.bin
    python3 tools/acpi_capture.py --preset qemu-4x2      # one preset
    python3 tools/acpi_capture.py --nodes 2 --cores 3 --mem 64 -o x.bin
    python3 tools/acpi_capture.py --dump tests/data/acpi/qemu-4x2.bin
"""

import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

MAGIC = b"ARCHACPI"
VERSION = 1
DEFAULT_OUTDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "tests", "data", "acpi")


# ---------------------------------------------------------------------------
# Machine descriptions
# ---------------------------------------------------------------------------

def slit_distance(i, j):
    """Distance of the project's hierarchical model: 10 local, then
    10 + 10 * (1 + index of the highest set bit of i ^ j)."""
    if i == j:
        return 10
    return 10 + 10 * (1 + ((i ^ j).bit_length() - 1))


def qemu_args(nodes, cores_per_node, mem_mb, slit=True, memonly=0,
              cpuonly=0, numa=True):
    """QEMU arguments for a NUMA pc machine.

    nodes          : NUMA nodes with cpus and memory (= sockets).
    cores_per_node : cores of each socket.
    mem_mb         : MiB of each node that has memory.
    slit           : pass -numa dist for every ordered pair.
    memonly        : extra nodes with memory and no cpus (after the others).
    cpuonly        : extra nodes with cpus (one socket each) and no memdev.
    numa           : False: no -numa option at all (nodes must be 1).
    """
    sockets = nodes + cpuonly
    ncpus = sockets * cores_per_node
    mem_nodes = nodes + memonly
    total_mb = mem_mb * (mem_nodes if numa else 1)
    a = ["-machine", "pc", "-accel", "tcg", "-cpu", "max", "-nodefaults",
         "-display", "none",
         "-smp", "%d,sockets=%d,cores=%d,threads=1" % (ncpus, sockets, cores_per_node),
         "-m", "%dM" % total_mb]
    if not numa:
        return a
    nid = 0
    all_nodes = nodes + memonly + cpuonly
    for i in range(nodes):
        a += ["-object", "memory-backend-ram,id=m%d,size=%dM" % (i, mem_mb)]
        a += ["-numa", "node,nodeid=%d,cpus=%d-%d,memdev=m%d"
              % (i, i * cores_per_node, (i + 1) * cores_per_node - 1, i)]
        nid += 1
    for k in range(memonly):
        a += ["-object", "memory-backend-ram,id=m%d,size=%dM" % (nid, mem_mb)]
        a += ["-numa", "node,nodeid=%d,memdev=m%d" % (nid, nid)]
        nid += 1
    for k in range(cpuonly):
        first = (nodes + k) * cores_per_node
        a += ["-numa", "node,nodeid=%d,cpus=%d-%d"
              % (nid, first, first + cores_per_node - 1)]
        nid += 1
    if slit:
        for i in range(all_nodes):
            for j in range(all_nodes):
                if i != j:
                    a += ["-numa", "dist,src=%d,dst=%d,val=%d"
                          % (i, j, slit_distance(i, j))]
    return a


PRESETS = {
    # name: keyword arguments of qemu_args()
    "qemu-4x2":          dict(nodes=4, cores_per_node=2, mem_mb=128),
    "qemu-1x1-nonuma":   dict(nodes=1, cores_per_node=1, mem_mb=128, numa=False),
    "qemu-2x2-noslit":   dict(nodes=2, cores_per_node=2, mem_mb=128, slit=False),
    "qemu-16x4":         dict(nodes=16, cores_per_node=4, mem_mb=128),
    "qemu-memonly":      dict(nodes=2, cores_per_node=2, mem_mb=128, memonly=1),
    "qemu-cpuonly":      dict(nodes=2, cores_per_node=2, mem_mb=128, cpuonly=1),
    "qemu-2x3":          dict(nodes=2, cores_per_node=3, mem_mb=128),
    "qemu-2x2g":         dict(nodes=2, cores_per_node=2, mem_mb=2048),
}


# ---------------------------------------------------------------------------
# QMP
# ---------------------------------------------------------------------------

class Qmp:
    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("cannot connect to QMP socket " + path)
                time.sleep(0.1)
        self.buf = b""
        self._recv()                     # greeting
        self.cmd("qmp_capabilities")

    def _recv(self):
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line, self.buf = self.buf[:nl], self.buf[nl + 1:]
                msg = json.loads(line)
                if "event" in msg:
                    continue
                return msg
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("QMP connection closed")
            self.buf += data

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        rep = self._recv()
        if "error" in rep:
            raise RuntimeError("QMP %s: %s" % (name, rep["error"]))
        return rep.get("return")


class Guest:
    """Reads guest physical memory through QMP pmemsave into a temp file."""

    def __init__(self, qmp, tmpdir):
        self.qmp = qmp
        self.path = os.path.join(tmpdir, "pmem.bin")

    def read(self, phys, size):
        self.qmp.cmd("pmemsave", val=phys, size=size, filename=self.path)
        with open(self.path, "rb") as f:
            data = f.read()
        if len(data) != size:
            raise RuntimeError("pmemsave 0x%x+%d returned %d bytes" % (phys, size, len(data)))
        return data


# ---------------------------------------------------------------------------
# ACPI walking
# ---------------------------------------------------------------------------

def csum(b):
    return sum(b) & 0xFF


def find_rsdp(low):
    """low = bytes of 0xE0000..0xFFFFF; returns (phys, bytes) or None."""
    for off in range(0, len(low) - 20, 16):
        if low[off:off + 8] != b"RSD PTR ":
            continue
        if csum(low[off:off + 20]) != 0:
            continue
        rev = low[off + 15]
        n = 20
        if rev >= 2:
            n = struct.unpack_from("<I", low, off + 20)[0]
            if n < 36 or off + n > len(low) or csum(low[off:off + n]) != 0:
                continue
        return 0xE0000 + off, bytes(low[off:off + n])
    return None


def read_table(guest, phys):
    hdr = guest.read(phys, 36)
    length = struct.unpack_from("<I", hdr, 4)[0]
    if length < 36 or length > 1 << 20:
        raise RuntimeError("table at 0x%x: bad length %d" % (phys, length))
    data = guest.read(phys, length)
    if csum(data) != 0:
        raise RuntimeError("table %r at 0x%x: bad checksum" % (data[:4], phys))
    return data


def walk(guest):
    """Returns the chunk list [(phys, bytes)], RSDP first, or raises."""
    low = guest.read(0xE0000, 0x20000)
    found = find_rsdp(low)
    if found is None:
        raise LookupError("no RSDP yet")
    rsdp_phys, rsdp = found
    chunks = [(rsdp_phys, rsdp)]
    rsdt_phys = struct.unpack_from("<I", rsdp, 16)[0]
    entries = []
    seen = set()
    if rsdt_phys:
        rsdt = read_table(guest, rsdt_phys)
        chunks.append((rsdt_phys, rsdt))
        seen.add(rsdt_phys)
        n = (len(rsdt) - 36) // 4
        entries += list(struct.unpack_from("<%dI" % n, rsdt, 36))
    if rsdp[15] >= 2:
        xsdt_phys = struct.unpack_from("<Q", rsdp, 24)[0]
        if xsdt_phys:
            xsdt = read_table(guest, xsdt_phys)
            chunks.append((xsdt_phys, xsdt))
            seen.add(xsdt_phys)
            n = (len(xsdt) - 36) // 8
            entries += list(struct.unpack_from("<%dQ" % n, xsdt, 36))
    for phys in entries:
        if phys in seen:
            continue
        seen.add(phys)
        chunks.append((phys, read_table(guest, phys)))
    return chunks


def capture(args_list, timeout, settle, verbose):
    """Runs QEMU with args_list, returns (chunks, command line string)."""
    tmpdir = tempfile.mkdtemp(prefix="acpicap-")
    sock = os.path.join(tmpdir, "qmp.sock")
    cmd = ["qemu-system-x86_64"] + args_list + [
        "-qmp", "unix:%s,server=on,wait=off" % sock]
    if verbose:
        print("+ " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not os.path.exists(sock):
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace").strip()
                raise RuntimeError("QEMU refused (exit %d): %s" % (proc.returncode, err))
            if time.monotonic() > deadline:
                raise RuntimeError("QEMU did not open its QMP socket")
            time.sleep(0.05)
        qmp = Qmp(sock, max(1.0, deadline - time.monotonic()))
        guest = Guest(qmp, tmpdir)
        time.sleep(settle)               # let SeaBIOS install the tables
        chunks = None
        while True:
            try:
                chunks = walk(guest)
                # read again: the tables must be stable (firmware done)
                time.sleep(0.3)
                if walk(guest) == chunks:
                    break
            except (LookupError, RuntimeError) as e:
                if time.monotonic() > deadline:
                    raise RuntimeError("no complete ACPI tables before timeout: %s" % e)
            if time.monotonic() > deadline:
                raise RuntimeError("ACPI tables never stabilised")
            time.sleep(0.3)
        try:
            qmp.cmd("quit")
        except (RuntimeError, OSError):
            pass
        return chunks, " ".join(["qemu-system-x86_64"] + args_list)
    except (RuntimeError, OSError) as e:
        # QEMU may have refused the configuration after opening its socket
        try:
            proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            raise RuntimeError(str(e))
        err = proc.stderr.read().decode(errors="replace").strip()
        raise RuntimeError("QEMU refused (exit %d): %s" % (proc.returncode, err))
    finally:
        if proc.poll() is None:
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for f in os.listdir(tmpdir):
            os.unlink(os.path.join(tmpdir, f))
        os.rmdir(tmpdir)


# ---------------------------------------------------------------------------
# File format
# ---------------------------------------------------------------------------

def pad8(b):
    return b + b"\0" * (-len(b) % 8)


def write_capture(path, chunks, desc):
    d = desc.encode()
    out = MAGIC + struct.pack("<IIII", VERSION, len(chunks), len(d), 0) + pad8(d)
    for phys, data in chunks:
        out += struct.pack("<QII", phys, len(data), 0) + pad8(data)
    with open(path, "wb") as f:
        f.write(out)


def read_capture(path):
    with open(path, "rb") as f:
        b = f.read()
    if b[:8] != MAGIC:
        raise ValueError("%s: not an ARCHACPI capture" % path)
    ver, n, dlen, _ = struct.unpack_from("<IIII", b, 8)
    if ver != VERSION:
        raise ValueError("%s: version %d" % (path, ver))
    desc = b[24:24 + dlen].decode()
    off = 24 + dlen + (-dlen % 8)
    chunks = []
    for _ in range(n):
        phys, ln, _ = struct.unpack_from("<QII", b, off)
        off += 16
        chunks.append((phys, b[off:off + ln]))
        off += ln + (-ln % 8)
    return desc, chunks


# ---------------------------------------------------------------------------
# Decoding (for --dump and the README)
# ---------------------------------------------------------------------------

def dump(path):
    desc, chunks = read_capture(path)
    print("%s: %s" % (os.path.basename(path), desc))
    rsdp_phys, rsdp = chunks[0]
    print("  RSDP @0x%x rev %d oem %r" % (rsdp_phys, rsdp[15], rsdp[9:15].decode()))
    for phys, t in chunks[1:]:
        sig = t[:4].decode()
        print("  %s @0x%08x len %d rev %d" % (sig, phys, len(t), t[8]))
        if sig == "APIC":
            lapic, flags = struct.unpack_from("<II", t, 36)
            print("    lapic 0x%x flags %d" % (lapic, flags))
            off = 44
            while off + 2 <= len(t):
                typ, ln = t[off], t[off + 1]
                if ln < 2:
                    break
                if typ == 0:
                    uid, aid, fl = struct.unpack_from("<BBI", t, off + 2)
                    print("    LAPIC uid %d apic %d flags %d" % (uid, aid, fl))
                elif typ == 1:
                    iid, _, addr, gsi = struct.unpack_from("<BBII", t, off + 2)
                    print("    IOAPIC id %d addr 0x%x gsi %d" % (iid, addr, gsi))
                elif typ == 9:
                    _, x2, fl, uid = struct.unpack_from("<HIII", t, off + 2)
                    print("    X2APIC uid %d apic %d flags %d" % (uid, x2, fl))
                elif typ == 2:
                    bus, src, gsi, fl = struct.unpack_from("<BBIH", t, off + 2)
                    print("    ISO bus %d src %d gsi %d flags %d" % (bus, src, gsi, fl))
                elif typ == 4:
                    uid, fl, lint = struct.unpack_from("<BHB", t, off + 2)
                    print("    LAPIC-NMI uid %d flags %d lint %d" % (uid, fl, lint))
                else:
                    print("    type %d len %d" % (typ, ln))
                off += ln
        elif sig == "SRAT":
            off = 48
            while off + 2 <= len(t):
                typ, ln = t[off], t[off + 1]
                if ln < 2:
                    break
                if typ == 0:
                    dlo, aid, fl, sapic, dhi = struct.unpack_from("<BBIB3s", t, off + 2)
                    dom = dlo | (int.from_bytes(dhi, "little") << 8)
                    print("    CPU apic %d domain %d flags %d" % (aid, dom, fl))
                elif typ == 1:
                    dom, _, base, length, _, fl = struct.unpack_from("<IHQQIi", t, off + 2)
                    print("    MEM domain %d base 0x%x len 0x%x (%d KiB) flags %d"
                          % (dom, base, length, length >> 10, fl))
                elif typ == 2:
                    _, dom, x2, fl = struct.unpack_from("<HIII", t, off + 2)
                    print("    X2CPU apic %d domain %d flags %d" % (x2, dom, fl))
                else:
                    print("    type %d len %d" % (typ, ln))
                off += ln
        elif sig == "SLIT":
            n = struct.unpack_from("<Q", t, 36)[0]
            print("    localities %d" % n)
            for i in range(n):
                print("    " + " ".join("%3d" % x for x in t[44 + i * n:44 + (i + 1) * n]))


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description="Capture the ACPI tables QEMU/SeaBIOS builds for a NUMA "
                    "guest into an ARCHACPI file (format: see the top of this "
                    "script and tests/data/acpi/README.md).")
    ap.add_argument("--all", action="store_true",
                    help="capture every preset into --outdir")
    ap.add_argument("--preset", choices=sorted(PRESETS), action="append",
                    help="capture one preset into --outdir/<name>.bin (repeatable)")
    ap.add_argument("--outdir", default=DEFAULT_OUTDIR,
                    help="directory of preset captures (default tests/data/acpi)")
    ap.add_argument("--nodes", type=int, help="custom: nodes with cpus and memory")
    ap.add_argument("--cores", type=int, default=1, help="custom: cores per node")
    ap.add_argument("--mem", type=int, default=128, help="custom: MiB per node")
    ap.add_argument("--memonly", type=int, default=0, help="custom: extra memory-only nodes")
    ap.add_argument("--cpuonly", type=int, default=0, help="custom: extra cpu-only nodes")
    ap.add_argument("--no-slit", action="store_true", help="custom: no -numa dist")
    ap.add_argument("--no-numa", action="store_true", help="custom: no -numa at all")
    ap.add_argument("-o", "--output", help="custom: output file")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds before QEMU is killed (default 30)")
    ap.add_argument("--settle", type=float, default=2.0,
                    help="seconds to let SeaBIOS run before reading (default 2)")
    ap.add_argument("--dump", nargs="+", metavar="FILE", help="decode capture files")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    if a.dump:
        for p in a.dump:
            dump(p)
        return 0

    jobs = []
    if a.all:
        jobs += sorted(PRESETS)
    if a.preset:
        jobs += a.preset
    todo = [(os.path.join(a.outdir, n + ".bin"), qemu_args(**PRESETS[n])) for n in jobs]
    if a.nodes is not None:
        if not a.output:
            ap.error("--nodes needs -o")
        todo.append((a.output, qemu_args(a.nodes, a.cores, a.mem, slit=not a.no_slit,
                                         memonly=a.memonly, cpuonly=a.cpuonly,
                                         numa=not a.no_numa)))
    if not todo:
        ap.error("nothing to do: give --all, --preset, --nodes or --dump")

    status = 0
    for path, qargs in todo:
        try:
            chunks, desc = capture(qargs, a.timeout, a.settle, a.verbose)
        except RuntimeError as e:
            print("%s: %s" % (path, e), file=sys.stderr)
            status = 1
            continue
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        write_capture(path, chunks, desc)
        print("%s: %s" % (path, " ".join("%s@0x%x" % (c[1][:4].decode(errors="replace"), c[0])
                                         for c in chunks)))
    return status


if __name__ == "__main__":
    sys.exit(main())
