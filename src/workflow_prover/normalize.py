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
  and circled digits, ligatures ("ﬁ" is "fi"), the ellipsis ("..."), the no-break space;
- the middle of a very long run is removed (33+ punctuation characters keep 16 at each end,
  257+ non-space characters 128): the tokenizer is quadratic on them.

Only characters that change are recorded, as edits; `to_source` maps an offset of the
normalised text back to the text it came from, so evidence is always a slice of the input.
ASCII text with no long run (the usual case) is returned as it is, with no edits and no copy.
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


_PUNCTUATION_RUN = re.compile(r"[^\w\s]{33,}")
_WORD_RUN = re.compile(r"\S{257,}")


def _long_runs(text: str) -> list[tuple[int, int, str]]:
    """The middles of very long runs, removed: a run of 33+ punctuation characters keeps its
    first and last 16, any run of 257+ non-space characters its first and last 128. spaCy's
    tokenizer is quadratic on such runs ('[' * 10000 + ']' * 10000 took 30 s; hardening
    fault 3), and no word of a design is that long."""
    out = [(m.start() + 16, m.end() - 16, "") for m in _PUNCTUATION_RUN.finditer(text)]
    out += [(m.start() + 128, m.end() - 128, "") for m in _WORD_RUN.finditer(text)]
    return out


class Normalizer:
    """Normalises text for reading; built once from the confusables lexicon."""

    __slots__ = ("_cache", "_confusables")

    def __init__(self, rows: Iterable[ConfusableRow]) -> None:
        self._confusables: Mapping[str, str] = MappingProxyType({r.char: r.ascii for r in rows})
        self._cache: dict[str, str] = {}

    def normalize(self, text: str) -> Normalized:
        changes = [*_long_runs(text)]
        if not text.isascii():
            changes += self._characters(text)
        if not changes:
            return Normalized(text, text)
        changes.sort()
        parts: list[str] = []
        edits: list[_Edit] = []
        position = 0  # next source character not yet copied
        length = 0  # length of the normalised text so far
        for start, end, replacement in changes:
            if start < position:
                continue  # inside a run already shortened
            parts.append(text[position:start])
            length += start - position
            edits.append(_Edit(start, end, length, length + len(replacement)))
            parts.append(replacement)
            length += len(replacement)
            position = end
        parts.append(text[position:])
        return Normalized(text, "".join(parts), tuple(edits), tuple(e.norm_start for e in edits))

    def _characters(self, text: str) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        for hit in _NON_ASCII.finditer(text):
            start = hit.start()
            char = hit.group()
            after_letter = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
            replacement = self._replace(char, after_letter)
            if replacement != char:
                out.append((start, start + 1, replacement))
        return out

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
