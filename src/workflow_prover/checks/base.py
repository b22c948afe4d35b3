"""What every check is: a stable id, a title, and one function from the graph to findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from workflow_prover.codes import CODES
from workflow_prover.graph.coverage import Coverage
from workflow_prover.models import CheckId, ClaimGraph, ClaimNode, Evidence, Finding, StepNode


@dataclass(frozen=True, slots=True)
class Check:
    id: CheckId
    title: str
    evaluate: Callable[[ClaimGraph, Coverage], list[Finding]]


def finding(
    code: str,
    *,
    step: StepNode | None = None,
    service: str | None = None,
    evidence: Iterable[Evidence] = (),
    severity: str | None = None,
) -> Finding:
    """A finding with its check and default severity from the code table; message filled later."""
    meta = CODES[code]
    return Finding(
        code=code,
        check=meta.check,
        severity=severity or meta.severity,
        step=step.index if step is not None else None,
        service=service if service is not None else _first_service(step),
        message="",
        evidence=tuple(dict.fromkeys(evidence)),
    )


def _first_service(step: StepNode | None) -> str | None:
    return step.services[0] if step is not None and step.services else None


def claim_evidence(*claims: ClaimNode | None) -> list[Evidence]:
    return [c.evidence for c in claims if c is not None]


def outbound(graph: ClaimGraph) -> list[StepNode]:
    """Steps that call out to a service (not the receipt of an inbound webhook)."""
    return [s for s in graph.steps if not s.inbound and s.services]
