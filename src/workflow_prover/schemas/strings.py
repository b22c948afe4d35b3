"""Offsets inside a string value: a document held in a string, mapped back to the text.

A CloudFormation `DefinitionString` is a JSON document inside a JSON string (with escapes) or a
YAML literal block (with indentation). Evidence inside it must point at the template's own
characters, so a position in the decoded string is mapped back to the text. Only the two forms
whose decoding is exact are mapped (the decoding is checked against the parser's value); for
any other (a folded or plain YAML scalar) the caller falls back to the whole string's span.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

Mapping = Callable[[int], int]
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def string_offsets(text: str, start: int, end: int, decoded: str) -> Mapping | None:
    """Offset in `decoded` -> offset in `text`, for the string value written at `start:end`."""
    raw = text[start:end]
    if raw.startswith('"'):
        return _quoted(raw, start, decoded)
    head = raw.split("\n", 1)[0].strip()
    if head.endswith(("|", "|-", "|+")):
        return _literal_block(raw, start, decoded)
    return None


def _quoted(raw: str, base: int, decoded: str) -> Mapping | None:
    positions: list[int] = []
    chars: list[str] = []
    i = 1
    while i < len(raw) and raw[i] != '"':
        if raw[i] == "\\" and i + 1 < len(raw):
            if raw[i + 1] == "u" and i + 5 < len(raw):
                chars.append(chr(int(raw[i + 2 : i + 6], 16)))
                positions.append(base + i)
                i += 6
                continue
            chars.append(_ESCAPES.get(raw[i + 1], raw[i + 1]))
            positions.append(base + i)
            i += 2
            continue
        chars.append(raw[i])
        positions.append(base + i)
        i += 1
    if "".join(chars) != decoded:
        return None
    positions.append(base + i)
    return lambda offset: positions[min(max(offset, 0), len(positions) - 1)]


def _literal_block(raw: str, base: int, decoded: str) -> Mapping | None:
    header, _, body = raw.partition("\n")
    lines = body.split("\n")
    indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
    contents = [line[indent:] for line in lines]
    if "\n".join(contents).rstrip("\n") != decoded.rstrip("\n"):
        return None
    starts: list[int] = []  # where each line starts in `decoded`
    raw_starts: list[int] = []  # where its content starts in the text
    decoded_at, raw_at = 0, base + len(header) + 1
    for line, content in zip(lines, contents, strict=True):
        starts.append(decoded_at)
        raw_starts.append(raw_at + min(indent, len(line)))
        decoded_at += len(content) + 1
        raw_at += len(line) + 1

    def mapping(offset: int) -> int:
        row = max(bisect_right(starts, offset) - 1, 0)
        return raw_starts[row] + offset - starts[row]

    return mapping
