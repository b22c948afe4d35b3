"""Finding a model's quote in the text: exact, after folding case and whitespace only.

A quote the model paraphrased, corrected or joined from two places is not in the text, and an
item resting on it is rejected: the point of the quote is that the rules can read the very
words the model relies on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Folded", "fold", "fold_text"]


@dataclass(frozen=True, slots=True)
class Folded:
    """A text lower-cased with each run of whitespace one space; `where[k]` is the offset in
    the text of the folded character k."""

    text: str
    where: tuple[int, ...]

    def find(self, quote: str) -> Iterator[tuple[int, int]]:
        """Every (start, end) in the original text where the folded `quote` occurs."""
        needle = fold_text(quote)
        if not needle:
            return
        at = self.text.find(needle)
        while at >= 0:
            yield self.where[at], self.where[at + len(needle) - 1] + 1
            at = self.text.find(needle, at + 1)

    def holds(self, quote: str, start: int, end: int) -> bool:
        """Does the text say `quote` exactly at [start, end)?"""
        return any(span == (start, end) for span in self.find(quote))


def fold(text: str) -> Folded:
    chars: list[str] = []
    where: list[int] = []
    space = False
    for offset, char in enumerate(text):
        if char.isspace():
            if chars and not space:
                chars.append(" ")
                where.append(offset)
            space = True
            continue
        space = False
        lower = char.lower()
        chars.append(lower if len(lower) == 1 else char)  # "İ".lower() is two characters
        where.append(offset)
    return Folded("".join(chars), tuple(where))


def fold_text(text: str) -> str:
    return fold(text).text.strip()
