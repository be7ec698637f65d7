"""Standalone SVG 1.1 documents written by hand: the drawing shared by the tools' charts.

Used by the trace heat maps (tools/tracedec/heatmap.py: RPCs per cluster pair,
page faults per cluster and kind) and by the ``make bench-linux`` ratio chart
(tools/bench_linux.py).  A chart is a list of element strings, one per line,
built with :func:`element`, :func:`text`, :func:`tooltip` and :func:`group`,
then wrapped by :func:`document` into a file that browsers, Inkscape and
ElementTree all read.

Attribute values and text are written as given (numbers through ``str``): a
caller that wants ``117`` rather than ``117.0`` formats the number itself
(``f"{x:g}"``).  Attributes keep the order of the keyword arguments.

Python 3 standard library only.
"""

from __future__ import annotations

from typing import Iterable, List

XMLNS = "http://www.w3.org/2000/svg"
BACKGROUND = "#ffffff"


def escape(value) -> str:
    """``str(value)`` escaped for XML text and for a double-quoted attribute value."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _attribute_name(name: str) -> str:
    """A keyword argument's name as an SVG attribute: ``class_`` -> ``class``,
    ``font_size`` -> ``font-size``."""
    return name.rstrip("_").replace("_", "-")


def _attributes(attrs: dict) -> str:
    """`` a="v" b="w"``: ``attrs`` in their order, names as :func:`_attribute_name`
    says, values escaped."""
    return "".join(f' {_attribute_name(k)}="{escape(v)}"' for k, v in attrs.items())


def element(tag: str, content: str | None = None, **attrs) -> str:
    """One element on one line: ``<tag a="v"/>``, or ``<tag a="v">content</tag>``.

    ``content`` is markup, inserted as is (escape text with :func:`escape`, or
    use :func:`text`); ``attrs`` become its attributes (see :func:`_attributes`).
    """
    if content is None:
        return f"<{tag}{_attributes(attrs)}/>"
    return f"<{tag}{_attributes(attrs)}>{content}</{tag}>"


def group(body: Iterable[str], **attrs) -> List[str]:
    """A ``<g>`` element around ``body`` (one element per line), its start and end
    tags on lines of their own; ``attrs`` (shared style, an id) as for :func:`element`."""
    return [f"<g{_attributes(attrs)}>", *body, "</g>"]


def text(content, **attrs) -> str:
    """A ``<text>`` element holding ``content`` (escaped)."""
    return element("text", escape(content), **attrs)


def tooltip(content) -> str:
    """A ``<title>`` child: the tooltip a viewer shows over its parent element."""
    return element("title", escape(content))


def document(width, height, title: str, body: Iterable[str], *, font_family: str,
             font_size=None, defs: str | None = None) -> str:
    """A standalone SVG 1.1 file: XML declaration, DOCTYPE, the ``<svg>`` root of
    ``width`` x ``height`` user units (its default font ``font_family``, and
    ``font_size`` if given), the document ``title``, ``defs`` (markup of the
    ``<defs>`` content: gradients...), a white background, then ``body``, one
    element per line.  Ends with a newline.
    """
    root = dict(xmlns=XMLNS, version="1.1", width=width, height=height,
                viewBox=f"0 0 {width} {height}", font_family=font_family)
    if font_size is not None:
        root["font_size"] = font_size
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
           '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
           f"<svg{_attributes(root)}>",
           element("title", escape(title))]
    if defs is not None:
        out.append(element("defs", defs))
    out.append(element("rect", x=0, y=0, width=width, height=height, fill=BACKGROUND))
    out += body
    out.append("</svg>")
    return "\n".join(out) + "\n"
