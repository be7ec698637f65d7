"""GDB commands that show Archipel's distributed kernel state (``make debug``).

Loaded by tools/gdb/archipel.gdb (``source tools/gdb/archipel.py``). Commands::

    archipel clusters               cores, memory, free pages, RPC FIFO depth per cluster
    archipel procs                  processes: PID, owner, reference, copies, threads
    archipel vsl PID [CXY]          vsegs of PID's copy in cluster CXY (default: the reference)
    archipel gpt PID CXY VADDR      the PTE of VADDR in every copy of PID, CXY's first
    archipel rpcq CXY               the descriptors waiting in cluster CXY's RPC FIFO
    archipel locks                  the locks held by each core's current thread
                                    and by every other thread that holds one (DEBUG build)

Every structure is read through its DWARF type (gdb.lookup_type), so a field
that moves is followed and a field that disappears is an error naming it.
Extended pointers are decoded as kernel/hal: cluster in bits 63:48, the low
48 bits of a kernel virtual address below (sign-extended from bit 47); page
tables are walked through the direct map at DIRECT_MAP_BASE.

The module imports without gdb (the helpers below ``# --- pure helpers`` are
unit-tested by tests/e2e/test_gdb.py); the commands exist only inside GDB.
Python standard library and the gdb module only.
"""

from __future__ import annotations

import struct

try:
    import gdb  # type: ignore
    if not hasattr(gdb, "Command"):     # tools/gdb/ itself, as a namespace package
        gdb = None
except ImportError:       # imported by the host unit tests
    gdb = None

# --- pure helpers (no gdb) ---------------------------------------------------------------

#: boot/layout.h: physical memory is mapped at this kernel virtual address.
DIRECT_MAP_BASE = 0xFFFF800000000000
PAGE_SHIFT = 12
XPTR_CXY_SHIFT = 48

#: x86_64 PTE bits (hal/x86_64/hal_gpt.c) -> short flag names, in display order.
PTE_P, PTE_W, PTE_U, PTE_A, PTE_D, PTE_PS = 1 << 0, 1 << 1, 1 << 2, 1 << 5, 1 << 6, 1 << 7
PTE_COW, PTE_FILE, PTE_SHARED, PTE_XD = 1 << 9, 1 << 10, 1 << 11, 1 << 63
PTE_ADDR = 0x000FFFFFFFFFF000

#: Generic GPT_* attributes (hal/x86_64/hal_gpt.h) and their short names.
GPT_FLAGS = (
    (0x0001, "P"),        # GPT_MAPPED
    (0x0002, "W"),        # GPT_WRITABLE
    (0x0004, "U"),        # GPT_USER
    (0x0008, "X"),        # GPT_EXEC
    (0x0010, "A"),        # GPT_ACCESSED
    (0x0020, "D"),        # GPT_DIRTY
    (0x0040, "COW"),      # GPT_COW
    (0x0080, "FILE"),     # GPT_FILE
    (0x0100, "SHARED"),   # GPT_SHARED
)

#: thread_t.blocked bits (kernel/kern/thread.h).
BLOCKED_BITS = ((0x01, "idle"), (0x02, "lock"), (0x04, "rpc"), (0x08, "sleep"), (0x80, "exit"))


def xptr_cxy(xp: int) -> int:
    """Cluster of extended pointer ``xp`` (GET_CXY)."""
    return (xp >> XPTR_CXY_SHIFT) & 0xFFFF


def xptr_ptr(xp: int) -> int:
    """Local (kernel virtual) address of ``xp`` (GET_PTR: sign extension from bit 47)."""
    low = xp & ((1 << 48) - 1)
    return low | (0xFFFF << 48) if low & (1 << 47) else low


def make_xptr(cxy: int, ptr: int) -> int:
    """XPTR(cxy, ptr)."""
    return ((cxy & 0xFFFF) << XPTR_CXY_SHIFT) | (ptr & ((1 << 48) - 1))


