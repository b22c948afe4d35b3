"""Steps: the actions of the workflow, read off each clause's frame (`layout.frames`).

- A trigger adverbial naming a system is a receive from it: "On a Paddle webhook we create
  the customer in Pipedrive" is a receive from Paddle, then a write to Pipedrive. A condition
  ("if the query fails") or a schedule ("every night") is no step.
- Every action (a verb used as a verb, asserted) is a step on the systems of its phrase, by
  role: a write goes to its target, channel or object ("insert into the CRM", "text them via
  Twilio"); a read comes from its source or object; a transfer reads its source and writes
  its target ("sync Stripe payments into Salesforce"). Coordinated actions are separate steps
  ("pull invoices from Chargebee and create them in Xero"); "look up or create the customer"
  is one write.
- An action that names no system acts on the one the sentence is about: a system acted on
  earlier in the sentence ("read the order from Shopify and update it"), else the sender of
  the trigger ("on a Shopify webhook we patch the order": the sender's API).
- A segment of an arrow chain that has no action of its own is a read in first place and a
  write after it ("Stripe -> CRM").
- Not steps: headings and metadata, sections that are not the design, statements about a
  mechanism ("failures are sent to the DLQ", "the key is read from Vault"), what people do
  ("applicants submit the form"), and deliveries to us ("GitHub sends us a webhook", which is
  a receive).

Each step records the rule that made it (the verb's lexicon id, or a named reading such as
`step.fallback.trigger_sender`), shown as its evidence's rule.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace

from workflow_prover.annotate.types import Group, Mention, Tok
from workflow_prover.extract.layout.clauses import Clause
from workflow_prover.extract.layout.frames import Action, Frame, statement_runner
from workflow_prover.extract.layout.grammar import (
    ARROWS,
    DETERMINERS,
    PASSIVE_AUXILIARIES,
    SUBJECT_BREAKS,
    VERB_OPENERS,
)
from workflow_prover.extract.layout.verbs import verb_form
from workflow_prover.extract.reading import TextView
from workflow_prover.extract.services.catalog import ServiceInfo, SvcMention
from workflow_prover.extract.services.found import preceded_by
from workflow_prover.extract.services.unnamed import first_segment
from workflow_prover.extract.steps.mechanism import is_mechanism, states_mechanism
from workflow_prover.extract.steps.senders import (
    actor_event,
    addressed_to_us,
    failure_condition,
    webhook_to_ours,
)

__all__ = ["NOT_DESIGN", "StepDraft", "find_steps", "step_services"]

NOT_DESIGN = frozenset(("alternatives", "history", "questions", "out_of_scope", "future"))
_STEP_ROLES = frozenset(("api", "datastore"))
_ACTED_ROLES = frozenset(("target", "channel", "object", "source"))


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


@dataclass
class _Sentence:
    """What the sentence so far is about, for actions that name no system."""

    index: int = -1
    acted: list[SvcMention] = field(default_factory=list)
    senders: list[SvcMention] = field(default_factory=list)
    sources: list[SvcMention] = field(default_factory=list)  # systems read so far


def find_steps(view: TextView) -> list[StepDraft]:
    """Steps of the design's own sections; a background section's steps only when the design
    sections have none ("## Context" says where the flow starts from, not what it does)."""
    steps: list[StepDraft] = []
    background: list[StepDraft] = []
    sentence = _Sentence()
    previous_senders: list[SvcMention] = []
    low = view.ann.text.lower()
    same = any(w in low for w in _SAME_WORDS)  # "the same for X": rare, tested once a text
    for clause in view.lay.clauses:
        if clause.sentence != sentence.index:
            previous_senders = sentence.senders or previous_senders
            sentence = _Sentence(clause.sentence, [], list(previous_senders))
        if clause.skipped or clause.role in NOT_DESIGN or clause.role == "setup":
            continue  # ("Get started: create a `.env` file": running the project, no step)
        found = [_without_cell_edge(view, s) for s in _clause_steps(view, clause, sentence)]
        if same and not found and steps:
            found = _the_same_for(view, clause, steps[-1])
        (background if clause.role == "background" else steps).extend(found)
    if steps and background:
        steps = _used_by_design(view, steps, background)
    steps = _without_overview(steps)
    found = _upstream_publishes(view, _transfers_delivered(view, steps or background))
    found = _without_upstream_sends(view, found)
    return _without_restated_calls(view, found)


def _without_overview(steps: list[StepDraft]) -> list[StepDraft]:
    """'We sync Zoho CRM deals to Xero. Step 1: poll Zoho ... Step 2: create the invoice in
    Xero ...': an unlabelled step before the first labelled one that the labelled steps
    restate (the same action on the same systems) is the overview of the flow, not a step
    of its own; its claims belong to the labelled steps."""
    labelled = [s for s in steps if s.label is not None]
    if not labelled:
        return steps
    first = min(s.start for s in labelled)
    done = _actions_on(labelled)
    # a delivery to us is restated only by a labelled delivery ('Onboarding workflow
    # (triggered by the Okta event hook): 1. Receive the Okta event. ...')
    heard = _actions_on([s for s in labelled if s.inbound])
    return [
        s
        for s in steps
        if s.label is not None or s.start > first or not _restated(s, heard if s.inbound else done)
    ]


def _actions_on(steps: list[StepDraft]) -> set[tuple[str, str]]:
    """What the steps do to which system: (action, service name) pairs."""
    return {(s.action, i.name) for s in steps for i in s.services}


def _restated(step: StepDraft, done: set[tuple[str, str]]) -> bool:
    """Does the step do only what `done` holds already (the same action on each system)?"""
    return bool(step.services) and all((step.action, i.name) in done for i in step.services)


def _used_by_design(
    view: TextView, steps: list[StepDraft], background: list[StepDraft]
) -> list[StepDraft]:
    """'context: an approval in Ramp fires a webhook; we then create the bill in Sage
    Intacct ... decided: every outbound call (Ramp and Intacct) backs off': a background
    step on a system the design's own sections name is a step of the flow; one on a system
    only the background names ('IT used to provision accounts in Okta') is not, nor one the
    design's steps restate (the same action on the same systems)."""
    named = {
        m.info.name
        for c in view.lay.clauses
        if not c.skipped and c.role not in NOT_DESIGN and c.role != "background"
        for m in view.clause_services(c.index)
        if view.frame(c.index).role_of(m) != "trigger"
    }
    # a system the design only hears from ('DocuSign Connect notifies us') is no system it
    # acts on: 'Sales closes contracts in DocuSign' stays background
    named -= {i.name for d in steps if d.inbound for i in d.services}
    # "## Context: the pipeline moves refunds into Adyen ... ## Decision: Step 2: call Adyen
    # /refunds": a background step the design's own steps restate is that step, said twice
    done = _actions_on(steps)
    kept = [
        b
        for b in background
        if b.services
        and not b.inbound
        and all(i.name in named for i in b.services)
        and not _restated(b, done)
    ]
    return sorted([*steps, *kept], key=lambda d: d.start) if kept else steps


