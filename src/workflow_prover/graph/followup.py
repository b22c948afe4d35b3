"""A later turn's sentence about a step the design already has (issue 9).

In a review session the user answers the Prover about the steps it read: "step 2 uses the order
id as the external id", "the Slack post goes to an incoming webhook", "it retries 5 times". Such
a sentence adds its claims to that step; it is not a step of its own. A step is found by the
text's own label ("step 4"), by service (the sentence's action is on a service the design
has), or, for an action that names no service, by the step the sentence before it
was about. Only an action on a service the flow does not have yet, or an explicit "add a step",
adds a step; "one correction: step 4 posts to ..." replaces step 4's reading.

A correction can name the step by its service instead of its number: "correction: the Slack
post goes to Microsoft Teams", "we replaced Slack with Teams for the summary". A sentence with a
correction word (a CORRECTION term: "correction", "instead", "replaced", "switched") that names
the services of exactly one earlier step and a service the design does not have yet moves that
step to the new service (`Corrected`); its drafts are that step's new reading, not new steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from workflow_prover.annotate.types import Group, small_number
from workflow_prover.extract.claims.scope import condition_clause
from workflow_prover.extract.claims.step_scope import names_step, stem, subject_words
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.services.catalog import ServiceInfo, SvcMention
from workflow_prover.extract.steps.actions import StepDraft
from workflow_prover.extract.turn import TurnDraft
from workflow_prover.models import StepNode

_JOINERS = frozenset((",", "and", "&", "or"))
_DONE = frozenset(("asserted", "negated"))  # a removal said, not planned or asked


@dataclass(frozen=True, slots=True)
class Attached:
    """Where a later turn's step draft goes: onto step `index` (`same`), or in its place
    (`replace`: the sentence corrects that step's reading)."""

    index: int
    how: Literal["same", "replace"]


@dataclass(frozen=True, slots=True)
class Corrected:
    """A sentence that moves earlier step `index` from the services `old` to `new`."""

    index: int
    old: frozenset[str]
    new: tuple[ServiceInfo, ...]

    @property
    def names(self) -> set[str]:
        return {info.name for info in self.new}


class FollowUps:
    """Decides, for one later turn, which drafts describe steps the design already has."""

    def __init__(
        self, turn: TurnDraft, earlier: Sequence[StepNode], stores: frozenset[str] = frozenset()
    ) -> None:
        """`stores`: datastores earlier turns named as where a mechanism lives."""
        self._turn = turn
        self._earlier = [s for s in earlier if s.turn < turn.turn]
        self._stores = stores
        self._clauses: dict[int, list[Clause]] = {}  # sentence -> its clauses, in order
        for c in turn.view.lay.clauses:
            self._clauses.setdefault(c.sentence, []).append(c)
        self._last: dict[int, int] = {}  # sentence -> the step its last action attached to
        self._corrected = self._service_corrections()

    def announced(self, draft: StepDraft) -> bool:
        """'new last step: post a note in Greenhouse': the sentence says its action is a step
        of its own, though an earlier one has the same action and services."""
        start, end, _ = self._sentence(draft)
        return self._turn.view.has_term("NEW_STEP", start, end)

    def attach(self, draft: StepDraft) -> Attached | None:
        """The existing step `draft` speaks about, or None: it is a new step."""
        if not self._earlier:
            return None
        start, end, sentence = self._sentence(draft)
        view = self._turn.view
        if view.has_term("NEW_STEP", start, end):
            return None
        moved = self._corrected.get(sentence)
        if moved is not None and {i.name for i in draft.services} <= moved.old | moved.names:
            self._last[sentence] = moved.index
            return Attached(moved.index, "replace" if draft.services else "same")
        found = self._by_label(start, end) or self._by_service(draft) or self._by_topic(sentence)
        if found is None:
            return None
        self._last[sentence] = found
        if view.has_term("CORRECTION", start, end) and self._by_label(start, end):
            return Attached(found, "replace")
        return Attached(found, "same")

    def kinds_said(self) -> dict[int, tuple[str, bool]]:
        """'step 1 is an inbound receive', 'step 4 is a write, not a read': a later turn that
        says what kind of step a numbered step is corrects how it was read (index -> action,
        inbound). A step reference and a step kind after 'is' in one sentence; nothing else."""
        if not self._earlier:
            return {}
        view = self._turn.view
        kinds = [t for t in view.ann.of(Group.TERM) if t.label == "STEP_KIND"]
        out: dict[int, tuple[str, bool]] = {}
        for sentence, (start, end) in enumerate(view.lay.sentences):
            said = [k for k in kinds if start <= k.start < end and _after_copula(view, k.start)]
            found = (self._by_label(start, end) or self._on_named(sentence)) if said else None
            if found is not None and said[0].category in ("write", "read", "inbound"):
                kind = said[0].category
                out[found] = ("read" if kind == "inbound" else kind, kind == "inbound")
        return out

    def removals(self) -> set[int]:
        """'ur step 3 (read -> stripe) isn't a thing', 'remove step 6', 'the Stripe step ...
        pls drop it': earlier steps this turn says are none. A STEP_REMOVAL term in a sentence
        that names the step by its number, or by 'step' and the services of one step; a
        pronoun ('drop it') takes the step the sentence before named that way."""
        if not self._earlier:
            return set()
        view = self._turn.view
        out: set[int] = set()
        named: dict[int, int | None] = {}
        for sentence, (start, end) in enumerate(view.lay.sentences):
            named[sentence] = self._by_label(start, end) or (
                self._on_named(sentence) if view.has_term("STEP_REF", start, end) else None
            )
            if not view.has_term("STEP_REMOVAL", start, end):
                dropped = self._dropped_by_service(sentence, start, end)
                if dropped is not None:
                    out.add(dropped)
                continue
            found, said = named[sentence], sentence
            if found is None and sentence > 0:
                found, said = named.get(sentence - 1), sentence - 1  # "... pls drop it."
            if found is not None and self._fits(found, said):
                out.add(found)
        return out

    def _dropped_by_service(self, sentence: int, start: int, end: int) -> int | None:
        """'we dropped the Teams summary entirely': an asserted removal verb whose sentence
        names the services of exactly one earlier step and no mechanism ('drop the Slack
        alert', 'remove the retry on the Teams post' take back a mechanism, not the step)."""
        view = self._turn.view
        removal = view.catalog.words.removal_verb
        verbs = [
            v
            for v in view.ann.of(Group.VERB)
            if start <= v.start < end and view.toks[v.start].norm in removal
        ]
        # (the removal's own words negate its verb: "we dropped" is a retraction cue)
        if not verbs or any(view.read(v).modality not in _DONE for v in verbs):
            return None
        if any(start <= c.start < end for c in view.cues):
            return None
        names = self._named(sentence) | self._named_by_word(start, end)
        steps = [s for s in self._earlier if names and set(s.services) == names]
        return steps[0].index if len(steps) == 1 else None

    def _named_by_word(self, start: int, end: int) -> set[str]:
        """Earlier services a later sentence calls by a capitalised word of their name ('the
        Teams summary' after 'Microsoft Teams'), where the word is no service of its own."""
        words = {
            t.norm
            for t in self._turn.view.toks[start:end]
            if t.text[:1].isupper() and t.text[1:].islower() and len(t.text) >= 4
        }
        known = {name for s in self._earlier for name in s.services}
        return {n for n in known if " " in n and words & {w.lower() for w in n.split()}}

    def _fits(self, index: int, sentence: int) -> bool:
        """Does the step at `index` have a service the sentence names (when it names any)?
        'ur step 3 (read -> stripe) isn't a thing' must not take out a step 3 on HubSpot."""
        names = self._named(sentence)
        step = next(s for s in self._earlier if s.index == index)
        return not names or bool(names & set(step.services))

    def _named(self, sentence: int) -> set[str]:
        return {m.info.name for m in self._mentions(sentence)}

    def _mentions(self, sentence: int) -> list[SvcMention]:
        """The services the sentence names, in order."""
        view = self._turn.view
        return [m for c in self._clauses.get(sentence, []) for m in view.clause_services(c.index)]

    def _span(self, sentence: int) -> tuple[int, int]:
        """Where the sentence's clauses start and end."""
        clauses = self._clauses[sentence]
        return min(c.start for c in clauses), max(c.end for c in clauses)

    def in_removal(self, draft: StepDraft) -> bool:
        """Is the draft in a sentence that takes a step out ('step 3 (read -> stripe) isn't a
        thing')? Its actions describe the step removed, not a step of their own."""
        start, end, _ = self._sentence(draft)
        if not self._earlier:
            return False
        view = self._turn.view
        if view.has_term("STEP_REMOVAL", start, end):
            return True
        # "drop the Redis set": removing a store an earlier turn's mechanism lived in takes
        # that mechanism back (graph/stores.py); it is no write of its own ("we also delete
        # old rows from Snowflake" is one)
        known = {name for s in self._earlier for name in s.services}
        removes = any(
            view.toks[k].norm in view.catalog.words.removal_verb for k in range(start, end)
        )
        return (
            removes
            and bool(draft.services)
            and all(i.name in self._stores and i.name not in known for i in draft.services)
        )

    def corrections(self) -> list[Corrected]:
        """The steps this turn moves to another service, by service (see the module doc)."""
        return list(self._corrected.values())

    def _service_corrections(self) -> dict[int, Corrected]:
        if not self._earlier:
            return {}
        view = self._turn.view
        lay = view.lay
        known = {name for s in self._earlier for name in s.services}
        out: dict[int, Corrected] = {}
        drafted = {lay.clauses[d.clause].sentence for d in self._turn.steps}
        for sentence, (start, end) in enumerate(lay.sentences):
            if not view.has_term("CORRECTION", start, end):
                continue
            label = self._by_label(start, end)
            if label is not None and sentence in drafted:
                continue  # "one correction: step 4 posts to Teams": its step is the reading
            named = self._mentions(sentence)
            old = {m.info.name for m in named if m.info.name in known}
            new = [
                m.info
                for m in named
                if m.info.name not in known
                and not view.is_host(m)  # where a mechanism lives: "the key is kept in Redis"
                and m.info.role != "secrets"  # "correction: the key isn't in Secret Manager"
                and not view.is_attributive(m)  # "the Teams channel id"
            ]
            steps = [s for s in self._earlier if old and old <= set(s.services)]
            if label is not None:
                # "Correction on step 2: the points go to LoyaltyLion, not Yotpo": the step
                # the label names, when the old service is its own or none is named
                steps = [s for s in self._earlier if s.index == label and old <= set(s.services)]
            if len(steps) == 1 and new:
                out[sentence] = Corrected(steps[0].index, frozenset(old), tuple(dict.fromkeys(new)))
        return out

    def _sentence(self, draft: StepDraft) -> tuple[int, int, int]:
        sentence = self._turn.view.lay.clauses[draft.clause].sentence
        return (*self._span(sentence), sentence)

    def _by_label(self, start: int, end: int) -> int | None:
        """'step 4', 'in step 2': the step with that label (or at that place, unlabelled)."""
        view = self._turn.view
        toks = view.toks
        refs = view.term_starts("STEP_REF")
        # "phase 2: for each churned account ...": a phase or a task of the project is no
        # step of the design by its number; "step 2", "stage 2", "node 2" are
        numbered = view.catalog.words.numbered_step_ref
        for i in range(start, end):
            if i not in refs or toks[i].norm not in numbered:
                continue
            j = i + 1
            while j < end and toks[j].norm in _JOINERS:
                j += 1
            number = small_number(toks[j].text) if j < end else None
            if number is not None:
                return self._labelled(number)
        return None

    def _labelled(self, number: int) -> int | None:
        labelled = [s.index for s in self._earlier if s.label == number]
        if labelled:
            return labelled[0]
        if not any(s.label is not None for s in self._earlier):
            # the number the user saw: its place among the steps still read
            return self._earlier[number - 1].index if 0 < number <= len(self._earlier) else None
        return None

    def _by_service(self, draft: StepDraft) -> int | None:
        """The action is on a service the design has: the step on most of its services, the
        same action first ('the Stripe report' is the write to Stripe; 'connects to the
        Postgres DB (RDS)' is the Postgres step, the RDS alias adding nothing). A write on a
        service the design only reads is a step of its own."""
        names = {info.name for info in draft.services}
        on = [s for s in self._earlier if names & set(s.services)]
        if not on:
            return None
        best = max(len(names & set(s.services)) for s in on)
        on = [s for s in on if len(names & set(s.services)) == best]
        same = [s for s in on if s.action == draft.action and s.inbound == draft.inbound]
        if not same and draft.action == "write":
            return None  # "we suspend the user in Okta", where Okta was only read: a new write
        return (same or on)[0].index

    def _by_topic(self, sentence: int) -> int | None:
        """An action that names no service ('it retries'): the step its sentence, or the one
        before it, was about."""
        for earlier in (sentence, sentence - 1):
            if earlier in self._last:
                return self._last[earlier]
        return None

    def topic(self, clause: int) -> int | None:
        """The existing step the clause's sentence is about (its label, the one step on all
        the services it names, or the step its actions or the sentence before were about):
        for a claim that names no step of its own ("... and records the id to skip repeats",
        "it retries 5 times")."""
        if not self._earlier:
            return None
        sentence = self._turn.view.lay.clauses[clause].sentence
        start, end = self._span(sentence)
        found = (
            self._by_label(start, end)
            or self._on_named(sentence)
            or self._by_topic(sentence)
            or self._the_one_write(sentence)
        )
        if found is not None:
            self._last.setdefault(sentence, found)
        return found

    def _the_one_write(self, sentence: int) -> int | None:
        """'... and we already send the outbox row's uuid as event_uuid': a write told with no
        system, when the design makes exactly one write of its own, is that write."""
        if self._named(sentence):
            return None  # "Only the Kayako call backs off": about the service it names
        view = self._turn.view
        acts = any(
            v.label == "WRITE" and view.verbal(v) and view.read(v).modality == "asserted"
            for c in self._clauses.get(sentence, [])
            for v in view.mentions("verb", c.index)
        )
        writes = [s.index for s in self._earlier if s.action == "write" and not s.inbound]
        return writes[0] if acts and len(writes) == 1 else None

    def described(self, clause: int) -> int | None:
        """The one earlier step a later turn's clause, or the 'when ...' clause it follows,
        describes by its subject: 'when the leads query fails, the run writes its window to
        failed_windows' is about the step 'query new rows from the leads table', so the
        table is that step's failure path, not every step's (steps added later included)."""
        view = self._turn.view
        here = view.clause(clause)
        condition = condition_clause(view, here)
        for c in (here, *(() if condition is None else (view.clause(condition),))):
            subject = subject_words(view, c)
            if subject is None:
                continue
            head, words = subject
            said = frozenset(stem(w) for w in words)
            # a node keeps its text, not its frame: any word of it may be the verb
            hits = [
                s.index
                for s in self._earlier
                if names_step(head, said, (texts := _words(s.text)), texts)
            ]
            if len(hits) == 1:
                return hits[0]
        return None

    def _on_named(self, sentence: int) -> int | None:
        """The one earlier step on all the services the sentence names ('the Slack step is a
        read', 'the Stripe report carries a key'), or None."""
        named = self._named(sentence)
        on = [s.index for s in self._earlier if named and named <= set(s.services)]
        return on[0] if len(on) == 1 else None

    def takes_no_service(self, draft: StepDraft) -> bool:
        """An action with no service in a later turn, about no step found: not a step."""
        return bool(self._earlier) and not draft.services


def _words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3)


def _after_copula(view: TextView, i: int) -> bool:
    """Is token i said of its subject: 'step 1 is an inbound receive', 'should be a write'?"""
    return i > 0 and view.toks[i - 1].norm in ("is", "'s", "be", "was", "are")
