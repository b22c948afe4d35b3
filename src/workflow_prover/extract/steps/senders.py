"""Deliveries to us and events of people: what starts the workflow, not what it does.

"GitHub sends us a webhook", "Accela sends an event to our intake service", "Workday calls
the Logic App's HTTP trigger": the system delivers to us, which is a receive (rubric
section 1: a step that receives makes no outbound call to the sender). "Applicants submit
through the portal": people act, the workflow is started. "When the registry answers 429"
is a condition on a call, not an event the registry sends.
"""

from __future__ import annotations

from workflow_prover.annotate.types import Mention, Tok
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.layout.grammar import (
    ADVERBS,
    AUXILIARIES,
    DETERMINERS,
    PASSIVE_AUXILIARIES,
)
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.services.catalog import SvcMention


def failure_condition(view: TextView, start: int, end: int, first: SvcMention) -> bool:
    """'When the registry answers 429', 'when NetSuite is down': the service the adverbial
    starts with fails; 'when a Stripe payment fails' is an event Stripe sends."""
    toks = view.toks
    k = start + 1
    while k < first.start and toks[k].norm in DETERMINERS:
        k += 1
    if k != first.start:
        return False
    failures = view.term_starts("FAILURE_WORD")
    nxt = _after_aside(
        view, first.end, end
    )  # "when dispatch-api (our internal service) returns 503"
    nouns = view.term_starts("GENERAL_NOUN")
    while nxt < end and nxt in nouns:
        nxt += 1  # "when the GitHub call failed": the call to the service fails
    if nxt >= end or not (
        nxt in failures
        or toks[nxt].norm in AUXILIARIES
        or toks[nxt].norm in view.catalog.words.response_verb
    ):
        return False  # "a Stripe payment fails": the payment fails, not Stripe
    return any(i in failures for i in range(nxt, min(nxt + 4, end)))


def _after_aside(view: TextView, i: int, end: int) -> int:
    """The first token after a bracketed aside that opens at i (or i itself)."""
    depth = view.lay.depth
    if i >= end or view.toks[i].text != "(":
        return i
    k = i + 1
    while k < end and depth[k] > depth[i]:
        k += 1
    return k + 1 if k < end and view.toks[k].text == ")" else k


def _started_by(toks: list[Tok], verb: Mention, clause: Clause) -> bool:
    """A verb that starts a run, in the passive with its agent after 'by' ('is triggered by',
    'gets invoked by', a reduced '(triggered by the Okta event hook)'): what comes after
    'by' calls us."""
    before = toks[verb.start - 1] if verb.start > clause.start else None
    return (
        verb.starts_run
        and before is not None
        and (
            before.norm in PASSIVE_AUXILIARIES
            or (before.text in ("(", ",") and toks[verb.start].norm.endswith("ed"))
        )
        and any(toks[k].norm == "by" for k in range(verb.end, min(verb.end + 2, clause.end)))
    )


def addressed_to_us(
    view: TextView, clause: Clause, verb: Mention, candidates: list[SvcMention]
) -> bool:
    """'GitHub sends us a webhook', 'Accela sends an event to our intake service'."""
    toks = view.toks
    depth = view.lay.depth
    if any(
        m.info.role == "runtime"
        and verb.end <= m.start <= verb.end + 2
        # "ChargeCustomer (Lambda -> Adyen /payments)": a bracket says where the step runs
        and depth[m.start] <= depth[verb.start]
        for m in view.clause_services(clause.index)
    ):
        return True  # "Workday calls the Logic App's HTTP trigger": where our code runs
    if _started_by(toks, verb, clause):
        return True  # "the lambda is triggered by one SQS message per job"
    if _calls_our_endpoint(view, clause, verb, candidates):
        return True  # "a Zendesk trigger calls our webhook endpoint"
    if _sends_webhooks(view, clause, verb):
        return True  # "Shopify sends `orders/create` webhooks to an API Gateway endpoint"
    if _their_publish(view, clause, verb):
        return True  # "ledger-api publishes payment.approved to NATS JetStream"
    if _webhook_subject(view, clause, verb):
        return True  # "Loop's webhook hits returns-svc": a delivery to the service named
    if webhook_to_ours(view, clause, verb):
        return True  # "the carrier posts a `delivery.late` webhook to refunds-svc"
    # "to our #channel in Microsoft Teams" names where the message goes; "to our
    # /hooks/relaypoint endpoint", a path of ours, is us
    targets = {
        i
        for m in candidates
        # "to our Cloud Function": where our code runs is us, no system of ours named
        if not (m.info.generic and toks[m.start].text.startswith("/")) and m.info.role != "runtime"
        for i in range(m.start, m.end)
    }
    for k in range(verb.end, clause.end):
        if toks[k].norm == "us" and k <= verb.end + 1:
            return True
        if (
            toks[k].norm in ("to", "into")
            and k + 1 < clause.end
            and toks[k + 1].norm in ("us", "our")
            # "to our #customer-voice channel in microsoft teams": a system of ours, named
            and not any(i in targets for i in range(k + 2, clause.end))
        ):
            return True
    return False


def _webhook_subject(view: TextView, clause: Clause, verb: Mention) -> bool:
    """Is the verb's subject a webhook ('Loop's webhook hits returns-svc', 'the Stripe
    webhook calls our handler')? What a webhook calls is the receiving end: us."""
    return (
        any(
            c.label == "webhook" and clause.start <= c.start and c.end <= verb.start <= c.end + 1
            for c in view.mentions("cue", clause.index)
        )
        and view.toks[verb.start].norm in view.catalog.words.call_verb | _HIT_VERBS
    )


