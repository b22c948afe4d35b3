"""Every finding code and every note code, by name: views of the rule tables.

A finding code's words (title, help, message, question, examples) live with its check, in
`checks/<check>.jsonl`; the codes of notes about the document itself (a block that does not
parse, an ignore marker without a reason) in `rules/notes.jsonl`. This module only gives them
the names the rest of the package uses; the tables are read on first use (`rules.book`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Set
from typing import TypeVar

from workflow_prover.rules.book import RuleBook, rule_book
from workflow_prover.rules.model import Code, NoteCode, NoteLevel

__all__ = ["CODES", "NOTES", "SHORT", "UNSUPPRESSIBLE", "Code", "NoteCode", "NoteLevel"]

V = TypeVar("V")


class _View(Mapping[str, V]):
    """A read-only mapping computed from the rule book when first read."""

    def __init__(self, pick: Callable[[RuleBook], Mapping[str, V]]) -> None:
        self._pick = pick

    def _table(self) -> Mapping[str, V]:
        return self._pick(rule_book())

    def __getitem__(self, key: str) -> V:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


class _Unsuppressible(Set[str]):
    """The codes no marker or flag may ignore (a leaked secret must be removed and rotated)."""

    def _codes(self) -> frozenset[str]:
        return frozenset(c.code for c in rule_book().codes.values() if not c.suppressible)

    def __contains__(self, code: object) -> bool:
        return code in self._codes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._codes()))

    def __len__(self) -> int:
        return len(self._codes())


CODES: Mapping[str, Code] = _View(lambda book: book.codes)
NOTES: Mapping[str, NoteCode] = _View(lambda book: book.notes)
SHORT: Mapping[str, str] = _View(lambda book: {c: r.short for c, r in book.codes.items()})
UNSUPPRESSIBLE: Set[str] = _Unsuppressible()
