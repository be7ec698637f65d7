#!/usr/bin/env python3
"""Unit tests of tools/svg.py, the SVG drawing shared by the trace heat maps and the
make bench-linux chart: escaping, elements and their attributes, the document.

    python3 -m unittest discover -s tests/tools -p 'test_svg.py' -v
"""

import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import svg  # noqa: E402

NS = "{" + svg.XMLNS + "}"


class ElementTest(unittest.TestCase):

    def test_escape(self):
        self.assertEqual(svg.escape('a<b & "c">'), "a&lt;b &amp; &quot;c&quot;&gt;")
        self.assertEqual(svg.escape(1.5), "1.5")

    def test_attributes_in_order_with_svg_names(self):
        self.assertEqual(svg.element("rect", y=2, x="1", class_="c", stroke_width=1),
                         '<rect y="2" x="1" class="c" stroke-width="1"/>')
        self.assertEqual(svg.element("g", "<x/>", fill='a"b'), '<g fill="a&quot;b"><x/></g>')

    def test_text_and_tooltip_escape_their_content(self):
        self.assertEqual(svg.text("1 < 2", x=0), '<text x="0">1 &lt; 2</text>')
        self.assertEqual(svg.tooltip("a & b"), "<title>a &amp; b</title>")

    def test_group(self):
        self.assertEqual(svg.group(["<a/>", "<b/>"], id="g1"), ['<g id="g1">', "<a/>", "<b/>", "</g>"])


class DocumentTest(unittest.TestCase):

    def test_well_formed_svg_1_1(self):
        doc = svg.document(200, 100, "t & u", [svg.text("hi", x=1, y=2)],
                           font_family="sans-serif", font_size=12,
                           defs='<linearGradient id="g"/>')
        self.assertTrue(doc.startswith('<?xml version="1.0" encoding="UTF-8"'))
        self.assertTrue(doc.endswith("</svg>\n"))
        root = ET.fromstring(doc.encode("utf-8"))
        self.assertEqual(root.tag, NS + "svg")
        self.assertEqual((root.get("version"), root.get("width"), root.get("height"),
                          root.get("viewBox"), root.get("font-size")),
                         ("1.1", "200", "100", "0 0 200 100", "12"))
        self.assertEqual(root.find(NS + "title").text, "t & u")
        self.assertIsNotNone(root.find(f"{NS}defs/{NS}linearGradient"))
        background = root.find(NS + "rect")
        self.assertEqual((background.get("width"), background.get("fill")), ("200", "#ffffff"))
        self.assertEqual(root.find(NS + "text").text, "hi")

    def test_optional_parts(self):
        root = ET.fromstring(svg.document(10, 10, "x", [], font_family="serif").encode())
        self.assertIsNone(root.get("font-size"))
        self.assertIsNone(root.find(NS + "defs"))


if __name__ == "__main__":
    unittest.main()
