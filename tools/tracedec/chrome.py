"""The trace in the Chrome Trace Event Format (JSON), which ui.perfetto.dev and
chrome://tracing open: one process per cluster, one thread per core (plus extra
lanes where complete events overlap without nesting), RPC handlers and client
waits, page faults, TLB shootdowns and flushes as slices, flow arrows from each
RPC send to its handler and from each shootdown IPI to the flush it caused,
process events, other IPIs and lost records as instants.

Entry points: :func:`chrome_trace` (the object), :func:`write_chrome_json` (the file).

Python 3 standard library only.
"""

from __future__ import annotations

import json
import os
from typing import IO, Dict, List, Tuple

from tracedec.assemble import Ipi, ProcEvent, Trace
from tracedec.text import format_wait_status
from tracedec.wire import VEC_SHOOTDOWN


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