def pte_to_attr(pte: int) -> int:
    """The GPT_* attributes of hardware PTE ``pte`` (0 when not present), as hal_gpt.c."""
    if not pte & PTE_P:
        return 0
    attr = 0x0001
    for bit, flag in ((PTE_W, 0x2), (PTE_U, 0x4), (PTE_A, 0x10), (PTE_D, 0x20),
                      (PTE_COW, 0x40), (PTE_FILE, 0x80), (PTE_SHARED, 0x100)):
        if pte & bit:
            attr |= flag
    if not pte & PTE_XD:
        attr |= 0x8
    return attr


def attr_names(attr: int) -> str:
    """``attr`` (GPT_*) as comma-separated short names, ``-`` when unmapped."""
    names = [name for bit, name in GPT_FLAGS if attr & bit]
    return ",".join(names) if names else "-"


def prot_string(prot: int) -> str:
    """PROT_* bits as ``rwx`` with dashes (Linux /proc/PID/maps style)."""
    return ("r" if prot & 1 else "-") + ("w" if prot & 2 else "-") + ("x" if prot & 4 else "-")


def blocked_string(blocked: int) -> str:
    """thread_t.blocked as ``ready`` or the reasons joined by ``+``."""
    if blocked == 0:
        return "ready"
    names = [name for bit, name in BLOCKED_BITS if blocked & bit]
    rest = blocked & ~sum(bit for bit, _ in BLOCKED_BITS)
    if rest:
        names.append(hex(rest))
    return "+".join(names)


def vpn_indexes(vpn: int) -> list[int]:
    """Table indexes of ``vpn``: PML4, PDPT, PD, PT (level 3 down to 0)."""
    return [(vpn >> (9 * level)) & 511 for level in (3, 2, 1, 0)]


def parse_int(text: str, what: str) -> int:
    """``text`` as an integer (decimal, 0x hex); ValueError naming ``what`` otherwise."""
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"bad {what} '{text}': not a number") from None


