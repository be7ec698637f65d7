#!/usr/bin/env python3
"""Build and run the QEMU NUMA guest that boots Archipel.

The guest is an emulated x86_64 PC (``-machine pc``, TCG) whose NUMA nodes are
Archipel's clusters.  Every node is one QEMU socket that owns its CPUs and its
own RAM backend; the ACPI tables QEMU generates (MADT, SRAT, SLIT) describe the
topology to the kernel.

The module is both a command-line tool (``python3 tools/qemu.py --help``) and a
library used by the boot test harness:

* :func:`make_topology` validates a topology description and returns a
  :class:`Topology`;
* :func:`build_command` turns a topology into the QEMU argument vector;
* :func:`run` runs that command, streams and logs the serial console and
  returns a :class:`RunResult` (which unpacks as
  ``status, log_text, wall_seconds, first_seen``);
* :func:`probe` asks QEMU whether it accepts a configuration without booting.

Machine layout (what the kernel sees)
-------------------------------------
* Node ``i`` has ``cores[i]`` CPUs and ``mem[i]`` MiB of RAM.  Nodes are laid
  out in physical memory in node order (node 0 from address 0, with the usual
  PC holes at 640 KiB-1 MiB and, above 3 GiB of RAM, below 4 GiB).
* QEMU's ``-smp`` topology is uniform, so every socket has
  ``C = max(cores)`` core slots.  Only nodes with CPUs get a socket: the k-th
  node that has CPUs is socket k.  A node with ``cores = 0`` (memory only) has
  no socket, so no APIC ID is attributed to it in the SRAT.
* APIC ID of core ``c`` of socket ``s`` = ``s << ceil(log2(C)) | c``
  (QEMU's x86 topology encoding with one thread per core and one die).
* If nodes have different core counts, the unused core slots of a socket are
  "possible but not present" CPUs: QEMU lists them in the MADT with the
  Enabled flag clear, and in the SRAT (enabled) in their socket's node.  The
  kernel must count cores from the MADT Enabled flag, not from the SRAT.
* Distances (SLIT), a hierarchical scheme: nodes are grouped in pairs, pairs
  in groups of four, fours in groups of eight, and so on; the distance from
  node i to node j != i is ``10 + 10 * (1 + msb(i XOR j))`` where msb is the
  index of the highest set bit.  So 20 inside a pair, 30 inside a group of
  four, 40 inside a group of eight, 50 inside sixteen...  Local distance 10.

Exit status protocol
--------------------
The kernel ends a run by writing a status ``s`` (0..127) to I/O port 0xf4
(``isa-debug-exit``); QEMU then exits with ``(s << 1) | 1`` and this tool exits
with ``s``.  Other outcomes have their own codes (see ``EXIT_*`` below).

Only the Python 3 standard library is used.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import IO, Iterable, Iterator, Sequence

# --- constants ------------------------------------------------------------------------

QEMU_BINARY = "qemu-system-x86_64"
#: CPU model given to ``-cpu``; the cold-plugged CPU device type is derived from it.
CPU_MODEL = "max"
#: I/O port of the isa-debug-exit device the kernel writes its status to.
DEBUG_EXIT_PORT = 0xF4

EXIT_USAGE = 2          #: invalid arguments or topology
EXIT_TIMEOUT = 124      #: the run exceeded --timeout; QEMU was killed
EXIT_NO_STATUS = 125    #: QEMU exited without a kernel status (reset, triple fault, quit)
EXIT_QEMU_ERROR = 126   #: QEMU failed (refused the configuration, crashed, was killed)
EXIT_INTERRUPTED = 130  #: we were interrupted (Ctrl-C / SIGTERM) and stopped QEMU

PROG = "qemu.py"

#: Regex of the kernel console prefix ``[cxy.lid] `` (used by callers).
CONSOLE_PREFIX_RE = re.compile(r"^\[\d+\.\d+\] ")


class TopologyError(ValueError):
    """An invalid topology description (the message is one line, user-facing)."""


# --- topology -------------------------------------------------------------------------

@dataclass(frozen=True)
class Topology:
    """A NUMA machine: ``cores[i]`` CPUs and ``mem[i]`` MiB of RAM for node i."""

    cores: tuple[int, ...]
    mem: tuple[int, ...]

    @property
    def nodes(self) -> int:
        """Number of NUMA nodes (= clusters described to the firmware)."""
        return len(self.cores)

    @property
    def total_cores(self) -> int:
        return sum(self.cores)

    @property
    def total_mem(self) -> int:
        """Total RAM in MiB."""
        return sum(self.mem)

    @property
    def cores_per_socket(self) -> int:
        """Core slots of every QEMU socket (QEMU's -smp topology is uniform)."""
        return max(self.cores)

    @property
    def uniform(self) -> bool:
        """True if every node that has CPUs has the same number of them."""
        return len({c for c in self.cores if c > 0}) == 1

    def sockets(self) -> list[int | None]:
        """Socket number of each node, or None for a node without CPUs."""
        out: list[int | None] = []
        next_socket = 0
        for c in self.cores:
            if c > 0:
                out.append(next_socket)
                next_socket += 1
            else:
                out.append(None)
        return out

    @property
    def socket_count(self) -> int:
        return sum(1 for c in self.cores if c > 0)

    def core_bits(self) -> int:
        """Width of the core field of the APIC ID: ceil(log2(cores_per_socket))."""
        return (self.cores_per_socket - 1).bit_length()

    def apic_ids(self, node: int) -> list[int]:
        """APIC IDs of the (present) CPUs of ``node``, ascending."""
        socket = self.sockets()[node]
        if socket is None:
            return []
        return [(socket << self.core_bits()) | c for c in range(self.cores[node])]

    def cpu_indexes(self, node: int) -> range:
        """QEMU CPU indexes (possible CPUs) of the socket of ``node``.

        All core slots of the socket are given to the node, including the
        not-present ones of a node with fewer cores than the widest node, so that
        every possible CPU is described in the NUMA configuration (QEMU warns
        otherwise).
        """
        socket = self.sockets()[node]
        if socket is None:
            return range(0)
        per = self.cores_per_socket
        return range(socket * per, socket * per + per)

    def describe(self) -> str:
        """Short human description, e.g. ``4 nodes, cores 2,2,2,2, MiB 128,...``."""
        return (f"{self.nodes} node{'s' if self.nodes != 1 else ''}, "
                f"cores {','.join(map(str, self.cores))}, "
                f"MiB {','.join(map(str, self.mem))}")


def distance(i: int, j: int) -> int:
    """SLIT distance between nodes i and j (10 local, 20 pair, 30 four, 40 eight...)."""
    if i == j:
        return 10
    return 10 + 10 * (1 + ((i ^ j).bit_length() - 1))


def distance_matrix(n: int) -> list[list[int]]:
    """The n x n SLIT of :func:`distance`."""
    return [[distance(i, j) for j in range(n)] for i in range(n)]


def _parse_counts(value: str | int | Sequence[int], nodes: int, what: str) -> list[int]:
    """Parse ``"N"`` or ``"a,b,c"`` (or an int / a sequence) into ``nodes`` integers >= 0."""
    if isinstance(value, int):
        items: list = [value]
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise TopologyError(f"{what}: empty value")
        items = [t.strip() for t in text.split(",")]
    else:
        items = list(value)
    numbers = []
    for item in items:
        if isinstance(item, int):
            number = item
        else:
            if not re.fullmatch(r"[+-]?\d+", item):
                raise TopologyError(f"{what}: '{item}' is not a whole number")
            number = int(item)
        if number < 0:
            raise TopologyError(f"{what}: {number} is negative")
        numbers.append(number)
    if len(numbers) == 1:
        return numbers * nodes
    if len(numbers) != nodes:
        raise TopologyError(
            f"{what}: {len(numbers)} values given for {nodes} node{'s' if nodes != 1 else ''} "
            f"(give one value for all nodes or exactly one per node)")
    return numbers


def make_topology(clusters: int | str, cores: str | int | Sequence[int] = 1,
                  mem: str | int | Sequence[int] = 128) -> Topology:
    """Validate a topology description and return it.

    ``clusters`` is the number of NUMA nodes; ``cores`` and ``mem`` are one value
    for every node or one value per node (a string ``"2,2,0"`` or a sequence).
    A 0 in ``cores`` makes a memory-only node, a 0 in ``mem`` a CPU-only node.
    Raises :class:`TopologyError` with a one-line message on bad input.
    """
    if isinstance(clusters, str):
        if not re.fullmatch(r"\s*[+-]?\d+\s*", clusters):
            raise TopologyError(f"--clusters: '{clusters}' is not a whole number")
        clusters = int(clusters)
    if clusters < 1:
        raise TopologyError(f"--clusters: {clusters} is not >= 1")
    core_list = _parse_counts(cores, clusters, "--cores")
    mem_list = _parse_counts(mem, clusters, "--mem")
    if sum(core_list) == 0:
        raise TopologyError("--cores: the machine has no CPU at all")
    if sum(mem_list) == 0:
        raise TopologyError("--mem: the machine has no memory at all (total 0 MiB)")
    for i, (c, m) in enumerate(zip(core_list, mem_list)):
        if c == 0 and m == 0:
            raise TopologyError(f"node {i} has neither cores nor memory")
    return Topology(tuple(core_list), tuple(mem_list))


# --- command ---------------------------------------------------------------------------

def _cpu_range(indexes: range) -> str:
    first, last = indexes[0], indexes[-1]
    return str(first) if first == last else f"{first}-{last}"


def build_command(iso: str | None, topo: Topology, *, gdb: bool = False,
                  paused: bool = False, extra: Iterable[str] = (),
                  interactive: bool = False, qemu: str = QEMU_BINARY,
                  trace_file: str | None = None) -> list[str]:
    """Return the QEMU argument vector that boots ``iso`` on ``topo``.

    ``iso`` None boots with no disk at all (only useful for testing the tool).
    ``interactive`` multiplexes the QEMU monitor on the console
    (``-serial mon:stdio``: Ctrl-A X quits, Ctrl-A C switches to the monitor);
    otherwise the serial port is plain stdio.  ``gdb`` adds ``-s`` (gdbstub on
    tcp::1234), ``paused`` adds ``-S`` (CPUs stopped until the debugger says
    continue); ``trace_file`` connects the second serial port (COM2, the
    kernel's binary trace channel, kernel/kern/trace.h) to that file;
    ``extra`` is appended verbatim.
    """
    per_socket = topo.cores_per_socket
    sockets = topo.socket_count
    cmd = [qemu, "-machine", "pc", "-accel", "tcg", "-cpu", CPU_MODEL]
    if topo.uniform:
        cmd += ["-smp", f"{topo.total_cores},sockets={sockets},cores={per_socket},threads=1"]
        coldplug: list[str] = []
    else:
        # Uniform -smp with max(cores) slots per socket.  The boot CPUs given to
        # -smp are CPU indexes 0..n-1, i.e. the first cores of socket 0; every
        # other present CPU is cold-plugged at its exact (socket, core) slot so
        # that each socket holds exactly its node's cores.
        first = next(c for c in topo.cores if c > 0)
        cmd += ["-smp", f"{first},maxcpus={sockets * per_socket},sockets={sockets},"
                        f"cores={per_socket},threads=1"]
        coldplug = []
        for node, socket in enumerate(topo.sockets()):
            if socket is None:
                continue
            for core in range(topo.cores[node]):
                if socket == 0 and core < first:
                    continue
                coldplug += ["-device", f"{CPU_MODEL}-x86_64-cpu,socket-id={socket},"
                                        f"core-id={core},thread-id=0"]
    cmd += ["-m", f"{topo.total_mem}M"]
    cmd += coldplug
    for i, size in enumerate(topo.mem):
        if size > 0:
            cmd += ["-object", f"memory-backend-ram,id=mem{i},size={size}M"]
    for i in range(topo.nodes):
        opts = [f"nodeid={i}"]
        cpus = topo.cpu_indexes(i)
        if len(cpus):
            opts.append(f"cpus={_cpu_range(cpus)}")
        if topo.mem[i] > 0:
            opts.append(f"memdev=mem{i}")
        cmd += ["-numa", "node," + ",".join(opts)]
    if topo.nodes > 1:
        for i in range(topo.nodes):
            for j in range(topo.nodes):
                if i != j:
                    cmd += ["-numa", f"dist,src={i},dst={j},val={distance(i, j)}"]
    if iso is not None:
        cmd += ["-cdrom", iso, "-boot", "d"]
    cmd += ["-nodefaults", "-vga", "none", "-display", "none", "-no-reboot",
            "-serial", "mon:stdio" if interactive else "stdio"]
    if trace_file is not None:
        cmd += ["-chardev", f"file,id=trace,path={trace_file}", "-serial", "chardev:trace"]
    cmd += ["-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04"]
    if gdb:
        cmd.append("-s")
    if paused:
        cmd.append("-S")
    cmd += list(extra)
    return cmd


def probe(topo: Topology, qemu: str = QEMU_BINARY, timeout: float = 30.0) -> tuple[bool, str]:
    """Ask QEMU whether it accepts ``topo``, without running any guest code.

    QEMU is started paused (``-S``) with its monitor on stdin fed ``quit``: the
    monitor only reads input once the machine (NUMA configuration included) is
    built, so exit status 0 means accepted.  Returns ``(accepted, message)``
    where message is QEMU's error text when refused.
    """
    cmd = build_command(None, topo, paused=True, qemu=qemu)
    # Replace the serial console by the monitor on stdio.
    i = cmd.index("-serial")
    cmd[i:i + 2] = ["-serial", "null", "-monitor", "stdio"]
    try:
        proc = subprocess.run(cmd, input="quit\n", capture_output=True, text=True,
                              timeout=timeout)
    except FileNotFoundError:
        return False, f"{qemu}: not found"
    except subprocess.TimeoutExpired:
        return False, f"QEMU did not answer within {timeout:.0f} s"
    errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    return proc.returncode == 0, " / ".join(errors)


# --- running ---------------------------------------------------------------------------

@dataclass
class RunResult:
    """Outcome of :func:`run`.  Unpacks as ``status, log_text, wall_seconds, first_seen``.

    ``status`` is the kernel status (0..127) when ``kind == "kernel"``, otherwise
    the tool's exit code for the outcome (``EXIT_TIMEOUT`` ...).  ``kind`` is one
    of ``kernel``, ``timeout``, ``no-status`` (QEMU exit 0), ``qemu-error``,
    ``interrupted``.  ``first_seen`` maps each watched regex (its pattern string)
    to the wall time, in seconds since QEMU started, of the first console line
    matching it; patterns never seen are absent.
    """

    status: int
    log_text: str
    wall_seconds: float
    first_seen: dict[str, float]
    kind: str = "kernel"
    qemu_returncode: int | None = None
    message: str = ""
    qemu_stderr: str = ""

    def __iter__(self) -> Iterator:
        return iter((self.status, self.log_text, self.wall_seconds, self.first_seen))


def _kill_group(proc: subprocess.Popen, own_group: bool, sig: int) -> None:
    try:
        if own_group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass


def _stop(proc: subprocess.Popen, own_group: bool, grace: float = 3.0) -> None:
    """Terminate QEMU (SIGTERM lets it restore the terminal), then SIGKILL."""
    if proc.poll() is not None:
        return
    _kill_group(proc, own_group, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        _kill_group(proc, own_group, signal.SIGKILL)
        proc.wait()


def _copy(stream: IO[bytes], data: bytes) -> bool:
    """Write and flush ``data``; False if the stream is broken."""
    try:
        stream.write(data)
        stream.flush()
        return True
    except (BrokenPipeError, ValueError, OSError):
        return False


def _is_qemu_error_line(line: str) -> bool:
    """True for a QEMU error message line (``qemu-system-x86_64: msg``, not a warning)."""
    m = re.match(r"^qemu-system-[\w-]+: (.*)$", line)
    if not m:
        return False
    text = m.group(1)
    return not (text.startswith("warning:") or text.startswith("terminating on signal"))


def run(cmd: Sequence[str], *, timeout: float | None = None, log_path: str | None = None,
        echo: IO[bytes] | None = None, echo_stderr: IO[bytes] | None = None,
        watch: Iterable[str | re.Pattern] = (), interactive: bool | None = None) -> RunResult:
    """Run QEMU, stream and log its serial console, and translate its exit status.

    ``cmd`` is a :func:`build_command` vector.  Console output (QEMU's stdout)
    is copied as it arrives to ``echo`` (a binary stream, e.g.
    ``sys.stdout.buffer``; None: not echoed) and to ``log_path`` (flushed per
    chunk, so a hung run still leaves its log).  QEMU's stderr is copied to
    ``echo_stderr``.  ``watch`` is a list of regexes searched in each console
    line (console prefix included); the time of the first match of each is
    returned in ``first_seen``.

    ``interactive`` (default: stdin is a tty) keeps our stdin for QEMU;
    otherwise QEMU gets /dev/null.  QEMU runs in its own session/process group so
    that a timeout can kill it and all its threads/children at once.

    ``timeout`` None or <= 0 means no limit.
    """
    if interactive is None:
        interactive = _stdin_is_tty()
    patterns = [p if isinstance(p, re.Pattern) else re.compile(p) for p in watch]
    first_seen: dict[str, float] = {}
    log_file = open(log_path, "wb") if log_path else None
    chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    partial = b""
    start = time.monotonic()
    deadline = start + timeout if timeout and timeout > 0 else None

    def scan(line: bytes, at: float) -> None:
        if not patterns:
            return
        text = line.decode("utf-8", "replace").replace("\r", "")
        for pat in patterns:
            if pat.pattern not in first_seen and pat.search(text):
                first_seen[pat.pattern] = at

    try:
        proc = subprocess.Popen(list(cmd), stdin=None if interactive else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as exc:
        if log_file:
            log_file.close()
        return RunResult(EXIT_QEMU_ERROR, "", 0.0, {}, kind="qemu-error",
                         message=f"cannot start {cmd[0]}: {exc.strerror}")

    kind = None
    message = ""
    open_fds = {proc.stdout.fileno(): "out", proc.stderr.fileno(): "err"}
    try:
        while open_fds:
            wait = None
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    kind = "timeout"
                    break
            try:
                ready, _, _ = select.select(list(open_fds), [], [], wait)
            except InterruptedError:  # pragma: no cover (PEP 475 retries)
                continue
            now = time.monotonic() - start
            for fd in ready:
                try:
                    data = os.read(fd, 65536)
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EINTR):
                        continue
                    data = b""
                if not data:
                    del open_fds[fd]
                    continue
                if open_fds[fd] == "err":
                    err_chunks.append(data)
                    if echo_stderr is not None and not _copy(echo_stderr, data):
                        echo_stderr = None
                    continue
                chunks.append(data)
                if echo is not None and not _copy(echo, data):
                    echo = None  # our stdout went away (e.g. "| head"): keep logging
                if log_file:
                    log_file.write(data)
                    log_file.flush()
                lines = (partial + data).split(b"\n")
                partial = lines.pop()
                for line in lines:
                    scan(line, now)
        if kind == "timeout":
            _stop(proc, True)
        else:
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()) if deadline else None)
            except subprocess.TimeoutExpired:
                kind = "timeout"
                _stop(proc, True)
    except KeyboardInterrupt:
        kind = "interrupted"
        message = "interrupted, QEMU stopped"
        _stop(proc, True)
    finally:
        if proc.poll() is None:
            _stop(proc, True)
        for stream in (proc.stdout, proc.stderr):
            stream.close()
        if partial:
            scan(partial, time.monotonic() - start)
        if log_file:
            log_file.close()

    wall = time.monotonic() - start
    log_text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")
    stderr_text = b"".join(err_chunks).decode("utf-8", "replace")
    rc = proc.returncode
    if kind == "timeout":
        return RunResult(EXIT_TIMEOUT, log_text, wall, first_seen, kind="timeout",
                         qemu_returncode=rc, qemu_stderr=stderr_text,
                         message=f"timeout after {timeout:g} s, QEMU killed")
    if kind == "interrupted":
        return RunResult(EXIT_INTERRUPTED, log_text, wall, first_seen, kind="interrupted",
                         qemu_returncode=rc, qemu_stderr=stderr_text, message=message)
    error_lines = [ln for ln in stderr_text.splitlines() if _is_qemu_error_line(ln)]
    if rc == 1 and error_lines and not chunks:
        # QEMU's own failure exit status is 1, which is also what status 0 gives;
        # an error message and no console output at all means QEMU refused to start.
        return RunResult(EXIT_QEMU_ERROR, log_text, wall, first_seen, kind="qemu-error",
                         qemu_returncode=rc, qemu_stderr=stderr_text,
                         message="QEMU failed: " + " / ".join(error_lines))
    if rc == 0:
        return RunResult(EXIT_NO_STATUS, log_text, wall, first_seen, kind="no-status",
                         qemu_returncode=rc, qemu_stderr=stderr_text,
                         message="QEMU exited without a kernel status "
                                 "(reset, triple fault or user quit)")
    if rc > 0 and rc & 1:
        return RunResult(rc >> 1, log_text, wall, first_seen, kind="kernel",
                         qemu_returncode=rc, qemu_stderr=stderr_text)
    if rc < 0:
        why = f"QEMU was killed by signal {signal.Signals(-rc).name}"
    else:
        why = f"QEMU exited with unexpected status {rc}"
    if error_lines:
        why += ": " + " / ".join(error_lines)
    return RunResult(EXIT_QEMU_ERROR, log_text, wall, first_seen, kind="qemu-error",
                     qemu_returncode=rc, qemu_stderr=stderr_text, message=why)


