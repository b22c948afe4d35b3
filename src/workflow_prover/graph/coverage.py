"""Which claims hold for a step or a service, once later statements have had their say.

Only asserted and negated claims count. Claims are read in order: by turn, then general
before specific within a turn ("errors go to the DLQ; the Slack step has none" leaves Slack
without), then by position. Within a *group* of rival mechanisms (a DLQ vs swallowing errors;
exponential vs fixed retries; a stable vs an unstable key; a vault vs an env var) the last
asserted one wins; a negation retracts an earlier assertion of its own kind ("we removed the
DLQ"). Outside groups, a kind holds when its last covering statement asserts it. The groups
and each kind's priority within one clause are columns of the claim kinds' table
(`graph/kinds.jsonl`); a kind that describes what its rivals only name (an unstable key)
beats a rival asserted after it in the same turn.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from workflow_prover.graph.kinds import kind_table
from workflow_prover.models import (
    ClaimGraph,
    ClaimKind,
    ClaimNode,
    Scope,
    ScopeTarget,
    ServiceNode,
    StepNode,
)

K = ClaimKind
_COUNTED = ("asserted", "negated")
# claims of the kinds asked about beyond which a step or service is compared only with those
# that may cover it (`_Index`); for fewer, comparing with each costs less than the index
_FEW = 12


def _order(claim: ClaimNode) -> tuple[int, int, int, int, int]:
    specific = 0 if claim.scope.target is ScopeTarget.ALL else 1
    priority = kind_table().priority[claim.kind]
    return (claim.turn, specific, claim.clause, priority, claim.position)


class Coverage:
    def __init__(self, graph: ClaimGraph) -> None:
        self.graph = graph
        self._services = {s.name: s for s in graph.services}
        ordered = sorted((c for c in graph.claims if c.modality in _COUNTED), key=_order)
        self._by_kind: dict[ClaimKind, list[ClaimNode]] = {}
        for claim in ordered:
            self._by_kind.setdefault(claim.kind, []).append(claim)
        self._steps_of: dict[str, list[StepNode]] = {}  # service name -> the steps using it
        for step in graph.steps:
            for name in step.services:
                self._steps_of.setdefault(name, []).append(step)
        self._ordered: dict[tuple[ClaimKind, ...], list[ClaimNode]] = {}
        self._indexes: dict[tuple[ClaimKind, ...], _Index] = {}  # built for many claims only

    # ---- coverage of one scope ------------------------------------------------------------

    def _step_services(self, step: StepNode) -> list[ServiceNode]:
        return [self._services[n] for n in step.services if n in self._services]

    def covers_step(self, scope: Scope, step: StepNode) -> bool:
        services = self._step_services(step)
        if step.index in scope.excluded_steps or any(
            s.name in scope.excluded_services for s in services
        ):
            return False
        if any(s.name in scope.also_services for s in services):
            return True
        if scope.action is not None and step.action != scope.action:
            return False
        if scope.api_only and not any(s.role == "api" for s in services):
            return False
        if scope.categories and not any(s.category in scope.categories for s in services):
            return False
        if scope.verbs and not _of_verbs(scope.verbs, step):
            return False
        if scope.target is ScopeTarget.ALL:
            return True
        if scope.target is ScopeTarget.STEPS:
            return step.index in scope.steps
        return any(self._names(scope, s) for s in services)

    def covers_service(self, scope: Scope, service: ServiceNode) -> bool:
        if service.name in scope.excluded_services:
            return False
        if service.name in scope.also_services:
            return True
        if scope.api_only and service.role != "api":
            return False
        if scope.categories and service.category not in scope.categories:
            return False
        steps = self._steps_of.get(service.name, ())
        if scope.action is not None and not any(s.action == scope.action for s in steps):
            return False
        if scope.verbs and not any(_of_verbs(scope.verbs, s) for s in steps):
            return False
        if scope.target is ScopeTarget.ALL:
            return True
        if scope.target is ScopeTarget.STEPS:
            return any(s.index in scope.steps for s in steps)
        return self._names(scope, service)

    @staticmethod
    def _names(scope: Scope, service: ServiceNode) -> bool:
        return service.name in scope.services or (
            service.vendor is not None and service.vendor in scope.vendors
        )

    def _covering(
        self, kinds: Iterable[ClaimKind], step: StepNode | None, service: ServiceNode | None
    ) -> list[ClaimNode]:
        key = tuple(kinds)
        claims = self._ordered.get(key)
        if claims is None:
            lists = [self._by_kind[k] for k in key if k in self._by_kind]
            # each kind's list is already in reading order: one needs no sorting, several a
            # merge
            claims = lists[0] if len(lists) == 1 else sorted(itertools.chain(*lists), key=_order)
            self._ordered[key] = claims
        if step is None and service is None:
            return claims
        if len(claims) > _FEW:  # a long text: only the claims that may cover it
            index = self._indexes.get(key)
            if index is None:
                index = self._indexes[key] = _Index(claims)
            if step is not None:
                known = [self._services[n] for n in step.services if n in self._services]
                claims = index.candidates([("step", step.index)], known)
            elif service is not None:
                steps = self._steps_of.get(service.name, ())
                claims = index.candidates([("step", s.index) for s in steps], [service])
        if step is not None:
            return [c for c in claims if self.covers_step(c.scope, step)]
        assert service is not None
        return [c for c in claims if self.covers_service(c.scope, service)]

    # ---- what holds ------------------------------------------------------------------------

    def state(
        self, group: str, step: StepNode | None = None, service: ServiceNode | None = None
    ) -> ClaimNode | None:
        """The winning mechanism of a group for a step or service, or None."""
        current: ClaimNode | None = None
        outranks = kind_table().outranks_in_turn
        for claim in self._covering(kind_table().groups[group], step, service):
            if claim.modality == "asserted":
                if not (
                    current is not None
                    and current.kind in outranks
                    and claim.kind != current.kind
                    and claim.turn == current.turn
                ):
                    current = claim
            elif current is not None and current.kind == claim.kind:
                current = None
        return current

    def holds(
        self, kind: ClaimKind, step: StepNode | None = None, service: ServiceNode | None = None
    ) -> ClaimNode | None:
        """The last covering statement of `kind`, if it asserts it."""
        covering = self._covering((kind,), step, service)
        if covering and covering[-1].modality == "asserted":
            return covering[-1]
        return None

    def anywhere(self, kinds: Iterable[ClaimKind]) -> list[ClaimNode]:
        """Asserted claims of these kinds that no later negation of their kind retracted."""
        out: list[ClaimNode] = []
        for kind in kinds:
            claims = self._by_kind.get(kind, [])
            negated = [i for i, c in enumerate(claims) if c.modality == "negated"]
            for i, claim in enumerate(claims):
                if claim.modality != "asserted":
                    continue
                later = negated[bisect_right(negated, i) :]  # only negations can retract
                if not any(_wider(claims[k].scope, claim.scope) for k in later):
                    out.append(claim)
        return sorted(out, key=lambda c: c.position)

    def admissions(self, kinds: Iterable[ClaimKind]) -> list[ClaimNode]:
        """Negated mentions: "no error handling", "we don't bother with idempotency keys"."""
        return sorted(
            (c for k in kinds for c in self._by_kind.get(k, ()) if c.modality == "negated"),
            key=lambda c: c.position,
        )


_Key = tuple[str, object]


class _Index:
    """The claims of some kinds in reading order, indexed by what can make them cover a step
    or a service, so that each step is compared with the claims that may cover it rather
    than with every claim (`Coverage` over a long text stays linear in the claims that
    apply). A claim covers only where its target is all, a step it lists, a service or
    vendor it names, or a service it covers besides (`covers_step`, `covers_service`)."""

    def __init__(self, claims: list[ClaimNode]) -> None:
        self.claims = claims
        self._general: list[int] = []  # ranks of the claims whose target is all
        self._keyed: dict[_Key, list[int]] = {}
        for rank, claim in enumerate(claims):
            scope = claim.scope
            keys: list[_Key] = [("also", n) for n in scope.also_services]
            if scope.target is ScopeTarget.ALL:
                self._general.append(rank)
            elif scope.target is ScopeTarget.STEPS:
                keys += [("step", i) for i in scope.steps]
            else:
                keys += [("name", n) for n in scope.services]
                keys += [("vendor", v) for v in scope.vendors]
            for key in dict.fromkeys(keys):
                self._keyed.setdefault(key, []).append(rank)

    def candidates(self, steps: Sequence[_Key], services: Sequence[ServiceNode]) -> list[ClaimNode]:
        """The claims that may cover what has these steps and services, in reading order."""
        keys = list(steps)
        for s in services:
            keys += [("also", s.name), ("name", s.name)]
            if s.vendor is not None:
                keys.append(("vendor", s.vendor))
        found = [self._keyed[k] for k in keys if k in self._keyed]
        if not found:
            return [self.claims[r] for r in self._general]
        ranks = sorted(set(itertools.chain(self._general, *found)))
        return [self.claims[r] for r in ranks]


def _wider(outer: Scope, inner: Scope) -> bool:
    """Does a statement about `outer` also speak about everything `inner` covers?"""
    narrowed = outer.api_only or outer.action is not None or bool(outer.categories)
    if narrowed and (outer.api_only, outer.action, outer.categories) != (
        inner.api_only,
        inner.action,
        inner.categories,
    ):
        return False  # "no DLQ for database writes" does not retract "errors go to a DLQ"
    if outer.target is ScopeTarget.ALL:
        return True
    return (
        outer.target is inner.target
        and set(inner.steps) <= set(outer.steps)
        and set(inner.services) <= set(outer.services)
    )


def _of_verbs(verbs: tuple[str, ...], step: StepNode) -> bool:
    """Is the step made by one of the verbs ('verb.refund'), or does its text name one as a
    word ('adyen.refund', 'issue the refund via Stripe')?"""
    if any(step.evidence.rule == f"verb.{v}" for v in verbs):
        return True
    words = set(re.findall(r"[a-z]+", step.text.lower()))
    return any(v in words or f"{v}s" in words for v in verbs)
