#!/usr/bin/env python3
"""Tests of the GDB commands of tools/gdb/archipel.py, in a scripted GDB session.

The session (run once, in setUpClass) boots build/archipel-gdb.iso (kernel
command line ``-- /bin/gdbtarget``, see user/bin/gdbtarget.c) on 2 clusters of
2 cores, paused, with QEMU's gdbstub on a free local TCP port, and runs
``gdb -batch -nx`` on build/archipel.elf with a Python script that stops the
guest four times:

1. ``sys_uname``: gdbtarget's state is built (2 copies, a child forked into
   the other cluster, COW pages): every command, and the bad-input cases;
2. ``rpc_ipi_handler``: the RPC_VMM of a worker's mprotect is waiting in the
   reference cluster's FIFO: ``archipel rpcq``;
3. ``hal_gpt_update``: inside that mprotect (reference VSL write-locked);
4. ``buddy_alloc``: a page allocation, under the PPM busylock: ``archipel locks``.

Each command's output is echoed between ``@@@ BEGIN name`` / ``@@@ END name``
markers and checked by its own test method. The pure helpers of archipel.py
(xptr decoding, PTE flags, tables) are tested without GDB.

Paths come from the environment (defaults: the ``make test`` build)::

    ARCHIPEL_GDB_ISO=build/h-gdb/archipel-gdb.iso ARCHIPEL_GDB_ELF=build/h-gdb/archipel.elf \\
        python3 -m unittest discover -s tests/e2e -p test_gdb.py -v

A missing ISO or ELF fails every session test with a message saying how to build
it; the session tests are skipped only when gdb or QEMU is not installed.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools", "gdb"))

import archipel  # noqa: E402  (the pure helpers: importable without gdb)

ISO = os.path.abspath(os.environ.get("ARCHIPEL_GDB_ISO",
                                     os.path.join(REPO, "build", "archipel-gdb.iso")))
ELF = os.path.abspath(os.environ.get("ARCHIPEL_GDB_ELF",
                                     os.path.join(REPO, "build", "archipel.elf")))
LOG_DIR = os.path.join(REPO, "build", "test-logs")
CLUSTERS, CORES, MEM_MIB = 2, 2, 128
QEMU_TIMEOUT = 150          # seconds: qemu.py kills the guest after this
GDB_TIMEOUT = 120           # seconds: the whole GDB session
GDBT_ADDR = 0x500000000000  # user/bin/gdbtarget.c
PAGE = 4096

# The GDB script: {port}, {repo} are filled in. Runs inside GDB's Python.
GDB_SCRIPT = r'''
import time
import gdb

def section(name, cmd):
    print("@@@ BEGIN " + name, flush=True)
    try:
        print(gdb.execute(cmd, to_string=True), end="", flush=True)
    except gdb.error as exc:
        print("ERROR: %s" % exc, flush=True)
    print("@@@ END " + name, flush=True)

def stop_at(where, hardware=False):
    gdb.execute("delete")
    gdb.execute(("hbreak " if hardware else "break ") + where)
    gdb.execute("continue")
    print("@@@ STOPPED " + where, flush=True)

gdb.execute("set pagination off")
gdb.execute("set confirm off")
for attempt in range(100):
    try:
        gdb.execute("target remote 127.0.0.1:{port}")
        break
    except gdb.error:
        time.sleep(0.1)
else:
    raise SystemExit("@@@ FATAL cannot connect to QEMU's gdbstub")
gdb.execute("source {repo}/tools/gdb/archipel.py")

# 1. gdbtarget's state is complete
stop_at("sys_uname", hardware=True)
procs = processes()
parent = [p for p in procs if p["name"].string() == "gdbtarget" and int(p["ppid"]) == 1][0]
ppid = int(parent["pid"])
child = [p for p in procs if int(p["ppid"]) == ppid][0]
cpid = int(child["pid"])
pref = int(parent["ref"]["ref_cxy"])
cref = int(child["ref"]["ref_cxy"])
other = (pref + 1) % {clusters}
print("@@@ VARS parent=%d parent_ref=%d child=%d child_ref=%d other=%d"
      % (ppid, pref, cpid, cref, other), flush=True)
section("help", "archipel")
section("help2", "help archipel")
section("clusters", "archipel clusters")
section("procs", "archipel procs")
section("vsl_ref", "archipel vsl %d" % ppid)
section("vsl_copy", "archipel vsl %d %d" % (ppid, other))
section("vsl_child", "archipel vsl %d" % cpid)
for page in range(3):
    addr = {addr} + page * {page}
    section("gpt_parent_%d" % page, "archipel gpt %d %d %#x" % (ppid, other, addr))
    section("gpt_child_%d" % page, "archipel gpt %d %d %#x" % (cpid, cref, addr))
for cxy in range({clusters}):
    section("rpcq_idle_%d" % cxy, "archipel rpcq %d" % cxy)
section("locks_idle", "archipel locks")
section("err_nopid", "archipel vsl 9999")
section("err_badpid", "archipel vsl abc")
section("err_nocluster", "archipel vsl %d 7" % ppid)
section("err_nocopy", "archipel vsl %d %d" % (cpid, (cref + 1) % {clusters}))
section("err_vsl_usage", "archipel vsl")
section("err_gpt_usage", "archipel gpt %d" % ppid)
section("err_gpt_vaddr", "archipel gpt %d %d zz" % (ppid, pref))
section("err_rpcq_cluster", "archipel rpcq 99")
section("err_rpcq_usage", "archipel rpcq")
section("err_clusters_usage", "archipel clusters extra")
section("err_subcommand", "archipel frobnicate")

# 2. the worker's mprotect: an RPC_VMM posted to the reference cluster
stop_at("rpc_ipi_handler")
for cxy in range({clusters}):
    section("rpcq_pending_%d" % cxy, "archipel rpcq %d" % cxy)

# 3. inside vmm_mprotect, in the reference cluster
stop_at("hal_gpt_update")
section("bt_mprotect", "bt 4")
section("vsl_mprotect", "archipel vsl %d" % ppid)
section("locks_mprotect", "archipel locks")

# 4. a page allocation, under the PPM busylock
stop_at("buddy_alloc")
section("locks_ppm", "archipel locks")
print("@@@ DONE", flush=True)
gdb.execute("kill")
'''


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sections(text: str) -> dict:
    """{name: output} of every ``@@@ BEGIN name`` ... ``@@@ END name`` block of ``text``."""
    out = {}
    for m in re.finditer(r"^@@@ BEGIN (\S+)\n(.*?)^@@@ END \1$", text, re.M | re.S):
        out[m.group(1)] = m.group(2)
    return out


def table(text: str, first_header: str) -> list:
    """Rows (dicts by header) of the aligned table whose header line starts with
    ``first_header`` in ``text``; columns are split at the header's column starts."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.split() and line.split()[0] == first_header or \
                line.lstrip().startswith(first_header + " "):
            header = line
            break
    else:
        raise AssertionError(f"no table with header {first_header!r} in:\n{text}")
    starts = [m.start() for m in re.finditer(r"(?:(?<=\s\s)|^)\S+", header)]
    names = [header[s:].split()[0] for s in starts]
    rows = []
    for line in lines[i + 1:]:
        if not line.strip():
            break
        cells = []
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else len(line)
            cells.append(line[s:e].strip())
        rows.append(dict(zip(names, cells)))
    return rows


