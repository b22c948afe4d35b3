"""Prose inside a structured document: the spans the prose reader still reads.

A recognised document is hidden from the prose reader, except the strings that are prose: an
n8n sticky note ("errors go to the #alerts channel"), a sentence given as a value in an ad-hoc
sketch. `holes` cuts those spans out of the hidden blocks; `unescape` makes a JSON string's
text readable in place (`\\n` -> a space and a newline), keeping every offset where it is.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}|\\.")
_SAME_LENGTH = {"\\n": " \n", "\\t": "  ", "\\r": "  ", '\\"': ' "', "\\\\": " \\", "\\/": " /"}


def holes(blocks: list[tuple[int, int]], keep: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of `blocks` outside every span of `keep`."""
    out: list[tuple[int, int]] = []
    for start, end in blocks:
        cursor = start
        for lo, hi in sorted(k for k in keep if k[0] < end and k[1] > start):
            if lo > cursor:
                out.append((cursor, lo))
            cursor = max(cursor, hi)
        if cursor < end:
            out.append((cursor, end))
    return out


def unescape(text: str) -> str:
    """A JSON string's content with each escape replaced by what it means, at the same length
    (`\\n` -> ' \\n'; `\\u00e9` -> '     é'); anything else is left as it is."""

    def one(match: re.Match[str]) -> str:
        escape = match.group(0)
        if escape in _SAME_LENGTH:
            return _SAME_LENGTH[escape]
        if escape.startswith("\\u"):
            code = int(escape[2:], 16)
            return " " * 6 if 0xD800 <= code <= 0xDFFF else " " * 5 + chr(code)
        return " " + escape[1]

    return _ESCAPE.sub(one, text)
