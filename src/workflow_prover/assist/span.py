"""The rules' reading of a quoted span: is it asserted, or negated, planned, asked...?

ConText reads one mention at a time; a model's quote is a span of several words, and a cue may
sit inside it ("we don't park failed rows"). So each word of the span is read as its own target
and the readings are combined, cautiously: the span is asserted only when every word is, except
that a negated word does not count against a span whose last word the rules read as asserted
through a double negative ("we never write without an idempotency key"). Anything else a word
is read as (hypothetical, historical, a question, planned, negated) is what the span is, in the
rules' order of precedence.
"""

from __future__ import annotations

from workflow_prover.annotate.types import Group, Mention
from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.reading import TextView

__all__ = ["span_reading"]

_ORDER = ("hypothetical", "historical", "question", "planned", "negated")
_RULE = "assist.span"


def span_reading(view: TextView, lo: int, hi: int) -> Reading:
    """The reading of tokens [lo, hi) of the view."""
    cue_toks = {
        i
        for m in view.ann.of(Group.CONTEXT)
        if m.overlaps(_target(lo, hi))
        for i in range(m.start, m.end)
    }
    words = [i for i in range(lo, hi) if view.toks[i].text[:1].isalnum() and i not in cue_toks]
    if not words:  # the quote is only a cue ("TBD"): the cue reads itself
        return view.read(_target(lo, hi))
    readings = [view.read(_target(i, i + 1)) for i in words]
    last = readings[-1]
    for modality in _ORDER:
        hits = [r for r in readings if r.modality == modality]
        if not hits:
            continue
        if modality == "negated" and last.modality == "asserted" and last.cues:
            return last  # a double negative resolved on the words the span ends with
        return hits[0]
    return last


def _target(lo: int, hi: int) -> Mention:
    return Mention(Group.CUE, "assist", _RULE, lo, hi)
