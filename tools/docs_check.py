#!/usr/bin/env python3
"""Check the pages of docs/ against the tree, so that they cannot rot.

    python3 tools/docs_check.py              # every docs/*.md, commands run
    python3 tools/docs_check.py --no-run     # static checks only (no command runs)
    python3 tools/docs_check.py docs/adding-an-rpc.md

Prints one line per problem, ``docs/page.md:LINE: message``, then the time taken;
exits 1 when there is any problem. ``make test`` runs the same checks through
tests/tools/test_docs.py (the "unit" section of tests/run.py), one test per page
and per kind of check.

What is checked, per page
-------------------------
paths        Every inline code span that names a repository path (its first
             component is an entry of the repository root other than build/,
             e.g. `kernel/kern/rpc.c`, `user/tests/<name>.c`, `tests/tools/test_*.py`)
             must exist; `<...>` and `*` match like a shell glob; a trailing
             `:LINE` is ignored. A span that is a bare file name with a source
             extension (`vmm.c`, `ktap.h`) must be the name of some file of the
             tree. Paths under build/ (generated) and absolute guest paths
             (/proc/...) are not checked.
identifiers  Every inline code span that looks like one of our C names must
             occur as a word in the sources (boot/, hal/, kernel/, user/, tools/,
             tests/ but tests/data/ and this checker with its tests, the
             Makefiles): a name followed by `()`
             (`rpc_send()`), or a name with an underscore (`RPC_VMM`,
             `vmm_handle_cow`, `xptr_t`), or each such part of `a.b` / `a->b`
             (`core_t.active_gpt`). This is what catches a rename. Names of
             other projects are written with their manual section
             (`pthread_create(3)`, `getcpu(2)`) and are not checked. Names that a
             page introduces on purpose (the "your new call" of a walk-through)
             are declared once in the page:
                 <!-- check: example-names sys_foo RPC_FOO -->
links        Every relative link or image `[text](target)` of the page must
             resolve (a `#anchor` must be a heading of the target page); every
             docs/img/*.svg a page shows must be well-formed XML with an <svg>
             root. docs/README.md must link every other docs/*.md page.
quotes       A fenced block preceded by
                 <!-- quote: kernel/kern/rpc.h -->
             quotes that file: its lines must occur in the file, in order and
             contiguous (blank lines and runs of spaces are not significant); a
             line holding only `...` elides any number of lines of the file.
             This keeps the worked examples pointing at the real code.
markers      Every fenced block of language sh, shell, bash or console must say
             how its commands are checked, with the HTML comment on the line
             just before the fence (blank lines allowed between):
                 <!-- check -->                  run it (see "commands")
                 <!-- check timeout=60 -->        the same, with a timeout in s
                 <!-- check: covered-by tests/e2e/test_make_trace.py -->
                                                 too slow to run here (QEMU
                                                 boots...): the named test file
                                                 runs the same thing
                 <!-- check: manual REASON -->   cannot be run by a test at all
                                                 (interactive: GDB, Ctrl-A X)
             Whatever the marker, every repository path a command names must
             exist, and every `make TARGET` / `make VAR=value` must name a
             target / a variable of the Makefiles.
commands     Blocks marked `<!-- check -->` are run from the repository root
             with bash (-e -o pipefail), stdin /dev/null, LC_ALL=C, a timeout
             (default 30 s), and must exit 0:
             - an `sh` (shell, bash) block is one script;
             - a `console` block holds commands after `$ ` (a line ending in
               `\\` continues on the next) each followed by the output it must
               print: every non-blank line that follows a command, up to the
               next `$ `, must be contained in a line of that command's output
               (stdout and stderr), in order; a line holding only `...` says
               that output is elided and matches nothing.
             Runnable commands must be cheap (no QEMU boot, no build): the
             whole docs check must stay well under a minute.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

SHELL_LANGS = {"sh", "shell", "bash", "console"}
DEFAULT_TIMEOUT = 30.0
SOURCE_DIRS = ("boot", "hal", "kernel", "user", "tools", "tests")
SOURCE_EXCLUDE = ("tests/data",)
# the checker and its tests name made-up identifiers: they prove nothing
WORDS_EXCLUDE = ("tools/docs_check.py", "tests/tools/test_docs.py")
SOURCE_EXTS = {".c", ".h", ".S", ".py", ".mk", ".ld", ".inc", ".sh", ".gdb"}
FILE_NAME_RE = re.compile(r"^[\w.+-]+\.(c|h|S|py|mk|ld|inc|sh|gdb|md|svg)$")
IDENT_RE = re.compile(r"^[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*(?:\(\))?$")
WORD_RE = re.compile(r"[A-Za-z_]\w*")
MARKER_RE = re.compile(r"^\s*<!--\s*(check|quote)\b(.*?)-->\s*$")
LINK_RE = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
SPAN_RE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
COMMENT_RE = re.compile(r"<!--.*?-->")


@dataclass
class Problem:
    page: str           # path relative to the repository root
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


@dataclass
class Block:
    """A fenced code block and the marker comment just before it (if any)."""
    line: int                       # line of the opening fence (1-based)
    lang: str
    body: list                      # lines between the fences
    marker: str | None = None       # "check", "quote" or None
    marker_args: str = ""
    marker_line: int = 0


@dataclass
class Page:
    path: str                       # relative to the repository root
    lines: list
    blocks: list = field(default_factory=list)
    spans: list = field(default_factory=list)    # (line, text) of inline code spans
    links: list = field(default_factory=list)    # (line, target)
    example_names: set = field(default_factory=set)
    problems: list = field(default_factory=list) # found while parsing


def parse_page(repo: str, rel: str) -> Page:
    """Reads docs page @rel (relative to @repo): its fenced blocks, inline spans, links."""
    with open(os.path.join(repo, rel), encoding="utf-8") as f:
        lines = f.read().split("\n")
    page = Page(rel, lines)
    fence = None                    # (char run, Block) while inside a fenced block
    pending = None                  # (kind, args, line) of the last marker comment
    for no, line in enumerate(lines, 1):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence[0]) and stripped.strip(fence[0][0]) == "":
                page.blocks.append(fence[1])
                fence = None
            else:
                fence[1].body.append(line)
            continue
        m = re.match(r"^\s*(```+|~~~+)\s*([\w+-]*)", line)
        if m:
            block = Block(no, m.group(2).lower(), [])
            if pending:
                block.marker, block.marker_args, block.marker_line = pending
            fence = (m.group(1), block)
            pending = None
            continue
        m = MARKER_RE.match(line)
        if m:
            args = m.group(2).strip()
            if m.group(1) == "check" and args.startswith(":") and \
                    args[1:].split()[:1] == ["example-names"]:
                page.example_names.update(args[1:].split()[1:])
            else:
                pending = (m.group(1), args, no)
            continue
        if stripped and pending:
            page.problems.append(Problem(rel, pending[2], f"marker '<!-- {pending[0]} "
                                         f"{pending[1]} -->' is not followed by a fenced block"))
            pending = None
        text = COMMENT_RE.sub("", line)
        for sm in SPAN_RE.finditer(text):
            page.spans.append((no, sm.group(2).strip()))
        for lm in LINK_RE.finditer(SPAN_RE.sub("", text)):
            page.links.append((no, lm.group(1)))
    if fence is not None:
        page.problems.append(Problem(rel, fence[1].line, "fenced block never closed"))
    if pending:
        page.problems.append(Problem(rel, pending[2], "marker at the end of the page"))
    return page


# ---- the tree ------------------------------------------------------------------------------

class Tree:
    """What the docs are checked against: files, source words, Makefile names."""

    def __init__(self, repo: str = REPO):
        self.repo = repo
        self._words = None
        self._basenames = None
        self._make = None

    def root_entries(self) -> set:
        return {e for e in os.listdir(self.repo) if not e.startswith(".")} - {"build"}

    def _walk(self):
        for top in SOURCE_DIRS:
            for dirpath, dirnames, filenames in os.walk(os.path.join(self.repo, top)):
                rel = os.path.relpath(dirpath, self.repo)
                dirnames[:] = [d for d in dirnames if not d.startswith((".", "__"))
                               and os.path.join(rel, d) not in SOURCE_EXCLUDE]
                for name in filenames:
                    yield os.path.join(dirpath, name)
        for name in os.listdir(self.repo):
            path = os.path.join(self.repo, name)
            if os.path.isfile(path):
                yield path

    @staticmethod
    def _is_source(path: str) -> bool:
        name = os.path.basename(path)
        ext = os.path.splitext(name)[1]
        if ext in SOURCE_EXTS or name == "Makefile":
            return True
        if ext == "" and os.access(path, os.X_OK):      # scripts such as tools/trace
            try:
                with open(path, "rb") as f:
                    return f.read(2) == b"#!"
            except OSError:
                return False
        return False

    def words(self) -> set:
        """Every identifier-like word of the sources."""
        if self._words is None:
            words = set()
            for path in self._walk():
                if os.path.relpath(path, self.repo) in WORDS_EXCLUDE:
                    continue
                if self._is_source(path):
                    with open(path, encoding="utf-8", errors="replace") as f:
                        words.update(WORD_RE.findall(f.read()))
            self._words = words
        return self._words

    def basenames(self) -> set:
        if self._basenames is None:
            names = set()
            for top in self.root_entries():
                path = os.path.join(self.repo, top)
                if os.path.isfile(path):
                    names.add(top)
                    continue
                for dirpath, dirnames, filenames in os.walk(path):
                    dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                    names.update(filenames)
            self._basenames = names
        return self._basenames

    def make_names(self) -> tuple:
        """(targets, variables) of the Makefile, params.mk and every *.mk of the tree."""
        if self._make is None:
            targets, variables = set(), set()
            files = [os.path.join(self.repo, "Makefile")]
            files += glob.glob(os.path.join(self.repo, "*.mk"))
            files += glob.glob(os.path.join(self.repo, "*", "**", "*.mk"), recursive=True)
            for path in files:
                if not os.path.isfile(path):
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for m in re.finditer(r"^([A-Za-z0-9_.%/$() -]+?)\s*::?(?!=)", text, re.M):
                    targets.update(m.group(1).split())
                variables.update(re.findall(r"^\s*(?:export\s+|override\s+)?([A-Za-z_]\w*)"
                                            r"\s*(?::=|\?=|\+=|=)", text, re.M))
                variables.update(re.findall(r"\$\(([A-Za-z_]\w*)\)", text))
                variables.update(re.findall(r"\$\((?:filter|if)[^)]*?\$\(([A-Za-z_]\w*)\)", text))
            self._make = (targets, variables)
        return self._make

    def path_exists(self, path: str) -> bool:
        pattern = re.sub(r"<[^>]*>", "*", path)
        full = os.path.join(self.repo, pattern)
        if any(c in pattern for c in "*?["):
            return bool(glob.glob(full))
        return os.path.exists(full)


# ---- static checks ---------------------------------------------------------------------------

def repo_path_candidate(tree: Tree, text: str) -> str | None:
    """The repository path named by the code span @text, or None if it names none."""
    if not text or any(c.isspace() for c in text) or "://" in text or text.startswith("/"):
        return None
    text = re.sub(r":\d+(-\d+)?$", "", text).rstrip(".,;")
    first = text.split("/", 1)[0]
    if "/" in text and first in tree.root_entries():
        return text.rstrip("/")
    return None


def check_paths(page: Page, tree: Tree) -> list:
    problems = []
    for no, text in page.spans:
        path = repo_path_candidate(tree, text)
        if path is not None:
            if not tree.path_exists(path):
                problems.append(Problem(page.path, no, f"path `{text}` does not exist"))
        elif FILE_NAME_RE.match(text) and text not in tree.basenames():
            problems.append(Problem(page.path, no, f"no file named `{text}` in the tree"))
    for block in page.blocks:
        if block.marker == "check" and block.marker_args.startswith(":") and \
                block.marker_args[1:].split()[:1] == ["covered-by"]:
            for target in block.marker_args[1:].split()[1:]:
                if not tree.path_exists(target):
                    problems.append(Problem(page.path, block.marker_line,
                                            f"covered-by `{target}`: no such file"))
    return problems


def identifier_parts(text: str) -> list:
    """The parts of code span @text that must be found in the sources (maybe none)."""
    if not IDENT_RE.match(text):
        return []
    call = text.endswith("()")
    parts = re.split(r"\.|->", text[:-2] if call else text)
    out = [p for p in parts if "_" in p.strip("_")]
    if call and parts[-1] not in out:
        out.append(parts[-1])
    return out


def check_identifiers(page: Page, tree: Tree) -> list:
    problems = []
    words = tree.words()
    for no, text in page.spans:
        for name in identifier_parts(text):
            if name not in words and name not in page.example_names:
                problems.append(Problem(page.path, no, f"`{name}` is not found in the sources "
                                        "(renamed? or declare it with <!-- check: "
                                        "example-names ... -->)"))
    return problems


def github_anchor(heading: str) -> str:
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def page_anchors(path: str) -> set:
    anchors = set()
    try:
        with open(path, encoding="utf-8") as f:
            in_fence = False
            for line in f:
                if re.match(r"^\s*(```|~~~)", line):
                    in_fence = not in_fence
                elif not in_fence and re.match(r"^#{1,6}\s", line):
                    anchors.add(github_anchor(line.lstrip("#")))
    except OSError:
        pass
    return anchors


def check_links(page: Page, tree: Tree) -> list:
    problems = []
    here = os.path.dirname(os.path.join(tree.repo, page.path))
    for no, target in page.links:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):      # http:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        full = os.path.normpath(os.path.join(here, path)) if path else \
            os.path.join(tree.repo, page.path)
        if not os.path.exists(full):
            problems.append(Problem(page.path, no, f"link target `{target}` does not exist"))
            continue
        if anchor and full.endswith(".md") and anchor not in page_anchors(full):
            problems.append(Problem(page.path, no, f"link `{target}`: no heading #{anchor}"))
        if full.endswith(".svg"):
            try:
                root = ET.parse(full).getroot()
                if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
                    problems.append(Problem(page.path, no, f"`{target}`: root is not <svg>"))
            except ET.ParseError as exc:
                problems.append(Problem(page.path, no, f"`{target}`: not well-formed: {exc}"))
    return problems


def check_index(tree: Tree, docs: str = "docs") -> list:
    """docs/README.md links every other page of docs/."""
    index = os.path.join(docs, "README.md")
    if not os.path.exists(os.path.join(tree.repo, index)):
        return [Problem(index, 1, "the docs index is missing")]
    page = parse_page(tree.repo, index)
    linked = {os.path.normpath(os.path.join(docs, t.partition("#")[0])) for _, t in page.links}
    return [Problem(index, 1, f"page `{p}` is not linked from the index")
            for p in list_pages(tree.repo, docs)
            if p != os.path.normpath(index) and os.path.normpath(p) not in linked]


def _normalize(line: str) -> str:
    return " ".join(line.split())


def check_quotes(page: Page, tree: Tree) -> list:
    problems = []
    for block in page.blocks:
        if block.marker != "quote":
            continue
        target = block.marker_args.lstrip(":").strip()
        full = os.path.join(tree.repo, target)
        if not target or not os.path.isfile(full):
            problems.append(Problem(page.path, block.marker_line,
                                    f"quote: no such file `{target}`"))
            continue
        with open(full, encoding="utf-8", errors="replace") as f:
            file_lines = [(i, _normalize(l)) for i, l in enumerate(f.read().split("\n"), 1)]
        file_lines = [(i, l) for i, l in file_lines if l]
        runs, run = [], []
        for offset, line in enumerate(block.body, 1):
            norm = _normalize(line)
            if norm == "...":
                if run:
                    runs.append(run)
                run = []
            elif norm:
                run.append((block.line + offset, norm))
        if run:
            runs.append(run)
        pos = 0
        for run in runs:
            want = [t for _, t in run]
            found = None
            for k in range(pos, len(file_lines) - len(want) + 1):
                if all(file_lines[k + j][1] == want[j] for j in range(len(want))):
                    found = k
                    break
            if found is None:
                # name the first line that is not in the file at all, else the run's first
                bad = next(((no, t) for no, t in run
                            if t not in {l for _, l in file_lines[pos:]}), run[0])
                problems.append(Problem(page.path, bad[0],
                                        f"quote of {target} no longer matches the file "
                                        f"(from: {bad[1][:70]!r})"))
                break
            pos = found + len(want)
    return problems


def block_commands(block: Block) -> list:
    """(command, expected output lines) of a shell block."""
    if block.lang != "console":
        return [("\n".join(block.body), [])]
    out, cmd, expect, cont = [], None, [], False
    for line in block.body:
        if cont:
            cmd += "\n" + line
            cont = line.rstrip().endswith("\\")
            continue
        if line.startswith("$ "):
            if cmd is not None:
                out.append((cmd, expect))
            cmd, expect = line[2:], []
            cont = line.rstrip().endswith("\\")
        elif cmd is not None and line.strip() and line.strip() != "...":
            expect.append(line.strip())
    if cmd is not None:
        out.append((cmd, expect))
    return out


def check_marker(block: Block) -> str | None:
    """The check kind of a shell block: run, covered-by, manual; or an error message."""
    if block.marker != "check":
        return None
    args = block.marker_args
    if not args or args.startswith("timeout="):
        return "run"
    if args.startswith(":"):
        words = args[1:].split()
        if words and words[0] == "covered-by" and len(words) >= 2:
            return "covered-by"
        if words and words[0] == "manual" and len(words) >= 2:
            return "manual"
    return None


def check_markers(page: Page, tree: Tree) -> list:
    """Every shell block says how it is checked; its paths and make targets exist."""
    problems = list(page.problems)
    targets, variables = tree.make_names()
    for block in page.blocks:
        if block.lang not in SHELL_LANGS:
            if block.marker == "check":
                problems.append(Problem(page.path, block.marker_line,
                                        f"a check marker before a '{block.lang}' block "
                                        "(only sh, shell, bash, console blocks run)"))
            continue
        if check_marker(block) is None:
            problems.append(Problem(page.path, block.line,
                                    "shell block without a valid marker: <!-- check -->, "
                                    "<!-- check: covered-by FILE -->, or "
                                    "<!-- check: manual REASON -->"))
        for cmd, _ in block_commands(block):
            for line in cmd.split("\n"):
                line = line.split("#", 1)[0] if not line.lstrip().startswith("#!") else ""
                words = line.replace("\\", " ").replace(";", " ").replace("&&", " ").split()
                for w in words:
                    path = repo_path_candidate(tree, w.strip("'\""))
                    if path is not None and not tree.path_exists(path):
                        problems.append(Problem(page.path, block.line,
                                                f"command names `{w}`, which does not exist"))
                for m in re.finditer(r"(?:^|[\s;&|(])make((?:\s+[^\s;&|)]+)*)", line):
                    for w in m.group(1).split():
                        if w.startswith("-") or w.startswith("$"):
                            continue
                        if "=" in w:
                            var = w.split("=", 1)[0]
                            if var not in variables:
                                problems.append(Problem(page.path, block.line,
                                                        f"make variable {var} is not used by "
                                                        "the Makefiles"))
                        elif re.match(r"^[\w./-]+$", w) and w not in targets and \
                                not w.startswith("build/") and \
                                not os.path.exists(os.path.join(tree.repo, w)):
                            problems.append(Problem(page.path, block.line,
                                                    f"make target {w} is not defined"))
    return problems


# ---- running commands ------------------------------------------------------------------------

def run_commands(page: Page, tree: Tree) -> list:
    problems = []
    for block in page.blocks:
        if block.lang not in SHELL_LANGS or check_marker(block) != "run":
            continue
        m = re.search(r"timeout=(\d+(?:\.\d+)?)", block.marker_args)
        timeout = float(m.group(1)) if m else DEFAULT_TIMEOUT
        env = dict(os.environ, LC_ALL="C")
        for cmd, expect in block_commands(block):
            shown = cmd.split("\n", 1)[0][:70]
            try:
                proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", cmd], cwd=tree.repo,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, timeout=timeout, env=env)
            except subprocess.TimeoutExpired:
                problems.append(Problem(page.path, block.line,
                                        f"`{shown}` did not end within {timeout:g} s"))
                continue
            output = proc.stdout.decode("utf-8", "replace").split("\n")
            tail = "; ".join(l for l in output[-6:] if l.strip())
            if proc.returncode != 0:
                problems.append(Problem(page.path, block.line,
                                        f"`{shown}` exited with status {proc.returncode}: "
                                        f"{tail[:300]}"))
                continue
            at = 0
            for want in expect:
                k = next((i for i in range(at, len(output)) if want in output[i]), None)
                if k is None:
                    problems.append(Problem(page.path, block.line,
                                            f"`{shown}` did not print {want!r} "
                                            "(in that order)"))
                    break
                at = k + 1
    return problems


# ---- driver ------------------------------------------------------------------------------------

CHECKS = {
    "paths": check_paths,
    "identifiers": check_identifiers,
    "links": check_links,
    "quotes": check_quotes,
    "markers": check_markers,
    "commands": run_commands,
}


def list_pages(repo: str = REPO, docs: str = "docs") -> list:
    """The pages of docs/ (relative paths), sorted."""
    return sorted(os.path.relpath(p, repo)
                  for p in glob.glob(os.path.join(repo, docs, "*.md")))


def check_page(rel: str, tree: Tree, kinds=None) -> list:
    page = parse_page(tree.repo, rel)
    problems = []
    for kind, fn in CHECKS.items():
        if kinds is None or kind in kinds:
            problems += fn(page, tree)
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="pages to check (default: docs/*.md)")
    parser.add_argument("--no-run", action="store_true", help="do not run the commands")
    args = parser.parse_args(argv)
    start = time.monotonic()
    tree = Tree(REPO)
    pages = [os.path.relpath(os.path.abspath(p), REPO) for p in args.pages] or list_pages()
    kinds = [k for k in CHECKS if not (args.no_run and k == "commands")]
    problems = [] if args.pages else check_index(tree)
    for rel in pages:
        problems += check_page(rel, tree, kinds)
    for p in problems:
        print(p)
    print(f"docs_check: {len(pages)} pages, {len(problems)} problems, "
          f"{time.monotonic() - start:.1f} s", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