def _the_same_for(view: TextView, clause: Clause, last: StepDraft) -> list[StepDraft]:
    """'2. `fetch_spend_linkedin`: the same for LinkedIn Ads': a clause that names a system
    and no action, saying it gets the same, repeats the step before it on that system."""
    toks = view.toks
    at = next((k for k in range(clause.start, clause.end) if toks[k].norm in _SAME_WORDS), None)
    if at is None or at + 1 >= clause.end or toks[at + 1].norm not in ("for", "with", "on", "to"):
        return []
    named = [m for m in view.clause_services(clause.index) if m.start > at and m.info.role == "api"]
    if not named or any(view.verbal(v) for v in view.mentions("verb", clause.index)):
        return []
    return [
        _make(
            clause, last.action, last.inbound, named[:1], _label(view, clause), "step.the_same_for"
        )
    ]


_SAME_WORDS = frozenset(("same", "likewise", "ditto"))


def _without_restated_calls(view: TextView, steps: list[StepDraft]) -> list[StepDraft]:
    """'Braintree and Quaderno are called with exponential backoff': a verb that names no
    action of its own (call, hit), on systems other steps of the text act on, in a clause
    that states a mechanism, says how those steps call them; it is no step of its own."""
    generic = view.catalog.words.generic_call
    acted = {i.name for s in steps for i in s.services if not _generic(view, s, generic)}
    # "Nothing calls Recurly or Help Scout except through the shared client: exponential
    # backoff ...": the mechanism may be stated after the clause's colon
    elaborated = {c.after_colon: c.index for c in view.lay.clauses if c.after_colon is not None}
    return [
        s
        for s in steps
        if not (
            _generic(view, s, generic)
            and s.services
            and {i.name for i in s.services} <= acted
            and (
                view.mentions("cue", s.clause)
                or (s.clause in elaborated and view.mentions("cue", elaborated[s.clause]))
            )
        )
    ]


def _generic(view: TextView, step: StepDraft, generic: frozenset[str]) -> bool:
    if not step.rule.startswith("verb."):
        return False
    verbs = [v for v in view.mentions("verb", step.clause) if v.rule == step.rule]
    return bool(verbs) and all(view.toks[v.start].norm in generic for v in verbs)


_BROKERS = frozenset(("queue", "stream"))
_CONSUME_RULES = frozenset(("verb.consume", "verb.receive", "verb.pull"))


def _upstream_publishes(view: TextView, steps: list[StepDraft]) -> list[StepDraft]:
    """'The auth service publishes `password_reset.requested` to RabbitMQ; the `mailer`
    consumes it and sends the e-mail': another system's publish to a broker that the text
    then consumes from is where our flow starts, a receive from the broker, not a write of
    ours. A publish whose subject is us ("we publish ...") stays a write."""
    consumed = [v for v in view.ann.of(Group.VERB) if v.rule in _CONSUME_RULES]
    if not consumed:
        return steps
    out = []
    for s in steps:
        if _published_upstream(view, s, consumed):
            s = replace(s, action="read", rule="step.upstream_publish")  # we consume it
        out.append(s)
    return out


def _published_upstream(view: TextView, step: StepDraft, consumed: list[Mention]) -> bool:
    if step.action != "write" or step.inbound or not step.services:
        return False
    if not all(i.category in _BROKERS for i in step.services):
        return False
    toks = view.toks
    clause = view.clause(step.clause)
    head = [t.norm for t in toks[clause.start : min(clause.start + 3, clause.end)]]
    if not head or head[0] not in DETERMINERS or any(w in ("we", "our", "i") for w in head):
        return False  # "we publish ...", "publish to Kafka": our write
    sentence = clause.sentence
    return any(
        v.start >= clause.end and view.lay.sentence_of[v.start] == sentence for v in consumed
    )


def _without_upstream_sends(view: TextView, steps: list[StepDraft]) -> list[StepDraft]:
    """'LoRaWAN trackers report through The Things Stack, which pushes uplinks to our
    webhook': a write by someone else (no 'we', no runner of ours) to a system that, later in
    the sentence, delivers to us is where the data comes from; the delivery is our step."""
    toks = view.toks
    out = []
    for n, s in enumerate(steps):
        clause = view.clause(s.clause)
        later = [
            d
            for d in steps[n + 1 :]
            if d.inbound
            and d.clause > s.clause
            and view.clause(d.clause).sentence == clause.sentence
            and {i.name for i in d.services} == {i.name for i in s.services}
        ]
        actions = view.frame(s.clause).actions
        verb = actions[0].verb.start if actions else clause.start
        head = {t.norm for t in toks[clause.start : verb]}
        ours = head & {"we", "our", "i", "us"} or head & view.catalog.words.runner_noun
        if s.action == "write" and not s.inbound and later and not ours:
            continue
        out.append(s)
    return out


def _transfers_delivered(view: TextView, steps: list[StepDraft]) -> list[StepDraft]:
    """'We sync Shopify orders to NetSuite. Shopify sends `orders/create` webhooks to ...':
    the read half of a transfer from a system that delivers to us is that delivery, not a
    call we make to it (a transfer's own sentence says what moves, the other how)."""
    senders = {i.name for s in steps if s.inbound for i in s.services}
    if not senders:
        return steps
    transfer = sorted(v.start for v in view.ann.of(Group.VERB) if v.label == "TRANSFER")
    return [
        s
        for s in steps
        if not (
            s.action == "read"
            and not s.inbound
            and s.rule.startswith("verb.")
            and _has_between(transfer, s.start, s.end)
            and {i.name for i in s.services} <= senders
        )
    ]


def _has_between(sorted_starts: list[int], lo: int, hi: int) -> bool:
    k = bisect_left(sorted_starts, lo)
    return k < len(sorted_starts) and sorted_starts[k] < hi


def _without_cell_edge(view: TextView, step: StepDraft) -> StepDraft:
    """A table cell's step is the cell's words, not the '|' that closes it."""
    if step.end - step.start > 1 and view.toks[step.end - 1].text == "|":
        return replace(step, end=step.end - 1)
    return step


def step_services(view: TextView, clause: int) -> list[SvcMention]:
    """The services a clause could act on: not hosts of a mechanism, not attributes.

    "the telemetry Kafka topic on MSK": Kafka runs on MSK, which is the service reached.
    """
    found = [
        m
        for m in view.clause_services(clause)
        if m.info.role in _STEP_ROLES and not view.is_host(m) and not view.is_attributive(m)
    ]
    found = [m for m in found if not (m.info.generic and _named_in_brackets(view, m))]
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
    """'the refund API', not 'orders-api' (a service named by its shape, not an API of one)."""
    toks = view.toks
    last = m.end - 1
    return toks[last].norm in view.catalog.words.api_head and (
        last == m.start or bool(toks[last - 1].ws)
    )


def _named_in_brackets(view: TextView, m: SvcMention) -> bool:
    """'the SIS replica (Cloud SQL MySQL)': the brackets name the generic system;
    'our intake service (an Azure Function)': the brackets say it is where we run."""
    toks = view.toks
    end = m.end + 1 if m.end < len(toks) and toks[m.end].text == "`" else m.end
    if end >= len(toks) or toks[end].text != "(":
        return False  # "`sms-notifier` (Cloud Run)": past the name's closing backtick
    return any(
        o is not m and not o.info.generic and end < o.start <= end + 3
        for o in view.clause_services(view.lay.clause_of[m.start])
    )


