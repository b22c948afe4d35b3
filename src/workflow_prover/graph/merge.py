"""Merge the turns of a design into one claim graph (rubric section 5).

Steps and services from earlier turns stay; a step said again (same action, same services)
is the same step. Claims accumulate in order; which one wins for a step is decided in
`coverage`. Step numbers are the order of appearance across the whole conversation; "step 3"
in the text means the user's own "3." where the steps are numbered.

Structured documents (`schemas`) join in at the place their block starts: their steps are
numbered there, in the document's own order, and their claims are read there too (a
document's claims in one group of one element form one clause). Every element of a document
is its own step, never merged with another; a prose step that says the same thing (same
action, same services) is that step. A document sent again in a later turn (same format, a
step in common) replaces the earlier one: a revised schema is a full restatement.
"""

from __future__ import annotations

from collections.abc import Sequence

from workflow_prover.extract.claims.cues import ClaimDraft, ScopeDraft
from workflow_prover.extract.claims.scope import GENERAL, NOWHERE
from workflow_prover.extract.layout.grammar import ARROWS
from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.extract.steps.actions import StepDraft
from workflow_prover.extract.turn import TurnDraft
from workflow_prover.graph.documents import (
    CLAUSE_PROSE,
    CLAUSE_TURN,
    Described,
    Ident,
    Located,
    claims_in_order,
    current_docs,
    schema_claim_node,
    schema_key,
    schema_step_node,
    steps_in_order,
)
from workflow_prover.graph.followup import FollowUps
from workflow_prover.graph.kinds import kind_table, unsafe_credential
from workflow_prover.graph.stores import named_store_retractions, store_retractions
from workflow_prover.models import (
    ASSIST_RULE,
    CheckId,
    ClaimGraph,
    ClaimKind,
    ClaimNode,
    Evidence,
    Scope,
    ScopeTarget,
    SecretNode,
    ServiceNode,
    StepNode,
    Unread,
)
from workflow_prover.schemas.model import SchemaDoc

DATABASE_CATEGORIES = ("database", "warehouse", "cache", "timeseries", "search_index")
WEBHOOK_SENDER = ServiceNode(
    name="webhook sender",
    category="webhook",
    role="api",
    external=True,
    needs_rate_limit=False,
    generic=True,
)

_StepKey = tuple[int, int, str]  # (turn, clause start, action)

_TRAILING = frozenset((".", ",", ";", ":"))


