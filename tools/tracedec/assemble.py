"""Assembly of decoded records into what happened: RPCs, IPIs, page faults, TLB
shootdowns, process events and lost records, gathered in a :class:`Trace`.

An RPC is identified by its id (unique in a boot) and its server cluster, both
of which every RPC record carries: SEND and REPLY (client core) give the server
in arg1, START and END (server core) are recorded in the server cluster.  Using
the pair as the key also keeps apart the descriptors of a multicast RPC should
they ever share an id.

Entry points: :func:`load` / :func:`parse` -> :class:`Trace` (raise
:class:`tracedec.wire.TraceError` for a stream that cannot be decoded at all;
recoverable problems -- truncated last record, unknown events, duplicate or
orphan records -- become ``Trace.warnings``).

Python 3 standard library only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from tracedec.wire import (EVENT_NAMES, FAULT_KINDS, FAULT_WRITE, TRACE_COPY, TRACE_EXEC,
                           TRACE_EXIT, TRACE_FAULT, TRACE_FORK, TRACE_IPI_RECV,
                           TRACE_IPI_SEND, TRACE_LOST, TRACE_RPC_END, TRACE_RPC_REPLY,
                           TRACE_RPC_SEND, TRACE_RPC_START, TRACE_SHOOTDOWN, TRACE_SIGNAL,
                           TRACE_THREAD, Header, Record, decode, decode_name)

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


@dataclass(frozen=True)
class Signal:
    """A SIGNAL record: recorded by the sender's core once the signal is pending."""
    tsc: int
    cxy: int
    lid: int
    sig: int
    sender: int              # sender's pid (0: the kernel)
    sender_cxy: int
    target: int              # target pid (kill) or tid (tgkill)
    target_cxy: int          # cluster of the target process's reference or thread


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
    signals: List[Signal] = field(default_factory=list)
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


def parse(data: bytes, source: str = "<trace>") -> Trace:
    """Decodes a whole trace stream (:func:`tracedec.wire.decode`) and assembles it.

    Raises TraceError if ``data`` is empty, has no complete header record, or the
    header is not a valid Archipel header of a supported version.
    """
    stream = decode(data)
    warnings = stream.warnings
    events = stream.events
    rpcs, ipis, losts = _assemble(events, warnings)
    faults, shootdowns, procs = _assemble_vm(events, warnings)

    trace = Trace(source=source, header=stream.header, names=stream.names, events=events,
                  rpcs=rpcs, ipis=ipis, losts=losts, unknown=stream.unknown,
                  warnings=warnings, trailing_bytes=stream.trailing_bytes, faults=faults,
                  shootdowns=shootdowns, procs=procs,
                  signals=[_signal(r) for r in events if r.event == TRACE_SIGNAL])
    _check(trace)
    return trace


def _signal(rec: Record) -> Signal:
    """A TRACE_SIGNAL record (kernel/kern/trace.h: arg0 = sender pid | cxy << 48,
    arg1 = target pid or tid | cxy << 48, aux = signal)."""
    low48 = (1 << 48) - 1
    return Signal(rec.tsc, rec.cxy, rec.lid, sig=rec.aux, sender=rec.arg0 & low48,
                  sender_cxy=rec.arg0 >> 48, target=rec.arg1 & low48,
                  target_cxy=rec.arg1 >> 48)


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
                                   name=decode_name(rec.arg1, 0)))
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