def _clause_steps(view: TextView, clause: Clause, sentence: _Sentence) -> list[StepDraft]:
    if clause.after_colon is not None and states_mechanism(view, clause.after_colon):
        return []  # "every write is keyed: the Slack post is skipped ..."
    frame = view.frame(clause.index)
    candidates = [m for m in step_services(view, clause.index) if view.in_design(_as_mention(m))]
    label = _label(view, clause)
    out: list[StepDraft] = []
    trigger = [m for m in candidates if frame.role_of(m) == "trigger"]
    adverbial = frame.adverbial
    if (
        trigger
        and adverbial is not None
        and adverbial.kind == "trigger"
        and not failure_condition(view, adverbial.start, adverbial.end, trigger[0])
    ):
        out.append(_make(clause, "read", _inbound(trigger), trigger, label, adverbial.rule))
        sentence.senders = trigger
    main = [m for m in candidates if frame.role_of(m) not in ("trigger", "producer")]
    if not main and not out:
        same = _same_store(view, clause)
        asserted = [a for a in frame.actions if view.in_design(a.verb)]
        if same and asserted:
            kind = "read" if all(a.label == "READ" for a in asserted) else "write"
            return [_make(clause, kind, False, same, label, "step.same_store")]
    if clause.trigger and not frame.actions and main and not out:
        # "when an order arrives from Shopify": an event clause of the old layout
        out.append(_make(clause, "read", _inbound(main), main, label, "frame.trigger_clause"))
        sentence.senders = main
        return out
    if not main and not out:
        main = _antecedent(view, clause)  # "our CMS, which sends a webhook"
    cue = _inbound_webhook(view, clause, frame) if main else None
    if cue is not None:
        # "Stripe webhooks trigger the flow": the systems named before the actions send it;
        # "the Bookwise webhook triggers charging via Paylo": Paylo is acted on (an unnamed
        # sender is the graph's "webhook sender")
        first = frame.actions[0].start if frame.actions else clause.end
        senders = [m for m in main if m.start < max(first, cue.end)]
        if senders:
            out.append(_make(clause, "read", _inbound(senders), senders, label, "step.webhook"))
            sentence.senders = senders
        main = [m for m in main if m not in senders]
        if not main:
            return out
    received = {d.services for d in out if d.inbound}
    # "Shopify sends `orders/create` webhooks to an API Gateway endpoint": one delivery, read
    # by its webhook and by the send addressed to us
    out += [
        d
        for d in _action_steps(view, clause, frame, main, label, sentence)
        if not (d.inbound and d.services in received)
    ]
    if (
        not out
        and main
        and clause.chain is not None
        and not _after_failure(view, clause)
        and (clause.segment > 0 or _flows_on(view, clause))
        and not _title_chain(view, clause)
    ):
        # "Stripe -> CRM": data flows out of the first system and into the others ("sensors
        # -> hivemq -> ...": segments before it that name no system are where data starts)
        upstream = _first_system_segment(view, clause) and not (sentence.senders or sentence.acted)
        # "=> `clearbit` (enrich, read-only) =>": the writer says the segment reads
        action = "read" if upstream or _read_remark(view, main[0]) else "write"
        # "typeform webhook (new survey response) -> ...", "Adyen notification arrives ->
        # ...": the chain starts with a delivery
        hook = clause.segment == 0 and (
            any(c.label == "webhook" for c in view.mentions("cue", clause.index))
            or any(a.label == "RECEIVE" and view.in_design(a.verb) for a in frame.actions)
        )
        out.append(_make(clause, action, hook, main[:1], label, "arrow"))
    if not out and not frame.actions:
        out += _keyed_steps(view, clause, frame, main, label)
    return out


def _title_chain(view: TextView, clause: Clause) -> bool:
    """Is the clause's arrow chain a title: names only, ending in a title noun ('Zendesk ->
    Jira bridge.') or before a colon that the flow follows ('nightly stripe -> ledger-db:
    list ...')? Its names are what the text is about; its steps come after."""
    chain = [c for c in view.lay.clauses if c.chain == clause.chain]
    top = max(c.segment for c in chain)
    last = next(c for c in chain if c.segment == top)
    toks = view.toks
    if _quoted_chain(toks, chain[0], last):
        return True  # 'n8n workflow "hubspot deal -> docusign envelope"': the flow's name
    titles = view.catalog.words.title_noun
    depth = view.lay.depth
    colon = next(
        (
            k
            for k in range(last.start, last.end)
            # "C[Intercom: publish news item]": a colon in a node's brackets labels the node
            if toks[k].text == ":" and depth[k] <= depth[last.start]
        ),
        None,
    )
    if colon is None and last.end < len(toks) and toks[last.end].text == ":":
        colon = last.end
    head_end = colon if colon is not None else last.end

    def acts(c: Clause) -> bool:
        return any(
            a.start < head_end and toks[a.start].norm not in titles  # "lead sync" is a noun
            for a in view.frame(c.index).actions
        )

    if any(acts(c) for c in chain if c.segment < top or c is last):
        return False
    if colon is not None:
        return True
    words = [t.norm for t in toks[last.start : last.end] if t.text[:1].isalnum()]
    return bool(words) and words[-1] in titles


_QUOTE_MARKS = frozenset(('"', "“", "”", "'", "‘", "’"))


def _quoted_chain(toks: list[Tok], first: Clause, last: Clause) -> bool:
    """Is the whole chain inside one pair of quotes, opened in its first segment and closed
    at the end of its last?"""
    opened = any(toks[k].text in _QUOTE_MARKS for k in range(first.start, first.end))
    end = last.end - 1
    while end > last.start and toks[end].text in (".", ",", ":", ";"):
        end -= 1
    return opened and toks[end].text in _QUOTE_MARKS


def _flows_on(view: TextView, clause: Clause) -> bool:
    """Does data flow on from the chain's first segment: does a later segment name a system?
    'all http calls (ledger-api + netsuite) => exp backoff' says what the calls have."""
    return any(
        c.chain == clause.chain and c.segment > clause.segment and step_services(view, c.index)
        for c in view.lay.clauses
    )


def _after_failure(view: TextView, clause: Clause) -> bool:
    """'any failure -> dead-letter table + pagerduty': a chain segment after one that names a
    failure is where failures go, a failure path, not a step."""
    failures = view.term_starts("FAILURE_WORD")
    return any(
        c.chain == clause.chain
        and c.segment < clause.segment
        and any(c.start <= k < c.end for k in failures)
        for c in view.lay.clauses
    )


def _same_store(view: TextView, clause: Clause) -> list[SvcMention]:
    """'insert the lead into the leads table (same database)': the database named last before
    the clause, for a clause that names none but says it is the same one."""
    toks = view.toks
    kinds = {
        m.start
        for m in view.mentions("term", clause.index)
        if m.label == "GENERAL_NOUN" and m.filter == "database"
    }
    if not any(toks[k].norm == "same" and k + 1 in kinds for k in range(clause.start, clause.end)):
        return []
    before = [m for m in view.services if m.end <= clause.start and m.info.role == "datastore"]
    return before[-1:]


