"""TOML job configs (`[job]`, `[[step]]`, `key = "value"`): parsed with `tomllib`, located by line.

`tomllib` gives values without positions, so each value's location is read off its line:
a table header (`[retry]`, `[[step]]`, an array of tables counted in order) sets the path, and
`key = value` on one line is that path's member (a dotted key, `a.b = 1`, goes below it). A
value that spans lines (a multi-line array or string) is located at its first line; an inline
table's members share its line. The readers need no more: evidence quotes the line.
"""

from __future__ import annotations

import re
import tomllib

from workflow_prover.schemas.locate import Loc, escape

_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([^\]\n]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$")
_PAIR = re.compile(
    r"^[ \t]*((?:\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_.-]+)(?:[ \t]*\.[ \t]*"
    r"(?:\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_-]+))*)[ \t]*=[ \t]*(.*)$"
)
# a whole text that is TOML: a table header line and a `key = value` line
TOML_TEXT = re.compile(r"^\[\[?[A-Za-z0-9_.\"' -]+\]\]?[ \t]*$", re.M)
_KEY_VALUE = re.compile(r"^[A-Za-z0-9_.\"'-]+[ \t]*=[ \t]*\S", re.M)


def looks_like_toml(text: str) -> bool:
    """A table header and a `key = value` pair: no prose has both on lines of their own."""
    return bool(TOML_TEXT.search(text)) and bool(_KEY_VALUE.search(text))


def toml_document(text: str, base: int = 0) -> tuple[object, dict[str, Loc]]:
    """The parsed document and a location per JSON pointer (raises tomllib.TOMLDecodeError)."""
    value = tomllib.loads(text)
    locs: dict[str, Loc] = {"": Loc(base, base + len(text))}
    path: list[str] = []
    counts: dict[str, int] = {}
    offset = 0
    for line in text.splitlines(keepends=True):
        start, end = base + offset, base + offset + len(line.rstrip("\r\n"))
        offset += len(line)
        header = _HEADER.match(line.rstrip("\r\n"))
        if header is not None and not _PAIR.match(line):
            names = _keys(header.group(2))
            if header.group(1) == "[[":
                table = "/" + "/".join(escape(n) for n in names)
                index = counts.get(table, 0)
                counts[table] = index + 1
                locs.setdefault(table, Loc(start, end))
                path = [*names, str(index)]
            else:
                path = names
            locs["/" + "/".join(escape(p) for p in path)] = Loc(start, end)
            continue
        pair = _PAIR.match(line.rstrip("\r\n"))
        if pair is None:
            continue
        keys = _keys(pair.group(1))
        pointer = "/" + "/".join(escape(p) for p in [*path, *keys])
        value_start = start + pair.start(2)
        locs.setdefault(pointer, Loc(value_start, end, start + pair.start(1)))
    return value, locs


def _keys(dotted: str) -> list[str]:
    """`a."b.c".d` -> ['a', 'b.c', 'd']."""
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([^.\s\"']+)", dotted)
    return [a or b or c for a, b, c in parts]
