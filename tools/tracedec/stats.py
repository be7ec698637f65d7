"""Statistics of an assembled trace: RPC latency and handler time per RPC type and
per client -> server cluster pair, the client x server count matrix, totals, and
the VM figures (faults per kind and cluster, TLB shootdowns, what each process did).

Entry points: :func:`summarize` -> :class:`Summary`, :func:`summarize_vm` ->
:class:`VmSummary`, :func:`percentile`.

Percentiles are *nearest-rank*: pN of n sorted samples is the sample of rank
ceil(N/100 * n) (1-based).  The median is p50, i.e. the lower of the two middle
samples when n is even.  Every reported figure is therefore an observed value.

Python 3 standard library only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from tracedec.assemble import Fault, Rpc, Trace
from tracedec.wire import FAULT_KINDS


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