def build_graph(turns: list[TurnDraft], schemas: Sequence[Sequence[SchemaDoc]] = ()) -> ClaimGraph:
    docs = current_docs(turns, schemas)
    steps, index_of, ident_of, services, follow, removed = _merge_steps(turns, docs)
    steps, services, inserted = _webhook_trigger(turns, steps, services)

    def shifted(i: int) -> int:
        return i + 1 if inserted and i >= inserted else i

    if inserted:
        index_of = {k: shifted(i) for k, i in index_of.items()}
        ident_of = {k: shifted(i) for k, i in ident_of.items()}
    labels = _labels(turns, index_of)
    at_start = _by_start(index_of)
    unlabelled = frozenset(s.index for s in steps if s.label is None)
    claims: list[ClaimNode] = []
    position = 0
    said_before: dict[tuple[str, float], Scope] = {}  # earlier turns' claims by identity
    for turn in turns:
        this_turn = len(claims)
        for item in claims_in_order(turn, docs.get(turn.turn, ())):
            if isinstance(item, Located):
                claim = schema_claim_node(turn, item, ident_of)
                if claim is None:
                    continue
                claim = claim.model_copy(update={"position": position + 1})
            else:
                draft = item
                scope = _scope(draft.scope, turn.turn, at_start, labels, len(steps), unlabelled)
                topic = follow[turn.turn].topic(draft.clause) if _unscoped(scope) else None
                if topic is not None:  # a later turn's claim about the step its sentence names
                    scope = Scope(target=ScopeTarget.STEPS, steps=(shifted(topic),))
                elif scope.target is ScopeTarget.ALL and draft.scope == GENERAL:
                    topic = follow[turn.turn].described(draft.clause)
                    if topic is not None:  # "when the leads query fails, ...": that step
                        scope = Scope(target=ScopeTarget.STEPS, steps=(shifted(topic),))
                scope = _where_removed(draft, scope, claims)
                scope = _where_restated(draft, scope, said_before)
                claim = ClaimNode(
                    kind=ClaimKind(draft.kind),
                    modality=draft.reading.modality,
                    scope=scope,
                    evidence=_read_by(
                        turn.evidence(
                            draft.start, draft.end, draft.rule, turn.cue(draft), draft.scope.via
                        )
                    ),
                    turn=turn.turn,
                    position=position + 1,
                    clause=turn.turn * CLAUSE_TURN + draft.clause * CLAUSE_PROSE,
                    value=draft.value,
                )
            position += 1
            claims.append(claim)
        for c in claims[this_turn:]:
            if c.value is not None and c.modality == "asserted":
                said_before[(c.kind.value, c.value)] = c.scope
    for twin in [*store_retractions(turns, claims), *named_store_retractions(claims, turns)]:
        position += 1
        claims.append(twin.model_copy(update={"position": position}))
    gone: set[str] = set()
    if removed:
        before = set(services)
        steps, claims, services = _without({shifted(i) for i in removed}, steps, claims, services)
        gone = before - set(services)
    infos = {m.info.name: m.info for t in turns for m in t.view.services}  # (prose mentions)
    # a credential of a system whose only step was taken out is no credential the flow holds
    services.update(
        (k, v) for k, v in _credential_services(infos, claims, services).items() if k not in gone
    )
    claims = _credential_stand_ins(infos, claims, steps, services)
    return ClaimGraph(
        steps=tuple(steps),
        services=tuple(services.values()),
        claims=tuple(claims),
        secrets=tuple(_secrets(turns)),
        turns=len(turns),
        unread=tuple(_unread(turns)),
    )


def _credential_services(
    infos: dict[str, ServiceInfo], claims: list[ClaimNode], services: dict[str, ServiceNode]
) -> dict[str, ServiceNode]:
    """Services a design holds a credential for, said to be kept unsafely ('the shipbob token
    is an env var on the worker'), that no step read names: the workflow connects to them
    (rubric 2.4), so the credentials check sees them though their step was not read."""
    named = {n for c in claims if unsafe_credential(c) for n in c.scope.services}
    wanted = named - set(services)
    if not wanted:
        return {}
    # a named product only: "the worker's database" stands in for the design's own database
    return {n: _node(infos[n]) for n in sorted(wanted) if n in infos and not infos[n].generic}


def _credential_stand_ins(
    infos: dict[str, ServiceInfo],
    claims: list[ClaimNode],
    steps: list[StepNode],
    services: dict[str, ServiceNode],
) -> list[ClaimNode]:
    """'`db.execute(...)` ... the worker uses RDS IAM auth': a credential statement naming a
    product no step uses stands in for the one generic system of its role that only a
    schema's or code's steps use (the prose reading does the same for prose steps)."""
    used = {n for s in steps for n in s.services}
    out: list[ClaimNode] = []
    for c in claims:
        names = c.scope.services
        row = kind_table().rows[c.kind]
        if c.scope.target is not ScopeTarget.SERVICES or row.check is not CheckId.CREDENTIALS:
            out.append(c)
            continue
        extra: list[str] = []
        for name in names:
            info = infos.get(name)
            if name in used or info is None or info.generic:
                continue
            # (a generic system the prose names is the prose reading's to stand in for)
            same = [
                n
                for n in used
                if n in services
                and n not in infos
                and services[n].generic
                and services[n].role == info.role
            ]
            if len(same) == 1 and same[0] not in names and same[0] not in extra:
                extra.append(same[0])
        if extra:
            c = c.model_copy(
                update={"scope": c.scope.model_copy(update={"services": (*names, *extra)})}
            )
        out.append(c)
    return out