def _stdin_is_tty() -> bool:
    try:
        return os.isatty(sys.stdin.fileno())
    except (AttributeError, ValueError, OSError):
        return False


# --- command line -------------------------------------------------------------------------

DESCRIPTION = """\
Boot an Archipel ISO on an emulated NUMA PC (QEMU, TCG) and return the kernel's
exit status.  The serial console is the kernel console: it is copied live to
stdout (and to --log FILE).

Topology: --clusters N nodes (= clusters = QEMU sockets).  --cores and --mem take
one value for every node or a comma-separated list with one value per node.
cores 0 = a memory-only node, mem 0 = a CPU-only node (QEMU 7.2 accepts both).
When nodes have different core counts every socket gets max(cores) core slots
and only the node's cores are plugged; the other slots are listed in the MADT
as disabled.  Nodes without CPUs get no socket.  APIC ID = socket <<
ceil(log2(max cores)) | core.

Distances (ACPI SLIT), hierarchical in powers of two:
  distance(i, i) = 10
  distance(i, j) = 10 + 10 * (1 + index of the highest set bit of i XOR j)
i.e. 20 between the two nodes of a pair (0-1, 2-3 ...), 30 inside a group of
four (0-2, 1-3 ...), 40 inside a group of eight, 50 inside sixteen, and so on.

Console: when stdin is a terminal it is given to the guest and the QEMU monitor
is multiplexed on it (-serial mon:stdio): Ctrl-A X quits, Ctrl-A C toggles the
monitor, Ctrl-C goes to the guest.  Otherwise QEMU's stdin is /dev/null.
"""

