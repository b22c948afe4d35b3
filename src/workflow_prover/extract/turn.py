"""One turn of a conversation: steps, claims and secrets, before the turns are merged."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow_prover.annotate.types import Annotation
from workflow_prover.extract.claims.cues import ClaimDraft, find_claims, implicit_steps
from workflow_prover.extract.layout.blocks import SectionRoles
from workflow_prover.extract.reading import TextView, build_view
from workflow_prover.extract.services.found import ServiceCatalog, ServiceInfo
from workflow_prover.extract.steps.actions import StepDraft, find_steps
from workflow_prover.extract.steps.deliveries import outbound_deliveries
from workflow_prover.extract.unread import UnreadSpan, unread_sentences
from workflow_prover.models import Cue, Evidence
from workflow_prover.normalize import Normalized
from workflow_prover.secrets import Redaction


@dataclass(frozen=True)
class TurnDraft:
    turn: int
    redaction: Redaction
    normal: Normalized  # the text read: `redaction.text` normalised (see `normalize`)
    view: TextView
    steps: list[StepDraft]
    claims: list[ClaimDraft]
    unread: list[UnreadSpan] = field(default_factory=list)

    def to_original(self, offset: int, *, end: bool = False) -> int:
        """An offset of the text read, in the input as it was given."""
        return self.redaction.to_original(self.normal.to_source(offset, end=end))

    def shown(self, lo: int, hi: int) -> str:
        """The input's own (redacted) words for the span [lo, hi) of the text read."""
        start, end = self.normal.span(lo, hi)
        return self.redaction.text[start:end]

    def evidence(
        self, start: int, end: int, rule: str, cue: Cue | None = None, via: tuple[str, ...] = ()
    ) -> Evidence:
        """Evidence for tokens [start, end): redacted text, offsets into the original input;
        `via`: the heuristics that decided (built with it: a pydantic copy costs more)."""
        toks = self.view.toks
        lo, hi = toks[start].start, toks[end - 1].end
        return Evidence(
            text=self.shown(lo, hi),
            start=self.to_original(lo),
            end=self.to_original(hi, end=True),
            rule=rule,
            turn=self.turn,
            cue=cue,
            via=via,
        )

    def cue(self, claim: ClaimDraft) -> Cue | None:
        """The cue that set the claim's modality; several cues ("no … no") become one Cue.

        Its text is the input's own (redacted) words from the first cue to the last, like any
        evidence a slice of the input: the rule names each cue, so nothing is lost.
        """
        cues = claim.reading.cues
        if not cues:
            return None
        first, last = min(cues, key=lambda c: c.start), max(cues, key=lambda c: c.end)
        toks = self.view.toks
        lo, hi = toks[first.start].start, toks[last.end - 1].end
        return Cue(
            rule="+".join(c.rule for c in sorted(cues, key=lambda c: c.start)),
            text=self.shown(lo, hi),
            start=self.to_original(lo),
            end=self.to_original(hi, end=True),
            turn=self.turn,
            modality=claim.reading.modality,
        )


def extract_turn(
    ann: Annotation,
    redaction: Redaction,
    normal: Normalized,
    catalog: ServiceCatalog,
    turn: int,
    known: dict[str, ServiceInfo] | None = None,
    sections: SectionRoles | None = None,
) -> TurnDraft:
    view = build_view(ann, catalog, turn, known, sections)
    steps = find_steps(view)
    sent = outbound_deliveries(view, steps)  # "retry failed webhook deliveries"
    if sent:
        steps = _in_order(steps + sent)
    claims = find_claims(view, steps)
    extra = implicit_steps(view, claims, steps)
    if extra:
        steps = _in_order(steps + extra)
        claims = find_claims(view, steps)
    unread = unread_sentences(view, steps, claims)
    return TurnDraft(turn, redaction, normal, view, steps, claims, unread)


def _in_order(steps: list[StepDraft]) -> list[StepDraft]:
    return sorted(steps, key=lambda s: (s.start, s.clause))
