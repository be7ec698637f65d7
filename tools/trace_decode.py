"""Decoder, statistics and renderers for Archipel binary trace streams.

The stream format is the contract of ``kernel/kern/trace.h``: a sequence of
32-byte little-endian records::

    struct trace_rec { u64 tsc; u16 cxy; u16 lid; u16 event; u16 aux; u64 arg0; u64 arg1; }

The first record is a ``TRACE_HEADER`` (tsc = TSC frequency in Hz, arg0 = magic,
arg1 = nclusters | ncores << 16 | version << 32); ``TRACE_NAME`` records name the
RPC types; then come the events, in the order each core recorded them, the cores
interleaved -- :func:`parse` sorts them by TSC (stable, so the order of one core's
records with equal TSCs is kept).

An RPC is identified by its id (unique in a boot) and its server cluster, both
of which every RPC record carries: SEND and REPLY (client core) give the server
in arg1, START and END (server core) are recorded in the server cluster.  Using
the pair as the key also keeps apart the descriptors of a multicast RPC should
they ever share an id.

Public entry points:

* :func:`load` / :func:`parse` -> :class:`Trace` (raises :class:`TraceError` for a
  stream that cannot be decoded at all; recoverable problems -- truncated last
  record, unknown events, duplicate or orphan records -- become
  ``Trace.warnings``);
* :func:`summarize` -> :class:`Summary` (the numbers), :func:`format_summary`
  (the plain-text table);
* :func:`chrome_trace` / :func:`write_chrome_json` (Chrome Trace Event Format,
  opened by ui.perfetto.dev and chrome://tracing);
* :func:`heatmap_svg` (client x server RPC-count heat map, standalone SVG 1.1).

Percentiles are *nearest-rank*: pN of n sorted samples is the sample of rank
ceil(N/100 * n) (1-based).  The median is p50, i.e. the lower of the two middle
samples when n is even.  Every reported figure is therefore an observed value.

Python 3 standard library only.
"""

from __future__ import annotations

import json
import os
import struct
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter
from typing import IO, Dict, Iterable, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape as _xml_escape

# --- the wire format (kernel/kern/trace.h) -----------------------------------------------

RECORD = struct.Struct("<QHHHHQQ")
RECORD_SIZE = RECORD.size  # 32

TRACE_HEADER = 0
TRACE_NAME = 1
TRACE_RPC_SEND = 2
TRACE_RPC_START = 3
TRACE_RPC_END = 4
TRACE_RPC_REPLY = 5
TRACE_IPI_SEND = 6
TRACE_IPI_RECV = 7
TRACE_LOST = 8
TRACE_SHOOTDOWN = 9  # initiator: aux = target cores, arg0 = gid bitmap, arg1 = cycles to the last ack
TRACE_FAULT = 10     # aux = kind | FAULT_WRITE; arg0 = vpn; arg1 = pid | cycles << 32
TRACE_FORK = 11      # arg0 = parent pid; arg1 = child pid | child cxy << 32
TRACE_EXEC = 12      # arg0 = pid; arg1 = 8 bytes of the program's name
TRACE_EXIT = 13      # aux = 1: the process's last thread; arg0 = pid; arg1 = tid | wait status << 32
TRACE_THREAD = 14    # arg0 = pid; arg1 = tid | cxy << 32 | lid << 48
TRACE_COPY = 15      # aux = 1 created / 0 torn down; arg0 = pid; arg1 = reference cxy
TRACE_EVENTS = 16

# TRACE_FAULT kinds (aux & 0xff), in kernel/kern/trace.h's order
FAULT_KINDS = ("local", "global", "false", "cow", "bad")
FAULT_WRITE = 0x100

VEC_SHOOTDOWN = 0x25  # hal/x86_64/trap.h: the TLB shootdown IPI

TRACE_MAGIC = 0x3143525448435241  # b"ARCHTRC1" read as a little-endian u64
TRACE_VERSION = 1

EVENT_NAMES = {
    TRACE_HEADER: "HEADER", TRACE_NAME: "NAME", TRACE_RPC_SEND: "RPC_SEND",
    TRACE_RPC_START: "RPC_START", TRACE_RPC_END: "RPC_END", TRACE_RPC_REPLY: "RPC_REPLY",
    TRACE_IPI_SEND: "IPI_SEND", TRACE_IPI_RECV: "IPI_RECV", TRACE_LOST: "LOST",
    TRACE_SHOOTDOWN: "SHOOTDOWN", TRACE_FAULT: "FAULT", TRACE_FORK: "FORK",
    TRACE_EXEC: "EXEC", TRACE_EXIT: "EXIT", TRACE_THREAD: "THREAD", TRACE_COPY: "COPY",
}

assert RECORD_SIZE == 32


class TraceError(Exception):
    """The stream cannot be decoded (no header, bad magic, unsupported version...)."""


@dataclass(frozen=True)
class Record:
    """One decoded trace record (field names as in ``trace_rec_t``)."""
    tsc: int
    cxy: int
    lid: int
    event: int
    aux: int
    arg0: int
    arg1: int


@dataclass(frozen=True)
class Header:
    """The TRACE_HEADER record's contents."""
    tsc_hz: int
    nclusters: int
    ncores: int
    version: int


@dataclass
class Rpc:
    """One RPC, assembled from its SEND/START/END/REPLY records (any may be missing).

    Times are raw TSC values; ``None`` when the record was not seen.
    """
    id: int
    server: int                      # server cluster
    type: int
    client: Optional[int] = None     # client cluster
    client_lid: Optional[int] = None
    server_lid: Optional[int] = None
    send: Optional[int] = None
    start: Optional[int] = None
    end: Optional[int] = None
    reply: Optional[int] = None

    @property
    def latency(self) -> Optional[int]:
        """REPLY - SEND in cycles (client core), or None if either is missing."""
        if self.send is None or self.reply is None or self.reply < self.send:
            return None
        return self.reply - self.send

    @property
    def handler_time(self) -> Optional[int]:
        """END - START in cycles (server core), or None if either is missing."""
        if self.start is None or self.end is None or self.end < self.start:
            return None
        return self.end - self.start

    @property
    def unanswered(self) -> bool:
        """Sent, but no reply recorded."""
        return self.send is not None and self.reply is None


@dataclass
class Ipi:
    """An IPI_SEND or IPI_RECV record."""
    tsc: int
    cxy: int
    lid: int
    vector: int
    sent: bool                                # True: IPI_SEND, False: IPI_RECV
    target: Optional[Tuple[int, int]] = None  # (cxy, lid), IPI_SEND only
    cycles: int = 0                           # IPI_RECV recorded at the handler's end: its
                                              # duration (tsc is then the end); else 0


@dataclass(frozen=True)
class Fault:
    """A page fault, recorded once handled (``tsc`` is its end)."""
    tsc: int
    cxy: int                 # the faulting core's cluster
    lid: int
    kind: str                # one of FAULT_KINDS
    write: bool
    vpn: int
    pid: int
    cycles: int              # spent handling it (saturated at 2^32 - 1)

    @property
    def start(self) -> int:
        return self.tsc - self.cycles


