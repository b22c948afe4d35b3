"""Outgoing webhooks: the workflow delivers events to receivers it does not own.

"add retry/backoff around developer webhook delivery", "FusionAuth fires the event ... if the
endpoint is down", "retry failed deliveries on a backoff schedule": the text is about webhooks
the workflow *sends*, named by a noun phrase (terms OUTBOUND_HOOK: "webhook deliveries",
"outgoing webhooks", "sends webhooks") rather than by a verb with a target. Each such text
has one write step on the receivers' endpoint (a `webhook_endpoint` service, rate limited and
external), unless a step already writes to one ("we push events to each customer's callback
URL"). Not when a vendor is the sender ("Stripe webhook deliveries", "Shopify sends webhooks
to our endpoint") or the clause receives them. A context section counts only when no other
step was read: an ADR whose "## Context" is the one place that says "webhook deliveries fail"
is still about those deliveries.
"""

from __future__ import annotations

from workflow_prover.annotate.types import Group, Mention
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.steps.actions import NOT_DESIGN, StepDraft

__all__ = ["outbound_deliveries"]

RULE = "step.outbound_webhook"
ENDPOINT = "webhook receiver endpoint"


def outbound_deliveries(view: TextView, steps: list[StepDraft]) -> list[StepDraft]:
    """The write step of a text about the webhooks it sends, when it has none yet."""
    if any(info.category == "webhook_endpoint" for s in steps for info in s.services):
        return []
    for term in (t for t in view.ann.of(Group.TERM) if t.label == "OUTBOUND_HOOK"):
        clause = view.clause(view.lay.clause_of[term.start])
        if clause.skipped or clause.role in NOT_DESIGN:
            continue
        if clause.role == "background" and steps:
            continue  # a context section adds no step, unless the flow is told only there
        if not view.in_design(term) or _vendor_sends(view, term):
            continue
        info = view.catalog.info(ENDPOINT, term.category or "webhook_endpoint", RULE, generic=True)
        return [
            StepDraft(clause.start, clause.end, clause.index, "write", False, (info,), None, RULE)
        ]
    return []


def _vendor_sends(view: TextView, term: Mention) -> bool:
    """'Stripe webhook deliveries', 'Shopify sends webhooks to our endpoint', 'we receive
    webhook deliveries', 'its own outgoing webhooks': a named vendor before the phrase in its
    clause, a third party's webhooks, or a receive."""
    index = view.lay.clause_of[term.start]
    toks = view.toks
    if any(toks[k].norm in ("its", "their") for k in range(max(0, term.start - 2), term.start)):
        return True  # "close's ui has a replay button for its own outgoing webhooks"
    if any(
        m.info.role == "api" and not m.info.generic and m.end <= term.start
        for m in view.clause_services(index)
    ):
        return True
    return any(v.label == "RECEIVE" for v in view.mentions("verb", index))
