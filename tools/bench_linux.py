#!/usr/bin/env python3
"""make bench-linux: Archipel against Debian's Linux 6.1 on the identical QEMU NUMA machine.

For each topology (CLUSTERSxCORES, ``--mem`` MiB per cluster, the same
``tools/qemu.py`` machine, CPU model and memory for both kernels) the driver
boots Archipel and Linux alternately, A L A L ..., ``--runs`` times each. Both
kernels boot from a GRUB 2 ISO made by grub-mkrescue (so firmware and GRUB cost
the same), both run the same static binary, ``user/bin/cmpbench`` (its first
program after init), which prints

    cmpbench: tsc_mhz=F
    cmpbench: NAME n=N median=M p99=P ns median_cycles=MC p99_cycles=PC

and both end the VM through the isa-debug-exit port with cmpbench's status
(the Linux side is built by ``tools/linux_image.py``).

Aggregation. Under QEMU TCG the guest TSC counts the host's TSC ticks from the
VM start, on both kernels: cycles are the one unit the two systems share
exactly. For each (topology, kernel, figure) the driver takes the median over
the successful runs of each run's median in cycles; the ratio is
Archipel / Linux of those (below 1: Archipel is faster). Times are shown in
ns / us / ms converted with ONE frequency, the median of every run's calibrated
``tsc_mhz`` (each run calibrates RDTSC against its kernel's CLOCK_MONOTONIC), so
that a calibration difference between the kernels cannot bias a ratio.

Output: a table on the terminal, ``OUT/results.json``, ``OUT/linux-vs-archipel.svg``
(ratio per figure per topology, log scale, a line at 1.0) and one console log
per boot, ``OUT/logs/<os>-<topology>-<run>.log``. The default OUT is
build/bench/linux (build/bench/results.json belongs to ``make bench``).

results.json schema (version 1)::

    {
      "schema": "archipel-bench-linux/1",
      "date": "2026-01-01T12:00:00Z",          # UTC, end of the benchmark
      "runs": 5,                               # boots per kernel per topology asked
      "mem_mib": 128,                          # per cluster
      "tsc_mhz": 2600.1,                       # the common conversion frequency
      "ok": true,                              # every boot succeeded
      "wall_s": 812.3,                         # whole benchmark
      "archipel": {"iso": "...", "build": "DEBUG=0 INSTRUMENT=0 KTEST=0"},
      "linux": {"iso": "...", "package": "linux-image-6.1.0-N-amd64-unsigned",
                "fallback": false, "cmdline": "console=ttyS0,115200 quiet ..."},
      "figures": {NAME: {"unit": "ns"|"us"|"ms", "what": "description"}},
      "topologies": {
        "4x2": {
          "figures": {NAME: {
              "archipel_cycles": 1234 | null,  # median over runs of the run medians
              "linux_cycles": 2345 | null,
              "archipel": 0.47 | null,         # the same in "unit", at tsc_mhz
              "linux": 0.90 | null,
              "ratio": 0.53 | null,            # archipel_cycles / linux_cycles
              "archipel_runs_cycles": [...],   # each successful run's median
              "linux_runs_cycles": [...]}},
          "runs": [{"os": "archipel"|"linux", "run": 1, "ok": true,
                    "kind": "kernel", "status": 0, "message": "", "wall_s": 12.3,
                    "log": "build/bench/linux/logs/archipel-4x2-1.log",
                    "tsc_mhz": 2600.3,
                    "figures": {NAME: {"n": 31, "median_ns": 1, "p99_ns": 2,
                                       "median_cycles": 3, "p99_cycles": 4}},
                    "linux_info": ["6.1.0-56-amd64 cpus=8 nodes=4", ...]}]}}
    }

Exit status: 0 if every boot succeeded and gave every figure, 1 if some failed
(the table still shows what was measured), 2 on a usage or fetch error.
Only the Python 3 standard library is used.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qemu  # noqa: E402
import linux_image  # noqa: E402
import svg  # noqa: E402

PROG = "bench_linux.py"
SCHEMA = "archipel-bench-linux/1"

#: Figures in table order: name -> (display unit, description).
FIGURES = {
    "null_syscall": ("ns", "null system call (getppid)"),
    "fork_exit_wait": ("us", "fork + exit + wait"),
    "fork_exec_wait": ("us", "fork + exec + exit + wait"),
    "cow_fault_page": ("ns", "COW fault, per page"),
    "first_touch_page": ("ns", "first-touch fault, per page"),
    "fork_dirty16m_exit_wait": ("us", "fork + exit + wait, 16 MiB dirty"),
    "fork_tree_exec": ("ms", "fork tree: 63 processes, each exec'd"),
    "mmap_touch_munmap": ("us", "mmap + touch 4 pages + munmap"),
    "pf_procs_1": ("ns", "page_fault1, 1 procs: cycles per fault"),
    "pf_procs_2": ("ns", "page_fault1, 2 procs: cycles per fault"),
    "pf_procs_4": ("ns", "page_fault1, 4 procs: cycles per fault"),
    "pf_procs_8": ("ns", "page_fault1, 8 procs: cycles per fault"),
    "pf_threads_1": ("ns", "page_fault1, 1 threads: cycles per fault"),
    "pf_threads_2": ("ns", "page_fault1, 2 threads: cycles per fault"),
    "pf_threads_4": ("ns", "page_fault1, 4 threads: cycles per fault"),
    "pf_threads_8": ("ns", "page_fault1, 8 threads: cycles per fault"),
    "signal_self": ("ns", "signal round trip, same thread (kill, handler, sigreturn)"),
    "signal_remote": ("ns", "signal round trip between the first and the last CPU (tgkill)"),
    "boot_to_main": ("ms", "boot: VM start to cmpbench main()"),
}
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6}
OSES = ("archipel", "linux")

FIGURE_RE = re.compile(r"cmpbench: (\w+) n=(\d+) median=(\d+) p99=(\d+) ns "
                       r"median_cycles=(\d+) p99_cycles=(\d+)")
TSC_RE = re.compile(r"cmpbench: tsc_mhz=([\d.]+)")
LINUX_INFO_RE = re.compile(r"^linux: (.*)$")


# --- parsing and statistics ---------------------------------------------------------------

def parse_log(text: str) -> dict:
    """``{"tsc_mhz": float|None, "figures": {name: {...}}, "linux_info": [...]}`` of a console log.

    Lines may carry a console prefix; a figure given twice keeps the last value.
    """
    out = {"tsc_mhz": None, "figures": {}, "linux_info": []}
    for line in text.replace("\r", "").splitlines():
        m = FIGURE_RE.search(line)
        if m:
            out["figures"][m.group(1)] = {
                "n": int(m.group(2)), "median_ns": int(m.group(3)), "p99_ns": int(m.group(4)),
                "median_cycles": int(m.group(5)), "p99_cycles": int(m.group(6))}
            continue
        m = TSC_RE.search(line)
        if m:
            out["tsc_mhz"] = float(m.group(1))
            continue
        m = LINUX_INFO_RE.match(line)
        if m:
            out["linux_info"].append(m.group(1))
    return out


def missing_figures(parsed: dict) -> list[str]:
    """Names of the figures of :data:`FIGURES` that ``parsed`` lacks."""
    return [f for f in FIGURES if f not in parsed["figures"]]


def median(values):
    """Median of a list (mean of the two middle values if even); None if empty."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    """a / b, or None if either is missing or b is 0."""
    if a is None or b is None or b == 0:
        return None
    return a / b


def aggregate(runs: list[dict], tsc_mhz: float) -> dict:
    """Per-figure summary of one topology's runs (see the schema's ``figures``)."""
    out = {}
    for fig, (unit, _) in FIGURES.items():
        entry = {}
        for os_name in OSES:
            per_run = [r["figures"][fig]["median_cycles"] for r in runs
                       if r["os"] == os_name and r["ok"] and fig in r["figures"]]
            cyc = median(per_run)
            entry[f"{os_name}_cycles"] = cyc
            entry[os_name] = (cyc * 1000.0 / tsc_mhz / UNIT_NS[unit]
                              if cyc is not None and tsc_mhz else None)
            entry[f"{os_name}_runs_cycles"] = per_run
        entry["ratio"] = ratio(entry["archipel_cycles"], entry["linux_cycles"])
        out[fig] = entry
    return out


def common_mhz(results_runs: list[dict]) -> float | None:
    """The median calibrated TSC frequency over every run that reported one."""
    return median([r.get("tsc_mhz") for r in results_runs])


# --- output -------------------------------------------------------------------------------

def _fmt(v) -> str:
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table(topo: str, figures: dict, counts: dict) -> str:
    """The terminal table of one topology."""
    out = [f"== {topo}: median over runs of each run's median "
           f"(Archipel {counts['archipel']} runs, Linux {counts['linux']} runs)",
           f"  {'figure':36} {'unit':>4} {'Archipel':>10} {'Linux':>10} {'ratio A/L':>9}"]
    for fig, (unit, what) in FIGURES.items():
        e = figures[fig]
        r = e["ratio"]
        verdict = "" if r is None else ("Archipel faster" if r < 1 else "Linux faster")
        out.append(f"  {what:36} {unit:>4} {_fmt(e['archipel']):>10} {_fmt(e['linux']):>10} "
                   f"{('-' if r is None else f'{r:.2f}'):>9}  {verdict}")
    return "\n".join(out)


COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def svg_chart(topologies: dict, title: str = "Archipel / Linux time ratio (below 1: Archipel faster)") -> str:
    """SVG 1.1 (tools/svg.py): per figure, one horizontal bar per topology giving the ratio
    Archipel/Linux on a log2 axis, growing from the line at 1.0 (left: Archipel faster)."""
    topo_names = list(topologies)
    ratios = [topologies[t]["figures"][f]["ratio"] for t in topo_names for f in FIGURES]
    known = [r for r in ratios if r]
    lo = min([0.5] + known)
    hi = max([2.0] + known)
    lo_exp = math.floor(math.log2(lo / 1.5))      # room for the value labels
    hi_exp = math.ceil(math.log2(hi * 1.5))
    label_w, plot_w, right = 250, 520, 70
    bar_h, gap = 16, 14
    top = 70
    group_h = bar_h * max(1, len(topo_names)) + gap
    height = top + group_h * len(FIGURES) + 60
    width = label_w + plot_w + right

    def x(r: float) -> float:
        return label_w + (math.log2(r) - lo_exp) / (hi_exp - lo_exp) * plot_w

    parts = [svg.text(title, x=f"{width / 2:.0f}", y=22, text_anchor="middle", font_size=15,
                      font_weight="bold")]
    for i, t in enumerate(topo_names):
        lx = 20 + i * 90
        parts.append(svg.element("rect", x=lx, y=36, width=12, height=12,
                                 fill=COLORS[i % len(COLORS)]))
        parts.append(svg.text(t, x=lx + 16, y=46))
    axis_y = top + group_h * len(FIGURES)
    for e in range(lo_exp, hi_exp + 1):
        gx = f"{x(2.0 ** e):.1f}"
        label = f"{2.0 ** e:g}" if e >= 0 else f"1/{2 ** -e}"
        parts.append(svg.element("line", x1=gx, y1=top - 6, x2=gx, y2=axis_y, stroke="#dddddd",
                                 stroke_width=1))
        parts.append(svg.text(label, x=gx, y=axis_y + 16, text_anchor="middle"))
    parts.append(svg.text("ratio Archipel / Linux (log scale; median cycles)",
                          x=f"{label_w + plot_w / 2:.0f}", y=axis_y + 36, text_anchor="middle"))
    for g, (fig, (_, what)) in enumerate(FIGURES.items()):
        gy = top + g * group_h
        parts.append(svg.text(what, x=label_w - 8, y=f"{gy + group_h / 2 - gap / 2 + 4:.0f}",
                              text_anchor="end"))
        for i, t in enumerate(topo_names):
            r = topologies[t]["figures"][fig]["ratio"]
            y = gy + i * bar_h
            if not r:
                parts.append(svg.text(f"{t}: no data", x=f"{x(1.0) + 4:.1f}",
                                      y=y + bar_h - 4, fill="#888888"))
                continue
            x0, x1 = sorted((x(1.0), x(r)))
            parts.append(svg.element("rect", svg.tooltip(f"{t} {what}: {r:.3f}"),
                                     x=f"{x0:.1f}", y=y + 1, width=f"{max(x1 - x0, 1):.1f}",
                                     height=bar_h - 2, fill=COLORS[i % len(COLORS)]))
            tx, anchor = (x1 + 4, "start") if r >= 1 else (x0 - 4, "end")
            parts.append(svg.text(f"{r:.2f}", x=f"{tx:.1f}", y=y + bar_h - 4,
                                  text_anchor=anchor, font_size=11))
    one = f"{x(1.0):.1f}"
    parts.append(svg.element("line", x1=one, y1=top - 6, x2=one, y2=axis_y, stroke="black",
                             stroke_width=2))
    parts.append(svg.text("1.0", x=one, y=top - 10, text_anchor="middle"))
    return svg.document(width, height, title, parts, font_family="sans-serif", font_size=12)


def build_results(runs: dict, mhz, *, runs_asked: int, mem: int, archipel_iso: str,
                  linux_iso: str, linux_info: dict, linux_cmdline: str, wall_s: float) -> dict:
    """The results.json document (schema in the module docstring) of ``runs``
    (topology -> list of run records, in boot order)."""
    all_runs = [r for t in runs for r in runs[t]]
    return {
        "schema": SCHEMA,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "runs": runs_asked, "mem_mib": mem,
        "tsc_mhz": round(mhz, 3) if mhz else None,
        "ok": bool(all_runs) and all(r["ok"] for r in all_runs),
        "wall_s": round(wall_s, 1),
        "archipel": {"iso": archipel_iso, "build": "DEBUG=0 INSTRUMENT=0 KTEST=0"},
        "linux": {"iso": linux_iso, "package": linux_info.get("package"),
                  "fallback": bool(linux_info.get("fallback")), "cmdline": linux_cmdline},
        "figures": {f: {"unit": u, "what": w} for f, (u, w) in FIGURES.items()},
        "topologies": {t: {"figures": aggregate(runs[t], mhz), "runs": runs[t]} for t in runs},
    }


# --- running --------------------------------------------------------------------------------

def parse_topology(name: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)x(\d+)", name.strip())
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        raise ValueError(f"topology '{name}' is not CLUSTERSxCORES (e.g. 4x2)")
    return int(m.group(1)), int(m.group(2))


def schedule(topologies: list[str], runs: int) -> list[tuple[str, str, int]]:
    """Boots in order: per topology, archipel and linux alternately, ``runs`` each."""
    return [(t, os_name, i) for t in topologies for i in range(1, runs + 1) for os_name in OSES]


def boot_once(os_name: str, iso: str, topo_name: str, run: int, mem: int, timeout: float,
              log_dir: str) -> dict:
    """Boot ``iso`` once; the run record of the schema (``ok`` False on any failure)."""
    clusters, cores = parse_topology(topo_name)
    topo = qemu.make_topology(clusters, cores, mem)
    log = os.path.join(log_dir, f"{os_name}-{topo_name}-{run}.log")
    res = qemu.run(qemu.build_command(iso, topo), timeout=timeout, log_path=log,
                   interactive=False)
    parsed = parse_log(res.log_text)
    missing = missing_figures(parsed)
    ok = res.kind == "kernel" and res.status == 0 and not missing
    message = res.message
    if res.kind == "kernel" and res.status != 0:
        message = f"guest exited with status {res.status}"
    if not message and missing:
        message = "missing figures: " + ", ".join(missing)
    return {"os": os_name, "run": run, "ok": ok, "kind": res.kind, "status": res.status,
            "message": message, "wall_s": round(res.wall_seconds, 2), "log": log,
            "tsc_mhz": parsed["tsc_mhz"], "figures": parsed["figures"],
            "linux_info": parsed["linux_info"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archipel-iso", required=True,
                    help="Archipel ISO whose command line runs /bin/cmpbench")
    ap.add_argument("--cmpbench", required=True, help="the static cmpbench binary for Linux")
    ap.add_argument("--linux-dir", default="build/linux",
                    help="where Linux and busybox are fetched and the Linux ISO written")
    ap.add_argument("--linux-cmdline", default=linux_image.LINUX_CMDLINE,
                    help="Linux kernel command line (default: %(default)s)")
    ap.add_argument("--topologies", default="1x1,4x2", help="CLUSTERSxCORES list")
    ap.add_argument("--mem", type=int, default=128, help="MiB per cluster (default 128)")
    ap.add_argument("--runs", type=int, default=5, help="boots per kernel per topology")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per boot")
    ap.add_argument("--out", default="build/bench/linux", help="results directory")
    args = ap.parse_args(argv)

    try:
        topos = [t.strip() for t in args.topologies.split(",") if t.strip()]
        for t in topos:
            parse_topology(t)
    except ValueError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    if args.runs < 1:
        print(f"{PROG}: --runs must be >= 1", file=sys.stderr)
        return 2
    for path in (args.archipel_iso, args.cmpbench):
        if not os.path.isfile(path):
            print(f"{PROG}: {path}: no such file", file=sys.stderr)
            return 2

    say = lambda msg: print(f"bench-linux: {msg}", flush=True)  # noqa: E731
    start = time.monotonic()
    linux_iso = os.path.join(args.linux_dir, "linux-cmpbench.iso")
    say("fetching Debian's Linux 6.1 and busybox-static (for the Linux guest) into "
        f"{args.linux_dir}/")
    try:
        info = linux_image.build_linux_iso(args.linux_dir, args.cmpbench, linux_iso,
                                           args.linux_cmdline, say=say)
    except linux_image.FetchError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2

    log_dir = os.path.join(args.out, "logs")
    os.makedirs(log_dir, exist_ok=True)
    isos = {"archipel": args.archipel_iso, "linux": linux_iso}
    plan = schedule(topos, args.runs)
    runs = {t: [] for t in topos}
    for k, (t, os_name, i) in enumerate(plan, 1):
        print(f"[{k}/{len(plan)}] {os_name} {t} run {i} ...", end=" ", flush=True)
        rec = boot_once(os_name, isos[os_name], t, i, args.mem, args.timeout, log_dir)
        runs[t].append(rec)
        if rec["ok"]:
            print(f"{rec['wall_s']:.1f} s", flush=True)
        else:
            print(f"{rec['wall_s']:.1f} s FAILED: {rec['message']} (log {rec['log']})", flush=True)

    mhz = common_mhz([r for t in topos for r in runs[t]])
    results = build_results(runs, mhz, runs_asked=args.runs, mem=args.mem,
                            archipel_iso=args.archipel_iso, linux_iso=linux_iso,
                            linux_info=info, linux_cmdline=args.linux_cmdline,
                            wall_s=time.monotonic() - start)
    print()
    print(f"Archipel vs Linux ({info['package']}), same QEMU machine, {args.mem} MiB per "
          f"cluster; times at {mhz or 0:.0f} MHz TSC; ratio < 1: Archipel faster")
    for t in topos:
        counts = {o: sum(1 for r in runs[t] if r["os"] == o and r["ok"]) for o in OSES}
        print(table(t, results["topologies"][t]["figures"], counts))
    all_runs = [r for t in topos for r in runs[t]]
    path = os.path.join(args.out, "results.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    svg = os.path.join(args.out, "linux-vs-archipel.svg")
    with open(svg, "w") as f:
        f.write(svg_chart(results["topologies"]))
    failed = [r for r in all_runs if not r["ok"]]
    say(f"results in {path}, chart {svg}, logs in {log_dir}/ "
        f"({results['wall_s']:.0f} s in all)")
    if failed:
        say(f"{len(failed)} of {len(all_runs)} boots FAILED:")
        for r in failed:
            say(f"  {r['os']} run {r['run']}: {r['message']} (log {r['log']})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
