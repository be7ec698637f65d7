#!/usr/bin/env python3
"""The docs check (tools/docs_check.py) as unit tests, and tests of the checker.

One test per page of docs/ and per kind of check (paths, identifiers, links,
quotes, markers, commands: see the docstring of tools/docs_check.py), named
``test_<page>_<kind>``, so that a failure names the page and what rotted; one
test that docs/README.md links every page. Pages are found when this module is
imported: a new page is checked without any change here.

Then the checker's own logic, on small documents in a scratch tree: a dead path,
an unknown name, a dead link, a quote that no longer matches, a failing command,
missing output, an unmarked shell block... must each be reported.

    python3 -m unittest discover -s tests/tools -p 'test_docs.py' -v
"""

import os
import re
import shutil
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

import docs_check as dc  # noqa: E402

TREE = dc.Tree(REPO)     # one source index for every page


class DocsPages(unittest.TestCase):
    """Filled below with test_<page>_<kind> for every docs/*.md."""

    def test_index_links_every_page(self):
        problems = dc.check_index(TREE)
        self.assertEqual([], [str(p) for p in problems])

    def test_docs_exist(self):
        self.assertIn(os.path.join("docs", "README.md"), dc.list_pages(REPO))


def _page_test(rel: str, kind: str):
    def test(self):
        page = dc.parse_page(REPO, rel)
        problems = dc.CHECKS[kind](page, TREE)
        if problems:
            self.fail(f"{rel}: {len(problems)} problem(s) of kind '{kind}':\n" +
                      "\n".join(str(p) for p in problems))
    test.__doc__ = f"{rel}: {kind}"
    return test


for _rel in dc.list_pages(REPO):
    _slug = re.sub(r"\W", "_", os.path.splitext(os.path.basename(_rel))[0])
    for _kind in dc.CHECKS:
        setattr(DocsPages, f"test_{_slug}_{_kind}", _page_test(_rel, _kind))


# ---- the checker itself ------------------------------------------------------------------

