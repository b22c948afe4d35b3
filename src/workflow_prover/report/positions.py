"""Line and column on every evidence, so a reader (or an editor) can jump to the words.

Evidence carries character offsets into its turn's input; people and editors count lines and
columns. Both are 1-based and count Unicode code points. `line`/`column` is the first character
of the span; `end_line`/`end_column` is the character just after it (exclusive, as SARIF's
`endColumn`), so an empty span has its end equal to its start. Only the positions of line
breaks are kept from the input, never its words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from workflow_prover.models import Evidence, Finding, Note

__all__ = ["Lines", "Placer"]

_NEWLINE = re.compile("\n")  # found by the regex engine: a Python loop over characters is 20x


@dataclass(frozen=True)
class Lines:
    """Where each line of one text starts (character offsets)."""

    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Lines:
        return cls((0, *(m.end() for m in _NEWLINE.finditer(text))))

    def at(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a character offset."""
        line = max(bisect_right(self.starts, max(offset, 0)), 1)
        return line, offset - self.starts[line - 1] + 1


class Placer:
    """Places evidence in its turn's lines; the same evidence (a claim's, quoted again by the
    findings it clears or raises) is placed once. One per report: the output models are built
    with placed evidence, not copied again to add it."""

    def __init__(self, lines: Sequence[Lines]) -> None:
        self._lines = lines
        # by identity: the same object is quoted again (hashing a model hashes every field);
        # the key's object is kept with its placed copy, so its id is never reused
        self._done: dict[int, tuple[Evidence, Evidence]] = {}

    @classmethod
    def of(cls, texts: Sequence[str]) -> Placer:
        return cls([Lines.of(text) for text in texts])

    def __call__(self, evidence: Evidence) -> Evidence:
        done = self._done.get(id(evidence))
        if done is None:
            done = self._done[id(evidence)] = (evidence, self._place(evidence))
        return done[1]

    def _place(self, evidence: Evidence) -> Evidence:
        if not 1 <= evidence.turn <= len(self._lines):
            return evidence  # a turn this report was not given: no position, not a wrong one
        turn = self._lines[evidence.turn - 1]
        line, column = turn.at(evidence.start)
        end_line, end_column = turn.at(max(evidence.end, evidence.start))
        return evidence.model_copy(
            update={"line": line, "column": column, "end_line": end_line, "end_column": end_column}
        )

    def all(self, evidence: Sequence[Evidence]) -> tuple[Evidence, ...]:
        return tuple(self(e) for e in evidence)

    def finding(self, finding: Finding) -> Finding:
        return finding.model_copy(update={"evidence": self.all(finding.evidence)})

    def note(self, note: Note) -> Note:
        return note.model_copy(update={"evidence": self.all(note.evidence)})