def _without(
    removed: set[int],
    steps: list[StepNode],
    claims: list[ClaimNode],
    services: dict[str, ServiceNode],
) -> tuple[list[StepNode], list[ClaimNode], dict[str, ServiceNode]]:
    """The graph without the steps a later turn said are none ('ur step 3 isn't a thing'):
    the others renumbered, claims scoped to them renumbered, services only they used gone."""
    kept = [s for s in steps if s.index not in removed]
    new = {s.index: n for n, s in enumerate(kept, 1)}

    def renumbered(scope: Scope) -> Scope:
        return scope.model_copy(
            update={
                "steps": tuple(new[i] for i in scope.steps if i in new),
                "excluded_steps": tuple(new[i] for i in scope.excluded_steps if i in new),
            }
        )

    gone = {n for s in steps if s.index in removed for n in s.services}
    used = {n for s in kept for n in s.services}
    return (
        [s.model_copy(update={"index": new[s.index]}) for s in kept],
        [c.model_copy(update={"scope": renumbered(c.scope)}) for c in claims],
        {k: v for k, v in services.items() if k in used or k not in gone},
    )


def _unread(turns: list[TurnDraft]) -> list[Unread]:
    out: list[Unread] = []
    for turn in turns:
        for span in turn.unread:
            evidence = turn.evidence(span.start, span.end, "unread")
            out.append(
                Unread(
                    text=evidence.text.strip(),
                    start=evidence.start,
                    end=evidence.end,
                    turn=turn.turn,
                    reason=span.reason,
                )
            )
    return out


def _read_by(evidence: Evidence) -> Evidence:
    """Evidence of an item the client's model proposed (and the rules grounded) says so."""
    if evidence.rule.startswith(ASSIST_RULE):
        return evidence.model_copy(update={"reader": "assist"})
    return evidence


def _node(info: ServiceInfo) -> ServiceNode:
    return ServiceNode(
        name=info.name,
        category=info.category,
        external=info.role != "datastore",
        role="datastore" if info.role == "datastore" else "api",
        needs_rate_limit=info.rate_limited,
        vendor=info.vendor,
        generic=info.generic,
    )


def _where_removed(draft: ClaimDraft, scope: Scope, earlier: list[ClaimNode]) -> Scope:
    """'... through a limiter on HubSpot. Update: we're taking the limiter out', 'we switched
    from MERGE to plain INSERT' (turn 3): a removal that names no system takes the mechanism
    away where it was last said to be (this turn or an earlier one), not from nowhere, nor
    from everywhere, where a specific assertion would outrank it."""
    removal = draft.reading.modality == "negated" and any(
        c.effect == "retraction" for c in draft.reading.cues
    )
    if not removal or draft.scope not in (GENERAL, NOWHERE):
        return scope
    if not (_unscoped(scope) or scope.target is ScopeTarget.ALL):
        return scope  # a later turn's sentence about a step it names
    said = [c for c in earlier if c.kind.value == draft.kind and c.modality == "asserted"]
    return said[-1].scope if said else scope


def _where_restated(
    draft: ClaimDraft, scope: Scope, said_before: dict[tuple[str, float], Scope]
) -> Scope:
    """'a 3 req/s cap on Attio and Slack' (turn 1) ... 'the 3 req/s cap is what we rely on
    now' (turn 3): a later turn that names a mechanism by its kind and value, and nothing it
    covers, restates the earlier claim; it keeps that claim's scope instead of spreading it
    to every step (claim identity: kind and value)."""
    if draft.value is None or draft.scope != GENERAL or draft.reading.modality != "asserted":
        return scope
    return said_before.get((draft.kind, draft.value), scope)


def _unscoped(scope: Scope) -> bool:
    """A claim the reading tied to no step and no service: it would cover nothing."""
    return scope.target is ScopeTarget.STEPS and not scope.steps


def _delivered(steps: list[StepNode], index: int, draft: StepDraft) -> None:
    """'Calendly posts an invitee.created webhook to us' after 'takes new Calendly bookings':
    a later turn's receive from the system an earlier read came from says how that read
    happens: the step is the receive (no outbound call to the sender)."""
    step = steps[index - 1]
    if (
        draft.inbound
        and draft.action == "read"
        and step.action == "read"
        and not step.inbound
        and set(step.services) & {info.name for info in draft.services}
    ):
        steps[index - 1] = step.model_copy(update={"inbound": True})


