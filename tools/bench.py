#!/usr/bin/env python3
"""Run the in-kernel benchmarks (kernel command line bench=rpc) and tabulate them.

Boots the bench ISO on each topology with tools/qemu.py, collects the
kernel's console lines

    bench: NAME n=N median=M p99=P cycles
    bench: ratio NAME = R
    bench: NAME n=N median=M min=L pages/s                      (a throughput)
    bench: traffic NAME n=N remote_accesses=A rpcs=R shootdowns=S   (counts per operation)

and prints one table per topology (figure, median and p99 in cycles and
microseconds at the TSC frequency the kernel measured), then writes every
figure to OUT/results.json. Every figure of a table was measured in the same
boot, so ratios between them are meaningful on a shared, noisy machine;
absolute numbers are not (QEMU TCG). Nothing is asserted: this is a
benchmark, not a test.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qemu  # noqa: E402

FIGURE_RE = re.compile(r"bench: (\S+) n=(\d+) median=(\d+) p99=(\d+) cycles")
RATIO_RE = re.compile(r"bench: ratio (\S+) = ([\d.]+)")
RATE_RE = re.compile(r"bench: (\S+) n=(\d+) median=(\d+) min=(\d+) pages/s")
TRAFFIC_RE = re.compile(r"bench: traffic (\S+) n=(\d+) remote_accesses=(-?\d+) rpcs=(-?\d+) "
                        r"shootdowns=(-?\d+)")
TSC_RE = re.compile(r"TSC (\d+) MHz")


def parse(log):
    """Figures, ratios and TSC MHz from a console log."""
    figures, ratios, mhz = {}, {}, None
    for line in log.splitlines():
        m = FIGURE_RE.search(line)
        if m:
            figures[m.group(1)] = {"n": int(m.group(2)), "median_cycles": int(m.group(3)),
                                   "p99_cycles": int(m.group(4))}
        m = RATIO_RE.search(line)
        if m:
            ratios[m.group(1)] = float(m.group(2))
        m = TSC_RE.search(line)
        if m and ("bench:" in line or mhz is None):
            mhz = int(m.group(1))
    return figures, ratios, mhz


def parse_extra(log):
    """Throughputs (pages/s) and per-operation traffic counts from a console log."""
    rates, traffic = {}, {}
    for line in log.splitlines():
        m = RATE_RE.search(line)
        if m:
            rates[m.group(1)] = {"n": int(m.group(2)), "median_pages_per_s": int(m.group(3)),
                                 "min_pages_per_s": int(m.group(4))}
        m = TRAFFIC_RE.search(line)
        if m:
            traffic[m.group(1)] = {"n": int(m.group(2)), "remote_accesses": int(m.group(3)),
                                   "rpcs": int(m.group(4)), "shootdowns": int(m.group(5))}
    return rates, traffic


def table_extra(rates, traffic):
    """Terminal lines for the throughputs and traffic counts (none if there are none)."""
    out = []
    if rates:
        out.append(f"  {'throughput':28} {'n':>6} {'median/s':>11} {'min/s':>11}")
        for fig, v in rates.items():
            out.append(f"  {fig:28} {v['n']:>6} {v['median_pages_per_s']:>11} "
                       f"{v['min_pages_per_s']:>11}  pages/s")
    if traffic:
        out.append(f"  {'per operation (median)':28} {'n':>6} {'remote acc':>11} {'rpcs':>11} "
                   f"{'shootdowns':>10}")
        for op, v in traffic.items():
            out.append(f"  {op:28} {v['n']:>6} {v['remote_accesses']:>11} {v['rpcs']:>11} "
                       f"{v['shootdowns']:>10}")
    return "\n".join(out)


def table(name, figures, ratios, mhz):
    """The terminal table of one topology."""
    out = [f"== {name} (TSC {mhz} MHz; medians and p99 of n round trips, same boot)"]
    out.append(f"  {'figure':28} {'n':>6} {'median cyc':>11} {'p99 cyc':>11} "
               f"{'median us':>10} {'p99 us':>10}")
    for fig, v in figures.items():
        us = (lambda c: c / mhz) if mhz else (lambda c: float("nan"))
        out.append(f"  {fig:28} {v['n']:>6} {v['median_cycles']:>11} {v['p99_cycles']:>11} "
                   f"{us(v['median_cycles']):>10.2f} {us(v['p99_cycles']):>10.2f}")
    for r, v in ratios.items():
        out.append(f"  ratio {r:45} {v:>6.2f}")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iso", required=True, help="ISO built with kernel command line bench=rpc")
    ap.add_argument("--topologies", default="4x2",
                    help="comma-separated CLUSTERSxCORES list (128 MiB per cluster)")
    ap.add_argument("--out", default="build/bench", help="directory for results.json and logs")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per boot")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    results = {}
    status = 0
    for name in args.topologies.split(","):
        m = re.fullmatch(r"(\d+)x(\d+)", name.strip())
        if not m:
            sys.exit(f"bench.py: topology '{name}' is not CLUSTERSxCORES")
        topo = qemu.make_topology(int(m.group(1)), int(m.group(2)), 128)
        log_path = os.path.join(args.out, f"bench-{name}.log")
        print(f"bench: booting {name} (log {log_path}) ...", flush=True)
        res = qemu.run(qemu.build_command(args.iso, topo), timeout=args.timeout,
                       log_path=log_path, interactive=False)
        figures, ratios, mhz = parse(res.log_text)
        rates, traffic = parse_extra(res.log_text)
        if res.kind != "kernel" or res.status != 0 or not figures:
            print(f"bench: {name}: run failed ({res.message or 'status %d' % res.status}); "
                  f"see {log_path}", file=sys.stderr)
            status = 1
        print(table(name, figures, ratios, mhz))
        results[name] = {"tsc_mhz": mhz, "figures": figures, "ratios": ratios}
        if rates or traffic:
            print(table_extra(rates, traffic))
            results[name].update({"rates": rates, "traffic": traffic})
    path = os.path.join(args.out, "results.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print(f"bench: results written to {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