@dataclass(frozen=True)
class Shootdown:
    """A TLB shootdown round, recorded by its initiator once every target acknowledged."""
    tsc: int
    cxy: int
    lid: int
    targets: int             # target cores
    gids: int                # bitmap of the targets' gids (first 64)
    cycles: int              # from the first IPI to the last acknowledgement

    @property
    def start(self) -> int:
        return self.tsc - self.cycles


@dataclass(frozen=True)
class ProcEvent:
    """A FORK, EXEC, EXIT, THREAD or COPY record (fields that do not apply are None).

    ``kind`` is "fork", "exec", "exit", "thread", "copy" (created) or "uncopy" (torn down).
    """
    tsc: int
    cxy: int
    lid: int
    kind: str
    pid: int
    child: Optional[int] = None                # fork: the child's pid
    cluster: Optional[int] = None              # fork: the child's owner cluster
    tid: Optional[int] = None                  # thread, exit
    core: Optional[Tuple[int, int]] = None     # thread: the new thread's (cxy, lid)
    status: Optional[int] = None               # exit: Linux wait status
    last: Optional[bool] = None                # exit: the process's last thread
    name: Optional[str] = None                 # exec
    ref: Optional[int] = None                  # copy, uncopy: the reference cluster


@dataclass
class Lost:
    """A LOST record: core (cxy, lid) had dropped ``total`` records so far."""
    tsc: int
    cxy: int
    lid: int
    total: int


@dataclass
class Trace:
    """A decoded trace."""
    source: str
    header: Header
    names: Dict[int, str]
    events: List[Record]                 # event records (not HEADER/NAME), sorted by tsc
    rpcs: List[Rpc]                      # in order of their first record (by tsc)
    ipis: List[Ipi]
    losts: List[Lost]
    unknown: Counter                     # event number -> count
    faults: List[Fault] = field(default_factory=list)
    shootdowns: List[Shootdown] = field(default_factory=list)
    procs: List[ProcEvent] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    trailing_bytes: int = 0

    @property
    def t0(self) -> int:
        """TSC of the first event record (time origin of the JSON trace)."""
        return self.events[0].tsc if self.events else 0

    @property
    def t_end(self) -> int:
        """TSC of the last event record."""
        return self.events[-1].tsc if self.events else 0

    @property
    def lost_by_core(self) -> Dict[Tuple[int, int], int]:
        """Records dropped per core: the largest (cumulative) LOST count seen."""
        out: Dict[Tuple[int, int], int] = {}
        for lost in self.losts:
            key = (lost.cxy, lost.lid)
            out[key] = max(out.get(key, 0), lost.total)
        return out

    @property
    def records_lost(self) -> int:
        """Total records dropped by all cores."""
        return sum(self.lost_by_core.values())

    @property
    def cores(self) -> List[Tuple[int, int]]:
        """Every (cxy, lid) that recorded an event, sorted."""
        return sorted({(r.cxy, r.lid) for r in self.events})

    @property
    def grid_size(self) -> int:
        """Clusters of the heat map: the header's count, grown if records name more."""
        n = self.header.nclusters
        for rpc in self.rpcs:
            n = max(n, rpc.server + 1, (rpc.client or 0) + 1)
        return n

    def type_name(self, rpc_type: int) -> str:
        """The RPC type's name from its TRACE_NAME record, else ``type<N>``."""
        return self.names.get(rpc_type, f"type{rpc_type}")

    def us(self, cycles: float) -> float:
        """Cycles -> microseconds at the header's TSC frequency."""
        return cycles * 1_000_000 / self.header.tsc_hz


# --- decoding ------------------------------------------------------------------------------

def _decode_name(arg0: int, arg1: int) -> str:
    """The 16-byte NUL-padded name carried by arg0, arg1 of a TRACE_NAME record."""
    raw = struct.pack("<QQ", arg0, arg1).split(b"\0", 1)[0]
    text = raw.decode("ascii", "replace")
    return "".join(c if c.isprintable() and c != "\ufffd" else "?" for c in text)


def parse_header(rec: Record) -> Header:
    """Validates the first record and returns the header; raises TraceError."""
    if rec.event != TRACE_HEADER:
        raise TraceError(f"no header: the first record is event {rec.event} "
                         f"({EVENT_NAMES.get(rec.event, 'unknown')}), not HEADER (0): "
                         f"not an Archipel trace, or its beginning is missing")
    if rec.arg0 != TRACE_MAGIC:
        raise TraceError(f"bad magic 0x{rec.arg0:016x} (expected 0x{TRACE_MAGIC:016x}, "
                         f"\"ARCHTRC1\"): not an Archipel trace")
    version = (rec.arg1 >> 32) & 0xFFFFFFFF
    if version != TRACE_VERSION:
        raise TraceError(f"unsupported trace format version {version} "
                         f"(this tool reads version {TRACE_VERSION})")
    header = Header(tsc_hz=rec.tsc, nclusters=rec.arg1 & 0xFFFF,
                    ncores=(rec.arg1 >> 16) & 0xFFFF, version=version)
    if header.tsc_hz == 0:
        raise TraceError("bad header: TSC frequency is 0")
    if header.nclusters == 0:
        raise TraceError("bad header: 0 clusters")
    return header


def parse(data: bytes, source: str = "<trace>") -> Trace:
    """Decodes a whole trace stream (see the module docstring).

    Raises TraceError if ``data`` is empty, has no complete header record, or the
    header is not a valid Archipel header of a supported version.
    """
    if not data:
        raise TraceError("empty file")
    if len(data) < RECORD_SIZE:
        raise TraceError(f"no header: the file has {len(data)} bytes, "
                         f"less than one {RECORD_SIZE}-byte record")
    warnings: List[str] = []
    trailing = len(data) % RECORD_SIZE
    if trailing:
        warnings.append(f"ignored a partial last record ({trailing} trailing bytes): "
                        f"the trace is truncated")
        data = data[:len(data) - trailing]

    records = [Record(*fields) for fields in RECORD.iter_unpack(data)]
    header = parse_header(records[0])

    names: Dict[int, str] = {}
    events: List[Record] = []
    unknown: Counter = Counter()
    extra_headers = 0
    for rec in records[1:]:
        if rec.event == TRACE_NAME:
            name = _decode_name(rec.arg0, rec.arg1)
            if rec.aux in names and names[rec.aux] != name:
                warnings.append(f"RPC type {rec.aux} named twice: "
                                f"{names[rec.aux]!r}, then {name!r} (kept the first)")
                continue
            names[rec.aux] = name
        elif rec.event == TRACE_HEADER:
            extra_headers += 1
        elif rec.event < TRACE_EVENTS:
            events.append(rec)
        else:
            unknown[rec.event] += 1
            events.append(rec)  # keeps its place in time; ignored by every consumer
    if extra_headers:
        warnings.append(f"ignored {extra_headers} extra HEADER record(s) after the first")
    if unknown:
        detail = ", ".join(f"{ev} (x{n})" for ev, n in sorted(unknown.items()))
        warnings.append(f"ignored {sum(unknown.values())} record(s) with unknown event "
                        f"number(s): {detail}")

    events.sort(key=attrgetter("tsc"))  # stable: a core's equal-TSC records stay in order
    rpcs, ipis, losts = _assemble(events, warnings)
    faults, shootdowns, procs = _assemble_vm(events, warnings)

    trace = Trace(source=source, header=header, names=names, events=events, rpcs=rpcs,
                  ipis=ipis, losts=losts, unknown=unknown, warnings=warnings,
                  trailing_bytes=trailing, faults=faults, shootdowns=shootdowns, procs=procs)
    _check(trace)
    return trace