def _merge_steps(
    turns: list[TurnDraft], docs: dict[int, tuple[SchemaDoc, ...]]
) -> tuple[
    list[StepNode],
    dict[_StepKey, int],
    dict[Ident, int],
    dict[str, ServiceNode],
    dict[int, FollowUps],
    set[int],
]:
    steps: list[StepNode] = []
    seen: dict[tuple[str, bool, tuple[str, ...]], int] = {}
    index_of: dict[_StepKey, int] = {}
    ident_of: dict[Ident, int] = {}
    services: dict[str, ServiceNode] = {}
    dropped: set[str] = set()  # services of steps a correction replaced
    removed: set[int] = set()  # steps a later turn says are none
    stores: set[str] = set()  # datastores earlier turns named as where a mechanism lives
    followups: dict[int, FollowUps] = {}
    said: dict[tuple[str, bool, tuple[str, ...]], _Place] = {}  # where a prose step was said
    for turn in turns:
        turn_docs = docs.get(turn.turn, ())
        described = Described(turn.turn, turn_docs)
        visible = [s for s in steps if s.index not in removed]  # as the user last saw them
        follow = followups[turn.turn] = FollowUps(turn, visible, frozenset(stores))
        stores.update(
            m.info.name
            for m in turn.view.services
            if m.info.role == "datastore" and turn.view.is_host(m)
        )
        later: dict[_StepKey, Ident] = {}
        for item in steps_in_order(turn, turn_docs):
            if isinstance(item, tuple):
                fmt, schema_step = item
                index = len(steps) + 1
                ident_of[(turn.turn, fmt, schema_step.ident)] = index
                seen.setdefault(schema_key(schema_step), index)
                for info in schema_step.services:
                    services.setdefault(info.name, _node(info))
                steps.append(schema_step_node(turn, schema_step, index))
                continue
            draft = item
            key = (draft.action, draft.inbound, tuple(sorted(info.name for info in draft.services)))
            where = (turn.turn, draft.start, draft.action)
            place = _place(turn, draft)
            if (
                key in seen
                and not _another_step(said.get(key), place)
                and not follow.announced(draft)
            ):
                index_of[where] = seen[key]
                continue
            target = described.step(draft.inbound, {info.name for info in draft.services})
            if target is not None:
                later[where] = target
                continue
            if follow.in_removal(draft):
                continue  # "ur step 3 (read -> stripe) isn't a thing": no step of its own
            attached = follow.attach(draft)
            if attached is not None:
                index_of[where] = attached.index
                _delivered(steps, attached.index, draft)
                if attached.how == "replace":
                    dropped.update(steps[attached.index - 1].services)
                    steps[attached.index - 1] = _replaced(turn, draft, steps[attached.index - 1])
                    for info in draft.services:
                        services.setdefault(info.name, _node(info))
                continue
            if follow.takes_no_service(draft):
                continue  # "it is retried": no step of its own, and none it is about
            index = len(steps) + 1
            seen[key] = index
            said[key] = place
            index_of[where] = index
            for info in draft.services:
                services.setdefault(info.name, _node(info))
            step = _step(turn, draft, index)
            if step.label is not None and step.label in {s.label or s.index for s in visible}:
                # "## Changes\n1. Slack post: ..." in turn 3: its own list's number would
                # read as the design's step 1; the step is shown by its place instead
                step = step.model_copy(update={"label": None})
            steps.append(step)
        for where, ident in later.items():
            index_of[where] = ident_of[ident]
        removed.update(follow.removals())
        for moved in follow.corrections():
            step = steps[moved.index - 1]
            if set(step.services) & moved.old and not set(step.services) & moved.names:
                dropped.update(moved.old)
                kept = tuple(s for s in step.services if s not in moved.old)
                new = tuple(info.name for info in moved.new)
                steps[moved.index - 1] = step.model_copy(update={"services": kept + new})
            for info in moved.new:
                services.setdefault(info.name, _node(info))
        for index, (action, inbound) in follow.kinds_said().items():
            steps[index - 1] = steps[index - 1].model_copy(
                update={"action": action, "inbound": inbound}
            )
    used = {name for step in steps for name in step.services}
    services = {k: v for k, v in services.items() if k in used or k not in dropped}
    return steps, index_of, ident_of, services, followups, removed