def format_table(headers: list[str], rows: list[list[str]], indent: str = "") -> str:
    """Rows aligned in columns under ``headers`` (left-aligned, two spaces apart)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [headers] + rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return "\n".join(lines) + "\n"


# --- reading the kernel (gdb only) ---------------------------------------------------------

class ArchipelError(Exception):
    """A user-facing error of an archipel command (one line)."""


def _type(name: str):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        raise ArchipelError(f"type {name} not found: load build/archipel.elf "
                            "(the kernel with debug information)") from None


def _field_offset(typ, path: str) -> int:
    """offsetof(typ, path) for a dotted field path, from DWARF."""
    off = 0
    t = typ.strip_typedefs()
    for name in path.split("."):
        for f in t.fields():
            if f.name == name:
                off += f.bitpos // 8
                t = f.type.strip_typedefs()
                break
        else:
            raise ArchipelError(f"{typ} has no field {name}: the kernel layout changed")
    return off


def _deref(addr: int, type_name: str):
    """The object of type ``type_name`` at kernel address ``addr`` (a gdb.Value)."""
    return gdb.Value(addr).cast(_type(type_name).pointer()).dereference()


def _u(value) -> int:
    """A gdb.Value (integer or pointer) as a Python int, unsigned 64 bits."""
    return int(value.cast(_type("uint64_t"))) & 0xFFFFFFFFFFFFFFFF \
        if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR else int(value) & (2**64 - 1)


def _read_u64(addr: int) -> int:
    mem = gdb.selected_inferior().read_memory(addr, 8)
    return struct.unpack("<Q", bytes(mem))[0]


def _read_u64s(addr: int, count: int) -> list[int]:
    mem = gdb.selected_inferior().read_memory(addr, 8 * count)
    return list(struct.unpack(f"<{count}Q", bytes(mem)))


def _array_len(value) -> int:
    lo, hi = value.type.strip_typedefs().range()
    return hi - lo + 1


def _cstr(value) -> str:
    """A char[] or const char * field as a Python string ('?' when unreadable)."""
    try:
        if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR and _u(value) == 0:
            return "-"
        return value.string(errors="replace", length=-1).split("\x00")[0] \
            if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR \
            else bytes(gdb.selected_inferior().read_memory(
                int(value.address), value.type.sizeof)).split(b"\0")[0].decode(
                    errors="replace")
    except gdb.MemoryError:
        return "?"


def _enum_name(type_name: str, number: int, strip: str = "") -> str:
    """The enumerator of ``type_name`` whose value is ``number`` (its number otherwise)."""
    try:
        t = gdb.lookup_type(type_name).strip_typedefs()
        for f in t.fields():
            if f.enumval == number:
                return f.name[len(strip):] if f.name.startswith(strip) else f.name
    except gdb.error:
        pass
    return str(number)


def _symbol(addr: int) -> str:
    """``function+off`` of code address ``addr``."""
    try:
        block = gdb.block_for_pc(addr)
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            return f"{block.function.name}+{addr - block.start:#x}"
    except RuntimeError:
        pass
    return f"{addr:#x}"


def _rpc_name(rpc_type: int) -> str:
    """Name of RPC type ``rpc_type``: rpc_table[type].name, else its rpc_type_t enumerator."""
    try:
        table = gdb.parse_and_eval("rpc_table")
        if 0 <= rpc_type < _array_len(table):
            name = _cstr(table[rpc_type]["name"])
            if name not in ("-", "?", ""):
                return name
    except gdb.error:
        pass
    return _enum_name("enum rpc_type_e", rpc_type, "RPC_")


def _rpc_args_text(d) -> str:
    """The arguments of rpc_desc_t ``d``: the fields of the rpc_args_t member named after
    its type (RPC_PPM_ALLOC: ppm_alloc) as ``name=value,...``; ``-`` for a type without."""
    member = _enum_name("enum rpc_type_e", int(d["type"]), "RPC_").lower()
    args = d["args"]
    for f in args.type.strip_typedefs().fields():
        if f.name == member:
            value = args[member]
            return ",".join(f"{g.name}={_u(value[g.name]):#x}"
                            for g in f.type.strip_typedefs().fields())
    return "-"


def _selected_core() -> int:
    """Address of the core_t of GDB's selected thread (its GS base), or 0."""
    try:
        return _u(gdb.parse_and_eval("$gs_base"))
    except gdb.error:
        return 0


def clusters() -> dict[int, object]:
    """cxy -> cluster_t Value, for every cluster of cluster_tbl."""
    try:
        tbl = gdb.parse_and_eval("cluster_tbl")
        out = {}
        for cxy in range(_array_len(tbl)):
            ptr = _u(tbl[cxy])
            if ptr:
                out[cxy] = tbl[cxy].dereference()
        if not out:
            raise ArchipelError("no cluster yet: the kernel has not built its clusters "
                                "(continue past cluster_init)")
        return out
    except gdb.MemoryError as exc:
        raise ArchipelError(f"cannot read the kernel's memory ({exc}): "
                            "stop the guest once the kernel runs") from None


def cluster_arg(text: str) -> int:
    """The cxy named by ``text``, checked against the clusters that exist."""
    try:
        cxy = parse_int(text, "CXY")
    except ValueError as exc:
        raise ArchipelError(str(exc)) from None
    cl = clusters()
    if cxy not in cl:
        raise ArchipelError(f"no cluster {cxy} (clusters: {', '.join(map(str, sorted(cl)))})")
    return cxy


def processes() -> list[object]:
    """Every live process_t named in an owner's PID table (not the TID entries)."""
    out = []
    for cxy, cl in sorted(clusters().items()):
        tbl = cl["pid_tbl"]
        for entry in _read_u64s(int(tbl.address), _array_len(tbl)):
            if entry and not entry & 1:        # PID_TID entries name threads
                out.append(_deref(entry, "process_t"))
    return out


