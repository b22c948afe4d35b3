"""Merge: the accepted items join the rules' reading of their turn.

A new step takes its place among the turn's steps in text order (build_graph numbers them
again); a new claim joins the turn's claims; a sentence an accepted item read is no longer
unread. The drafts are then merged into one design by `graph.build_graph`, scoped, checked and
judged exactly as the rules' own: nothing downstream treats an assisted item differently, except
that its evidence says `reader: "assist"` (its rule starts with `assist.`).
"""

from __future__ import annotations

from dataclasses import replace

from workflow_prover.assist.ground import Grounding
from workflow_prover.extract.turn import TurnDraft

__all__ = ["merged_drafts"]


def merged_drafts(grounding: Grounding) -> list[TurnDraft]:
    """Each turn's draft with the items the grounding accepted for it."""
    out: list[TurnDraft] = []
    for text in grounding.turns:
        draft, turn = text.draft, text.draft.turn
        steps = grounding.new_steps.get(turn, [])
        claims = grounding.new_claims.get(turn, [])
        if not steps and not claims:
            out.append(draft)
            continue
        spans = [(s.start, s.end) for s in steps] + [(c.start, c.end) for c in claims]
        out.append(
            replace(
                draft,
                steps=sorted([*draft.steps, *steps], key=lambda s: (s.start, s.clause)),
                claims=sorted([*draft.claims, *claims], key=lambda c: (c.start, c.kind)),
                unread=[
                    u for u in draft.unread if not any(s < u.end and u.start < e for s, e in spans)
                ],
            )
        )
    return out