def _assemble(events: Sequence[Record], warnings: List[str]):
    """Groups the RPC records into Rpc objects; collects IPIs and LOST records."""
    rpcs: Dict[Tuple[int, int], Rpc] = {}
    ipis: List[Ipi] = []
    losts: List[Lost] = []
    duplicates: Counter = Counter()
    mismatches = 0
    for rec in events:
        ev = rec.event
        if ev in (TRACE_RPC_SEND, TRACE_RPC_REPLY):
            key = (rec.arg0, rec.arg1)  # (id, server cxy); recorded by the client
        elif ev in (TRACE_RPC_START, TRACE_RPC_END):
            key = (rec.arg0, rec.cxy)   # recorded by the server
        elif ev in (TRACE_IPI_SEND, TRACE_IPI_RECV):
            sent = ev == TRACE_IPI_SEND
            target = ((rec.arg0 >> 16) & 0xFFFF, rec.arg0 & 0xFFFF) if sent else None
            ipis.append(Ipi(rec.tsc, rec.cxy, rec.lid, rec.aux, sent, target,
                            0 if sent else rec.arg1))
            continue
        elif ev == TRACE_LOST:
            losts.append(Lost(rec.tsc, rec.cxy, rec.lid, rec.arg0))
            continue
        else:
            continue  # unknown event, already counted

        rpc = rpcs.get(key)
        if rpc is None:
            rpc = rpcs[key] = Rpc(id=key[0], server=key[1], type=rec.aux)
        elif rpc.type != rec.aux:
            mismatches += 1
        slot = {TRACE_RPC_SEND: "send", TRACE_RPC_START: "start",
                TRACE_RPC_END: "end", TRACE_RPC_REPLY: "reply"}[ev]
        if getattr(rpc, slot) is not None:
            duplicates[EVENT_NAMES[ev]] += 1
            continue
        setattr(rpc, slot, rec.tsc)
        if ev in (TRACE_RPC_SEND, TRACE_RPC_REPLY):
            if rpc.client is not None and rpc.client != rec.cxy:
                mismatches += 1
            rpc.client, rpc.client_lid = rec.cxy, rec.lid
        else:
            if rpc.client is not None and rpc.client != rec.arg1:
                mismatches += 1
            if rpc.client is None:
                rpc.client = rec.arg1
            rpc.server_lid = rec.lid
    if duplicates:
        detail = ", ".join(f"{n} {ev}" for ev, n in sorted(duplicates.items()))
        warnings.append(f"ignored duplicate RPC records (same id and server): {detail}")
    if mismatches:
        warnings.append(f"{mismatches} RPC record(s) disagree with the RPC's other records "
                        f"on its type or client cluster (kept the first seen)")
    return list(rpcs.values()), ipis, losts


def _assemble_vm(events: Sequence[Record], warnings: List[str]):
    """Decodes the FAULT, SHOOTDOWN and process (FORK ... COPY) records."""
    faults: List[Fault] = []
    shootdowns: List[Shootdown] = []
    procs: List[ProcEvent] = []
    bad_kinds = 0
    for rec in events:
        ev, where = rec.event, (rec.tsc, rec.cxy, rec.lid)
        low32, high32 = rec.arg1 & 0xFFFFFFFF, rec.arg1 >> 32
        if ev == TRACE_FAULT:
            kind = rec.aux & 0xFF
            if kind >= len(FAULT_KINDS):
                bad_kinds += 1
                continue
            faults.append(Fault(*where, kind=FAULT_KINDS[kind],
                                write=bool(rec.aux & FAULT_WRITE), vpn=rec.arg0,
                                pid=low32, cycles=high32))
        elif ev == TRACE_SHOOTDOWN:
            shootdowns.append(Shootdown(*where, targets=rec.aux, gids=rec.arg0,
                                        cycles=rec.arg1))
        elif ev == TRACE_FORK:
            procs.append(ProcEvent(*where, kind="fork", pid=rec.arg0, child=low32,
                                   cluster=high32 & 0xFFFF))
        elif ev == TRACE_EXEC:
            procs.append(ProcEvent(*where, kind="exec", pid=rec.arg0,
                                   name=_decode_name(rec.arg1, 0)))
        elif ev == TRACE_EXIT:
            procs.append(ProcEvent(*where, kind="exit", pid=rec.arg0, tid=low32,
                                   status=high32, last=bool(rec.aux)))
        elif ev == TRACE_THREAD:
            procs.append(ProcEvent(*where, kind="thread", pid=rec.arg0, tid=low32,
                                   core=(high32 & 0xFFFF, high32 >> 16)))
        elif ev == TRACE_COPY:
            procs.append(ProcEvent(*where, kind="copy" if rec.aux else "uncopy",
                                   pid=rec.arg0, ref=rec.arg1))
    if bad_kinds:
        warnings.append(f"ignored {bad_kinds} FAULT record(s) with an unknown fault kind")
    return faults, shootdowns, procs


def _check(trace: Trace) -> None:
    """Adds warnings for inconsistencies that make some statistics incomplete."""
    w = trace.warnings
    orphans = sum(1 for r in trace.rpcs if r.send is None)
    if orphans:
        w.append(f"{orphans} RPC(s) seen without their SEND record "
                 f"(lost, or sent before the trace started)")
    backwards = sum(1 for r in trace.rpcs
                    if r.send is not None and r.reply is not None and r.reply < r.send)
    if backwards:
        w.append(f"{backwards} RPC(s) with REPLY before SEND on the client core "
                 f"(ignored in the latency statistics)")
    skewed = sum(1 for r in trace.rpcs
                 if r.send is not None and r.start is not None and r.start < r.send)
    if skewed:
        w.append(f"{skewed} RPC(s) start on the server before they were sent "
                 f"(TSC skew between cores?)")
    lost = trace.records_lost
    if lost:
        cores = ", ".join(f"{c}.{l}: {n}" for (c, l), n in sorted(trace.lost_by_core.items()))
        w.append(f"{lost} record(s) lost (rings full; {cores}): statistics are incomplete")
    n = trace.header.nclusters
    outside = sum(1 for r in trace.rpcs if r.server >= n or (r.client or 0) >= n)
    if outside:
        w.append(f"{outside} RPC(s) name a cluster >= the header's {n} clusters")


def load(path: str) -> Trace:
    """Reads and decodes the trace file ``path`` (OSError if it cannot be read)."""
    with open(path, "rb") as f:
        data = f.read()
    return parse(data, source=path)


# --- statistics ----------------------------------------------------------------------------