def _keyed_steps(
    view: TextView, clause: Clause, frame: Frame, main: list[SvcMention], label: int | None
) -> list[StepDraft]:
    """'source: Adyen settlement report API', 'sink: Postgres, upsert on psp_reference': a
    config line whose key says which way the data flows is a read or a write on its value."""
    for role in frame.roles:
        if not _keyed(view, role.mention):
            continue
        if (
            role.word in view.catalog.words.receive_key
            and role.role == "source"
            and role.mention.info.role in _STEP_ROLES  # "Trigger: Airflow DAG at 01:00": a runner
        ):
            # "Trigger: HubSpot Trigger (...)": the system the event comes from, even where its
            # name qualifies the trigger's
            inbound = _inbound([role.mention])
            return [_make(clause, "read", inbound, [role.mention], label, "frame.keyed_trigger")]
        if role.mention not in main:
            continue
        if role.word in view.catalog.words.source_key:
            return [_make(clause, "read", False, [role.mention], label, "frame.keyed_source")]
        if role.word in view.catalog.words.sink_key:
            return [_make(clause, "write", False, [role.mention], label, "frame.keyed_sink")]
    return []


def _inbound_webhook(view: TextView, clause: Clause, frame: Frame) -> Mention | None:
    """'Stripe webhooks trigger the flow': a webhook cue for a delivery to us (not 'we push
    events to each customer's webhook URL', an outgoing webhook)."""
    sends = [a for a in frame.actions if a.label in ("WRITE", "TRANSFER")]
    adverbial = frame.adverbial
    for cue in view.mentions("cue", clause.index):
        if cue.label != "webhook" or view.read(cue).modality != "asserted":
            continue
        if adverbial is not None and adverbial.start <= cue.start < adverbial.end:
            continue  # "on a Stripe webhook we ...": the trigger already receives it
        if any(s.start <= cue.start < s.end for s in view.clause_services(clause.index)):
            continue
        if view.has_term("CREDENTIAL_NOUN", cue.end, cue.end + 2):
            continue  # "webhook secret"
        if view.has_term("ID_NOUN", cue.end, cue.end + 3):
            continue  # "the webhook's event id"
        if any(
            a.start < cue.start
            and not a.verb.starts_run
            and not _sent_by_system(view, frame, a)
            and not _taken_from(frame, a)
            for a in sends
        ):
            continue  # "we deliver webhooks to partner endpoints": we send them
        return cue
    return None


def _antecedent(view: TextView, clause: Clause) -> list[SvcMention]:
    """The system a relative clause with a webhook is about ('the producer hits "ready" in
    our CMS, which sends a webhook'): the last API the clause before it names."""
    if view.toks[clause.start].norm not in ("which", "that") or clause.index == 0:
        return []
    if not any(c.label == "webhook" for c in view.mentions("cue", clause.index)):
        return []
    before = view.lay.clauses[clause.index - 1]
    if before.sentence != clause.sentence:
        return []
    return [m for m in step_services(view, before.index) if m.info.role == "api"][-1:]


def _taken_from(frame: Frame, action: Action) -> bool:
    """'we ingest clickstream from segment (webhook destination)': the action's systems are
    all where the data comes from, so the webhook is theirs, delivered to us."""
    roles = [r.role for r in frame.roles if action.start <= r.mention.start < action.end]
    return bool(roles) and all(role == "source" for role in roles)


def _sent_by_system(view: TextView, frame: Frame, action: Action) -> bool:
    """'an approval in Ramp fires a webhook': the sender of the webhook is an external system
    named before the verb, with no 'we' of ours as its actor."""
    toks = view.toks
    if any(toks[k].norm in ("we", "i", "our", "us") for k in range(frame.start, action.start)):
        return False
    if toks[frame.start].norm in ("which", "that"):
        return True  # "... in our CMS, which sends a webhook": the system before it sends
    return any(
        m.end <= action.start and m.info.role == "api" and not m.info.generic
        for m in view.clause_services(frame.clause)
    )


def _action_steps(
    view: TextView,
    clause: Clause,
    frame: Frame,
    main: list[SvcMention],
    label: int | None,
    sentence: _Sentence,
) -> list[StepDraft]:
    out: list[StepDraft] = []
    actions = [a for a in frame.actions if view.in_design(a.verb)]
    merged_write = False
    for n, action in enumerate(actions):
        nxt = actions[n + 1] if n + 1 < len(actions) else None
        if (
            nxt is not None
            and view.toks[action.verb.start].norm in view.catalog.words.delegate_verb
            and _delegated_to(view, nxt, main)
        ):
            continue  # "tell Zendesk to close the ticket": one action, the close
        subject_start = _subject_start(view, frame, action)
        if is_mechanism(view, clause, subject_start, action.verb) or _object_negated(view, action):
            continue
        if _verb_cues(view, clause, action) & _FATE_CUES:
            continue  # "exp. backoff + jitter, then dropped": what becomes of a failure, no
            # action on a system
        phrase = [
            m
            for m in main
            if action.start <= m.start < action.end
            or (_call_word(frame, m) and m.end < action.start <= m.end + 3)
        ]
        subject = [m for m in main if m.start < frame.actions[0].start]
        if addressed_to_us(view, clause, action.verb, main) or actor_event(
            view, clause, action.verb
        ):
            # "A Zendesk trigger calls our webhook endpoint": the system named before the
            # verb sends, even where it qualifies a noun
            before = [
                m
                for m in view.clause_services(clause.index)
                if m.end <= action.verb.start and m.info.role == "api" and not m.info.generic
            ]
            senders = subject or before or phrase or main
            if not (subject or before) and webhook_to_ours(view, clause, action.verb):
                continue  # "the carrier posts a webhook to refunds-svc": refunds-svc receives;
                # the sender is the graph's unnamed "webhook sender"
            if senders:
                out.append(_make(clause, "read", _inbound(senders), senders, label, "inbound"))
                sentence.senders = senders
            continue
        acted = [m for m in phrase if frame.role_of(m) in _ACTED_ROLES]
        if not acted and _passive(view, action):
            acted = subject  # "the order is created in NetSuite" names it in its phrase
        recipient = not acted and _recipient(view, action, subject)
        if recipient:
            acted = subject  # "then ledger-api gets the settlement entry": a write to it
        if not acted and "frame.key_value" in frame.via:
            acted = _key_service(view, frame, subject)  # "quickbooks: GET /v3/..."
        if not acted:
            # "intercom.contacts.upsert(...)", "pg.query('INSERT ...')": the call's receiver
            acted = _method_receiver(view, frame, action, main)
        if not acted:
            acted = _delegated_to(view, action, main)  # "asks the Vimeo API to create a clip"
        if not acted:
            acted = _bracket_route(view, action, main)  # "ChargeCustomer (Lambda -> Adyen)"
        if not acted:
            acted = _bracket_owner(view, frame, action, main)  # "GitHub API (list open PRs)"
        if not acted:
            acted = _remarked_system(view, action)  # "POST ... (Lob supports the header)"
        if not acted:
            acted = _channel_owner(view, action)  # "posts one digest to #wins"
        rule = action.verb.rule
        if not acted and action.verb.start == frame.start:
            acted = _row_systems(view, clause)  # "| NetSuite | create Sales Order |"
            rule = "step.table_row" if acted else rule
        if not acted and nxt is not None and nxt.joined in ("or", "and"):
            # "look up or create the customer in NetSuite": one step on the next phrase
            merged_write = merged_write or action.label in ("WRITE", "TRANSFER")
            continue
        kind = "WRITE" if (merged_write or recipient) and action.label in _READS else action.label
        if kind == "WRITE" and acted and all(_read_remark(view, m) for m in acted):
            kind = "READ"  # "enrich the contact via apollo.io (read)": the writer says it reads
        elif kind == "WRITE" and acted and _enriched_from(view, frame, action, acted):
            kind = "READ"  # "enrich the lead via Clearbit": Clearbit is asked, not written
        merged_write = False
        bracketed = view.lay.depth[action.start] > view.lay.depth[frame.start]
        if (
            not acted
            and not bracketed
            and not _verb_is_mechanism(view, clause, action)
            and _acts_alone(view, frame, action)
            # "we get a Slack alert": the system named is where a mechanism lives, so the
            # action is that mechanism's, not one on a system guessed from elsewhere
            and not any(view.is_host(m) for m in view.clause_services(clause.index))
            and not _dedupe_lookup(view, clause, action)
            and not _on_mechanism(view, clause, action)
            and not _own_bookkeeping(view, action)
            and not _restates_a_call(view, clause, action)
            # "Before sending we insert the refund ID into `notifications` (unique
            # constraint)": the guard of the send names its store, no system to guess
            and not view.guards_before(clause.index)
        ):
            # no system named: "and patches the invoice", "PUT a label on /tickets/{id}"
            acted, rule = _fallback(view, clause, sentence, kind, action)
        if not acted:
            continue
        steps = _verb_steps(view, clause, action, kind, acted, label, rule)
        out += steps
        sentence.acted += acted
        if any(s.action == "read" for s in steps):
            sentence.sources += acted
    return out