def tool_missing() -> str:
    for tool in ("gdb", "qemu-system-x86_64"):
        if shutil.which(tool) is None:
            return tool
    return ""


class HelperTest(unittest.TestCase):
    """The pure helpers of tools/gdb/archipel.py (no GDB, no guest)."""

    def test_xptr_roundtrip(self):
        ptr = 0xFFFF800008187800
        xp = archipel.make_xptr(3, ptr)
        self.assertEqual(xp, (3 << 48) | 0x800008187800)
        self.assertEqual(archipel.xptr_cxy(xp), 3)
        self.assertEqual(archipel.xptr_ptr(xp), ptr)
        self.assertEqual(archipel.xptr_ptr(archipel.make_xptr(1, 0x7FFF1000)), 0x7FFF1000)

    def test_pte_flags(self):
        self.assertEqual(archipel.pte_to_attr(0), 0)
        self.assertEqual(archipel.attr_names(0), "-")
        # present, user, writable, accessed, dirty, not XD
        pte = 0x1234000 | 0x1 | 0x2 | 0x4 | 0x20 | 0x40
        self.assertEqual(archipel.attr_names(archipel.pte_to_attr(pte)), "P,W,U,X,A,D")
        # COW (bit 9), XD (bit 63), read-only
        pte = 0x1234000 | 0x1 | 0x4 | (1 << 9) | (1 << 63)
        self.assertEqual(archipel.attr_names(archipel.pte_to_attr(pte)), "P,U,COW")
        pte = 0x1 | (1 << 10) | (1 << 11) | (1 << 63)
        self.assertEqual(archipel.attr_names(archipel.pte_to_attr(pte)), "P,FILE,SHARED")

    def test_vpn_indexes(self):
        vpn = GDBT_ADDR >> 12
        self.assertEqual(archipel.vpn_indexes(vpn), [160, 0, 0, 0])
        self.assertEqual(archipel.vpn_indexes((1 << 35) - 1), [255, 511, 511, 511])  # user top

    def test_small_formatters(self):
        self.assertEqual(archipel.prot_string(5), "r-x")
        self.assertEqual(archipel.prot_string(0), "---")
        self.assertEqual(archipel.blocked_string(0), "ready")
        self.assertEqual(archipel.blocked_string(0x06), "lock+rpc")
        self.assertEqual(archipel.blocked_string(0x100), "0x100")
        self.assertEqual(archipel.parse_int("0x10", "CXY"), 16)
        with self.assertRaisesRegex(ValueError, "bad PID 'x1': not a number"):
            archipel.parse_int("x1", "PID")

    def test_format_table_parses_back(self):
        text = archipel.format_table(["A", "LONG_NAME", "C"],
                                     [["1", "-", "x y"], ["22", "abc", ""]])
        self.assertEqual(text.splitlines()[0], "A   LONG_NAME  C")
        rows = table(text, "A")
        self.assertEqual(rows, [{"A": "1", "LONG_NAME": "-", "C": "x y"},
                                {"A": "22", "LONG_NAME": "abc", "C": ""}])


