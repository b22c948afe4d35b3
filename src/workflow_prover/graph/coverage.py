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
from collections.abc import Iterable

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
        steps = [s for s in self.graph.steps if service.name in s.services]
        if scope.action is not None and not any(s.action == scope.action for s in steps):
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
        lists = [self._by_kind[k] for k in kinds if k in self._by_kind]
        # each kind's list is already in reading order: one needs no sorting, several a merge
        claims = lists[0] if len(lists) == 1 else sorted(itertools.chain(*lists), key=_order)
        if step is not None:
            return [c for c in claims if self.covers_step(c.scope, step)]
        if service is not None:
            return [c for c in claims if self.covers_service(c.scope, service)]
        return claims

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
            for i, claim in enumerate(claims):
                if claim.modality != "asserted":
                    continue
                if not any(
                    later.modality == "negated" and _wider(later.scope, claim.scope)
                    for later in claims[i + 1 :]
                ):
                    out.append(claim)
        return sorted(out, key=lambda c: c.position)

    def admissions(self, kinds: Iterable[ClaimKind]) -> list[ClaimNode]:
        """Negated mentions: "no error handling", "we don't bother with idempotency keys"."""
        return sorted(
            (c for k in kinds for c in self._by_kind.get(k, ()) if c.modality == "negated"),
            key=lambda c: c.position,
        )


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
