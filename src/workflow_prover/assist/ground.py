"""Grounding: the Prover decides which of the model's items count.

Every item must quote the text (`quotes`): a step at the first place its quote occurs, a claim
at the place in the latest turn that holds it (the latest statement is the current one). Then:

- the quote lies in one sentence of the prose the rules read, in a part of the text that is
  the design (not a heading, history, rejected alternatives or open questions);
- a step: the rules read its quote as asserted (a step asked about or imagined is no step); its
  service is named in the quote or elsewhere in the text (`services`), and is a system a step
  acts on, not where a mechanism lives (a DLQ's queue, a vault, an alert channel); a step whose
  quote overlaps a step of the rules (or one accepted before it) is that step;
- a claim: its kind is one of the Report's; the rules' reading of its quote (`span`) decides
  whether it is asserted: a claim the model calls asserted and the rules read as negated,
  planned, asked or imagined is rejected, and so is the reverse (a model cannot retract what
  the text states); otherwise the claim takes the rules' modality. A claim of the kind of a
  rules' claim it overlaps is that claim. Its scope is the rules' scope of its clause, or the
  step its `step_quote` quotes, or the service it names, which must then agree with the scope
  the text gives the clause, when it gives one.

Items that pass are `accepted` (located, as `reading` stores them); the others are counted, each
with one reason that names the item by its number, never by the model's words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from workflow_prover.assist.answer import AnswerClaim, AnswerStep, ParsedAnswer
from workflow_prover.assist.quotes import Folded, fold
from workflow_prover.assist.reading import AssistedReading, At, StoredClaim, StoredStep
from workflow_prover.assist.services import Named, ServiceIndex, same_service
from workflow_prover.assist.span import span_reading
from workflow_prover.extract.claims.cues import CREDENTIAL_KINDS
from workflow_prover.extract.claims.scope import ClaimDraft, ScopeDraft, Targets, scope_of
from workflow_prover.extract.steps.actions import NOT_DESIGN, StepDraft
from workflow_prover.extract.turn import TurnDraft
from workflow_prover.models import ASSIST_RULE, ClaimKind

__all__ = ["STEP_RULE", "Grounding", "Rejected", "TurnText"]

KINDS = frozenset(k.value for k in ClaimKind)
STEP_RULE = f"{ASSIST_RULE}step"
_STEP_ROLES = frozenset(("api", "datastore"))
_T = TypeVar("_T")
_A = TypeVar("_A")


class Rejected(Exception):
    """An item the Prover refuses; the message is the reason."""


@dataclass
class TurnText:
    """One turn as the grounding sees it: its draft, its folded text, its tokens' spans."""

    draft: TurnDraft
    folded: Folded
    spans: list[tuple[int, int]]  # token -> [start, end) in the turn's redacted text

    @classmethod
    def of(cls, draft: TurnDraft) -> TurnText:
        spans = [draft.normal.span(t.start, t.end) for t in draft.view.toks]
        return cls(draft, fold(draft.redaction.text), spans)

    @property
    def text(self) -> str:
        return self.draft.redaction.text

    def tokens(self, at: At) -> tuple[int, int] | None:
        inside = [i for i, (s, e) in enumerate(self.spans) if s < at.end and at.start < e]
        return (inside[0], inside[-1] + 1) if inside else None

    def surface(self, lo: int, hi: int) -> str:
        return self.text[self.spans[lo][0] : self.spans[hi - 1][1]]

    def occurrences(self, quote: str) -> list[At]:
        return [At(turn=self.draft.turn, start=s, end=e) for s, e in self.folded.find(quote)]


