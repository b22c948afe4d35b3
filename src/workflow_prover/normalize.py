"""Text normalisation before reading, with every offset kept (the pipeline's first stage).

A reader that matches words must see "no DLQ" in "n\u200bo DLQ" (a zero-width space), in
"nо DLQ" (a Cyrillic о) and in "ｎｏ DLQ" (fullwidth), or a negation is bypassed and a flawed
design is proven. `Normalizer.normalize(text)` gives a `Normalized` text in which, character by
character:

- format characters (category Cf: zero-width spaces and joiners, soft hyphens, bidi controls,
  the BOM) and variation selectors are removed, as are combining marks right after an ASCII
  letter ("n\u0336o");
- look-alikes of ASCII letters from other scripts (`lexicons/confusables.jsonl`) become the
  letter;
- everything else non-ASCII takes its NFKC form: fullwidth and mathematical letters, superscript
  and circled digits, ligatures ("ﬁ" is "fi"), the ellipsis ("..."), the no-break space.

Only characters that change are recorded, as edits; `to_source` maps an offset of the
normalised text back to the text it came from, so evidence is always a slice of the input.
ASCII text (the usual case) is returned as it is, with no edits and no copy.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from workflow_prover.lexicon.schema import ConfusableRow

__all__ = ["Normalized", "Normalizer"]

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10))


@dataclass(frozen=True, slots=True)
class _Edit:
    src_start: int
    src_end: int
    norm_start: int
    norm_end: int


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text and the edits that made it from `source`."""

    source: str
    text: str
    edits: tuple[_Edit, ...] = ()
    starts: tuple[int, ...] = ()  # each edit's norm_start, for bisection

    def to_source(self, offset: int, *, end: bool = False) -> int:
        """Map an offset of `text` to `source`.

        A start offset inside a replacement maps to the start of the character it replaced, an
        end offset to its end; an offset next to a removed character lands outside it (a word's
        start after a removed zero-width space, its end before one).
        """
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} is outside the text (0..{len(self.text)})")
        if not self.edits:
            return offset
        bisect = bisect_left if end else bisect_right
        index = bisect(self.starts, offset) - 1
        if index < 0:
            return offset
        edit = self.edits[index]
        if end and offset <= edit.norm_end:
            return edit.src_end
        if not end and offset < edit.norm_end:
            return edit.src_start
        return offset - edit.norm_end + edit.src_end

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source span of `text[start:end]` (an empty span stays empty)."""
        lo = self.to_source(start)
        return (lo, lo) if start == end else (lo, self.to_source(end, end=True))


class Normalizer:
    """Normalises text for reading; built once from the confusables lexicon."""

    __slots__ = ("_cache", "_confusables")

    def __init__(self, rows: Iterable[ConfusableRow]) -> None:
        self._confusables: Mapping[str, str] = MappingProxyType({r.char: r.ascii for r in rows})
        self._cache: dict[str, str] = {}

    def normalize(self, text: str) -> Normalized:
        if text.isascii():
            return Normalized(text, text)
        parts: list[str] = []
        edits: list[_Edit] = []
        position = 0  # next source character not yet copied
        length = 0  # length of the normalised text so far
        for hit in _NON_ASCII.finditer(text):
            start = hit.start()
            char = hit.group()
            after_letter = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
            replacement = self._replace(char, after_letter)
            if replacement == char:
                continue
            parts.append(text[position:start])
            length += start - position
            edits.append(_Edit(start, start + 1, length, length + len(replacement)))
            parts.append(replacement)
            length += len(replacement)
            position = start + 1
        if not edits:
            return Normalized(text, text)
        parts.append(text[position:])
        return Normalized(text, "".join(parts), tuple(edits), tuple(e.norm_start for e in edits))

    def _replace(self, char: str, after_letter: bool) -> str:
        category = unicodedata.category(char)
        if category == "Cf" or char in _SELECTORS:
            return ""
        if category in ("Mn", "Me") and after_letter:
            return ""
        cached = self._cache.get(char)
        if cached is None:
            cached = self._confusables.get(char)
            if cached is None:
                nfkc = unicodedata.normalize("NFKC", char)
                cached = "".join(self._confusables.get(c, c) for c in nfkc)
            if len(self._cache) < 4096:
                self._cache[char] = cached
        return cached