def process_by_pid(pid_text: str):
    """The process_t (as found in its owner's table) of PID ``pid_text``."""
    try:
        pid = parse_int(pid_text, "PID")
    except ValueError as exc:
        raise ArchipelError(str(exc)) from None
    for p in processes():
        if int(p["pid"]) == pid:
            return p
    raise ArchipelError(f"no process {pid}")


def process_copies(p) -> list[tuple[int, object]]:
    """(cxy, process_t) of every copy of process ``p``, the reference first."""
    ref = _deref(_u(p["ref"]), "process_t")
    ref_cxy = int(ref["ref_cxy"])
    out = [(ref_cxy, ref)]
    ptype = _type("process_t")
    link = _field_offset(ptype, "copy_list")
    root = make_xptr(ref_cxy, int(ref["copies_root"].address))
    cur = _read_u64(xptr_ptr(root))
    seen = 0
    while cur and cur != root and seen < 4096:
        out.append((xptr_cxy(cur), _deref(xptr_ptr(cur) - link, "process_t")))
        cur = _read_u64(xptr_ptr(cur))
        seen += 1
    return out


def copy_in(p, cxy: int):
    """The copy of process ``p`` in cluster ``cxy``."""
    for c, copy in process_copies(p):
        if c == cxy:
            return copy
    raise ArchipelError(f"process {int(p['pid'])} has no copy in cluster {cxy}")


def xlist_entries(root_addr: int, root_cxy: int, limit: int = 65536) -> list[int]:
    """xptrs of the entries of the xlist whose root is at ``root_addr`` in ``root_cxy``."""
    root = make_xptr(root_cxy, root_addr)
    out, cur = [], _read_u64(root_addr)
    while cur and cur != root and len(out) < limit:
        out.append(cur)
        cur = _read_u64(xptr_ptr(cur))
    return out


def gpt_walk(root_phys: int, vpn: int) -> int:
    """The leaf PTE of ``vpn`` in the page table rooted at ``root_phys`` (0 when absent)."""
    table = root_phys
    for level, index in zip((3, 2, 1, 0), vpn_indexes(vpn)):
        entry = _read_u64(DIRECT_MAP_BASE + table + 8 * index)
        if not entry & PTE_P:
            return 0
        if level == 0 or entry & PTE_PS:
            return entry
        table = entry & PTE_ADDR
    return 0


def page_of(ppn: int):
    """(cxy, page_t Value) of physical page ``ppn`` from the PPMs, or (None, None)."""
    for cxy, cl in clusters().items():
        buddy = cl["ppm"]["buddy"]
        base, n = int(buddy["base_pfn"]), int(buddy["npages"])
        if base <= ppn < base + n:
            return cxy, buddy["pages"][ppn - base]
    return None, None


def core_threads(core) -> list[object]:
    """Every thread_t in ``core``'s scheduler list."""
    sched = core["sched"]
    root = int(sched["threads"].address)
    link = _field_offset(_type("thread_t"), "sched_list")
    out, cur = [], _u(sched["threads"]["next"])
    while cur and cur != root and len(out) < 4096:
        out.append(_deref(cur - link, "thread_t"))
        cur = _read_u64(cur)
    return out


# --- the commands ---------------------------------------------------------------------------

