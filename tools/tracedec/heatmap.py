"""SVG heat maps of a trace: RPCs per client x server cluster pair, page faults per
faulting cluster x kind.  Both are :func:`matrix_svg` drawings of a count matrix
on a linear white-to-dark-blue scale, written with the shared tools/svg.py.

Entry points: :func:`heatmap_svg`, :func:`fault_heatmap_svg`.

Python 3 standard library only.
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence

import svg
from tracedec.assemble import Trace
from tracedec.stats import Summary, summarize, summarize_vm
from tracedec.wire import FAULT_KINDS

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

    gradient = svg.element(
        "linearGradient",
        svg.element("stop", offset=0, stop_color=heat_colour(0, 1)) +
        svg.element("stop", offset=1, stop_color=heat_colour(1, 1)),
        id="legend-gradient", x1=0, y1=0, x2=1, y2=0)
    y_mid = f"{top + grid_h / 2:g}"
    o = [svg.text(title, id="title", x=f"{width / 2:g}", y=24, font_size=16,
                  font_weight="bold", text_anchor="middle"),
         svg.text(subtitle, x=f"{width / 2:g}", y=42, font_size=11, text_anchor="middle",
                  fill="#555555"),
         svg.text(x_label, id="x-label", x=f"{left + grid_w / 2:g}", y=top - 26, font_size=12,
                  text_anchor="middle"),
         svg.text(y_label, id="y-label", x=left - 40, y=y_mid, font_size=12,
                  text_anchor="middle", transform=f"rotate(-90 {left - 40} {y_mid})")]
    for i, label in enumerate(col_labels):
        o.append(svg.text(label, class_="col-label", x=f"{left + i * cell + cell / 2:g}",
                          y=top - 8, font_size=font, text_anchor="middle"))
    for i, label in enumerate(row_labels):
        o.append(svg.text(label, class_="row-label", x=left - 8,
                          y=f"{top + i * cell + cell / 2:g}", font_size=font,
                          text_anchor="end", dominant_baseline="central"))
    cells = []
    for r in range(nrows):
        for c in range(ncols):
            count = matrix[r][c]
            fill = heat_colour(count, maximum)
            ink = "#ffffff" if maximum and count / maximum > 0.5 else "#000000"
            x, y = left + c * cell, top + r * cell
            cells.append(svg.element("rect", svg.tooltip(tip(r, c, count)), id=f"cell-{r}-{c}",
                                     x=x, y=y, width=cell, height=cell, fill=fill))
            cells.append(svg.text(count, id=f"count-{r}-{c}", x=f"{x + cell / 2:g}",
                                  y=f"{y + cell / 2:g}", font_size=font, text_anchor="middle",
                                  dominant_baseline="central", stroke="none", fill=ink))
    o += svg.group(cells, id="cells", stroke="#cccccc", stroke_width=1)
    bar_w = min(240, width - 60)
    bar_x = (width - bar_w) // 2
    o += svg.group([
        svg.text(legend, x=bar_x, y=legend_y - 8),
        svg.element("rect", x=bar_x, y=legend_y, width=bar_w, height=12,
                    fill="url(#legend-gradient)", stroke="#999999"),
        svg.text(0, id="legend-min", x=bar_x, y=legend_y + 26, text_anchor="start"),
        svg.text(maximum, id="legend-max", x=bar_x + bar_w, y=legend_y + 26,
                 text_anchor="end"),
    ], id="legend", font_size=11)
    return svg.document(width, height, doc_title, o,
                        font_family="Helvetica, Arial, sans-serif", defs=gradient)
