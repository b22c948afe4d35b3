"""Sentences the reader could not use: they name a system or an action, but yielded no step
and no claim (issue 7, "tell the agent what was not read").

A report that misses the workflow must not look like a confident answer: these sentences go
to `Report.unread`, and when no step at all could be built the message and the questions ask
the agent to restate them as steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workflow_prover.extract.claims.scope import ClaimDraft
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.steps.actions import NOT_DESIGN, StepDraft

__all__ = ["UnreadSpan", "unread_sentences"]

_ACTED_ROLES = frozenset(("api", "datastore"))


@dataclass(frozen=True, slots=True)
class UnreadSpan:
    start: int  # tokens [start, end) of the sentence
    end: int
    reason: Literal["names_service", "has_action"]


def unread_sentences(
    view: TextView, steps: list[StepDraft], claims: list[ClaimDraft]
) -> list[UnreadSpan]:
    used = {s.clause for s in steps} | {c.clause for c in claims}
    by_sentence: dict[int, list[Clause]] = {}
    for c in view.lay.clauses:
        by_sentence.setdefault(c.sentence, []).append(c)
    out: list[UnreadSpan] = []
    for index, (lo, hi) in enumerate(view.lay.sentences):
        clauses = by_sentence.get(index, [])
        if not clauses or any(c.index in used for c in clauses):
            continue
        if any(
            c.skipped or c.role in NOT_DESIGN or c.role in ("background", "setup") for c in clauses
        ):
            continue
        reason: Literal["names_service", "has_action"] | None = _reason(
            view, [c.index for c in clauses]
        )
        if reason is not None:
            out.append(UnreadSpan(lo, hi, reason))
    return out


def _reason(view: TextView, clauses: list[int]) -> Literal["names_service", "has_action"] | None:
    for clause in clauses:
        for m in view.clause_services(clause):
            if m.info.role in _ACTED_ROLES and not view.is_host(m):
                return "names_service"
    for clause in clauses:
        for action in view.frame(clause).actions:
            if action.label in ("WRITE", "TRANSFER") and view.read(action.verb).modality == (
                "asserted"
            ):
                return "has_action"
    return None