def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class CheckerTest(unittest.TestCase):
    """tools/docs_check.py on a scratch tree."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="docs-check-")
        self.write("kernel/kern/rpc.c", """
            #include "rpc.h"
            /* the real thing */
            void rpc_send(uint32_t cxy, rpc_desc_t *desc)
            {
                desc->responses = 1;

                post(cxy, desc);
            }
            """)
        self.write("kernel/kern/rpc.h", "enum { RPC_NOP, RPC_VMM };\ntypedef int xptr_t;\n")
        self.write("Makefile", "run: deps\n\techo run\nCLUSTERS ?= 4\n")
        self.write("docs/README.md", "[page](page.md)\n")
        self.tree = dc.Tree(self.root)

    def tearDown(self):
        shutil.rmtree(self.root)

    def write(self, rel: str, text: str) -> None:
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(dedent(text))

    def check(self, text: str, kind: str) -> list:
        self.write("docs/page.md", text)
        page = dc.parse_page(self.root, "docs/page.md")
        return [str(p) for p in dc.CHECKS[kind](page, self.tree)]

    # paths
    def test_dead_path_reported_with_its_line(self):
        out = self.check("""
            Good: `kernel/kern/rpc.c`, `kernel/kern/`, `kernel/kern/rpc.c:4`, `kernel/*/rpc.h`.
            Generated, not checked: `build/trace.bin`; guest: `/proc/1/maps`.
            Dead: `kernel/kern/rpc_old.c`.
            """, "paths")
        self.assertEqual(["docs/page.md:3: path `kernel/kern/rpc_old.c` does not exist"], out)

    def test_placeholder_matches_like_a_glob(self):
        self.assertEqual([], self.check("`kernel/kern/<name>.c` `kernel/<x>/rpc.h`\n", "paths"))
        self.assertEqual(1, len(self.check("`kernel/gone/<name>.c`\n", "paths")))

    def test_bare_file_name_must_exist_somewhere(self):
        out = self.check("`rpc.c` is fine, `vmm.c` is not.\n", "paths")
        self.assertEqual(1, len(out))
        self.assertIn("`vmm.c`", out[0])

    def test_covered_by_file_must_exist(self):
        out = self.check("""
            <!-- check: covered-by tests/tools/test_nothing.py -->
            ```sh
            make run
            ```
            """, "paths")
        self.assertEqual(1, len(out))
        self.assertIn("test_nothing.py", out[0])

    # identifiers
    def test_renamed_identifier_reported(self):
        out = self.check("""
            `rpc_send()` and `RPC_VMM` and `xptr_t` exist; `rpc_post_old()` and `RPC_GONE` do not.
            `pthread_create(3)` and `DEBUG` and `make run` are not ours; `d.responses` is fine.
            """, "identifiers")
        self.assertEqual(2, len(out))
        self.assertIn("`rpc_post_old`", out[0])
        self.assertIn("`RPC_GONE`", out[1])

    def test_example_names_are_exempt(self):
        out = self.check("""
            <!-- check: example-names RPC_NEW rpc_new -->
            Add `RPC_NEW` and `rpc_new()`.
            """, "identifiers")
        self.assertEqual([], out)

    def test_fields_are_checked(self):
        out = self.check("`rpc_desc_t.responses` and `rpc_desc_t->old_field`\n", "identifiers")
        self.assertEqual(1, len(out))
        self.assertIn("`old_field`", out[0])

    # links
    def test_dead_link_and_anchor_reported(self):
        self.write("docs/other.md", "# Title\n## A section\n")
        out = self.check("""
            [ok](other.md) [ok](other.md#a-section) [up](../Makefile) [web](https://x.org)
            [bad](missing.md) [bad anchor](other.md#nowhere) ![img](img/none.svg)
            """, "links")
        self.assertEqual(3, len(out))
        self.assertIn("missing.md", out[0])
        self.assertIn("#nowhere", out[1])
        self.assertIn("img/none.svg", out[2])

    def test_bad_svg_reported(self):
        self.write("docs/img/bad.svg", "<svg><g></svg>")
        self.write("docs/img/good.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
        out = self.check("![a](img/good.svg) ![b](img/bad.svg)\n", "links")
        self.assertEqual(1, len(out))
        self.assertIn("not well-formed", out[0])

    def test_unlinked_page_reported(self):
        self.write("docs/page.md", "text\n")
        self.write("docs/orphan.md", "text\n")
        out = [str(p) for p in dc.check_index(self.tree)]
        self.assertEqual(["docs/README.md:1: page `docs/orphan.md` is not linked from the index"],
                         out)

    # quotes
    def test_quote_matches_with_elision_and_spacing(self):
        out = self.check("""
            <!-- quote: kernel/kern/rpc.c -->
            ```c
            void rpc_send(uint32_t cxy,   rpc_desc_t *desc)
            {
            ...
                post(cxy, desc);
            ```
            """, "quotes")
        self.assertEqual([], out)

    def test_quote_that_no_longer_matches_reported(self):
        out = self.check("""
            <!-- quote: kernel/kern/rpc.c -->
            ```c
            void rpc_send(uint32_t cxy, rpc_desc_t *desc)
            {
                desc->responses = 2;
            ```
            """, "quotes")
        self.assertEqual(1, len(out))
        self.assertTrue(out[0].startswith("docs/page.md:5: quote of kernel/kern/rpc.c"), out[0])

    def test_quote_runs_must_be_in_order(self):
        out = self.check("""
            <!-- quote: kernel/kern/rpc.c -->
            ```c
                post(cxy, desc);
            ...
            #include "rpc.h"
            ```
            """, "quotes")
        self.assertEqual(1, len(out))

    def test_quote_of_missing_file_reported(self):
        out = self.check("<!-- quote: kernel/gone.c -->\n```c\nx\n```\n", "quotes")
        self.assertEqual(["docs/page.md:1: quote: no such file `kernel/gone.c`"], out)

    # markers
    def test_unmarked_shell_block_reported(self):
        out = self.check("""
            ```sh
            make run
            ```

            ```c
            int not_a_command;
            ```
            """, "markers")
        self.assertEqual(1, len(out))
        self.assertIn("without a valid marker", out[0])

    def test_manual_needs_a_reason(self):
        out = self.check("<!-- check: manual -->\n```sh\nmake run\n```\n", "markers")
        self.assertEqual(1, len(out))

    def test_commands_name_real_paths_targets_and_variables(self):
        out = self.check("""
            <!-- check: manual interactive -->
            ```sh
            make run CLUSTERS=2 && python3 kernel/kern/rpc.c   # comment: tools/none.py
            make runn NOSUCHVAR=1
            kernel/gone.py --help
            ```
            """, "markers")
        self.assertEqual(3, len(out), out)
        self.assertTrue(any("NOSUCHVAR" in p for p in out))
        self.assertTrue(any("runn" in p for p in out))
        self.assertTrue(any("kernel/gone.py" in p for p in out))

    def test_marker_without_block_reported(self):
        out = self.check("<!-- check -->\nSome text.\n", "markers")
        self.assertEqual(1, len(out))

    # commands
    def test_commands_run_and_output_is_checked(self):
        out = self.check("""
            <!-- check -->
            ```console
            $ printf 'one\\ntwo\\nthree\\n'
            one
            ...
            three
            $ ls kernel/kern \\
                | sort
            rpc.c
            rpc.h
            ```
            """, "commands")
        self.assertEqual([], out)

    def test_failing_command_reported(self):
        out = self.check("<!-- check -->\n```sh\ntrue\nfalse\necho never\n```\n", "commands")
        self.assertEqual(1, len(out))
        self.assertIn("exited with status 1", out[0])

    def test_missing_or_misordered_output_reported(self):
        out = self.check("""
            <!-- check -->
            ```console
            $ printf 'a\\nb\\n'
            b
            a
            ```
            """, "commands")
        self.assertEqual(1, len(out))
        self.assertIn("did not print 'a'", out[0])

    def test_timeout_reported(self):
        out = self.check("<!-- check timeout=0.5 -->\n```sh\nsleep 5\n```\n", "commands")
        self.assertEqual(1, len(out))
        self.assertIn("did not end within 0.5 s", out[0])

    def test_covered_and_manual_blocks_do_not_run(self):
        out = self.check("""
            <!-- check: covered-by Makefile -->
            ```sh
            false
            ```
            <!-- check: manual needs a terminal -->
            ```sh
            false
            ```
            """, "commands")
        self.assertEqual([], out)

    def test_commands_run_in_the_repository_root(self):
        out = self.check("<!-- check -->\n```sh\ntest -f kernel/kern/rpc.c\n```\n", "commands")
        self.assertEqual([], out)


class DocsCheckSpeed(unittest.TestCase):
    def test_whole_check_is_fast(self):
        """The whole docs check (commands included) stays well under a minute."""
        start = time.monotonic()
        problems = dc.check_index(TREE)
        for rel in dc.list_pages(REPO):
            problems += dc.check_page(rel, TREE)
        elapsed = time.monotonic() - start
        self.assertLess(elapsed, 30.0, f"docs check took {elapsed:.1f} s")


if __name__ == "__main__":
    unittest.main()
