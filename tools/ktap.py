#!/usr/bin/env python3
"""Parser for KTAP version 1 (the Linux kernel test output format).

Accepted input (one test document, possibly buried in other console output)::

    [0.0] KTAP version 1            <- optional console prefix "[cxy.lid] " is stripped
    [0.0] 1..2                      <- plan
    [0.0]     KTAP version 1        <- nested subtest: indented by 4 spaces per level
    [0.0]     # Subtest: ppm
    [0.0]     1..2
    [0.0]     # every_order: freed 3 pages   <- diagnostic: belongs to the next result
    [0.0]     ok 1 every_order
    [0.0]     not ok 2 huge # SKIP no memory
    [0.0] ok 1 ppm                  <- the subtest's own result line closes it
    [0.0] not ok 2 vmm
    [0.0] # all done                <- trailing diagnostic

Lines before the first top-level ``KTAP version 1`` (or ``TAP version 13``)
line, and lines that are not KTAP at all, are ignored.  A plan may also come
after the results (TAP style) -- the boot harness prints it last.

The parser is incremental (:class:`Parser`, fed one line at a time; it returns
the leaf results as soon as they are known, which the test runner uses to
stream progress) and has a one-shot wrapper :func:`parse`.  Both build a tree of
:class:`Test` nodes; :func:`leaves` returns the flat results as
:class:`LeafResult` ``(path, passed, skipped, diagnostics)`` where ``path`` joins
the names with dots, e.g. ``ppm.every_order``.

Structural problems are reported as *failed* synthetic results, so that no
problem can go unnoticed by a consumer that only counts results:

* ``<path>.plan``      -- plan says N, got M; or no plan at top level
* ``<path>.numbering`` -- a result number out of sequence (first one only)
* ``<path>.bail-out``  -- a ``Bail out!`` line
* ``<path>``           -- a subtest with no result line (truncated output), or
  a subtest reported ``not ok`` although none of its tests failed
* ``ktap``             -- no KTAP version line at all

(``<path>.`` is omitted at the top level.)

Command line: ``python3 tools/ktap.py [FILE]`` prints the leaf results of FILE
(default stdin) and exits 0 iff no result failed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Union

#: Console prefix of Archipel kernel lines: ``[cxy.lid] ``.
PREFIX_RE = re.compile(r"^\[\d+\.\d+\] ")
VERSION_RE = re.compile(r"^(?:KTAP version (\d+)|TAP version (\d+))\s*$")
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*(?:#.*)?$")
RESULT_RE = re.compile(r"^(ok|not ok)(?:\s+(\d+))?(?:\s+(.*))?$")
SUBTEST_RE = re.compile(r"^#\s*Subtest:\s*(.*?)\s*$")
BAIL_RE = re.compile(r"^Bail out!\s*(.*)$")
#: A diagnostic line is "#" alone or "# text" ("#0 0x..." backtrace lines are not).
DIAG_RE = re.compile(r"^#(?:\s|$)")
INDENT = 4


@dataclass
class Test:
    """A node of the result tree: a test case or a (sub)test suite.

    ``ok`` is None while (or if ever) the node's result line is missing.
    ``diagnostics`` are the ``#`` lines that preceded its result line (and, for
    a suite, the ones printed after its last subtest).  ``errors`` lists
    structural problems found in this node (plan mismatch, ...).
    """

    name: str | None = None
    number: int | None = None
    ok: bool | None = None
    directive: str = ""
    version: str | None = None
    plan: int | None = None
    subtests: list["Test"] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # parser state
    _pending: list[str] = field(default_factory=list, repr=False)
    _deferred: list = field(default_factory=list, repr=False)
    _numbering_reported: bool = field(default=False, repr=False)

    @property
    def skipped(self) -> bool:
        return bool(re.match(r"(?i)skip\b", self.directive))

    @property
    def has_content(self) -> bool:
        return self.plan is not None or bool(self.subtests)


@dataclass(frozen=True)
class LeafResult:
    """One flat result: ``path`` (dot-joined names), pass/skip flags, diagnostics."""

    path: str
    passed: bool
    skipped: bool
    diagnostics: tuple[str, ...] = ()
    directive: str = ""
    synthetic: bool = False  #: True for a result made up for a structural problem
    depth: int = 0  #: nesting level of the result line (0 = top level)

    def __iter__(self):
        return iter((self.path, self.passed, self.skipped, self.diagnostics))


@dataclass(frozen=True)
class Diagnostic:
    """A ``#`` line seen by the incremental parser (``level`` 0 = top level)."""

    level: int
    text: str


