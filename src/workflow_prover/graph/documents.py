"""Where structured documents join the prose in the claim graph.

A document's steps are numbered where its block starts, in the document's own order; its claims
are read there too, each group of one element as one clause (so rivals in one element, such as
a key and its UUID, are decided by priority, and the rest by order). A prose step on the
services of a schema step of its turn describes that step. A document sent again later (same
format, at least half its steps in common) replaces the earlier one. `graph.build_graph` uses
these; they hold no state of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workflow_prover.extract.claims.cues import ClaimDraft
from workflow_prover.extract.steps.actions import StepDraft
from workflow_prover.extract.turn import TurnDraft
from workflow_prover.models import ClaimNode, Evidence, Scope, ScopeTarget, StepNode
from workflow_prover.schemas.model import SchemaClaim, SchemaDoc, SchemaStep, Span

Ident = tuple[int, str, str]  # (turn, format, step identity)
CLAUSE_TURN = 10**12  # clause numbers: turn, then prose clause, then schema group
CLAUSE_PROSE = 10**6


@dataclass(frozen=True, slots=True)
class Located:
    """A schema claim with its document's format and the clause it reads as."""

    claim: SchemaClaim
    format: str
    clause: int


def current_docs(
    turns: list[TurnDraft], schemas: Sequence[Sequence[SchemaDoc]]
) -> dict[int, tuple[SchemaDoc, ...]]:
    """Each turn's documents, without those a later document of the same format replaces."""
    placed = [
        (turn.turn, k, doc)
        for turn, docs in zip(turns, schemas, strict=False)
        for k, doc in enumerate(docs)
    ]
    kept: dict[int, list[SchemaDoc]] = {}
    for i, (turn, _, doc) in enumerate(placed):
        replaced = any(_revises(later, doc) for _, _, later in placed[i + 1 :])
        if not replaced:
            kept.setdefault(turn, []).append(doc)
    return {turn: tuple(docs) for turn, docs in kept.items()}


def _revises(later: SchemaDoc, earlier: SchemaDoc) -> bool:
    """Is `later` a revision of `earlier`: same format, at least half its steps in common?"""
    common = len(later.idents & earlier.idents)
    return later.format == earlier.format and common > 0 and 2 * common >= len(earlier.idents)


def schema_evidence(turn: TurnDraft, span: Span, rule: str) -> Evidence:
    return Evidence(
        text=turn.redaction.redacted_span(span.start, span.end),
        start=span.start,
        end=span.end,
        rule=rule,
        turn=turn.turn,
        pointer=span.pointer,
    )


def schema_step_node(turn: TurnDraft, step: SchemaStep, index: int) -> StepNode:
    title = turn.redaction.redacted_span(step.title.start, step.title.end)
    text = title.strip().rstrip(":").strip().strip("\"'").strip() or step.ident
    return StepNode(
        index=index,
        text=text,
        action=step.action,
        services=tuple(info.name for info in step.services),
        inbound=step.inbound,
        turn=turn.turn,
        evidence=schema_evidence(turn, step.span, step.rule),
    )


def schema_claim_node(
    turn: TurnDraft, item: Located, ident_of: dict[Ident, int]
) -> ClaimNode | None:
    claim = item.claim
    if claim.steps is None and claim.services:
        scope = Scope(target=ScopeTarget.SERVICES, services=claim.services)
    elif claim.steps is None:
        scope = Scope(target=ScopeTarget.ALL)
    else:
        indices = [
            ident_of[key]
            for ident in claim.steps
            if (key := (turn.turn, item.format, ident)) in ident_of
        ]
        if claim.steps and not indices:
            return None  # about parts of a mechanism only
        scope = Scope(target=ScopeTarget.STEPS, steps=tuple(sorted(set(indices))))
    return ClaimNode(
        kind=claim.kind,
        modality=claim.modality,
        scope=scope,
        evidence=schema_evidence(turn, claim.span, claim.rule),
        turn=turn.turn,
        clause=item.clause,
        value=claim.value,
    )


def claims_in_order(turn: TurnDraft, docs: Sequence[SchemaDoc]) -> list[ClaimDraft | Located]:
    """The turn's prose claims in their order, with each document's claims where it starts."""
    toks = turn.view.toks
    pending = sorted(
        ((doc.start, k, doc) for k, doc in enumerate(docs)), key=lambda d: (d[0], d[1])
    )
    out: list[ClaimDraft | Located] = []
    last_clause = -1
    groups: dict[tuple[int, str], int] = {}

    def flush(before: int | None) -> None:
        while pending and (before is None or pending[0][0] < before):
            _, k, doc = pending.pop(0)
            for claim in doc.claims:
                group = groups.setdefault((k, claim.group), len(groups) + 1)
                clause = turn.turn * CLAUSE_TURN + last_clause * CLAUSE_PROSE + group
                out.append(Located(claim, doc.format, clause))

    for draft in turn.claims:
        flush(turn.to_original(toks[draft.start].start))
        out.append(draft)
        last_clause = draft.clause
    flush(None)
    return out


class Described:
    """The schema steps of a turn, for the prose steps that describe them.

    Prose next to a schema mostly describes it ("the state machine below charges the card with
    Stripe"): a prose step whose services all appear in the turn's schema steps is the schema
    step it shares most with (an inbound one for an inbound receive), not a step of its own.
    """

    def __init__(self, turn: int, docs: Sequence[SchemaDoc]) -> None:
        self.steps = [
            ((turn, doc.format, step.ident), step.inbound, {i.name for i in step.services})
            for doc in docs
            for step in doc.steps
        ]
        self.names = {name for _, _, names in self.steps for name in names}

    def step(self, inbound: bool, names: set[str]) -> Ident | None:
        if not names or not names <= self.names:
            return None
        best = max(
            self.steps,
            key=lambda s: (len(names & s[2]), s[1] == inbound, -self.steps.index(s)),
        )
        return best[0]


def schema_key(step: SchemaStep) -> tuple[str, bool, tuple[str, ...]]:
    return (step.action, step.inbound, tuple(sorted(info.name for info in step.services)))


def steps_in_order(
    turn: TurnDraft, docs: Sequence[SchemaDoc]
) -> list[StepDraft | tuple[str, SchemaStep]]:
    """The turn's prose steps in their order, with each document's steps where it starts."""
    toks = turn.view.toks
    pending = sorted(((d.start, k, d) for k, d in enumerate(docs)), key=lambda d: (d[0], d[1]))
    out: list[StepDraft | tuple[str, SchemaStep]] = []
    for draft in turn.steps:
        offset = turn.to_original(toks[draft.start].start)
        while pending and pending[0][0] < offset:
            doc = pending.pop(0)[2]
            out += [(doc.format, step) for step in doc.steps]
        out.append(draft)
    for _, _, doc in pending:
        out += [(doc.format, step) for step in doc.steps]
    return out