_READS = ("READ", "RECEIVE")
_READ_OPENERS = frozenset(("read", "reads", "read-only", "readonly", "lookup", "look-up", "get"))


def _enriched_from(view: TextView, frame: Frame, action: Action, acted: list[SvcMention]) -> bool:
    """Does an enrichment verb ('enrich the lead via Clearbit', 'augment each row with
    ZoomInfo') name its systems only as the channel or source of the data? They are read;
    what is enriched is the flow's own record until a later step writes it."""
    if view.toks[action.verb.start].norm not in view.catalog.words.enrich_verb:
        return False
    return all(frame.role_of(m) in ("channel", "source") for m in acted)


def _read_remark(view: TextView, m: SvcMention) -> bool:
    """Is the system followed by a bracket that only says the step reads ('(read)', '(read
    only)', '(just a lookup)')? Its words are all `READ_REMARK`, one of them a read word."""
    toks = view.toks
    k = m.end + 1 if m.end < len(toks) and toks[m.end].text == "`" else m.end
    if k >= len(toks) or toks[k].text != "(":
        return False
    words = view.catalog.words.read_remark
    inner: list[str] = []
    for tok in toks[k + 1 : k + 7]:
        if tok.text == ")":
            return bool(inner) and any(w in _READ_OPENERS for w in inner)
        if tok.text == "," and inner[-1:] != ["only"]:
            inner = []  # "`clearbit` (enrich, read-only)": the last part says it reads
            continue
        if tok.norm not in words:
            return _read_only_after(toks, tok, k)
        inner.append(tok.norm)
    return False


def _read_only_after(toks: list[Tok], tok: Tok, opening: int) -> bool:
    """Does the bracket end with a part that says the step is read-only ('(enrich,
    read-only)')? A word of the bracket that is no read remark then names the action."""
    end = next(
        (j for j in range(opening + 1, min(opening + 12, len(toks))) if toks[j].text == ")"), None
    )
    if end is None:
        return False
    last = [t.norm for t in toks[opening + 1 : end]]
    if "," not in last:
        return False
    tail = last[len(last) - last[::-1].index(",") :]
    return tail in (["read", "-", "only"], ["read-only"], ["readonly"], ["read", "only"])


def _delivered(view: TextView, clause: Clause) -> bool:
    """Does the clause say its data comes by a webhook ('we pick it up via webhook')?"""
    return any(c.label == "webhook" for c in view.mentions("cue", clause.index))


def _recipient(view: TextView, action: Action, subject: list[SvcMention]) -> bool:
    """'ledger-api gets the settlement entry', 'Xero receives a copy': one external system
    right before a verb of getting, as its subject, with an object after it, is where the
    data goes; a system that receives an event or a request is called, not written to."""
    verb = action.verb
    toks = view.toks
    if len(subject) != 1 or toks[verb.start].norm not in view.catalog.words.recipient_verb:
        return False
    m = subject[0]
    nxt = toks[verb.end].norm if verb.end < len(toks) else ""
    # "zen-bridge receives the trigger": an event delivered is a call to us, not our write
    events = view.catalog.words.on_event_noun
    delivered = any(t.norm in events for t in toks[verb.end + 1 : verb.end + 4])
    return (
        m.info.role == "api"
        and m.end == verb.start
        and nxt in ("a", "an", "the", "each", "every", "one", "its", "their")
        and not delivered
    )


def _restates_a_call(view: TextView, clause: Clause, action: Action) -> bool:
    """'we call it w/ exp backoff': a verb that names no action of its own (call, hit) on no
    system, in a clause that states a mechanism, says how calls are made; it is no step on a
    system guessed from elsewhere."""
    generic = view.catalog.words.generic_call
    return view.toks[action.verb.start].norm in generic and bool(view.mentions("cue", clause.index))


def _channel_owner(view: TextView, action: Action) -> list[SvcMention]:
    """'posts one digest to #wins': a '#channel' is a channel of the one chat service the
    text names (none, or several: no guess)."""
    toks = view.toks
    channel = any(
        toks[i].text == "#" and not toks[i].ws and i + 1 < action.end
        for i in range(action.start, action.end)
    )
    if not channel or any(action.start <= m.start < action.end for m in view.services):
        return []  # the phrase names its system, kept out of the steps for a reason
    chats = [m for m in view.services if m.info.category in view.catalog.channel_categories]
    return chats[:1] if len({m.info.name for m in chats}) == 1 else []


def _keyed(view: TextView, m: SvcMention) -> bool:
    """Is the mention the value of a `key:` or `key=` ('sink: Postgres')?"""
    return m.start > 0 and view.toks[m.start - 1].text in (":", "=")


def _key_service(view: TextView, frame: Frame, subject: list[SvcMention]) -> list[SvcMention]:
    """The service a `key: value` line's key is ('postgres:   SELECT ...'), not a key that
    only names one ('Nightly Jenkins job: pulls ...'), or the value of a system key."""
    toks = view.toks
    for m in subject:
        if m.start == frame.start and m.end < frame.end and toks[m.end].text == ":":
            return [m]
    # "Insert into Aurora: `INSERT INTO registrations ...`": a key that is itself a phrase
    # with a target names the system its value acts on
    acts = frame.actions[0].start if frame.actions else frame.end
    keyed = [r.mention for r in frame.roles if r.role == "target" and r.mention.end <= acts]
    if keyed:
        return keyed[:1]
    # "check_signup: {db: postgres, query: ...}": the value of a key naming the system
    keys = view.catalog.words.system_key
    return [r.mention for r in frame.roles if r.role == "target" and r.word in keys][:1]


