#!/usr/bin/env python3
"""Unit tests of tools/ktap.py on embedded KTAP samples (python3 -m unittest)."""

import os
import sys
import textwrap
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import ktap  # noqa: E402


def sample(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# A complete, passing kernel run with console prefixes, boot noise before the
# KTAP output and between suites, diagnostics and a skip.
GOOD_KERNEL = sample("""
    [0.0] Archipel booting
    [0.0] boot report: 1 clusters, 1 cores, 128 MiB
    [0.0] all 1 cores online
    [0.0] KTAP version 1
    [0.0] 1..2
    [0.0]     KTAP version 1
    [0.0]     # Subtest: ppm
    [0.0]     1..3
    [0.0]     # every_order: 11 orders checked
    [0.0]     ok 1 every_order
    [0.0]     ok 2 split_merge
    [0.0]     ok 3 huge_pages # SKIP not enough memory
    [0.0] ok 1 ppm
    [1.0] cluster 1 says hello
    [0.0]     KTAP version 1
    [0.0]     # Subtest: kcm
    [0.0]     1..1
    [0.0]     ok 1 alloc_free
    [0.0] ok 2 kcm
    [0.0] ktest: 3 passed, 0 failed
    """)

# The run died in the middle of the second suite.
TRUNCATED = sample("""
    [0.0] KTAP version 1
    [0.0] 1..3
    [0.0]     KTAP version 1
    [0.0]     # Subtest: ppm
    [0.0]     1..2
    [0.0]     ok 1 every_order
    [0.0]     ok 2 split_merge
    [0.0] ok 1 ppm
    [0.0]     KTAP version 1
    [0.0]     # Subtest: vmm
    [0.0]     1..4
    [0.0]     ok 1 map_unmap
    [0.0]     # cow_fork: about to fork
    [0.0] PANIC: page fault at 0xdead in kernel mode
    """)

# Host test binary output: no prefix, flat, with a failure and its diagnostics.
HOST_FLAT = sample("""
    KTAP version 1
    1..3
    ok 1 buddy_init
    # buddy_split: expected 4, got 3
    # buddy_split: at tests/host/test_buddy.c:42
    not ok 2 buddy_split
    ok 3 buddy_merge
    """)


class ParseGood(unittest.TestCase):
    def setUp(self):
        self.parsed = ktap.parse(GOOD_KERNEL)
        self.results = list(ktap.leaves(self.parsed))

    def test_paths_in_order(self):
        self.assertEqual([r.path for r in self.results],
                         ["ppm.every_order", "ppm.split_merge", "ppm.huge_pages",
                          "kcm.alloc_free"])

    def test_all_passed_one_skipped(self):
        self.assertEqual(ktap.summarize(self.results), (3, 0, 1))
        skipped = [r for r in self.results if r.skipped]
        self.assertEqual([r.path for r in skipped], ["ppm.huge_pages"])
        self.assertIn("not enough memory", skipped[0].directive)

    def test_tree(self):
        root = self.parsed.root
        self.assertEqual(root.version, "1")
        self.assertEqual(root.plan, 2)
        self.assertEqual([t.name for t in root.subtests], ["ppm", "kcm"])
        ppm = root.subtests[0]
        self.assertTrue(ppm.ok)
        self.assertEqual(ppm.plan, 3)
        self.assertEqual([t.number for t in ppm.subtests], [1, 2, 3])
        self.assertEqual(root.errors, [])

    def test_diagnostic_attached_to_next_result(self):
        first = self.results[0]
        self.assertEqual(first.diagnostics, ("every_order: 11 orders checked",))
        self.assertEqual(self.results[1].diagnostics, ())

    def test_tuple_unpacking(self):
        path, passed, skipped, diags = self.results[0]
        self.assertEqual((path, passed, skipped), ("ppm.every_order", True, False))


class ParseFailures(unittest.TestCase):
    def test_truncated_run(self):
        results = list(ktap.leaves(ktap.parse(TRUNCATED)))
        by_path = {r.path: r for r in results}
        self.assertTrue(by_path["ppm.every_order"].passed)
        self.assertTrue(by_path["vmm.map_unmap"].passed)
        # The unfinished suite is a failure, and so is its short plan ...
        self.assertFalse(by_path["vmm"].passed)
        self.assertIn("no result line", " ".join(by_path["vmm"].diagnostics))
        self.assertFalse(by_path["vmm.plan"].passed)
        self.assertIn("plan says 4, got 1", by_path["vmm.plan"].diagnostics)
        # ... and the top-level plan is short too (3 planned, 2 suites seen).
        self.assertIn("plan says 3, got 2", by_path["plan"].diagnostics)
        # The pending diagnostic of the unfinished suite is kept.
        self.assertIn("cow_fork: about to fork", " ".join(by_path["vmm"].diagnostics))
        self.assertEqual(ktap.summarize(results)[1], 3)

    def test_host_flat_failure(self):
        results = list(ktap.leaves(ktap.parse(HOST_FLAT)))
        self.assertEqual([(r.path, r.passed) for r in results],
                         [("buddy_init", True), ("buddy_split", False), ("buddy_merge", True)])
        self.assertEqual(results[1].diagnostics,
                         ("buddy_split: expected 4, got 3",
                          "buddy_split: at tests/host/test_buddy.c:42"))

    def test_short_plan(self):
        results = list(ktap.leaves(ktap.parse("KTAP version 1\n1..3\nok 1 a\nok 2 b\n")))
        self.assertEqual([r.path for r in results if not r.passed], ["plan"])
        self.assertIn("plan says 3, got 2", results[-1].diagnostics)

    def test_long_plan_is_also_wrong(self):
        results = list(ktap.leaves(ktap.parse("KTAP version 1\n1..1\nok 1 a\nok 2 b\n")))
        self.assertIn("plan says 1, got 2", results[-1].diagnostics)

    def test_missing_plan(self):
        results = list(ktap.leaves(ktap.parse("KTAP version 1\nok 1 a\n")))
        self.assertEqual(results[-1].path, "plan")
        self.assertFalse(results[-1].passed)

    def test_no_ktap_at_all(self):
        results = list(ktap.leaves(ktap.parse("[0.0] PANIC: early\n[0.0] halting\n")))
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0].path, "ktap")
        self.assertFalse(results[0].passed)

    def test_empty_input(self):
        self.assertEqual(ktap.summarize(ktap.leaves(ktap.parse(""))), (0, 1, 0))

    def test_indented_version_does_not_start_document(self):
        # Only a top-level version line starts the document.
        results = list(ktap.leaves(ktap.parse("    KTAP version 1\n    1..1\n    ok 1 a\n")))
        self.assertEqual([r.path for r in results], ["ktap"])

    def test_numbering(self):
        results = list(ktap.leaves(ktap.parse("KTAP version 1\n1..2\nok 1 a\nok 3 b\n")))
        bad = [r for r in results if not r.passed]
        self.assertEqual([r.path for r in bad], ["numbering"])
        self.assertIn("numbered 3, expected 2", bad[0].diagnostics[0])

    def test_suite_not_ok_without_failing_case(self):
        text = sample("""
            KTAP version 1
            1..1
                KTAP version 1
                # Subtest: s
                1..1
                ok 1 c
                # s: init failed after cases
            not ok 1 s
            """)
        results = list(ktap.leaves(ktap.parse(text)))
        self.assertEqual([(r.path, r.passed) for r in results], [("s.c", True), ("s", False)])
        self.assertIn("s: init failed after cases", results[1].diagnostics)

    def test_failing_case_makes_no_extra_suite_failure(self):
        text = sample("""
            KTAP version 1
            1..1
                KTAP version 1
                # Subtest: s
                1..2
                ok 1 c
                not ok 2 d
            not ok 1 s
            """)
        results = list(ktap.leaves(ktap.parse(text)))
        self.assertEqual([(r.path, r.passed) for r in results], [("s.c", True), ("s.d", False)])

    def test_bail_out(self):
        results = list(ktap.leaves(ktap.parse("KTAP version 1\n1..1\nBail out! no disk\n")))
        paths = [r.path for r in results if not r.passed]
        self.assertEqual(paths, ["bail-out", "plan"])

    def test_not_ok_skip_is_skipped(self):
        results = list(ktap.leaves(ktap.parse("KTAP version 1\n1..1\nnot ok 1 a # SKIP n/a\n")))
        self.assertEqual(ktap.summarize(results), (0, 0, 1))

    def test_missing_result_between_suites(self):
        # Suite a never printed its result line before suite b started.
        text = sample("""
            KTAP version 1
            1..2
                KTAP version 1
                # Subtest: a
                1..1
                ok 1 x
                KTAP version 1
                # Subtest: b
                1..1
                ok 1 y
            ok 2 b
            """)
        results = list(ktap.leaves(ktap.parse(text)))
        self.assertEqual([(r.path, r.passed) for r in results],
                         [("a.x", True), ("a", False), ("b.y", True)])


