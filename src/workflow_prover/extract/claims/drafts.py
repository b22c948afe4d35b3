"""The drafts the claim extractors build: a claim, its scope, and what each clause is about.

Kept apart from the rules that fill them (`scope`, `quantifiers`, `step_scope`) so that each of
those modules reads as one part of deciding a scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.steps.actions import StepDraft


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class ScopeDraft:
    general: bool = True
    filter: str | None = None  # api | write | read | database | all
    step_refs: tuple[int, ...] = ()  # the user's numbers
    steps: tuple[int, ...] = ()  # StepDraft.start of steps in this turn
    services: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # services left out: "all APIs but Mailgun"
    excluded_refs: tuple[int, ...] = ()  # the user's step numbers left out
    excluded_starts: tuple[int, ...] = ()  # steps left out by name: "except the X write-back"
    also: tuple[str, ...] = ()  # services a general scope covers besides its kind's
    # "Refunds carry an Idempotency-Key" where no step of the text is made by that verb: the
    # steps of that kind wherever they come from (a schema's `adyen.refund`, a later turn)
    verbs: tuple[str, ...] = ()
    # how it was decided ("scope.services", then what an inherited scope was decided by);
    # shown by the report and `trace`, never compared: it changes no decision
    via: tuple[str, ...] = field(default=(), compare=False, hash=False)


GENERAL = ScopeDraft(via=("scope.general",))


NOWHERE = ScopeDraft(
    general=False, via=("scope.unresolved_action",)
)  # about an action the text does not tie to a service


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class ClaimDraft:
    kind: str
    reading: Reading
    scope: ScopeDraft
    start: int
    end: int
    clause: int
    rule: str
    value: float | None = None


@dataclass
class Targets:
    """What each clause is about, computed once and inherited by pronouns."""

    view: TextView
    steps: list[StepDraft]
    cache: dict[tuple[int, bool], ScopeDraft] = field(default_factory=dict)
    words: dict[tuple[str, int, int], frozenset[str]] = field(default_factory=dict)
    by_verb: dict[str, list[int]] | None = None  # step_scope: a step verb -> its steps
    roots: dict[str, list[str]] | None = None  # step_scope: a verb root -> its verbs
    parents: dict[int, int | None] | None = None  # step_scope: an item -> its parent item
    # step_scope: a service name -> its steps, a service kind -> its steps
    by_service: tuple[dict[str, list[StepDraft]], dict[str, list[StepDraft]]] | None = None
    calls: tuple[int, ...] | None = None  # scope: the starts of the steps that call out