_Place = tuple[int, int, int | None]  # turn, sentence, the text's own step number


def _place(turn: TurnDraft, draft: StepDraft) -> _Place:
    return (turn.turn, turn.view.lay.clauses[draft.clause].sentence, draft.label)


def _another_step(first: _Place | None, again: _Place) -> bool:
    """Is a step with the same action and services a step of its own? Said again in another
    turn or sentence it is a restatement; in one sentence ('create the contact in Intercom ->
    add a tag to that contact') or under another number of the text's own, it is another step."""
    if first is None or first[0] != again[0]:
        return False
    return first[1] == again[1] or (
        first[2] is not None and again[2] is not None and first[2] != again[2]
    )


def _step(turn: TurnDraft, draft: StepDraft, index: int) -> StepNode:
    toks = turn.view.toks
    end = draft.end
    while end - 1 > draft.start and (
        toks[end - 1].text in _TRAILING or toks[end - 1].text in ARROWS
    ):
        end -= 1
    via = tuple(dict.fromkeys(turn.view.frame(draft.clause).via))
    evidence = _read_by(turn.evidence(draft.start, end, draft.rule, via=via))
    return StepNode(
        index=index,
        text=evidence.text,
        action=draft.action,
        services=tuple(info.name for info in draft.services),
        inbound=draft.inbound,
        turn=turn.turn,
        label=draft.label,
        evidence=evidence,
    )


def _replaced(turn: TurnDraft, draft: StepDraft, old: StepNode) -> StepNode:
    """'One correction: step 4 posts to ...': the new reading, at the old step's place and label
    (its services stay when the correction names none)."""
    new = _step(turn, draft, old.index)
    update: dict[str, object] = {"label": old.label}
    if not new.services:
        update["services"] = old.services
    return new.model_copy(update=update)


def _labels(
    turns: list[TurnDraft], index_of: dict[_StepKey, int]
) -> dict[int, dict[int, list[int]]]:
    """Per turn: the user's step number -> step indices, for "steps 1 and 2"."""
    labels: dict[int, dict[int, list[int]]] = {}
    running: dict[int, list[int]] = {}
    for turn in turns:
        for draft in turn.steps:
            index = index_of.get((turn.turn, draft.start, draft.action))
            if draft.label is not None and index is not None:
                running.setdefault(draft.label, [])
                if index not in running[draft.label]:
                    running[draft.label].append(index)
        labels[turn.turn] = {k: list(v) for k, v in running.items()}
    return labels


def _by_start(index_of: dict[_StepKey, int]) -> dict[tuple[int, int], list[int]]:
    """(turn, clause start) -> the indices of the steps read there, for claims scoped to steps
    by their clause (looked up per claim instead of scanning every step's key)."""
    out: dict[tuple[int, int], list[int]] = {}
    for (turn, start, _), index in index_of.items():
        out.setdefault((turn, start), []).append(index)
    return out


