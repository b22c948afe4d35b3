"""Steps: the clauses that act on a service, with their action kind and services.

A clause is a step when it has an asserted verb used as a verb ("we *post* to Slack", not
"the Slack *post* is skipped") and names a service it acts on, or when it is a segment of an
arrow chain that names one ("Stripe -> CRM"). It is not a step when it talks about a
mechanism: its subject is a failure or a credential ("failures are *sent* to the DLQ", "the
key is *read* from Vault"), it elaborates a mechanism after a colon ("every write is keyed:
the Slack post is skipped..."), or its only services host a mechanism ("the SQS DLQ").
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow_prover.annotate.types import Group, Mention
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.layout.grammar import (
    ADVERBS,
    AUXILIARIES,
    DETERMINERS,
    SUBJECT_PRONOUNS,
)
from workflow_prover.extract.layout.verbs import verb_form
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.services.found import ServiceInfo, SvcMention, preceded_by

_CHANNEL = frozenset(("through", "via", "using", "over", "with", "w/"))
_TARGET = frozenset(("to", "into", "onto", "in", "on"))
_SOURCE = frozenset(("from", "out"))
_STEP_ROLES = frozenset(("api", "datastore"))
_RESPONDS = frozenset(("answers", "responds", "returns", "replies", "throws", "gives", "sends"))
_PASSIVE = frozenset(("is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"))
_CLAUSE_PUNCT = frozenset((",", ";", ":", "(", ")", "—", "–", "!", "?"))
_CHAIN_BREAKS = frozenset(("that", "which", "who", "and", "or", "then", "to", "so"))
_NOT_MECHANISM = frozenset(("webhook", "idempotency", "key_retention"))


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class StepDraft:
    start: int  # first token of the clause (also the step's identity within its turn)
    end: int
    clause: int
    action: str  # read | write
    inbound: bool
    services: tuple[ServiceInfo, ...]
    label: int | None
    rule: str  # the verb (or arrow/trigger) rule that made it a step


def find_steps(view: TextView) -> list[StepDraft]:
    steps: list[StepDraft] = []
    for clause in view.lay.clauses:
        steps.extend(_clause_steps(view, clause))
    return steps


def step_services(view: TextView, clause: int) -> list[SvcMention]:
    """The services a clause could act on: not hosts of a mechanism, not attributes.

    "the telemetry Kafka topic on MSK": Kafka runs on MSK, which is the service reached.
    """
    found = [
        m
        for m in view.clause_services(clause)
        if m.info.role in _STEP_ROLES and not view.is_host(m) and not view.is_attributive(m)
    ]
    found = [m for m in found if not (m.info.generic and _named_in_brackets(view, m, found))]
    lexical = {m.info.name for m in found if not m.info.generic and m.info.role == "api"}
    if len(lexical) == 1:
        # "Shopify's refund API", "after querying the Table API": an API of the one system
        # (a database has no such API: "from our Postgres to the state registry's REST API")
        found = [m for m in found if not (m.info.generic and _api_like(view, m))]
    hosted: set[str] = set()
    for i, m in enumerate(found):
        if preceded_by(m, view.toks, frozenset(("on",)), reach=2):
            hosted.update(
                o.info.name
                for o in found[:i]
                if o.info.role == m.info.role and m.start - o.end <= 4
            )
    return [m for m in found if m.info.name not in hosted]


def _api_like(view: TextView, m: SvcMention) -> bool:
    return view.toks[m.end - 1].norm in ("api", "apis", "endpoint", "endpoints")


def _named_in_brackets(view: TextView, m: SvcMention, found: list[SvcMention]) -> bool:
    """'the SIS replica (Cloud SQL MySQL)': the brackets name the generic system;
    'our intake service (an Azure Function)': the brackets say it is where we run."""
    toks = view.toks
    if m.end >= len(toks) or toks[m.end].text != "(":
        return False
    inside = [
        o
        for o in view.clause_services(view.lay.clause_of[m.start])
        if o is not m and not o.info.generic and m.end < o.start <= m.end + 3
    ]
    return bool(inside)


def _clause_steps(view: TextView, clause: Clause) -> list[StepDraft]:
    candidates = [
        m
        for m in step_services(view, clause.index)
        if view.read(_as_mention(m)).modality == "asserted"
    ]
    if not candidates:
        return []
    webhook = any(
        c.label == "webhook"
        and view.read(c).modality == "asserted"
        and not any(s.start <= c.start < s.end for s in view.clause_services(clause.index))
        and not view.has_term("CREDENTIAL_NOUN", c.end, c.end + 2)  # "webhook secret"
        and not view.has_term("ID_NOUN", c.end, c.end + 3)  # "the webhook's event id"
        for c in view.mentions("cue", clause.index)
    )
    label = _label(view, clause)
    if clause.after_colon is not None and _states_mechanism(view, clause.after_colon):
        return []
    if clause.trigger and _failure_condition(view, clause, candidates[0]):
        return []  # "when the registry answers 429": a condition on a call, not an event
    if clause.trigger or webhook:
        return [_receive(clause, candidates, label, "trigger" if clause.trigger else "webhook")]
    verb = _main_verb(view, clause, candidates[0].start)
    mechanism = verb is not None and _is_mechanism(view, clause, verb)
    if verb is None or mechanism:
        if clause.chain is not None and (verb is None or candidates[0].start < verb.start):
            # "Stripe -> CRM": data flows out of the first system and into the others;
            # "-> Trello card (we dedupe ...: key stored in Redis)": the bracket is a mechanism
            action = "read" if clause.segment == 0 else "write"
            return [_make(clause, action, False, candidates[:1], label, "arrow")]
        return []
    assert verb is not None
    if _addressed_to_us(view, verb, candidates) or _actor_event(view, clause, verb):
        # "Stripe just calls us", "GitHub sends us a webhook": an inbound delivery
        senders = [m for m in candidates if m.end <= verb.start] or candidates
        return [_receive(clause, senders, label, "inbound")]
    return _verb_steps(view, clause, verb, candidates, label)


def _failure_condition(view: TextView, clause: Clause, first: SvcMention) -> bool:
    """'When the registry answers 429', 'when NetSuite is down': the service the clause
    starts with fails; 'when a Stripe payment fails' is an event Stripe sends."""
    toks = view.toks
    k = clause.start + 1
    while k < first.start and toks[k].norm in DETERMINERS:
        k += 1
    if k != first.start:
        return False
    failures = view.term_starts("FAILURE_WORD")
    nxt = first.end
    if nxt >= clause.end or not (
        nxt in failures or toks[nxt].norm in AUXILIARIES or toks[nxt].norm in _RESPONDS
    ):
        return False  # "a Stripe payment fails": the payment fails, not Stripe
    return any(i in failures for i in range(nxt, min(nxt + 4, clause.end)))


def _main_verb(view: TextView, clause: Clause, first_service: int) -> Mention | None:
    """The verb acting on the clause's services: the last one before the first service
    ("invokes a Lambda that *reads* files from S3"), else the first one after it."""
    header = _header_end(view, clause)
    verbs = [
        v for v in view.mentions("verb", clause.index) if v.start >= header and view.verbal(v)
    ]  # "Invoice OCR batch:" is a title
    if not verbs:
        return None
    before = [v for v in verbs if v.end <= first_service]
    verb = before[-1] if before else verbs[0]
    toks = view.toks
    while before and verb is not before[0]:
        earlier = before[before.index(verb) - 1]
        between = toks[earlier.end : verb.start]
        if any(t.norm in _CHAIN_BREAKS or t.text in _CLAUSE_PUNCT for t in between):
            break
        verb = earlier  # "reads attendance records from ...": 'records' is the object
    verb = _past_the_participle(view, verb, verbs)
    return verb if view.read(verb).modality == "asserted" else None


def _past_the_participle(view: TextView, verb: Mention, verbs: list[Mention]) -> Mention:
    """'Requests submitted on the webform arrive on our queue': a participle after a noun
    describes the subject; the finite verb after it is what happens."""
    toks = view.toks
    prev = toks[verb.start - 1] if verb.start > 0 else None
    if (
        verb_form(toks[verb.start].text) != "past"
        or prev is None
        or not prev.text.isalpha()
        or prev.norm in SUBJECT_PRONOUNS
        or prev.norm in AUXILIARIES
        or prev.norm in DETERMINERS
    ):
        return verb
    later = [
        v
        for v in verbs
        if v.start > verb.end and verb_form(toks[v.start].text) in ("base", "third")
    ]
    return later[0] if later else verb


def _header_end(view: TextView, clause: Clause) -> int:
    """End of a short title before a colon at the start of the clause ("Returns labels:")."""
    toks = view.toks
    if not toks[clause.start].text[:1].isupper():
        return clause.start  # `postgres.insert: rollouts` is a key naming the action
    for k in range(clause.start, min(clause.start + 6, clause.end)):
        if toks[k].text == ":":
            return k + 1
        if toks[k].norm in ("the", "we", "our", "a", "an", "i"):
            return clause.start
    return clause.start


def _addressed_to_us(view: TextView, verb: Mention, candidates: list[SvcMention]) -> bool:
    """'GitHub sends us a webhook', 'Accela sends an event to our intake service'."""
    toks = view.toks
    clause = view.clause(view.lay.clause_of[verb.start])
    if any(
        m.info.role == "runtime" and verb.end <= m.start <= verb.end + 2
        for m in view.clause_services(clause.index)
    ):
        return True  # "Workday calls the Logic App's HTTP trigger": where our code runs
    targets = {i for m in candidates for i in range(m.start, m.end)}
    for k in range(verb.end, clause.end):
        if toks[k].norm == "us" and k <= verb.end + 1:
            return True
        if (
            toks[k].norm in ("to", "into")
            and k + 1 < clause.end
            and toks[k + 1].norm in ("us", "our")
            and not any(i in targets for i in range(k + 2, min(k + 5, clause.end)))
        ):
            return True
    return False


def _actor_event(view: TextView, clause: Clause, verb: Mention) -> bool:
    """'Applicants submit through the portal': what people do starts the workflow.

    The actor must be the verb's subject: the word right before it (adverbs aside).
    """
    toks = view.toks
    k = verb.start - 1
    while k >= clause.start and toks[k].norm in ADVERBS:
        k -= 1
    return (
        k >= clause.start
        and k in view.term_starts("ACTOR")
        and not (k > 0 and toks[k - 1].text in ("#", "@"))
    )


def _is_mechanism(view: TextView, clause: Clause, verb: Mention) -> bool:
    if clause.after_colon is not None and _states_mechanism(view, clause.after_colon):
        return True
    zone = (clause.start, verb.start)
    if any(
        c.label not in _NOT_MECHANISM and c.end <= verb.start
        for c in view.mentions("cue", clause.index)
    ):
        return True
    return view.has_term("CREDENTIAL_NOUN", *zone) or view.has_term("FAILURE_WORD", *zone)


def _states_mechanism(view: TextView, clause: int) -> bool:
    """'Every write is keyed on the order ID:' -- what follows the colon elaborates it."""
    return any(
        c.label not in ("webhook", "no_handling") and view.read(c).modality == "asserted"
        for c in view.mentions("cue", clause)
    )


def _verb_steps(
    view: TextView, clause: Clause, verb: Mention, candidates: list[SvcMention], label: int | None
) -> list[StepDraft]:
    toks = view.toks
    after = [m for m in candidates if m.start >= verb.end]
    passive = verb.start > 0 and toks[verb.start - 1].norm in _PASSIVE
    bracketed = view.lay.depth[verb.start] > view.lay.depth[candidates[0].start]
    if after and not passive and not bracketed:  # "Argo CD API (sync the staging app)"
        candidates = after  # "the game server posts ... to our service": the subject acts
    channel = [m for m in candidates if preceded_by(m, toks, _CHANNEL)]
    owned = [
        m
        for m in channel
        if m.info.generic and m.start > 0 and toks[m.start - 1].norm in ("its", "their")
    ]
    if owned and len(candidates) > len(owned):
        candidates = [m for m in candidates if m not in owned]  # "ClaimCenter through its API"
        channel = [m for m in channel if m not in owned]
    if channel:
        lexical = [m for m in candidates if m not in channel and not m.info.generic]
        if all(m.info.generic for m in channel) and len({m.info.name for m in lexical}) == 1:
            candidates = lexical
        else:
            candidates = channel
    kind = verb.label
    if kind in ("WRITE", "TRANSFER"):
        into = [m for m in candidates if preceded_by(m, toks, _TARGET, reach=4)]
        written = {m.info.name for m in into}
        rest = [
            m
            for m in candidates
            if m not in into and m.start >= verb.end and m.info.name not in written
        ]
        if into and rest:
            # "sync new Stripe payments into Salesforce": Stripe is read, Salesforce written
            return [
                _make(clause, "read", False, rest, label, verb.rule),
                _make(clause, "write", False, into, label, verb.rule),
            ]
    if (
        (clause.chain is not None or clause.item is not None)
        and kind != "WRITE"
        and any(
            v.label == "WRITE"
            and v.start > verb.start
            and view.verbal(v)
            and view.read(v).modality == "asserted"
            and toks[v.start - 1].norm in (",", "and", "then", "(", ";")
            for v in view.mentions("verb", clause.index)
        )
    ):
        kind = "WRITE"  # "Pipedrive (search deals first, create only if none)": it writes
    if kind == "RECEIVE":
        inbound = any(m.info.role == "api" for m in candidates)
        return [_make(clause, "read", inbound, candidates, label, verb.rule)]
    if kind == "READ":
        return [_make(clause, "read", False, candidates, label, verb.rule)]
    if kind == "TRANSFER":
        sources = [m for m in candidates if preceded_by(m, toks, _SOURCE)]
        targets = [m for m in candidates if m not in sources]
        out = []
        if sources:
            out.append(_make(clause, "read", False, sources, label, verb.rule))
        if targets:
            out.append(_make(clause, "write", False, targets, label, verb.rule))
        return out
    return [_make(clause, "write", False, candidates, label, verb.rule)]


def _receive(
    clause: Clause, candidates: list[SvcMention], label: int | None, rule: str
) -> StepDraft:
    inbound = any(m.info.role == "api" for m in candidates)
    return _make(clause, "read", inbound, candidates, label, rule)


def _make(
    clause: Clause,
    action: str,
    inbound: bool,
    mentions: list[SvcMention],
    label: int | None,
    rule: str,
) -> StepDraft:
    infos = tuple(dict.fromkeys(m.info for m in mentions))
    return StepDraft(clause.start, clause.end, clause.index, action, inbound, infos, label, rule)


def _label(view: TextView, clause: Clause) -> int | None:
    if clause.item is None:
        return None
    return view.lay.items[clause.item].label


def _as_mention(m: SvcMention) -> Mention:
    return Mention(Group.SERVICE, m.info.category, m.info.rule, m.start, m.end)