_FATE_CUES = frozenset(("swallow", "terminal_path", "no_handling"))


def _verb_cues(view: TextView, clause: Clause, action: Action) -> set[str]:
    """The labels of the cues the verb is a word of ('then dropped', 'alerts', 'retries')."""
    verb = action.verb
    return {c.label for c in view.mentions("cue", clause.index) if c.start <= verb.start < c.end}


def _verb_is_mechanism(view: TextView, clause: Clause, action: Action) -> bool:
    """'... the dead-letter exchange, which alerts #auth-oncall': the verb is itself a
    mechanism cue (an alert, a retry, a dead-letter), so naming no system it is no step."""
    return bool(_verb_cues(view, clause, action) - {"webhook", "idempotency"})


def _first_system_segment(view: TextView, clause: Clause) -> bool:
    """Is this the first segment of its arrow chain that names a system (or a delivery)?"""
    clauses = view.lay.clauses
    k = clause.index - 1
    while k >= 0 and clauses[k].sentence == clause.sentence:
        c = clauses[k]
        if (
            c.chain == clause.chain
            and c.segment < clause.segment
            and (
                view.clause_services(k)
                or any(m.label == "webhook" for m in view.mentions("cue", k))
            )
        ):
            return False  # (a delivery starts the chain: "Square webhook -> ...")
        k -= 1
    return True


def _own_bookkeeping(view: TextView, action: Action) -> bool:
    """'queues it for processing', 'marks the job complete': an action that names no system
    and puts work on a queue of ours or changes our own job's state acts on no one's system
    (not the trigger's sender, not the system the sentence wrote to)."""
    toks = view.toks
    if toks[action.verb.start].norm in _ENQUEUE:
        return True
    frame = view.frame(view.lay.clause_of[action.verb.start])
    if any(
        r.role == "producer" and action.start <= r.mention.start < action.end for r in frame.roles
    ):
        return True  # "we store the `MessageSid` Twilio returns": our own record of a reply
    k = action.verb.end
    while k < len(toks) and toks[k].norm in ("the", "a", "an", "its", "our", "this", "each"):
        k += 1
    return k < len(toks) and (
        toks[k].norm in view.catalog.words.runner_noun or toks[k].norm in _RUN_NOUNS
    )


_ENQUEUE = frozenset(("queue", "queues", "queued", "enqueue", "enqueues", "enqueued"))
_RUN_NOUNS = frozenset(("job", "jobs", "task", "tasks", "run", "runs", "batch"))


def _dedupe_lookup(view: TextView, clause: Clause, action: Action) -> bool:
    """'we check the `labels` table for the order id and skip if a label exists': a read in
    a clause that de-duplicates, naming no system, is the dedupe's own lookup, not a read of
    a system guessed from elsewhere. So is a write into the dedupe's store ('records the
    event id in a processed_events table'): the store is a part of the mechanism."""
    for c in view.mentions("cue", clause.index):
        if view.read(c).modality != "asserted":
            continue
        if c.label == "idempotency_store" and c.start > action.verb.start:
            return True
        if action.label == "READ" and c.label in ("idempotency", "idempotency_store"):
            return True
    return False


def _on_mechanism(view: TextView, clause: Clause, action: Action) -> bool:
    """'... and opens a replay task for the billing on-call': a verb whose object is a
    mechanism (a replay task, an alert, a dead-letter record) acts on that mechanism, not on
    a system guessed from elsewhere."""
    end = action.verb.end
    return any(
        c.label not in ("webhook", "idempotency", "idempotency_store") and end <= c.start <= end + 1
        for c in view.mentions("cue", clause.index)
    )


def _acts_alone(view: TextView, frame: Frame, action: Action) -> bool:
    """Is this plainly an action, though it names no system? A verb that opens the clause or
    follows its actor ('we', 'the worker', 'then'), with an object after it ('the order',
    'it', 'a label', 'one'): not a noun spelt like a verb ('Payroll export, runs on the 25th')."""
    toks = view.toks
    i = action.verb.start
    before = toks[i - 1] if i > frame.start else None
    if before is not None and _passive_on_a_noun(view, frame, action):
        return True  # "Each applicant is written with `Put_Applicant` ...": the record is
        # the subject, the system is whose record it is
    if (
        before is not None
        and before.norm not in view.catalog.words.runner_noun
        and before.norm not in VERB_OPENERS
        and not before.norm.endswith("er")
    ):
        return False
    nxt = toks[action.verb.end] if action.verb.end < frame.end else None
    return nxt is not None and (
        nxt.norm in ("the", "a", "an", "it", "them", "each", "every", "this", "that", "its", "one")
        or nxt.text.startswith("/")
    )


def _passive_on_a_noun(view: TextView, frame: Frame, action: Action) -> bool:
    """'Each applicant is written with ...', 'the invoice is created': a write in the passive
    whose subject is a plain noun (no pronoun, no mechanism) right before the auxiliary."""
    toks = view.toks
    i = action.verb.start
    if (
        action.label not in ("WRITE", "TRANSFER")
        or i - 3 < frame.start
        or not _passive(view, action)
    ):
        return False
    noun = toks[i - 2]
    return (
        noun.text.isalpha()
        and noun.text.islower()
        and toks[i - 3].norm in ("the", "each", "every", "a", "an")
        # "... opens a subscription in Chargebee; the subscription is created with `id` set
        # to ...": a record named before is that step restated, no new one
        and not any(t.norm == noun.norm for t in toks[: i - 2])
    )


def _bracket_route(view: TextView, action: Action, main: list[SvcMention]) -> list[SvcMention]:
    """'ChargeCustomer (Lambda -> Adyen /payments, ...)': a bracket right after the action that
    routes from where it runs to a system says which system the action reaches."""
    toks = view.toks
    k = action.verb.end
    while k < len(toks) and k <= action.verb.end + 1 and toks[k].text != "(":
        k += 1
    if k >= len(toks) or toks[k].text != "(":
        return []
    depth = view.lay.depth
    end = next((j for j in range(k + 1, len(toks)) if depth[j] < depth[k + 1]), len(toks))
    arrow = next((j for j in range(k + 1, end) if toks[j].text in ARROWS), None)
    if arrow is None:
        return []
    return [m for m in main if arrow < m.start < end][:1]


def _delegated_to(view: TextView, action: Action, main: list[SvcMention]) -> list[SvcMention]:
    """'the worker asks the Vimeo API to create a clip': the system between a delegating verb
    (`DELEGATE_VERB`) and the infinitive is what the infinitive acts on."""
    toks = view.toks
    verb = action.verb.start
    if verb < 2 or toks[verb - 1].norm != "to":
        return []
    m = next((m for m in main if m.end == verb - 1), None)
    if m is None:
        return []
    k = m.start - 1
    while k >= 0 and toks[k].norm in DETERMINERS:
        k -= 1
    return [m] if k >= 0 and toks[k].norm in view.catalog.words.delegate_verb else []


