"""Which graphs a SPARQL Update writes, read from its text before it runs.

The data derived from the articles is refreshed for the graphs a write touched, so each write
path must say which ones: the Graph Store protocol names its graph, and this reads them from an
update's text. It reads only what decides the target (the prologue, each operation's keywords,
the graph names of its data blocks and templates) and skips WHERE groups whole; a graph it
cannot name (a variable in `GRAPH ?g`, `DROP ALL`, an operation it does not know) is reported
as such, and the caller then refreshes everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from kg.vocab import PREFIXES


@dataclass
class Written:
    """The graphs an update writes: named graphs by IRI, whether it writes the store's default
    graph, and whether it writes graphs it does not name (then any graph may have changed)."""

    graphs: set[str] = field(default_factory=set)
    default: bool = False
    unknown: bool = False

    def add(self, graph: str | None) -> None:
        """One graph written: an IRI, or None for the default graph."""
        if graph is None:
            self.default = True
        else:
            self.graphs.add(graph)


class _Unreadable(Exception):
    """The text holds something the reader does not follow: every graph may be written."""


# strings and comments (never graph names), IRIs, variables, braces and separators, words
_TOKEN = re.compile(
    r'(?P<skip>\s+|#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<var>[?$][^\s{}();,.<>]+)"
    r"|(?P<punct>[{}();,])"
    r"|(?P<word>[^\s{}();,<>\"'#]+)"
    r"|(?P<other>.)"
)
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:(.*)$")


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each token that matters: strings and comments are left out."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "skip":
            found.append((kind, match.group()))
    return found


class _Reader:
    """A cursor over the tokens of one update, with its prologue's prefixes and base."""

    def __init__(self, text: str, base: str | None) -> None:
        self.tokens = tokens(text)
        self.at = 0
        self.base = base
        self.prefixes = dict(PREFIXES)  # the server declares these for every update

    def peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def keyword(self) -> str:
        """The next token, upper case if it is a word (keywords are case-insensitive)."""
        kind, text = self.tokens[self.at] if self.at < len(self.tokens) else ("", "")
        return text.upper() if kind == "word" else text

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise _Unreadable("the update ends early")
        token = self.tokens[self.at]
        self.at += 1
        return token

    def skip(self, *words: str) -> bool:
        """Step over the next token if it is one of these keywords."""
        if self.keyword() in words:
            self.at += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if self.keyword() != text:
            raise _Unreadable(f"expected {text}, found {self.peek()!r}")
        self.at += 1

    def iri(self, kind: str, text: str) -> str:
        """An IRI or a prefixed name as an absolute IRI; a variable cannot be named."""
        if kind == "iri":
            return urljoin(self.base, text[1:-1]) if self.base else text[1:-1]
        found = _PREFIXED.match(text) if kind == "word" else None
        if found is None or (found.group(1) or "") not in self.prefixes:
            raise _Unreadable(f"{text!r} names no graph this reader can resolve")
        return self.prefixes[found.group(1) or ""] + found.group(2)

    def graph(self) -> str:
        return self.iri(*self.take())


def written_graphs(update: str, base: str | None = None) -> Written:
    """The graphs ``update`` writes (relative IRIs resolved against ``base``, the endpoint's
    URL); ``unknown`` when the text names graphs it cannot resolve, or is not read here."""
    written = Written()
    reader = _Reader(update, base)
    try:
        while reader.at < len(reader.tokens):
            _operation(reader, written)
    except _Unreadable:
        written.unknown = True
    return written


def _operation(reader: _Reader, written: Written) -> None:
    """Read one operation (or prologue line, or separator) and note what it writes."""
    word = reader.keyword()
    reader.take()
    if word == ";":
        return
    if word == "PREFIX":
        name = reader.take()[1]
        reader.prefixes[name.removesuffix(":")] = reader.graph()
    elif word == "BASE":
        reader.base = reader.graph()
    elif word == "LOAD":
        reader.skip("SILENT")
        reader.take()  # the document loaded
        written.add(reader.graph() if reader.skip("INTO") and reader.skip("GRAPH") else None)
    elif word in ("CLEAR", "DROP"):
        reader.skip("SILENT")
        _target(reader, written)
    elif word == "CREATE":
        reader.skip("SILENT")
        reader.expect("GRAPH")
        reader.graph()  # an empty graph: nothing derives from it
    elif word in ("ADD", "MOVE", "COPY"):
        reader.skip("SILENT")
        source = _graph_or_default(reader)
        reader.expect("TO")
        written.add(_graph_or_default(reader))
        if word == "MOVE":
            written.add(source)
    elif word in ("INSERT", "DELETE", "WITH"):
        _modify(reader, written, word)
    else:
        raise _Unreadable(f"no operation starts with {word!r}")


def _target(reader: _Reader, written: Written) -> None:
    """CLEAR's or DROP's target: a graph, the default graph, or every (named) graph."""
    if reader.skip("DEFAULT"):
        written.add(None)
    elif reader.keyword() in ("NAMED", "ALL"):
        raise _Unreadable("every named graph")
    else:
        reader.expect("GRAPH")
        written.add(reader.graph())


def _graph_or_default(reader: _Reader) -> str | None:
    if reader.skip("DEFAULT"):
        return None
    reader.skip("GRAPH")
    return reader.graph()


def _modify(reader: _Reader, written: Written, word: str) -> None:
    """INSERT DATA, DELETE DATA, DELETE WHERE, or [WITH g] DELETE {..} INSERT {..} [USING ..]
    WHERE {..}: the graphs of its data blocks and templates (a template's triples outside
    GRAPH go to the WITH graph, else to the default graph)."""
    with_graph = reader.graph() if word == "WITH" else None
    if word == "WITH":
        word = reader.keyword()
        reader.take()
    if word in ("INSERT", "DELETE") and reader.skip("DATA"):
        _block(reader, written, None)
        return
    if word == "DELETE" and reader.skip("WHERE"):
        _block(reader, written, None)
        return
    while True:
        if word not in ("INSERT", "DELETE"):
            raise _Unreadable(f"expected INSERT or DELETE, found {word!r}")
        _block(reader, written, with_graph)
        if reader.keyword() != "INSERT":
            break
        word = reader.keyword()
        reader.take()
    while reader.skip("USING"):
        reader.skip("NAMED")
        reader.graph()
    reader.expect("WHERE")
    _skip_group(reader)


def _block(reader: _Reader, written: Written, default: str | None) -> None:
    """A block of quads or a template: each `GRAPH g { ... }` writes g, any triple outside
    one writes ``default`` (a WITH graph, or the store's default graph). Inside such a block
    braces only open a GRAPH's triples."""
    reader.expect("{")
    while True:
        kind, text = reader.take()
        if text == "}":
            return
        if kind == "word" and text.upper() == "GRAPH":
            written.add(reader.graph())
            reader.expect("{")
            _skip_to_close(reader)
        elif text == "{":
            raise _Unreadable("a group inside a block of quads")
        elif text != ".":
            written.add(default)


def _skip_to_close(reader: _Reader) -> None:
    """Step past the `}` that closes the group just opened."""
    depth = 1
    while depth:
        text = reader.take()[1]
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1


def _skip_group(reader: _Reader) -> None:
    """A WHERE group, whole: it reads the store, it writes nothing."""
    reader.expect("{")
    _skip_to_close(reader)