class GdbSessionTest(unittest.TestCase):
    """The commands on a live guest stopped at gdbtarget's stop points."""

    out = ""
    sec: dict = {}
    error = ""
    vars: dict = {}
    serial = ""

    @classmethod
    def setUpClass(cls):
        missing = tool_missing()
        if missing:
            raise unittest.SkipTest(f"{missing} is not installed")
        for path, what in ((ISO, "ISO"), (ELF, "kernel ELF")):
            if not os.path.isfile(path):
                cls.error = (f"{what} {path} is missing: build it with "
                             f"`make {os.path.relpath(path, REPO)}` (make test does)")
                return
        cls.run_session()

    @classmethod
    def run_session(cls):
        os.makedirs(LOG_DIR, exist_ok=True)
        serial_log = os.path.join(LOG_DIR, "gdb-serial.log")
        port = free_port()
        start = time.monotonic()
        qemu = subprocess.Popen(
            [sys.executable, os.path.join(REPO, "tools", "qemu.py"), "--iso", ISO,
             "--clusters", str(CLUSTERS), "--cores", str(CORES), "--mem", str(MEM_MIB),
             "--paused", "--timeout", str(QEMU_TIMEOUT), "--log", serial_log,
             "--extra", "-gdb", f"tcp:127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                script = os.path.join(tmp, "session.py")
                with open(script, "w") as f:
                    f.write(GDB_SCRIPT.format(port=port, repo=REPO, clusters=CLUSTERS,
                                              addr=hex(GDBT_ADDR), page=PAGE))
                try:
                    proc = subprocess.run(["gdb", "-batch", "-nx", "-x", script, ELF],
                                          stdin=subprocess.DEVNULL, capture_output=True,
                                          text=True, timeout=GDB_TIMEOUT, cwd=REPO)
                    cls.out = proc.stdout + proc.stderr
                except subprocess.TimeoutExpired as exc:
                    cls.out = (exc.stdout or b"").decode(errors="replace") \
                        if isinstance(exc.stdout, bytes) else (exc.stdout or "")
                    cls.error = f"the GDB session timed out after {GDB_TIMEOUT} s"
        finally:
            try:
                qemu.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(qemu.pid, 15)
                qemu.wait()
        with open(os.path.join(LOG_DIR, "gdb-session.log"), "w") as f:
            f.write(cls.out)
        if os.path.exists(serial_log):
            with open(serial_log, errors="replace") as f:
                cls.serial = f.read()
        cls.sec = sections(cls.out)
        m = re.search(r"^@@@ VARS (.*)$", cls.out, re.M)
        if m:
            cls.vars = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
        if not cls.error and "@@@ DONE" not in cls.out:
            cls.error = "the GDB session did not reach its end"
        if cls.error:
            cls.error += (f" ({time.monotonic() - start:.0f} s; GDB output in "
                          f"build/test-logs/gdb-session.log, console in gdb-serial.log):\n"
                          + cls.out[-3000:])

    def get(self, name: str) -> str:
        if name not in self.sec:
            self.fail(self.error or f"no section {name} in the GDB output:\n{self.out[-3000:]}")
        return self.sec[name]

    def setUp(self):
        if self.error and not self.sec:
            self.fail(self.error)

    # --- stop 1 -------------------------------------------------------------------------

    def test_ready_line(self):
        """gdbtarget printed its state, and GDB found the same processes."""
        m = re.search(r"gdbtarget: ready pid (\d+) ref (\d+) child (\d+) in (\d+), (\d+) copies",
                      self.serial)
        self.assertIsNotNone(m, "no 'gdbtarget: ready' line on the console")
        pid, ref, child, other, copies = map(int, m.groups())
        self.assertEqual((self.vars["parent"], self.vars["parent_ref"], self.vars["child"],
                          self.vars["child_ref"]), (pid, ref, child, other))
        self.assertEqual(copies, CLUSTERS)

    def test_help_lists_subcommands(self):
        for name in ("help", "help2"):
            text = self.get(name)
            for sub in ("clusters", "procs", "vsl", "gpt", "rpcq", "locks"):
                self.assertRegex(text, rf"archipel {sub}\b", f"{name}: {sub} missing")

    def test_clusters(self):
        rows = table(self.get("clusters"), "CXY")
        self.assertEqual([r["CXY"] for r in rows], [str(c) for c in range(CLUSTERS)])
        procs = table(self.get("procs"), "PID")
        for r in rows:
            self.assertEqual(int(r["CORES"]), CORES)
            self.assertEqual(int(r["ONLINE"]), CORES)
            mem = int(r["MEM_MIB"])
            self.assertTrue(MEM_MIB - 8 <= mem <= MEM_MIB, r)
            managed, free = int(r["MANAGED"]), int(r["FREE_PAGES"])
            self.assertLessEqual(managed, mem * 256)
            self.assertGreater(managed, mem * 256 * 9 // 10, r)    # boot takes < 10 %
            self.assertLessEqual(free, managed)
            self.assertGreater(free, managed * 8 // 10, r)
            self.assertEqual(int(r["FREE_MIB"]), free // 256)
            self.assertEqual(int(r["RPC_DEPTH"]), 0)                # idle queues
        self.assertEqual(sum(int(r["PROCS"]) for r in rows), len(procs))

    def test_procs(self):
        rows = {int(r["PID"]): r for r in table(self.get("procs"), "PID")}
        v = self.vars
        parent, child = rows[v["parent"]], rows[v["child"]]
        self.assertEqual(rows[1]["NAME"], "init")
        self.assertEqual((parent["NAME"], parent["STATE"], parent["PPID"]),
                         ("gdbtarget", "running", "1"))
        self.assertEqual(int(parent["OWNER"]), v["parent"] >> 16)
        self.assertEqual(int(parent["REF"]), v["parent_ref"])
        self.assertEqual(int(parent["COPIES"]), CLUSTERS)          # one worker per other cluster
        self.assertEqual(parent["CLUSTERS"], ",".join(map(str, range(CLUSTERS))))
        self.assertEqual(int(parent["THREADS"]), CLUSTERS)         # main + workers
        self.assertEqual(int(parent["PID_HEX"], 16), v["parent"])
        self.assertEqual((child["NAME"], int(child["PPID"])), ("gdbtarget", v["parent"]))
        self.assertEqual(int(child["OWNER"]), v["other"])          # forked into `other`
        self.assertEqual(int(child["REF"]), v["other"])
        self.assertEqual((child["COPIES"], child["CLUSTERS"]), ("1", str(v["other"])))

    def vsegs(self, name: str) -> tuple:
        text = self.get(name)
        return text.splitlines()[0], table(text, "START")

    def test_vsl_reference_and_copy(self):
        head, ref = self.vsegs("vsl_ref")
        self.assertRegex(head, rf"process {self.vars['parent']} \(gdbtarget\) copy in cluster "
                               rf"{self.vars['parent_ref']} \(reference\), {len(ref)} vsegs")
        by_start = {int(r["START"], 16): r for r in ref}
        area = by_start[GDBT_ADDR]
        self.assertEqual((int(area["END"], 16), area["PAGES"], area["TYPE"], area["PROT"]),
                         (GDBT_ADDR + 4 * PAGE, "4", "ANON", "rw-"))
        types = {(r["TYPE"], r["PROT"]) for r in ref}
        self.assertIn(("CODE", "r-x"), types)
        self.assertIn(("DATA", "rw-"), types)
        self.assertIn(("STACK", "rw-"), types)
        head, copy = self.vsegs("vsl_copy")
        self.assertRegex(head, rf"copy in cluster {self.vars['other']} \(copy\)")
        self.assertIn(GDBT_ADDR, {int(r["START"], 16) for r in copy})
        # a copy caches vsegs of the reference (invariant 3): same bounds, same rights
        ref_set = {(r["START"], r["END"], r["TYPE"], r["PROT"]) for r in ref}
        for r in copy:
            self.assertIn((r["START"], r["END"], r["TYPE"], r["PROT"]), ref_set)
        self.assertNotIn("STACK", {r["TYPE"] for r in copy})      # the main stack is private
        head, child = self.vsegs("vsl_child")
        self.assertRegex(head, rf"copy in cluster {self.vars['child_ref']} \(reference\)")
        self.assertIn(GDBT_ADDR, {int(r["START"], 16) for r in child})

    def ptes(self, name: str) -> list:
        text = self.get(name)
        self.assertNotIn("ERROR", text)
        return table(text, "CXY")

    def test_gpt_same_page_in_every_copy(self):
        """Page 0, written before fork only: one physical page everywhere, COW everywhere."""
        parent, child = self.ptes("gpt_parent_0"), self.ptes("gpt_child_0")
        self.assertEqual(len(parent), CLUSTERS)
        self.assertEqual(parent[0]["CXY"], str(self.vars["other"]))   # CXY's copy first
        self.assertIn("*", self.get("gpt_parent_0").splitlines()[2][:2])
        self.assertEqual(parent[1]["COPY"], "ref")
        ppns = {r["PPN"] for r in parent + child}
        self.assertEqual(len(ppns), 1, ppns)
        self.assertNotIn("-", ppns)
        for r in parent + child:
            flags = r["FLAGS"].split(",")
            self.assertIn("COW", flags, r)
            self.assertNotIn("W", flags, r)
            self.assertGreaterEqual(int(r["FORKS"]), 1)

    def test_gpt_cow_after_fork(self):
        """Page 1 written by the parent, page 2 by the child, after the fork."""
        for page, writer, other in ((1, "parent", "child"), (2, "child", "parent")):
            w = {r["COPY"]: r for r in self.ptes(f"gpt_{writer}_{page}")}["ref"]
            o = {r["COPY"]: r for r in self.ptes(f"gpt_{other}_{page}")}["ref"]
            self.assertIn("W", w["FLAGS"].split(","), w)
            self.assertNotIn("COW", w["FLAGS"].split(","), w)
            self.assertIn("COW", o["FLAGS"].split(","), o)
            self.assertNotIn("W", o["FLAGS"].split(","), o)
            self.assertNotEqual(w["PPN"], o["PPN"])
            # no copy of the writer keeps a stale page (invariant 4)
            for r in self.ptes(f"gpt_{writer}_{page}"):
                self.assertIn(r["PPN"], ("-", w["PPN"]), r)

    def test_rpcq_idle(self):
        for cxy in range(CLUSTERS):
            text = self.get(f"rpcq_idle_{cxy}")
            self.assertRegex(text, rf"^cluster {cxy} RPC FIFO: head (\d+) tail \1 depth 0 ")
            self.assertIn("(empty)", text)

    def test_locks_table(self):
        text = self.get("locks_idle")
        rows = table(text, "CORE")
        cores = [f"{c}.{lid}" for c in range(CLUSTERS) for lid in range(CORES)]
        self.assertEqual(sorted({r["CORE"] for r in rows}), cores)
        self.assertEqual(sorted({r["CORE"] for r in rows if r["STATE"] == "running"}), cores)
        header = [ln for ln in text.splitlines() if "CORE" in ln][0].split()
        self.assertEqual(header, ["CORE", "THREAD", "NAME", "STATE", "RANK", "RANK_NAME",
                                  "KIND", "LOCK", "ADDR", "SITE"])
        self.assertEqual(len({ln.split()[1] for ln in text.splitlines() if ln.startswith("*")}),
                         1, text)

    def test_bad_input(self):
        v = self.vars
        expect = {
            "err_nopid": "no process 9999",
            "err_badpid": "bad PID 'abc': not a number",
            "err_nocluster": "no cluster 7 (clusters: 0, 1)",
            "err_nocopy": f"process {v['child']} has no copy in cluster "
                          f"{(v['child_ref'] + 1) % CLUSTERS}",
            "err_vsl_usage": "usage: archipel vsl PID [CXY]",
            "err_gpt_usage": "usage: archipel gpt PID CXY VADDR",
            "err_gpt_vaddr": "bad VADDR 'zz': not a number",
            "err_rpcq_cluster": "no cluster 99",
            "err_rpcq_usage": "usage: archipel rpcq CXY",
            "err_clusters_usage": "usage: archipel clusters",
            "err_subcommand": "archipel: no subcommand 'frobnicate'",
        }
        for name, message in expect.items():
            with self.subTest(name):
                text = self.get(name)
                self.assertTrue(text.startswith("ERROR: " + message), text)
                self.assertNotIn("Traceback", text)
                self.assertNotIn("Error occurred in Python", text)

    # --- stops 2-4 -------------------------------------------------------------------------

    def test_rpcq_pending(self):
        """The worker's mprotect waits in the reference cluster's FIFO as an RPC_VMM."""
        ref = self.vars["parent_ref"]
        text = self.get(f"rpcq_pending_{ref}")
        m = re.match(r"cluster \d+ RPC FIFO: head (\d+) tail (\d+) depth (\d+)", text)
        self.assertIsNotNone(m, text)
        head, tail, depth = map(int, m.groups())
        self.assertGreaterEqual(depth, 1, text)
        self.assertEqual(tail - head, depth)
        rows = table(text, "SLOT")
        self.assertEqual(len(rows), depth)
        vmm = [r for r in rows if r["TYPE"] == "vmm_op"]
        self.assertEqual(len(vmm), 1, text)
        self.assertEqual(int(vmm[0]["CLIENT_CXY"]), self.vars["other"])
        self.assertEqual(int(vmm[0]["SLOT"]), head % 256)
        self.assertEqual(archipel.xptr_cxy(int(vmm[0]["DESC"], 16)), self.vars["other"])

    def test_vsl_during_mprotect(self):
        self.assertIn("vmm_mprotect", self.get("bt_mprotect"))
        head, rows = self.vsegs("vsl_mprotect")
        self.assertIn("writer 1", head)                         # the VSL is write-locked
        by_start = {int(r["START"], 16): r for r in rows}
        split = by_start[GDBT_ADDR + 3 * PAGE]                  # the vseg was split
        self.assertEqual((split["PAGES"], split["PROT"]), ("1", "r--"))
        self.assertEqual(by_start[GDBT_ADDR]["PAGES"], "3")

    def test_locks_held_blocking(self):
        """Inside vmm_mprotect the thread holds the reference VSL (write, rank 20) and
        GPT (rank 22) locks: blocking locks, listed in rank order (the regression of
        locks.guard_keeps_blocking_lock_held: their guards used to erase them)."""
        text = self.get("locks_mprotect")
        marked = [ln.split()[1] for ln in text.splitlines() if ln.startswith("*")]
        self.assertEqual(len(set(marked)), 1, text)
        held = [r for r in table(text, "CORE") if r["CORE"] == marked[0] and r["RANK"] != "-"]
        got = [(r["RANK"], r["RANK_NAME"], r["KIND"]) for r in held]
        self.assertEqual(got[:2], [("20", "VSL", "block"), ("22", "GPT", "block")], text)
        self.assertTrue(held[0]["SITE"].startswith("vmm_mprotect+"), held[0])

    def test_locks_held_busylock(self):
        """At buddy_alloc the selected core's thread holds the PPM busylock (rank 70)."""
        text = self.get("locks_ppm")
        rows = table(text, "CORE")
        marked = [ln.split()[1] for ln in text.splitlines() if ln.startswith("*")]
        self.assertEqual(len(set(marked)), 1, text)           # one selected core
        selected = [r for r in rows if r["CORE"] == marked[0]]
        held = [r for r in selected if r["RANK"] != "-"]
        self.assertTrue(held, self.get("locks_ppm"))
        ppm = held[-1]                                          # the last one taken
        self.assertEqual((ppm["RANK"], ppm["RANK_NAME"], ppm["KIND"], ppm["LOCK"]),
                         ("70", "PPM", "busy", "ppm"))
        self.assertTrue(ppm["SITE"].startswith("ppm_alloc_pages+"), ppm)
        ranks = [int(r["RANK"]) for r in held]
        self.assertEqual(ranks, sorted(ranks))                  # acquisition (rank) order


if __name__ == "__main__":
    unittest.main()