@dataclass
class Grounding:
    """The session's turns, with the accepted items added as they are grounded."""

    turns: list[TurnText]
    index: ServiceIndex
    steps: dict[int, list[StepDraft]]  # per turn: the rules' steps and the accepted ones
    new_steps: dict[int, list[StepDraft]] = field(default_factory=dict)
    new_claims: dict[int, list[ClaimDraft]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    rejected: int = 0
    accepted: int = 0
    _targets: dict[int, Targets] = field(default_factory=dict)

    @classmethod
    def of(cls, drafts: Sequence[TurnDraft], index: ServiceIndex) -> Grounding:
        steps = {d.turn: list(d.steps) for d in drafts}
        return cls([TurnText.of(d) for d in drafts], index, steps)

    # ---- readings ----------------------------------------------------------------------------

    def ground(
        self,
        stored: Sequence[tuple[str, AssistedReading]],
        answer: ParsedAnswer | None = None,
        model: str | None = None,
    ) -> AssistedReading | None:
        """Ground the stored readings (each named for its reasons: "turn 2"), then a new
        answer: every step first, so that claims are scoped over all the steps. Returns the
        new answer's accepted items, located (None without an answer)."""
        for where, reading in stored:
            for n, step in enumerate(reading.steps, 1):
                self._attempt(f"{where}: step {n}", self._stored_step, step)
        steps: list[StoredStep] = []
        if answer is not None:
            self.rejected += len(answer.rejected)
            self.reasons += answer.rejected
            for n, item in enumerate(answer.steps, 1):
                found = self._attempt(f"step {n}", self._new_step, item)
                steps += [found] if found is not None else []
        for where, reading in stored:
            for n, claim in enumerate(reading.claims, 1):
                self._attempt(f"{where}: claim {n}", self._stored_claim, claim)
        if answer is None:
            return None
        claims: list[StoredClaim] = []
        for n, new in enumerate(answer.claims, 1):
            accepted = self._attempt(f"claim {n}", self._new_claim, new)
            claims += [accepted] if accepted is not None else []
        return AssistedReading(model=model, steps=tuple(steps), claims=tuple(claims))

    def _attempt(self, label: str, ground: Callable[[_A], _T], item: _A) -> _T | None:
        try:
            result = ground(item)
        except Rejected as exc:
            self.rejected += 1
            self.reasons.append(f"{label}: {exc}")
            return None
        self.accepted += 1
        return result

    # ---- steps -------------------------------------------------------------------------------

    def _new_step(self, item: AnswerStep) -> StoredStep:
        at = self._first(item.quote)
        if at is None:
            raise Rejected("its quote is not in the text")
        return self._step(
            StoredStep(quote=item.quote, action=item.action, service=item.service, at=at)
        )

    def _stored_step(self, step: StoredStep) -> StoredStep:
        self._check(step.quote, step.at)
        return self._step(step)

    def _step(self, step: StoredStep) -> StoredStep:
        text, lo, hi = self._place(step.at)
        view = text.draft.view
        reading = span_reading(view, lo, hi)
        if reading.modality != "asserted":
            raise Rejected(
                f"the text does not state this step (the rules read it as {reading.modality})"
            )
        named = self._service(step.service, text, lo, hi)
        if named.info.role not in _STEP_ROLES:
            raise Rejected(f"{named.info.name} is not a system a step acts on")
        if named.mention is not None and view.is_host(named.mention):
            raise Rejected(f"{named.info.name} is where a mechanism lives here, not a step")
        turn = text.draft.turn
        if any(s.start < hi and lo < s.end for s in self.steps[turn]):
            return step  # it overlaps a step already read: it is that step
        clause = view.lay.clause_of[lo]
        draft = StepDraft(lo, hi, clause, step.action, False, (named.info,), None, STEP_RULE)
        self.steps[turn].append(draft)
        self.new_steps.setdefault(turn, []).append(draft)
        self._targets.pop(turn, None)
        return step

    def _step_at(self, at: At) -> tuple[int, StepDraft] | None:
        if not 1 <= at.turn <= len(self.turns):
            return None
        span = self.turns[at.turn - 1].tokens(at)
        if span is None:
            return None
        lo, hi = span
        step = next((s for s in self.steps[at.turn] if s.start < hi and lo < s.end), None)
        return None if step is None else (at.turn, step)

    # ---- claims ------------------------------------------------------------------------------

    def _new_claim(self, item: AnswerClaim) -> StoredClaim:
        if item.kind not in KINDS:
            raise Rejected("its kind is not one the Prover knows")
        at = self._latest(item.quote)
        if at is None:
            raise Rejected("its quote is not in the text")
        step_at = self._step_place(item.step_quote) if item.step_quote else None
        claim = StoredClaim(
            kind=item.kind,
            modality=item.modality,
            quote=item.quote,
            service=item.service or None,
            step_quote=item.step_quote or None,
            at=at,
            step_at=step_at,
        )
        self._claim(claim)
        return claim

    def _stored_claim(self, claim: StoredClaim) -> StoredClaim:
        self._check(claim.quote, claim.at)
        if claim.step_quote is not None:
            if claim.step_at is None:
                raise Rejected("its step_quote has no place")
            self._check(claim.step_quote, claim.step_at)
        self._claim(claim)
        return claim

    def _claim(self, claim: StoredClaim) -> None:
        if claim.kind not in KINDS:
            raise Rejected("its kind is not one the Prover knows")
        text, lo, hi = self._place(claim.at)
        view, turn = text.draft.view, text.draft.turn
        reading = span_reading(view, lo, hi)
        if (reading.modality == "asserted") != (claim.modality == "asserted"):
            raise Rejected(f"the rules read its quote as {reading.modality}, not {claim.modality}")
        known = [*text.draft.claims, *self.new_claims.get(turn, [])]
        if any(c.kind == claim.kind and c.start < hi and lo < c.end for c in known):
            return  # the rules (or an item before it) read this very statement: it is that one
        clause = view.lay.clause_of[lo]
        scope = self._scope(claim, text, lo, hi)
        rule = f"{ASSIST_RULE}{claim.kind}"
        draft = ClaimDraft(claim.kind, reading, scope, lo, hi, clause, rule)
        self.new_claims.setdefault(turn, []).append(draft)

    def _scope(self, claim: StoredClaim, text: TurnText, lo: int, hi: int) -> ScopeDraft:
        """The rules' scope of the clause, or the model's step or service when it agrees."""
        turn = text.draft.turn
        clause = text.draft.view.lay.clause_of[lo]
        rules = scope_of(self._targets_of(turn), clause, credential=claim.kind in CREDENTIAL_KINDS)
        if claim.step_at is not None:
            found = self._step_at(claim.step_at)
            if found is None:
                raise Rejected("its step_quote quotes no step")
            where, step = found
            names = tuple(info.name for info in step.services)
            _agrees(rules, names, step.start if where == turn else None)
            if where == turn:
                return ScopeDraft(general=False, steps=(step.start,))
            return ScopeDraft(general=False, services=names)
        if claim.service:
            name = self._service(claim.service, text, lo, hi).info.name
            _agrees(rules, (name,), None, self.steps[turn])
            return ScopeDraft(general=False, services=(name,))
        return rules

    def _targets_of(self, turn: int) -> Targets:
        if turn not in self._targets:
            self._targets[turn] = Targets(self.turns[turn - 1].draft.view, self.steps[turn])
        return self._targets[turn]

    # ---- places and names --------------------------------------------------------------------

    def _first(self, quote: str) -> At | None:
        """Where a step's quote first occurs in the session."""
        for text in self.turns:
            found = text.occurrences(quote)
            if found:
                return found[0]
        return None

    def _latest(self, quote: str) -> At | None:
        """Where a claim's quote occurs in the latest turn that holds it."""
        for text in reversed(self.turns):
            found = text.occurrences(quote)
            if found:
                return found[0]
        return None

    def _step_place(self, quote: str) -> At:
        places = [at for text in self.turns for at in text.occurrences(quote)]
        if not places:
            raise Rejected("its step_quote is not in the text")
        at = next((at for at in places if self._step_at(at) is not None), None)
        if at is None:
            raise Rejected("its step_quote quotes no step")
        return at

    def _check(self, quote: str, at: At) -> None:
        if not 1 <= at.turn <= len(self.turns) or not self.turns[at.turn - 1].folded.holds(
            quote, at.start, at.end
        ):
            raise Rejected("its quote is no longer at its place in the text")

    def _place(self, at: At) -> tuple[TurnText, int, int]:
        """The quote's tokens, once it is known to lie in one sentence of the design."""
        if not 1 <= at.turn <= len(self.turns):
            raise Rejected("its place is outside the session")
        text = self.turns[at.turn - 1]
        span = text.tokens(at)
        if span is None:
            raise Rejected("its quote is not in the prose the Prover reads")
        lo, hi = span
        lay = text.draft.view.lay
        if lay.sentence_of[lo] != lay.sentence_of[hi - 1]:
            raise Rejected("its quote spans more than one sentence")
        for index in range(lay.clause_of[lo], lay.clause_of[hi - 1] + 1):
            clause = lay.clauses[index]
            if clause.skipped or clause.role in NOT_DESIGN or clause.role == "background":
                raise Rejected(
                    "its quote is not part of the design (a heading, history, "
                    "alternatives, questions or plans)"
                )
        return text, lo, hi

    def _service(self, name: str, text: TurnText, lo: int, hi: int) -> Named:
        """The service `name` names: in the quote, else anywhere in the session (see
        `services`); `Rejected` when the text does not name it."""
        for m in text.draft.view.services:
            if (
                m.start < hi
                and lo < m.end
                and same_service(name, m.info, text.surface(m.start, m.end))
            ):
                return Named(m.info, m)
        for other in (text, *self.turns):
            for m in other.draft.view.services:
                if m.info.role in _STEP_ROLES and same_service(
                    name, m.info, other.surface(m.start, m.end)
                ):
                    return Named(m.info)
        spelled = self._spelled(name)
        if spelled is None:
            raise Rejected("its service is not named in the text")
        where, at = spelled
        part = self._mechanism(where, at)
        if part is not None:
            raise Rejected(
                f"{where.text[at.start : at.end]} is part of a mechanism ({part}), not a system "
                "a step acts on"
            )
        return Named(self.index.unread(where.text[at.start : at.end]))

    def _spelled(self, name: str) -> tuple[TurnText, At] | None:
        """Where the text spells `name` as whole words (first place)."""
        for text in self.turns:
            for at in text.occurrences(name):
                before = text.text[at.start - 1 : at.start]
                after = text.text[at.end : at.end + 1]
                if not before.isalnum() and not after.isalnum():
                    return text, at
        return None

    @staticmethod
    def _mechanism(text: TurnText, at: At) -> str | None:
        """The kind of the rules' mechanism cue the name is part of ("DLQ"), if any."""
        span = text.tokens(at)
        if span is None:
            return None
        lo, hi = span
        return next((c.label for c in text.draft.view.cues if c.start < hi and lo < c.end), None)


def _agrees(
    rules: ScopeDraft,
    services: tuple[str, ...],
    step: int | None,
    steps: Sequence[StepDraft] = (),
) -> None:
    """The model's step or service must not contradict the scope the text gives the clause."""
    if rules.services and not set(services) & set(rules.services):
        raise Rejected(f"the text ties this statement to {', '.join(rules.services)}")
    if rules.steps and step is not None and step not in rules.steps:
        raise Rejected("the text ties this statement to another step")
    if rules.steps and step is None:
        tied = {info.name for s in steps if s.start in rules.steps for info in s.services}
        if tied and not set(services) & tied:
            raise Rejected(f"the text ties this statement to {', '.join(sorted(tied))}")