def percentile(sorted_values: Sequence[int], p: int) -> Optional[int]:
    """Nearest-rank percentile: the sample of rank ceil(p/100 * n) (1-based).

    ``sorted_values`` must be sorted ascending; returns None when it is empty.
    Integer arithmetic: no rounding error decides the rank.
    """
    n = len(sorted_values)
    if n == 0:
        return None
    rank = max(1, -(-p * n // 100))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Stats:
    """Median and p99 (nearest rank) of a set of cycle counts; None when empty."""
    n: int
    median: Optional[int]
    p99: Optional[int]

    @classmethod
    def of(cls, values: Iterable[Optional[int]]) -> "Stats":
        """Statistics of the non-None values."""
        vals = sorted(v for v in values if v is not None)
        return cls(len(vals), percentile(vals, 50), percentile(vals, 99))


@dataclass(frozen=True)
class TypeRow:
    """Per-RPC-type statistics (``count`` = RPCs whose SEND was recorded)."""
    type: int
    name: str
    count: int
    unanswered: int
    latency: Stats
    handler: Stats


@dataclass(frozen=True)
class PairRow:
    """Per (client cluster, server cluster) statistics."""
    client: int
    server: int
    count: int
    unanswered: int
    latency: Stats


@dataclass(frozen=True)
class Totals:
    """Whole-trace counters."""
    rpcs: int            # RPCs sent (SEND recorded)
    answered: int        # ... with a REPLY
    unanswered: int      # ... without
    orphans: int         # RPCs seen without their SEND
    ipis_sent: int
    ipis_received: int
    records_lost: int
    unknown_events: int


@dataclass(frozen=True)
class FaultRow:
    """Page faults of one kind: how many (and writes among them), handling time."""
    kind: str
    count: int
    writes: int
    cycles: Stats


@dataclass(frozen=True)
class ProcessRow:
    """What one process did in the trace (its PID is reused by nothing in one boot)."""
    pid: int
    name: str                 # from its last EXEC, else its parent's at the FORK, else "?"
    forks: int                # children it forked
    execs: int
    threads: int              # threads it created (clone)
    copies: int               # copies created outside its reference cluster
    copies_gone: int          # ... and torn down
    copy_clusters: List[int]  # clusters where a copy was created
    faults: Dict[str, int]    # kind -> count
    status: Optional[int]     # Linux wait status at its end, None if it did not end


@dataclass(frozen=True)
class VmSummary:
    """The VM and process events."""
    faults: List[FaultRow]                # every kind of FAULT_KINDS, in that order
    fault_matrix: List[List[int]]         # [cluster][kind index] = faults
    shootdowns: int
    shootdown_targets: Stats              # target cores per round
    shootdown_cycles: Stats               # first IPI to last acknowledgement
    shootdowns_by_cluster: List[int]      # rounds started per cluster
    processes: List[ProcessRow]           # by pid


@dataclass(frozen=True)
class Summary:
    """Everything the summary table shows."""
    types: List[TypeRow]
    pairs: List[PairRow]
    totals: Totals
    matrix: List[List[int]]  # matrix[client][server] = RPCs sent
    vm: Optional[VmSummary] = None


def summarize(trace: Trace) -> Summary:
    """Computes the per-type, per-pair and total statistics of a decoded trace."""
    by_type: Dict[int, List[Rpc]] = {}
    by_pair: Dict[Tuple[int, int], List[Rpc]] = {}
    n = trace.grid_size
    matrix = [[0] * n for _ in range(n)]
    for rpc in trace.rpcs:
        by_type.setdefault(rpc.type, []).append(rpc)
        if rpc.send is not None:
            by_pair.setdefault((rpc.client, rpc.server), []).append(rpc)
            matrix[rpc.client][rpc.server] += 1

    types = []
    for t in sorted(by_type):
        rs = by_type[t]
        sent = [r for r in rs if r.send is not None]
        types.append(TypeRow(type=t, name=trace.type_name(t), count=len(sent),
                             unanswered=sum(r.unanswered for r in sent),
                             latency=Stats.of(r.latency for r in sent),
                             handler=Stats.of(r.handler_time for r in rs)))
    pairs = [PairRow(client=c, server=s, count=len(rs),
                     unanswered=sum(r.unanswered for r in rs),
                     latency=Stats.of(r.latency for r in rs))
             for (c, s), rs in sorted(by_pair.items())]
    sent = [r for r in trace.rpcs if r.send is not None]
    totals = Totals(rpcs=len(sent),
                    answered=sum(r.reply is not None for r in sent),
                    unanswered=sum(r.unanswered for r in sent),
                    orphans=len(trace.rpcs) - len(sent),
                    ipis_sent=sum(i.sent for i in trace.ipis),
                    ipis_received=sum(not i.sent for i in trace.ipis),
                    records_lost=trace.records_lost,
                    unknown_events=sum(trace.unknown.values()))
    return Summary(types=types, pairs=pairs, totals=totals, matrix=matrix,
                   vm=summarize_vm(trace))


def _vm_grid_size(trace: Trace) -> int:
    """Clusters of the VM tables: the header's count, grown if records name more."""
    n = trace.header.nclusters
    for f in trace.faults:
        n = max(n, f.cxy + 1)
    for sd in trace.shootdowns:
        n = max(n, sd.cxy + 1)
    return n


def summarize_vm(trace: Trace) -> VmSummary:
    """The fault, shootdown and per-process statistics of a decoded trace."""
    n = _vm_grid_size(trace)
    fault_matrix = [[0] * len(FAULT_KINDS) for _ in range(n)]
    by_kind: Dict[str, List[Fault]] = {k: [] for k in FAULT_KINDS}
    for f in trace.faults:
        by_kind[f.kind].append(f)
        fault_matrix[f.cxy][FAULT_KINDS.index(f.kind)] += 1
    faults = [FaultRow(kind=k, count=len(fs), writes=sum(f.write for f in fs),
                       cycles=Stats.of(f.cycles for f in fs))
              for k, fs in by_kind.items()]
    by_cluster = [0] * n
    for sd in trace.shootdowns:
        by_cluster[sd.cxy] += 1

    rows: Dict[int, dict] = {}

    def row(pid: int) -> dict:
        return rows.setdefault(pid, {"name": None, "forks": 0, "execs": 0, "threads": 0,
                                     "copies": 0, "copies_gone": 0, "clusters": set(),
                                     "faults": Counter(), "status": None})
    for ev in trace.procs:              # in time order: a child is named at its fork
        r = row(ev.pid)
        if ev.kind == "fork":
            r["forks"] += 1
            row(ev.child)["name"] = row(ev.child)["name"] or r["name"]
        elif ev.kind == "exec":
            r["execs"] += 1
            r["name"] = ev.name
        elif ev.kind == "thread":
            r["threads"] += 1
        elif ev.kind == "copy":
            r["copies"] += 1
            r["clusters"].add(ev.cxy)
        elif ev.kind == "uncopy":
            r["copies_gone"] += 1
        elif ev.kind == "exit" and ev.last:
            r["status"] = ev.status
    for f in trace.faults:
        row(f.pid)["faults"][f.kind] += 1
    processes = [ProcessRow(pid=pid, name=r["name"] or "?", forks=r["forks"],
                            execs=r["execs"], threads=r["threads"], copies=r["copies"],
                            copies_gone=r["copies_gone"], copy_clusters=sorted(r["clusters"]),
                            faults={k: r["faults"][k] for k in FAULT_KINDS},
                            status=r["status"])
                 for pid, r in sorted(rows.items())]
    return VmSummary(faults=faults, fault_matrix=fault_matrix,
                     shootdowns=len(trace.shootdowns),
                     shootdown_targets=Stats.of(sd.targets for sd in trace.shootdowns),
                     shootdown_cycles=Stats.of(sd.cycles for sd in trace.shootdowns),
                     shootdowns_by_cluster=by_cluster, processes=processes)


def format_wait_status(status: Optional[int]) -> str:
    """A Linux wait status as "exit N" / "signal N", or "-" (did not end in the trace)."""
    if status is None:
        return "-"
    if status & 0x7F:
        return f"signal {status & 0x7F}"
    return f"exit {(status >> 8) & 0xFF}"


# --- plain-text summary --------------------------------------------------------------------

def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
                 left: int = 1, indent: str = "  ") -> List[str]:
    """Aligned columns: the first ``left`` columns left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells):
        out = [c.ljust(w) if i < left else c.rjust(w)
               for i, (c, w) in enumerate(zip(cells, widths))]
        return (indent + "  ".join(out)).rstrip()
    return [line(headers)] + [line(r) for r in rows]


def _fmt_us(trace: Trace, cycles: Optional[int]) -> str:
    return "-" if cycles is None else f"{trace.us(cycles):.3f}"


def _fmt_cyc(cycles: Optional[int]) -> str:
    return "-" if cycles is None else str(cycles)


def _fmt_hz(hz: int) -> str:
    if hz >= 1_000_000_000:
        return f"{hz / 1e9:.3f} GHz"
    if hz >= 1_000_000:
        return f"{hz / 1e6:.3f} MHz"
    return f"{hz} Hz"


def format_summary(trace: Trace, summary: Optional[Summary] = None) -> str:
    """The plain-text summary: header facts, per-type and per-pair tables, totals."""
    s = summary or summarize(trace)
    h = trace.header
    span = trace.us(trace.t_end - trace.t0)
    out = [f"Archipel trace {os.path.basename(trace.source)}",
           f"  TSC {_fmt_hz(h.tsc_hz)} ({h.tsc_hz} Hz), {h.nclusters} clusters, "
           f"{h.ncores} cores, format version {h.version}",
           f"  {len(trace.events)} event records from {len(trace.cores)} cores, "
           f"spanning {span:.3f} us",
           ""]

    out.append("RPCs by type  (latency = REPLY - SEND on the client core; "
               "handler = END - START on the server core)")
    if s.types:
        rows = [[t.name, str(t.type), str(t.count), str(t.unanswered),
                 _fmt_us(trace, t.latency.median), _fmt_us(trace, t.latency.p99),
                 _fmt_cyc(t.latency.median), _fmt_cyc(t.latency.p99),
                 _fmt_us(trace, t.handler.median), _fmt_cyc(t.handler.median)]
                for t in s.types]
        out += format_table(["type", "#", "count", "unans", "lat med us", "lat p99 us",
                             "lat med cyc", "lat p99 cyc", "hdl med us", "hdl med cyc"],
                            rows)
    else:
        out.append("  (no RPC)")
    out.append("")

    out.append("RPCs by cluster pair  (client -> server)")
    if s.pairs:
        rows = [[f"{p.client} -> {p.server}", str(p.count), str(p.unanswered),
                 _fmt_us(trace, p.latency.median), _fmt_us(trace, p.latency.p99),
                 _fmt_cyc(p.latency.median), _fmt_cyc(p.latency.p99)]
                for p in s.pairs]
        out += format_table(["pair", "count", "unans", "lat med us", "lat p99 us",
                             "lat med cyc", "lat p99 cyc"], rows)
    else:
        out.append("  (no RPC sent)")
    out.append("")

    out += _format_vm(trace, s.vm or summarize_vm(trace))

    t = s.totals
    out.append("Totals")
    out += format_table(["", ""], [
        ["RPCs sent", str(t.rpcs)],
        ["answered", str(t.answered)],
        ["unanswered", str(t.unanswered)],
        ["seen without SEND", str(t.orphans)],
        ["IPIs sent", str(t.ipis_sent)],
        ["IPIs received", str(t.ipis_received)],
        ["page faults", str(len(trace.faults))],
        ["TLB shootdowns", str(len(trace.shootdowns))],
        ["process events", str(len(trace.procs))],
        ["records lost", str(t.records_lost)],
        ["unknown events", str(t.unknown_events)],
    ])[1:]
    out.append("")
    out.append("Percentiles are nearest-rank: pN is the sample of rank ceil(N/100 * n) of the "
               "n sorted samples;")
    out.append("the median is p50 (the lower middle sample when n is even). "
               "us = cycles / TSC frequency.")
    return "\n".join(out) + "\n"


def _format_vm(trace: Trace, vm: VmSummary) -> List[str]:
    """The VM sections of the summary: faults by kind and by cluster, shootdowns, processes."""
    out = ["Page faults by kind  (time = handling, on the faulting core)"]
    if trace.faults:
        rows = [[f.kind, str(f.count), str(f.writes), _fmt_us(trace, f.cycles.median),
                 _fmt_us(trace, f.cycles.p99), _fmt_cyc(f.cycles.median),
                 _fmt_cyc(f.cycles.p99)] for f in vm.faults]
        out += format_table(["kind", "count", "writes", "med us", "p99 us", "med cyc",
                             "p99 cyc"], rows)
        out.append("")
        out.append("Page faults by cluster  (the faulting core's cluster)")
        rows = [[str(c)] + [str(v) for v in counts] + [str(sum(counts))]
                for c, counts in enumerate(vm.fault_matrix)]
        out += format_table(["cluster", *FAULT_KINDS, "total"], rows)
    else:
        out.append("  (no page fault)")
    out.append("")

    out.append("TLB shootdowns  (time = first IPI to last acknowledgement, on the initiator)")
    if vm.shootdowns:
        st, sc = vm.shootdown_targets, vm.shootdown_cycles
        out += format_table(["", ""], [
            ["rounds", str(vm.shootdowns)],
            ["by initiator cluster", " ".join(f"{c}:{k}" for c, k in
                                              enumerate(vm.shootdowns_by_cluster) if k)],
            ["targets median / p99", f"{st.median} / {st.p99}"],
            ["time median / p99 us", f"{_fmt_us(trace, sc.median)} / {_fmt_us(trace, sc.p99)}"],
            ["time median / p99 cyc", f"{sc.median} / {sc.p99}"],
        ])[1:]
    else:
        out.append("  (no shootdown: no other core ran a changed page table)")
    out.append("")

    out.append("Processes  (copies: created outside the reference cluster / torn down)")
    if vm.processes:
        rows = [[str(p.pid), p.name, str(p.forks), str(p.execs), str(p.threads),
                 f"{p.copies}/{p.copies_gone}",
                 ",".join(map(str, p.copy_clusters)) or "-"] +
                [str(p.faults[k]) for k in FAULT_KINDS] + [format_wait_status(p.status)]
                for p in vm.processes]
        out += format_table(["pid", "name", "forks", "execs", "threads", "copies",
                             "in clusters", *(f"f.{k}" for k in FAULT_KINDS), "end"],
                            rows, left=2)
    else:
        out.append("  (no process event)")
    out.append("")
    return out


# --- Chrome Trace Event Format -------------------------------------------------------------

def _assign_lanes(slices: List[Tuple[int, int, object]]) -> Dict[int, int]:
    """Gives each slice (start, end, key) of one core a lane so that the slices of a
    lane nest properly (viewers reject overlapping, non-nested complete events on
    one thread -- which happen when several threads of a core wait on RPCs at once).

    Returns {index in ``slices``: lane}; lane 0 is the core's own track.
    """
    order = sorted(range(len(slices)), key=lambda i: (slices[i][0], -slices[i][1]))
    lanes: List[List[int]] = []  # per lane: stack of end times of the open slices
    result: Dict[int, int] = {}
    for i in order:
        start, end, _ = slices[i]
        for k, stack in enumerate(lanes):
            while stack and stack[-1] <= start:
                stack.pop()
            if not stack or end <= stack[-1]:
                stack.append(end)
                result[i] = k
                break
        else:
            lanes.append([end])
            result[i] = len(lanes) - 1
    return result


LANE_SHIFT = 16  # tid of lane k of core lid: (k << 16) | lid


def chrome_trace(trace: Trace) -> dict:
    """The trace as a Chrome Trace Event Format object (``{"traceEvents": [...]}``).

    * one process per cluster (pid = cxy, "cluster N"), one thread per core
      (tid = lid, "core N.M"); extra lanes "core N.M #k" (tid = k << 16 | lid)
      hold the complete events that overlap without nesting on that core;
    * each RPC handler: a complete event ("X") START..END on the server core,
      named by the RPC type, args {id, client, cycles};
    * each answered RPC on the client: "rpc wait <type>" ("X") SEND..REPLY,
      args {id, server, cycles}; an unanswered one: instant "rpc no reply <type>";
    * a flow arrow per RPC with both SEND and START: "s" at the SEND (client's
      pid/tid), "f" with "bp": "e" at the START (server's pid/tid), same
      cat/name and the same id, a sequence number 1, 2, ...;
    * each page fault: "fault <kind>" ("X", cat "fault") on the faulting core, its
      handling time, args {vpn, vaddr, pid, write, cycles};
    * each TLB shootdown: "tlb shootdown" ("X") on the initiator, first IPI to last
      acknowledgement; on each target, "tlb flush" ("X"), the IPI handler; a flow
      arrow (cat "shootdown-flow") from each shootdown IPI sent to the flush it caused;
    * fork, exec, exit, thread creation, copy creation and teardown: instants
      (cat "process") on the core that recorded them;
    * other IPIs and LOST records: instant events ("i", "s": "t").

    Timestamps are microseconds (float) after the first event record.  RPC ids
    are given as hex strings: they do not fit a JSON number exactly.
    """
    t0 = trace.t0

    def ts(tsc: int) -> float:
        return round((tsc - t0) * 1_000_000 / trace.header.tsc_hz, 6)

    def dur(cycles: int) -> float:
        return round(cycles * 1_000_000 / trace.header.tsc_hz, 6)

    # Complete events per core, to give them lanes.
    slices: Dict[Tuple[int, int], List[Tuple[int, int, object]]] = {}
    for n, rpc in enumerate(trace.rpcs):
        if rpc.handler_time is not None:
            slices.setdefault((rpc.server, rpc.server_lid), []).append(
                (rpc.start, rpc.end, (n, "handler")))
        if rpc.latency is not None:
            slices.setdefault((rpc.client, rpc.client_lid), []).append(
                (rpc.send, rpc.reply, (n, "wait")))
    for n, f in enumerate(trace.faults):
        slices.setdefault((f.cxy, f.lid), []).append((f.start, f.tsc, (n, "fault")))
    for n, sd in enumerate(trace.shootdowns):
        slices.setdefault((sd.cxy, sd.lid), []).append((sd.start, sd.tsc, (n, "shootdown")))
    flushes = [(n, i) for n, i in enumerate(trace.ipis)
               if not i.sent and i.vector == VEC_SHOOTDOWN and i.cycles]
    for n, i in flushes:
        slices.setdefault((i.cxy, i.lid), []).append((i.tsc - i.cycles, i.tsc, (n, "flush")))
    lane_of: Dict[Tuple[int, str], int] = {}  # (index, kind of slice) -> lane
    threads = {(c, l, 0) for c, l in trace.cores}
    for (cxy, lid), sl in slices.items():
        for i, lane in _assign_lanes(sl).items():
            lane_of[sl[i][2]] = lane
            threads.add((cxy, lid, lane))

    def tid(lid: int, lane: int = 0) -> int:
        return (lane << LANE_SHIFT) | lid

    events: List[dict] = []
    flows = 0
    for n, rpc in enumerate(trace.rpcs):
        name = trace.type_name(rpc.type)
        rid = f"0x{rpc.id:016x}"
        if rpc.handler_time is not None:
            events.append({"name": name, "cat": "rpc", "ph": "X", "pid": rpc.server,
                           "tid": tid(rpc.server_lid, lane_of[(n, "handler")]),
                           "ts": ts(rpc.start), "dur": dur(rpc.handler_time),
                           "args": {"id": rid, "client": rpc.client,
                                    "cycles": rpc.handler_time}})
        send_lane = 0
        if rpc.latency is not None:
            send_lane = lane_of[(n, "wait")]
            events.append({"name": f"rpc wait {name}", "cat": "rpc", "ph": "X",
                           "pid": rpc.client, "tid": tid(rpc.client_lid, send_lane),
                           "ts": ts(rpc.send), "dur": dur(rpc.latency),
                           "args": {"id": rid, "server": rpc.server,
                                    "cycles": rpc.latency}})
        elif rpc.unanswered:
            events.append({"name": f"rpc no reply {name}", "cat": "rpc", "ph": "i",
                           "s": "t", "pid": rpc.client, "tid": tid(rpc.client_lid),
                           "ts": ts(rpc.send), "args": {"id": rid, "server": rpc.server}})
        if rpc.send is not None and rpc.start is not None:
            flows += 1  # viewers want a number (a string id is read as hex)
            flow = flows
            events.append({"name": f"rpc {name}", "cat": "rpc-flow", "ph": "s",
                           "id": flow, "pid": rpc.client,
                           "tid": tid(rpc.client_lid, send_lane), "ts": ts(rpc.send)})
            start_lane = lane_of.get((n, "handler"), 0)
            events.append({"name": f"rpc {name}", "cat": "rpc-flow", "ph": "f", "bp": "e",
                           "id": flow, "pid": rpc.server,
                           "tid": tid(rpc.server_lid, start_lane), "ts": ts(rpc.start)})
    for n, f in enumerate(trace.faults):
        events.append({"name": f"fault {f.kind}", "cat": "fault", "ph": "X", "pid": f.cxy,
                       "tid": tid(f.lid, lane_of[(n, "fault")]), "ts": ts(f.start),
                       "dur": dur(f.cycles),
                       "args": {"vpn": f"0x{f.vpn:x}", "vaddr": f"0x{f.vpn << 12:x}",
                                "pid": f.pid, "write": f.write, "cycles": f.cycles}})
    for n, sd in enumerate(trace.shootdowns):
        events.append({"name": "tlb shootdown", "cat": "shootdown", "ph": "X", "pid": sd.cxy,
                       "tid": tid(sd.lid, lane_of[(n, "shootdown")]), "ts": ts(sd.start),
                       "dur": dur(sd.cycles),
                       "args": {"targets": sd.targets, "gids": f"0x{sd.gids:x}",
                                "cycles": sd.cycles}})
    flush_lane = {}
    for n, i in flushes:
        flush_lane[n] = lane_of[(n, "flush")]
        events.append({"name": "tlb flush", "cat": "shootdown", "ph": "X", "pid": i.cxy,
                       "tid": tid(i.lid, flush_lane[n]), "ts": ts(i.tsc - i.cycles),
                       "dur": dur(i.cycles), "args": {"cycles": i.cycles}})
    for send, send_lane, n, recv in _shootdown_flows(trace, flushes, lane_of):
        flows += 1
        events.append({"name": "tlb shootdown", "cat": "shootdown-flow", "ph": "s",
                       "id": flows, "pid": send.cxy, "tid": tid(send.lid, send_lane),
                       "ts": ts(send.tsc)})
        events.append({"name": "tlb shootdown", "cat": "shootdown-flow", "ph": "f", "bp": "e",
                       "id": flows, "pid": recv.cxy, "tid": tid(recv.lid, flush_lane[n]),
                       "ts": ts(recv.tsc - recv.cycles)})
    for ev in trace.procs:
        events.append({"name": _proc_label(ev), "cat": "process", "ph": "i", "s": "t",
                       "pid": ev.cxy, "tid": ev.lid, "ts": ts(ev.tsc),
                       "args": {k: v for k, v in vars(ev).items()
                                if v is not None and k not in ("tsc", "cxy", "lid")}})
    for n, ipi in enumerate(trace.ipis):
        if n in flush_lane:
            continue                                  # drawn as a "tlb flush" slice
        if ipi.sent:
            tc, tl = ipi.target
            events.append({"name": f"ipi send {ipi.vector:#x}", "cat": "ipi", "ph": "i",
                           "s": "t", "pid": ipi.cxy, "tid": ipi.lid, "ts": ts(ipi.tsc),
                           "args": {"vector": ipi.vector, "target": f"{tc}.{tl}"}})
        else:
            events.append({"name": f"ipi recv {ipi.vector:#x}", "cat": "ipi", "ph": "i",
                           "s": "t", "pid": ipi.cxy, "tid": ipi.lid, "ts": ts(ipi.tsc),
                           "args": {"vector": ipi.vector}})
    for lost in trace.losts:
        events.append({"name": "records lost", "cat": "trace", "ph": "i", "s": "t",
                       "pid": lost.cxy, "tid": lost.lid, "ts": ts(lost.tsc),
                       "args": {"lost_so_far": lost.total}})
    events.sort(key=lambda e: e["ts"])

    meta: List[dict] = []
    clusters = sorted(set(range(trace.header.nclusters)) | {c for c, _, _ in threads})
    for cxy in clusters:
        meta.append({"name": "process_name", "ph": "M", "pid": cxy, "tid": 0,
                     "args": {"name": f"cluster {cxy}"}})
        meta.append({"name": "process_sort_index", "ph": "M", "pid": cxy, "tid": 0,
                     "args": {"sort_index": cxy}})
    for cxy, lid, lane in sorted(threads):
        label = f"core {cxy}.{lid}" + (f" #{lane}" if lane else "")
        meta.append({"name": "thread_name", "ph": "M", "pid": cxy, "tid": tid(lid, lane),
                     "args": {"name": label}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": cxy,
                     "tid": tid(lid, lane), "args": {"sort_index": lid * 1000 + lane}})

    h = trace.header
    return {"traceEvents": meta + events, "displayTimeUnit": "ns",
            "otherData": {"source": os.path.basename(trace.source), "tsc_hz": h.tsc_hz,
                          "nclusters": h.nclusters, "ncores": h.ncores,
                          "version": h.version, "t0_tsc": trace.t0}}


def _shootdown_flows(trace: Trace, flushes: List[Tuple[int, Ipi]],
                     lane_of: Dict[Tuple[int, str], int]):
    """Pairs each shootdown IPI sent with the flush it caused on its target.

    ``flushes`` are the (index in trace.ipis, Ipi) of the shootdown flushes
    recorded with their duration (the slices the arrows end on).

    Yields (IPI_SEND Ipi, its lane on the initiator, index in trace.ipis of the
    IPI_RECV, that Ipi): the receive is the target core's first unmatched
    shootdown flush that ends after the send.  The send's lane is the one of
    the initiator's shootdown slice around it (0 if none).
    """
    pending: Dict[Tuple[int, int], List[int]] = {}
    for n, i in flushes:
        pending.setdefault((i.cxy, i.lid), []).append(n)
    rounds: Dict[Tuple[int, int], List[Tuple[int, int, int]]] = {}
    for n, sd in enumerate(trace.shootdowns):
        rounds.setdefault((sd.cxy, sd.lid), []).append((sd.start, sd.tsc, n))
    for send in trace.ipis:
        if not send.sent or send.vector != VEC_SHOOTDOWN:
            continue
        queue = pending.get(send.target, [])
        while queue and trace.ipis[queue[0]].tsc < send.tsc:
            queue.pop(0)                       # a flush older than this send: unmatched
        if not queue:
            continue
        n = queue.pop(0)
        lane = next((lane_of[(k, "shootdown")] for start, end, k in
                     rounds.get((send.cxy, send.lid), []) if start <= send.tsc <= end), 0)
        yield send, lane, n, trace.ipis[n]


def _proc_label(ev: ProcEvent) -> str:
    """The name of a process event's instant in the Chrome trace."""
    if ev.kind == "fork":
        return f"fork pid {ev.pid} -> {ev.child} (cluster {ev.cluster})"
    if ev.kind == "exec":
        return f"exec {ev.name} (pid {ev.pid})"
    if ev.kind == "exit":
        end = f", process ends: {format_wait_status(ev.status)}" if ev.last else ""
        return f"exit tid {ev.tid} (pid {ev.pid}{end})"
    if ev.kind == "thread":
        return f"thread {ev.tid} of pid {ev.pid} -> core {ev.core[0]}.{ev.core[1]}"
    what = "created" if ev.kind == "copy" else "torn down"
    return f"copy of pid {ev.pid} {what} (reference {ev.ref})"


def write_chrome_json(trace: Trace, f: IO[str]) -> None:
    """Writes :func:`chrome_trace` to ``f``, one event per line."""
    obj = chrome_trace(trace)
    events = obj.pop("traceEvents")
    f.write('{"traceEvents": [\n')
    f.write(",\n".join(json.dumps(e, separators=(",", ":")) for e in events))
    f.write("\n]")
    for key, value in obj.items():
        f.write(f",\n{json.dumps(key)}: {json.dumps(value)}")
    f.write("}\n")


# --- SVG heat map --------------------------------------------------------------------------

HEAT_LOW = (0xFF, 0xFF, 0xFF)   # white: no RPC
HEAT_HIGH = (0x08, 0x30, 0x6B)  # dark blue: the busiest pair


def heat_colour(count: int, maximum: int) -> str:
    """Linear interpolation from HEAT_LOW (0) to HEAT_HIGH (maximum), as #rrggbb."""
    t = count / maximum if maximum > 0 else 0.0
    rgb = (round(lo + (hi - lo) * t) for lo, hi in zip(HEAT_LOW, HEAT_HIGH))
    return "#" + "".join(f"{c:02x}" for c in rgb)


def heatmap_svg(trace: Trace, summary: Optional[Summary] = None) -> str:
    """Standalone SVG 1.1: RPC counts client cluster (rows) -> server cluster (columns).

    Cells are ``<rect id="cell-R-C">`` with the count in ``<text id="count-R-C">``
    and a tooltip ``<title>``; a gradient legend shows the linear colour scale.
    """
    s = summary or summarize(trace)
    n = len(s.matrix)
    name = os.path.basename(trace.source)
    return matrix_svg(
        s.matrix, [str(i) for i in range(n)], [str(i) for i in range(n)],
        doc_title=f"RPC count per client/server cluster pair: {name}",
        title="RPCs per cluster pair, client \u2192 server",
        subtitle=f"{name}: {s.totals.rpcs} RPCs, {n} clusters",
        x_label="server cluster", y_label="client cluster",
        tip=lambda r, c, v: f"client {r} \u2192 server {c}: {v} RPCs",
        legend="RPCs per pair (linear scale)")


def fault_heatmap_svg(trace: Trace, summary: Optional[Summary] = None) -> str:
    """Standalone SVG 1.1: page faults per faulting cluster (rows) and kind (columns:
    FAULT_KINDS), the same cell ids and legend as :func:`heatmap_svg`."""
    vm = summary.vm if summary is not None and summary.vm is not None else summarize_vm(trace)
    name = os.path.basename(trace.source)
    rows = len(vm.fault_matrix)
    return matrix_svg(
        vm.fault_matrix, [str(i) for i in range(rows)], list(FAULT_KINDS),
        doc_title=f"Page faults per cluster and kind: {name}",
        title="Page faults per cluster and kind",
        subtitle=f"{name}: {len(trace.faults)} faults, {vm.shootdowns} TLB shootdowns",
        x_label="kind", y_label="faulting cluster",
        tip=lambda r, c, v: f"cluster {r}, {FAULT_KINDS[c]}: {v} faults",
        legend="faults per cell (linear scale)")


def matrix_svg(matrix: List[List[int]], row_labels: Sequence[str], col_labels: Sequence[str],
               *, doc_title: str, title: str, subtitle: str, x_label: str, y_label: str,
               tip, legend: str) -> str:
    """A standalone SVG 1.1 heat map of ``matrix[row][col]`` counts.

    ``tip(row, col, count)`` is each cell's tooltip.  Cells are ``<rect
    id="cell-R-C">`` with the count in ``<text id="count-R-C">``; a gradient
    legend (``legend-min``, ``legend-max``) shows the linear colour scale.
    """
    nrows, ncols = len(row_labels), len(col_labels)
    maximum = max((max(row) for row in matrix if row), default=0)
    cell = max(14, min(56, 560 // max(nrows, ncols, 1)))
    font = max(6, min(14, cell // 3))
    left, top = 90, 96                   # grid origin (room for title and axis labels)
    grid_w, grid_h = cell * ncols, cell * nrows
    legend_y = top + grid_h + 40
    width = max(left + grid_w + 30, 420)
    left = max(left, (width - grid_w) // 2)  # centre a small grid under the title
    height = legend_y + 56
    esc = _xml_escape

    o = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
         '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
         '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
         f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
         f'height="{height}" viewBox="0 0 {width} {height}" '
         f'font-family="Helvetica, Arial, sans-serif">',
         f'<title>{esc(doc_title)}</title>',
         '<defs><linearGradient id="legend-gradient" x1="0" y1="0" x2="1" y2="0">'
         f'<stop offset="0" stop-color="{heat_colour(0, 1)}"/>'
         f'<stop offset="1" stop-color="{heat_colour(1, 1)}"/>'
         '</linearGradient></defs>',
         f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
         f'<text id="title" x="{width / 2:g}" y="24" font-size="16" font-weight="bold" '
         f'text-anchor="middle">{esc(title)}</text>',
         f'<text x="{width / 2:g}" y="42" font-size="11" text-anchor="middle" '
         f'fill="#555555">{esc(subtitle)}</text>',
         f'<text id="x-label" x="{left + grid_w / 2:g}" y="{top - 26}" font-size="12" '
         f'text-anchor="middle">{esc(x_label)}</text>',
         f'<text id="y-label" x="{left - 40}" y="{top + grid_h / 2:g}" font-size="12" '
         f'text-anchor="middle" transform="rotate(-90 {left - 40} {top + grid_h / 2:g})">'
         f'{esc(y_label)}</text>']
    for i, label in enumerate(col_labels):
        o.append(f'<text class="col-label" x="{left + i * cell + cell / 2:g}" '
                 f'y="{top - 8}" font-size="{font}" text-anchor="middle">{esc(label)}</text>')
    for i, label in enumerate(row_labels):
        o.append(f'<text class="row-label" x="{left - 8}" y="{top + i * cell + cell / 2:g}" '
                 f'font-size="{font}" text-anchor="end" dominant-baseline="central">'
                 f'{esc(label)}</text>')
    o.append('<g id="cells" stroke="#cccccc" stroke-width="1">')
    for r in range(nrows):
        for c in range(ncols):
            count = matrix[r][c]
            fill = heat_colour(count, maximum)
            ink = "#ffffff" if maximum and count / maximum > 0.5 else "#000000"
            x, y = left + c * cell, top + r * cell
            o.append(f'<rect id="cell-{r}-{c}" x="{x}" y="{y}" width="{cell}" '
                     f'height="{cell}" fill="{fill}"><title>{esc(tip(r, c, count))}</title>'
                     f'</rect>')
            o.append(f'<text id="count-{r}-{c}" x="{x + cell / 2:g}" y="{y + cell / 2:g}" '
                     f'font-size="{font}" text-anchor="middle" dominant-baseline="central" '
                     f'stroke="none" fill="{ink}">{count}</text>')
    o.append('</g>')
    bar_w = min(240, width - 60)
    bar_x = (width - bar_w) // 2
    o += ['<g id="legend" font-size="11">',
          f'<text x="{bar_x}" y="{legend_y - 8}">{esc(legend)}</text>',
          f'<rect x="{bar_x}" y="{legend_y}" width="{bar_w}" height="12" '
          f'fill="url(#legend-gradient)" stroke="#999999"/>',
          f'<text id="legend-min" x="{bar_x}" y="{legend_y + 26}" '
          f'text-anchor="start">0</text>',
          f'<text id="legend-max" x="{bar_x + bar_w}" y="{legend_y + 26}" '
          f'text-anchor="end">{maximum}</text>',
          '</g>',
          '</svg>']
    return "\n".join(o) + "\n"