def _call_word(frame: Frame, m: SvcMention) -> bool:
    """`slack.post`: the service is the object of the method call after it."""
    return any(r.mention is m and r.word == "." for r in frame.roles)


def _bracket_owner(
    view: TextView, frame: Frame, action: Action, main: list[SvcMention]
) -> list[SvcMention]:
    """The service a bracket follows, for an action inside it: 'GitHub API (list open PRs
    older than 14 days) -> Jira API (get the status ...)'."""
    depth = view.lay.depth
    verb = action.verb.start
    if depth[verb] <= depth[frame.start]:
        return []
    k = verb
    while k > frame.start and view.toks[k].text != "(":
        k -= 1
    if k == 0 or not view.toks[k - 1].ws:
        return []  # `jira.search(jql="... resolved ...")`: a call's arguments, not a node
    if verb_form(view.toks[verb].text) == "past":
        return []  # "postmark (sent_welcomes table, checked in the same activity)": a remark
    opening = view.toks[verb - 1].text in ("(", ",", ";") or (
        view.toks[verb].text.isupper() and view.toks[action.verb.end].text.startswith("/")
    )
    if not opening:
        return []  # "github (org invite)": a noun; "(list open PRs)", "(scim POST /Users)" act
    inside = [m for m in main if k < m.start and m.end < verb and view.toks[m.end].text == ","]
    if inside and view.toks[verb - 1].text == ",":
        return inside[-1:]  # "-- step 1 (Snowflake, SELECT only)": the system the bracket names
    return [m for m in main if k - 2 <= m.end <= k]


def _remarked_system(view: TextView, action: Action) -> list[SvcMention]:
    """'`POST /v1/postcards` with `Idempotency-Key: ...` (Lob supports the header natively)':
    an action that names no system, in a clause whose bracketed remark after it opens with
    exactly one API as its subject, acts on that API (not on the trigger's sender); "(unique
    on the Calendly invitee URI)" names no system acted on."""
    depth = view.lay.depth
    base = depth[action.verb.start]
    clause = view.lay.clause_of[action.verb.start]
    remarked = [
        m
        for m in view.clause_services(clause)
        if m.start > action.verb.start
        and not view.is_host(m)
        and depth[m.start] > base
        and view.toks[m.start - 1].text == "("  # the remark's subject: "(Lob supports ...)",
        and m.end < len(view.toks)  # its verb next: not "(Calendly's id)", "(Clever -> ...)"
        and view.toks[m.end].text.isalpha()
        and view.toks[m.end].text.islower()
        and m.info.role == "api"
        and (not m.info.generic or m.info.rule == "generic.proper_name")  # a name, not "the API"
    ]
    return remarked if len({m.info.name for m in remarked}) == 1 else []


def _subject_start(view: TextView, frame: Frame, action: Action) -> int:
    """Where the action's own subject starts: the frame's start for the first action, after
    the last ',', 'and', 'then' before the verb for a later one ('..., worker sends it').
    A method's subject is its receiver: in `withRetry(retry, () => shippo.createShipment(...))`
    the wrapper's name is no subject of the call."""
    receiver = _receiver_start(view.toks, _runner(view, frame, action), frame.start)
    if receiver is not None:
        return receiver
    if frame.actions and action is frame.actions[0]:
        return frame.start  # "Credentials for A, B and the DB are read from Vault"
    k = action.verb.start
    while k > frame.start and view.toks[k - 1].norm not in SUBJECT_BREAKS:
        k -= 1
    return k


def _method_receiver(
    view: TextView, frame: Frame, action: Action, main: list[SvcMention]
) -> list[SvcMention]:
    """The system a method call acts on: its receiver (`intercom.contacts.upsert(...)` writes
    to Intercom), or for a SQL statement the receiver of the `query(`/`execute(` call that is
    given it (`pg.query('INSERT INTO shipments ...')` writes to Postgres)."""
    receiver = _receiver_start(view.toks, _runner(view, frame, action), frame.start)
    return [m for m in main if m.start == receiver]


def _runner(view: TextView, frame: Frame, action: Action) -> int:
    """Where the call that runs the action's SQL statement is named (`query` in
    `pg.query('INSERT ...')`), or the verb itself when no call runs it."""
    verb = action.verb.start
    if "frame.verb.sql_statement" not in frame.via:
        return verb
    k = statement_runner(view.toks, verb)
    if k is None or k < frame.start or view.toks[k].norm not in view.catalog.words.sql_runner:
        return verb
    return k


def _receiver_start(toks: list[Tok], verb: int, floor: int) -> int | None:
    """Where the receiver of a method call starts (`acme.invoices.create`: at `acme`), or None
    when the verb is no method of a dotted receiver."""
    first = first_segment(toks, verb, floor)
    return first if first < verb else None


def _object_negated(view: TextView, action: Action) -> bool:
    """'It writes no result tables, opens no tickets': the object's 'no' denies the act;
    'v2 removes that: a message on Pub/Sub starts the pipeline': a removal of something said
    before acts on nothing named after it."""
    end = action.verb.end
    toks = view.toks
    if end >= len(toks):
        return False
    if toks[end].norm in ("no", "nothing", "none", "zero"):
        return True
    removal = toks[action.verb.start].norm in view.catalog.words.removal_verb
    if not removal or toks[end].norm not in ("that", "it", "this", "them", "those"):
        return False
    # "removes them from the GitHub org", "deletes it in Help Scout": a removal from or in a
    # system is an action on it
    return not (end + 1 < action.end and toks[end + 1].norm in _REMOVED_AT)


_REMOVED_AT = frozenset(("from", "out", "in", "on", "at", "via", "through"))


def _sourced(view: TextView, action: Action) -> bool:
    """Does the verb make what it writes out of what it reads ('enrich', 'generate'), so a
    system after 'from' is its source? Most writes act on it ('deletes the file from S3')."""
    return view.toks[action.verb.start].norm in view.catalog.words.sourced_verb


def _statement_database(view: TextView, sentence: _Sentence, action: Action) -> list[SvcMention]:
    """The database an upper-case SQL statement naming no system runs on: the one its
    sentence used last, or else the text's only database; none when that is unclear."""
    statement = view.catalog.words.sql_statement
    phrase = view.toks[action.verb.start : action.end]
    if not any(t.text.isupper() and t.norm in statement for t in phrase):
        return []  # ("mark them sent with `UPDATE ...`": the statement is the verb's way)
    used = [m for m in (*sentence.sources, *sentence.acted) if m.info.category == "database"]
    if used:
        return used[-1:]
    named = [m for m in view.services if m.info.category == "database"]
    return named[:1] if len({m.info.name for m in named}) == 1 else []


def _writes_back(view: TextView, clause: Clause) -> bool:
    return any(t.norm == "back" for t in view.toks[clause.start : clause.end])


def _passive(view: TextView, action: Action) -> bool:
    start = action.verb.start
    return start > 0 and view.toks[start - 1].norm in PASSIVE_AUXILIARIES