def cmd_clusters(args: list[str]) -> str:
    if args:
        raise ArchipelError("usage: archipel clusters")
    rows = []
    for cxy, cl in sorted(clusters().items()):
        buddy = cl["ppm"]["buddy"]
        fifo = cl["rpc_fifo"]
        depth = (int(fifo["tail"]) - int(fifo["head"])) & 0xFFFFFFFF
        rows.append([str(cxy), str(int(cl["ncores"])), str(int(cl["cores_online"])),
                     str(int(cl["mem_bytes"]) >> 20), str(int(buddy["managed_pages"])),
                     str(int(buddy["free_pages"])), str(int(buddy["free_pages"]) >> 8),
                     str(depth), str(int(fifo["posted"])), str(int(cl["processes"]))])
    return format_table(["CXY", "CORES", "ONLINE", "MEM_MIB", "MANAGED", "FREE_PAGES",
                         "FREE_MIB", "RPC_DEPTH", "RPC_POSTED", "PROCS"], rows)


def cmd_procs(args: list[str]) -> str:
    if args:
        raise ArchipelError("usage: archipel procs")
    rows = []
    for p in processes():
        pid = int(p["pid"])
        ref = _deref(_u(p["ref"]), "process_t")
        copies = process_copies(p)
        state = {1: "running", 2: "zombie"}.get(int(p["state"]), str(int(p["state"])))
        where = ",".join(str(c) for c in sorted(c for c, _ in copies))
        rows.append([str(pid), f"{pid:#x}", _cstr(p["name"]), state, str(int(p["ppid"])),
                     str(pid >> 16), str(int(ref["ref_cxy"])), str(len(copies)), where,
                     str(int(ref["nthreads"]))])
    if not rows:
        return "no process\n"
    return format_table(["PID", "PID_HEX", "NAME", "STATE", "PPID", "OWNER", "REF", "COPIES",
                         "CLUSTERS", "THREADS"], rows)


def cmd_vsl(args: list[str]) -> str:
    if not 1 <= len(args) <= 2:
        raise ArchipelError("usage: archipel vsl PID [CXY]")
    p = process_by_pid(args[0])
    ref = _deref(_u(p["ref"]), "process_t")
    cxy = cluster_arg(args[1]) if len(args) == 2 else int(ref["ref_cxy"])
    copy = copy_in(p, cxy)
    vmm = copy["vmm"]
    link = _field_offset(_type("vseg_t"), "list")
    rows = []
    for xp in xlist_entries(int(vmm["vsl_root"].address), cxy):
        v = _deref(xptr_ptr(xp) - link, "vseg_t")
        vmin, vmax = _u(v["min"]), _u(v["max"])
        vtype = _enum_name("vseg_type_t", int(v["type"]), "VSEG_")
        extra = []
        if vtype == "REMOTE":
            extra.append(f"pages_in={int(v['cxy'])}")
        if _u(v["file"]):
            extra.append(f"file_off={_u(v['file_off']):#x}")
        if bool(v["shared"]):
            extra.append("shared")
        rows.append([f"{vmin:#014x}", f"{vmax:#014x}", str((vmax - vmin) >> PAGE_SHIFT),
                     vtype, prot_string(int(v["prot"])), " ".join(extra) or "-"])
    lock = vmm["vsl_lock"]
    head = (f"process {int(p['pid'])} ({_cstr(p['name'])}) copy in cluster {cxy} "
            f"({'reference' if bool(vmm['is_ref']) else 'copy'}), {int(vmm['vsegs'])} vsegs, "
            f"vsl_lock readers {int(lock['readers'])} writer {int(lock['writer'])}\n")
    return head + format_table(["START", "END", "PAGES", "TYPE", "PROT", "EXTRA"], rows)


