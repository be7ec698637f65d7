"""The plain-text summary of a trace (what ``tools/trace --summary`` prints): header
facts, RPCs by type and by cluster pair, page faults, TLB shootdowns, processes,
totals, as aligned tables.

Entry points: :func:`format_summary`, :func:`format_table`, :func:`format_wait_status`.

Python 3 standard library only.
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence

from tracedec.assemble import Trace
from tracedec.stats import Summary, VmSummary, summarize, summarize_vm
from tracedec.wire import FAULT_KINDS


def format_wait_status(status: Optional[int]) -> str:
    """A Linux wait status as "exit N" / "signal N", or "-" (did not end in the trace)."""
    if status is None:
        return "-"
    if status & 0x7F:
        return f"signal {status & 0x7F}"
    return f"exit {(status >> 8) & 0xFF}"


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
    out += _format_signals(trace)

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
        ["signals sent", str(len(trace.signals))],
        ["records lost", str(t.records_lost)],
        ["unknown events", str(t.unknown_events)],
    ])[1:]
    out.append("")
    out.append("Percentiles are nearest-rank: pN is the sample of rank ceil(N/100 * n) of the "
               "n sorted samples;")
    out.append("the median is p50 (the lower middle sample when n is even). "
               "us = cycles / TSC frequency.")
    return "\n".join(out) + "\n"


def _format_signals(trace: Trace) -> List[str]:
    """Signals by (sender cluster, target cluster): how many, and which signals."""
    out = ["Signals by cluster pair  (sender -> target's cluster; recorded when pending)"]
    pairs: dict = {}
    for sg in trace.signals:
        pairs.setdefault((sg.sender_cxy, sg.target_cxy), []).append(sg.sig)
    if pairs:
        rows = [[f"{a} -> {b}", str(len(sigs)), ",".join(str(n) for n in sorted(set(sigs)))]
                for (a, b), sigs in sorted(pairs.items())]
        out += format_table(["pair", "count", "signals"], rows)
    else:
        out.append("  (no signal)")
    out.append("")
    return out


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