def _fallback(
    view: TextView, clause: Clause, sentence: _Sentence, kind: str, action: Action
) -> tuple[list[SvcMention], str]:
    """The system an action with no system of its own acts on (see the module docstring)."""
    database = _statement_database(view, sentence, action)
    if database:
        # "then mark them sent with `UPDATE orders_outbox SET ...`": the database's statement
        return database, "step.fallback.sql_database"
    if _writes_back(view, clause) and (sentence.senders or sentence.sources):
        # "then writes the letter id back onto the case": to the system it came from
        return (sentence.senders or sentence.sources)[:1], "step.fallback.write_back"
    made = _made_in(view, clause)
    if made:
        # "create the bill in Sage Intacct, fetch the PDF from Ramp and attach it to the
        # bill": the bill is where the clause that made it put it
        return made, "step.fallback.object_made"
    if sentence.acted:
        return sentence.acted[-1:], "step.fallback.sentence_system"
    later = [
        m
        for c in view.lay.clauses[clause.index + 1 :]
        if c.sentence == clause.sentence
        for m in step_services(view, c.index)
        if view.frame(c.index).role_of(m) in _ACTED_ROLES
    ]
    if later and kind in ("WRITE", "TRANSFER") and not _refers_back(view, clause):
        return later[:1], "step.fallback.sentence_system"
    owners = _named_owners(view, clause)
    if owners:
        # "for each Jira issue key in the body, transition the issue": the issue is Jira's
        return owners[-1:], "step.fallback.named_owner"
    api_senders = [m for m in sentence.senders if m.info.role == "api"]
    if api_senders and kind in _READS and _delivered(view, clause):
        return [], ""  # "we pick it up via webhook": the delivery is the receive already read
    if api_senders:
        return api_senders[:1], "step.fallback.trigger_sender"
    if kind == "READ":
        # "... against five BigQuery tables. It queries the tables": the system just named
        earlier = [
            m
            for c in reversed(view.lay.clauses[: clause.index])
            if c.sentence == clause.sentence - 1
            for m in reversed(step_services(view, c.index))
            if view.frame(c.index).role_of(m) in _ACTED_ROLES
        ]
        if earlier:
            return earlier[:1], "step.fallback.previous_sentence"
    return [], ""


def _made_in(view: TextView, clause: Clause) -> list[SvcMention]:
    """The system an earlier clause of this sentence or the one before wrote 'the X' to, for
    a clause that acts on 'the X' and names no system ('... attach it to the bill')."""
    toks = view.toks
    nouns = {
        toks[k + 1].norm
        for k in range(clause.start, clause.end - 1)
        if toks[k].norm == "the" and toks[k + 1].text.isalpha() and len(toks[k + 1].text) > 2
    }
    if not nouns:
        return []
    for c in reversed(view.lay.clauses[: clause.index]):
        if c.sentence < clause.sentence - 1:
            break
        frame = view.frame(c.index)
        if not any(a.label in ("WRITE", "TRANSFER") for a in frame.actions):
            continue
        if not any(
            toks[k].norm == "the" and toks[k + 1].norm in nouns for k in range(c.start, c.end - 1)
        ):
            continue
        acted = [m for m in step_services(view, c.index) if frame.role_of(m) == "target"]
        if acted:
            return acted[:1]
    return []


def _row_systems(view: TextView, clause: Clause) -> list[SvcMention]:
    """'| 2 | NetSuite | create Sales Order | ...': in a table row, the action's system is the
    one a cell of its own names (a system column), not one an action cell acts on."""
    blocks = view.lay.blocks
    line = view.toks[clause.start].line
    if blocks is None or not blocks.row(line):
        return []
    lo, hi = view.lay.sentences[clause.sentence]  # the row
    return [
        m
        for c in range(view.lay.clause_of[lo], view.lay.clause_of[hi - 1] + 1)
        if c != clause.index and not view.frame(c).actions
        for m in step_services(view, c)
    ]


def _refers_back(view: TextView, clause: Clause) -> bool:
    """'... in the dynamo table, else we put it with attribute_not_exists(...) -> then post to
    zentrix': an object pronoun is something said before, not the system named next."""
    frame = view.frame(clause.index)
    toks = view.toks
    return any(
        a.verb.end < len(toks) and toks[a.verb.end].norm in ("it", "them") for a in frame.actions
    )


def _named_owners(view: TextView, clause: Clause) -> list[SvcMention]:
    """Systems the sentence so far names only as the owner of an identifier ('each Jira
    issue key')."""
    return [
        m
        for c in view.lay.clauses[: clause.index + 1]
        if c.sentence == clause.sentence
        for m in view.clause_services(c.index)
        if m.info.role in _STEP_ROLES
        and not m.info.generic
        and not view.is_host(m)
        and view.names_an_id(m)
        and view.in_design(_as_mention(m))
    ]


def _verb_steps(
    view: TextView,
    clause: Clause,
    action: Action,
    kind: str,
    candidates: list[SvcMention],
    label: int | None,
    rule: str,
) -> list[StepDraft]:
    toks = view.toks
    frame = view.frame(clause.index)
    channel = [m for m in candidates if frame.role_of(m) == "channel"]
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
        elif kind != "TRANSFER":
            candidates = channel
    if kind in ("WRITE", "TRANSFER"):
        into = [m for m in candidates if frame.role_of(m) == "target"]
        sources = [m for m in candidates if frame.role_of(m) == "source"]
        written = {m.info.name for m in into}
        rest = [m for m in candidates if m not in into and m.info.name not in written]
        if sources and len(sources) == len(candidates) and _sourced(view, action):
            # "enriches the lead from Apollo": what is written is the text's own data; the
            # system after "from" is only read ("removes the user from the org" still writes)
            return [_make(clause, "read", False, sources, label, rule)]
        if kind == "TRANSFER" and sources:
            targets = [m for m in candidates if m not in sources]
            out = [_make(clause, "read", False, sources, label, rule)]
            if targets:
                out.append(_make(clause, "write", False, targets, label, rule))
            return out
        if (
            kind == "WRITE"
            and sources
            and not into
            and all(
                m.info.generic and frame.role_of(m) == "object" for m in rest if m not in sources
            )
        ):
            # "purges the story URL from Fastly": what is taken from a system is its data
            return [_make(clause, "write", False, sources, label, rule)]
        ids = view.term_starts("ID_NOUN")
        if into and rest and all(m.info.generic and m.end - 1 in ids for m in rest):
            # "upserts the label URL into orders-db": the object is data, not a system read
            return [_make(clause, "write", False, into, label, rule)]
        if into and rest and all(frame.role_of(m) == "object" for m in rest):
            # "sync new Stripe payments into Salesforce": Stripe is read, Salesforce written
            return [
                _make(clause, "read", False, rest, label, rule),
                _make(clause, "write", False, into, label, rule),
            ]
        return [_make(clause, "write", False, into or candidates, label, rule)]
    if kind == "RECEIVE":
        return [_make(clause, "read", _inbound(candidates), candidates, label, rule)]
    return [_make(clause, "read", False, candidates, label, rule)]


def _inbound(mentions: list[SvcMention]) -> bool:
    return any(m.info.role == "api" for m in mentions)


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