Event = Union[LeafResult, Diagnostic]


def strip_prefix(line: str) -> str:
    """Remove a trailing newline and the console prefix ``[cxy.lid] ``, if any."""
    return PREFIX_RE.sub("", line.rstrip("\r\n"), count=1)


def _split_result(rest: str) -> tuple[str, str]:
    """Split ``name # directive`` into (name, directive)."""
    rest = rest.strip()
    if rest.startswith("#"):
        name, directive = "", rest[1:]
    elif " #" in rest:
        name, directive = rest.split(" #", 1)
    else:
        name, directive = rest, ""
    name = name.strip()
    if name.startswith("- "):
        name = name[2:].strip()
    return name, directive.strip()


class Parser:
    """Incremental KTAP parser.

    ``feed(line)`` returns the events the line completes: :class:`LeafResult`
    objects (as soon as their full path is known) and :class:`Diagnostic` for
    every ``#`` line.  ``close()`` ends the input (reporting truncation and plan
    problems) and returns the last events.  ``root`` is the tree,
    ``results`` every leaf result emitted so far, in order.
    """

    def __init__(self, strip_console_prefix: bool = True):
        self.strip_console_prefix = strip_console_prefix
        self.root = Test(name=None)
        self.started = False
        self.closed = False
        self.results: list[LeafResult] = []
        self._stack: list[Test] = [self.root]
        self._events: list[Event] = []

    # -- helpers -------------------------------------------------------------------

    def _path(self, names: Iterable[str | None], last: str | None = None) -> str:
        parts = [n if n else "?" for n in names]
        if last is not None:
            parts.append(last if last else "?")
        return ".".join(parts)

    def _emit(self, leaf: LeafResult) -> None:
        self.results.append(leaf)
        self._events.append(leaf)

    def _emit_or_defer(self, ancestors: list[Test], make) -> None:
        """Emit ``make(path_names)`` once every ancestor has a name."""
        unnamed = [a for a in ancestors if a.name is None and a.ok is None]
        if unnamed:
            unnamed[0]._deferred.append((ancestors, make))
        else:
            self._emit(make([a.name for a in ancestors]))

    def _flush_deferred(self, node: Test) -> None:
        deferred, node._deferred = node._deferred, []
        for ancestors, make in deferred:
            self._emit_or_defer(ancestors, make)

    def _open(self, level: int) -> Test:
        """Open subtests until the stack reaches ``level``; return the deepest."""
        while len(self._stack) - 1 < level:
            child = Test()
            self._stack.append(child)
        return self._stack[level]

    def _close_to(self, level: int, why: str) -> None:
        """Close every open subtest deeper than ``level`` as having no result line."""
        while len(self._stack) - 1 > level:
            node = self._stack.pop()
            parent = self._stack[-1]
            node.ok = False
            node.number = len(parent.subtests) + 1
            if node.name is None:
                node.name = f"subtest{node.number}"
            node.errors.append(why)
            parent.subtests.append(node)
            self._finish_node(node, len(self._stack) - 1, missing_result=True)

    def _finish_node(self, node: Test, parent_level: int, missing_result: bool = False) -> None:
        """A suite got its result (or was closed): check it, emit its problems."""
        node.diagnostics.extend(node._pending)
        node._pending = []
        ancestors = self._stack[1:parent_level + 1]
        self._flush_deferred(node)
        problems: list[tuple[str | None, str]] = []
        if missing_result:
            problems.append((None, node.errors[-1]))
        if node.plan is not None and node.plan != len(node.subtests):
            msg = f"plan says {node.plan}, got {len(node.subtests)}"
            node.errors.append(msg)
            problems.append(("plan", msg))
        if (not missing_result and node.ok is False and node.subtests
                and not self._any_failed(node)):
            problems.append((None, "reported not ok, but none of its tests failed"))
        for suffix, msg in problems:
            diags = tuple(node.diagnostics) + (msg,)
            self._emit_or_defer(ancestors + [node], lambda names, s=suffix, d=diags: LeafResult(
                self._path(names if s is None else names + [s]), False, False, d,
                synthetic=True))

    @staticmethod
    def _any_failed(node: Test) -> bool:
        for child in node.subtests:
            if child.ok is False and not child.skipped:
                return True
            if Parser._any_failed(child):
                return True
        return False

    def _node_error(self, node: Test, level: int, suffix: str, msg: str) -> None:
        node.errors.append(msg)
        ancestors = self._stack[1:level + 1]
        self._emit_or_defer(ancestors, lambda names: LeafResult(
            self._path(names + [suffix]), False, False, (msg,), synthetic=True))

    # -- public API ----------------------------------------------------------------

    def feed(self, line: str) -> list[Event]:
        """Parse one line (with or without its newline); return completed events."""
        if self.closed:
            raise ValueError("feed() after close()")
        self._events = []
        text = strip_prefix(line) if self.strip_console_prefix else line.rstrip("\r\n")
        body = text.lstrip(" ")
        level = (len(text) - len(body)) // INDENT
        body = body.rstrip()
        if not self.started:
            m = VERSION_RE.match(body)
            if m and level == 0:
                self.started = True
                self.root.version = m.group(1) or m.group(2)
            return self._events
        depth = len(self._stack) - 1

        m = VERSION_RE.match(body)
        if m:
            version = m.group(1) or m.group(2)
            if level == 0:
                # A second document: tolerated, but noted.
                self.root.errors.append("second KTAP version line at top level ignored")
            else:
                node = self._start_subtest(level, depth,
                                           fresh=lambda n: n.version is None)
                node.version = version
            return self._events

        m = SUBTEST_RE.match(body)
        if m and level > 0:
            node = self._start_subtest(level, depth, fresh=lambda n: n.name is None)
            node.name = m.group(1)
            self._events.append(Diagnostic(level, body))
            return self._events

        m = PLAN_RE.match(body)
        if m:
            if level < depth:
                self._close_to(level, "no result line for this subtest (before a parent plan)")
            node = self._open(level)
            if node.plan is not None:
                self._node_error(node, level, "plan", f"second plan 1..{m.group(1)}")
            else:
                node.plan = int(m.group(1))
            return self._events

        m = RESULT_RE.match(body)
        if m:
            self._result(level, m)
            return self._events

        m = BAIL_RE.match(body)
        if m:
            node = self._stack[min(level, depth)]
            self._node_error(node, min(level, depth), "bail-out",
                             "Bail out! " + m.group(1) if m.group(1) else "Bail out!")
            return self._events

        if DIAG_RE.match(body):
            node = self._stack[min(level, depth)]
            node._pending.append(body[1:].strip())
            self._events.append(Diagnostic(level, body))
        return self._events

    def _start_subtest(self, level: int, depth: int, fresh) -> Test:
        """Handle a subtest header line at ``level``; return the subtest node.

        The header belongs to the open subtest at that level if it has no plan or
        results yet and ``fresh(node)`` says this header was not seen for it yet
        (``KTAP version`` and ``# Subtest:`` may come in either order); otherwise
        it starts a new subtest.
        """
        if level <= depth:
            node = self._stack[level]
            if not node.has_content and fresh(node):
                return node
            # The previous subtest at this level never got its result line.
            self._close_to(level - 1, "no result line for this subtest")
        return self._open(level)

    def _result(self, level: int, m: re.Match) -> None:
        ok = m.group(1) == "ok"
        number = int(m.group(2)) if m.group(2) else None
        name, directive = _split_result(m.group(3) or "")
        depth = len(self._stack) - 1
        if level > depth:
            self._open(level)  # results deeper than any header: implicit subtests
            depth = level
        if depth > level + 1:
            self._close_to(level + 1, "no result line for this subtest")
            depth = level + 1
        parent = self._stack[level]
        if depth == level + 1:
            node = self._stack.pop()
            if node.name is None or not node.name:
                node.name = name
            leaf = False
        else:
            node = Test(name=name)
            leaf = True
        node.ok, node.number, node.directive = ok, number, directive
        node.diagnostics = parent._pending + node.diagnostics
        parent._pending = []
        parent.subtests.append(node)
        expected = len(parent.subtests)
        if number is not None and number != expected and not parent._numbering_reported:
            parent._numbering_reported = True
            self._node_error(parent, level, "numbering",
                             f"test '{name}' is numbered {number}, expected {expected}")
        if leaf:
            ancestors = self._stack[1:level + 1]
            diags = tuple(node.diagnostics)
            self._emit_or_defer(ancestors, lambda names: LeafResult(
                self._path(names, node.name), ok or node.skipped, node.skipped, diags,
                directive, depth=level))
        else:
            if not node.subtests:
                # A subtest header with no tests inside: it is a leaf itself.
                ancestors = self._stack[1:level + 1]
                diags = tuple(node.diagnostics + node._pending)
                self._emit_or_defer(ancestors, lambda names: LeafResult(
                    self._path(names, node.name), ok or node.skipped, node.skipped, diags,
                    directive, depth=level))
            self._finish_node(node, level)

    def close(self) -> list[Event]:
        """End of input: close truncated subtests, check the top-level plan."""
        self._events = []
        if self.closed:
            return self._events
        self.closed = True
        if not self.started:
            msg = "no KTAP output (no 'KTAP version 1' line)"
            self.root.errors.append(msg)
            self._emit(LeafResult("ktap", False, False, (msg,), synthetic=True))
            return self._events
        self._close_to(0, "no result line for this subtest (output truncated?)")
        root = self.root
        root.diagnostics.extend(root._pending)
        root._pending = []
        if root.plan is None:
            msg = f"no plan (1..N) in the KTAP output, got {len(root.subtests)} results"
            root.errors.append(msg)
            self._emit(LeafResult("plan", False, False, (msg,), synthetic=True))
        elif root.plan != len(root.subtests):
            msg = f"plan says {root.plan}, got {len(root.subtests)}"
            root.errors.append(msg)
            self._emit(LeafResult("plan", False, False, (msg,), synthetic=True))
        return self._events