def cmd_gpt(args: list[str]) -> str:
    if len(args) != 3:
        raise ArchipelError("usage: archipel gpt PID CXY VADDR")
    p = process_by_pid(args[0])
    cxy = cluster_arg(args[1])
    try:
        vaddr = parse_int(args[2], "VADDR")
    except ValueError as exc:
        raise ArchipelError(str(exc)) from None
    if not 0 <= vaddr < (1 << 47):
        raise ArchipelError(f"bad VADDR {vaddr:#x}: not a user address")
    copies = process_copies(p)
    copy_in(p, cxy)                                  # CXY must hold a copy
    ref_cxy = copies[0][0]
    copies.sort(key=lambda c: (c[0] != cxy, c[0] != ref_cxy, c[0]))
    vpn = vaddr >> PAGE_SHIFT
    rows = []
    for c, copy in copies:
        vmm = copy["vmm"]
        pte = gpt_walk(_u(vmm["gpt"]["root"]), vpn)
        attr = pte_to_attr(pte)
        if attr:
            ppn = (pte & PTE_ADDR) >> PAGE_SHIFT
            pcxy, page = page_of(ppn)
            forks = str(int(page["forks"])) if page is not None else "-"
            cells = [f"{ppn:#x}", "-" if pcxy is None else str(pcxy), forks]
        else:
            cells = ["-", "-", "-"]
        rows.append(["*" if c == cxy else " ", str(c),
                     "ref" if bool(vmm["is_ref"]) else "copy",
                     *cells, f"{pte:#018x}", attr_names(attr)])
    head = (f"process {int(p['pid'])} ({_cstr(p['name'])}) vaddr {vaddr:#x} vpn {vpn:#x}: "
            f"{len(copies)} copies, * = cluster {cxy}\n")
    return head + format_table([" ", "CXY", "COPY", "PPN", "PAGE_CXY", "FORKS", "PTE",
                                "FLAGS"], rows)


def cmd_rpcq(args: list[str]) -> str:
    if len(args) != 1:
        raise ArchipelError("usage: archipel rpcq CXY")
    cxy = cluster_arg(args[0])
    fifo = clusters()[cxy]["rpc_fifo"]
    head, tail = int(fifo["head"]), int(fifo["tail"])
    slots = _array_len(fifo["slot"])
    depth = (tail - head) & 0xFFFFFFFF
    rows = []
    for i in range(min(depth, slots)):
        index = (head + i) % slots
        xp = _u(fifo["slot"][index])
        d = _deref(xptr_ptr(xp), "rpc_desc_t")
        client = _u(d["thread"])
        cname = _cstr(_deref(xptr_ptr(client), "thread_t")["name"]) if client else "-"
        args_text = _rpc_args_text(d)
        rows.append([str(index), f"{xp:#018x}", str(xptr_cxy(xp)),
                     _rpc_name(int(d["type"])), str(int(d["id"])),
                     str(int(d["responses"])), cname, args_text])
    text = (f"cluster {cxy} RPC FIFO: head {head} tail {tail} depth {depth} "
            f"posted {int(fifo['posted'])}\n")
    if not rows:
        return text + "(empty)\n"
    return text + format_table(["SLOT", "DESC", "CLIENT_CXY", "TYPE", "ID", "RESPONSES",
                                "CLIENT", "ARGS"], rows)


def cmd_locks(args: list[str]) -> str:
    if args:
        raise ArchipelError("usage: archipel locks")
    rows = []
    selected = _selected_core()
    for cxy, cl in sorted(clusters().items()):
        for lid in range(int(cl["ncores"])):
            core = cl["core"][lid]
            mark = "*" if int(core.address) == selected else " "
            current = _u(core["sched"]["current"])
            threads = core_threads(core)
            if current and all(int(t.address) != current for t in threads):
                threads.insert(0, _deref(current, "thread_t"))
            for t in threads:
                is_current = int(t.address) == current
                locks = t["locks"]
                nheld = min(int(locks["nheld"]), _array_len(locks["held"]))
                if not is_current and nheld == 0:
                    continue
                state = "running" if is_current else blocked_string(int(t["blocked"]))
                who = [mark, f"{cxy}.{lid}", f"{int(t['trdid']):#x}", _cstr(t["name"]), state]
                if nheld == 0:
                    rows.append(who + ["-", "-", "-", "-", "-", "-"])
                for i in range(nheld):
                    h = locks["held"][i]
                    rank = int(h["rank"])
                    rows.append(who + [str(rank), _enum_name("enum lock_rank", rank, "RANK_"),
                                       "busy" if int(h["busy"]) else "block",
                                       _cstr(h["name"]), f"{_u(h['lock']):#x}",
                                       _symbol(_u(h["site"]))])
    return ("locks held by each core's current thread and by every other thread that "
            "holds one; * = GDB's selected core\n" +
            format_table([" ", "CORE", "THREAD", "NAME", "STATE", "RANK", "RANK_NAME", "KIND",
                          "LOCK", "ADDR", "SITE"], rows))