class ParseVariants(unittest.TestCase):
    def test_subtest_header_before_version(self):
        text = sample("""
            KTAP version 1
            1..1
                # Subtest: s
                KTAP version 1
                1..1
                ok 1 c
            ok 1 s
            """)
        parsed = ktap.parse(text)
        self.assertEqual([r.path for r in ktap.leaves(parsed)], ["s.c"])
        self.assertEqual(parsed.root.errors, [])

    def test_names_from_result_line_without_subtest_header(self):
        text = sample("""
            TAP version 13
            1..1
                1..2
                ok 1 - first
                ok 2 second
            ok 1 - outer
            """)
        self.assertEqual([r.path for r in ktap.leaves(ktap.parse(text))],
                         ["outer.first", "outer.second"])

    def test_two_levels(self):
        text = sample("""
            [0.0] KTAP version 1
            [0.0] 1..1
            [0.0]     KTAP version 1
            [0.0]     # Subtest: mm
            [0.0]     1..1
            [0.0]         KTAP version 1
            [0.0]         # Subtest: ppm
            [0.0]         1..1
            [0.0]         ok 1 every_order
            [0.0]     ok 1 ppm
            [0.0] ok 1 mm
            """)
        self.assertEqual([r.path for r in ktap.leaves(ktap.parse(text))], ["mm.ppm.every_order"])

    def test_trailing_plan(self):
        parsed = ktap.parse("KTAP version 1\nok 1 a\n# done\nnot ok 2 b\n1..2\n")
        self.assertEqual(parsed.root.errors, [])
        self.assertEqual(ktap.summarize(ktap.leaves(parsed)), (1, 1, 0))

    def test_prefix_stripped_only_when_asked(self):
        text = "[0.0] KTAP version 1\n[0.0] 1..1\n[0.0] ok 1 a\n"
        self.assertEqual(ktap.summarize(ktap.leaves(ktap.parse(text))), (1, 0, 0))
        raw = ktap.parse(text, strip_console_prefix=False)
        self.assertEqual([r.path for r in ktap.leaves(raw)], ["ktap"])

    def test_hash_without_space_is_not_a_diagnostic(self):
        text = ("KTAP version 1\n1..1\n    # Subtest: s\n    1..1\n"
                "[1.0]     #0 0xffff800000001000 ?\n    # s.c: real\n    ok 1 c\nok 1 s\n")
        (leaf,) = ktap.leaves(ktap.parse(text))
        self.assertEqual(leaf.diagnostics, ("s.c: real",))

    def test_depth(self):
        self.assertEqual([r.depth for r in ktap.leaves(ktap.parse(GOOD_KERNEL))], [1, 1, 1, 1])
        self.assertEqual([r.depth for r in ktap.leaves(ktap.parse(HOST_FLAT))], [0, 0, 0])

    def test_crlf_lines(self):
        text = "KTAP version 1\r\n1..1\r\nok 1 a\r\n"
        self.assertEqual(ktap.summarize(ktap.leaves(ktap.parse(text))), (1, 0, 0))


