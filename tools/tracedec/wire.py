"""The trace stream's wire format (the contract of ``kernel/kern/trace.h``) and its decoding.

The stream is a sequence of 32-byte little-endian records::

    struct trace_rec { u64 tsc; u16 cxy; u16 lid; u16 event; u16 aux; u64 arg0; u64 arg1; }

The first record is a ``TRACE_HEADER`` (tsc = TSC frequency in Hz, arg0 = magic,
arg1 = nclusters | ncores << 16 | version << 32); ``TRACE_NAME`` records name the
RPC types; then come the events, in the order each core recorded them, the cores
interleaved -- :func:`decode` sorts them by TSC (stable, so the order of one core's
records with equal TSCs is kept).

This module knows records, not what they mean together: :mod:`tracedec.assemble`
pairs them into RPCs, faults, shootdowns and process events.

Python 3 standard library only.
"""

from __future__ import annotations

import struct
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from typing import Dict, List

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
TRACE_SIGNAL = 16    # aux = signal; arg0 = sender pid | cxy << 48; arg1 = target pid/tid | cxy << 48
TRACE_EVENTS = 17

# TRACE_FAULT kinds (aux & 0xff), in kernel/kern/trace.h's order
FAULT_KINDS = ("local", "global", "false", "cow", "bad")
FAULT_WRITE = 0x100

VEC_SHOOTDOWN = 0x25  # kernel/kern/ipi.h: the TLB shootdown IPI

TRACE_MAGIC = 0x3143525448435241  # b"ARCHTRC1" read as a little-endian u64
TRACE_VERSION = 1

EVENT_NAMES = {
    TRACE_HEADER: "HEADER", TRACE_NAME: "NAME", TRACE_RPC_SEND: "RPC_SEND",
    TRACE_RPC_START: "RPC_START", TRACE_RPC_END: "RPC_END", TRACE_RPC_REPLY: "RPC_REPLY",
    TRACE_IPI_SEND: "IPI_SEND", TRACE_IPI_RECV: "IPI_RECV", TRACE_LOST: "LOST",
    TRACE_SHOOTDOWN: "SHOOTDOWN", TRACE_FAULT: "FAULT", TRACE_FORK: "FORK",
    TRACE_EXEC: "EXEC", TRACE_EXIT: "EXIT", TRACE_THREAD: "THREAD", TRACE_COPY: "COPY",
    TRACE_SIGNAL: "SIGNAL",
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
class Stream:
    """A decoded stream: its header, the RPC type names, the event records."""
    header: Header
    names: Dict[int, str]                # RPC type -> name (TRACE_NAME records)
    events: List[Record]                 # event records (not HEADER/NAME), sorted by tsc
    unknown: Counter                     # event number -> count
    warnings: List[str]                  # recoverable problems, in the order found
    trailing_bytes: int = 0              # of a partial last record, ignored


def decode_name(arg0: int, arg1: int) -> str:
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


def decode(data: bytes) -> Stream:
    """Splits a whole trace stream into its header, names and events (sorted by tsc).

    Raises TraceError if ``data`` is empty, has no complete header record, or the
    header is not a valid Archipel header of a supported version.  Recoverable
    problems (a truncated last record, extra headers, an RPC type named twice,
    unknown event numbers) become ``Stream.warnings``; records with an unknown
    event number keep their place in ``events`` and are ignored by every consumer.
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
            name = decode_name(rec.arg0, rec.arg1)
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
    return Stream(header=header, names=names, events=events, unknown=unknown,
                  warnings=warnings, trailing_bytes=trailing)