COMMANDS = {
    "clusters": (cmd_clusters, "",
                 "Cores, memory, free pages and RPC FIFO depth of each cluster."),
    "procs": (cmd_procs, "",
              "Processes: PID, owner and reference clusters, copies, threads."),
    "vsl": (cmd_vsl, "PID [CXY]",
            "The vsegs of PID's copy in cluster CXY (default: the reference)."),
    "gpt": (cmd_gpt, "PID CXY VADDR",
            "The PTE of VADDR in every copy of PID; CXY's copy first, marked *."),
    "rpcq": (cmd_rpcq, "CXY", "The RPC descriptors waiting in cluster CXY's FIFO."),
    "locks": (cmd_locks, "",
              "Locks held (in rank order) by each core's current thread and by every other\n"
              "thread that holds one (DEBUG build: thread_t.locks)."),
}


def command_list() -> str:
    """The subcommands, one per line (`archipel` alone prints it)."""
    return "archipel subcommands:\n" + "".join(
        f"  archipel {(name + ' ' + usage).strip():<27} {doc.splitlines()[0]}\n"
        for name, (_, usage, doc) in COMMANDS.items())


def run_command(name: str, argument: str) -> str:
    """Runs subcommand ``name`` with ``argument``: its output, or gdb.GdbError."""
    fn = COMMANDS[name][0]
    try:
        return fn(gdb.string_to_argv(argument))
    except ArchipelError as exc:
        raise gdb.GdbError(str(exc)) from None
    except gdb.MemoryError as exc:
        raise gdb.GdbError(f"archipel {name}: cannot read kernel memory: {exc}") from None


if gdb is not None:
    class ArchipelPrefix(gdb.Command):
        """Archipel's kernel state: clusters, processes, VSLs, page tables, RPC FIFOs, locks.

Subcommands (help archipel SUBCOMMAND for each):
  archipel clusters            cores, memory, free pages, RPC FIFO depth per cluster
  archipel procs               PID, owner cluster, reference cluster, copies
  archipel vsl PID [CXY]       vsegs of PID's copy in cluster CXY (default: reference)
  archipel gpt PID CXY VADDR   PTE of VADDR in every copy (CXY's first, marked *)
  archipel rpcq CXY            descriptors pending in cluster CXY's RPC FIFO
  archipel locks               locks held per core (current thread) and by other threads
PID and CXY are decimal or 0x hex. Stop the guest after the clusters are built."""

        def __init__(self):
            super().__init__("archipel", gdb.COMMAND_USER, gdb.COMPLETE_NONE, True)

        def invoke(self, argument, from_tty):
            words = gdb.string_to_argv(argument)
            if words:
                raise gdb.GdbError(f"archipel: no subcommand '{words[0]}'\n"
                                   + command_list().rstrip())
            gdb.write(command_list())

    def _make(name, usage, doc):
        class Sub(gdb.Command):
            __doc__ = f"{doc}\nUsage: archipel {(name + ' ' + usage).strip()}"

            def __init__(self):
                super().__init__(f"archipel {name}", gdb.COMMAND_USER)

            def invoke(self, argument, from_tty):
                gdb.write(run_command(name, argument))
        Sub.__name__ = f"Archipel_{name}"
        return Sub

    ArchipelPrefix()
    for _name, (_fn, _usage, _doc) in COMMANDS.items():
        _make(_name, _usage, _doc)()