def parse(text: str | Iterable[str], strip_console_prefix: bool = True) -> Parser:
    """Parse a whole text (or an iterable of lines); return the closed :class:`Parser`.

    ``parse(text).root`` is the tree, ``leaves(parse(text))`` the flat results.
    """
    parser = Parser(strip_console_prefix)
    lines = text.splitlines() if isinstance(text, str) else text
    for line in lines:
        parser.feed(line)
    parser.close()
    return parser


def leaves(parsed: Parser) -> Iterator[LeafResult]:
    """Yield the flat results of a parsed document, synthetic failures included."""
    yield from parsed.results


def summarize(results: Iterable[LeafResult]) -> tuple[int, int, int]:
    """Return (passed, failed, skipped) counts; a skipped result is not 'passed'."""
    passed = failed = skipped = 0
    for r in results:
        if r.skipped:
            skipped += 1
        elif r.passed:
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    text = open(argv[0], encoding="utf-8", errors="replace").read() if argv else sys.stdin.read()
    results = list(leaves(parse(text)))
    for r in results:
        state = "SKIP" if r.skipped else ("ok" if r.passed else "FAIL")
        print(f"{state:4} {r.path}")
        if not r.passed:
            for d in r.diagnostics:
                print(f"     # {d}")
    passed, failed, skipped = summarize(results)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main())