def webhook_to_ours(view: TextView, clause: Clause, verb: Mention) -> bool:
    """'the carrier posts a `delivery.late` webhook to refunds-svc; refunds-svc refunds the
    order': a webhook sent, by someone other than us, to a system that acts in the flow (the
    subject of an action elsewhere) arrives at our own service."""
    toks = view.toks
    to = next((k for k in range(verb.end, clause.end) if toks[k].norm == "to"), None)
    if to is None or any(
        toks[k].norm in ("we", "i", "our") for k in range(clause.start, verb.start)
    ):
        return False
    if not any(
        c.label == "webhook" and verb.end <= c.start < to
        for c in view.mentions("cue", clause.index)
    ):
        return False
    k = to + 1 + (to + 1 < clause.end and toks[to + 1].norm == "our")
    receiver = next((m for m in view.clause_services(clause.index) if m.start == k), None)
    return receiver is not None and _acts_elsewhere(view, clause, receiver)


def _acts_elsewhere(view: TextView, clause: Clause, receiver: SvcMention) -> bool:
    """Is the system the subject of an action in another clause ('refunds-svc refunds ...')?"""
    for c in view.lay.clauses:
        if c.index == clause.index:
            continue
        frame = view.frame(c.index)
        if not frame.actions:
            continue
        first = frame.actions[0].start
        if any(
            m.info.name == receiver.info.name and m.end <= first and frame.role_of(m) == "subject"
            for m in view.clause_services(c.index)
        ):
            return True
    return False


_HIT_VERBS = frozenset(("hit", "hits", "reaches", "reach", "lands", "land"))


def _their_publish(view: TextView, clause: Clause, verb: Mention) -> bool:
    """'ledger-api publishes payment.approved to NATS JetStream': a system other than ours
    (named as the subject, with no 'we' or runner of ours) puts a message on a queue or
    stream; that message arriving is what starts the run, not a write of the workflow."""
    toks = view.toks
    if toks[verb.start].norm not in view.catalog.words.publish_verb:
        return False
    runners = view.catalog.words.runner_noun
    before = range(clause.start, verb.start)
    if any(toks[k].norm in ("we", "i", "our") or toks[k].norm in runners for k in before):
        return False
    services = view.clause_services(clause.index)
    subject = any(
        m.end <= verb.start and m.info.role == "api" and m.info.category != "function"
        for m in services
    )
    broker = any(m.start >= verb.end and m.info.category in ("queue", "stream") for m in services)
    return subject and broker


def _sends_webhooks(view: TextView, clause: Clause, verb: Mention) -> bool:
    """A named system before the verb, and webhooks as its object: the webhooks come to us,
    wherever the text says they land (an API Gateway endpoint, a Lambda URL)."""
    toks = view.toks
    to = next((k for k in range(verb.end, clause.end) if toks[k].norm in ("to", "at")), None)
    if to is None:
        return False
    hooks = any(
        c.label == "webhook" and verb.end <= c.start < to
        for c in view.mentions("cue", clause.index)
    )
    sender = any(
        m.end <= verb.start and m.info.role == "api" and not m.info.generic
        for m in view.clause_services(clause.index)
    )
    return hooks and sender


def _calls_our_endpoint(
    view: TextView, clause: Clause, verb: Mention, candidates: list[SvcMention]
) -> bool:
    """'A Zendesk trigger calls our webhook endpoint', 'Intercom's webhook hits our intake
    endpoint': a system before the verb, and right after it an endpoint of ours (no product)."""
    toks = view.toks
    if verb.end >= clause.end or toks[verb.end].norm != "our":
        return False
    ours = [
        m.start
        for m in candidates
        if m.info.generic
        and verb.end < m.start <= verb.end + 2
        and toks[m.end - 1].norm in view.catalog.words.inbox_head
    ] or [  # "calls our /conversions hook": the webhook word itself is the endpoint of ours
        c.start
        for c in view.mentions("cue", clause.index)
        if c.label == "webhook" and verb.end < c.start <= verb.end + 4
    ]
    providers = view.catalog.words.provider_head
    sender = any(
        m.end <= verb.start
        and m.info.role == "api"
        # "the payment provider calls our /conversions hook": a provider named by its kind
        and (not m.info.generic or toks[m.end - 1].norm in providers)
        for m in view.clause_services(clause.index)
    )
    return bool(ours) and sender


def actor_event(view: TextView, clause: Clause, verb: Mention) -> bool:
    """'Applicants submit through the portal': what people do starts the workflow.

    The actor must be the verb's subject: the word right before it (adverbs aside), not a
    noun a service's name qualifies ('Iterable user update' is an update in Iterable).
    """
    toks = view.toks
    k = verb.start - 1
    while k >= clause.start and toks[k].norm in ADVERBS:
        k -= 1
    return (
        k >= clause.start
        and k in view.term_starts("ACTOR")
        and not (k > 0 and toks[k - 1].text in ("#", "@"))
        # "for each merchant create a transfer": what is iterated over, no subject
        and not (k > 0 and toks[k - 1].norm in ("each", "every", "per"))
        and not any(m.end == k for m in view.services)
    )
