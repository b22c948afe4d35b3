"""Build claim graphs by hand, so checks and verdicts are tested without the NLP pipeline."""

from __future__ import annotations

from collections.abc import Sequence

from workflow_prover.models import (
    ActionKind,
    ClaimGraph,
    ClaimKind,
    ClaimNode,
    Evidence,
    Modality,
    Scope,
    ScopeTarget,
    SecretNode,
    ServiceNode,
    StepNode,
)

SERVICES = {
    "Stripe": ServiceNode(name="Stripe", category="payments"),
    "SendGrid": ServiceNode(name="SendGrid", category="email"),
    "HubSpot": ServiceNode(name="HubSpot", category="crm"),
    "Postgres": ServiceNode(
        name="Postgres", category="database", role="datastore", needs_rate_limit=False
    ),
    "S3": ServiceNode(name="S3", category="storage", vendor="aws"),
}


def ev(text: str = "text", rule: str = "test.rule") -> Evidence:
    return Evidence(text=text, start=0, end=len(text), rule=rule)


def step(
    index: int, service: str = "Stripe", action: ActionKind = "write", inbound: bool = False
) -> StepNode:
    return StepNode(
        index=index,
        text=f"step {index}",
        action=action,
        services=(service,),
        inbound=inbound,
        evidence=ev(f"step {index}", "verb.test"),
    )


_positions = iter(range(1, 10_000))


def claim(
    kind: ClaimKind,
    modality: Modality = "asserted",
    *,
    steps: Sequence[int] = (),
    services: Sequence[str] = (),
    turn: int = 1,
    clause: int | None = None,
    categories: Sequence[str] = (),
) -> ClaimNode:
    position = next(_positions)
    if steps:
        scope = Scope(target=ScopeTarget.STEPS, steps=tuple(steps))
    elif services:
        scope = Scope(target=ScopeTarget.SERVICES, services=tuple(services))
    else:
        scope = Scope(categories=tuple(categories))
    return ClaimNode(
        kind=kind,
        modality=modality,
        scope=scope,
        evidence=ev(kind.value),
        turn=turn,
        position=position,
        clause=clause if clause is not None else position,
    )


def graph(
    steps: Sequence[StepNode], claims: Sequence[ClaimNode] = (), secrets: Sequence[str] = ()
) -> ClaimGraph:
    names = {n for s in steps for n in s.services}
    return ClaimGraph(
        steps=tuple(steps),
        services=tuple(SERVICES[n] for n in sorted(names)),
        claims=tuple(claims),
        secrets=tuple(
            SecretNode(kind=k, evidence=ev(f"[REDACTED:{k}]", "secret.x")) for k in secrets
        ),
    )