def _scope(
    draft: ScopeDraft,
    turn: int,
    at_start: dict[tuple[int, int], list[int]],
    labels: dict[int, dict[int, list[int]]],
    count: int,
    unlabelled: frozenset[int] = frozenset(),
) -> Scope:
    filters = _filters(draft.filter)
    if draft.also:
        filters["also_services"] = draft.also
    if draft.verbs:
        return Scope(target=ScopeTarget.ALL, verbs=draft.verbs, **filters)
    if draft.excluded or draft.excluded_refs or draft.excluded_starts:
        known = labels.get(turn, {})
        excluded_steps = [i for ref in draft.excluded_refs for i in known.get(ref, [ref])]
        excluded_steps += [
            i for start in draft.excluded_starts for i in at_start.get((turn, start), ())
        ]
        filters["excluded_services"] = draft.excluded
        filters["excluded_steps"] = tuple(excluded_steps)
    if draft.step_refs:
        known = labels.get(turn, {})
        steps: list[int] = []
        for ref in draft.step_refs:
            # "Adding step 3: ..." in a later turn: the unlabelled step at that place
            by_place = ref <= count and (not known or ref in unlabelled)
            steps += known.get(ref, [ref] if by_place else [])
        return Scope(target=ScopeTarget.STEPS, steps=tuple(dict.fromkeys(steps)), **filters)
    if draft.steps:
        found = {i for start in draft.steps for i in at_start.get((turn, start), ())}
        return Scope(target=ScopeTarget.STEPS, steps=tuple(sorted(found)), **filters)
    if draft.services or draft.vendors:
        return Scope(
            target=ScopeTarget.SERVICES, services=draft.services, vendors=draft.vendors, **filters
        )
    if not draft.general:  # about one action the text does not tie to a service: none
        return Scope(target=ScopeTarget.STEPS, steps=(), **filters)
    return Scope(target=ScopeTarget.ALL, **filters)


def _filters(kind: str | None) -> dict[str, object]:
    if kind == "api":
        return {"api_only": True}
    if kind == "database":
        return {"categories": DATABASE_CATEGORIES}
    if kind in ("write", "read"):
        return {"action": kind}
    return {}


def _webhook_trigger(
    turns: list[TurnDraft], steps: list[StepNode], services: dict[str, ServiceNode]
) -> tuple[list[StepNode], dict[str, ServiceNode], int]:
    """'The workflow uses webhooks' with no sender named: the first step is an inbound receive.

    Returns the steps, the services and the index of an inserted receive step (0: none).
    """
    if any(step.inbound for step in steps):
        return steps, services, 0
    if any(services[name].category == "webhook_endpoint" for s in steps for name in s.services):
        return steps, services, 0  # the workflow sends webhooks; its callbacks are its own
    for turn in turns:
        stepped = {s.clause for s in turn.steps}
        for claim in turn.claims:
            if (
                claim.kind != "webhook"
                or claim.reading.modality != "asserted"
                or claim.clause in stepped
                # a later turn's "step 3 / the Teams post goes to a webhook": that step's
                or (turn.turn > 1 and (claim.scope.step_refs or claim.scope.services))
            ):
                continue
            if (
                steps
                and steps[0].action == "read"
                and any(services[name].needs_rate_limit for name in steps[0].services)
            ):
                steps[0] = steps[0].model_copy(update={"inbound": True})
                return steps, services, 0
            evidence = _read_by(turn.evidence(claim.start, claim.end, claim.rule))
            receive = StepNode(
                index=0,
                text=evidence.text,
                action="read",
                services=(WEBHOOK_SENDER.name,),
                inbound=True,
                turn=turn.turn,
                evidence=evidence,
            )
            position = sum(
                1 for s in steps if (s.turn, s.evidence.start) < (turn.turn, evidence.start)
            )
            steps = [*steps[:position], receive, *steps[position:]]
            services = {WEBHOOK_SENDER.name: WEBHOOK_SENDER, **services}
            renumbered = [s.model_copy(update={"index": i}) for i, s in enumerate(steps, 1)]
            return renumbered, services, position + 1
    return steps, services, 0


def _secrets(turns: list[TurnDraft]) -> list[SecretNode]:
    """Literal secrets, minus those a later turn says were revoked or rotated."""
    revoked_at = max(
        (
            t.turn
            for t in turns
            for c in t.claims
            if c.kind == "revoked" and c.reading.modality == "asserted"
        ),
        default=0,
    )
    out: list[SecretNode] = []
    for turn in turns:
        if turn.turn < revoked_at:
            continue
        for match in turn.redaction.matches:
            evidence = Evidence(
                text=turn.redaction.redacted_span(match.start, match.end),
                start=match.start,
                end=match.end,
                rule=match.rule,
                turn=turn.turn,
            )
            out.append(SecretNode(kind=match.kind, evidence=evidence))
    return out
