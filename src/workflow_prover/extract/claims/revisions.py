"""Second readings of claims in their sentence, after every cue was read once (`cues.py`).

A cue's own words and ConText modifiers decide most claims; these passes revise a claim by
what else its sentence says: the dedupe that answers a threat ("so a redelivered webhook can't
duplicate it"), two rivals offered as alternatives ("in env/secret manager"), a denied absence
("never retries without backoff"), a drop whose pronoun stands for a mechanism ("the rewrite
dropped it"). Each takes the claims and returns them revised; none reads another pass's state.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from dataclasses import replace

from workflow_prover.annotate.types import Group
from workflow_prover.extract.claims.drafts import ClaimDraft
from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.reading import TextView
from workflow_prover.graph.kinds import kind_table

__all__ = [
    "denied_absences",
    "removals_of_mechanisms",
    "undecided_alternatives",
    "without_answered_threats",
]


# claims about what happens to failures: a pronoun after them stands for the failures
_ABOUT_FAILURES = frozenset(
    ("swallow", "logging", "error_handling", "try_catch", "retry", "no_handling", "max_attempts")
)


def removals_of_mechanisms(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'We used to have a DLQ on this job, but the rewrite dropped it': a drop whose object is
    a pronoun for a mechanism named before it in the sentence removes that mechanism (the
    retraction reads it); it swallows no failed work. "we catch errors and drop them" still
    does: its pronoun stands for the errors."""
    toks = view.toks
    sentence_of = view.lay.sentence_of
    if not any(c.kind == "swallow" for c in claims):
        return claims
    by_sentence: dict[int, list[ClaimDraft]] = {}
    for o in claims:
        if o.kind not in _ABOUT_FAILURES:
            by_sentence.setdefault(sentence_of[o.start], []).append(o)
    failure_words = view.term_starts("FAILURE_WORD")
    out = []
    for c in claims:
        if c.kind == "swallow" and toks[c.end - 1].norm in ("it", "them", "that", "those"):
            sentence = sentence_of[c.start]
            named_before = [o for o in by_sentence.get(sentence, []) if o.end <= c.start]
            inside = {k for o in named_before for k in range(o.start, o.end)}
            first = view.lay.sentences[sentence][0]
            last_failure = max(
                (k for k in range(first, c.start) if k in failure_words and k not in inside),
                default=-1,
            )
            if named_before and max(o.start for o in named_before) > last_failure:
                continue
        out.append(c)
    return out


def denied_absences(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'the client never retries without backoff': a negated 'without X' cue (retries with
    no backoff, denied) is a double negative, so the X inside it is asserted, as "we never
    write without an idempotency key" asserts the key."""
    toks = view.toks
    absences = [
        a
        for a in claims
        if a.reading.modality == "negated" and toks[a.start].norm in ("without", "w/o")
    ]
    if not absences:
        return claims
    out = list(claims)
    cues = view.ann.of(Group.CUE)  # the cues inside one, which the view folded in
    starts = [c.start for c in cues]
    ordered = sorted(claims, key=lambda c: c.start)
    claim_starts = [c.start for c in ordered]
    for a in absences:
        within = ordered[bisect_left(claim_starts, a.start) : bisect_left(claim_starts, a.end)]
        kinds = {c.kind for c in within if c.end <= a.end}
        for cue in cues[bisect_right(starts, a.start) : bisect_left(starts, a.end)]:
            if cue.end <= a.end and cue.label not in kinds:
                kinds.add(cue.label)
                out.append(
                    ClaimDraft(
                        cue.label,
                        Reading("asserted", a.reading.cues),
                        a.scope,
                        cue.start,
                        cue.end,
                        a.clause,
                        cue.rule,
                        cue.value,
                    )
                )
    return out


def without_answered_threats(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'..., so a redelivered webhook can't duplicate it': a cue that names the threat
    (`threat` in cues.jsonl) is no mechanism where its sentence states the de-duplication that
    answers it; "failed messages are redelivered up to 5 times" still states retries."""
    threats = {(c.start, c.end) for c in view.cues if c.threat}
    if not threats:
        return claims
    dedupe = {k.value for k, r in kind_table().rows.items() if r.check == "idempotency"}
    sentence_of = view.lay.sentence_of
    answered = {
        sentence_of[c.start]
        for c in claims
        if c.kind in dedupe and c.reading.modality == "asserted"
    }
    return [
        c for c in claims if not ((c.start, c.end) in threats and sentence_of[c.start] in answered)
    ]


def undecided_alternatives(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """'Store HUBSPOT_TOKEN in env/secret manager', 'exponential or fixed backoff': two rival
    mechanisms offered as alternatives (a slash or an 'or' between them), one that meets the
    check and one that does not (`satisfies` in kinds.jsonl), are a choice not yet made: neither
    is in the design (both read as planned)."""
    table = kind_table()
    groups, meets = table.group_of, table.meets
    toks = view.toks
    undecided: set[int] = set()
    asserted = [c for c in claims if c.reading.modality == "asserted" and c.kind in groups]
    for a, b in itertools.pairwise(sorted(asserted, key=lambda c: c.start)):
        between = [t.text.lower() for t in toks[a.end : b.start]]
        if (
            groups[a.kind] == groups[b.kind]
            and meets[a.kind] != meets[b.kind]  # "irsa / secrets manager" is safe either way
            and len(between) <= 3
            and sum(t in ("/", "or") for t in between) == 1
            and not any(t in (",", ";", ".", ":") for t in between)
        ):
            undecided.update((id(a), id(b)))
    if not undecided:
        return claims
    return [
        replace(c, reading=Reading("planned", c.reading.cues)) if id(c) in undecided else c
        for c in claims
    ]