EPILOG = """\
exit status:
  0..123   the status the kernel wrote to port 0xf4 (QEMU exits (s<<1)|1)
  2        invalid arguments or topology
  124      timeout: QEMU was killed after --timeout seconds
  125      QEMU exited without a kernel status (reset/triple fault with
           -no-reboot, or the user quit with Ctrl-A X)
  126      QEMU failed (refused the configuration, crashed or was killed)
  130      interrupted (Ctrl-C/SIGTERM), QEMU stopped

examples:
  qemu.py --iso build/archipel.iso --clusters 4 --cores 2 --mem 128
  qemu.py --iso build/archipel.iso --clusters 4 --cores 2,2,1,0 --mem 64,128,256,96
  qemu.py --iso build/archipel.iso --clusters 2 --gdb --paused   # then gdb: target remote :1234
  qemu.py --iso x.iso --print-cmd --extra -d int,cpu_reset -D /tmp/qemu.log
"""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iso", required=True, metavar="ISO",
                        help="bootable ISO image (GRUB + kernel)")
    parser.add_argument("--clusters", default="1", metavar="N",
                        help="number of NUMA nodes = clusters = sockets (default 1)")
    parser.add_argument("--cores", default="1", metavar="C|c0,c1,...",
                        help="cores per node: one number for all nodes or one per node "
                             "(0 = memory-only node; default 1)")
    parser.add_argument("--mem", default="128", metavar="MiB|m0,m1,...",
                        help="MiB of RAM per node: one number for all nodes or one per node "
                             "(0 = CPU-only node; default 128)")
    parser.add_argument("--timeout", type=float, default=0, metavar="SECONDS",
                        help="kill QEMU and exit 124 after SECONDS (default 0 = no limit)")
    parser.add_argument("--log", metavar="FILE",
                        help="also write the console output to FILE, as it arrives")
    parser.add_argument("--trace-file", metavar="FILE",
                        help="write the kernel's binary trace channel (COM2; kernel command "
                             "line trace=1) to FILE; decode it with tools/trace")
    parser.add_argument("--gdb", action="store_true",
                        help="start QEMU's gdbstub on tcp::1234 (-s)")
    parser.add_argument("--paused", action="store_true",
                        help="start with the CPUs stopped (-S), e.g. to attach gdb first")
    parser.add_argument("--print-cmd", action="store_true",
                        help="print the QEMU command line (shell-quoted) and exit 0")
    parser.add_argument("--qemu", default=QEMU_BINARY, metavar="BINARY",
                        help=f"QEMU binary (default {QEMU_BINARY})")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], metavar="ARG",
                        help="pass every following argument to QEMU unchanged "
                             "(must come last)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def fail(msg: str) -> int:
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return EXIT_USAGE

    try:
        topo = make_topology(args.clusters, args.cores, args.mem)
    except TopologyError as exc:
        return fail(str(exc))
    if args.timeout < 0:
        return fail(f"--timeout: {args.timeout:g} is negative")
    interactive = _stdin_is_tty()
    cmd = build_command(args.iso, topo, gdb=args.gdb, paused=args.paused,
                        extra=args.extra, interactive=interactive, qemu=args.qemu,
                        trace_file=args.trace_file)
    if args.print_cmd:
        print(shlex.join(cmd))
        return 0
    if not os.path.isfile(args.iso):
        return fail(f"--iso: {args.iso}: no such file")
    if args.log:
        parent = os.path.dirname(args.log)
        if parent:
            os.makedirs(parent, exist_ok=True)
    if args.gdb:
        print(f"{PROG}: gdbstub listening on tcp::1234"
              f"{' (CPUs stopped until continue)' if args.paused else ''}", file=sys.stderr)

    # SIGTERM/SIGHUP (e.g. make killed) must stop QEMU too: turn them into
    # KeyboardInterrupt, which run() handles by stopping QEMU.
    def on_signal(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    result = run(cmd, timeout=args.timeout or None, log_path=args.log,
                 echo=sys.stdout.buffer, echo_stderr=sys.stderr.buffer,
                 interactive=interactive)
    if result.kind != "kernel":
        print(f"{PROG}: {result.message}", file=sys.stderr)
    return result.status


if __name__ == "__main__":
    sys.exit(main())