class Streaming(unittest.TestCase):
    def test_leaf_emitted_when_its_line_arrives(self):
        parser = ktap.Parser()
        lines = GOOD_KERNEL.splitlines()
        emitted_at = {}
        for index, line in enumerate(lines):
            for event in parser.feed(line):
                if isinstance(event, ktap.LeafResult):
                    emitted_at[event.path] = index
        parser.close()
        self.assertEqual(emitted_at["ppm.every_order"],
                         lines.index("[0.0]     ok 1 every_order"))
        self.assertEqual(emitted_at["kcm.alloc_free"], lines.index("[0.0]     ok 1 alloc_free"))

    def test_unnamed_subtest_results_wait_for_the_name(self):
        parser = ktap.Parser()
        events = []
        for line in ["KTAP version 1", "1..1", "    1..1", "    ok 1 c"]:
            events += parser.feed(line)
        self.assertEqual([e for e in events if isinstance(e, ktap.LeafResult)], [])
        events = parser.feed("ok 1 s")
        self.assertEqual([e.path for e in events], ["s.c"])

    def test_diagnostic_events(self):
        parser = ktap.Parser()
        parser.feed("KTAP version 1")
        events = parser.feed("[0.0] # boot time 3.2 s")
        self.assertEqual(events, [ktap.Diagnostic(0, "# boot time 3.2 s")])

    def test_stream_equals_batch(self):
        for text in (GOOD_KERNEL, TRUNCATED, HOST_FLAT):
            parser = ktap.Parser()
            streamed = []
            for line in text.splitlines():
                streamed += [e for e in parser.feed(line) if isinstance(e, ktap.LeafResult)]
            streamed += parser.close()
            self.assertEqual(streamed, list(ktap.leaves(ktap.parse(text))))


if __name__ == "__main__":
    unittest.main()
