"""Boots that must go wrong in a precise way (used by boot_tests.py).

Each scenario boots a special ISO on one topology and checks the kernel's
exit status and what it printed:

``crash``   the ISO's command line is ``crash=pagefault bogus_option poweroff``:
            the unknown option is only a warning, the machine boots, then the
            last core writes to an unmapped address. The exception report must
            name the vector, error code, RIP (symbolized), CR2, every register
            and a symbolized backtrace; no other core may print after it (all
            stopped); the run ends with status 3.
``kcm.*``   DEBUG kernels poison free KCM objects: ``crash=kcm_use_after_free``
            writes into a freed object, ``crash=kcm_double_free`` frees one
            twice; each must end in the panic that names the object (status 3).
``stack_smash`` ``crash=stack_smash`` overflows an array of its own frame: the
            DEBUG kernel's stack protector must name the function (status 3).
``stall``   the ISO's command line is ``crash=stall hung_task_timeout=2
            lockup_timeout=2 poweroff``: a kernel thread of the last core hangs
            on a queuelock (holding another) until the hung-task detector
            reports it with its wait channel, backtrace and locks; then that
            core spins with interrupts off until its neighbour reports a hard
            lockup with the backtrace fetched by NMI; the BSP powers off (0).
``limits``  a kernel built with MAX_CLUSTERS=2 MAX_CORES_PER_CLUSTER=2 boots a
            4-cluster machine and a 4-core cluster: each is refused (status 4)
            with a message naming the parameter to raise.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

import boot_tests
import qemu


@dataclass(frozen=True)
class Scenario:
    name: str           #: result prefix, e.g. "crash"
    iso_key: str        #: which --scenario-iso provides the ISO
    topology: str       #: boot_tests topology name
    status: int         #: expected kernel exit status
    expect: tuple       #: (check name, regex) that must match a console line


CRASH_EXPECT = (
    ("unknown_option_warned", r"^warning: kernel command line: unknown option 'bogus_option' ignored$"),
    ("booted_anyway", r"^all 4 cores online$"),
    ("exception_line", r"^PANIC: exception #PF page fault \(vector 14\) error 0x[0-9a-f]+ "
                       r"on core \d+\.\d+ \(apic \d+\)$"),
    ("rip_symbolized_cr2", r"^  rip 0x[0-9a-f]{16} <crash_fault\+0x[0-9a-f]+>  cr2 0x000000000dead000$"),
    ("registers", r"^  rax 0x[0-9a-f]{16} rbx 0x[0-9a-f]{16} rcx 0x[0-9a-f]{16} rdx 0x[0-9a-f]{16}$"),
    ("registers_high", r"^  r13 0x[0-9a-f]{16} r14 0x[0-9a-f]{16} r15 0x[0-9a-f]{16} cr3 0x[0-9a-f]{16}$"),
    ("backtrace_frame0", r"^    #0 0x[0-9a-f]{16} crash_fault\+0x[0-9a-f]+$"),
    ("backtrace_frame1", r"^    #1 0x[0-9a-f]{16} crash_test\+0x[0-9a-f]+$"),
    ("all_stopped", r"^PANIC: all cores stopped; powering off with status 3$"),
)

#: DEBUG kernels poison free KCM objects (kernel/mm/kcm.c): a write after free and a
#: double free end in a panic that names the object, its size and its cluster.
KCM_UAF_EXPECT = (
    ("detected", r"^PANIC: kcm: use after free: 128-byte object 0x[0-9a-f]+ of cluster 1 "
                 r"written at offset 40 \(0x01\) while it was free$"),
    ("all_stopped", r"^PANIC: all cores stopped; powering off with status 3$"),
)
KCM_DF_EXPECT = (
    ("detected", r"^PANIC: kcm_free: double free of the 128-byte object 0x[0-9a-f]+ of cluster 1$"),
    ("all_stopped", r"^PANIC: all cores stopped; powering off with status 3$"),
)
#: DEBUG kernels are built with GCC's stack protector (one canary per boot).
SMASH_EXPECT = (
    ("detected", r"^PANIC: stack smashing detected: the canary of crash_smash's frame "
                 r"\(return 0x[0-9a-f]{16}\) was overwritten$"),
    ("all_stopped", r"^PANIC: all cores stopped; powering off with status 3$"),
)
STALL_EXPECT = (
    ("hung_task_line", r"^archipel: hung task: stall blocked \(tid 0, pid 0\) of cluster 1 core 1\.1, "
                       r"state D \(lock\), waiting \d+ ms on crash stall wanted at \S+\+0x[0-9a-f]+$"),
    ("hung_task_backtrace", r"^    #\d+ 0x[0-9a-f]{16} crash_stall_blocked\+0x[0-9a-f]+$"),
    ("hung_task_lock_held", r"^    lock held: 'crash stall own' \(rank 9\) taken at crash_stall_blocked\+"),
    ("spinning", r"^crash test: core 1\.1 now spins with interrupts off$"),
    ("hard_lockup_line", r"^archipel: hard lockup on core 1\.1: no timer interrupt for \d+ ms "
                         r"\(seen from core 1\.0\), running thread main$"),
    ("nmi_interrupts_off", r"^  core 1\.1 \(NMI\): interrupts off, backtrace:$"),
    ("nmi_backtrace", r"^    #\d+ 0x[0-9a-f]{16} crash_stall_spin\+0x[0-9a-f]+$"),
    ("powered_off", r"^poweroff: status 0$"),
)

SCENARIOS = (
    Scenario("crash", "crash", "2x2", 3, CRASH_EXPECT),
    Scenario("kcm.use_after_free", "kcm-uaf", "2x1", 3, KCM_UAF_EXPECT),
    Scenario("kcm.double_free", "kcm-df", "2x1", 3, KCM_DF_EXPECT),
    Scenario("stack_smash", "smash", "2x1", 3, SMASH_EXPECT),
    Scenario("stall", "stall", "2x2", 0, STALL_EXPECT),
    Scenario("limits.clusters", "limits", "4x1", 4,
             (("refused", r"^boot refused: topology: .*MAX_CLUSTERS"),)),
    Scenario("limits.cores", "limits", "1x4", 4,
             (("refused", r"^boot refused: topology: .*MAX_CORES_PER_CLUSTER"),)),
)


def check_single_core_after_crash(lines: list[tuple[str, str]]) -> list[str]:
    """After the ``crash test:`` line, only the crashing core may print."""
    start = next((i for i, (_, text) in enumerate(lines) if text.startswith("crash test:")), None)
    if start is None:
        return ["no 'crash test:' line"]
    core = lines[start][0]
    others = [f"[{c}] {t}" for c, t in lines[start + 1:] if c != core]
    return [f"another core printed after the crash: {ln}" for ln in others[:5]]


def run_scenario(sc: Scenario, iso: str, timeout: float, log_dir: str,
                 writer: boot_tests.KtapWriter, qemu_binary: str) -> None:
    topo = boot_tests.topology_from_name(sc.topology).topo
    log_path = os.path.join(log_dir, f"scenario-{sc.name}.log")
    shown = boot_tests.display_path(log_path)
    writer.diag(f"{sc.name}: booting {topo.describe()} from {boot_tests.display_path(iso)}, "
                f"log {shown}")
    result = qemu.run(qemu.build_command(iso, topo, qemu=qemu_binary), timeout=timeout,
                      log_path=log_path, interactive=False)
    if result.kind == "interrupted":
        raise KeyboardInterrupt
    lines = [(core, text) for core, text in boot_tests.console_lines(result.log_text)]
    texts = [text for _, text in lines]

    ok = result.kind == "kernel" and result.status == sc.status
    got = f"kernel status {result.status}" if result.kind == "kernel" else result.message
    writer.result(f"{sc.name}.exit", ok,
                  [] if ok else [f"{got}, expected kernel status {sc.status}", f"log: {shown}"]
                  + boot_tests.log_tail(result.log_text))
    for check, pattern in sc.expect:
        found = any(re.search(pattern, t) for t in texts)
        writer.result(f"{sc.name}.{check}", found,
                      [] if found else [f"no console line matches {pattern!r}", f"log: {shown}"])
    if sc.name == "crash":
        problems = check_single_core_after_crash(lines)
        writer.result("crash.others_silent", not problems, problems + [f"log: {shown}"]
                      if problems else [])


def run_all(isos: dict[str, str], timeout: float, log_dir: str,
            writer: boot_tests.KtapWriter, qemu_binary: str) -> None:
    """Runs every scenario whose ISO is in ``isos`` (key -> path)."""
    for sc in SCENARIOS:
        iso = isos.get(sc.iso_key)
        if iso is None:
            continue
        if not os.path.isfile(iso):
            writer.result(f"{sc.name}.exit", False, [f"scenario ISO {iso} not found"])
            continue
        run_scenario(sc, iso, timeout, log_dir, writer, qemu_binary)
