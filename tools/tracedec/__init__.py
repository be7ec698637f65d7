"""Decoder, statistics and renderers for Archipel binary trace streams (tools/trace).

The stream format is the contract of ``kernel/kern/trace.h``.  One module per step:

* :mod:`tracedec.wire` -- the record format and its decoding: header, RPC type
  names, event records sorted by TSC (:class:`~tracedec.wire.TraceError` for a
  stream that cannot be decoded at all);
* :mod:`tracedec.assemble` -- records paired into RPCs, IPIs, page faults, TLB
  shootdowns, process events: :func:`~tracedec.assemble.load` /
  :func:`~tracedec.assemble.parse` -> :class:`~tracedec.assemble.Trace`;
* :mod:`tracedec.stats` -- :func:`~tracedec.stats.summarize` -> the numbers
  (nearest-rank percentiles);
* :mod:`tracedec.text` -- :func:`~tracedec.text.format_summary`, the plain-text table;
* :mod:`tracedec.chrome` -- :func:`~tracedec.chrome.write_chrome_json`, the Chrome
  Trace Event Format (ui.perfetto.dev, chrome://tracing);
* :mod:`tracedec.heatmap` -- the SVG heat maps (RPCs per cluster pair, faults per
  cluster and kind), drawn with tools/svg.py.

The modules import each other as ``tracedec.*``: put tools/ on ``sys.path``.
Python 3 standard library only.
"""
